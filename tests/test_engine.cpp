// The engine on random weights in the official layout: it must compute what an independent PyTorch
// IFNet computes (tests/fixtures/ifnet46_reference.py), keep the input size through padding, treat
// every pixel layout alike, and refuse misuse with clear errors.
#include <gtest/gtest.h>

#include <map>

#include "rife_engine.h"
#include "state_dict.h"
#include "test_support.h"

using rife_test::fixture;

namespace {

rife::EngineOptions random_weights(double scale = 0.0) {
  rife::EngineOptions o;
  o.model_path = fixture("official_module_prefix.pth");
  o.device = "cpu";
  o.scale = scale;
  return o;
}

std::vector<uint8_t> run(rife::Engine& engine, const std::vector<uint8_t>& f0, const std::vector<uint8_t>& f1, int w,
                         int h, rife::PixelFormat format, float t) {
  engine.configure({w, h, format});
  const size_t stride = size_t(w) * rife::bytes_per_pixel(format);
  auto a = engine.prepare(f0.data(), stride);
  auto b = engine.prepare(f1.data(), stride);
  std::vector<uint8_t> out(stride * size_t(h));
  engine.interpolate(a, b, t, out.data(), stride);
  return out;
}

std::vector<uint8_t> bytes_of(const torch::Tensor& t) {
  auto c = t.contiguous();
  return {c.data_ptr<uint8_t>(), c.data_ptr<uint8_t>() + c.numel()};
}

std::string expect_error(const std::function<void()>& f) {
  try {
    f();
  } catch (const rife::Error& e) {
    return e.what();
  }
  ADD_FAILURE() << "no rife::Error thrown";
  return "";
}

}  // namespace

TEST(Engine, MatchesTheIndependentPyTorchIFNetOnOddSizesTimestepsAndScales) {
  std::map<std::string, torch::Tensor> cases;
  for (auto& [k, v] : rife::read_state_dict(fixture("reference_outputs.pth"))) cases[k] = v;
  int checked = 0;
  for (const auto& [key, value] : cases) {
    if (key.size() < 7 || key.substr(key.size() - 7) != ".params") continue;
    const std::string name = key.substr(0, key.size() - 7);
    const double t = value[0].item<double>(), scale = value[1].item<double>();
    const auto& f0 = cases.at(name + ".frame0");
    const int h = int(f0.size(0)), w = int(f0.size(1));
    rife::Engine engine(random_weights(scale));
    const auto got = run(engine, bytes_of(f0), bytes_of(cases.at(name + ".frame1")), w, h, rife::PixelFormat::RGB,
                         float(t));
    const auto want = bytes_of(cases.at(name + ".expected"));
    ASSERT_EQ(got.size(), want.size()) << name;
    int max_diff = 0, off_by_one = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const int d = std::abs(int(got[i]) - int(want[i]));
      max_diff = std::max(max_diff, d);
      off_by_one += d == 1;
    }
    // Same float math in another order: only rounding at .5 boundaries may differ.
    EXPECT_LE(max_diff, 1) << name;
    EXPECT_LT(off_by_one, int(got.size() / 100) + 1) << name;
    ++checked;
  }
  EXPECT_EQ(checked, 3);
}

TEST(Engine, PadsToMultiplesOf32AndCropsBackToTheInputSize) {
  rife::Engine engine(random_weights());
  engine.configure({100, 37, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.padded_width(), 128);
  EXPECT_EQ(engine.padded_height(), 64);
  engine.configure({448, 256, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.padded_width(), 448);
  EXPECT_EQ(engine.padded_height(), 256);
}

TEST(Engine, AutoScaleHalvesTheFlowResolutionAbove1440p) {
  EXPECT_EQ(rife::auto_scale(1920, 1080), 1.0);
  EXPECT_EQ(rife::auto_scale(2560, 1440), 1.0);
  EXPECT_EQ(rife::auto_scale(3840, 2160), 0.5);
  rife::Engine engine(random_weights());
  engine.configure({64, 48, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.scale(), 1.0);
}

TEST(Engine, HalfScalePadsToMultiplesOf64) {
  rife::Engine engine(random_weights(0.5));
  engine.configure({320, 180, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.padded_width(), 320);
  EXPECT_EQ(engine.padded_height(), 192);
}

TEST(Engine, EveryPackedLayoutGivesTheSamePicture) {
  const int w = 40, h = 24;
  std::vector<uint8_t> rgb0(w * h * 3), rgb1(w * h * 3);
  for (size_t i = 0; i < rgb0.size(); ++i) {
    rgb0[i] = uint8_t((i * 7) % 251);
    rgb1[i] = uint8_t((i * 13 + 5) % 241);
  }
  rife::Engine engine(random_weights());
  const auto want = run(engine, rgb0, rgb1, w, h, rife::PixelFormat::RGB, 0.5f);
  struct Layout { rife::PixelFormat f; int r, g, b, x; };
  const Layout layouts[] = {{rife::PixelFormat::BGR, 2, 1, 0, -1},  {rife::PixelFormat::RGBx, 0, 1, 2, 3},
                            {rife::PixelFormat::BGRx, 2, 1, 0, 3},  {rife::PixelFormat::xRGB, 1, 2, 3, 0},
                            {rife::PixelFormat::xBGR, 3, 2, 1, 0},  {rife::PixelFormat::RGBA, 0, 1, 2, 3},
                            {rife::PixelFormat::BGRA, 2, 1, 0, 3},  {rife::PixelFormat::ARGB, 1, 2, 3, 0},
                            {rife::PixelFormat::ABGR, 3, 2, 1, 0}};
  for (const auto& l : layouts) {
    const size_t bpp = rife::bytes_per_pixel(l.f);
    std::vector<uint8_t> p0(w * h * bpp, 17), p1(w * h * bpp, 99);
    for (int i = 0; i < w * h; ++i) {
      p0[i * bpp + l.r] = rgb0[i * 3]; p0[i * bpp + l.g] = rgb0[i * 3 + 1]; p0[i * bpp + l.b] = rgb0[i * 3 + 2];
      p1[i * bpp + l.r] = rgb1[i * 3]; p1[i * bpp + l.g] = rgb1[i * 3 + 1]; p1[i * bpp + l.b] = rgb1[i * 3 + 2];
    }
    const auto got = run(engine, p0, p1, w, h, l.f, 0.5f);
    for (int i = 0; i < w * h; ++i) {
      ASSERT_EQ(got[i * bpp + l.r], want[i * 3]) << int(l.f) << " pixel " << i;
      ASSERT_EQ(got[i * bpp + l.g], want[i * 3 + 1]);
      ASSERT_EQ(got[i * bpp + l.b], want[i * 3 + 2]);
      if (l.x >= 0) {
        ASSERT_EQ(got[i * bpp + l.x], 255);
      }
    }
  }
}

TEST(Engine, RowStrideLargerThanTheRowIsHonoured) {
  const int w = 33, h = 20, stride = 33 * 3 + 13;
  std::vector<uint8_t> tight0(w * h * 3), tight1(w * h * 3);
  for (size_t i = 0; i < tight0.size(); ++i) { tight0[i] = uint8_t(i % 200); tight1[i] = uint8_t((i * 3) % 230); }
  std::vector<uint8_t> wide0(stride * h, 0), wide1(stride * h, 0);
  for (int y = 0; y < h; ++y) {
    std::copy_n(&tight0[y * w * 3], w * 3, &wide0[y * stride]);
    std::copy_n(&tight1[y * w * 3], w * 3, &wide1[y * stride]);
  }
  rife::Engine engine(random_weights());
  const auto want = run(engine, tight0, tight1, w, h, rife::PixelFormat::RGB, 0.3f);
  engine.configure({w, h, rife::PixelFormat::RGB});
  auto a = engine.prepare(wide0.data(), stride);
  auto b = engine.prepare(wide1.data(), stride);
  std::vector<uint8_t> out(stride * h, 7);
  engine.interpolate(a, b, 0.3f, out.data(), stride);
  for (int y = 0; y < h; ++y) {
    ASSERT_TRUE(std::equal(want.begin() + y * w * 3, want.begin() + (y + 1) * w * 3, out.begin() + y * stride));
    ASSERT_EQ(out[y * stride + w * 3], 7) << "wrote past the row";
  }
}

TEST(Engine, APreparedFrameIsReusedAsThePreviousFrameOfTheNextPair) {
  // Streaming: f1 prepared once serves as "next" of (f0, f1) and "previous" of (f1, f2), and gives
  // the same result as a freshly prepared copy.
  const int w = 32, h = 32;
  std::vector<uint8_t> f0(w * h * 3), f1(w * h * 3), f2(w * h * 3);
  for (size_t i = 0; i < f0.size(); ++i) { f0[i] = uint8_t(i); f1[i] = uint8_t(i * 3); f2[i] = uint8_t(i * 5); }
  rife::Engine engine(random_weights());
  engine.configure({w, h, rife::PixelFormat::RGB});
  auto p0 = engine.prepare(f0.data(), w * 3), p1 = engine.prepare(f1.data(), w * 3), p2 = engine.prepare(f2.data(), w * 3);
  std::vector<uint8_t> first(w * h * 3), second(w * h * 3), fresh(w * h * 3);
  engine.interpolate(p0, p1, 0.5f, first.data(), w * 3);
  engine.interpolate(p1, p2, 0.5f, second.data(), w * 3);
  engine.interpolate(engine.prepare(f1.data(), w * 3), p2, 0.5f, fresh.data(), w * 3);
  EXPECT_EQ(second, fresh);
}

TEST(EngineErrors, BadOptionsAreRefusedWithTheirValue) {
  auto o = random_weights();
  o.scale = 0.3;
  EXPECT_NE(expect_error([&] { rife::Engine e(o); }).find("scale 0.3"), std::string::npos);
  o = random_weights();
  o.device = "gpu7";
  EXPECT_NE(expect_error([&] { rife::Engine e(o); }).find("invalid device 'gpu7'"), std::string::npos);
  o = random_weights();
  o.device = "cpu";
  o.precision = rife::Precision::FP16;
  EXPECT_NE(expect_error([&] { rife::Engine e(o); }).find("fp16 is supported on CUDA only"), std::string::npos);
  EXPECT_NE(expect_error([] { rife::parse_precision("fp8"); }).find("'fp8'"), std::string::npos);
  o = random_weights();
  o.model_path = fixture("wrong_shape.pth");
  EXPECT_NE(expect_error([&] { rife::Engine e(o); }).find("wrong_shape.pth"), std::string::npos);
}

TEST(EngineErrors, ACudaDeviceThatDoesNotExistIsAClearError) {
  auto o = random_weights();
  o.device = "cuda:99";  // no GPU here, or fewer than 100 on a GPU machine
  EXPECT_NE(expect_error([&] { rife::Engine e(o); }).find("device 'cuda:99' requested but"), std::string::npos);
}

TEST(EngineErrors, MisuseOfFramesIsRefused) {
  rife::Engine engine(random_weights());
  std::vector<uint8_t> frame(64 * 64 * 4, 0), out(64 * 64 * 4);
  EXPECT_NE(expect_error([&] { engine.prepare(frame.data(), 64 * 3); }).find("configure()"), std::string::npos);
  engine.configure({64, 64, rife::PixelFormat::RGB});
  EXPECT_NE(expect_error([&] { engine.prepare(frame.data(), 10); }).find("stride 10"), std::string::npos);
  auto a = engine.prepare(frame.data(), 64 * 3);
  EXPECT_NE(expect_error([&] { engine.interpolate(a, a, 1.5f, out.data(), 64 * 3); }).find("outside [0, 1]"),
            std::string::npos);
  engine.configure({32, 32, rife::PixelFormat::RGB});
  auto b = engine.prepare(frame.data(), 32 * 3);
  EXPECT_NE(expect_error([&] { engine.interpolate(a, b, 0.5f, out.data(), 32 * 3); }).find("earlier geometry"),
            std::string::npos);
  EXPECT_NE(expect_error([&] { engine.configure({1, 10, rife::PixelFormat::RGB}); }).find("1x10"), std::string::npos);
}
