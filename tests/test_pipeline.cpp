// Real pipelines with real elements and the real default weights: a real H.264 clip decoded through
// rife into appsink, and a file -> rife -> x264 -> MP4 -> decode round trip.
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "appsink_frames.h"
#include "test_support.h"

namespace {

using rife_test::run_to_appsink;

std::string model_path() { return rife_test::real_model_path(); }

}  // namespace

TEST(RealPipeline, CarTurnClipDoublesFrom25To50WithExactTimingAndBitExactOriginals) {
  const std::string clip = rife_test::testdata("davis-car-turn/car-turn.mp4");
  const std::string decode = "filesrc location=" + clip + " ! decodebin ! videoconvert ! video/x-raw,format=RGB ! ";
  const auto source = run_to_appsink(decode + "appsink name=sink sync=false");
  ASSERT_EQ(source.size(), 81u);

  std::string caps;
  const auto out =
      run_to_appsink(decode + "rife device=cpu model-path=" + model_path() + " ! appsink name=sink sync=false", &caps);
  EXPECT_NE(caps.find("framerate=(fraction)50/1"), std::string::npos) << caps;
  ASSERT_EQ(out.size(), 161u) << "80 pairs give 160 frames, then the last source frame once";
  double min_interp_db = 1e9;
  for (size_t k = 0; k < out.size(); ++k) {
    EXPECT_EQ(out[k].pts - out[0].pts, k * 20 * GST_MSECOND) << "output " << k << " off the 20 ms grid";
    if (k % 2 == 0) {
      EXPECT_TRUE(out[k].bytes == source[k / 2].bytes)
          << "output " << k << " must be source frame " << k / 2 << " exactly (PSNR "
          << rife_test::psnr(out[k].bytes, source[k / 2].bytes) << " dB)";
    } else {
      min_interp_db = std::min(min_interp_db, rife_test::psnr(out[k].bytes, source[k / 2].bytes));
    }
  }
  std::printf(
      "car-turn: %zu frames at 50 fps from %zu at 25 fps (weights: %s); interpolated frames vs the "
      "preceding source frame: min PSNR %.2f dB\n",
      out.size(), source.size(), model_path().c_str(), min_interp_db);
}

TEST(RealPipeline, TestSourceThroughRifeX264AndMp4DecodesToTheDoubledRate) {
  const std::string file = std::string(g_get_tmp_dir()) + "/gst-rife-test-" + std::to_string(getpid()) + ".mp4";
  auto encoded = run_to_appsink(
      "videotestsrc num-buffers=30 pattern=ball ! video/x-raw,format=RGB,width=160,height=96,framerate=30/1 ! "
      "rife device=cpu model-path=" +
      model_path() +
      " ! tee name=t ! queue ! videoconvert ! x264enc ! mp4mux ! "
      "filesink location=" +
      file + " t. ! queue ! appsink name=sink sync=false");
  EXPECT_EQ(encoded.size(), 59u);
  std::string caps;
  auto decoded = run_to_appsink("filesrc location=" + file + " ! decodebin ! appsink name=sink sync=false", &caps);
  std::remove(file.c_str());
  EXPECT_EQ(decoded.size(), 59u);
  EXPECT_NE(caps.find("framerate=(fraction)60/1"), std::string::npos) << caps;
  for (size_t k = 1; k < decoded.size(); ++k) EXPECT_GT(decoded[k].pts, decoded[k - 1].pts);
}

// Reverse playback (a seek with rate -1 on a real file): rife interpolates backwards, the later input
// first; the outputs count down on the 50 fps grid, each lasting until the next, every decoded frame
// among them as it is.
TEST(RealPipeline, AReverseSeekInterpolatesBackwardsWithDurationsThatMatchTheSpacing) {
  const std::string clip = rife_test::testdata("davis-car-turn/car-turn.mp4");
  GstElement* pipeline = gst_parse_launch(
      ("filesrc location=" + clip +
       " ! qtdemux ! h264parse ! avdec_h264 ! videoconvert ! videoscale ! video/x-raw,format=RGB,width=160,height=96 "
       "! rife name=rife device=cpu scale=1 scene-detection=false model-path=" +
       rife_test::fixture("official_plain.pth") + " ! appsink name=sink sync=false wait-on-eos=false")
          .c_str(),
      nullptr);
  ASSERT_NE(pipeline, nullptr);
  ASSERT_NE(gst_element_set_state(pipeline, GST_STATE_PAUSED), GST_STATE_CHANGE_FAILURE);
  ASSERT_NE(gst_element_get_state(pipeline, nullptr, nullptr, 30 * GST_SECOND), GST_STATE_CHANGE_FAILURE);
  ASSERT_TRUE(gst_element_seek(pipeline, -1.0, GST_FORMAT_TIME, GstSeekFlags(GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE),
                               GST_SEEK_TYPE_SET, 0, GST_SEEK_TYPE_SET, GST_SECOND));
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  ASSERT_TRUE(msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS);
  gst_message_unref(msg);
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  std::vector<std::pair<GstClockTime, GstClockTime>> out;  // pts, duration
  while (GstSample* s = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 0)) {
    out.emplace_back(GST_BUFFER_PTS(gst_sample_get_buffer(s)), GST_BUFFER_DURATION(gst_sample_get_buffer(s)));
    gst_sample_unref(s);
  }
  GstElement* rife = gst_bin_get_by_name(GST_BIN(pipeline), "rife");
  guint64 interpolated = 0, in = 0;
  g_object_get(rife, "frames-interpolated", &interpolated, "frames-in", &in, nullptr);
  gst_object_unref(rife);
  gst_object_unref(sink);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);

  std::printf("reverse: %zu inputs, %zu outputs, %llu interpolated, from %.3f s down to %.3f s\n", size_t(in),
              out.size(), (unsigned long long)interpolated, out.empty() ? 0.0 : out.front().first / 1e9,
              out.empty() ? 0.0 : out.back().first / 1e9);
  // The inputs are 40 ms apart (25 fps; the decoder gives 1.04 s down to 0.08 s): every other output,
  // 20 ms between two of them, is an interpolation (the counters also hold the forward preroll's
  // pair, flushed by the seek).
  ASSERT_GE(out.size(), 45u);
  EXPECT_EQ(out.size() % 2, 1u);
  EXPECT_GE(interpolated, (out.size() - 1) / 2) << "the pairs are interpolated, not passed through";
  EXPECT_GE(in, (out.size() + 1) / 2);
  for (size_t k = 1; k < out.size(); ++k) {
    ASSERT_LT(out[k].first, out[k - 1].first) << "output " << k << ": times count down";
    EXPECT_EQ(out[k - 1].first - out[k].first, out[k].second) << "output " << k << " lasts until the one before it";
    EXPECT_EQ(out[k].second, 20 * GST_MSECOND) << "output " << k << ": the 50 fps grid";
  }
}
