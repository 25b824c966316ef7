#include "frame_layout.h"

namespace rife {
namespace {

constexpr SampleLayout kByte{1, 8, 0};
// 10/12/16-bit samples in the low bits of 16-bit little-endian words (I420_10LE, Y444_12LE, RGBA64_LE...).
constexpr SampleLayout low_bits(int depth) { return {2, depth, 0}; }
// In the high bits (P010_10LE, P012_LE): the word is the sample times 2^(16 - depth).
constexpr SampleLayout high_bits(int depth) { return {2, depth, 16 - depth}; }

// One plane of pixels of 3 or 4 samples; r, g, b, fill are sample indices within a pixel.
FrameLayout packed_rgb(int r, int g, int b, int fill, int samples, SampleLayout s = kByte) {
  const int bpp = samples * s.bytes;
  FrameLayout l{};
  l.yuv = false;
  l.planes = 1;
  l.component[0] = {0, r * s.bytes, bpp, 0, 0};
  l.component[1] = {0, g * s.bytes, bpp, 0, 0};
  l.component[2] = {0, b * s.bytes, bpp, 0, 0};
  l.plane[0] = {0, 0, bpp};
  l.sample = s;
  l.fill_offset = fill < 0 ? -1 : fill * s.bytes;
  return l;
}

// Three planes Y, U, V (in the order given by u_plane/v_plane), chroma subsampled by sx, sy.
FrameLayout planar_yuv(int u_plane, int v_plane, int sx, int sy, SampleLayout s = kByte) {
  FrameLayout l{};
  l.yuv = true;
  l.planes = 3;
  l.component[0] = {0, 0, s.bytes, 0, 0};
  l.component[1] = {u_plane, 0, s.bytes, sx, sy};
  l.component[2] = {v_plane, 0, s.bytes, sx, sy};
  l.plane[0] = {0, 0, s.bytes};
  l.plane[1] = l.plane[2] = {sx, sy, s.bytes};
  l.sample = s;
  l.fill_offset = -1;
  return l;
}

// Y plane, then one plane of interleaved chroma pairs (NV12, P010: U first; NV21: V first), 4:2:0;
// u_index, v_index are sample indices within a pair.
FrameLayout semi_planar_yuv(int u_index, int v_index, SampleLayout s = kByte) {
  FrameLayout l{};
  l.yuv = true;
  l.planes = 2;
  l.component[0] = {0, 0, s.bytes, 0, 0};
  l.component[1] = {1, u_index * s.bytes, 2 * s.bytes, 1, 1};
  l.component[2] = {1, v_index * s.bytes, 2 * s.bytes, 1, 1};
  l.plane[0] = {0, 0, s.bytes};
  l.plane[1] = {1, 1, 2 * s.bytes};
  l.sample = s;
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
  l.sample = kByte;
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
    case PixelFormat::I420_10LE:
      return planar_yuv(1, 2, 1, 1, low_bits(10));
    case PixelFormat::I420_12LE:
      return planar_yuv(1, 2, 1, 1, low_bits(12));
    case PixelFormat::I422_10LE:
      return planar_yuv(1, 2, 1, 0, low_bits(10));
    case PixelFormat::I422_12LE:
      return planar_yuv(1, 2, 1, 0, low_bits(12));
    case PixelFormat::Y444_10LE:
      return planar_yuv(1, 2, 0, 0, low_bits(10));
    case PixelFormat::Y444_12LE:
      return planar_yuv(1, 2, 0, 0, low_bits(12));
    case PixelFormat::Y444_16LE:
      return planar_yuv(1, 2, 0, 0, low_bits(16));
    case PixelFormat::P010_10LE:
      return semi_planar_yuv(0, 1, high_bits(10));
    case PixelFormat::P012_LE:
      return semi_planar_yuv(0, 1, high_bits(12));
    case PixelFormat::P016_LE:
      return semi_planar_yuv(0, 1, high_bits(16));
    case PixelFormat::RGBA64_LE:
      return packed_rgb(0, 1, 2, 3, 4, low_bits(16));
    case PixelFormat::BGRA64_LE:
      return packed_rgb(2, 1, 0, 3, 4, low_bits(16));
    case PixelFormat::ARGB64_LE:
      return packed_rgb(1, 2, 3, 0, 4, low_bits(16));
    case PixelFormat::ABGR64_LE:
      return packed_rgb(3, 2, 1, 0, 4, low_bits(16));
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
int bit_depth(PixelFormat format) { return frame_layout(format).sample.depth; }

}  // namespace rife
