// GStreamer's view of a video frame in the engine's terms: formats, colorimetry and plane pointers.
#pragma once

#include <gst/video/video.h>

#include "rife_engine.h"

// The formats rife accepts, in caps syntax: 8 bits first (the order is a preference in negotiation),
// then 10, 12 and 16 bits.
#define RIFE_FORMATS                                                                                       \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21, Y42B, Y444, YUY2, " \
  "UYVY, I420_10LE, I420_12LE, I422_10LE, I422_12LE, Y444_10LE, Y444_12LE, Y444_16LE, P010_10LE, "         \
  "P012_LE, P016_LE, RGBA64_LE, BGRA64_LE, ARGB64_LE, ABGR64_LE }"

namespace rife_gst {

// Size, format and (for YUV) matrix and range of `info`; false for a format the engine lacks. The
// transfer function and HDR metadata are not the engine's concern (they pass through in the caps).
bool geometry_of(const GstVideoInfo& info, rife::FrameGeometry* out);

rife::InputPlanes input_planes(const GstVideoFrame& frame);
rife::OutputPlanes output_planes(GstVideoFrame& frame);

}  // namespace rife_gst
