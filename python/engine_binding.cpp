#include "engine_binding.h"

#include <pybind11/stl.h>

#include <atomic>
#include <cmath>

#include "frame_arrays.h"
#include "pixel_format_names.h"

namespace rife_py {

namespace {

std::atomic<uint64_t> next_engine_id{1};
PyObject* rife_error_type = nullptr;

rife::YuvMatrix matrix_of(const py::handle& value) {
  static const char* names[] = {"bt601", "bt709", "bt2020", "smpte240m"};
  if (py::isinstance<py::int_>(value)) {
    const int i = value.cast<int>();
    if (i >= 0 && i < 4) return rife::YuvMatrix(i);
  } else if (py::isinstance<py::str>(value)) {
    const std::string name = value.cast<std::string>();
    for (int i = 0; i < 4; ++i)
      if (name == names[i]) return rife::YuvMatrix(i);
  }
  throw py::value_error("unknown matrix " + std::string(py::repr(value)) +
                        ": expected bt601, bt709, bt2020, smpte240m or 0..3");
}

const char* matrix_name(rife::YuvMatrix m) {
  static const char* names[] = {"bt601", "bt709", "bt2020", "smpte240m"};
  return names[int(m)];
}

rife::PixelFormat format_of(const std::string& name) {
  try {
    return rife::parse_pixel_format(name);
  } catch (const rife::Error& e) {
    throw py::value_error(e.what());
  }
}

rife::Switch switch_of(const std::string& name) {
  if (name == "auto") return rife::Switch::Auto;
  if (name == "on") return rife::Switch::On;
  if (name == "off") return rife::Switch::Off;
  throw py::value_error("channels_last must be auto, on or off, not '" + name + "'");
}

py::dict geometry_dict(const rife::FrameGeometry& g) {
  py::dict d;
  d["width"] = g.width;
  d["height"] = g.height;
  d["format"] = rife::to_string(g.format);
  d["matrix"] = matrix_name(g.matrix);
  d["full_range"] = g.full_range;
  return d;
}

rife::EngineOptions options_of(const std::string& model_path, const std::string& model_version,
                               const std::string& device, const std::string& precision, double scale, bool share_model,
                               uint32_t batch_wait_us, size_t batch_memory, bool cache_features, bool tf32,
                               bool cudnn_benchmark, const std::string& channels_last, bool fp32_warp, bool cuda_graphs,
                               bool pinned_staging) {
  rife::EngineOptions o;
  o.model_path = model_path;
  try {
    o.model_version = rife::parse_model_version(model_version);
    o.precision = rife::parse_precision(precision);
  } catch (const rife::Error& e) {
    throw py::value_error(e.what());
  }
  if (!rife::valid_scale(scale))
    throw py::value_error("scale " + py::repr(py::float_(scale)).cast<std::string>() +
                          " is not one of 0 (auto), 0.25, 0.5, 1, 2, 4");
  o.device = device;
  o.scale = scale;
  o.share_model = share_model;
  o.batch_wait_us = batch_wait_us;
  o.batch_memory = batch_memory;
  o.cache_features = cache_features;
  o.tf32 = tf32;
  o.cudnn_benchmark = cudnn_benchmark;
  o.channels_last = switch_of(channels_last);
  o.fp32_warp = fp32_warp;
  o.cuda_graphs = cuda_graphs;
  o.pinned_staging = pinned_staging;
  return o;
}

Frame prepare(Engine& self, const py::handle& frame_object) {
  const rife::FrameGeometry geometry = self.configured();
  InputFrame input = input_frame(geometry, frame_object);
  Frame frame;
  frame.engine_id = self.id();
  frame.geometry = geometry;
  py::gil_scoped_release unlocked;
  std::lock_guard<std::mutex> lock(self.mutex());
  frame.handle = self.engine().prepare(input.planes);
  return frame;
}

py::list interpolate(Engine& self, const Frame& a, const Frame& b, const py::handle& timesteps,
                     const py::handle& ensemble) {
  check_own(self, a, "interpolate(a)");
  check_own(self, b, "interpolate(b)");
  const std::vector<float> ts = timesteps_of(timesteps);
  const rife::Ensemble mode = ensemble_of(ensemble);
  py::list frames;
  if (ts.empty()) return frames;
  std::vector<py::array> arrays;
  std::vector<rife::OutputPlanes> outs;
  for (size_t i = 0; i < ts.size(); ++i) {
    arrays.push_back(new_packed_frame(a.geometry));
    outs.push_back(output_planes(a.geometry, arrays.back()));
  }
  {
    py::gil_scoped_release unlocked;
    std::lock_guard<std::mutex> lock(self.mutex());
    self.engine().interpolate(a.handle, b.handle, ts, outs, mode);
  }
  for (auto& array : arrays) frames.append(array);
  return frames;
}

}  // namespace

Engine::Engine(const rife::EngineOptions& options) : id_(next_engine_id++), requested_scale_(options.scale) {
  py::gil_scoped_release unlocked;  // loading a model takes seconds
  engine_ = std::make_unique<rife::Engine>(options);
}

double Engine::pair_scale(const rife::FrameHandle& a, const rife::FrameHandle& b) const {
  if (requested_scale_ > 0) return requested_scale_;
  const rife::FrameGeometry& g = engine_->geometry();
  return rife::auto_scale(g.width, g.height, engine_->compare(a, b).changed);
}

const rife::FrameGeometry& Engine::configured() const {
  if (!configured_)
    throw py::value_error("the engine has no geometry yet: call configure(width, height, format) first");
  return engine_->geometry();
}

void Engine::configure(const rife::FrameGeometry& geometry) {
  py::gil_scoped_release unlocked;
  std::lock_guard<std::mutex> lock(mutex_);
  configured_ = false;  // a failed configure leaves the engine unconfigured
  engine_->configure(geometry);
  configured_ = true;
}

bool same_geometry(const rife::FrameGeometry& a, const rife::FrameGeometry& b) {
  return a.width == b.width && a.height == b.height && a.format == b.format && a.matrix == b.matrix &&
         a.full_range == b.full_range;
}

void check_own(const Engine& engine, const Frame& frame, const char* what) {
  if (frame.engine_id != engine.id()) throw py::value_error(std::string(what) + ": a frame prepared by another Engine");
  if (!same_geometry(frame.geometry, engine.configured()))
    throw py::value_error(std::string(what) + ": a frame prepared as " + describe(frame.geometry) +
                          ", the engine is now configured for " + describe(engine.configured()));
}

rife::Ensemble ensemble_of(const py::handle& value) {
  if (py::isinstance<py::int_>(value)) {
    const int i = value.cast<int>();
    if (i >= 0 && i <= 2) return rife::Ensemble(i);
  } else if (py::isinstance<py::str>(value)) {
    try {
      return rife::parse_ensemble(value.cast<std::string>());
    } catch (const rife::Error& e) {
      throw py::value_error(e.what());
    }
  }
  throw py::value_error("unknown ensemble " + std::string(py::repr(value)) +
                        ": expected none, time, time+flip or 0..2");
}

std::vector<float> timesteps_of(const py::handle& value) {
  const auto refuse = [&] {
    return py::value_error("timesteps must be a sequence of numbers, not " + std::string(py::repr(value)));
  };
  if (py::isinstance<py::str>(value) || py::isinstance<py::bytes>(value) || !py::hasattr(value, "__iter__"))
    throw refuse();
  std::vector<float> ts;
  for (const py::handle item : py::iter(value)) {
    if (!PyNumber_Check(item.ptr())) throw refuse();
    const double t = item.cast<double>();
    if (!(t >= 0.0 && t <= 1.0))
      throw py::value_error("timestep " + std::string(py::repr(item)) + " is outside [0, 1]");
    ts.push_back(float(t));
  }
  return ts;
}

py::handle error_type() { return rife_error_type; }
void set_error_type(py::handle type) { rife_error_type = type.inc_ref().ptr(); }  // kept for the process's life

void bind_engine(py::module_& m) {
  py::class_<Frame>(m, "Frame",
                    "A frame prepared by an Engine (on its device, with its features): "
                    "pass it to interpolate() and difference().")
      .def_property_readonly("width", [](const Frame& f) { return f.geometry.width; })
      .def_property_readonly("height", [](const Frame& f) { return f.geometry.height; })
      .def_property_readonly("format", [](const Frame& f) { return rife::to_string(f.geometry.format); })
      .def("__repr__", [](const Frame& f) { return "<rife.Frame " + describe(f.geometry) + ">"; });

  py::class_<Engine>(m, "Engine",
                     "One stream of the RIFE engine. Engines whose model settings match share "
                     "one loaded model and its batching worker.")
      .def(py::init([](const py::object& model_path, const std::string& model_version, const std::string& device,
                       const std::string& precision, double scale, bool share_model, uint32_t batch_wait_us,
                       size_t batch_memory, bool cache_features, bool tf32, bool cudnn_benchmark,
                       const std::string& channels_last, bool fp32_warp, bool cuda_graphs, bool pinned_staging) {
             const std::string path = py::module_::import("os").attr("fspath")(model_path).cast<std::string>();
             return std::make_unique<Engine>(options_of(
                 path, model_version, device, precision, scale, share_model, batch_wait_us, batch_memory,
                 cache_features, tf32, cudnn_benchmark, channels_last, fp32_warp, cuda_graphs, pinned_staging));
           }),
           py::arg("model_path"), py::kw_only(), py::arg("model_version") = "auto", py::arg("device") = "auto",
           py::arg("precision") = "auto", py::arg("scale") = 0.0, py::arg("share_model") = true,
           py::arg("batch_wait_us") = 0, py::arg("batch_memory") = 0, py::arg("cache_features") = true,
           py::arg("tf32") = true, py::arg("cudnn_benchmark") = true, py::arg("channels_last") = "auto",
           py::arg("fp32_warp") = false, py::arg("cuda_graphs") = true, py::arg("pinned_staging") = true)
      .def(
          "configure",
          [](Engine& self, int width, int height, const std::string& format, const py::handle& matrix,
             bool full_range) {
            rife::FrameGeometry g;
            g.width = width;
            g.height = height;
            g.format = format_of(format);
            g.matrix = matrix_of(matrix);
            g.full_range = full_range;
            self.configure(g);
          },
          py::arg("width"), py::arg("height"), py::arg("format") = "RGB", py::arg("matrix") = "bt709",
          py::arg("full_range") = false)
      .def_property_readonly("geometry", [](const Engine& self) { return geometry_dict(self.configured()); })
      .def_property_readonly("frame_bytes", [](const Engine& self) { return frame_bytes(self.configured()); })
      .def("prepare", &prepare, py::arg("frame"),
           "Uploads and prepares one frame: one array of the packed planes, or a list of one array per plane.")
      .def("interpolate", &interpolate, py::arg("a"), py::arg("b"), py::arg("timesteps"), py::arg("ensemble") = "none",
           "The frames at each timestep in [0, 1] between a (t = 0) and b (t = 1), in one batch, as packed "
           "arrays in the configured format (uint8, or uint16 for 10-16-bit formats).")
      .def(
          "difference",
          [](Engine& self, const Frame& a, const Frame& b) {
            check_own(self, a, "difference(a)");
            check_own(self, b, "difference(b)");
            py::gil_scoped_release unlocked;
            std::lock_guard<std::mutex> lock(self.mutex());
            return self.engine().difference(a.handle, b.handle);
          },
          py::arg("a"), py::arg("b"), "The scene-cut score of two frames, in [0, 1] (compare(a, b)['cut']).")
      .def(
          "compare",
          [](Engine& self, const Frame& a, const Frame& b) {
            check_own(self, a, "compare(a)");
            check_own(self, b, "compare(b)");
            rife::PairDifference d;
            double scale = 0;
            {
              py::gil_scoped_release unlocked;
              std::lock_guard<std::mutex> lock(self.mutex());
              d = self.engine().compare(a.handle, b.handle);
              scale = self.pair_scale(a.handle, b.handle);
            }
            py::dict r;
            r["cut"] = d.cut;
            r["still"] = d.still;
            r["changed"] = d.changed;
            r["is_cut"] = d.cut > rife::kSceneCutThreshold;
            r["is_still"] = d.is_still();
            r["scale"] = scale;
            return r;
          },
          py::arg("a"), py::arg("b"),
          "How two frames differ, as the element decides by it: cut (scene-cut score, a new shot above "
          "SCENE_CUT_THRESHOLD), still (the largest block difference in 8-bit levels; at most "
          "STILL_TOLERANCE: the same picture), changed (the share of moving blocks), is_cut, is_still, and "
          "scale (the flow scale interpolate(a, b) runs the pair at).")
      .def(
          "render",
          [](Engine& self, const Frame& frame) {
            check_own(self, frame, "render");
            py::array packed = new_packed_frame(frame.geometry);
            rife::OutputPlanes out = output_planes(frame.geometry, packed);
            py::gil_scoped_release unlocked;
            std::lock_guard<std::mutex> lock(self.mutex());
            self.engine().render(frame.handle, out);
            return packed;
          },
          py::arg("frame"), "A prepared frame written back in the configured format (the conversion round trip).")
      .def(
          "read_rgb",
          [](Engine& self, const Frame& frame) {
            check_own(self, frame, "read_rgb");
            py::array rgb(py::dtype("uint8"), std::vector<py::ssize_t>{frame.geometry.height, frame.geometry.width, 3});
            uint8_t* data = static_cast<uint8_t*>(rgb.mutable_data());
            py::gil_scoped_release unlocked;
            std::lock_guard<std::mutex> lock(self.mutex());
            self.engine().read_rgb(frame.handle, data, size_t(3 * frame.geometry.width));
            return rgb;
          },
          py::arg("frame"), "The frame as the network sees it: [height, width, 3] uint8 RGB.")
      .def(
          "planes", [](const Engine& self, const py::array& packed) { return plane_views(self.configured(), packed); },
          py::arg("frame"), "Views of a packed frame's planes, each [rows, samples per row].")
      .def(
          "timesteps_per_batch",
          [](const Engine& self, const py::handle& ensemble) {
            return self.engine().timesteps_per_batch(ensemble_of(ensemble));
          },
          py::arg("ensemble") = "none")
      .def(
          "set_batch_wait_us", [](Engine& self, uint32_t us) { self.engine().set_batch_wait_us(us); }, py::arg("us"))
      .def_property_readonly("model_version", [](const Engine& self) { return self.engine().model_version(); })
      .def_property_readonly("device", [](const Engine& self) { return self.engine().device_name(); })
      .def_property_readonly("precision",
                             [](const Engine& self) { return std::string(rife::to_string(self.engine().precision())); })
      .def_property_readonly("scale", [](const Engine& self) { return self.engine().scale(); })
      .def_property_readonly("padded_size",
                             [](const Engine& self) {
                               return py::make_tuple(self.engine().padded_width(), self.engine().padded_height());
                             })
      .def_property_readonly("model_users", [](const Engine& self) { return self.engine().model_users(); })
      .def_property_readonly("ignored_tensors", [](const Engine& self) { return self.engine().ignored_tensors(); })
      .def_property_readonly("encoder_runs", [](const Engine& self) { return self.engine().encoder_runs(); })
      .def_property_readonly("batch_stats",
                             [](const Engine& self) {
                               const rife::BatchStats s = self.engine().batch_stats();
                               py::dict d;
                               d["batches"] = s.batches;
                               d["rows"] = s.rows;
                               d["streams"] = s.streams;
                               d["cross_stream"] = s.cross_stream;
                               return d;
                             })
      .def("__repr__", [](const Engine& self) {
        return "<rife.Engine " + self.engine().model_version() + " on " + self.engine().device_name() + ">";
      });
}

}  // namespace rife_py
