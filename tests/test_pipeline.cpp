// Real pipelines with real elements: a real H.264 clip decoded through rife into appsink, and a
// file -> rife -> x264 -> MP4 -> decode round trip. The real weights are used when present, else
// random weights in the official layout (what is checked here does not depend on their values).
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "test_support.h"

namespace {

struct Frame {
  GstClockTime pts;
  std::vector<guint8> bytes;
};

std::string model_path() {
  const std::string real = rife_test::real_model_path();
  FILE* f = std::fopen(real.c_str(), "rb");
  if (f) {
    std::fclose(f);
    return real;
  }
  return rife_test::fixture("official_plain.pth");
}

// Runs `launch` (which has an appsink named "sink") to EOS and returns every frame it received.
std::vector<Frame> run_to_appsink(const std::string& launch, std::string* caps_out = nullptr) {
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.c_str(), &err);
  if (!pipeline) {
    ADD_FAILURE() << "cannot build pipeline: " << (err ? err->message : "?");
    return {};
  }
  GstElement* sink = gst_bin_get_by_name(GST_BIN(pipeline), "sink");
  EXPECT_NE(gst_element_set_state(pipeline, GST_STATE_PLAYING), GST_STATE_CHANGE_FAILURE);
  std::vector<Frame> frames;
  while (GstSample* sample = gst_app_sink_try_pull_sample(GST_APP_SINK(sink), 120 * GST_SECOND)) {
    GstBuffer* buf = gst_sample_get_buffer(sample);
    if (caps_out && caps_out->empty()) {
      gchar* c = gst_caps_to_string(gst_sample_get_caps(sample));
      *caps_out = c;
      g_free(c);
    }
    GstMapInfo map;
    gst_buffer_map(buf, &map, GST_MAP_READ);
    frames.push_back({GST_BUFFER_PTS(buf), std::vector<guint8>(map.data, map.data + map.size)});
    gst_buffer_unmap(buf, &map);
    gst_sample_unref(sample);
  }
  EXPECT_TRUE(gst_app_sink_is_eos(GST_APP_SINK(sink))) << "the appsink must reach EOS";
  // The pipeline's EOS comes when every sink (a filesink writing an MP4, say) has finished.
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, 120 * GST_SECOND, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  if (!msg) {
    ADD_FAILURE() << "the pipeline did not reach EOS";
  } else if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
    GError* e = nullptr;
    gst_message_parse_error(msg, &e, nullptr);
    ADD_FAILURE() << "pipeline error: " << e->message;
    g_error_free(e);
  }
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(sink);
  gst_object_unref(pipeline);
  return frames;
}

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

int main(int argc, char** argv) {
  gst_init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
