// Where each pixel format keeps its three colour components (R, G, B or Y, U, V): in which plane,
// at which byte offset, every how many bytes, how subsampled, and how each sample is stored (1 or
// 2 bytes, how many bits, at which bit position). One table drives both the upload (planes ->
// components) and the download (components -> planes) for every format and depth.
#pragma once

#include <cstdint>

#include "rife_engine.h"

namespace rife {

struct ComponentLayout {
  int plane;         // 0..2
  int offset;        // byte offset of the first sample in a row of that plane (its low byte for 16-bit words)
  int pixel_stride;  // bytes from one sample to the next
  int sub_x, sub_y;  // log2 subsampling: 1 = every second pixel/row carries a sample
};

struct PlaneLayout {
  int sub_x, sub_y;     // log2 subsampling of the plane's rows and columns
  int bytes_per_group;  // bytes per (1 << sub_x) pixels of a row
};

// How one sample is stored: a byte (depth 8), or a 16-bit little-endian word whose bits
// [shift, shift + depth) carry the sample (I420_10LE: shift 0; P010: shift 6, the low 6 bits 0).
struct SampleLayout {
  int bytes;  // 1 or 2
  int depth;  // 8, 10, 12 or 16
  int shift;  // bit position of the sample's lowest bit in its word

  int max_code() const { return (1 << depth) - 1; }
};

struct FrameLayout {
  bool yuv;
  int planes;                    // 1..3
  ComponentLayout component[3];  // R, G, B (RGB formats) or Y, U, V
  PlaneLayout plane[3];
  SampleLayout sample;  // the same for every component of a format
  // Packed 4-sample RGB: the first byte of the x/alpha sample (written as all ones: 255 or 65535);
  // -1 otherwise
  int fill_offset;

  int64_t plane_rows(int p, int64_t height) const { return (height + (1 << plane[p].sub_y) - 1) >> plane[p].sub_y; }
  int64_t plane_row_bytes(int p, int64_t width) const {
    return ((width + (1 << plane[p].sub_x) - 1) >> plane[p].sub_x) * plane[p].bytes_per_group;
  }
  int64_t component_rows(int c, int64_t height) const {
    return (height + (1 << component[c].sub_y) - 1) >> component[c].sub_y;
  }
  int64_t component_cols(int c, int64_t width) const {
    return (width + (1 << component[c].sub_x) - 1) >> component[c].sub_x;
  }
};

FrameLayout frame_layout(PixelFormat format);

}  // namespace rife
