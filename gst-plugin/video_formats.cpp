#include "video_formats.h"

namespace rife_gst {
namespace {

bool format_of(GstVideoFormat f, rife::PixelFormat* out) {
  using P = rife::PixelFormat;
  switch (f) {
    case GST_VIDEO_FORMAT_RGB:
      *out = P::RGB;
      return true;
    case GST_VIDEO_FORMAT_BGR:
      *out = P::BGR;
      return true;
    case GST_VIDEO_FORMAT_RGBx:
      *out = P::RGBx;
      return true;
    case GST_VIDEO_FORMAT_BGRx:
      *out = P::BGRx;
      return true;
    case GST_VIDEO_FORMAT_xRGB:
      *out = P::xRGB;
      return true;
    case GST_VIDEO_FORMAT_xBGR:
      *out = P::xBGR;
      return true;
    case GST_VIDEO_FORMAT_RGBA:
      *out = P::RGBA;
      return true;
    case GST_VIDEO_FORMAT_BGRA:
      *out = P::BGRA;
      return true;
    case GST_VIDEO_FORMAT_ARGB:
      *out = P::ARGB;
      return true;
    case GST_VIDEO_FORMAT_ABGR:
      *out = P::ABGR;
      return true;
    case GST_VIDEO_FORMAT_I420:
      *out = P::I420;
      return true;
    case GST_VIDEO_FORMAT_YV12:
      *out = P::YV12;
      return true;
    case GST_VIDEO_FORMAT_NV12:
      *out = P::NV12;
      return true;
    case GST_VIDEO_FORMAT_NV21:
      *out = P::NV21;
      return true;
    case GST_VIDEO_FORMAT_Y42B:
      *out = P::Y42B;
      return true;
    case GST_VIDEO_FORMAT_Y444:
      *out = P::Y444;
      return true;
    case GST_VIDEO_FORMAT_YUY2:
      *out = P::YUY2;
      return true;
    case GST_VIDEO_FORMAT_UYVY:
      *out = P::UYVY;
      return true;
    case GST_VIDEO_FORMAT_I420_10LE:
      *out = P::I420_10LE;
      return true;
    case GST_VIDEO_FORMAT_I420_12LE:
      *out = P::I420_12LE;
      return true;
    case GST_VIDEO_FORMAT_I422_10LE:
      *out = P::I422_10LE;
      return true;
    case GST_VIDEO_FORMAT_I422_12LE:
      *out = P::I422_12LE;
      return true;
    case GST_VIDEO_FORMAT_Y444_10LE:
      *out = P::Y444_10LE;
      return true;
    case GST_VIDEO_FORMAT_Y444_12LE:
      *out = P::Y444_12LE;
      return true;
    case GST_VIDEO_FORMAT_Y444_16LE:
      *out = P::Y444_16LE;
      return true;
    case GST_VIDEO_FORMAT_P010_10LE:
      *out = P::P010_10LE;
      return true;
    case GST_VIDEO_FORMAT_P012_LE:
      *out = P::P012_LE;
      return true;
    case GST_VIDEO_FORMAT_P016_LE:
      *out = P::P016_LE;
      return true;
    case GST_VIDEO_FORMAT_RGBA64_LE:
      *out = P::RGBA64_LE;
      return true;
    case GST_VIDEO_FORMAT_BGRA64_LE:
      *out = P::BGRA64_LE;
      return true;
    case GST_VIDEO_FORMAT_ARGB64_LE:
      *out = P::ARGB64_LE;
      return true;
    case GST_VIDEO_FORMAT_ABGR64_LE:
      *out = P::ABGR64_LE;
      return true;
    default:
      return false;
  }
}

rife::YuvMatrix matrix_of(const GstVideoInfo& info) {
  switch (info.colorimetry.matrix) {
    case GST_VIDEO_COLOR_MATRIX_BT601:
    case GST_VIDEO_COLOR_MATRIX_FCC:  // FCC differs from BT.601 in the third decimal only
      return rife::YuvMatrix::BT601;
    case GST_VIDEO_COLOR_MATRIX_BT709:
      return rife::YuvMatrix::BT709;
    case GST_VIDEO_COLOR_MATRIX_BT2020:
      return rife::YuvMatrix::BT2020;
    case GST_VIDEO_COLOR_MATRIX_SMPTE240M:
      return rife::YuvMatrix::SMPTE240M;
    default:  // unknown: GStreamer's own default, BT.601 up to SD and BT.709 above
      return info.height > 576 ? rife::YuvMatrix::BT709 : rife::YuvMatrix::BT601;
  }
}

}  // namespace

bool geometry_of(const GstVideoInfo& info, rife::FrameGeometry* out) {
  rife::FrameGeometry g;
  if (!format_of(GST_VIDEO_INFO_FORMAT(&info), &g.format)) return false;
  g.width = GST_VIDEO_INFO_WIDTH(&info);
  g.height = GST_VIDEO_INFO_HEIGHT(&info);
  if (GST_VIDEO_INFO_IS_YUV(&info)) {
    g.matrix = matrix_of(info);
    g.full_range = info.colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  }
  *out = g;
  return true;
}

namespace {

// The plane pointers and strides of a mapped frame (const for input, writable for output).
template <class Planes, class Byte>
Planes planes_of(const GstVideoFrame& frame) {
  Planes p;
  for (guint i = 0; i < GST_VIDEO_FRAME_N_PLANES(&frame) && i < 3; ++i) {
    p.data[i] = static_cast<Byte*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, i));
    p.stride[i] = size_t(GST_VIDEO_FRAME_PLANE_STRIDE(&frame, i));
  }
  return p;
}

}  // namespace

rife::InputPlanes input_planes(const GstVideoFrame& frame) {
  return planes_of<rife::InputPlanes, const uint8_t>(frame);
}

rife::OutputPlanes output_planes(GstVideoFrame& frame) { return planes_of<rife::OutputPlanes, uint8_t>(frame); }

}  // namespace rife_gst
