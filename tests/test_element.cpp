// The `rife` element under GstHarness: rates, exact timestamps, events, caps, errors. These run on
// random weights in the official layout (tests/fixtures): timing and pass-through behaviour do not
// depend on the values of the weights.
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rife_harness.h"
#include "test_support.h"

namespace {

using rife_test::pull_all;
constexpr auto bytes = rife_test::bytes_of;
using rife_test::unref_all;

using rife_test::counter;
using rife_test::make_frame;
using rife_test::rgb_caps;

// The element in a harness, released at the end of the test.
struct Harness {
  GstHarness* h;
  GstElement* rife;
  explicit Harness(const std::string& in_caps, const std::string& out_caps = "")
      : h(rife_test::new_rife_harness(in_caps, "scene-detection=false", rife_test::fixture_model(), out_caps)),
        rife(gst_harness_find_element(h, "rife")) {}
  ~Harness() {
    gst_object_unref(rife);
    gst_harness_teardown(h);
  }
  GstElement* element() const { return rife; }
};

std::string rate(int n, int d) { return std::to_string(n) + "/" + std::to_string(d); }

// Pushes n frames at rate in_n/in_d and EOS; checks the outputs sit exactly on the out_n/out_d grid.
// `ask_downstream`: downstream caps ask for that rate (otherwise the element's default, 2x, applies).
void check_rate_conversion(int in_n, int in_d, int out_n, int out_d, int n, bool ask_downstream = false) {
  Harness t(rgb_caps(32, 24, rate(in_n, in_d).c_str()),
            ask_downstream ? rgb_caps(32, 24, rate(out_n, out_d).c_str()) : std::string());
  std::vector<std::vector<guint8>> inputs;
  for (int i = 0; i < n; ++i) {
    GstBuffer* f = make_frame(32, 24, i, gst_util_uint64_scale(i, GST_SECOND * in_d, in_n));
    if (i == 0) GST_BUFFER_FLAG_SET(f, GST_BUFFER_FLAG_DISCONT);  // as real sources mark their first buffer
    inputs.push_back(bytes(f));
    ASSERT_EQ(gst_harness_push(t.h, f), GST_FLOW_OK);
  }
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_eos()));
  auto out = pull_all(t.h);
  const int ratio = int((gint64(out_n) * in_d) / (gint64(out_d) * in_n));  // integer in these tests
  ASSERT_EQ(int(out.size()), (n - 1) * ratio + 1) << "N inputs give (N-1)*ratio outputs plus the last input once";
  for (size_t k = 0; k < out.size(); ++k) {
    const GstClockTime want = gst_util_uint64_scale(k, GST_SECOND * out_d, out_n);
    EXPECT_EQ(GST_BUFFER_PTS(out[k]), want) << "output " << k;
    EXPECT_EQ(GST_BUFFER_DURATION(out[k]), gst_util_uint64_scale(k + 1, GST_SECOND * out_d, out_n) - want) << k;
    EXPECT_EQ(GST_BUFFER_OFFSET(out[k]), k);
    EXPECT_EQ(GST_BUFFER_OFFSET_END(out[k]), k + 1);
    EXPECT_EQ(GST_BUFFER_FLAG_IS_SET(out[k], GST_BUFFER_FLAG_DISCONT), k == 0) << k;
    if (k % ratio == 0)
      EXPECT_EQ(bytes(out[k]), inputs[k / ratio]) << "output " << k << " is input " << k / ratio;
    else
      EXPECT_NE(bytes(out[k]), inputs[k / ratio]) << "output " << k << " must be interpolated";
  }
  GstCaps* caps = gst_pad_get_current_caps(t.h->sinkpad);
  gint fn = 0, fd = 0;
  gst_structure_get_fraction(gst_caps_get_structure(caps, 0), "framerate", &fn, &fd);
  EXPECT_EQ(fn * out_d, out_n * fd) << "negotiated output rate";
  gst_caps_unref(caps);
  EXPECT_EQ(counter(t.element(), "frames-in"), guint64(n));
  EXPECT_EQ(counter(t.element(), "frames-out"), out.size());
  EXPECT_EQ(counter(t.element(), "frames-interpolated"), guint64((n - 1) * (ratio - 1)));
  unref_all(out);
}

}  // namespace

TEST(RifeRates, Doubles30To60ByDefaultWithExactTimestamps) { check_rate_conversion(30, 1, 60, 1, 10); }
TEST(RifeRates, Doubles30000Over1001WithoutDrift) { check_rate_conversion(30000, 1001, 60000, 1001, 10); }
TEST(RifeRates, Doubles24To48) { check_rate_conversion(24, 1, 48, 1, 10); }
TEST(RifeRates, Doubles25To50WhenDownstreamAsks) { check_rate_conversion(25, 1, 50, 1, 10, true); }
TEST(RifeRates, Quadruples30To120WithThreeInterpolationsPerPair) { check_rate_conversion(30, 1, 120, 1, 8, true); }
TEST(RifeRates, Triples24To72) { check_rate_conversion(24, 1, 72, 1, 8, true); }

TEST(RifeRates, NtscTimestampsStayExactAfterAnHour) {
  // The grid is base + k * period computed from k, so frame 216000 (one hour at 60000/1001) is exact.
  Harness t(rgb_caps(32, 24, "30000/1001"));
  const guint64 first = 108000;  // input frame index one hour in
  for (guint64 i = first; i < first + 2; ++i)
    ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, int(i % 7), gst_util_uint64_scale(i, GST_SECOND * 1001, 30000))),
              GST_FLOW_OK);
  auto out = pull_all(t.h);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(GST_BUFFER_PTS(out[0]), gst_util_uint64_scale(2 * first, GST_SECOND * 1001, 60000));
  EXPECT_EQ(GST_BUFFER_PTS(out[1]), gst_util_uint64_scale(2 * first + 1, GST_SECOND * 1001, 60000));
  unref_all(out);
}

TEST(RifeCaps, DownstreamCapsFilterPicksTheRate) {
  Harness t(rgb_caps(32, 24, "30/1"), rgb_caps(32, 24, "60/1"));
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 0, 0)), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 1, GST_SECOND / 30)), GST_FLOW_OK);
  auto out = pull_all(t.h);
  EXPECT_EQ(out.size(), 2u);
  unref_all(out);
}

TEST(RifeCaps, ARateBelowTheInputRateIsNotNegotiated) {
  Harness t(rgb_caps(32, 24, "30/1"), rgb_caps(32, 24, "15/1"));
  EXPECT_EQ(gst_harness_push(t.h, make_frame(32, 24, 0, 0)), GST_FLOW_NOT_NEGOTIATED);
}

TEST(RifeCaps, ResolutionChangeMidStreamDrainsThenContinues) {
  Harness t(rgb_caps(32, 24, "30/1"));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, i, gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  gst_harness_set_src_caps_str(t.h, rgb_caps(48, 32, "30/1").c_str());
  for (int i = 3; i < 6; ++i)
    ASSERT_EQ(gst_harness_push(t.h, make_frame(48, 32, i, gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_eos()));
  auto out = pull_all(t.h);
  ASSERT_EQ(out.size(), 10u) << "5 outputs per 3-frame run: the first run is drained before the caps change";
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(gst_buffer_get_size(out[k]), k < 5 ? 32u * 24 * 3 : 48u * 32 * 3) << k;
    if (k > 0) {
      EXPECT_GT(GST_BUFFER_PTS(out[k]), GST_BUFFER_PTS(out[k - 1])) << k;
    }
  }
  unref_all(out);
}

TEST(RifeEvents, NoInterpolationAcrossADiscont) {
  Harness t(rgb_caps(32, 24, "30/1"));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, i, gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  GstBuffer* jump = make_frame(32, 24, 9, 5 * GST_SECOND);
  GST_BUFFER_FLAG_SET(jump, GST_BUFFER_FLAG_DISCONT);
  ASSERT_EQ(gst_harness_push(t.h, jump), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 10, 5 * GST_SECOND + GST_SECOND / 30)), GST_FLOW_OK);
  auto out = pull_all(t.h);
  // 0, i, 1, i, 2 (pushed once, never blended with the frame after the jump), 5 s (DISCONT), i
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(GST_BUFFER_PTS(out[4]), gst_util_uint64_scale(4, GST_SECOND, 60));
  EXPECT_EQ(GST_BUFFER_PTS(out[5]), 5 * GST_SECOND);
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(out[5], GST_BUFFER_FLAG_DISCONT));
  EXPECT_FALSE(GST_BUFFER_FLAG_IS_SET(out[6], GST_BUFFER_FLAG_DISCONT));
  EXPECT_EQ(GST_BUFFER_OFFSET(out[5]), 5u);
  unref_all(out);
}

TEST(RifeEvents, NoInterpolationAcrossATimestampGap) {
  Harness t(rgb_caps(32, 24, "30/1"));
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 0, 0)), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 1, GST_SECOND)), GST_FLOW_OK);
  auto out = pull_all(t.h);
  ASSERT_EQ(out.size(), 1u) << "frame 0 once, nothing invented across one second without input";
  EXPECT_EQ(counter(t.element(), "frames-interpolated"), 0u);
  unref_all(out);
}

TEST(RifeEvents, FlushDropsTheCachedFrameWithoutPushingIt) {
  Harness t(rgb_caps(32, 24, "30/1"));
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 0, 0)), GST_FLOW_OK);
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 1, GST_SECOND / 30)), GST_FLOW_OK);
  auto before = pull_all(t.h);
  ASSERT_EQ(before.size(), 2u);
  const auto stale = make_frame(32, 24, 1, 0);
  const auto stale_bytes = bytes(stale);
  gst_buffer_unref(stale);
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_flush_start()));
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_flush_stop(TRUE)));
  GstSegment seg;
  gst_segment_init(&seg, GST_FORMAT_TIME);
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_segment(&seg)));
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 5, 0)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_eos()));
  auto after = pull_all(t.h);
  ASSERT_EQ(after.size(), 1u);
  EXPECT_NE(bytes(after[0]), stale_bytes) << "the frame cached before the flush must not come out";
  EXPECT_EQ(GST_BUFFER_PTS(after[0]), 0u);
  EXPECT_TRUE(GST_BUFFER_FLAG_IS_SET(after[0], GST_BUFFER_FLAG_DISCONT));
  unref_all(before);
  unref_all(after);
}

TEST(RifeEvents, SingleFrameStreamGivesThatFrameOnce) {
  Harness t(rgb_caps(32, 24, "30/1"));
  GstBuffer* f = make_frame(32, 24, 3, 7 * GST_SECOND);
  const auto in = bytes(f);
  ASSERT_EQ(gst_harness_push(t.h, f), GST_FLOW_OK);
  EXPECT_EQ(gst_harness_buffers_received(t.h), 0u) << "the frame waits for the next one";
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_eos()));
  auto out = pull_all(t.h);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(bytes(out[0]), in);
  EXPECT_EQ(GST_BUFFER_PTS(out[0]), 7 * GST_SECOND);
  EXPECT_EQ(GST_BUFFER_DURATION(out[0]), GST_SECOND / 60);
  unref_all(out);
}

TEST(RifeEvents, UntimestampedInputContinuesAtTheInputRateFromTheSegmentStart) {
  Harness t(rgb_caps(32, 24, "30/1"));
  for (int i = 0; i < 3; ++i) ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, i, GST_CLOCK_TIME_NONE)), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(t.h, gst_event_new_eos()));
  auto out = pull_all(t.h);
  ASSERT_EQ(out.size(), 5u);
  for (size_t k = 0; k < out.size(); ++k)
    EXPECT_EQ(GST_BUFFER_PTS(out[k]), gst_util_uint64_scale(k, GST_SECOND, 60)) << k;
  unref_all(out);
}

TEST(RifeQueries, LatencyAddsOneInputFrameAndOneOutputFrame) {
  Harness t(rgb_caps(32, 24, "30/1"));
  gst_harness_set_upstream_latency(t.h, 10 * GST_MSECOND);
  ASSERT_EQ(gst_harness_push(t.h, make_frame(32, 24, 0, 0)), GST_FLOW_OK);  // negotiates
  EXPECT_EQ(gst_harness_query_latency(t.h), 10 * GST_MSECOND + GST_SECOND / 30 + GST_SECOND / 60);
}

TEST(RifeProperties, EveryPropertyIsDocumented) {
  GstElement* e = gst_element_factory_make("rife", nullptr);
  ASSERT_NE(e, nullptr);
  guint n = 0;
  GParamSpec** specs = g_object_class_list_properties(G_OBJECT_GET_CLASS(e), &n);
  int ours = 0;
  for (guint i = 0; i < n; ++i) {
    if (specs[i]->owner_type != G_OBJECT_TYPE(e)) continue;
    ++ours;
    const char* blurb = g_param_spec_get_blurb(specs[i]);
    EXPECT_TRUE(blurb && strlen(blurb) > 15) << g_param_spec_get_name(specs[i]);
  }
  EXPECT_EQ(ours, 23) << "model-path, model-version, device, precision, scale, fp32-warp, share-model, "
                         "max-batch-memory, frames-in/out/interpolated, scene-detection, scene-threshold, scene-cuts, "
                         "still-detection, frames-still, frames-skipped, stats-interval, ensemble, "
                         "ensemble-switches, batch-wait, model-users, cross-stream-batches";
  g_free(specs);
  gboolean qos = FALSE;
  g_object_get(e, "qos", &qos, nullptr);
  EXPECT_TRUE(qos) << "GstBaseTransform's qos property switches rife's QoS handling, on by default";
  gst_object_unref(e);
}

TEST(RifeErrors, AMissingModelFailsTheStateChangeWithAnErrorNamingTheFile) {
  GstElement* pipeline = gst_parse_launch(
      "videotestsrc num-buffers=3 ! video/x-raw,format=RGB,width=32,height=24 ! rife device=cpu "
      "model-path=/nonexistent/rife46.pth ! fakesink",
      nullptr);
  ASSERT_NE(pipeline, nullptr);
  EXPECT_EQ(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  GstBus* bus = gst_element_get_bus(pipeline);
  const auto error = rife_test::pop_error(bus, 5 * GST_SECOND);
  ASSERT_TRUE(error.found);
  EXPECT_NE(error.message.find("/nonexistent/rife46.pth"), std::string::npos) << error.message;
  EXPECT_NE(error.debug.find("weights file not found"), std::string::npos) << error.debug;
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
}

TEST(RifeModels, Rife425WeightsRunInTheElement) {
  GstHarness* h = rife_test::new_rife_harness(rgb_caps(40, 30, "30/1"), "", rife_test::fixture("rife425_random.pth"));
  for (int i = 0; i < 3; ++i)
    ASSERT_EQ(gst_harness_push(h, make_frame(40, 30, i, gst_util_uint64_scale(i, GST_SECOND, 30))), GST_FLOW_OK);
  ASSERT_TRUE(gst_harness_push_event(h, gst_event_new_eos()));
  auto out = pull_all(h);
  EXPECT_EQ(out.size(), 5u);
  unref_all(out);
  gst_harness_teardown(h);
}

// An official checkpoint loads as it is; one INFO line says how many training-only tensors it had.
TEST(RifeModels, AnOfficialCheckpointStartsWithOneInfoLineCountingItsIgnoredTensors) {
  std::vector<std::string> lines;
  GstLogFunction collect = [](GstDebugCategory* category, GstDebugLevel level, const gchar*, const gchar*, gint,
                              GObject*, GstDebugMessage* message, gpointer data) {
    if (level == GST_LEVEL_INFO && std::string(gst_debug_category_get_name(category)) == "rife")
      static_cast<std::vector<std::string>*>(data)->push_back(gst_debug_message_get(message));
  };
  gst_debug_set_active(TRUE);
  gst_debug_set_threshold_for_name("rife", GST_LEVEL_INFO);
  gst_debug_add_log_function(collect, &lines, nullptr);
  GstElement* e = gst_element_factory_make("rife", nullptr);
  g_object_set(e, "device", "cpu", "model-path", rife_test::fixture("rife425_with_training_tensors.pth").c_str(),
               nullptr);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_SUCCESS);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
  gst_debug_remove_log_function(collect);
  gst_debug_unset_threshold_for_name("rife");
  int mentions = 0;
  for (const auto& line : lines)
    if (line.find("training-only tensors") != std::string::npos) {
      ++mentions;
      EXPECT_NE(line.find("40 training-only tensors (teacher.*, caltime.*) ignored"), std::string::npos) << line;
    }
  EXPECT_EQ(mentions, 1);
}

TEST(RifeErrors, AForcedModelVersionThatDoesNotMatchTheFileFailsTheStart) {
  GstElement* e = gst_element_factory_make("rife", nullptr);
  gst_util_set_object_arg(G_OBJECT(e), "model-version", "4.6");
  g_object_set(e, "device", "cpu", "model-path", rife_test::fixture("rife425_random.pth").c_str(), nullptr);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
}

TEST(RifeErrors, AWeightsFileOfTheWrongShapeIsRefusedAtStart) {
  GstElement* e = gst_element_factory_make("rife", nullptr);
  g_object_set(e, "device", "cpu", "model-path", rife_test::fixture("wrong_shape.pth").c_str(), nullptr);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_object_unref(e);
}

// Start-up failures name what the user has to change, not the (fine) model file.
namespace {
rife_test::PostedError start_error(const char* property, const char* value) {
  GstElement* e = gst_element_factory_make("rife", nullptr);
  g_object_set(e, "model-path", rife_test::fixture_model().c_str(), nullptr);
  if (std::string(property) != "device") g_object_set(e, "device", "cpu", nullptr);
  gst_util_set_object_arg(G_OBJECT(e), property, value);
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(e, bus);
  EXPECT_EQ(gst_element_set_state(e, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE) << property << "=" << value;
  const auto error = rife_test::pop_error(bus, GST_SECOND);
  gst_element_set_state(e, GST_STATE_NULL);
  gst_element_set_bus(e, nullptr);
  gst_object_unref(bus);
  gst_object_unref(e);
  EXPECT_TRUE(error.found);
  EXPECT_EQ(error.message.find("Cannot load the RIFE model"), std::string::npos) << error.message;
  return error;
}
}  // namespace

// Without a GPU, device=cuda; with one, a device index that does not exist.
TEST(RifeErrors, ACudaDeviceThatCannotBeUsedIsNamed) {
  const bool gpu = g_file_test("/dev/nvidiactl", G_FILE_TEST_EXISTS);
  const char* device = gpu ? "cuda:99" : "cuda";
  const auto error = start_error("device", device);
  EXPECT_NE(error.message.find(std::string("Cannot use device '") + device + "'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find(gpu ? "CUDA device(s) exist" : "no CUDA device is usable"), std::string::npos)
      << error.message;
}

TEST(RifeErrors, AnUnknownDeviceNameIsNamed) {
  const auto error = start_error("device", "bogus");
  EXPECT_NE(error.message.find("Cannot use device 'bogus'"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("expected auto, cpu, cuda or cuda:N"), std::string::npos) << error.message;
}

TEST(RifeErrors, AFlowScaleThePyramidCannotUseIsNamedWithTheValuesItTakes) {
  const auto error = start_error("scale", "3");
  EXPECT_NE(error.message.find("flow scale 3 is not supported"), std::string::npos) << error.message;
  EXPECT_NE(error.message.find("use 0.25, 0.5, 1, 2 or 4"), std::string::npos) << error.message;
}

TEST(RifeErrors, ReducedPrecisionOnTheCpuIsNamed) {
  const auto error = start_error("precision", "fp16");
  EXPECT_NE(error.message.find("precision fp16 is supported on CUDA only"), std::string::npos) << error.message;
}

// GStreamer's convention for start-up (MUTABLE_READY) properties: a change while running is kept
// and read back, applies at the next start, and the user is told so on the bus.
TEST(RifeProperties, AStartUpPropertyChangedWhilePlayingWarnsAndAppliesAtTheNextStart) {
  GstHarness* h = rife_test::new_rife_harness(rgb_caps(32, 24, "30/1"));
  GstElement* rife = gst_harness_find_element(h, "rife");
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(rife, bus);
  ASSERT_EQ(gst_harness_push(h, make_frame(32, 24, 0, 0)), GST_FLOW_OK);
  g_object_set(rife, "scale", 2.0, nullptr);
  GstMessage* warning = gst_bus_timed_pop_filtered(bus, GST_SECOND, GST_MESSAGE_WARNING);
  ASSERT_NE(warning, nullptr) << "a warning on the bus";
  GError* err = nullptr;
  gst_message_parse_warning(warning, &err, nullptr);
  EXPECT_NE(std::string(err->message).find("scale was changed while PLAYING: it applies at the next start"),
            std::string::npos)
      << err->message;
  g_error_free(err);
  gst_message_unref(warning);
  double scale = 0;
  g_object_get(rife, "scale", &scale, nullptr);
  EXPECT_EQ(scale, 2.0) << "reads back what the user set";
  g_object_set(rife, "scene-threshold", 0.2, nullptr);  // a stream property: no warning
  EXPECT_EQ(gst_bus_timed_pop_filtered(bus, 100 * GST_MSECOND, GST_MESSAGE_WARNING), nullptr);
  gst_element_set_bus(rife, nullptr);
  gst_object_unref(bus);
  gst_object_unref(rife);
  gst_harness_teardown(h);
}

// The first warning on `bus`'s messages, "" if none.
static std::string first_warning(GstBus* bus, GstClockTime timeout) {
  GstMessage* m = gst_bus_timed_pop_filtered(bus, timeout, GST_MESSAGE_WARNING);
  if (!m) return "";
  GError* err = nullptr;
  gst_message_parse_warning(m, &err, nullptr);
  std::string text = err->message;
  g_error_free(err);
  gst_message_unref(m);
  return text;
}

// Woven fields would be interpolated into combed frames: interlaced caps are refused at link time
// (put deinterlace in front), and a source that pushes them is told so in a warning.
TEST(RifeCaps, InterlacedVideoIsRefusedAndTheWarningSaysDeinterlace) {
  for (const char* mode : {"interleaved", "mixed"}) {
    const std::string caps =
        "video/x-raw,format=I420,width=32,height=24,framerate=30/1,interlace-mode=" + std::string(mode);
    GstElement* pipeline = gst_parse_launch(("videotestsrc num-buffers=3 ! " + caps + " ! rife device=cpu model-path=" +
                                             rife_test::fixture_model() + " ! fakesink")
                                                .c_str(),
                                            nullptr);
    ASSERT_NE(pipeline, nullptr);
    gst_element_set_state(pipeline, GST_STATE_PLAYING);
    GstBus* bus = gst_element_get_bus(pipeline);
    GstMessage* msg =
        gst_bus_timed_pop_filtered(bus, 10 * GST_SECOND, GstMessageType(GST_MESSAGE_ERROR | GST_MESSAGE_EOS));
    ASSERT_NE(msg, nullptr);
    EXPECT_EQ(GST_MESSAGE_TYPE(msg), GST_MESSAGE_ERROR) << mode << ": not negotiated";
    gst_message_unref(msg);
    gst_element_set_state(pipeline, GST_STATE_NULL);
    gst_object_unref(bus);
    gst_object_unref(pipeline);

    // A source that sets interlaced caps without asking (as a decoder does).
    GstHarness* h = gst_harness_new_parse(("rife device=cpu model-path=" + rife_test::fixture_model()).c_str());
    GstElement* rife = gst_harness_find_element(h, "rife");
    GstBus* rife_bus = gst_bus_new();
    gst_element_set_bus(rife, rife_bus);
    gst_harness_set_src_caps_str(h, caps.c_str());
    EXPECT_EQ(gst_harness_push(h, make_frame(32, 24, 0, 0)), GST_FLOW_NOT_NEGOTIATED) << mode;
    const std::string warning = first_warning(rife_bus, GST_SECOND);
    EXPECT_NE(warning.find(std::string("rife cannot take ") + mode + " (interlaced) video"), std::string::npos)
        << warning;
    EXPECT_NE(warning.find("put deinterlace before it"), std::string::npos) << warning;
    gst_element_set_bus(rife, nullptr);
    gst_object_unref(rife_bus);
    gst_object_unref(rife);
    gst_harness_teardown(h);
  }
}

TEST(RifeCaps, AFormatRifeDoesNotTakeIsNamedWithTheFormatsItTakes) {
  GstHarness* h = gst_harness_new_parse(("rife device=cpu model-path=" + rife_test::fixture_model()).c_str());
  GstElement* rife = gst_harness_find_element(h, "rife");
  GstBus* bus = gst_bus_new();
  gst_element_set_bus(rife, bus);
  gst_harness_play(h);
  GstCaps* caps = gst_caps_from_string("video/x-raw,format=GRAY8,width=32,height=24,framerate=30/1");
  EXPECT_FALSE(gst_pad_query_accept_caps(GST_BASE_TRANSFORM_SINK_PAD(rife), caps));
  gst_caps_unref(caps);
  const std::string text = first_warning(bus, GST_SECOND);
  EXPECT_NE(text.find("rife cannot take GRAY8 frames"), std::string::npos) << text;
  EXPECT_NE(text.find("I420"), std::string::npos) << "lists what it takes: " << text;
  EXPECT_NE(text.find("put videoconvert before it"), std::string::npos) << text;
  gst_element_set_bus(rife, nullptr);
  gst_object_unref(bus);
  gst_object_unref(rife);
  gst_harness_teardown(h);
}
