#include "forward_graphs.h"

#include <algorithm>
#include <cmath>

#ifdef RIFE_HAVE_CUDA
#include <ATen/cuda/CUDAGraph.h>
#include <c10/cuda/CUDAStream.h>
#endif

namespace rife {

struct ForwardGraphs::Graph {
#ifdef RIFE_HAVE_CUDA
  at::cuda::CUDAGraph graph;
#endif
  torch::Tensor img0, img1, feat0, feat1, timesteps, grid, out;
  uint64_t last_use = 0;
};

ForwardGraphs::ForwardGraphs(bool enabled, const torch::Device& device) : enabled_(enabled && device.is_cuda()) {
#ifndef RIFE_HAVE_CUDA
  if (enabled_) failure_ = "this build has no CUDA";
#endif
}

ForwardGraphs::~ForwardGraphs() = default;

namespace {
torch::Tensor copy_of(const torch::Tensor& t) { return t.defined() ? t.clone() : t; }
}  // namespace

torch::Tensor ForwardGraphs::run(const Forward& forward, const torch::Tensor& img0, const torch::Tensor& img1,
                                 const torch::Tensor& feat0, const torch::Tensor& feat1, const torch::Tensor& timesteps,
                                 const torch::Tensor& warp_grid, double scale) {
  if (!active()) return forward(img0, img1, feat0, feat1, timesteps, warp_grid);
#ifdef RIFE_HAVE_CUDA
  const Shape shape{img0.size(0), timesteps.size(0), img0.size(2), img0.size(3), std::llround(scale * 1000)};
  auto& slot = graphs_[shape];
  if (!slot) {
    if (graphs_.size() > kMaxGraphs) {  // the least recently used other shape goes
      auto oldest = graphs_.end();
      for (auto it = graphs_.begin(); it != graphs_.end(); ++it)
        if (it->second && (oldest == graphs_.end() || it->second->last_use < oldest->second->last_use)) oldest = it;
      if (oldest != graphs_.end()) graphs_.erase(oldest);
    }
    auto g = std::make_unique<Graph>();
    try {
      // Fixed inputs (clone keeps the memory format, channels_last included).
      g->img0 = copy_of(img0), g->img1 = copy_of(img1), g->feat0 = copy_of(feat0), g->feat1 = copy_of(feat1);
      g->timesteps = copy_of(timesteps);
      g->grid = copy_of(warp_grid);
      // Warm-up outside the capture: cuDNN's algorithm search and lazy initialisations cannot be
      // captured.
      for (int i = 0; i < 2; ++i) forward(g->img0, g->img1, g->feat0, g->feat1, g->timesteps, g->grid);
      c10::cuda::getCurrentCUDAStream(img0.device().index()).synchronize();
      // Thread-local capture: another thread's CUDA work must not break it.
      g->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      g->out = forward(g->img0, g->img1, g->feat0, g->feat1, g->timesteps, g->grid);
      g->graph.capture_end();
    } catch (const c10::Error& e) {
      failure_ = e.what_without_backtrace();
      graphs_.erase(shape);
      return forward(img0, img1, feat0, feat1, timesteps, warp_grid);
    }
    graphs_[shape] = std::move(g);
  }
  Graph& g = *graphs_[shape];
  g.last_use = ++uses_;
  g.img0.copy_(img0);
  g.img1.copy_(img1);
  if (feat0.defined()) g.feat0.copy_(feat0), g.feat1.copy_(feat1);
  g.timesteps.copy_(timesteps);
  g.graph.replay();
  return g.out;
#else
  (void)scale;
  return forward(img0, img1, feat0, feat1, timesteps, warp_grid);
#endif
}

}  // namespace rife
