// Quality with REAL RIFE 4.6 weights on real frames (CPU, FP32). No registry these machines reach has
// them: a user provides them (README, Weights). Without them the program says so in a banner and
// exits 77 (meson: SKIP); it never passes. The default model's quality is test_real_quality's.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "engine_images.h"
#include "rife_engine.h"
#include "test_support.h"

using rife_test::Image;

namespace {

rife::EngineOptions real_weights() {
  rife::EngineOptions o;
  o.model_path = rife_test::rife46_model_path();
  o.device = "cpu";
  return o;
}

using rife_io::interpolate;

Image crop(const Image& in, int w, int h) {
  Image out;
  out.width = w;
  out.height = h;
  for (int y = 0; y < h; ++y)
    out.rgb.insert(out.rgb.end(), in.rgb.begin() + size_t(y) * in.width * 3,
                   in.rgb.begin() + (size_t(y) * in.width + w) * 3);
  return out;
}

}  // namespace

TEST(RealWeightsQuality, MiddleburyMiddleFrameBeatsTheBlend) {
  rife::Engine engine(real_weights());
  const char* triplets[] = {"Beanbags", "Dimetrodon", "Grove2", "Hydrangea", "RubberWhale", "Urban2"};
  double sum_gain = 0;
  std::printf("\n%-12s %9s %9s %9s\n", "triplet", "blend dB", "rife dB", "gain dB");
  for (const char* name : triplets) {
    const std::string dir = rife_test::testdata(std::string("middlebury-other-interp/") + name + "/");
    const Image f10 = rife_test::load_png(dir + "frame10.png"), f11 = rife_test::load_png(dir + "frame11.png");
    const Image truth = rife_test::load_png(dir + "frame10i11.png");
    const double blend_db = rife_test::psnr(rife_test::blend(f10, f11).rgb, truth.rgb);
    const double rife_db = rife_test::psnr(interpolate(engine, f10, f11, 0.5f).rgb, truth.rgb);
    std::printf("%-12s %9.2f %9.2f %+9.2f\n", name, blend_db, rife_db, rife_db - blend_db);
    EXPECT_GT(rife_db, blend_db - 0.5) << name << ": RIFE is more than 0.5 dB below the 50/50 blend";
    sum_gain += rife_db - blend_db;
  }
  const double mean_gain = sum_gain / 6;
  std::printf("%-12s %29s %+9.2f\n", "mean", "", mean_gain);
  EXPECT_GE(mean_gain, 3.0) << "RIFE must beat the blend by 3 dB on average";
}

TEST(RealWeightsQuality, OddSizesKeepTheirSizeAndEndpointsReturnTheInputs) {
  rife::Engine engine(real_weights());
  const std::string dir = rife_test::testdata("rife-demo-pairs/");
  const std::pair<Image, Image> pairs[] = {
      {rife_test::load_png(dir + "practical_i0.png"), rife_test::load_png(dir + "practical_i1.png")},  // 320x180
      {crop(rife_test::load_png(dir + "eccv2022_I0_0.png"), 445, 250),
       crop(rife_test::load_png(dir + "eccv2022_I0_1.png"), 445, 250)}};
  for (const auto& [a, b] : pairs) {
    const Image at0 = interpolate(engine, a, b, 0.0f), at1 = interpolate(engine, a, b, 1.0f);
    ASSERT_EQ(at0.rgb.size(), a.rgb.size());
    const double p0 = rife_test::psnr(at0.rgb, a.rgb), p1 = rife_test::psnr(at1.rgb, b.rgb);
    std::printf("%dx%d: t=0 vs first frame %.2f dB, t=1 vs second frame %.2f dB\n", a.width, a.height, p0, p1);
    EXPECT_GT(p0, 35.0) << a.width << "x" << a.height;
    EXPECT_GT(p1, 35.0) << a.width << "x" << a.height;
  }
}

int main(int argc, char** argv) {
  rife_test::require_rife46_weights_or_skip("test_rife46_quality");
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
