// Host <-> device copies of frame planes. On CUDA with pinned staging the bytes go through pinned
// host buffers made once per geometry and the copies are asynchronous on the engine's stream (an
// upload never waits for the device, a download waits only for its own copies); otherwise they are
// plain copies from and to the caller's (pageable) memory.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "device.h"
#include "rife_engine.h"

namespace rife {

struct PlaneShape {
  int64_t rows, bytes;  // a plane's rows and the bytes of one row that carry samples
};

class PlaneTransfer {
 public:
  PlaneTransfer(torch::Device device, bool pinned);
  ~PlaneTransfer();

  // Allocates the staging and device buffers for planes of these shapes.
  void configure(const std::vector<PlaneShape>& planes);
  bool pinned() const { return pinned_; }

  // The planes of one frame as device tensors uint8 [rows, bytes]. With pinned staging they are
  // buffers reused by the next upload, so use them before uploading again (on the same stream).
  std::vector<torch::Tensor> upload(const InputPlanes& in);

  // Writes each output's device planes into its host planes; returns once every byte is there.
  void download(const std::vector<std::vector<torch::Tensor>>& planes, const std::vector<OutputPlanes>& outs,
                const DeviceStream& stream);

 private:
  struct Impl;
  const torch::Device device_;
  const bool pinned_;
  std::vector<PlaneShape> shapes_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rife
