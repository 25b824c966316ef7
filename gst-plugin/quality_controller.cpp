#include "quality_controller.h"

namespace rife_gst {
namespace {

constexpr double kRecentWeight = 0.6;  // of the newest batch in the running cost of the current mode

int index_of(rife::Ensemble mode) { return int(mode); }
rife::Ensemble mode_at(int index) { return rife::Ensemble(index); }
double passes_at(int index) { return rife::passes(mode_at(index)); }

}  // namespace

void QualityController::reset(rife::Ensemble ceiling) {
  *this = QualityController(options_);
  ceiling_ = ceiling;
}

double QualityController::estimate_ns(rife::Ensemble mode, int frames) const {
  return recent_ns_ / ratio_[index_of(current_)] * ratio_[index_of(mode)] * frames;
}

void QualityController::switch_to(rife::Ensemble mode) {
  switched_from_ = current_;
  cost_before_switch_ = recent_ns_;
  fresh_switch_ = true;
  current_ = mode;
  fitting_ = 0;
  ++switches_;
}

rife::Ensemble QualityController::choose(double budget_ns, int frames) {
  if (budget_ns <= 0) return ceiling_;   // no deadline: the best allowed
  if (recent_ns_ == 0) return current_;  // nothing measured yet
  if (estimate_ns(current_, frames) > options_.down_margin * budget_ns) {
    int best = 0;
    for (int m = index_of(current_) - 1; m > 0; --m)
      if (estimate_ns(mode_at(m), frames) <= options_.up_margin * budget_ns) {
        best = m;
        break;
      }
    if (mode_at(best) != current_) switch_to(mode_at(best));
  } else if (current_ != ceiling_) {
    const rife::Ensemble next = mode_at(index_of(current_) + 1);
    fitting_ = estimate_ns(next, frames) <= options_.up_margin * budget_ns ? fitting_ + 1 : 0;
    if (fitting_ >= options_.up_after) switch_to(next);
  }
  return current_;
}

void QualityController::record(rife::Ensemble mode, double cost_ns, int frames) {
  if (frames <= 0 || cost_ns <= 0 || mode != current_) return;
  const double per_frame = cost_ns / frames;
  if (!fresh_switch_) {
    recent_ns_ = recent_ns_ == 0 ? per_frame : (1 - kRecentWeight) * recent_ns_ + kRecentWeight * per_frame;
    return;
  }
  // The first batch after a switch against the last ones before it: the two modes' cost ratio.
  fresh_switch_ = false;
  const int from = index_of(switched_from_), to = index_of(current_);
  const double ratio = ratio_[from] * per_frame / cost_before_switch_;  // of `to`, relative to single pass
  if (to > 0) {
    ratio_[to] = measured_[to] ? 0.5 * ratio_[to] + 0.5 * ratio : ratio;
    measured_[to] = true;
    efficiency_ = ratio_[to] / passes_at(to);
  } else if (from > 0) {  // down to single pass: what the mode left cost, relative to it
    ratio_[from] = 0.5 * ratio_[from] + 0.5 * (cost_before_switch_ / per_frame);
    efficiency_ = ratio_[from] / passes_at(from);
  }
  for (int k = 1; k < kModes; ++k)
    if (!measured_[k]) ratio_[k] = passes_at(k) * efficiency_;
  recent_ns_ = per_frame;
}

}  // namespace rife_gst
