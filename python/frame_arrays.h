// Frames as numpy arrays: the planes a FrameGeometry has, checked against what Python hands over,
// and the packed arrays the module hands back. A packed frame is its planes one after the other,
// each plane's rows without padding (row bytes = the plane's samples x bytes per sample): the bytes
// a KServe request carries, and what numpy's tobytes() gives for an unpadded frame.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife_py {

namespace py = pybind11;

struct PlaneSize {
  int64_t rows = 0;
  int64_t row_bytes = 0;
};
std::vector<PlaneSize> plane_sizes(const rife::FrameGeometry& geometry);
size_t frame_bytes(const rife::FrameGeometry& geometry);
int sample_bytes(rife::PixelFormat format);                 // 1, or 2 for 10-16-bit formats (little-endian words)
std::string describe(const rife::FrameGeometry& geometry);  // "64x48 I420 (planes 64x48 + 32x24 + 32x24 bytes)"

// Pointers into the arrays Python gave: valid while `arrays` holds them. Read without the GIL.
struct InputFrame {
  rife::InputPlanes planes;
  std::vector<py::array> arrays;
};
// `frame` is one array of the packed planes (uint8, or uint16 for 2-byte samples; any shape, C order),
// or a list of one array per plane: 1-D of exactly the plane's bytes, or 2-D/3-D with the plane's rows
// first, each row contiguous and exactly the plane's row bytes, rows any stride apart (a padded
// buffer sliced to its width). Bytes-like objects are read as uint8. Throws py::value_error naming
// the plane, the sizes and the geometry.
InputFrame input_frame(const rife::FrameGeometry& geometry, const py::handle& frame);

// A new packed frame (1-D, uint8 or little-endian uint16) and the engine's view of its planes.
py::array new_packed_frame(const rife::FrameGeometry& geometry);
rife::OutputPlanes output_planes(const rife::FrameGeometry& geometry, py::array& packed);
// Views of a packed frame's planes, each [rows, samples per row] of the frame's dtype.
py::list plane_views(const rife::FrameGeometry& geometry, const py::array& packed);

}  // namespace rife_py
