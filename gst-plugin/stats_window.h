// What the element measured since the last `rife-stats` message: frames in and out, the inference
// time of each interpolated frame (a batch's time shared by its frames, the wait for the shared
// worker included), the ensemble it ran in, and how full the forward passes that computed them were
// (rows and streams: with a shared model, other elements' frames ride in the same batches).
#pragma once

#include <gst/gst.h>

#include <algorithm>
#include <array>
#include <vector>

#include "rife_engine.h"

class StatsWindow {
 public:
  void restart(gint64 now_us) {
    start_us_ = now_us;
    in_ = out_ = 0;
    inference_ms_.clear();
    by_ensemble_.fill(0);
    batches_ = rife::BatchStats{};
  }
  void count_in() { ++in_; }
  void count_out() { ++out_; }
  void add_inference(double ms_per_frame, int frames, rife::Ensemble ensemble) {
    inference_ms_.insert(inference_ms_.end(), frames, ms_per_frame);
    by_ensemble_[size_t(ensemble)] += guint64(frames);
  }

  // The forward passes of one interpolation call (a difference of Engine::batch_stats()).
  void add_batches(const rife::BatchStats& b) {
    batches_.batches += b.batches;
    batches_.rows += b.rows;
    batches_.streams += b.streams;
    batches_.cross_stream += b.cross_stream;
  }

  bool due(gint64 now_us, double interval_s) const {
    return interval_s > 0 && start_us_ >= 0 && double(now_us - start_us_) >= interval_s * 1e6;
  }

  // Summarises the window into an element message structure named `rife-stats`.
  GstStructure* summary(gint64 now_us, guint64 skipped_total, guint64 cuts_total, guint64 switches_total,
                        guint model_users) {
    const double seconds = std::max(1e-9, double(now_us - start_us_) / 1e6);
    double mean = 0, p95 = 0;
    if (!inference_ms_.empty()) {
      for (double v : inference_ms_) mean += v;
      mean /= double(inference_ms_.size());
      std::sort(inference_ms_.begin(), inference_ms_.end());
      p95 = inference_ms_[std::min(inference_ms_.size() - 1, size_t(0.95 * double(inference_ms_.size())))];
    }
    // The share of the window's interpolated frames computed in each ensemble mode.
    const double n = std::max<double>(1.0, double(inference_ms_.size()));
    GstStructure* s = gst_structure_new(
        "rife-stats", "interval", G_TYPE_DOUBLE, seconds, "fps-in", G_TYPE_DOUBLE, double(in_) / seconds, "fps-out",
        G_TYPE_DOUBLE, double(out_) / seconds, "interpolated", G_TYPE_UINT64, guint64(inference_ms_.size()),
        "inference-mean-ms", G_TYPE_DOUBLE, mean, "inference-p95-ms", G_TYPE_DOUBLE, p95, "skipped", G_TYPE_UINT64,
        skipped_total, "scene-cuts", G_TYPE_UINT64, cuts_total, "ensemble-none", G_TYPE_DOUBLE,
        double(by_ensemble_[0]) / n, "ensemble-time", G_TYPE_DOUBLE, double(by_ensemble_[1]) / n, "ensemble-time-flip",
        G_TYPE_DOUBLE, double(by_ensemble_[2]) / n, "ensemble-switches", G_TYPE_UINT64, switches_total, nullptr);
    // How full the forward passes were: mean rows (timesteps x ensemble passes, every stream's) and
    // streams per batch, and the share of batches holding more than this stream's work.
    const double batches = std::max<double>(1.0, double(batches_.batches));
    gst_structure_set(s, "batches", G_TYPE_UINT64, guint64(batches_.batches), "batch-frames-mean", G_TYPE_DOUBLE,
                      double(batches_.rows) / batches, "batch-streams-mean", G_TYPE_DOUBLE,
                      double(batches_.streams) / batches, "cross-stream-share", G_TYPE_DOUBLE,
                      double(batches_.cross_stream) / batches, "model-users", G_TYPE_UINT, model_users, nullptr);
    return s;
  }

 private:
  gint64 start_us_ = -1;
  guint64 in_ = 0, out_ = 0;
  std::vector<double> inference_ms_;
  std::array<guint64, 3> by_ensemble_{};
  rife::BatchStats batches_;
};
