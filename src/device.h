// Device choice and the engine's own CUDA stream.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

#include "rife_engine.h"

namespace rife {

// "auto" -> cuda:0 when CUDA is usable, else cpu; "cpu"; "cuda" -> cuda:0; "cuda:N".
// Throws rife::Error when the device does not exist or this build has no CUDA.
torch::Device resolve_device(const std::string& name);

// Auto -> FP32 on the CPU, FP16 on CUDA. Throws for reduced precision on the CPU.
Precision resolve_precision(Precision requested, const torch::Device& device);
torch::ScalarType dtype_of(Precision precision);

// One dedicated stream per engine on CUDA (nothing on the CPU). While a Scope lives, torch work of
// the calling thread goes to that stream, so two engines never serialise on the default stream.
class DeviceStream {
 public:
  explicit DeviceStream(const torch::Device& device);
  ~DeviceStream();
  class Scope {
   public:
    explicit Scope(const DeviceStream& stream);
    ~Scope();

   private:
    std::shared_ptr<void> guard_;
  };
  // Waits for everything queued on this engine's stream (not the whole device).
  void synchronize() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rife
