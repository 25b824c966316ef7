// What live users need beyond doubling a clean stream: any output rate with the right timestep
// for each output, no drift over 10 000 frames, scene cuts held instead of morphed, QoS skipping
// interpolations that would be late, and periodic statistics.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <string>
#include <tuple>
#include <vector>

#include "appsink_frames.h"
#include "rife_engine.h"
#include "rife_harness.h"
#include "test_support.h"

namespace {

using rife_test::pull_all;
constexpr auto bytes = rife_test::bytes_of;
using rife_test::unref_all;

const std::string kModel = rife_test::fixture_model();

using rife_test::buffer_of;
using rife_test::counter;
using rife_test::moving_frame;
using rife_test::rgb_caps;

using rife_test::new_rife_harness;

int max_abs_diff(const std::vector<guint8>& a, const std::vector<guint8>& b) {
  int m = a.size() == b.size() ? 0 : 256;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::abs(int(a[i]) - int(b[i])));
  return m;
}

using rife_test::messages;

}  // namespace

TEST(AnyRate, From24To60EachOutputIsTheInterpolationAtItsFractionalPosition) {
  // 24 -> 60 fps: output k at k/60 s falls between inputs i = floor(k * 24 / 60) and i + 1, at
  // t = frac(0.4 k): 0, 0.4, 0.8, 0.2, 0.6, 0, ... ; t = 0 is the input itself.
  const int w = 40, h = 24, n = 6;
  GstHarness* hs = new_rife_harness(rgb_caps(w, h, "24/1"), "scene-detection=false", kModel, rgb_caps(w, h, "60/1"));
  std::vector<std::vector<guint8>> inputs;
  for (int i = 0; i < n; ++i) {
    inputs.push_back(moving_frame(w, h, i));
    ASSERT_EQ(gst_harness_push(hs, buffer_of(inputs.back(), gst_util_uint64_scale(i, GST_SECOND, 24))), GST_FLOW_OK);
  }
  ASSERT_TRUE(gst_harness_push_event(hs, gst_event_new_eos()));
  auto out = pull_all(hs);
  // Outputs 0..12 lie before the last input (12.5/60 s); the last input follows once at 13/60 s.
  ASSERT_EQ(out.size(), 14u);

  // The same pairs through the engine directly, one timestep at a time.
  rife::EngineOptions o;
  o.model_path = kModel;
  o.device = "cpu";
  rife::Engine engine(o);
  engine.configure({w, h, rife::PixelFormat::RGB});
  std::vector<rife::FrameHandle> prepared;
  for (auto& f : inputs) prepared.push_back(engine.prepare(f.data(), size_t(w) * 3));
  const float expected_t[] = {0.0f, 0.4f, 0.8f, 0.2f, 0.6f};
  for (guint64 k = 0; k < 13; ++k) {
    EXPECT_EQ(GST_BUFFER_PTS(out[k]), gst_util_uint64_scale(k, GST_SECOND, 60)) << k;
    const float t = expected_t[k % 5];
    const size_t i = size_t(k * 24 / 60);
    if (t == 0.0f) {
      EXPECT_EQ(bytes(out[k]), inputs[i]) << "output " << k << " is input " << i;
      continue;
    }
    std::vector<guint8> want(inputs[0].size());
    engine.interpolate(prepared[i], prepared[i + 1], t, want.data(), size_t(w) * 3);
    // The element runs the timesteps of a pair as one batch: same math, rounding may differ by 1.
    EXPECT_LE(max_abs_diff(bytes(out[k]), want), 1) << "output " << k << ": pair " << i << ", t = " << t;
    EXPECT_GT(max_abs_diff(bytes(out[k]), inputs[i]), 1) << k;
  }
  EXPECT_EQ(bytes(out[13]), inputs[5]);
  EXPECT_EQ(GST_BUFFER_PTS(out[13]), gst_util_uint64_scale(13, GST_SECOND, 60));
  EXPECT_EQ(counter(hs, "frames-interpolated"), 10u);
  unref_all(out);
  gst_harness_teardown(hs);
}

TEST(AnyRate, TenThousandNtscFramesKeepExactTimestamps) {
  // 30000/1001 -> 60000/1001 for 10 000 input frames (5.5 minutes of video): every output time is
  // base + k * 1001/60000 s to the nanosecond, and durations tile the timeline without gaps.
  // RIFE_DRIFT_FRAMES: fewer under the sanitizers (tests/sanitizers.sh), where each frame costs 30x.
  const char* env = std::getenv("RIFE_DRIFT_FRAMES");
  const int n = env ? std::max(2, std::atoi(env)) : 10000;
  GstHarness* hs = new_rife_harness(rgb_caps(8, 8, "30000/1001"));
  const auto frame = moving_frame(8, 8, 0);
  GstClockTime expected_next = 0;
  guint64 k = 0, bad = 0;
  auto check = [&](GstBuffer* b) {
    const GstClockTime want = gst_util_uint64_scale(k, GST_SECOND * 1001, 60000);
    if (GST_BUFFER_PTS(b) != want || GST_BUFFER_PTS(b) != expected_next) ++bad;
    expected_next = GST_BUFFER_PTS(b) + GST_BUFFER_DURATION(b);
    ++k;
    gst_buffer_unref(b);
  };
  for (int i = 0; i < n; ++i) {
    ASSERT_EQ(gst_harness_push(hs, buffer_of(frame, gst_util_uint64_scale(i, GST_SECOND * 1001, 30000))), GST_FLOW_OK);
    while (GstBuffer* b = gst_harness_try_pull(hs)) check(b);
  }
  ASSERT_TRUE(gst_harness_push_event(hs, gst_event_new_eos()));
  while (GstBuffer* b = gst_harness_try_pull(hs)) check(b);
  EXPECT_EQ(k, guint64(2 * n - 1));
  EXPECT_EQ(bad, 0u) << "outputs off the 60000/1001 grid";
  // One picture repeated: every pair is still, so the outputs between inputs are the input itself.
  EXPECT_EQ(counter(hs, "frames-still"), guint64(n - 1));
  EXPECT_EQ(counter(hs, "frames-interpolated"), 0u);
  gst_harness_teardown(hs);
}

namespace {

// Real frames at 160x96: the car-turn clip, then a Middlebury picture: a real cut.
std::vector<std::vector<guint8>> real_frames(const std::string& source, int count) {
  auto frames = rife_test::run_to_appsink(source +
                                          " ! videoconvert ! videoscale ! "
                                          "video/x-raw,format=RGB,width=160,height=96 ! appsink name=sink sync=false");
  std::vector<std::vector<guint8>> out;
  for (int i = 0; i < count && i < int(frames.size()); ++i) out.push_back(frames[size_t(i)].bytes);
  return out;
}

struct CutRun {
  std::vector<std::vector<guint8>> outputs;
  guint64 cuts, interpolated;
};

CutRun run_across_a_cut(const std::vector<std::vector<guint8>>& inputs, const std::string& options) {
  GstHarness* hs = new_rife_harness(rgb_caps(160, 96, "30/1"), options);
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(gst_harness_push(hs, buffer_of(inputs[i], gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  EXPECT_TRUE(gst_harness_push_event(hs, gst_event_new_eos()));
  auto out = pull_all(hs);
  CutRun r{{}, counter(hs, "scene-cuts"), counter(hs, "frames-interpolated")};
  for (auto* b : out) r.outputs.push_back(bytes(b));
  unref_all(out);
  gst_harness_teardown(hs);
  return r;
}

}  // namespace

TEST(SceneCuts, ACutBetweenTwoRealClipsIsHeldNotMorphed) {
  auto car = real_frames("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") + " ! decodebin", 3);
  const std::string mb = rife_test::testdata("middlebury-other-interp/Urban2/");
  auto other = real_frames("multifilesrc location=" + mb +
                               "frame1%d.png start-index=0 stop-index=1 "
                               "caps=image/png,framerate=1/1 ! pngdec",
                           2);
  ASSERT_EQ(car.size(), 3u);
  ASSERT_EQ(other.size(), 2u);
  std::vector<std::vector<guint8>> inputs = {car[0], car[1], car[2], other[0], other[1]};

  // Outputs: car0 i car1 i car2 | HOLD mid0 i mid1. At the cut the output at t = 0.5 is the nearest
  // input, the first frame of the new scene, bit-exact.
  const CutRun on = run_across_a_cut(inputs, "");
  ASSERT_EQ(on.outputs.size(), 9u);
  EXPECT_EQ(on.cuts, 1u);
  EXPECT_EQ(on.interpolated, 3u) << "the pair across the cut is not interpolated";
  EXPECT_EQ(on.outputs[5], other[0]) << "held: the new scene's first frame";
  for (int k : {1, 3, 7}) EXPECT_NE(on.outputs[size_t(k)], on.outputs[size_t(k - 1)]) << k << " is interpolated";

  // Off switch and threshold: no cut detected, the pair across it is morphed like any other.
  for (const char* options : {"scene-detection=false", "scene-threshold=0.9"}) {
    const CutRun off = run_across_a_cut(inputs, options);
    ASSERT_EQ(off.outputs.size(), 9u) << options;
    EXPECT_EQ(off.cuts, 0u) << options;
    EXPECT_EQ(off.interpolated, 4u) << options;
    EXPECT_NE(off.outputs[5], other[0]) << options;
    EXPECT_NE(off.outputs[5], car[2]) << options;
  }
}

TEST(SceneCuts, TheRealClipHasNoFalseCuts) {
  // car-turn is a fast real pan: none of its 80 consecutive pairs may count as a cut.
  auto car = real_frames("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") + " ! decodebin", 81);
  ASSERT_EQ(car.size(), 81u);
  rife::EngineOptions o;
  o.model_path = kModel;
  o.device = "cpu";
  rife::Engine engine(o);
  engine.configure({160, 96, rife::PixelFormat::RGB});
  float worst = 0;
  rife::FrameHandle prev;
  for (size_t i = 0; i < car.size(); ++i) {
    auto p = engine.prepare(car[i].data(), 160 * 3);
    if (prev) worst = std::max(worst, engine.difference(prev, p));
    prev = p;
  }
  EXPECT_LT(worst, rife::kSceneCutThreshold) << "the default threshold must sit above real motion";
  // For the record (README, Scene cuts): how far real cuts score above it, from the clip's last
  // frame to each Middlebury picture.
  float least_cut = 1;
  for (const char* scene : {"Beanbags", "Dimetrodon", "Grove2", "Hydrangea", "RubberWhale", "Urban2"}) {
    auto other = real_frames(
        "filesrc location=" + rife_test::testdata(std::string("middlebury-other-interp/") + scene + "/frame10.png") +
            " ! pngdec",
        1);
    ASSERT_EQ(other.size(), 1u) << scene;
    least_cut = std::min(least_cut, engine.difference(prev, engine.prepare(other[0].data(), 160 * 3)));
  }
  std::printf(
      "car-turn at 160x96: largest scene-change score between consecutive frames %.3f; smallest cut to a "
      "Middlebury picture %.3f (threshold %.2f)\n",
      worst, least_cut, rife::kSceneCutThreshold);
  EXPECT_GT(least_cut, rife::kSceneCutThreshold);
}

// Frames of `launch` (a source) as RGB at w x h.
std::vector<std::vector<guint8>> frames_at(const std::string& launch, int w, int h) {
  std::vector<std::vector<guint8>> out;
  for (auto& f : rife_test::run_to_appsink(
           launch + " ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=" + std::to_string(w) +
           ",height=" + std::to_string(h) + " ! appsink name=sink sync=false"))
    out.push_back(std::move(f.bytes));
  return out;
}

struct StillRun {
  std::vector<std::vector<guint8>> outputs;
  guint64 still, interpolated;
};

StillRun run_inputs(const std::vector<std::vector<guint8>>& inputs, int w, int h, const std::string& options,
                    const std::string& model = kModel) {
  GstHarness* hs = new_rife_harness(rgb_caps(w, h, "30/1"), options, model);
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(gst_harness_push(hs, buffer_of(inputs[i], gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  EXPECT_TRUE(gst_harness_push_event(hs, gst_event_new_eos()));
  auto out = pull_all(hs);
  StillRun r{{}, counter(hs, "frames-still"), counter(hs, "frames-interpolated")};
  for (auto* b : out) r.outputs.push_back(bytes(b));
  unref_all(out);
  gst_harness_teardown(hs);
  return r;
}

int max_level_difference(const std::vector<guint8>& a, const std::vector<guint8>& b) {
  int worst = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
  return worst;
}

// A paused scene, a still camera, repeated frames: between two inputs that are the same picture the
// outputs are that picture, bit-exact, and the network does not run (before: up to 31 levels off on a
// real frame, 58 on the test pattern, at the default flow scale 2 — flicker on still content).
TEST(StillPairs, IdenticalFramesGiveTheFrameItselfWithoutRunningTheNetwork) {
  const auto real =
      frames_at("filesrc location=" + rife_test::testdata("rife-demo-pairs/practical_i0.png") + " ! pngdec", 320, 180);
  const auto pattern = frames_at("videotestsrc num-buffers=1 pattern=smpte", 320, 240);
  ASSERT_EQ(real.size(), 1u);
  ASSERT_EQ(pattern.size(), 1u);
  for (const auto& [frame, h, what] :
       {std::tuple{real[0], 180, "real frame 320x180"}, std::tuple{pattern[0], 240, "test pattern 320x240"}}) {
    const std::vector<std::vector<guint8>> inputs(4, frame);
    const StillRun on = run_inputs(inputs, 320, h, "scene-detection=false", rife_test::real_model_path());
    ASSERT_EQ(on.outputs.size(), 7u) << what;
    for (const auto& out : on.outputs) EXPECT_EQ(out, frame) << what << ": every output is the input, bit-exact";
    EXPECT_EQ(on.still, 3u) << what << ": the three outputs between inputs are counted";
    EXPECT_EQ(on.interpolated, 0u) << what << ": no inference";
    // What the switch turns off: the network on a still pair, real weights, the automatic scale.
    const StillRun off =
        run_inputs(inputs, 320, h, "scene-detection=false still-detection=false", rife_test::real_model_path());
    ASSERT_EQ(off.outputs.size(), 7u);
    EXPECT_EQ(off.still, 0u);
    EXPECT_EQ(off.interpolated, 3u);
    std::printf(
        "%s, 4 identical inputs: still-detection on: outputs bit-exact; off: interpolated frames up to "
        "%d levels from the input\n",
        what, max_level_difference(off.outputs[1], frame));
  }
}

// Real noise is still, real motion is not: car-turn's last frame repeats frame 79 through the codec
// (49.8 dB apart), frames 78 -> 79 move; a 24x24 patch moved 8 pixels in an otherwise identical
// frame moves.
TEST(StillPairs, ARepeatedFrameThroughTheCodecIsStillWhileRealAndSmallMotionIsNot) {
  auto car =
      frames_at("filesrc location=" + rife_test::testdata("davis-car-turn/car-turn.mp4") + " ! decodebin", 640, 360);
  ASSERT_EQ(car.size(), 81u);
  const StillRun end = run_inputs({car[78], car[79], car[80]}, 640, 360, "scene-detection=false scale=1");
  ASSERT_EQ(end.outputs.size(), 5u);
  EXPECT_EQ(end.interpolated, 1u) << "78 -> 79 moves";
  EXPECT_EQ(end.still, 1u) << "79 -> 80 is frame 79 again through the codec";
  EXPECT_EQ(end.outputs[3], car[80]) << "held: the nearer input (at t = 0.5 the later one)";

  std::vector<guint8> moved = car[40];
  for (int y = 0; y < 24; ++y)  // the 24x24 patch at (100, 100) copied to (108, 100)
    for (int x = 23; x >= 0; --x)
      for (int c = 0; c < 3; ++c)
        moved[(size_t(100 + y) * 640 + 108 + x) * 3 + c] = car[40][(size_t(100 + y) * 640 + 100 + x) * 3 + c];
  const StillRun object = run_inputs({car[40], moved}, 640, 360, "scene-detection=false scale=1");
  EXPECT_EQ(object.still, 0u) << "a small object moving in a still scene is interpolated";
  EXPECT_EQ(object.interpolated, 1u);
}

TEST(Qos, AQosEventFromDownstreamSkipsInterpolationsThatWouldBeLate) {
  // The sink reports that everything before 10/30 s is too late: the 10 interpolations before it
  // are skipped and their inputs cover their time (duration 1/30 s); after it, 2x resumes.
  for (const bool qos : {true, false}) {
    rife_test::HarnessOnBus harness(rgb_caps(32, 24, "30/1"),
                                    std::string("scene-detection=false qos=") + (qos ? "true" : "false"));
    GstHarness* hs = harness.h;
    GstBus* bus = harness.bus;
    ASSERT_EQ(gst_harness_push(hs, buffer_of(moving_frame(32, 24, 0), 0)), GST_FLOW_OK);
    ASSERT_TRUE(gst_harness_push_upstream_event(
        hs, gst_event_new_qos(GST_QOS_TYPE_UNDERFLOW, 2.0, 0, gst_util_uint64_scale(10, GST_SECOND, 30))));
    for (int i = 1; i <= 13; ++i)
      ASSERT_EQ(gst_harness_push(hs, buffer_of(moving_frame(32, 24, i), gst_util_uint64_scale(i, GST_SECOND, 30))),
                GST_FLOW_OK);
    auto out = pull_all(hs);
    if (!qos) {
      EXPECT_EQ(out.size(), 26u) << "qos=false: every interpolation computed";
      EXPECT_EQ(counter(hs, "frames-skipped"), 0u);
    } else {
      ASSERT_EQ(out.size(), 10u + 6u);
      EXPECT_EQ(counter(hs, "frames-skipped"), 10u);
      EXPECT_EQ(counter(hs, "frames-interpolated"), 3u);
      GstClockTime next = 0;
      for (size_t k = 0; k < out.size(); ++k) {
        EXPECT_EQ(GST_BUFFER_PTS(out[k]), next) << "no gap in the timeline at " << k;
        const GstClockTime want = k < 10 ? GST_SECOND / 30 : gst_util_uint64_scale(1, GST_SECOND, 60);
        EXPECT_NEAR(double(GST_BUFFER_DURATION(out[k])), double(want), 1.0) << k;
        next = GST_BUFFER_PTS(out[k]) + GST_BUFFER_DURATION(out[k]);
      }
      auto qos_messages = messages(bus, GST_MESSAGE_QOS);
      EXPECT_EQ(qos_messages.size(), 10u) << "one QoS message per skipped interpolation";
      if (!qos_messages.empty()) {
        GstFormat format;
        guint64 processed = 0, dropped = 0;
        gst_message_parse_qos_stats(qos_messages.back(), &format, &processed, &dropped);
        EXPECT_EQ(dropped, 10u);
      }
      for (auto* m : qos_messages) gst_message_unref(m);
    }
    unref_all(out);
  }
}

TEST(Stats, RifeStatsMessagesArePostedEveryInterval) {
  // Frames are pushed until four windows have been reported, however slow the machine (ASan, load):
  // the assertions are about the windows, not about how many fit in a fixed time.
  const double interval_s = 0.1;
  const gint64 t0 = g_get_monotonic_time();
  rife_test::HarnessOnBus harness(rgb_caps(32, 24, "30/1"), "scene-detection=false stats-interval=0.1");
  GstHarness* hs = harness.h;
  GstBus* bus = harness.bus;
  std::vector<GstMessage*> stats;
  double longest_push_gap_s = 0;
  gint64 last_push = g_get_monotonic_time();
  for (int i = 0; stats.size() < 4; ++i) {
    ASSERT_LT(g_get_monotonic_time() - t0, 60 * G_USEC_PER_SEC) << "only " << stats.size() << " rife-stats in 60 s";
    ASSERT_EQ(gst_harness_push(hs, buffer_of(moving_frame(32, 24, i), gst_util_uint64_scale(i, GST_SECOND, 30))),
              GST_FLOW_OK);
    const gint64 now = g_get_monotonic_time();
    longest_push_gap_s = std::max(longest_push_gap_s, double(now - last_push) / 1e6);
    last_push = now;
    for (auto* m : messages(bus, GST_MESSAGE_ELEMENT)) stats.push_back(m);
    g_usleep(10000);
  }
  const double elapsed_s = double(g_get_monotonic_time() - t0) / 1e6;
  auto out = pull_all(hs);
  double total_s = 0, total_in = 0, total_out = 0;
  for (auto* m : stats) {
    const GstStructure* s = gst_message_get_structure(m);
    ASSERT_TRUE(gst_structure_has_name(s, "rife-stats"));
    double interval = 0, fps_in = 0, fps_out = 0, mean = 0, p95 = 0;
    guint64 interpolated = 0, skipped = 1, cuts = 1;
    ASSERT_TRUE(gst_structure_get(s, "interval", G_TYPE_DOUBLE, &interval, "fps-in", G_TYPE_DOUBLE, &fps_in, "fps-out",
                                  G_TYPE_DOUBLE, &fps_out, "interpolated", G_TYPE_UINT64, &interpolated,
                                  "inference-mean-ms", G_TYPE_DOUBLE, &mean, "inference-p95-ms", G_TYPE_DOUBLE, &p95,
                                  "skipped", G_TYPE_UINT64, &skipped, "scene-cuts", G_TYPE_UINT64, &cuts, nullptr))
        << gst_structure_to_string(s);
    // A window closes at the first output after the interval has passed.
    EXPECT_GE(interval, interval_s);
    EXPECT_LE(interval, interval_s + longest_push_gap_s + 0.05);
    // It may cut a pair in two, and the first window also holds the first input, which has no pair
    // yet: out = 2 x in give or take three frames (under ASan a window holds only a few inputs).
    const double frames_in = fps_in * interval, frames_out = fps_out * interval;
    EXPECT_GE(frames_in, 0.99);
    EXPECT_NEAR(frames_out, 2 * frames_in, 3.01) << "2x: " << frames_in << " in, " << frames_out << " out";
    total_s += interval;
    total_in += frames_in;
    total_out += frames_out;
    EXPECT_GT(interpolated, 0u);
    EXPECT_GT(mean, 0.0);
    EXPECT_GE(p95, mean * 0.5);
    EXPECT_EQ(skipped, 0u);
    EXPECT_EQ(cuts, 0u);
    gst_message_unref(m);
  }
  EXPECT_LE(total_s, elapsed_s) << "windows follow one another without overlapping";
  // Over consecutive windows the boundary effects cancel except at the two ends.
  EXPECT_NEAR(total_out, 2 * total_in, 3.01) << "2x over " << stats.size() << " windows";
  unref_all(out);
}

// ---- Ensembles through the element

namespace {

// The middle frame the element gives for two moving frames with `options`.
std::vector<guint8> element_middle(const std::string& options, int w, int h) {
  GstHarness* hs = new_rife_harness(rgb_caps(w, h, "30/1"), "scene-detection=false " + options);
  EXPECT_EQ(gst_harness_push(hs, buffer_of(moving_frame(w, h, 0), 0)), GST_FLOW_OK);
  EXPECT_EQ(gst_harness_push(hs, buffer_of(moving_frame(w, h, 1), GST_SECOND / 30)), GST_FLOW_OK);
  auto out = pull_all(hs);
  std::vector<guint8> middle = out.size() == 2 ? bytes(out[1]) : std::vector<guint8>();
  EXPECT_EQ(out.size(), 2u);
  unref_all(out);
  gst_harness_teardown(hs);
  return middle;
}

std::vector<guint8> engine_middle(rife::Ensemble ensemble, int w, int h) {
  rife::EngineOptions o;
  o.model_path = kModel;
  o.device = "cpu";
  rife::Engine engine(o);
  engine.configure({w, h, rife::PixelFormat::RGB});
  const auto f0 = moving_frame(w, h, 0), f1 = moving_frame(w, h, 1);
  const size_t stride = size_t(w) * 3;
  std::vector<guint8> out(stride * h);
  engine.interpolate(engine.prepare(f0.data(), stride), engine.prepare(f1.data(), stride), {0.5f},
                     {rife::OutputPlanes{{out.data()}, {stride}}}, ensemble);
  return out;
}

}  // namespace

TEST(Ensembles, TheElementComputesTheEnsembleThePropertyNames) {
  const int w = 40, h = 32;
  EXPECT_EQ(element_middle("ensemble=none", w, h), engine_middle(rife::Ensemble::None, w, h));
  EXPECT_EQ(element_middle("ensemble=time", w, h), engine_middle(rife::Ensemble::Time, w, h));
  EXPECT_EQ(element_middle("ensemble=time+flip", w, h), engine_middle(rife::Ensemble::TimeFlip, w, h));
  EXPECT_NE(engine_middle(rife::Ensemble::Time, w, h), engine_middle(rife::Ensemble::None, w, h));
}

TEST(Ensembles, AutoWithoutADeadlineComputesTimeFlip) {
  // A harness is not live and no sink sends QOS events: offline, the best mode is affordable.
  const int w = 40, h = 32;
  EXPECT_EQ(element_middle("ensemble=auto", w, h), engine_middle(rife::Ensemble::TimeFlip, w, h));
}

TEST(Ensembles, TheRifeStatsMessageGivesTheShareOfEachMode) {
  rife_test::HarnessOnBus harness(rgb_caps(32, 24, "30/1"), "scene-detection=false ensemble=time stats-interval=0.05");
  GstHarness* hs = harness.h;
  for (int i = 0; i < 6; ++i) {
    ASSERT_EQ(gst_harness_push(hs, buffer_of(moving_frame(32, 24, i), gst_util_uint64_scale(i, GST_SECOND, 30))),
              GST_FLOW_OK);
    g_usleep(30000);
  }
  auto out = pull_all(hs);
  auto stats = messages(harness.bus, GST_MESSAGE_ELEMENT);
  ASSERT_FALSE(stats.empty());
  double none = -1, time = -1, flip = -1;
  guint64 switches = 99;
  const GstStructure* s = gst_message_get_structure(stats.back());
  ASSERT_TRUE(gst_structure_get_double(s, "ensemble-none", &none));
  ASSERT_TRUE(gst_structure_get_double(s, "ensemble-time", &time));
  ASSERT_TRUE(gst_structure_get_double(s, "ensemble-time-flip", &flip));
  ASSERT_TRUE(gst_structure_get_uint64(s, "ensemble-switches", &switches));
  EXPECT_EQ(none, 0.0);
  EXPECT_EQ(time, 1.0) << "every frame of the window ran the time ensemble";
  EXPECT_EQ(flip, 0.0);
  EXPECT_EQ(switches, 0u);
  EXPECT_EQ(counter(hs, "frames-interpolated"), 5u) << "an ensemble frame counts once";
  for (auto* m : stats) gst_message_unref(m);
  unref_all(out);
}
