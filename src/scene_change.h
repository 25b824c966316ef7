// What changed between two frames, from a small signature made once per frame: whether the pair is
// a scene cut (a new shot, not large motion within one shot), and whether it is a still pair (the
// same picture up to sensor and codec noise). Engine internals (torch types); the element sees the
// results through the engine.
#pragma once

#include <torch/torch.h>

#include "rife_engine.h"

namespace rife {

// Made once per frame from the [3, H, W] FP32 RGB in [0, 1] that prepare() has, on its device.
// Memory per frame: 16 KiB + 16 KiB + H * W bytes (FP32 at half resolution): 2 MiB at 1920x1080.
struct FrameSignature {
  torch::Tensor thumbnail;  // [64, 64] FP32 luma in [0, 1], area-averaged (the old cut measure's)
  torch::Tensor histogram;  // [4096] FP32, sums to 1: RGB in 16x16x16 bins of a 128x128 area average
  torch::Tensor half_luma;  // [H / 2, W / 2] FP32 luma on the 0..255 scale, 2x2 area-averaged
};

FrameSignature make_signature(const torch::Tensor& rgb);

// Above this PairScores::cut the pair is a new shot (the element's default `scene-threshold`): the
// geometric middle of the calibration in tests/test_scene_change.cpp, where 604 pairs of one shot
// (car-turn 1-8 frames apart, the Middlebury triplets, the demo pairs, pans of 10-25 % of the frame
// in three directions, a subject moved by a fifth of the frame) score at most 0.116 and 155 pairs of
// different clips and pictures at least 0.200, at 640x360 and 1920x1080 alike: x1.29 above the one,
// x1.33 below the other. (The old thumbnail difference had them overlap: 0.310 against 0.112.)
constexpr float kDefaultCutThreshold = kSceneCutThreshold;  // rife_engine.h
// At or below this static_score() (8-bit luma levels) the pair is the same picture: see
// scene_change.cpp for the measurements it sits between.
constexpr float kStaticTolerance = kStillTolerance;  // rife_engine.h

// How a pair of frames differs. cut: in [0, 1], sqrt(motion_compensated_difference *
// histogram_distance), the geometric mean of the two parts below: high only when neither a shift of
// its blocks nor its palette explains the second frame; still: static_score(); changed: the share of
// change_map()'s blocks above kStaticTolerance, in [0, 1] (how much of the frame moves); thumbnail:
// the mean absolute difference of the luma thumbnails (the measure the element used before, kept
// for comparison).
struct PairScores {
  float cut = 0, still = 0, changed = 0, thumbnail = 0;
  bool is_static() const { return still <= kStaticTolerance; }
};
// All of them with one device -> host copy (one synchronisation per pair).
PairScores compare(const FrameSignature& a, const FrameSignature& b);

// The parts, each in [0, 1] (for the calibration tables):
// The thumbnails' mean absolute difference after the best shift of each 8x8 block within +-16
// thumbnail pixels (a quarter of the frame), both ways, averaged: large motion finds its match.
double motion_compensated_difference(const FrameSignature& a, const FrameSignature& b);
// Half the L1 distance of the colour histograms (the share of pixels whose colour would have to
// change): motion that reveals new content shifts it a little, a new shot a lot.
torch::Tensor histogram_distance(const FrameSignature& a, const FrameSignature& b);
torch::Tensor thumbnail_difference(const FrameSignature& a, const FrameSignature& b);
// Per 16x16 area of the frame, every 8 pixels (block (y, x) covers rows 8y..8y+15 and columns
// 8x..8x+15, the last ones clipped to the frame): the mean absolute difference of the 2x2-averaged
// luma in 8-bit levels, after forgiving each of its pixels a noise allowance. [blocks down, across].
torch::Tensor change_map(const FrameSignature& a, const FrameSignature& b);
// The largest value of change_map(): 0 for identical frames.
torch::Tensor static_score(const FrameSignature& a, const FrameSignature& b);

}  // namespace rife
