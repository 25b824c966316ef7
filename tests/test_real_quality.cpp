// The real RIFE 4.25/4.26 checkpoint (the default model) on real pictures, on the CPU in FP32 at the
// element's default settings:
//   - the checkpoint loads as it is, its 40 training-only tensors ignored;
//   - fidelity: the C++ engine agrees with the independent PyTorch IFNet within 1 LSB;
//   - Middlebury: the six shared triplets through the element, RIFE against the 50/50 blend;
//   - a real clip: every other frame of car-turn dropped and restored by the element.
// The weights are obtained by ./setup.sh; without them this test fails (it is never skipped).
#include <gst/check/gstharness.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "appsink_frames.h"
#include "rife_harness.h"
#include "engine_images.h"
#include "rife_engine.h"
#include "test_support.h"

namespace {

using rife_test::Image;

const char* const kMiddlebury[] = {"Beanbags", "Dimetrodon", "Grove2", "Hydrangea", "RubberWhale", "Urban2"};

using rife_io::Triplet;

Triplet middlebury(const std::string& name) {
  return rife_io::load_triplet(rife_test::testdata("middlebury-other-interp"), name);
}

GstBuffer* buffer_of(const Image& im, const GstVideoInfo& info, GstClockTime pts) {
  GstBuffer* buf = gst_buffer_new_allocate(nullptr, info.size, nullptr);
  GstVideoFrame frame;
  gst_video_frame_map(&frame, const_cast<GstVideoInfo*>(&info), buf, GST_MAP_WRITE);
  for (int y = 0; y < im.height; ++y)
    std::copy_n(im.rgb.data() + size_t(y) * im.width * 3, im.width * 3,
                static_cast<guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0));
  gst_video_frame_unmap(&frame);
  GST_BUFFER_PTS(buf) = pts;
  return buf;
}

Image image_of(GstBuffer* buf, const GstVideoInfo& info) {
  Image im;
  im.width = info.width;
  im.height = info.height;
  GstVideoFrame frame;
  gst_video_frame_map(&frame, const_cast<GstVideoInfo*>(&info), buf, GST_MAP_READ);
  for (int y = 0; y < im.height; ++y) {
    const guint8* row =
        static_cast<const guint8*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0)) + y * GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    im.rgb.insert(im.rgb.end(), row, row + im.width * 3);
  }
  gst_video_frame_unmap(&frame);
  return im;
}

// Pushes `inputs` at `in_rate` through a `rife` element with its default settings (on the CPU) and
// `options`, then EOS; returns every output as a picture, after checking that they are on the
// doubled grid.
std::vector<Image> through_element(const std::vector<Image>& inputs, int rate_n, int rate_d,
                                   const std::string& options = "") {
  const std::string rate = std::to_string(rate_n) + "/" + std::to_string(rate_d);
  GstHarness* h = gst_harness_new_parse(("rife device=cpu " + options).c_str());
  gst_harness_set_src_caps_str(h, rife_test::rgb_caps(inputs[0].width, inputs[0].height, rate).c_str());
  GstVideoInfo info;
  gst_video_info_set_format(&info, GST_VIDEO_FORMAT_RGB, guint(inputs[0].width), guint(inputs[0].height));
  const GstClockTime step = gst_util_uint64_scale(GST_SECOND, guint64(rate_d), guint64(rate_n));
  for (size_t i = 0; i < inputs.size(); ++i)
    EXPECT_EQ(gst_harness_push(h, buffer_of(inputs[i], info, i * step)), GST_FLOW_OK);
  gst_harness_push_event(h, gst_event_new_eos());
  auto buffers = rife_test::pull_all(h);
  std::vector<Image> out;
  for (size_t k = 0; k < buffers.size(); ++k) {
    EXPECT_EQ(GST_BUFFER_PTS(buffers[k]), gst_util_uint64_scale(k, step, 2)) << "output " << k;
    out.push_back(image_of(buffers[k], info));
  }
  rife_test::unref_all(buffers);
  gst_harness_teardown(h);
  return out;
}

struct Score {
  double psnr, ssim;
};
Score score(const Image& a, const Image& truth) { return {rife_test::psnr(a.rgb, truth.rgb), rife_io::ssim(a, truth)}; }

void write_raw(const std::string& path, const Image& im) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(im.rgb.data()), std::streamsize(im.rgb.size()));
}

std::vector<uint8_t> read_raw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

rife::EngineOptions real_cpu_fp32() {
  rife::EngineOptions o;
  o.model_path = rife_test::real_model_path();
  o.device = "cpu";
  o.precision = rife::Precision::FP32;
  return o;
}

}  // namespace

TEST(RealCheckpoint, LoadsAsItIsWithItsTrainingOnlyTensorsIgnored) {
  rife::Engine engine(real_cpu_fp32());
  EXPECT_EQ(engine.model_version(), "4.25/4.26");
  EXPECT_EQ(engine.ignored_tensors(), 40u) << "teacher.* (34) and caltime.* (6) of the official file";
}

// At flow scale 1 (the reference implementations') and 2 (a finer pyramid than they use).
TEST(RealCheckpoint, EngineAgreesWithTheIndependentPyTorchIFNetWithinOneLsb) {
  for (const double scale : {1.0, 2.0}) {
    char folder_template[] = "/tmp/rife-fidelity-XXXXXX";
    ASSERT_NE(mkdtemp(folder_template), nullptr);
    const std::string folder = folder_template;
    auto options = real_cpu_fp32();
    options.scale = scale;
    rife::Engine engine(options);
    std::string command = std::string(std::getenv("RIFE_PYTHON")) + " " + std::getenv("RIFE_TESTS_DIR") +
                          "/fixtures/real_reference.py --scale " + std::to_string(scale) + " " +
                          rife_test::real_model_path() + " " + folder;
    std::vector<std::pair<std::string, Image>> ours;
    for (const char* name : kMiddlebury) {
      const Triplet tr = middlebury(name);
      write_raw(folder + "/" + name + ".0.rgb", tr.first);
      write_raw(folder + "/" + name + ".1.rgb", tr.second);
      command +=
          " " + std::string(name) + ":" + std::to_string(tr.first.width) + "x" + std::to_string(tr.first.height);
      ours.emplace_back(name, rife_io::interpolate(engine, tr.first, tr.second, 0.5f));
    }
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::printf("\nengine vs PyTorch IFNet, real 4.25/4.26 checkpoint, t = 0.5, flow scale %.0f, CPU FP32\n"
                "%-12s %8s %12s\n",
                scale, "sequence", "max diff", "bytes > 0");
    for (const auto& [name, image] : ours) {
      const auto reference = read_raw(folder + "/" + name + ".ref.rgb");
      ASSERT_EQ(reference.size(), image.rgb.size()) << name;
      int max_diff = 0;
      size_t differing = 0;
      for (size_t i = 0; i < reference.size(); ++i) {
        const int d = std::abs(int(reference[i]) - int(image.rgb[i]));
        max_diff = std::max(max_diff, d);
        differing += d > 0;
      }
      std::printf("%-12s %8d %12zu\n", name.c_str(), max_diff, differing);
      EXPECT_LE(max_diff, 1) << name << " at scale " << scale;
      for (const char* suffix : {".0.rgb", ".1.rgb", ".ref.rgb"}) std::remove((folder + "/" + name + suffix).c_str());
    }
    rmdir(folder.c_str());
  }
}

TEST(RealQuality, MiddleburyMiddleFramesThroughTheElement) {
  std::printf("\nMiddlebury 'other' triplets, frame10 + frame11 -> t = 0.5 through rife (defaults, CPU FP32)\n");
  std::printf("%-12s %10s %10s %10s %10s\n", "sequence", "blend dB", "blend SSIM", "RIFE dB", "RIFE SSIM");
  double sum_blend = 0, sum_rife = 0, sum_blend_ssim = 0, sum_rife_ssim = 0;
  for (const char* name : kMiddlebury) {
    const Triplet tr = middlebury(name);
    const auto out = through_element({tr.first, tr.second}, 1, 1);
    ASSERT_EQ(out.size(), 3u) << name << ": frame10, the middle frame, frame11";
    EXPECT_EQ(out[0].rgb, tr.first.rgb) << name << ": the inputs pass bit-exact";
    const Score blend = score(rife_test::blend(tr.first, tr.second), tr.middle), rife = score(out[1], tr.middle);
    std::printf("%-12s %10.2f %10.4f %10.2f %10.4f\n", name, blend.psnr, blend.ssim, rife.psnr, rife.ssim);
    EXPECT_GT(rife.psnr, blend.psnr) << name << ": RIFE must beat the 50/50 blend";
    sum_blend += blend.psnr, sum_rife += rife.psnr, sum_blend_ssim += blend.ssim, sum_rife_ssim += rife.ssim;
  }
  std::printf("%-12s %10.2f %10.4f %10.2f %10.4f\n", "mean", sum_blend / 6, sum_blend_ssim / 6, sum_rife / 6,
              sum_rife_ssim / 6);
  EXPECT_GE(sum_rife / 6, 35.0) << "mean RIFE PSNR on the six Middlebury triplets";
}

TEST(RealQuality, CarTurnEveryOtherFrameDroppedAndRestoredByTheElement) {
  const std::string clip = rife_test::testdata("davis-car-turn/car-turn.mp4");
  const auto decoded = rife_test::run_to_appsink("filesrc location=" + clip +
                                                 " ! decodebin ! videoconvert ! video/x-raw,format=RGB ! "
                                                 "appsink name=sink sync=false");
  ASSERT_EQ(decoded.size(), 81u);
  std::vector<Image> source, kept;
  for (const auto& f : decoded) {
    Image im;
    im.width = 640, im.height = 360;
    ASSERT_EQ(f.bytes.size(), size_t(640) * 360 * 3);
    im.rgb = f.bytes;
    source.push_back(im);
  }
  for (size_t i = 0; i < source.size(); i += 2) kept.push_back(source[i]);
  const auto out = through_element(kept, 25, 2);  // 41 frames at 12.5 fps -> 25 fps
  ASSERT_EQ(out.size(), source.size());
  std::printf("\ncar-turn (640x360, 25 fps): frames 0, 2, ..., 80 through rife at 12.5 -> 25 fps; each odd frame\n"
              "restored against the real dropped one (defaults, CPU FP32)\n%-6s %10s %10s %10s %10s\n",
              "frame", "blend dB", "blend SSIM", "RIFE dB", "RIFE SSIM");
  double sum_blend = 0, sum_rife = 0, sum_blend_ssim = 0, sum_rife_ssim = 0;
  int restored = 0;
  for (size_t k = 1; k + 1 < source.size(); k += 2, ++restored) {
    EXPECT_EQ(out[k - 1].rgb, source[k - 1].rgb) << "kept frame " << k - 1 << " passes bit-exact";
    const Score blend = score(rife_test::blend(source[k - 1], source[k + 1]), source[k]), rife = score(out[k], source[k]);
    std::printf("%-6zu %10.2f %10.4f %10.2f %10.4f\n", k, blend.psnr, blend.ssim, rife.psnr, rife.ssim);
    sum_blend += blend.psnr, sum_rife += rife.psnr, sum_blend_ssim += blend.ssim, sum_rife_ssim += rife.ssim;
  }
  ASSERT_EQ(restored, 40);
  const double n = restored;
  std::printf("%-6s %10.2f %10.4f %10.2f %10.4f\n", "mean", sum_blend / n, sum_blend_ssim / n, sum_rife / n,
              sum_rife_ssim / n);
  EXPECT_GE(sum_rife / n, sum_blend / n + 5.0) << "mean RIFE PSNR must beat the blend by 5 dB";
  EXPECT_GE(sum_rife_ssim / n, 0.90) << "mean RIFE SSIM";

  // Every ensemble, and the automatic flow scale against scale 1, through the element.
  std::printf("\ncar-turn restored frames by mode (means over the 40; seconds per interpolated frame, CPU)\n"
              "%-22s %9s %9s %9s\n", "mode", "PSNR", "SSIM", "s/frame");
  std::map<std::string, double> mean_psnr;
  for (const char* options : {"scale=1", "scale=0", "ensemble=time", "ensemble=time+flip"}) {
    const gint64 start = g_get_monotonic_time();
    const auto restored_frames = through_element(kept, 25, 2, options);
    const double seconds = double(g_get_monotonic_time() - start) / 1e6 / 40;
    ASSERT_EQ(restored_frames.size(), source.size()) << options;
    double psnr = 0, ssim = 0;
    for (size_t k = 1; k + 1 < source.size(); k += 2) {
      const Score s = score(restored_frames[k], source[k]);
      psnr += s.psnr / n, ssim += s.ssim / n;
    }
    mean_psnr[options] = psnr;
    std::printf("%-22s %9.2f %9.4f %9.2f\n", options, psnr, ssim, seconds);
  }
  EXPECT_GE(mean_psnr["scale=0"], mean_psnr["scale=1"] - 0.1) << "the automatic flow scale against scale 1";
  EXPECT_GE(mean_psnr["ensemble=time"], mean_psnr["scale=0"]) << "the time ensemble against a single pass";
  EXPECT_GE(mean_psnr["ensemble=time+flip"], mean_psnr["ensemble=time"] - 0.05);
}

// Ensembles and flow scales on the six Middlebury triplets, engine at the element's defaults
// otherwise (CPU, FP32): what each mode gives, and the automatic scale against scale 1.
TEST(RealQuality, EnsemblesAndFlowScalesOnMiddlebury) {
  struct Mode {
    const char* name;
    double scale;
    rife::Ensemble ensemble;
  };
  const Mode modes[] = {{"scale 1, none", 1.0, rife::Ensemble::None},
                        {"scale 1, time", 1.0, rife::Ensemble::Time},
                        {"scale 1, time+flip", 1.0, rife::Ensemble::TimeFlip},
                        {"scale 2, none", 2.0, rife::Ensemble::None},
                        {"auto scale, none", 0.0, rife::Ensemble::None},
                        {"auto scale, time", 0.0, rife::Ensemble::Time}};
  std::vector<Triplet> triplets;
  for (const char* name : kMiddlebury) triplets.push_back(middlebury(name));
  std::printf("\nMiddlebury, t = 0.5, engine on the CPU in FP32: PSNR per sequence and mean, mean SSIM\n%-20s",
              "mode");
  for (const char* name : kMiddlebury) std::printf(" %11.11s", name);
  std::printf(" %8s %8s\n", "mean", "SSIM");
  std::map<std::string, double> mean;
  for (const Mode& m : modes) {
    auto options = real_cpu_fp32();
    options.scale = m.scale;
    rife::Engine engine(options);
    double psnr = 0, ssim = 0;
    std::printf("%-20s", m.name);
    for (const Triplet& tr : triplets) {
      const Score s = score(rife_io::interpolate(engine, tr.first, tr.second, 0.5f, m.ensemble), tr.middle);
      std::printf(" %11.2f", s.psnr);
      psnr += s.psnr / 6, ssim += s.ssim / 6;
    }
    std::printf(" %8.2f %8.4f\n", psnr, ssim);
    mean[m.name] = psnr;
  }
  EXPECT_GE(mean["scale 1, time"], mean["scale 1, none"] + 1.0) << "the time ensemble gains at least 1 dB";
  EXPECT_GE(mean["scale 1, time+flip"], mean["scale 1, time"]) << "mirroring adds to it";
  EXPECT_GE(mean["auto scale, none"], mean["scale 1, none"] - 0.1) << "the automatic scale against scale 1";
}

int main(int argc, char** argv) {
  rife_test::require_real_weights("test_real_quality");
  gst_init(&argc, &argv);
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
