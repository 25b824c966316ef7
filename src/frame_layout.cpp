#include "frame_layout.h"

namespace rife {

ChannelOffsets channel_offsets(PixelFormat format) {
  switch (format) {
    case PixelFormat::RGB:
      return {0, 1, 2, -1, 3};
    case PixelFormat::BGR:
      return {2, 1, 0, -1, 3};
    case PixelFormat::RGBx:
    case PixelFormat::RGBA:
      return {0, 1, 2, 3, 4};
    case PixelFormat::BGRx:
    case PixelFormat::BGRA:
      return {2, 1, 0, 3, 4};
    case PixelFormat::xRGB:
    case PixelFormat::ARGB:
      return {1, 2, 3, 0, 4};
    case PixelFormat::xBGR:
    case PixelFormat::ABGR:
      return {3, 2, 1, 0, 4};
  }
  throw Error("unknown pixel format");
}

size_t bytes_per_pixel(PixelFormat format) { return size_t(channel_offsets(format).bytes_per_pixel); }

}  // namespace rife
