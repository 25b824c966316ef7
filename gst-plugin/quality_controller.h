// Live quality that follows the headroom: for each pair of inputs, the best ensemble whose cost fits
// the time until the next input, with hysteresis so that the choice does not flap.
//
// Costs are measured, not assumed. The mode that runs has its recent cost (per frame, a fast running
// mean). The other modes are estimated from it through their cost ratios to single pass; a ratio is
// learned when the element switches modes (the batches on either side of a switch ran under the same
// load), and a mode never measured is expected to batch as well as the last ensemble measured (its
// pass count times that efficiency: on a GPU four passes cost much less than four single passes).
// Rules, with B the budget of a batch:
//   - down as soon as the current mode needs more than down_margin x B, to the best mode that fits
//     within up_margin x B (single pass if none does: QoS skipping takes over from there);
//   - up by one mode after up_after consecutive batches in which the next mode fits within
//     up_margin x B.
// A stream starts at single pass and climbs; without a deadline (no budget) the ceiling is used.
#pragma once

#include <array>
#include <cstdint>

#include "rife_engine.h"

namespace rife_gst {

class QualityController {
 public:
  struct Options {
    double up_margin = 0.5;     // a mode is taken only when it needs at most this share of the budget
    double down_margin = 0.85;  // and left when it needs more than this share
    int up_after = 8;           // consecutive fitting batches before stepping up
  };

  QualityController() = default;
  explicit QualityController(Options options) : options_(options) {}

  // Starts over, at single pass, with `ceiling` as the best mode allowed.
  void reset(rife::Ensemble ceiling);
  // The mode for a batch of `frames` interpolations that must be ready within `budget_ns`
  // (<= 0: no deadline, the ceiling).
  rife::Ensemble choose(double budget_ns, int frames);
  // What a batch of `frames` cost in `mode`.
  void record(rife::Ensemble mode, double cost_ns, int frames);

  rife::Ensemble current() const { return current_; }
  uint64_t switches() const { return switches_; }
  double estimate_ns(rife::Ensemble mode, int frames) const;  // 0 while nothing was measured

 private:
  static constexpr int kModes = 3;
  void switch_to(rife::Ensemble mode);

  Options options_;
  rife::Ensemble ceiling_ = rife::Ensemble::None, current_ = rife::Ensemble::None;
  double recent_ns_ = 0;                               // cost per frame of the current mode, lately
  std::array<double, kModes> ratio_{{1.0, 2.0, 4.0}};  // cost of each mode relative to single pass:
                                                       // rife::passes() until measured
  std::array<bool, kModes> measured_{{true, false, false}};
  double efficiency_ = 1.0;    // cost of k passes / (k x single pass), as last measured
  bool fresh_switch_ = false;  // the next record() is the first after a switch
  rife::Ensemble switched_from_ = rife::Ensemble::None;
  double cost_before_switch_ = 0;  // recent_ns_ of the mode switched from
  int fitting_ = 0;                // consecutive batches the next mode fitted
  uint64_t switches_ = 0;
};

}  // namespace rife_gst
