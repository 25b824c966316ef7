// Format names as GStreamer spells them (gst_video_format_to_string), so that a name read from caps,
// a script or a network request means the same PixelFormat everywhere.
#include "pixel_format_names.h"

#include <array>
#include <utility>

namespace rife {
namespace {

using P = PixelFormat;
// clang-format off
constexpr std::array<std::pair<PixelFormat, const char*>, 32> kNames{{
  {P::RGB, "RGB"}, {P::BGR, "BGR"}, {P::RGBx, "RGBx"}, {P::BGRx, "BGRx"}, {P::xRGB, "xRGB"}, {P::xBGR, "xBGR"},
  {P::RGBA, "RGBA"}, {P::BGRA, "BGRA"}, {P::ARGB, "ARGB"}, {P::ABGR, "ABGR"},
  {P::I420, "I420"}, {P::YV12, "YV12"}, {P::NV12, "NV12"}, {P::NV21, "NV21"}, {P::Y42B, "Y42B"},
  {P::Y444, "Y444"}, {P::YUY2, "YUY2"}, {P::UYVY, "UYVY"},
  {P::I420_10LE, "I420_10LE"}, {P::I420_12LE, "I420_12LE"}, {P::I422_10LE, "I422_10LE"},
  {P::I422_12LE, "I422_12LE"}, {P::Y444_10LE, "Y444_10LE"}, {P::Y444_12LE, "Y444_12LE"},
  {P::Y444_16LE, "Y444_16LE"}, {P::P010_10LE, "P010_10LE"}, {P::P012_LE, "P012_LE"}, {P::P016_LE, "P016_LE"},
  {P::RGBA64_LE, "RGBA64_LE"}, {P::BGRA64_LE, "BGRA64_LE"}, {P::ARGB64_LE, "ARGB64_LE"},
  {P::ABGR64_LE, "ABGR64_LE"},
}};
// clang-format on

}  // namespace

const char* to_string(PixelFormat format) {
  for (const auto& [f, name] : kNames)
    if (f == format) return name;
  return "unknown";
}

bool parse_pixel_format(const std::string& name, PixelFormat* format) {
  for (const auto& [f, known] : kNames)
    if (name == known) {
      *format = f;
      return true;
    }
  return false;
}

PixelFormat parse_pixel_format(const std::string& name) {
  PixelFormat f;
  if (parse_pixel_format(name, &f)) return f;
  std::string all;
  for (const auto& entry : kNames) all += std::string(all.empty() ? "" : " ") + entry.second;
  throw Error(ErrorKind::Setting, "unknown pixel format '" + name + "' (known: " + all + ")");
}

std::vector<PixelFormat> pixel_formats() {
  std::vector<PixelFormat> all;
  for (const auto& entry : kNames) all.push_back(entry.first);
  return all;
}

}  // namespace rife
