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
// The device's total memory in bytes (0 for the CPU).
uint64_t device_memory(const torch::Device& device);

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

// Orders work across two CUDA streams without waiting on the host: record() marks the point reached
// by the calling thread's current stream, block() makes the calling thread's current stream wait
// for it. Tensors made on one stream (a stream's prepared frames) and used on another (the batching
// worker's), and back (the batch's results), pass through one. Nothing happens on the CPU.
class StreamEvent {
 public:
  StreamEvent();
  ~StreamEvent();
  StreamEvent(StreamEvent&&) noexcept;
  StreamEvent& operator=(StreamEvent&&) noexcept;
  void record(const torch::Device& device);
  void block(const torch::Device& device) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Tells CUDA's caching allocator that `tensor` is used on the calling thread's current stream as
// well as on the stream that made it, so that its memory is not handed out again while work queued
// here may still read it. Nothing on the CPU.
void used_on_current_stream(const torch::Tensor& tensor);

}  // namespace rife
