// Which raw formats the installed rife element takes, read from its sink pad template (not a list
// kept here), and the format a decoded frame is given to it in: its own when rife takes it, else the
// nearest one rife takes (same bit depth if rife has one, same chroma subsampling).
#pragma once

#include <gst/video/video.h>

#include <string>
#include <vector>

namespace rife_convert {

std::vector<GstVideoFormat> rife_input_formats();  // empty when the element is not installed

// Whether rife takes some format with more than 8 bits per component (10-bit frames then stay
// 10-bit through the conversion).
bool rife_takes_high_depth(const std::vector<GstVideoFormat>& formats);

// `decoded` itself when rife takes it; else the format to convert to. `notice` gets a line for the
// user when bits are lost (a 10-bit source made 8-bit).
GstVideoFormat format_for_rife(GstVideoFormat decoded, const std::vector<GstVideoFormat>& formats, std::string* notice);

}  // namespace rife_convert
