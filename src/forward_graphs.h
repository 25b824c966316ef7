// CUDA graphs for the network's forward pass: captured once per input shape (frames per side,
// batch size, padded size and flow scale; the dtype is the model's) and replayed per batch, so a
// whole forward costs one launch instead of hundreds. One set serves every stream of a shared model
// (shared_model.h). The graph reads fixed input tensors: each call copies the batch's frames into
// them (device copies); the warp grid depends on the padded size alone and is copied once, at
// capture. At most kMaxGraphs shapes are kept (the least recently used goes): cross-stream batches
// come in many sizes. Where capture fails (unsupported op, no CUDA) the forward runs eagerly and
// failure() says why.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>

#include "device.h"

namespace rife {

class ForwardGraphs {
 public:
  // (img0, img1, feat0, feat1, timesteps [N, 1, 1, 1], warp grid) -> [N, 3, H, W]; feat* may be
  // undefined.
  using Forward = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                                              const torch::Tensor&, const torch::Tensor&, const torch::Tensor&)>;
  static constexpr size_t kMaxGraphs = 32;

  ForwardGraphs(bool enabled, const torch::Device& device);
  ~ForwardGraphs();

  bool active() const { return enabled_ && failure_.empty(); }
  const std::string& failure() const { return failure_; }

  // The forward of (img0, img1, feat0, feat1) at `timesteps` with flow scale `scale`, through a
  // graph when active. The result of a replay is the graph's output tensor: read it (or copy it)
  // before the next call.
  torch::Tensor run(const Forward& forward, const torch::Tensor& img0, const torch::Tensor& img1,
                    const torch::Tensor& feat0, const torch::Tensor& feat1, const torch::Tensor& timesteps,
                    const torch::Tensor& warp_grid, double scale);

 private:
  struct Graph;
  // frames per side, batch, padded height, padded width, flow scale in 1/1000
  using Shape = std::tuple<int64_t, int64_t, int64_t, int64_t, int64_t>;
  const bool enabled_;
  std::string failure_;
  std::map<Shape, std::unique_ptr<Graph>> graphs_;
  uint64_t uses_ = 0;  // the clock of the least-recently-used eviction
};

}  // namespace rife
