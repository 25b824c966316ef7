// rife.Engine and rife.Frame: one stream of the C++ engine (rife_engine.h) as Python sees it. Every
// call that computes releases the GIL; a mutex per engine keeps two Python threads from using one
// engine at once (the C++ engine is one stream's).
#pragma once

#include <pybind11/pybind11.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife_py {

namespace py = pybind11;

class Engine {
 public:
  explicit Engine(const rife::EngineOptions& options);

  // The flow scale asked for (0: automatic, by size and per pair).
  double requested_scale() const { return requested_scale_; }
  // The flow scale interpolate(a, b) runs the pair at: the requested one, or the automatic choice
  // for the pair (compares a and b once; the result is kept with b).
  double pair_scale(const rife::FrameHandle& a, const rife::FrameHandle& b) const;

  rife::Engine& engine() { return *engine_; }
  const rife::Engine& engine() const { return *engine_; }
  std::mutex& mutex() { return mutex_; }
  uint64_t id() const { return id_; }
  // The geometry frames are prepared under; throws py::value_error before configure().
  const rife::FrameGeometry& configured() const;
  void configure(const rife::FrameGeometry& geometry);

 private:
  std::unique_ptr<rife::Engine> engine_;
  std::mutex mutex_;
  const uint64_t id_;
  const double requested_scale_;
  bool configured_ = false;
};

// A prepared frame, tied to the engine and the configuration that made it.
struct Frame {
  rife::FrameHandle handle;
  uint64_t engine_id = 0;
  rife::FrameGeometry geometry;
};

// Throws py::value_error when `frame` is not one of this engine's frames under its geometry.
void check_own(const Engine& engine, const Frame& frame, const char* what);
bool same_geometry(const rife::FrameGeometry& a, const rife::FrameGeometry& b);

rife::Ensemble ensemble_of(const py::handle& value);  // "none" | "time" | "time+flip" | 0..2
std::vector<float> timesteps_of(const py::handle& value);

// The exception type rife::Error becomes (rife.Error, a RuntimeError), set when the module loads.
py::handle error_type();
void set_error_type(py::handle type);

void bind_engine(py::module_& m);

}  // namespace rife_py
