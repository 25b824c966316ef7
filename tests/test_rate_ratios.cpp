// Any rate ratio the caps allow runs in bounded memory: a pair's outputs are computed in batches
// that fit the engine's memory budget (max-batch-memory), with every output, in order, at its exact
// time. Its own program, so that the process's peak resident memory is these streams' alone.
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <string>
#include <vector>

#include "rife_harness.h"
#include "test_support.h"

namespace {

// 4.25-layout weights: the default model's architecture, so the memory a batch row needs is the
// default model's. 4.6-layout weights where time matters more (a third of the cost a row).
const std::string kModel = rife_test::fixture("rife425_random.pth");
const std::string kFastModel = rife_test::fixture("official_plain.pth");

double peak_rss_gb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return double(usage.ru_maxrss) / (1024.0 * 1024.0);
}

struct Result {
  std::vector<GstClockTime> pts;
  guint64 interpolated = 0;
};

// Two different frames at `in_rate` fps through rife into a sink asking `out_rate` fps.
Result run(int w, int h, int in_rate, int out_rate, const std::string& options, const std::string& model = kModel) {
  const std::string caps = rife_test::rgb_caps(w, h, std::to_string(in_rate) + "/1");
  GstElement* pipeline = gst_parse_launch(("appsrc name=src format=time caps=" + caps +
                                           " ! rife name=rife device=cpu scene-detection=false model-path=" + model +
                                           " " + options + " ! video/x-raw,framerate=" + std::to_string(out_rate) +
                                           "/1 ! fakesink name=sink signal-handoffs=true sync=false")
                                              .c_str(),
                                          nullptr);
  Result result;
  if (!pipeline) {
    ADD_FAILURE();
    return result;
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  g_signal_connect(sink, "handoff", G_CALLBACK(+[](GstElement*, GstBuffer* b, GstPad*, gpointer data) {
                     static_cast<Result*>(data)->pts.push_back(GST_BUFFER_PTS(b));
                   }),
                   &result);
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstElement* src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  for (int i = 0; i < 2; ++i) {
    const auto pixels = rife_test::moving_frame(w, h, 4 * i);
    GstBuffer* b = gst_buffer_new_memdup(pixels.data(), pixels.size());
    GST_BUFFER_PTS(b) = gst_util_uint64_scale(guint64(i), GST_SECOND, guint64(in_rate));
    GST_BUFFER_DURATION(b) = gst_util_uint64_scale(1, GST_SECOND, guint64(in_rate));
    EXPECT_EQ(gst_app_src_push_buffer(GST_APP_SRC(src), b), GST_FLOW_OK);
  }
  gst_app_src_end_of_stream(GST_APP_SRC(src));
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 600 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  EXPECT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS);
  if (msg) gst_message_unref(msg);
  GstElement* rife = gst_bin_get_by_name(GST_BIN(pipeline), "rife");
  g_object_get(rife, "frames-interpolated", &result.interpolated, nullptr);
  gst_object_unref(rife);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(bus);
  gst_object_unref(src);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return result;
}

// Every output on the out_rate grid, none missing: (2 - 1) * ratio + 1.
void expect_every_output(const Result& r, int in_rate, int out_rate) {
  const size_t expected = size_t(out_rate / in_rate) + 1;
  ASSERT_EQ(r.pts.size(), expected);
  for (size_t k = 0; k < r.pts.size(); ++k)
    ASSERT_EQ(r.pts[k], gst_util_uint64_scale(k, GST_SECOND, guint64(out_rate))) << "output " << k;
  EXPECT_EQ(r.interpolated, expected - 2);
}

}  // namespace

// A slideshow-like ratio: 239 interpolations between two inputs. In one batch they would need
// about 8.8 GB at the automatic flow scale (2 at this size); bounded, the process stays small.
TEST(RateRatios, OneTo240FpsAt160x120RunsInBoundedMemory) {
  const Result r = run(160, 120, 1, 240, "");
  expect_every_output(r, 1, 240);
  printf("1 -> 240 fps at 160x120: %zu outputs, peak RSS %.2f GB\n", r.pts.size(), peak_rss_gb());
  EXPECT_LT(peak_rss_gb(), 1.5);
}

// 999 interpolations between two inputs (about 20 GB in one batch for 4.6 at flow scale 0.25,
// which keep the test to a minute on 2 cores).
TEST(RateRatios, OneTo1000FpsAt320x240RunsInBoundedMemory) {
  const Result r = run(320, 240, 1, 1000, "scale=0.25", kFastModel);
  expect_every_output(r, 1, 1000);
  printf("1 -> 1000 fps at 320x240: %zu outputs, peak RSS %.2f GB\n", r.pts.size(), peak_rss_gb());
  EXPECT_LT(peak_rss_gb(), 1.5);
}

// A smaller budget gives the same frames as the default one, in more batches.
TEST(RateRatios, TheBudgetChangesHowManyBatchesNotTheFrames) {
  auto frames = [](const std::string& options) {
    GstHarness* h = rife_test::new_rife_harness(rife_test::rgb_caps(64, 48, "10/1"), "scene-detection=false " + options,
                                                kModel, rife_test::rgb_caps(64, 48, "60/1"));
    for (int i = 0; i < 3; ++i) {
      const auto pixels = rife_test::moving_frame(64, 48, 3 * i);
      GstBuffer* b = gst_buffer_new_memdup(pixels.data(), pixels.size());
      GST_BUFFER_PTS(b) = gst_util_uint64_scale(guint64(i), GST_SECOND, 10);
      EXPECT_EQ(gst_harness_push(h, b), GST_FLOW_OK);
    }
    gst_harness_push_event(h, gst_event_new_eos());
    auto out = rife_test::pull_all(h);
    std::vector<std::vector<guint8>> bytes;
    for (GstBuffer* b : out) bytes.push_back(rife_test::bytes_of(b));
    rife_test::unref_all(out);
    gst_harness_teardown(h);
    return bytes;
  };
  const auto whole = frames(""), parts = frames("max-batch-memory=1");  // 1 MiB: one timestep a batch
  ASSERT_EQ(whole.size(), 13u);
  ASSERT_EQ(parts.size(), whole.size());
  for (size_t k = 0; k < whole.size(); ++k) {
    int worst = 0;
    for (size_t i = 0; i < whole[k].size(); ++i) worst = std::max(worst, std::abs(whole[k][i] - parts[k][i]));
    EXPECT_LE(worst, 1) << "output " << k;
  }
}
