// GStreamer's view of a video frame in the engine's terms: formats, colorimetry and plane pointers.
#pragma once

#include <gst/video/video.h>

#include "rife_engine.h"

// The formats rife accepts, in caps syntax.
#define RIFE_FORMATS \
  "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR, I420, YV12, NV12, NV21, Y42B, Y444, YUY2, UYVY }"

namespace rife_gst {

// Size, format and (for YUV) matrix and range of `info`; false for a format the engine lacks.
bool geometry_of(const GstVideoInfo& info, rife::FrameGeometry* out);

rife::InputPlanes input_planes(const GstVideoFrame& frame);
rife::OutputPlanes output_planes(GstVideoFrame& frame);

}  // namespace rife_gst
