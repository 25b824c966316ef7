// Where R, G, B (and a padding/alpha byte) sit in each packed pixel format.
#pragma once

#include "rife_engine.h"

namespace rife {

struct ChannelOffsets {
  int r, g, b;
  int extra;  // offset of the x/alpha byte, -1 when the format has none
  int bytes_per_pixel;
};

ChannelOffsets channel_offsets(PixelFormat format);

}  // namespace rife
