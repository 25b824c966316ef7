// What one stream of the engine does, whoever computes it: this process, with a model shared by the
// streams whose settings match (LocalStream, engine.cpp), or a server that keeps the stream's
// previous frame (RemoteStream, remote_stream.h). rife::Engine forwards every call to one of them,
// so the element never learns which. No torch type here.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife {

class StreamBackend {
 public:
  virtual ~StreamBackend() = default;
  virtual void configure(const FrameGeometry& geometry) = 0;
  virtual const FrameGeometry& geometry() const = 0;
  virtual FrameHandle prepare(const InputPlanes& planes) = 0;
  virtual void interpolate(const FrameHandle& a, const FrameHandle& b, const std::vector<float>& ts,
                           const std::vector<OutputPlanes>& outs, Ensemble ensemble) = 0;
  virtual PairDifference compare(const FrameHandle& a, const FrameHandle& b) const = 0;
  virtual void render(const FrameHandle& frame, const OutputPlanes& out) = 0;
  virtual void read_rgb(const FrameHandle& frame, uint8_t* rgb, size_t stride) = 0;
  virtual std::string model_version() const = 0;
  virtual std::string device_name() const = 0;
  virtual size_t ignored_tensors() const = 0;
  virtual uint64_t encoder_runs() const = 0;
  virtual Precision precision() const = 0;
  virtual double scale() const = 0;
  virtual int padded_width() const = 0;
  virtual int padded_height() const = 0;
  virtual std::string optimisations() const = 0;
  virtual int model_users() const = 0;
  virtual BatchStats batch_stats() const = 0;
  virtual void set_batch_wait_us(uint32_t us) = 0;
  virtual void set_batch_group(uint64_t group, int streams) = 0;
  virtual size_t batch_memory() const = 0;
  virtual size_t timesteps_per_batch(Ensemble ensemble) const = 0;
  virtual bool remote() const { return false; }
  virtual void set_request_timeout_ms(uint32_t) {}
};

}  // namespace rife
