#include "engine_images.h"

namespace rife_io {

Image interpolate(rife::Engine& engine, const Image& a, const Image& b, float t, rife::Ensemble ensemble) {
  engine.configure({a.width, a.height, rife::PixelFormat::RGB});
  const size_t stride = size_t(a.width) * 3;
  Image out = a;
  engine.interpolate(engine.prepare(a.rgb.data(), stride), engine.prepare(b.rgb.data(), stride), {t},
                     {rife::OutputPlanes{{out.rgb.data()}, {stride}}}, ensemble);
  return out;
}

}  // namespace rife_io
