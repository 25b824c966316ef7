// CUDA graphs for the network's forward pass: captured once per input shape (frames per side, one
// per ensemble pass, and batch size; the geometry, dtype and scale are fixed between two
// Engine::configure() calls, which clear the cache) and replayed
// per frame pair, so a whole forward costs one launch instead of hundreds. The graph reads fixed
// input tensors: each call copies the pair's prepared frames into them (device copies). Where
// capture fails (unsupported op, no CUDA) the forward runs eagerly and failure() says why.
#pragma once

#include <torch/torch.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "device.h"

namespace rife {

class ForwardGraphs {
 public:
  // (img0, img1, feat0, feat1, timesteps [N, 1, 1, 1]) -> [N, 3, H, W]; feat* may be undefined.
  using Forward = std::function<torch::Tensor(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&,
                                              const torch::Tensor&, const torch::Tensor&)>;

  ForwardGraphs(bool enabled, const torch::Device& device);
  ~ForwardGraphs();

  void clear();  // on every geometry change
  bool active() const { return enabled_ && failure_.empty(); }
  const std::string& failure() const { return failure_; }

  // The forward of (img0, img1, feat0, feat1) at `timesteps`, through a graph when active. The
  // result of a replay is the graph's output tensor: read it before the next call.
  torch::Tensor run(const Forward& forward, const torch::Tensor& img0, const torch::Tensor& img1,
                    const torch::Tensor& feat0, const torch::Tensor& feat1, const torch::Tensor& timesteps,
                    const DeviceStream& stream);

 private:
  struct Graph;
  const bool enabled_;
  std::string failure_;
  std::map<std::pair<int64_t, int64_t>, std::unique_ptr<Graph>> graphs_;  // (frames, batch) -> graph
};

}  // namespace rife
