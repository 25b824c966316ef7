// IFNet of RIFE 4.6 and 4.25/4.26 (and 4.25-lite) written with LibTorch: the same computation as
// the official modules, held as plain tensors on the engine's device in its dtype.
#pragma once

#include <torch/torch.h>

#include <vector>

#include "model_spec.h"
#include "state_dict.h"

namespace rife {

class IFNet {
 public:
  // `weights` must have passed validate_state_dict() against `spec`.
  struct Options {
    bool channels_last = false;  // weights in NHWC: convolutions then run NHWC on NHWC inputs
    bool fp32_warp = false;      // grid_sample in FP32 whatever the dtype (warp_grid must then be FP32)
  };
  IFNet(const ModelSpec& spec, const StateDict& weights, torch::Device device, torch::ScalarType dtype,
        Options options);
  const Options& options() const { return options_; }

  const ModelSpec& spec() const { return spec_; }

  // 4.25+: the 4-channel feature map of one frame [N, 3, H, W] -> [N, 4, H, W]. It depends on that
  // frame alone, so the engine computes it once per input frame. Undefined tensor for 4.6.
  torch::Tensor encode(const torch::Tensor& img) const;

  // img0, img1: [N, 3, H, W] in [0, 1], H and W multiples of spec().padding_multiple(scale).
  // feat0, feat1: encode(img0), encode(img1) (4.25+; ignored for 4.6). timestep: [N, 1, H, W].
  // warp_grid: from make_warp_grid(H, W). Returns [N, 3, H, W].
  torch::Tensor forward(const torch::Tensor& img0, const torch::Tensor& img1, const torch::Tensor& feat0,
                        const torch::Tensor& feat1, const torch::Tensor& timestep, const torch::Tensor& warp_grid,
                        double scale) const;

  // Base sampling grid [1, H, W, 2] in grid_sample's [-1, 1] coordinates (align_corners).
  static torch::Tensor make_warp_grid(int64_t height, int64_t width, const torch::TensorOptions& options);

 private:
  struct Block {
    torch::Tensor conv0_w, conv0_b, conv1_w, conv1_b;
    std::vector<torch::Tensor> res_w, res_b, res_beta;
    torch::Tensor last_w, last_b;
  };
  struct BlockOut {
    torch::Tensor flow, mask, features;
  };
  BlockOut run_block(const Block& b, torch::Tensor x, const torch::Tensor& flow, double scale) const;

  const ModelSpec& spec_;
  const Options options_;
  std::vector<Block> blocks_;
  std::vector<torch::Tensor> encoder_;  // cnn0..cnn3 weight, bias pairs
};

}  // namespace rife
