// The C++ engine's frames for a sequence of raw packed input frames, written to a file: the reference
// the Python module's output is compared with (test_python_module.py). Each input after the first is
// interpolated against the one before it at the timesteps given; the outputs of every pair follow one
// another in OUT, and each pair's scene-cut difference is printed, one per line.
//
//   engine_frames MODEL FORMAT WIDTH HEIGHT MATRIX FULL_RANGE SCALE ENSEMBLE IN OUT t1 [t2 ...]
//
// IN holds N packed frames (planes one after the other, rows unpadded); planes are handed to the
// engine with their own pointers and strides, worked out here from the format's layout.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>
#include <vector>

#include "frame_layout.h"
#include "pixel_format_names.h"
#include "rife_engine.h"

namespace {

struct Planes {
  std::vector<size_t> offset, row_bytes;
  size_t frame_bytes = 0;
};

Planes planes_of(const rife::FrameGeometry& g) {
  const rife::FrameLayout layout = rife::frame_layout(g.format);
  Planes p;
  for (int i = 0; i < layout.planes; ++i) {
    p.offset.push_back(p.frame_bytes);
    p.row_bytes.push_back(size_t(layout.plane_row_bytes(i, g.width)));
    p.frame_bytes += size_t(layout.plane_rows(i, g.height) * layout.plane_row_bytes(i, g.width));
  }
  return p;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 12) {
    std::cerr << "usage: engine_frames MODEL FORMAT WIDTH HEIGHT MATRIX FULL_RANGE SCALE ENSEMBLE IN OUT t1 [t2 ...]\n";
    return 2;
  }
  try {
    rife::EngineOptions options;
    options.model_path = argv[1];
    options.device = "cpu";
    options.scale = std::atof(argv[7]);
    rife::FrameGeometry g;
    g.format = rife::parse_pixel_format(argv[2]);
    g.width = std::atoi(argv[3]);
    g.height = std::atoi(argv[4]);
    g.matrix = rife::YuvMatrix(std::atoi(argv[5]));
    g.full_range = std::atoi(argv[6]) != 0;
    const rife::Ensemble ensemble = rife::parse_ensemble(argv[8]);
    std::vector<float> ts;
    for (int i = 11; i < argc; ++i) ts.push_back(float(std::atof(argv[i])));

    std::ifstream in(argv[9], std::ios::binary);
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const Planes planes = planes_of(g);
    if (bytes.empty() || bytes.size() % planes.frame_bytes != 0) {
      std::cerr << argv[9] << ": " << bytes.size() << " bytes is not a whole number of " << planes.frame_bytes
                << "-byte frames\n";
      return 1;
    }
    rife::Engine engine(options);
    engine.configure(g);
    std::ofstream out(argv[10], std::ios::binary);
    rife::FrameHandle previous;
    for (size_t at = 0; at < bytes.size(); at += planes.frame_bytes) {
      rife::InputPlanes input;
      for (size_t p = 0; p < planes.offset.size(); ++p) {
        input.data[p] = bytes.data() + at + planes.offset[p];
        input.stride[p] = planes.row_bytes[p];
      }
      rife::FrameHandle frame = engine.prepare(input);
      if (previous) {
        std::vector<uint8_t> results(planes.frame_bytes * ts.size());
        std::vector<rife::OutputPlanes> outs(ts.size());
        for (size_t i = 0; i < ts.size(); ++i)
          for (size_t p = 0; p < planes.offset.size(); ++p) {
            outs[i].data[p] = results.data() + i * planes.frame_bytes + planes.offset[p];
            outs[i].stride[p] = planes.row_bytes[p];
          }
        engine.interpolate(previous, frame, ts, outs, ensemble);
        out.write(reinterpret_cast<const char*>(results.data()), std::streamsize(results.size()));
        const rife::PairDifference d = engine.compare(previous, frame);
        std::printf("%.9g %.9g %.9g\n", double(d.cut), double(d.still), double(d.changed));
      }
      previous = frame;
    }
    return out.good() ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "engine_frames: " << e.what() << "\n";
    return 1;
  }
}
