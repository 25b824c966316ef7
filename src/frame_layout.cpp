#include "frame_layout.h"

namespace rife {
namespace {

FrameLayout packed_rgb(int r, int g, int b, int fill, int bpp) {
  FrameLayout l{};
  l.yuv = false;
  l.planes = 1;
  l.component[0] = {0, r, bpp, 0, 0};
  l.component[1] = {0, g, bpp, 0, 0};
  l.component[2] = {0, b, bpp, 0, 0};
  l.plane[0] = {0, 0, bpp};
  l.fill_offset = fill;
  return l;
}

// Three planes Y, U, V (in the order given by u_plane/v_plane), chroma subsampled by sx, sy.
FrameLayout planar_yuv(int u_plane, int v_plane, int sx, int sy) {
  FrameLayout l{};
  l.yuv = true;
  l.planes = 3;
  l.component[0] = {0, 0, 1, 0, 0};
  l.component[1] = {u_plane, 0, 1, sx, sy};
  l.component[2] = {v_plane, 0, 1, sx, sy};
  l.plane[0] = {0, 0, 1};
  l.plane[1] = l.plane[2] = {sx, sy, 1};
  l.fill_offset = -1;
  return l;
}

// Y plane, then one plane of interleaved chroma pairs (NV12: U first, NV21: V first), 4:2:0.
FrameLayout semi_planar_yuv(int u_offset, int v_offset) {
  FrameLayout l{};
  l.yuv = true;
  l.planes = 2;
  l.component[0] = {0, 0, 1, 0, 0};
  l.component[1] = {1, u_offset, 2, 1, 1};
  l.component[2] = {1, v_offset, 2, 1, 1};
  l.plane[0] = {0, 0, 1};
  l.plane[1] = {1, 1, 2};
  l.fill_offset = -1;
  return l;
}

// One plane of 4:2:2 macropixels (2 pixels in 4 bytes).
FrameLayout packed_422(int y, int u, int v) {
  FrameLayout l{};
  l.yuv = true;
  l.planes = 1;
  l.component[0] = {0, y, 2, 0, 0};
  l.component[1] = {0, u, 4, 1, 0};
  l.component[2] = {0, v, 4, 1, 0};
  l.plane[0] = {1, 0, 4};
  l.fill_offset = -1;
  return l;
}

}  // namespace

FrameLayout frame_layout(PixelFormat format) {
  switch (format) {
    case PixelFormat::RGB:
      return packed_rgb(0, 1, 2, -1, 3);
    case PixelFormat::BGR:
      return packed_rgb(2, 1, 0, -1, 3);
    case PixelFormat::RGBx:
    case PixelFormat::RGBA:
      return packed_rgb(0, 1, 2, 3, 4);
    case PixelFormat::BGRx:
    case PixelFormat::BGRA:
      return packed_rgb(2, 1, 0, 3, 4);
    case PixelFormat::xRGB:
    case PixelFormat::ARGB:
      return packed_rgb(1, 2, 3, 0, 4);
    case PixelFormat::xBGR:
    case PixelFormat::ABGR:
      return packed_rgb(3, 2, 1, 0, 4);
    case PixelFormat::I420:
      return planar_yuv(1, 2, 1, 1);
    case PixelFormat::YV12:
      return planar_yuv(2, 1, 1, 1);
    case PixelFormat::Y42B:
      return planar_yuv(1, 2, 1, 0);
    case PixelFormat::Y444:
      return planar_yuv(1, 2, 0, 0);
    case PixelFormat::NV12:
      return semi_planar_yuv(0, 1);
    case PixelFormat::NV21:
      return semi_planar_yuv(1, 0);
    case PixelFormat::YUY2:
      return packed_422(0, 1, 3);
    case PixelFormat::UYVY:
      return packed_422(1, 0, 2);
  }
  throw Error("unknown pixel format");
}

size_t bytes_per_pixel(PixelFormat format) {
  const FrameLayout l = frame_layout(format);
  if (l.planes != 1 || l.yuv) throw Error("bytes_per_pixel: not a packed RGB format");
  return size_t(l.plane[0].bytes_per_group);
}

bool is_yuv(PixelFormat format) { return frame_layout(format).yuv; }
int plane_count(PixelFormat format) { return frame_layout(format).planes; }

}  // namespace rife
