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
