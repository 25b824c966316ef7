// Scene cuts and still pairs from per-frame signatures. The numbers below were measured on the
// shared real data (2-core Debian 12 development machine, AMD EPYC, CPU, 2026-12-01): those of the
// chosen measures by tests/test_scene_change.cpp, which prints the tables; those of the candidates
// left out by a PyTorch prototype of the same measures on the same pairs (its pans resampled two
// crops of a frame back to the frame's size instead of cutting two windows, so its figures differ
// from the test's in the second decimal).
#include "scene_change.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace rife {

namespace F = torch::nn::functional;

namespace {

// The luma thumbnail: 64x64, what the element compared before (so the old measure stays
// comparable), and fine enough for the block search below.
constexpr int64_t kThumbnail = 64;
// Motion compensation on the thumbnail: 8x8 blocks (64 of them: a moving subject and its background
// get blocks of their own), each searching +-16 pixels, a quarter of the frame each way. Prototype:
// with +-8 a 25 % pan of one shot scored 0.133 against 0.070 for the least different pair of shots;
// +-16 took the worst same-shot pair to 0.053 (different shots 0.057 and up); +-20 gained nothing.
// Both ways (a's blocks in b and b's in a), averaged, so that content that appears and content that
// disappears count alike (one way only: same shot up to 0.060, different shots down to 0.048).
// Alone it does not separate the two sets (test: same shot up to 0.067, different shots from 0.054):
// the cut score multiplies it with the histogram distance.
constexpr int64_t kBlock = 8;
constexpr int64_t kSearch = 16;
// The colour histogram: RGB in 16x16x16 bins of a 128x128 area-averaged copy (16384 samples; the
// averaging also removes most sensor noise). Prototype: 16 bins a channel separated different shots
// best (least different pair 0.60, against 0.38 with 8 bins, 0.17 with 4, 0.21 for a 32-bin luma
// histogram; the same in YUV or on the full frame). Alone (test): same shot up to 0.340 (a 25 %
// diagonal pan: 44 % of the picture is new), different shots from 0.517, x1.52 apart; with the
// block search x1.72, and a cut between two shots with one palette still scores by its blocks.
constexpr int64_t kHistogramSide = 128;
constexpr int64_t kBinsPerChannel = 16;
// The static test works on luma averaged over 2x2 pixels (sensor noise halved, small objects
// kept) in 8x8 blocks of that, 16x16 pixels of the frame, every 4 (8 pixels of the frame), so a
// 16x16 object anywhere covers at least 12x12 pixels of one block.
constexpr int64_t kStaticBlock = 8;
constexpr int64_t kStaticStride = 4;
// Per pixel of the 2x2-averaged luma, this much difference is forgiven as noise before a block's
// mean is taken (a soft threshold). Why not a plain block mean (prototype): H.264 re-codes a still
// frame by whole macroblocks, a few levels each (car-turn's last frame repeats frame 79 through the
// codec at 49.8 dB, yet one 16x16 area changes by 4.6 levels on average, and x264 re-encoding at
// quantizer 28 changes some by 6.2), which a block mean cannot tell from a small faint object (a
// 16x16 patch moved 8 pixels scored 5.7). Forgiving 4 levels (test): the repeated frame scores 0.72, re-encoding with
// x264 at quantizer 18 and 23 (its default quality) at most 0.19, at quantizer 28 at most 1.08, while
// every 16x16 or 24x24 patch of a real frame moved 4-16 pixels that changes its area by 10 levels or
// more keeps at least 2.92, and real moving pairs 11 and up. kStaticTolerance = 1.5 lies between:
// x1.39 above the worst noise, x1.95 below the faintest such motion.
constexpr float kNoiseAllowance = 4.0f;

// [C, H, W] -> [C, H / 2, W / 2], the mean of each 2x2 (a last odd row or column left out, a
// dimension of 1 kept). Rows, then columns: on one CPU core 12 ms at 1920x1080 where avg_pool2d took
// 25-28 ms.
torch::Tensor half_size(torch::Tensor x) {
  for (int64_t dim : {1, 2}) {
    const int64_t even = x.size(dim) / 2 * 2;
    if (even == 0) continue;
    x = (x.slice(dim, 0, even, 2) + x.slice(dim, 1, even, 2)) * 0.5;
  }
  return x;
}

torch::Tensor luma_of(const torch::Tensor& rgb) { return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]; }

torch::Tensor histogram_of(const torch::Tensor& rgb) {
  auto small =
      F::adaptive_avg_pool2d(rgb.unsqueeze(0), F::AdaptiveAvgPool2dFuncOptions({kHistogramSide, kHistogramSide}))[0];
  auto bins = (small * kBinsPerChannel).clamp(0, kBinsPerChannel - 1).to(torch::kLong);  // [3, S, S]
  auto index = (bins[0] * kBinsPerChannel + bins[1]) * kBinsPerChannel + bins[2];
  const int64_t n = kBinsPerChannel * kBinsPerChannel * kBinsPerChannel;
  auto counts =
      torch::zeros({n}, rgb.options()).index_add_(0, index.flatten(), torch::ones({index.numel()}, rgb.options()));
  return counts / double(index.numel());
}

// For each 8x8 block of `a` (64x64, row-major), the smallest mean absolute difference to `b` shifted
// by up to +-16 pixels (edges replicated), averaged over the blocks: 64 blocks x 1089 shifts x 64
// pixels. On the host (the thumbnails are 16 KiB): this loop takes about 1 ms a direction on one
// CPU core of the development machine, where LibTorch, materialising every shifted thumbnail,
// took 12 ms.
double best_shift_difference(const float* a, const float* b) {
  constexpr int64_t side = kThumbnail, padded = kThumbnail + 2 * kSearch;
  std::vector<float> b_padded(size_t(padded * padded));
  for (int64_t y = 0; y < padded; ++y)
    for (int64_t x = 0; x < padded; ++x)
      b_padded[size_t(y * padded + x)] =
          b[std::clamp<int64_t>(y - kSearch, 0, side - 1) * side + std::clamp<int64_t>(x - kSearch, 0, side - 1)];
  constexpr int64_t shifts = 2 * kSearch + 1;
  double total = 0;
  for (int64_t by = 0; by < side; by += kBlock)
    for (int64_t bx = 0; bx < side; bx += kBlock) {
      float best = std::numeric_limits<float>::max();
      for (int64_t dy = 0; dy < shifts; ++dy) {
        // The sums of all horizontal shifts side by side: the innermost loop has independent
        // accumulators, which the compiler vectorises without reordering any sum.
        float sums[shifts] = {};
        for (int64_t r = 0; r < kBlock; ++r) {
          const float* row = a + (by + r) * side + bx;
          const float* candidates = b_padded.data() + (by + dy + r) * padded + bx;
          for (int64_t c = 0; c < kBlock; ++c)
            for (int64_t dx = 0; dx < shifts; ++dx) sums[dx] += std::fabs(row[c] - candidates[c + dx]);
        }
        best = std::min(best, *std::min_element(sums, sums + shifts));
      }
      total += best / double(kBlock * kBlock);
    }
  return total / double((side / kBlock) * (side / kBlock));
}

double motion_compensated(const torch::Tensor& thumbnails) {  // [2, 64, 64] FP32 on the host
  const float* a = thumbnails.data_ptr<float>();
  const float* b = a + kThumbnail * kThumbnail;
  return 0.5 * (best_shift_difference(a, b) + best_shift_difference(b, a));
}

}  // namespace

FrameSignature make_signature(const torch::Tensor& rgb) {
  TORCH_CHECK(rgb.dim() == 3 && rgb.size(0) == 3, "make_signature: expected [3, H, W] RGB, got ", rgb.sizes());
  torch::NoGradGuard no_grad;
  // Everything from the 2x2 average: one pass over the full frame (a quarter of the work after it).
  const auto half = half_size(rgb.to(torch::kFloat32));
  const auto luma = luma_of(half);  // [H / 2, W / 2] in [0, 1]
  FrameSignature s;
  // Frames under 128 pixels a side are repeated up to the thumbnail's size (adaptive pooling does).
  s.thumbnail = F::adaptive_avg_pool2d(luma.unsqueeze(0).unsqueeze(0),
                                       F::AdaptiveAvgPool2dFuncOptions({kThumbnail, kThumbnail}))[0][0];
  s.histogram = histogram_of(half);
  s.half_luma = luma * 255.0;
  return s;
}

torch::Tensor thumbnail_difference(const FrameSignature& a, const FrameSignature& b) {
  return (a.thumbnail - b.thumbnail).abs().mean();
}

double motion_compensated_difference(const FrameSignature& a, const FrameSignature& b) {
  torch::NoGradGuard no_grad;
  return motion_compensated(torch::stack({a.thumbnail, b.thumbnail}).cpu().contiguous());
}

torch::Tensor histogram_distance(const FrameSignature& a, const FrameSignature& b) {
  return 0.5 * (a.histogram - b.histogram).abs().sum();
}

torch::Tensor change_map(const FrameSignature& a, const FrameSignature& b) {
  TORCH_CHECK(a.half_luma.sizes() == b.half_luma.sizes(), "change_map: frames of different sizes (",
              a.half_luma.sizes(), " and ", b.half_luma.sizes(), " at half resolution)");
  auto excess = ((a.half_luma - b.half_luma).abs() - kNoiseAllowance).clamp_min_(0).unsqueeze(0).unsqueeze(0);
  const int64_t h = excess.size(2), w = excess.size(3);
  const int64_t ky = std::min(kStaticBlock, h), kx = std::min(kStaticBlock, w);
  const int64_t sy = std::min(kStaticStride, ky), sx = std::min(kStaticStride, kx);
  // Edges replicated up to the stride so that the last blocks reach the bottom and right edges.
  const int64_t pad_y = (sy - (h - ky) % sy) % sy, pad_x = (sx - (w - kx) % sx) % sx;
  if (pad_y || pad_x) excess = F::pad(excess, F::PadFuncOptions({0, pad_x, 0, pad_y}).mode(torch::kReplicate));
  return F::avg_pool2d(excess, F::AvgPool2dFuncOptions({ky, kx}).stride({sy, sx}))[0][0];
}

torch::Tensor static_score(const FrameSignature& a, const FrameSignature& b) { return change_map(a, b).max(); }

PairScores compare(const FrameSignature& a, const FrameSignature& b) {
  torch::NoGradGuard no_grad;
  const auto changes = change_map(a, b);
  // What the device computes and the thumbnails the host searches, in one copy.
  const auto on_device = torch::stack({histogram_distance(a, b), changes.max(), thumbnail_difference(a, b),
                                       changes.gt(kStaticTolerance).to(torch::kFloat32).mean()});
  const auto host = torch::cat({on_device, a.thumbnail.flatten(), b.thumbnail.flatten()}).cpu().contiguous();
  const float* v = host.data_ptr<float>();
  const int64_t scalars = on_device.numel();
  const double motion =
      motion_compensated(host.narrow(0, scalars, 2 * kThumbnail * kThumbnail).view({2, kThumbnail, kThumbnail}));
  PairScores scores;
  scores.cut = float(std::sqrt(motion * double(v[0])));
  scores.still = v[1];
  scores.thumbnail = v[2];
  scores.changed = v[3];
  return scores;
}

}  // namespace rife
