// IFNet of RIFE 4.6 written with LibTorch: the same computation as the official module, held as
// plain tensors on the engine's device in its dtype.
#pragma once

#include <torch/torch.h>

#include <array>
#include <vector>

#include "model_spec.h"
#include "state_dict.h"

namespace rife {

class IFNet46 {
 public:
  // `weights` must have passed validate_state_dict() against rife46_spec().
  IFNet46(const StateDict& weights, torch::Device device, torch::ScalarType dtype);

  // img0, img1: [N, 3, H, W] in [0, 1], H and W multiples of padding_multiple(scale).
  // timestep: [N, 1, H, W]. warp_grid: from make_warp_grid(H, W). Returns [N, 3, H, W].
  torch::Tensor forward(const torch::Tensor& img0, const torch::Tensor& img1, const torch::Tensor& timestep,
                        const torch::Tensor& warp_grid, double scale) const;

  // Base sampling grid [1, H, W, 2] in grid_sample's [-1, 1] coordinates (align_corners).
  static torch::Tensor make_warp_grid(int64_t height, int64_t width, const torch::TensorOptions& options);

  // Frames are padded to a multiple of this: the coarsest level downsamples by 32 / scale.
  static int64_t padding_multiple(double scale);

 private:
  struct Block {
    torch::Tensor conv0_w, conv0_b, conv1_w, conv1_b;
    std::vector<torch::Tensor> res_w, res_b, res_beta;
    torch::Tensor last_w, last_b;
  };
  std::pair<torch::Tensor, torch::Tensor> run_block(const Block& b, torch::Tensor x, const torch::Tensor& flow,
                                                    double scale) const;

  std::vector<Block> blocks_;
};

}  // namespace rife
