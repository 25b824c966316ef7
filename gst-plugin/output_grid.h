// The output timeline of the element: T_k = base + k * GST_SECOND * d / n. Times come from the base
// and a counter (gst_util_uint64_scale), never from accumulated durations, so 30000/1001 streams
// do not drift over hours.
#pragma once

#include <gst/gst.h>

class OutputGrid {
 public:
  void set_rate(gint fps_n, gint fps_d) {
    fps_n_ = fps_n;
    fps_d_ = fps_d;
  }
  void rebase(GstClockTime base) {
    base_ = base;
    k_ = 0;
  }
  void clear() { base_ = GST_CLOCK_TIME_NONE; }
  bool active() const { return GST_CLOCK_TIME_IS_VALID(base_) && fps_n_ > 0; }

  GstClockTime time(guint64 k) const {
    return base_ + gst_util_uint64_scale(k, GST_SECOND * guint64(fps_d_), guint64(fps_n_));
  }
  GstClockTime next() const { return time(k_); }
  GstClockTime next_duration() const { return time(k_ + 1) - time(k_); }
  void advance() { ++k_; }

 private:
  gint fps_n_ = 0, fps_d_ = 1;
  GstClockTime base_ = GST_CLOCK_TIME_NONE;
  guint64 k_ = 0;
};
