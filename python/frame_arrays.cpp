#include "frame_arrays.h"

#include "frame_layout.h"
#include "pixel_format_names.h"

namespace rife_py {

std::vector<PlaneSize> plane_sizes(const rife::FrameGeometry& g) {
  const rife::FrameLayout layout = rife::frame_layout(g.format);
  std::vector<PlaneSize> sizes;
  for (int p = 0; p < layout.planes; ++p)
    sizes.push_back({layout.plane_rows(p, g.height), layout.plane_row_bytes(p, g.width)});
  return sizes;
}

size_t frame_bytes(const rife::FrameGeometry& g) {
  size_t bytes = 0;
  for (const PlaneSize& p : plane_sizes(g)) bytes += size_t(p.rows * p.row_bytes);
  return bytes;
}

int sample_bytes(rife::PixelFormat format) { return rife::frame_layout(format).sample.bytes; }

std::string describe(const rife::FrameGeometry& g) {
  std::string planes;
  for (const PlaneSize& p : plane_sizes(g))
    planes += (planes.empty() ? "" : " + ") + std::to_string(p.row_bytes) + "x" + std::to_string(p.rows);
  return std::to_string(g.width) + "x" + std::to_string(g.height) + " " + rife::to_string(g.format) + " (" +
         std::to_string(frame_bytes(g)) + " bytes: planes of " + planes + " row bytes x rows)";
}

namespace {

py::array as_array(const py::handle& object, const std::string& what) {
  if (py::isinstance<py::array>(object)) return py::reinterpret_borrow<py::array>(object);
  if (PyObject_CheckBuffer(object.ptr())) return py::module_::import("numpy").attr("frombuffer")(object, "uint8");
  throw py::value_error(what + " is a " + std::string(py::str(py::type::of(object).attr("__name__"))) +
                        ", not a numpy array or bytes");
}

// uint8 always; uint16 (native little-endian) for formats whose samples are 16-bit words.
void check_dtype(const py::array& a, const rife::FrameGeometry& g, const std::string& what) {
  const py::dtype d = a.dtype();
  const bool u8 = d.kind() == 'u' && d.itemsize() == 1;
  const bool u16 = d.kind() == 'u' && d.itemsize() == 2 && d.attr("byteorder").cast<std::string>() != ">";
  if (u8 || (u16 && sample_bytes(g.format) == 2)) return;
  throw py::value_error(what + " has dtype " + py::str(static_cast<const py::handle&>(d)).cast<std::string>() + "; " +
                        rife::to_string(g.format) + " frames take uint8" +
                        (sample_bytes(g.format) == 2 ? " or uint16" : ""));
}

// One plane's pointer and row stride from its array.
void take_plane(const py::array& a, const PlaneSize& size, int p, const rife::FrameGeometry& g, InputFrame& frame) {
  const std::string what = "plane " + std::to_string(p);
  check_dtype(a, g, what);
  const int64_t plane_bytes = size.rows * size.row_bytes;
  if (a.ndim() <= 1) {
    if (!(a.flags() & py::array::c_style) || int64_t(a.nbytes()) != plane_bytes)
      throw py::value_error(what + " has " + std::to_string(a.nbytes()) + " bytes" +
                            ((a.flags() & py::array::c_style) ? "" : " (not contiguous)") + "; it must have " +
                            std::to_string(plane_bytes) + " (" + std::to_string(size.rows) + " rows of " +
                            std::to_string(size.row_bytes) + ") for a " + describe(g));
    frame.planes.data[p] = static_cast<const uint8_t*>(a.data());
    frame.planes.stride[p] = size_t(size.row_bytes);
    return;
  }
  // Rows first; what follows the row index must be one contiguous row of exactly row_bytes.
  int64_t inner = a.itemsize();
  for (py::ssize_t d = a.ndim() - 1; d >= 1; --d) {
    if (a.strides(d) != inner)
      throw py::value_error(what + ": the samples of a row must be contiguous (pass np.ascontiguousarray of each row)");
    inner *= a.shape(d);
  }
  if (a.shape(0) != size.rows || inner != size.row_bytes || a.strides(0) < size.row_bytes)
    throw py::value_error(what + " has " + std::to_string(a.shape(0)) + " rows of " + std::to_string(inner) +
                          " bytes (row stride " + std::to_string(a.strides(0)) + "); it must have " +
                          std::to_string(size.rows) + " rows of " + std::to_string(size.row_bytes) + " bytes for a " +
                          describe(g));
  frame.planes.data[p] = static_cast<const uint8_t*>(a.data());
  frame.planes.stride[p] = size_t(a.strides(0));
}

}  // namespace

InputFrame input_frame(const rife::FrameGeometry& g, const py::handle& object) {
  InputFrame frame;
  const std::vector<PlaneSize> sizes = plane_sizes(g);
  if (py::isinstance<py::list>(object) || py::isinstance<py::tuple>(object)) {
    const py::sequence list = py::reinterpret_borrow<py::sequence>(object);
    if (list.size() != sizes.size())
      throw py::value_error("a list of " + std::to_string(list.size()) + " planes; " + rife::to_string(g.format) +
                            " frames have " + std::to_string(sizes.size()));
    for (size_t p = 0; p < sizes.size(); ++p) {
      frame.arrays.push_back(as_array(list[p], "plane " + std::to_string(p)));
      take_plane(frame.arrays.back(), sizes[p], int(p), g, frame);
    }
    return frame;
  }
  frame.arrays.push_back(as_array(object, "the frame"));
  const py::array& a = frame.arrays.back();
  check_dtype(a, g, "the frame");
  if (!(a.flags() & py::array::c_style))
    throw py::value_error("the frame is not C-contiguous: pass np.ascontiguousarray(frame), or a list of planes");
  if (a.nbytes() != py::ssize_t(frame_bytes(g)))
    throw py::value_error("the frame has " + std::to_string(a.nbytes()) + " bytes; a " + describe(g));
  const uint8_t* at = static_cast<const uint8_t*>(a.data());
  for (size_t p = 0; p < sizes.size(); ++p) {
    frame.planes.data[p] = at;
    frame.planes.stride[p] = size_t(sizes[p].row_bytes);
    at += sizes[p].rows * sizes[p].row_bytes;
  }
  return frame;
}

py::array new_packed_frame(const rife::FrameGeometry& g) {
  const int bytes = sample_bytes(g.format);
  const py::ssize_t count = py::ssize_t(frame_bytes(g) / size_t(bytes));
  return py::array(py::dtype(bytes == 1 ? "uint8" : "<u2"), std::vector<py::ssize_t>{count});
}

rife::OutputPlanes output_planes(const rife::FrameGeometry& g, py::array& packed) {
  rife::OutputPlanes out;
  uint8_t* at = static_cast<uint8_t*>(packed.mutable_data());
  const std::vector<PlaneSize> sizes = plane_sizes(g);
  for (size_t p = 0; p < sizes.size(); ++p) {
    out.data[p] = at;
    out.stride[p] = size_t(sizes[p].row_bytes);
    at += sizes[p].rows * sizes[p].row_bytes;
  }
  return out;
}

py::list plane_views(const rife::FrameGeometry& g, const py::array& packed) {
  if (!(packed.flags() & py::array::c_style) || packed.nbytes() != py::ssize_t(frame_bytes(g)))
    throw py::value_error("planes(): the array has " + std::to_string(packed.nbytes()) + " bytes; a " + describe(g));
  const int bytes = sample_bytes(g.format);
  const py::dtype dtype(bytes == 1 ? "uint8" : "<u2");
  py::list views;
  py::ssize_t offset = 0;
  for (const PlaneSize& p : plane_sizes(g)) {
    const py::ssize_t n = py::ssize_t(p.rows * p.row_bytes);
    // A view of the caller's bytes, reinterpreted as the format's samples, that keeps `packed` alive.
    py::array flat = packed.attr("reshape")(-1).attr("view")("uint8")[py::slice(offset, offset + n, 1)];
    views.append(flat.attr("view")(dtype).attr("reshape")(p.rows, p.row_bytes / bytes));
    offset += n;
  }
  return views;
}

}  // namespace rife_py
