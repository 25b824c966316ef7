// The output schedule on its own, without an element, a pad or an engine: which outputs each input
// gives, at which times and timesteps, what leaves as one batch, and what happens at every kind of
// boundary. Inputs are small GstBuffers; prepared frames are stand-in handles compared by identity.
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "output_schedule.h"

namespace {

using rife_gst::Break;
using rife_gst::OutputKind;
using rife_gst::OutputSchedule;

constexpr GstClockTime ms = GST_MSECOND;

// A prepared-frame handle that only stands for input `n` (the schedule never looks inside).
rife::FrameHandle handle(int n) {
  static std::vector<std::shared_ptr<int>> owners;
  owners.push_back(std::make_shared<int>(n));
  return rife::FrameHandle(owners.back(), reinterpret_cast<const rife::PreparedFrame*>(owners.back().get()));
}

// What came out, one record per output.
struct Out {
  OutputKind kind;
  GstClockTime pts, duration;
  bool discont;
  guint64 offset;
  int source;  // the input whose pixels it shows (Input/Held), -1 for an interpolation
  float t;     // the timestep it was computed at (Interpolated)
};

// Drives a schedule the way the element does, with a fake engine that records its batches.
struct Driver {
  OutputSchedule schedule;
  std::vector<GstBuffer*> inputs;  // input n, to recognise its memory in outputs
  std::vector<std::vector<float>> batches;
  std::vector<std::pair<const void*, const void*>> batch_frames;

  Driver(gint in_n, gint in_d, gint out_n, gint out_d) { schedule.set_rates(in_n, in_d, out_n, out_d); }
  ~Driver() {
    for (auto* b : inputs) gst_buffer_unref(b);
  }

  rife_gst::Input input(GstClockTime pts, GstClockTime duration = GST_CLOCK_TIME_NONE) {
    GstBuffer* b = gst_buffer_new_allocate(nullptr, 16, nullptr);
    inputs.push_back(gst_buffer_ref(b));
    return {BufferRef::adopt(b), handle(int(inputs.size()) - 1), pts, duration};
  }
  // Adds input n at `pts` (ending the segment first where the schedule says it must).
  Break push(GstClockTime pts, bool discont = false, bool cut = false) {
    const Break reason = schedule.break_before(pts, discont);
    if (reason != Break::None) {
      schedule.end_segment();
      schedule.mark_discont();
    }
    schedule.add(input(pts), cut);
    return reason;
  }
  int source_of(GstBuffer* out) const {
    for (size_t i = 0; i < inputs.size(); ++i)
      if (gst_buffer_peek_memory(out, 0) == gst_buffer_peek_memory(inputs[i], 0)) return int(i);
    return -1;
  }
  std::vector<Out> drain() {
    std::vector<Out> out;
    while (!schedule.empty()) {
      if (schedule.needs_interpolation()) {
        auto batch = schedule.take_batch();
        batches.push_back(batch.timesteps());
        batch_frames.emplace_back(batch.before().get(), batch.after().get());
        std::vector<BufferRef> results;
        for (size_t i = 0; i < batch.size(); ++i)
          results.push_back(BufferRef::adopt(gst_buffer_new_allocate(nullptr, 16, nullptr)));
        pending_t.insert(pending_t.end(), batch.timesteps().begin(), batch.timesteps().end());
        schedule.complete(std::move(batch), std::move(results));
      }
      auto r = schedule.pop();
      GstBuffer* b = r.buffer.get();
      float t = 0;
      if (r.kind == OutputKind::Interpolated) {
        t = pending_t.front();
        pending_t.erase(pending_t.begin());
      }
      out.push_back({r.kind, GST_BUFFER_PTS(b), GST_BUFFER_DURATION(b), GST_BUFFER_IS_DISCONT(b) != 0,
                     GST_BUFFER_OFFSET(b), r.kind == OutputKind::Interpolated ? -1 : source_of(b), t});
      EXPECT_EQ(GST_BUFFER_OFFSET_END(b), GST_BUFFER_OFFSET(b) + 1);
    }
    return out;
  }
  std::vector<float> pending_t;
};

GstClockTime at(guint64 k, gint n, gint d) { return gst_util_uint64_scale(k, GST_SECOND * guint64(d), guint64(n)); }

}  // namespace

TEST(OutputSchedule, Doubling25To50AlternatesInputsAndMidpointsOnTheGrid) {
  Driver d(25, 1, 50, 1);
  for (int i = 0; i < 5; ++i) d.push(i * 40 * ms);
  d.schedule.end_segment();
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 9u) << "N inputs give 2N - 1 outputs: the last one once";
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].pts, k * 20 * ms) << k;
    EXPECT_EQ(out[k].duration, 20 * ms) << k;
    EXPECT_EQ(out[k].offset, k);
    EXPECT_EQ(out[k].discont, k == 0) << k;
    if (k % 2 == 0) {
      EXPECT_EQ(out[k].kind, OutputKind::Input);
      EXPECT_EQ(out[k].source, int(k / 2)) << "the input's own memory: bit-exact";
    } else {
      EXPECT_EQ(out[k].kind, OutputKind::Interpolated);
      EXPECT_FLOAT_EQ(out[k].t, 0.5f);
    }
  }
  ASSERT_EQ(d.batches.size(), 4u);
  for (size_t i = 0; i < d.batches.size(); ++i) {
    EXPECT_EQ(d.batches[i].size(), 1u);
    EXPECT_NE(d.batch_frames[i].first, d.batch_frames[i].second);
  }
  EXPECT_EQ(d.schedule.outputs_per_pair(), 2u);
}

TEST(OutputSchedule, From24To60EachPairIsOneBatchOfItsFractionalTimesteps) {
  Driver d(24, 1, 60, 1);
  for (int i = 0; i < 5; ++i) d.push(at(i, 24, 1));
  d.schedule.end_segment();
  const auto out = d.drain();
  // Inputs 0..4 span 4/24 s = 10 output frames, then input 4 once.
  ASSERT_EQ(out.size(), 11u);
  const std::vector<std::vector<float>> want = {{0.4f, 0.8f}, {0.2f, 0.6f}, {0.4f, 0.8f}, {0.2f, 0.6f}};
  ASSERT_EQ(d.batches.size(), want.size());
  for (size_t i = 0; i < want.size(); ++i)
    for (size_t j = 0; j < want[i].size(); ++j) EXPECT_NEAR(d.batches[i][j], want[i][j], 1e-6) << i << "," << j;
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].pts, at(k, 60, 1)) << k;
    EXPECT_EQ(out[k].kind == OutputKind::Input, k % 5 == 0) << "an input wherever the grids meet: " << k;
  }
  EXPECT_EQ(out[5].source, 2) << "1/12 s is input 2";
}

TEST(OutputSchedule, NtscRatesKeepExactTimesOverTenThousandFrames) {
  Driver d(30000, 1001, 60000, 1001);
  GstClockTime base = 3600 * GST_SECOND;  // an hour in: large times, no drift either
  size_t checked = 0;
  for (int i = 0; i < 10000; ++i) {
    d.push(base + at(i, 30000, 1001));
    for (const auto& o : d.drain()) {
      ASSERT_EQ(o.pts, base + at(checked, 60000, 1001)) << checked;
      ASSERT_EQ(o.duration, at(checked + 1, 60000, 1001) - at(checked, 60000, 1001));
      ++checked;
    }
  }
  EXPECT_EQ(checked, 2u * 9999u);
}

TEST(OutputSchedule, VariableRateEmitsTheMidpointOfEachPair) {
  Driver d(0, 1, 0, 1);
  d.push(0);
  d.push(30 * ms);
  d.push(100 * ms);
  d.schedule.end_segment();
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 5u);
  const GstClockTime pts[] = {0, 15 * ms, 30 * ms, 65 * ms, 100 * ms};
  const GstClockTime durations[] = {15 * ms, 15 * ms, 35 * ms, 35 * ms, GST_CLOCK_TIME_NONE};
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].pts, pts[k]) << k;
    EXPECT_EQ(out[k].duration, durations[k]) << k;
  }
  EXPECT_FLOAT_EQ(out[1].t, 0.5f);
  EXPECT_EQ(d.schedule.input_frame_duration(), GST_CLOCK_TIME_NONE);
}

TEST(OutputSchedule, NothingIsInterpolatedAcrossADiscontinuityAndTheNextOutputCarriesTheFlag) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  d.push(40 * ms);
  EXPECT_EQ(d.push(80 * ms, /*discont=*/true), Break::Discont);
  d.push(120 * ms);
  d.schedule.end_segment();
  const auto out = d.drain();
  // 0, mid, 40 (segment end: once), then the new segment from 80: 80, mid, 120.
  ASSERT_EQ(out.size(), 6u);
  EXPECT_EQ(out[2].source, 1);
  EXPECT_EQ(out[2].pts, 40 * ms);
  EXPECT_FALSE(out[2].discont) << "the discontinuity belongs to the frame after it";
  EXPECT_EQ(out[3].source, 2);
  EXPECT_EQ(out[3].pts, 80 * ms);
  EXPECT_TRUE(out[3].discont);
  EXPECT_EQ(d.batches.size(), 2u) << "no batch between inputs 1 and 2";
}

TEST(OutputSchedule, GapsAndBackwardsOrRepeatedTimesAreBreaks) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  EXPECT_EQ(d.schedule.break_before(80 * ms, false), Break::None) << "two frame durations is no gap";
  EXPECT_EQ(d.schedule.break_before(81 * ms, false), Break::Gap);
  EXPECT_EQ(d.schedule.break_before(0, false), Break::Backwards) << "a repeated time";
  d.push(40 * ms);
  EXPECT_EQ(d.push(20 * ms), Break::Backwards);
  EXPECT_EQ(d.push(200 * ms), Break::Gap);
  d.schedule.end_segment();
  int interpolated = 0;
  for (const auto& o : d.drain()) interpolated += o.kind == OutputKind::Interpolated;
  EXPECT_EQ(interpolated, 1) << "only the pair 0 -> 40 ms was continuous";
}

TEST(OutputSchedule, SceneCutsHoldTheNearerInput) {
  Driver d(24, 1, 60, 1);
  d.push(0);
  d.push(at(1, 24, 1), false, /*cut=*/true);  // t = 0.4, 0.8: input 0 then input 1
  d.push(at(2, 24, 1));
  d.schedule.end_segment();
  const auto out = d.drain();
  ASSERT_GE(out.size(), 3u);
  EXPECT_EQ(out[1].kind, OutputKind::Held);
  EXPECT_EQ(out[1].source, 0);
  EXPECT_EQ(out[2].kind, OutputKind::Held);
  EXPECT_EQ(out[2].source, 1);
  EXPECT_EQ(d.batches.size(), 1u) << "only the pair after the cut is interpolated";
}

TEST(OutputSchedule, ALateBatchAfterItsInputFoldsIntoTheInputsDuration) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  d.push(40 * ms);
  d.push(80 * ms);
  EXPECT_EQ(d.schedule.upcoming_interpolation(), 20 * ms) << "input 0 is next, its pair's interpolation after it";
  EXPECT_EQ(d.schedule.skip_upcoming(), 1u);
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].source, 0);
  EXPECT_EQ(out[0].duration, 40 * ms) << "shown until the next output";
  EXPECT_EQ(out[1].pts, 40 * ms);
  EXPECT_EQ(out[2].kind, OutputKind::Interpolated) << "the next pair is computed again";
  EXPECT_EQ(out[1].offset, 1u) << "offsets count what is pushed";
}

TEST(OutputSchedule, ALateBatchWithoutAnInputBeforeItShowsTheNearerInputs) {
  // 24 -> 60: the second pair (1/24 .. 2/24 s) has no output at an input's time: its batch comes
  // right after the first pair's outputs.
  Driver d(24, 1, 60, 1);
  d.push(at(0, 24, 1));
  d.push(at(1, 24, 1));
  d.push(at(2, 24, 1));
  auto first_pair = d.schedule.take_batch();
  std::vector<BufferRef> results;
  for (size_t i = 0; i < first_pair.size(); ++i)
    results.push_back(BufferRef::adopt(gst_buffer_new_allocate(nullptr, 16, nullptr)));
  d.schedule.complete(std::move(first_pair), std::move(results));
  for (int i = 0; i < 3; ++i) d.schedule.pop();  // input 0, t = 0.4, t = 0.8
  EXPECT_EQ(d.schedule.upcoming_interpolation(), at(3, 60, 1));
  EXPECT_EQ(d.schedule.skip_upcoming(), 2u);
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, OutputKind::Held);
  EXPECT_EQ(out[0].source, 1) << "t = 0.2: the earlier input";
  EXPECT_EQ(out[1].kind, OutputKind::Held);
  EXPECT_EQ(out[1].source, 2) << "t = 0.6: the later input";
  EXPECT_EQ(out[0].duration, at(4, 60, 1) - at(3, 60, 1)) << "holds keep their own grid slots";
  EXPECT_TRUE(d.batches.empty()) << "nothing more ran";
}

TEST(OutputSchedule, NothingIsUpcomingWhenTheNextOutputsNeedNoComputation) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  EXPECT_EQ(d.schedule.upcoming_interpolation(), GST_CLOCK_TIME_NONE);
  EXPECT_EQ(d.schedule.skip_upcoming(), 0u);
  d.schedule.end_segment();
  EXPECT_EQ(d.schedule.upcoming_interpolation(), GST_CLOCK_TIME_NONE);
}

TEST(OutputSchedule, EndOfSegmentPushesTheCachedFrameOnceAtTheNextGridTime) {
  Driver d(30, 1, 90, 1);
  d.push(0);
  d.push(at(1, 30, 1));
  d.schedule.end_segment();
  EXPECT_FALSE(d.schedule.has_cached());
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[3].pts, at(3, 90, 1));
  EXPECT_EQ(out[3].duration, at(4, 90, 1) - at(3, 90, 1));
  EXPECT_EQ(out[3].source, 1);
  d.schedule.end_segment();
  EXPECT_TRUE(d.schedule.empty()) << "a second drain has nothing to push";
}

TEST(OutputSchedule, UntimestampedInputsContinueFromThePreviousAtTheInputRate) {
  Driver d(25, 1, 50, 1);
  EXPECT_EQ(d.schedule.time_of(GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 5 * ms), 5 * ms)
      << "the first starts at the segment start";
  d.push(5 * ms);
  EXPECT_EQ(d.schedule.time_of(GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 0), 45 * ms);
  EXPECT_EQ(d.schedule.time_of(GST_CLOCK_TIME_NONE, 10 * ms, 0), 15 * ms) << "the buffer's own duration first";
  EXPECT_EQ(d.schedule.time_of(7 * ms, GST_CLOCK_TIME_NONE, 0), 7 * ms);
  EXPECT_EQ(d.schedule.duration_of(GST_CLOCK_TIME_NONE), 40 * ms);
}

TEST(OutputSchedule, WithAVariableRateAndNoTimesAFramePassesAsItIs) {
  Driver d(0, 1, 0, 1);
  d.push(0);
  EXPECT_EQ(d.schedule.time_of(GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 0), GST_CLOCK_TIME_NONE);
  d.schedule.add_untimed(d.input(GST_CLOCK_TIME_NONE).buffer, 33 * ms);
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].source, 0) << "the cached frame first";
  EXPECT_EQ(out[1].source, 1);
  EXPECT_EQ(out[1].pts, GST_CLOCK_TIME_NONE);
  EXPECT_EQ(out[1].duration, 33 * ms);
}

TEST(OutputSchedule, FlushForgetsEverythingAndTheNextOutputIsDiscont) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  d.push(40 * ms);
  d.schedule.flush();
  EXPECT_TRUE(d.schedule.empty());
  EXPECT_FALSE(d.schedule.has_cached());
  d.push(1000 * ms);
  d.push(1040 * ms);
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].pts, 1000 * ms) << "the grid restarts at the first input after the flush";
  EXPECT_TRUE(out[0].discont);
  EXPECT_EQ(out[0].offset, 0u) << "nothing was pushed before the flush";
  d.schedule.restart();
  d.push(0);
  d.schedule.end_segment();
  EXPECT_EQ(d.drain()[0].offset, 0u) << "restart() counts offsets from 0 again";
}

TEST(OutputSchedule, GridTimesWithinAMicrosecondOfAnInputAreThatInput) {
  // 2/30 s is 66666666 ns: the grid from there meets later inputs only to within rounding.
  Driver d(30, 1, 60, 1);
  for (int i = 2; i < 8; ++i) d.push(at(i, 30, 1));
  d.schedule.end_segment();
  for (const auto& o : d.drain()) {
    if (o.kind == OutputKind::Interpolated) {
      EXPECT_NEAR(o.t, 0.5f, 1e-6) << "never t = 0.99999997";
    }
  }
}

TEST(OutputSchedule, APairsBatchIsDueBeforeItsInputLeaves) {
  Driver d(25, 1, 50, 1);
  d.push(0);
  d.push(40 * ms);
  EXPECT_TRUE(d.schedule.needs_interpolation()) << "input 0 is next, its pair's interpolation right after";
  auto batch = d.schedule.take_batch();
  EXPECT_FALSE(d.schedule.needs_interpolation());
  std::vector<BufferRef> results;
  results.push_back(BufferRef::adopt(gst_buffer_new_allocate(nullptr, 16, nullptr)));
  d.schedule.complete(std::move(batch), std::move(results));
  auto first = d.schedule.pop(), second = d.schedule.pop();
  EXPECT_EQ(first.kind, OutputKind::Input) << "the order does not change: the input first";
  EXPECT_EQ(GST_BUFFER_PTS(first.buffer.get()), 0u);
  EXPECT_EQ(GST_BUFFER_OFFSET(first.buffer.get()), 0u);
  EXPECT_EQ(second.kind, OutputKind::Interpolated);
  EXPECT_EQ(GST_BUFFER_PTS(second.buffer.get()), 20 * ms);
  EXPECT_EQ(GST_BUFFER_OFFSET(second.buffer.get()), 1u);
}

TEST(OutputSchedule, OutputsPerPairBoundsOnePairsBatch) {
  OutputSchedule s;
  s.set_rates(24, 1, 60, 1);
  EXPECT_EQ(s.outputs_per_pair(), 3u);
  s.set_rates(30, 1, 120, 1);
  EXPECT_EQ(s.outputs_per_pair(), 4u);
  s.set_rates(0, 1, 0, 1);
  EXPECT_EQ(s.outputs_per_pair(), 2u);
}

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}

// Reverse playback: inputs arrive with decreasing times; the outputs between two inputs go from the
// later to the earlier on a grid that counts down, each interpolation at t measured from the later
// input (the pair's first), durations on the output grid.
TEST(OutputSchedule, InReverseThePairsRunBackwardsOnAGridThatCountsDown) {
  Driver d(25, 1, 50, 1);
  d.schedule.set_reverse(true);
  for (int i = 4; i >= 0; --i) EXPECT_EQ(d.push(i * 40 * ms), Break::None) << "decreasing times are no break";
  d.schedule.end_segment();
  const auto out = d.drain();
  ASSERT_EQ(out.size(), 9u);
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].pts, (160 - 20 * k) * ms) << k;
    EXPECT_EQ(out[k].duration, 20 * ms) << k;
    EXPECT_EQ(out[k].offset, k);
    if (k % 2 == 0) {
      EXPECT_EQ(out[k].kind, OutputKind::Input);
      EXPECT_EQ(out[k].source, int(k / 2)) << "input k/2 is the one at " << 160 - 40 * (k / 2) << " ms";
    } else {
      EXPECT_EQ(out[k].kind, OutputKind::Interpolated);
      EXPECT_FLOAT_EQ(out[k].t, 0.5f);
    }
  }
  // 24 -> 60 backwards: the same timesteps as forwards, from the later input.
  Driver r(24, 1, 60, 1);
  r.schedule.set_reverse(true);
  for (int i = 2; i >= 0; --i) r.push(at(i, 24, 1));
  r.schedule.end_segment();
  const auto back = r.drain();
  ASSERT_EQ(back.size(), 6u);
  EXPECT_EQ(back[0].pts, at(2, 24, 1));
  EXPECT_EQ(back[1].pts, at(2, 24, 1) - at(1, 60, 1));
  ASSERT_EQ(r.batches.size(), 2u);
  EXPECT_NEAR(r.batches[0][0], 0.4f, 1e-6);
  EXPECT_NEAR(r.batches[0][1], 0.8f, 1e-6);
  // A time going up is backwards in reverse: no interpolation across it.
  Driver b(25, 1, 50, 1);
  b.schedule.set_reverse(true);
  b.push(80 * ms);
  EXPECT_EQ(b.schedule.break_before(120 * ms, false), Break::Backwards);
  EXPECT_EQ(b.schedule.break_before(40 * ms, false), Break::None);
}
