// Which frames the element emits, and when: the timeline of rife without GStreamer pads, elements
// or tensors, so that it can be driven and tested directly.
//
// It keeps the previous input (the cached frame) and the output grid T_k = base + k / rate. When the
// next input arrives, every grid time between the two becomes an output: at t = 0 the earlier input
// itself (pushed as it is, bit-exact), otherwise an interpolation at t = (T_k - p0) / (p1 - p0), or
// at a scene cut the nearer input held in its place. The interpolations of one pair leave as one
// batch for the engine, before the pair's first input is pushed (live, pushing blocks until the
// frame's render time: computing first leaves the batch the whole latency, not one output frame);
// finished outputs leave in time order, stamped (PTS, DURATION, OFFSET, DISCONT). No output is ever
// invented across a discontinuity, a gap or backwards time, and no input is ever dropped.
//
//   schedule.add(input, hold);                          // queues the outputs up to this input
//   while (!schedule.empty()) {
//     if (schedule.needs_interpolation()) {             // the next output must be computed first
//       Batch b = schedule.take_batch();                // before(), after(), timesteps()
//       schedule.complete(std::move(b), results);       // the engine's frames, in batch order
//     }
//     push(schedule.pop().buffer);
//   }
#pragma once

#include <gst/gst.h>

#include <cstdint>
#include <deque>
#include <vector>

#include "buffer_ref.h"
#include "output_grid.h"
#include "rife_engine.h"

namespace rife_gst {

// Why the next input cannot be interpolated from the cached frame.
enum class Break { None, Discont, Backwards, Gap };
const char* to_string(Break reason);

// One input frame: its buffer (what an output at its own time pushes), its prepared form on the
// engine's device, and its time.
struct Input {
  BufferRef buffer;
  rife::FrameHandle prepared;
  GstClockTime pts = GST_CLOCK_TIME_NONE;
  GstClockTime duration = GST_CLOCK_TIME_NONE;
};

// What an output is.
enum class OutputKind {
  Input,        // an input at its own grid time
  Held,         // an input shown in place of an interpolation (scene cut, QoS skip)
  Interpolated  // computed by the engine
};

// A finished output, stamped and ready to push.
struct Ready {
  BufferRef buffer;
  OutputKind kind;
};

class OutputSchedule {
  // One output still to produce.
  struct Pending {
    OutputKind kind;
    GstClockTime pts, duration;
    bool discont;
    guint64 pair;     // the pair of inputs it lies between (0: none)
    BufferRef input;  // Input/Held: the input shown. Interpolated: the nearer input (held if skipped)
    float t;          // Interpolated: the timestep between `before` and `after`
    rife::FrameHandle before, after;
    GstClockTime span = GST_CLOCK_TIME_NONE;  // Interpolated: the time from `before` to `after`
    guint pair_interpolations = 0;            // Interpolated: how many the pair has in all
  };

 public:
  // Interpolations of one pair of inputs, computed together: the whole pair, or as many as the
  // engine's memory budget holds (take_batch()'s limit) when the pair has more (1 -> 240 fps).
  class Batch {
   public:
    const rife::FrameHandle& before() const;
    const rife::FrameHandle& after() const;
    const std::vector<float>& timesteps() const { return timesteps_; }
    size_t size() const { return timesteps_.size(); }
    // The time between the pair's two inputs: live, the next pair is due that much later.
    GstClockTime pair_span() const { return outputs_.front().span; }
    // This batch's share of that time: its part of the pair's interpolations.
    GstClockTime budget() const;

   private:
    friend class OutputSchedule;
    std::vector<Pending> outputs_;
    std::vector<float> timesteps_;
  };

  OutputSchedule();
  ~OutputSchedule();

  // Input and output rates; an input rate of 0/1 (variable) emits the midpoint of each pair.
  void set_rates(gint in_n, gint in_d, gint out_n, gint out_d);
  // Reverse playback (a segment with a negative rate): inputs come with decreasing times, and the
  // outputs between two of them go from the later to the earlier, on a grid that counts down. The
  // schedule then works on mirrored times (kMirror - t), where they increase, so that everything
  // else (pairs, grid, breaks, QoS) is the same code. Takes effect for the next input (flush() first).
  void set_reverse(bool reverse) { reverse_ = reverse; }
  bool reverse() const { return reverse_; }
  bool variable_rate() const { return in_n_ == 0; }
  GstClockTime input_frame_duration() const;  // NONE for a variable rate
  GstClockTime output_frame_duration() const;
  // Outputs between two inputs at most (2 for 2x, 3 for 24 -> 60), the earlier input included.
  guint outputs_per_pair() const;

  // ---- Inputs
  // The time of an input: its PTS; without one, the cached frame's time plus `duration` (or one
  // input frame; minus, in reverse), or `segment_start` for the first input of a segment (its stop,
  // in reverse). NONE when there is nothing to go by (a variable rate).
  GstClockTime time_of(GstClockTime pts, GstClockTime duration, GstClockTime segment_start) const;
  GstClockTime duration_of(GstClockTime duration) const;  // the buffer's, else one input frame
  // Whether an input at `pts` (DISCONT flag `discont`) lies across a discontinuity from the cached
  // frame: the DISCONT flag, a time not after the cached one, or a gap of more than two frames.
  Break break_before(GstClockTime pts, bool discont) const;
  bool has_cached() const { return bool(cached_.buffer); }
  const rife::FrameHandle& cached() const { return cached_.prepared; }
  // Queues every output between the cached frame and `input`, then caches `input`. With `hold`
  // (a scene cut, a still pair) each interpolation is replaced by the nearer input. Returns how many
  // were held. `input.pts` must be valid and after the cached frame's (end_segment() first when
  // break_before() says so).
  guint add(Input input, bool hold);
  // An input with no usable time: the segment ends, then it passes as it is.
  void add_untimed(BufferRef buffer, GstClockTime duration);

  // ---- Boundaries
  // The cached frame leaves once more, at the next grid time; nothing interpolates across. For
  // EOS, GAP, caps changes and breaks.
  void end_segment();
  // The next output carries DISCONT.
  void mark_discont() { next_discont_ = true; }
  // Forgets the cached frame, the queued outputs and the grid (FLUSH_STOP, SEGMENT, STREAM_START,
  // caps); the next output carries DISCONT.
  void flush();
  // flush(), and output offsets count from 0 again (a new start).
  void restart();

  // ---- Outputs, in time order
  bool empty() const { return ready_.empty() && queue_.empty(); }
  // Whether a batch is due: the next output is an interpolation still to compute, or the pair's
  // input whose interpolations follow it (take_batch() readies that input and takes the batch).
  bool needs_interpolation() const;
  // At most `limit` interpolations of the next pair (its first ones, in time order); the rest
  // follow in the next batches.
  Batch take_batch(size_t limit = SIZE_MAX);
  // The engine's results for `batch`, one per timestep in order; they become ready outputs.
  void complete(Batch batch, std::vector<BufferRef> results);
  // QoS: the time of the first interpolation not computed yet when it is next, or comes right after
  // the next output (its pair's first input); NONE otherwise.
  GstClockTime upcoming_interpolation() const;
  // Those interpolations are not computed: after their pair's input they fold into its duration
  // (it is shown until the next output), otherwise each is held as its nearer input. Returns how
  // many were skipped.
  guint skip_upcoming();
  // The next output (needs_interpolation() must be false).
  Ready pop();

 private:
  void queue_input(const BufferRef& buffer, GstClockTime pts, GstClockTime duration, guint64 pair);
  void queue_between(const Input& next, bool hold, GstClockTime pts, GstClockTime duration, float t);
  Ready stamp(BufferRef buffer, const Pending& p);
  Ready pop_shown_input();

  // A time as the schedule keeps it (mirrored in reverse), and back (the same map).
  GstClockTime inner(GstClockTime t) const { return reverse_ && GST_CLOCK_TIME_IS_VALID(t) ? kMirror - t : t; }
  static constexpr GstClockTime kMirror = GstClockTime(G_MAXINT64);

  gint in_n_ = 0, in_d_ = 1, out_n_ = 0, out_d_ = 1;
  bool reverse_ = false;
  OutputGrid grid_;
  Input cached_;
  std::deque<Pending> queue_;  // outputs still to produce, in time order
  std::deque<Ready> ready_;    // computed outputs; they come before everything in queue_
  guint64 pair_ = 0;           // numbers the pairs: the interpolations of one pair form one batch
  guint64 offset_ = 0;         // OFFSET of the next output
  bool next_discont_ = true;
};

}  // namespace rife_gst
