#include "device.h"

#include <cstdlib>
#include <optional>

#ifdef RIFE_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#include <c10/cuda/CUDACachingAllocator.h>
#include <c10/cuda/CUDAGuard.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace rife {

torch::Device resolve_device(const std::string& name) {
  const bool cuda_usable = torch::cuda::is_available();
  if (name == "auto" || name.empty()) return cuda_usable ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  if (name == "cpu") return torch::Device(torch::kCPU);
  if (name == "cuda" || name.rfind("cuda:", 0) == 0) {
    int index = 0;
    if (name.size() > 5) {
      char* end = nullptr;
      const long v = std::strtol(name.c_str() + 5, &end, 10);
      if (*end != '\0' || v < 0 || v > 255)
        throw Error(ErrorKind::Device, "invalid device '" + name + "': expected cuda:N");
      index = int(v);
    }
#ifndef RIFE_HAVE_CUDA
    throw Error(ErrorKind::Device, "device '" + name + "' requested but this build has no CUDA support");
#endif
    if (!cuda_usable)
      throw Error(ErrorKind::Device, "device '" + name + "' requested but no CUDA device is usable here");
    if (index >= int(torch::cuda::device_count()))
      throw Error(ErrorKind::Device, "device '" + name + "' requested but only " +
                                         std::to_string(torch::cuda::device_count()) + " CUDA device(s) exist");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error(ErrorKind::Device, "invalid device '" + name + "': expected auto, cpu, cuda or cuda:N");
}

Precision resolve_precision(Precision requested, const torch::Device& device) {
  if (requested == Precision::Auto) return device.is_cuda() ? Precision::FP16 : Precision::FP32;
  if (!device.is_cuda() && requested != Precision::FP32)
    throw Error(ErrorKind::Setting,
                std::string("precision ") + to_string(requested) + " is supported on CUDA only; use fp32 on the CPU");
  return requested;
}

torch::ScalarType dtype_of(Precision precision) {
  switch (precision) {
    case Precision::FP16:
      return torch::kFloat16;
    case Precision::BF16:
      return torch::kBFloat16;
    default:
      return torch::kFloat32;
  }
}

uint64_t device_memory(const torch::Device& device) {
#ifdef RIFE_HAVE_CUDA
  if (device.is_cuda()) return uint64_t(at::cuda::getDeviceProperties(device.index())->totalGlobalMem);
#else
  (void)device;
#endif
  return 0;
}

struct DeviceStream::Impl {
#ifdef RIFE_HAVE_CUDA
  std::optional<c10::cuda::CUDAStream> stream;
#endif
};

DeviceStream::DeviceStream(const torch::Device& device) : impl_(std::make_unique<Impl>()) {
#ifdef RIFE_HAVE_CUDA
  if (device.is_cuda()) impl_->stream = c10::cuda::getStreamFromPool(/*isHighPriority=*/true, device.index());
#else
  (void)device;
#endif
}

DeviceStream::~DeviceStream() = default;

DeviceStream::Scope::Scope(const DeviceStream& s) {
#ifdef RIFE_HAVE_CUDA
  if (s.impl_->stream) guard_ = std::make_shared<c10::cuda::CUDAStreamGuard>(*s.impl_->stream);
#else
  (void)s;
#endif
}

DeviceStream::Scope::~Scope() = default;

struct StreamEvent::Impl {
#ifdef RIFE_HAVE_CUDA
  at::cuda::CUDAEvent event;
#endif
};

StreamEvent::StreamEvent() = default;
StreamEvent::~StreamEvent() = default;
StreamEvent::StreamEvent(StreamEvent&&) noexcept = default;
StreamEvent& StreamEvent::operator=(StreamEvent&&) noexcept = default;

void StreamEvent::record(const torch::Device& device) {
#ifdef RIFE_HAVE_CUDA
  if (!device.is_cuda()) return;
  if (!impl_) impl_ = std::make_unique<Impl>();
  impl_->event.record(c10::cuda::getCurrentCUDAStream(device.index()));
#else
  (void)device;
#endif
}

void StreamEvent::block(const torch::Device& device) const {
#ifdef RIFE_HAVE_CUDA
  if (impl_ && device.is_cuda()) impl_->event.block(c10::cuda::getCurrentCUDAStream(device.index()));
#else
  (void)device;
#endif
}

void used_on_current_stream(const torch::Tensor& tensor) {
#ifdef RIFE_HAVE_CUDA
  if (tensor.defined() && tensor.is_cuda())
    c10::cuda::CUDACachingAllocator::recordStream(tensor.storage().data_ptr(),
                                                  c10::cuda::getCurrentCUDAStream(tensor.device().index()));
#else
  (void)tensor;
#endif
}

void DeviceStream::synchronize() const {
#ifdef RIFE_HAVE_CUDA
  if (impl_->stream) impl_->stream->synchronize();
#endif
}

}  // namespace rife
