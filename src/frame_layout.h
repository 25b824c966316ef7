// Where each pixel format keeps its three colour components (R, G, B or Y, U, V): in which plane,
// at which byte offset, every how many bytes, and how subsampled. One table drives both the
// upload (planes -> components) and the download (components -> planes) for every format.
#pragma once

#include <cstdint>

#include "rife_engine.h"

namespace rife {

struct ComponentLayout {
  int plane;         // 0..2
  int offset;        // byte offset of the first sample in a row of that plane
  int pixel_stride;  // bytes from one sample to the next
  int sub_x, sub_y;  // log2 subsampling: 1 = every second pixel/row carries a sample
};

struct PlaneLayout {
  int sub_x, sub_y;     // log2 subsampling of the plane's rows and columns
  int bytes_per_group;  // bytes per (1 << sub_x) pixels of a row
};

struct FrameLayout {
  bool yuv;
  int planes;                    // 1..3
  ComponentLayout component[3];  // R, G, B (RGB formats) or Y, U, V
  PlaneLayout plane[3];
  int fill_offset;  // packed 4-byte RGB: the x/alpha byte (written as 255); -1 otherwise

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
