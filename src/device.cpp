#include "device.h"

#include <cstdlib>
#include <optional>

#ifdef RIFE_HAVE_CUDA
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
      if (*end != '\0' || v < 0 || v > 255) throw Error("invalid device '" + name + "': expected cuda:N");
      index = int(v);
    }
#ifndef RIFE_HAVE_CUDA
    throw Error("device '" + name + "' requested but this build has no CUDA support");
#endif
    if (!cuda_usable) throw Error("device '" + name + "' requested but no CUDA device is usable here");
    if (index >= int(torch::cuda::device_count()))
      throw Error("device '" + name + "' requested but only " + std::to_string(torch::cuda::device_count()) +
                  " CUDA device(s) exist");
    return torch::Device(torch::kCUDA, static_cast<c10::DeviceIndex>(index));
  }
  throw Error("invalid device '" + name + "': expected auto, cpu, cuda or cuda:N");
}

Precision resolve_precision(Precision requested, const torch::Device& device) {
  if (requested == Precision::Auto) return device.is_cuda() ? Precision::FP16 : Precision::FP32;
  if (!device.is_cuda() && requested != Precision::FP32)
    throw Error(std::string("precision ") + to_string(requested) + " is supported on CUDA only; use fp32 on the CPU");
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

void DeviceStream::synchronize() const {
#ifdef RIFE_HAVE_CUDA
  if (impl_->stream) impl_->stream->synchronize();
#endif
}

}  // namespace rife
