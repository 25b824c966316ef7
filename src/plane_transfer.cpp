#include "plane_transfer.h"

#include <cstring>

#ifdef RIFE_HAVE_CUDA
#include <ATen/cuda/CUDAContext.h>
#include <ATen/cuda/CUDAEvent.h>
#endif

namespace rife {

struct PlaneTransfer::Impl {
  std::vector<torch::Tensor> upload_staging;                 // pinned host, one per plane
  std::vector<torch::Tensor> upload_device;                  // device, one per plane
  std::vector<std::vector<torch::Tensor>> download_staging;  // pinned host, per output of a batch, per plane
#ifdef RIFE_HAVE_CUDA
  at::cuda::CUDAEvent upload_done;  // the last upload has left the staging buffers
#endif
};

namespace {

void copy_rows(uint8_t* dst, size_t dst_stride, const uint8_t* src, size_t src_stride, int64_t rows, int64_t bytes) {
  if (dst_stride == src_stride && dst_stride == size_t(bytes)) {
    std::memcpy(dst, src, size_t(rows * bytes));
    return;
  }
  for (int64_t r = 0; r < rows; ++r) std::memcpy(dst + r * dst_stride, src + r * src_stride, size_t(bytes));
}

torch::Tensor host_view(const uint8_t* data, size_t stride, const PlaneShape& s) {
  return torch::from_blob(const_cast<uint8_t*>(data), {s.rows, s.bytes}, {int64_t(stride), 1}, torch::kUInt8);
}

}  // namespace

PlaneTransfer::PlaneTransfer(torch::Device device, bool pinned)
    : device_(device), pinned_(pinned && device.is_cuda()), impl_(std::make_unique<Impl>()) {}

PlaneTransfer::~PlaneTransfer() = default;

void PlaneTransfer::configure(const std::vector<PlaneShape>& planes) {
  auto next = std::make_unique<Impl>();
  if (pinned_) {
    for (const auto& s : planes) {
      next->upload_staging.push_back(
          torch::empty({s.rows, s.bytes}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true)));
      next->upload_device.push_back(
          torch::empty({s.rows, s.bytes}, torch::TensorOptions().dtype(torch::kUInt8).device(device_)));
    }
  }
  impl_ = std::move(next);
  shapes_ = planes;
}

std::vector<torch::Tensor> PlaneTransfer::upload(const InputPlanes& in) {
  std::vector<torch::Tensor> out;
  if (!pinned_) {
    for (size_t p = 0; p < shapes_.size(); ++p)
      out.push_back(host_view(in.data[p], in.stride[p], shapes_[p]).to(device_));
    return out;
  }
#ifdef RIFE_HAVE_CUDA
  impl_->upload_done.synchronize();  // the previous frame's copies have left the staging buffers
  for (size_t p = 0; p < shapes_.size(); ++p) {
    auto& staging = impl_->upload_staging[p];
    copy_rows(staging.data_ptr<uint8_t>(), size_t(shapes_[p].bytes), in.data[p], in.stride[p], shapes_[p].rows,
              shapes_[p].bytes);
    impl_->upload_device[p].copy_(staging, /*non_blocking=*/true);
    out.push_back(impl_->upload_device[p]);
  }
  impl_->upload_done.record(at::cuda::getCurrentCUDAStream());
#endif
  return out;
}

void PlaneTransfer::download(const std::vector<std::vector<torch::Tensor>>& planes,
                             const std::vector<OutputPlanes>& outs, const DeviceStream& stream) {
  if (!pinned_) {
    for (size_t i = 0; i < planes.size(); ++i)
      for (size_t p = 0; p < planes[i].size(); ++p)
        host_view(outs[i].data[p], outs[i].stride[p], shapes_[p]).copy_(planes[i][p]);  // waits for the device
    return;
  }
  auto& staging = impl_->download_staging;
  while (staging.size() < planes.size()) {  // once per batch size seen, then reused
    std::vector<torch::Tensor> per_plane;
    for (const auto& s : shapes_)
      per_plane.push_back(
          torch::empty({s.rows, s.bytes}, torch::TensorOptions().dtype(torch::kUInt8).pinned_memory(true)));
    staging.push_back(std::move(per_plane));
  }
  for (size_t i = 0; i < planes.size(); ++i)
    for (size_t p = 0; p < planes[i].size(); ++p) staging[i][p].copy_(planes[i][p], /*non_blocking=*/true);
  stream.synchronize();  // this engine's stream only: the copies above are its last work
  for (size_t i = 0; i < planes.size(); ++i)
    for (size_t p = 0; p < planes[i].size(); ++p)
      copy_rows(outs[i].data[p], outs[i].stride[p], staging[i][p].data_ptr<uint8_t>(), size_t(shapes_[p].bytes),
                shapes_[p].rows, shapes_[p].bytes);
}

}  // namespace rife
