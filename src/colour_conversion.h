// Frame bytes <-> the RGB the network sees, on the engine's device: unpacking every pixel layout
// (frame_layout.h), 16-bit words assembled from their bytes and split back, Y'CbCr <-> RGB with the
// caps' matrix and range at the format's depth, chroma up- and downsampling, quantisation to the
// format's depth. Nothing here leaves the device.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "frame_layout.h"
#include "rife_engine.h"

namespace rife {

// One frame format's conversion: its layout, and for YUV its coefficients and quantisation.
class ColourConversion {
 public:
  ColourConversion() = default;
  explicit ColourConversion(const FrameGeometry& geometry);

  const FrameLayout& layout() const { return layout_; }
  // The planes of one frame, as device tensors [plane rows, plane row bytes] of uint8 -> [3, H, W]
  // FP32 RGB in [0, 1], whatever the depth (every sample of up to 16 bits is exact in FP32).
  torch::Tensor to_rgb(const std::vector<torch::Tensor>& planes) const;
  // [3, H, W] RGB in [0, 1] -> the planes of the format, uint8 on the same device, each sample rounded
  // to the format's depth. Chroma is box-averaged down, the exact inverse of the nearest-neighbour
  // upsampling of to_rgb().
  std::vector<torch::Tensor> to_planes(const torch::Tensor& rgb) const;

 private:
  FrameGeometry geometry_;
  FrameLayout layout_{};
  // Y'CbCr coefficients and the code values at the format's depth d ("limited" = Y 16..235, chroma
  // 16..240, chroma zero 128, all x 2^(d-8); full = 0..2^d-1, chroma zero 2^(d-1)); RGB: 0..2^d-1.
  double kr_ = 0, kb_ = 0, y_offset_ = 0, y_scale_ = 255, c_scale_ = 255, c_zero_ = 128, rgb_scale_ = 255;

  torch::Tensor read(const torch::Tensor& plane, int c) const;
  void write(const torch::Tensor& plane, int c, const torch::Tensor& codes) const;
};

// Float samples on the 0..2^depth-1 scale -> integer code values, rounded and clamped (int32).
torch::Tensor quantise(const torch::Tensor& x, int depth);
// Float samples on the 0..255 scale -> 8-bit.
torch::Tensor quantise(const torch::Tensor& x);

}  // namespace rife
