// Frame bytes <-> the RGB the network sees, on the engine's device: unpacking every pixel layout
// (frame_layout.h), Y'CbCr <-> RGB with the caps' matrix and range, chroma up- and downsampling,
// 8-bit quantisation. Nothing here leaves the device.
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
  // FP32 RGB in [0, 1].
  torch::Tensor to_rgb(const std::vector<torch::Tensor>& planes) const;
  // [3, H, W] RGB in [0, 1] -> the planes of the format, uint8 on the same device. Chroma is
  // box-averaged down, the exact inverse of the nearest-neighbour upsampling of to_rgb().
  std::vector<torch::Tensor> to_planes(const torch::Tensor& rgb) const;

 private:
  FrameGeometry geometry_;
  FrameLayout layout_{};
  // Y'CbCr coefficients and the 8-bit quantisation ("limited" = Y 16..235, chroma 16..240).
  double kr_ = 0, kb_ = 0, y_offset_ = 0, y_scale_ = 255, c_scale_ = 255;
};

// Float samples on the 0..255 scale -> 8-bit.
torch::Tensor quantise(const torch::Tensor& x);

}  // namespace rife
