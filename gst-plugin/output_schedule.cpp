#include "output_schedule.h"

#include <algorithm>
#include <utility>

namespace rife_gst {
namespace {

// Grid times this close to an input time are that input: nanosecond rounding of the base (a stream
// starting at 2/30 s, say) must not turn a frame into an interpolation at t = 0.99999997.
constexpr GstClockTime kSnap = GST_USECOND;

}  // namespace

const char* to_string(Break reason) {
  switch (reason) {
    case Break::None:
      return "nothing";
    case Break::Discont:
      return "a discontinuity";
    case Break::Backwards:
      return "backwards timestamps";
    case Break::Gap:
      return "a gap";
  }
  return "?";
}

const rife::FrameHandle& OutputSchedule::Batch::before() const { return outputs_.front().before; }
const rife::FrameHandle& OutputSchedule::Batch::after() const { return outputs_.front().after; }

GstClockTime OutputSchedule::Batch::budget() const {
  const Pending& first = outputs_.front();
  if (!GST_CLOCK_TIME_IS_VALID(first.span) || first.pair_interpolations == 0) return first.span;
  return gst_util_uint64_scale(first.span, outputs_.size(), first.pair_interpolations);
}

OutputSchedule::OutputSchedule() = default;
OutputSchedule::~OutputSchedule() = default;

void OutputSchedule::set_rates(gint in_n, gint in_d, gint out_n, gint out_d) {
  in_n_ = in_n, in_d_ = in_d, out_n_ = out_n, out_d_ = out_d;
  grid_.set_rate(out_n, out_d);
}

GstClockTime OutputSchedule::input_frame_duration() const {
  return in_n_ > 0 ? gst_util_uint64_scale(GST_SECOND, guint64(in_d_), guint64(in_n_)) : GST_CLOCK_TIME_NONE;
}

GstClockTime OutputSchedule::output_frame_duration() const {
  return out_n_ > 0 ? gst_util_uint64_scale(GST_SECOND, guint64(out_d_), guint64(out_n_)) : GST_CLOCK_TIME_NONE;
}

guint OutputSchedule::outputs_per_pair() const {
  if (in_n_ <= 0 || out_n_ <= 0) return 2;  // variable rate: the earlier input and the midpoint
  const guint64 ratio = gst_util_uint64_scale_ceil(guint64(out_n_), guint64(in_d_), guint64(out_d_) * guint64(in_n_));
  return guint(std::max<guint64>(1, ratio));
}

GstClockTime OutputSchedule::time_of(GstClockTime pts, GstClockTime duration, GstClockTime segment_start) const {
  if (GST_CLOCK_TIME_IS_VALID(pts)) return pts;
  if (!has_cached()) return segment_start;
  const GstClockTime step = duration_of(duration);
  if (!GST_CLOCK_TIME_IS_VALID(cached_.pts) || !GST_CLOCK_TIME_IS_VALID(step)) return GST_CLOCK_TIME_NONE;
  return inner(cached_.pts + step);
}

GstClockTime OutputSchedule::duration_of(GstClockTime duration) const {
  return GST_CLOCK_TIME_IS_VALID(duration) ? duration : input_frame_duration();
}

Break OutputSchedule::break_before(GstClockTime real_pts, bool discont) const {
  const GstClockTime pts = inner(real_pts);
  if (!has_cached()) return Break::None;
  if (discont) return Break::Discont;
  if (pts <= cached_.pts) return Break::Backwards;
  const GstClockTime frame =
      GST_CLOCK_TIME_IS_VALID(input_frame_duration()) ? input_frame_duration() : cached_.duration;
  if (GST_CLOCK_TIME_IS_VALID(frame) && pts - cached_.pts > 2 * frame) return Break::Gap;
  return Break::None;
}

void OutputSchedule::queue_input(const BufferRef& buffer, GstClockTime pts, GstClockTime duration, guint64 pair) {
  queue_.push_back({OutputKind::Input, pts, duration, next_discont_, pair, buffer.ref(), 0.0f, {}, {}});
  next_discont_ = false;
}

void OutputSchedule::queue_between(const Input& next, bool hold, GstClockTime pts, GstClockTime duration,
                                   float t) {
  const BufferRef& nearer = t < 0.5f ? cached_.buffer : next.buffer;
  if (hold)
    queue_.push_back({OutputKind::Held, pts, duration, next_discont_, pair_, nearer.ref(), 0.0f, {}, {}});
  else
    queue_.push_back({OutputKind::Interpolated, pts, duration, next_discont_, pair_, nearer.ref(), t, cached_.prepared,
                      next.prepared, next.pts - cached_.pts});
  next_discont_ = false;
}

guint OutputSchedule::add(Input input, bool hold) {
  input.pts = inner(input.pts);
  guint held = 0;
  if (has_cached()) {
    const GstClockTime p0 = cached_.pts, p1 = input.pts, span = p1 - p0;
    ++pair_;
    if (variable_rate()) {
      queue_input(cached_.buffer, p0, span / 2, pair_);
      queue_between(input, hold, p0 + span / 2, span - span / 2, 0.5f);
    } else {
      for (GstClockTime tk = grid_.next(); tk + kSnap < p1; grid_.advance(), tk = grid_.next()) {
        if (tk <= p0 + kSnap)
          queue_input(cached_.buffer, tk, grid_.next_duration(), pair_);
        else
          queue_between(input, hold, tk, grid_.next_duration(), float(double(tk - p0) / double(span)));
      }
    }
    guint interpolations = 0;
    for (const auto& p : queue_) {
      interpolations += p.pair == pair_ && p.kind == OutputKind::Interpolated;
      held += p.pair == pair_ && p.kind == OutputKind::Held;
    }
    for (auto& p : queue_)
      if (p.pair == pair_) p.pair_interpolations = interpolations;
  } else if (!variable_rate()) {
    grid_.rebase(input.pts);  // the first frame, or the first after a boundary, starts the grid
  }
  cached_ = std::move(input);
  return held;
}

void OutputSchedule::add_untimed(BufferRef buffer, GstClockTime duration) {
  end_segment();
  queue_input(buffer, GST_CLOCK_TIME_NONE, duration, 0);
}

void OutputSchedule::end_segment() {
  if (!has_cached()) return;
  if (variable_rate() || !grid_.active()) {
    queue_input(cached_.buffer, cached_.pts, cached_.duration, 0);
  } else {
    queue_input(cached_.buffer, grid_.next(), grid_.next_duration(), 0);
    grid_.advance();
  }
  cached_ = Input{};
  grid_.clear();
}

void OutputSchedule::flush() {
  cached_ = Input{};
  queue_.clear();
  ready_.clear();
  grid_.clear();
  next_discont_ = true;
}

void OutputSchedule::restart() {
  flush();
  offset_ = 0;
}

bool OutputSchedule::needs_interpolation() const { return GST_CLOCK_TIME_IS_VALID(upcoming_interpolation()); }

OutputSchedule::Batch OutputSchedule::take_batch(size_t limit) {
  Batch batch;
  if (queue_.front().kind != OutputKind::Interpolated) {
    // The pair's input comes first: it is ready as it is, and leaves before the batch's results.
    ready_.push_back(pop_shown_input());
  }
  const guint64 pair = queue_.front().pair;
  while (!queue_.empty() && batch.size() < std::max<size_t>(1, limit) &&
         queue_.front().kind == OutputKind::Interpolated && queue_.front().pair == pair) {
    batch.timesteps_.push_back(queue_.front().t);
    batch.outputs_.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return batch;
}

void OutputSchedule::complete(Batch batch, std::vector<BufferRef> results) {
  for (size_t i = 0; i < batch.outputs_.size() && i < results.size(); ++i)
    ready_.push_back(stamp(std::move(results[i]), batch.outputs_[i]));
}

GstClockTime OutputSchedule::upcoming_interpolation() const {
  if (!ready_.empty() || queue_.empty()) return GST_CLOCK_TIME_NONE;
  const Pending& next = queue_.front();
  if (next.kind == OutputKind::Interpolated) return inner(next.pts);
  const bool pair_follows = next.kind == OutputKind::Input && next.pair != 0 && queue_.size() > 1 &&
                            queue_[1].kind == OutputKind::Interpolated && queue_[1].pair == next.pair;
  return pair_follows ? inner(queue_[1].pts) : GST_CLOCK_TIME_NONE;
}

guint OutputSchedule::skip_upcoming() {
  if (!GST_CLOCK_TIME_IS_VALID(upcoming_interpolation())) return 0;
  guint skipped = 0;
  Pending& next = queue_.front();
  if (next.kind == OutputKind::Interpolated) {
    // Already past its pair's input: each interpolation shows its nearer input instead.
    for (auto& p : queue_) {
      if (p.kind != OutputKind::Interpolated || p.pair != next.pair) break;
      p.kind = OutputKind::Held;
      p.before.reset(), p.after.reset();
      ++skipped;
    }
  } else {
    // The pair's input is next: it is shown for the time of the interpolations after it.
    while (queue_.size() > 1 && queue_[1].kind == OutputKind::Interpolated && queue_[1].pair == next.pair) {
      next.duration += queue_[1].duration;
      queue_.erase(queue_.begin() + 1);
      ++skipped;
    }
  }
  return skipped;
}

Ready OutputSchedule::pop() {
  if (!ready_.empty()) {
    Ready r = std::move(ready_.front());
    ready_.pop_front();
    return r;
  }
  return pop_shown_input();
}

// The first queued output, an input shown (as itself or held): a new buffer header sharing the
// input's memory (gst_buffer_copy): bit-exact, no copy of pixels, timestamps of its own.
Ready OutputSchedule::pop_shown_input() {
  Pending p = std::move(queue_.front());
  queue_.pop_front();
  return stamp(BufferRef::adopt(gst_buffer_copy(p.input.get())), p);
}

Ready OutputSchedule::stamp(BufferRef buffer, const Pending& p) {
  GstBuffer* buf = gst_buffer_make_writable(buffer.release());
  GST_BUFFER_PTS(buf) = inner(p.pts);
  GST_BUFFER_DTS(buf) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION(buf) = p.duration;
  GST_BUFFER_OFFSET(buf) = offset_;
  GST_BUFFER_OFFSET_END(buf) = ++offset_;
  if (p.discont)
    GST_BUFFER_FLAG_SET(buf, GST_BUFFER_FLAG_DISCONT);
  else
    GST_BUFFER_FLAG_UNSET(buf, GST_BUFFER_FLAG_DISCONT);
  GST_BUFFER_FLAG_UNSET(buf, GST_BUFFER_FLAG_GAP);
  return {BufferRef::adopt(buf), p.kind};
}

}  // namespace rife_gst
