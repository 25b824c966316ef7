// Live QoS without pads or elements: whether an interpolation would reach the sink too late, from
// what downstream says (QOS events, the pipeline latency, whether upstream is live) and what a batch
// of interpolations costs (the running mean of the whole wait for one: the shared worker's queue
// plus the computation). Downstream threads report, the streaming thread asks; one lock inside.
//
// An output is late when
//   - a QOS event from a syncing sink says its running time is already behind (`earliest`: the
//     event's timestamp + 2 x jitter when late, as GstBaseTransform computes it), or
//   - upstream is live and the clock says it cannot be ready by its render time (running time +
//     pipeline latency, when the pipeline has one: with sinks that do not sync it is 0 and nothing
//     is ever late), going by the mean cost per interpolated frame.
// Each skip forgets the slow past by 5 %, so that the element tries again once it might keep up (a
// cold GPU's slow first frame must not disable interpolation for good).
#pragma once

#include <gst/gst.h>

#include <mutex>

namespace rife_gst {

class LiveQos {
 public:
  // ---- From downstream threads
  void on_qos_event(GstEvent* event);
  void on_latency_event(GstEvent* event);
  void set_upstream_live(bool live);  // from the LATENCY query's answer

  // ---- From the streaming thread
  void restart();              // start(): nothing known
  void forget_observations();  // a new segment or caps: the QOS events' times belong to the old one
  // There is a deadline: upstream is live, or a sink downstream renders on time (sends QOS events).
  bool deadline() const;
  // What one interpolated frame cost, the whole wait included (typical batches only).
  void record_cost(double ns_per_frame);
  // Whether an output at running time `running_time` would be late if computing started at the
  // clock's running time `now` (NONE: no clock).
  bool is_late(GstClockTime running_time, GstClockTime now) const;
  void skipped();  // an interpolation was skipped: forget the slow past a little
  // Live: how long an output at `running_time` may still take from the clock's running time `now`
  // (its render time minus now); -1 without a live deadline.
  GstClockTimeDiff time_left(GstClockTime running_time, GstClockTime now) const;
  // The QoS message for a skipped interpolation at `pts` (its running time `running_time`).
  GstMessage* message(GstObject* source, const GstSegment& segment, GstClockTime pts, GstClockTime duration,
                      guint64 processed, guint64 dropped) const;

  double mean_cost_ns() const;

 private:
  // A pipeline latency of 0 comes from sinks that do not sync (a live camera recorded to a file,
  // sync=false): nothing waits for a render time, so there is no deadline to miss.
  bool deadline_known() const { return GST_CLOCK_TIME_IS_VALID(latency_) && latency_ > 0; }

  mutable std::mutex lock_;
  GstClockTime earliest_ = GST_CLOCK_TIME_NONE;  // from QOS events: outputs before this are too late
  gdouble proportion_ = 1.0;
  GstClockTime latency_ = GST_CLOCK_TIME_NONE;  // the pipeline latency, from the LATENCY event
  bool live_ = false;                           // upstream is live
  bool syncing_ = false;                        // QOS events arrived
  double cost_ns_ = 0;                          // running mean per interpolated frame
};

}  // namespace rife_gst
