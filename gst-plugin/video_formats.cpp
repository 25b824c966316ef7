#include "video_formats.h"

#include "pixel_format_names.h"

namespace rife_gst {
namespace {

// The engine names its formats as GStreamer does.
bool format_of(GstVideoFormat f, rife::PixelFormat* out) {
  return rife::parse_pixel_format(gst_video_format_to_string(f), out);
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
