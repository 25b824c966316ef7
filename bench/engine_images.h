// Pictures through the engine: one frame between two packed-RGB pictures, what the tools and the
// quality tests do with real frames.
#pragma once

#include "image_io.h"
#include "rife_engine.h"

namespace rife_io {

// The frame at `t` between `a` and `b` (same size), after configuring `engine` for that size.
Image interpolate(rife::Engine& engine, const Image& a, const Image& b, float t,
                  rife::Ensemble ensemble = rife::Ensemble::None);

}  // namespace rife_io
