#include "forward_graphs.h"

#ifdef RIFE_HAVE_CUDA
#include <ATen/cuda/CUDAGraph.h>
#endif

namespace rife {

struct ForwardGraphs::Graph {
#ifdef RIFE_HAVE_CUDA
  at::cuda::CUDAGraph graph;
#endif
  torch::Tensor img0, img1, feat0, feat1, timesteps, out;
};

ForwardGraphs::ForwardGraphs(bool enabled, const torch::Device& device) : enabled_(enabled && device.is_cuda()) {
#ifndef RIFE_HAVE_CUDA
  if (enabled_) failure_ = "this build has no CUDA";
#endif
}

ForwardGraphs::~ForwardGraphs() = default;

void ForwardGraphs::clear() { graphs_.clear(); }

namespace {
torch::Tensor copy_of(const torch::Tensor& t) { return t.defined() ? t.clone() : t; }
}  // namespace

torch::Tensor ForwardGraphs::run(const Forward& forward, const torch::Tensor& img0, const torch::Tensor& img1,
                                 const torch::Tensor& feat0, const torch::Tensor& feat1, const torch::Tensor& timesteps,
                                 const DeviceStream& stream) {
  if (!active()) return forward(img0, img1, feat0, feat1, timesteps);
#ifdef RIFE_HAVE_CUDA
  const std::pair<int64_t, int64_t> key{img0.size(0), timesteps.size(0)};
  auto& slot = graphs_[key];
  if (!slot) {
    auto g = std::make_unique<Graph>();
    try {
      // Fixed inputs (clone keeps the memory format, channels_last included).
      g->img0 = copy_of(img0), g->img1 = copy_of(img1), g->feat0 = copy_of(feat0), g->feat1 = copy_of(feat1);
      g->timesteps = copy_of(timesteps);
      // Warm-up outside the capture: cuDNN's algorithm search and lazy initialisations cannot be
      // captured.
      for (int i = 0; i < 2; ++i) forward(g->img0, g->img1, g->feat0, g->feat1, g->timesteps);
      stream.synchronize();
      // Thread-local capture: another engine's CUDA work on another thread must not break it.
      g->graph.capture_begin({0, 0}, cudaStreamCaptureModeThreadLocal);
      g->out = forward(g->img0, g->img1, g->feat0, g->feat1, g->timesteps);
      g->graph.capture_end();
    } catch (const c10::Error& e) {
      failure_ = e.what_without_backtrace();
      graphs_.erase(key);
      return forward(img0, img1, feat0, feat1, timesteps);
    }
    slot = std::move(g);
  }
  Graph& g = *slot;
  g.img0.copy_(img0);
  g.img1.copy_(img1);
  if (feat0.defined()) g.feat0.copy_(feat0), g.feat1.copy_(feat1);
  g.timesteps.copy_(timesteps);
  g.graph.replay();
  return g.out;
#else
  (void)stream;
  return forward(img0, img1, feat0, feat1, timesteps);
#endif
}

}  // namespace rife
