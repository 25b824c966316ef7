// Pixel format names as GStreamer spells them (gst_video_format_to_string): "RGB", "I420",
// "P010_10LE"... Torch-free, for code that names formats in text (the Python module, a server's
// requests).
#pragma once

#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife {

const char* to_string(PixelFormat format);
PixelFormat parse_pixel_format(const std::string& name);  // those names; rife::Error (Setting) otherwise
bool parse_pixel_format(const std::string& name, PixelFormat* format);  // false for a name the engine lacks
std::vector<PixelFormat> pixel_formats();                 // every format, in the enum's order

}  // namespace rife
