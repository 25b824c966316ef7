#include "live_qos.h"

#include <algorithm>

namespace rife_gst {

void LiveQos::on_qos_event(GstEvent* event) {
  GstQOSType type;
  gdouble proportion;
  GstClockTimeDiff diff;
  GstClockTime timestamp;
  gst_event_parse_qos(event, &type, &proportion, &diff, &timestamp);
  std::lock_guard<std::mutex> lock(lock_);
  proportion_ = proportion;
  syncing_ = true;
  // As GstBaseTransform does: when late, aim ahead by the lateness once more.
  earliest_ = !GST_CLOCK_TIME_IS_VALID(timestamp) ? GST_CLOCK_TIME_NONE
              : diff > 0                          ? timestamp + 2 * diff
                         : GstClockTime(std::max<GstClockTimeDiff>(0, GstClockTimeDiff(timestamp) + diff));
}

void LiveQos::on_latency_event(GstEvent* event) {
  GstClockTime latency;
  gst_event_parse_latency(event, &latency);
  std::lock_guard<std::mutex> lock(lock_);
  latency_ = latency;
}

void LiveQos::set_upstream_live(bool live) {
  std::lock_guard<std::mutex> lock(lock_);
  live_ = live;
}

void LiveQos::restart() {
  std::lock_guard<std::mutex> lock(lock_);
  earliest_ = GST_CLOCK_TIME_NONE;
  proportion_ = 1.0;
  latency_ = GST_CLOCK_TIME_NONE;
  live_ = syncing_ = false;
  cost_ns_ = 0;
}

void LiveQos::forget_observations() {
  std::lock_guard<std::mutex> lock(lock_);
  earliest_ = GST_CLOCK_TIME_NONE;
}

bool LiveQos::deadline() const {
  std::lock_guard<std::mutex> lock(lock_);
  return live_ || syncing_;
}

void LiveQos::record_cost(double ns) {
  std::lock_guard<std::mutex> lock(lock_);
  // Weighted towards recent frames: the device warms up, the load (other streams) changes.
  cost_ns_ = cost_ns_ == 0 ? ns : 0.8 * cost_ns_ + 0.2 * ns;
}

double LiveQos::mean_cost_ns() const {
  std::lock_guard<std::mutex> lock(lock_);
  return cost_ns_;
}

void LiveQos::skipped() {
  std::lock_guard<std::mutex> lock(lock_);
  cost_ns_ *= 0.95;
}

bool LiveQos::is_late(GstClockTime running_time, GstClockTime now) const {
  if (!GST_CLOCK_TIME_IS_VALID(running_time)) return false;
  std::lock_guard<std::mutex> lock(lock_);
  if (GST_CLOCK_TIME_IS_VALID(earliest_) && running_time <= earliest_) return true;
  if (!live_ || !deadline_known() || !GST_CLOCK_TIME_IS_VALID(now)) return false;
  return double(now) + cost_ns_ > double(running_time + latency_);
}

GstClockTimeDiff LiveQos::time_left(GstClockTime running_time, GstClockTime now) const {
  std::lock_guard<std::mutex> lock(lock_);
  if (!live_ || !deadline_known() || !GST_CLOCK_TIME_IS_VALID(running_time) || !GST_CLOCK_TIME_IS_VALID(now))
    return -1;
  return GST_CLOCK_DIFF(now, running_time + latency_);
}

GstMessage* LiveQos::message(GstObject* source, const GstSegment& segment, GstClockTime pts, GstClockTime duration,
                             guint64 processed, guint64 dropped) const {
  const GstClockTime rt = gst_segment_to_running_time(&segment, GST_FORMAT_TIME, pts);
  std::lock_guard<std::mutex> lock(lock_);
  GstMessage* msg =
      gst_message_new_qos(source, live_, rt, gst_segment_to_stream_time(&segment, GST_FORMAT_TIME, pts), pts, duration);
  const gint64 jitter = GST_CLOCK_TIME_IS_VALID(earliest_) ? GST_CLOCK_DIFF(rt, earliest_) : 0;
  gst_message_set_qos_values(msg, jitter, proportion_, 1000000);
  gst_message_set_qos_stats(msg, GST_FORMAT_BUFFERS, processed, dropped);
  return msg;
}

}  // namespace rife_gst
