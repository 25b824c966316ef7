// The `rife` Python module: the C++ engine (src/rife_engine.h) with numpy frames. No second RIFE:
// every computation is the engine's.
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstdlib>

#include "engine_binding.h"
#include "frame_arrays.h"
#include "install_location.h"
#include "pixel_format_names.h"
#include "run_together.h"

namespace py = pybind11;

namespace {

rife::FrameGeometry geometry_of(int width, int height, const std::string& format) {
  rife::FrameGeometry g;
  g.width = width;
  g.height = height;
  try {
    g.format = rife::parse_pixel_format(format);
  } catch (const rife::Error& e) {
    throw py::value_error(e.what());
  }
  if (width < 1 || height < 1)
    throw py::value_error("frame size " + std::to_string(width) + "x" + std::to_string(height));
  return g;
}

// $RIFE_MODEL_PATH, else the model that belongs with this copy of the module: the source tree's
// models/weights for the build tree's module, <prefix>/<datadir>/gst-rife for an installed one.
std::string default_model_path() {
  if (const char* path = std::getenv("RIFE_MODEL_PATH"); path && *path) return path;
  const py::object os_path = py::module_::import("os.path");
  const std::string folder =
      os_path.attr("dirname")(os_path.attr("realpath")(py::module_::import("rife").attr("__file__")))
          .cast<std::string>();
  return folder == RIFE_PYTHON_BUILD_DIR ? rife::default_model_location() : RIFE_INSTALLED_MODEL_PATH;
}

}  // namespace

PYBIND11_MODULE(rife, m) {
  m.doc() = "RIFE frame interpolation: the gst-rife C++ engine with numpy frames";
  // Leaked on purpose: rife.Error must outlive every object that may raise it, the interpreter's end included.
  auto* error = new py::exception<rife::Error>(m, "Error", PyExc_RuntimeError);
  rife_py::set_error_type(*error);
  py::register_exception_translator([](std::exception_ptr raised) {
    try {
      if (raised) std::rethrow_exception(raised);
    } catch (const rife::Error& e) {
      PyErr_SetString(rife_py::error_type().ptr(), e.what());
    }
  });

  rife_py::bind_engine(m);
  rife_py::bind_run_together(m);

  m.def(
      "formats",
      [] {
        std::vector<std::string> names;
        for (rife::PixelFormat f : rife::pixel_formats()) names.push_back(rife::to_string(f));
        return names;
      },
      "Every pixel format the engine takes, by its GStreamer name.");
  m.def(
      "frame_bytes",
      [](int w, int h, const std::string& format) { return rife_py::frame_bytes(geometry_of(w, h, format)); },
      py::arg("width"), py::arg("height"), py::arg("format"), "Bytes of a packed frame of this size and format.");
  m.def(
      "plane_shapes",
      [](int w, int h, const std::string& format) {
        py::list shapes;
        for (const auto& p : rife_py::plane_sizes(geometry_of(w, h, format)))
          shapes.append(py::make_tuple(p.rows, p.row_bytes));
        return shapes;
      },
      py::arg("width"), py::arg("height"), py::arg("format"), "(rows, row bytes) of each plane.");
  m.def(
      "planes",
      [](const py::array& frame, int w, int h, const std::string& format) {
        return rife_py::plane_views(geometry_of(w, h, format), frame);
      },
      py::arg("frame"), py::arg("width"), py::arg("height"), py::arg("format"),
      "Views of a packed frame's planes, each [rows, samples per row] (uint16 for 10-16-bit formats).");
  m.def(
      "auto_scale",
      [](int w, int h, const py::object& changed) {
        return changed.is_none() ? rife::auto_scale(w, h) : rife::auto_scale(w, h, changed.cast<float>());
      },
      py::arg("width"), py::arg("height"), py::arg("changed") = py::none(),
      "The flow scale scale=0 picks: by size, and with `changed` (compare()'s share of moving blocks) for "
      "that pair.");
  m.attr("SCENE_CUT_THRESHOLD") = rife::kSceneCutThreshold;
  m.attr("STILL_TOLERANCE") = rife::kStillTolerance;
  m.def("default_model_path", &default_model_path,
        "$RIFE_MODEL_PATH, else the default model (the source tree's for the build tree's module, the "
        "install's for an installed one).");
  m.def("models_loaded", &rife::Engine::models_loaded, "Models loaded in this process since it started.");
}
