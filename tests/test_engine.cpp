// The engine on random weights in the official layout: it must compute what an independent PyTorch
// IFNet computes (tests/fixtures/ifnet46_reference.py), keep the input size through padding, treat
// every pixel layout alike, and refuse misuse with clear errors.
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <map>

#include "ifnet.h"
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

// Bytes i * step + offset (mod 256): a synthetic frame.
std::vector<uint8_t> ramp(size_t size, int step, int offset) {
  std::vector<uint8_t> v(size);
  for (size_t i = 0; i < size; ++i) v[i] = uint8_t(i * step + offset);
  return v;
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

// Runs every case of a reference file written by make_fixtures.py through the engine and compares
// with the independent PyTorch IFNet's bytes.
void expect_matches_reference(const std::string& model, const std::string& reference, int expected_cases) {
  std::map<std::string, torch::Tensor> cases;
  for (auto& [k, v] : rife::read_state_dict(fixture(reference))) cases[k] = v;
  int checked = 0;
  for (const auto& [key, value] : cases) {
    if (key.size() < 7 || key.substr(key.size() - 7) != ".params") continue;
    const std::string name = key.substr(0, key.size() - 7);
    const double t = value[0].item<double>(), scale = value[1].item<double>();
    const auto& f0 = cases.at(name + ".frame0");
    const int h = int(f0.size(0)), w = int(f0.size(1));
    auto options = random_weights(scale);
    options.model_path = fixture(model);
    rife::Engine engine(options);
    const auto got =
        run(engine, bytes_of(f0), bytes_of(cases.at(name + ".frame1")), w, h, rife::PixelFormat::RGB, float(t));
    const auto want = bytes_of(cases.at(name + ".expected"));
    ASSERT_EQ(got.size(), want.size()) << name;
    int max_diff = 0, off_by_one = 0;
    for (size_t i = 0; i < got.size(); ++i) {
      const int d = std::abs(int(got[i]) - int(want[i]));
      max_diff = std::max(max_diff, d);
      off_by_one += d == 1;
    }
    // Same float math in another order: only rounding at .5 boundaries may differ.
    EXPECT_LE(max_diff, 1) << model << " " << name;
    EXPECT_LT(off_by_one, int(got.size() / 100) + 1) << model << " " << name;
    ++checked;
  }
  EXPECT_EQ(checked, expected_cases);
}

TEST(Engine, Rife46MatchesTheIndependentPyTorchIFNetOnOddSizesTimestepsAndScales) {
  expect_matches_reference("official_module_prefix.pth", "reference_outputs.pth", 5);  // scales 0.5, 1, 2, 4
}

TEST(Engine, Rife425MatchesTheIndependentPyTorchIFNetIncludingT0AndT1) {
  expect_matches_reference("rife425_random.pth", "reference_outputs_425.pth", 6);  // scales 0.5, 1, 2, 4
}

TEST(Engine, Rife425LiteMatchesTheIndependentPyTorchIFNet) {
  expect_matches_reference("rife425_lite_random.pth", "reference_outputs_425_lite.pth", 2);
}

TEST(Engine, PadsToMultiplesOf32AndCropsBackToTheInputSize) {
  rife::Engine engine(random_weights(1.0));
  engine.configure({100, 37, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.padded_width(), 128);
  EXPECT_EQ(engine.padded_height(), 64);
  engine.configure({448, 256, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.padded_width(), 448);
  EXPECT_EQ(engine.padded_height(), 256);
}

// The measured rule (README, Quality): a finer pyramid for small frames, a coarser one above 1440p.
TEST(Engine, AutoScaleIsTwoUpTo720pOneUpTo1440pAndAHalfAbove) {
  EXPECT_EQ(rife::auto_scale(320, 180), 2.0);
  EXPECT_EQ(rife::auto_scale(640, 480), 2.0);
  EXPECT_EQ(rife::auto_scale(1280, 720), 2.0);
  EXPECT_EQ(rife::auto_scale(1280, 960), 1.0);
  EXPECT_EQ(rife::auto_scale(1920, 1080), 1.0);
  EXPECT_EQ(rife::auto_scale(2560, 1440), 1.0);
  EXPECT_EQ(rife::auto_scale(3840, 2160), 0.5);
  rife::Engine engine(random_weights());
  engine.configure({64, 48, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.scale(), 2.0);
  engine.configure({3840, 2160, rife::PixelFormat::RGB});
  EXPECT_EQ(engine.scale(), 0.5);
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
  struct Layout {
    rife::PixelFormat f;
    int r, g, b, x;
  };
  const Layout layouts[] = {{rife::PixelFormat::BGR, 2, 1, 0, -1}, {rife::PixelFormat::RGBx, 0, 1, 2, 3},
                            {rife::PixelFormat::BGRx, 2, 1, 0, 3}, {rife::PixelFormat::xRGB, 1, 2, 3, 0},
                            {rife::PixelFormat::xBGR, 3, 2, 1, 0}, {rife::PixelFormat::RGBA, 0, 1, 2, 3},
                            {rife::PixelFormat::BGRA, 2, 1, 0, 3}, {rife::PixelFormat::ARGB, 1, 2, 3, 0},
                            {rife::PixelFormat::ABGR, 3, 2, 1, 0}};
  for (const auto& l : layouts) {
    const size_t bpp = rife::bytes_per_pixel(l.f);
    std::vector<uint8_t> p0(w * h * bpp, 17), p1(w * h * bpp, 99);
    for (int i = 0; i < w * h; ++i) {
      p0[i * bpp + l.r] = rgb0[i * 3];
      p0[i * bpp + l.g] = rgb0[i * 3 + 1];
      p0[i * bpp + l.b] = rgb0[i * 3 + 2];
      p1[i * bpp + l.r] = rgb1[i * 3];
      p1[i * bpp + l.g] = rgb1[i * 3 + 1];
      p1[i * bpp + l.b] = rgb1[i * 3 + 2];
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
  for (size_t i = 0; i < tight0.size(); ++i) {
    tight0[i] = uint8_t(i % 200);
    tight1[i] = uint8_t((i * 3) % 230);
  }
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
  for (size_t i = 0; i < f0.size(); ++i) {
    f0[i] = uint8_t(i);
    f1[i] = uint8_t(i * 3);
    f2[i] = uint8_t(i * 5);
  }
  rife::Engine engine(random_weights());
  engine.configure({w, h, rife::PixelFormat::RGB});
  auto p0 = engine.prepare(f0.data(), w * 3), p1 = engine.prepare(f1.data(), w * 3),
       p2 = engine.prepare(f2.data(), w * 3);
  std::vector<uint8_t> first(w * h * 3), second(w * h * 3), fresh(w * h * 3);
  engine.interpolate(p0, p1, 0.5f, first.data(), w * 3);
  engine.interpolate(p1, p2, 0.5f, second.data(), w * 3);
  engine.interpolate(engine.prepare(f1.data(), w * 3), p2, 0.5f, fresh.data(), w * 3);
  EXPECT_EQ(second, fresh);
}

rife::EngineOptions with_model(const std::string& file, const std::string& version = "auto") {
  auto o = random_weights();
  o.model_path = fixture(file);
  o.model_version = rife::parse_model_version(version);
  return o;
}

TEST(ModelVersions, AutoDetectsTheArchitectureFromKeysAndShapes) {
  EXPECT_EQ(rife::Engine(with_model("official_plain.pth")).model_version(), "4.6");
  EXPECT_EQ(rife::Engine(with_model("rife425_random.pth")).model_version(), "4.25/4.26");
  EXPECT_EQ(rife::Engine(with_model("rife425_lite_random.pth")).model_version(), "4.25-lite");
}

TEST(ModelVersions, AForcedVersionThatMatchesLoads) {
  EXPECT_EQ(rife::Engine(with_model("rife425_random.pth", "4.25")).model_version(), "4.25/4.26");
  EXPECT_EQ(rife::Engine(with_model("rife425_random.pth", "4.26")).model_version(), "4.25/4.26");
  EXPECT_EQ(rife::Engine(with_model("official_plain.pth", "4.6")).model_version(), "4.6");
}

TEST(ModelVersions, AForcedVersionThatDoesNotMatchTheFileIsAClearError) {
  EXPECT_NE(
      expect_error([] {
        rife::Engine e(with_model("rife425_random.pth", "4.6"));
      }).find("rife425_random.pth: model-version 4.6 was requested but the file holds a RIFE 4.25/4.26 state dict"),
      std::string::npos);
  EXPECT_NE(expect_error([] {
              rife::Engine e(with_model("official_plain.pth", "4.25"));
            }).find("holds a RIFE 4.6 state dict"),
            std::string::npos);
  EXPECT_NE(expect_error([] {
              rife::Engine e(with_model("rife425_lite_random.pth", "4.26"));
            }).find("holds a RIFE 4.25-lite state dict"),
            std::string::npos);
  EXPECT_NE(expect_error([] {
              rife::Engine e(with_model("official_plain.pth", "4.7"));
            }).find("unknown RIFE model version '4.7'"),
            std::string::npos);
}

// Padding to 4 x the coarsest pyramid scale / the flow scale: what every level needs to stay on
// whole pixels after the two stride-2 convolutions of a block.
TEST(ModelVersions, PaddingFollowsTheCoarsestScaleOfEachArchitectureAndTheFlowScale) {
  auto padded = [](const char* file, double scale, int w, int h) {
    auto o = with_model(file);
    o.scale = scale;
    rife::Engine e(o);
    e.configure({w, h, rife::PixelFormat::RGB});
    return std::make_pair(e.padded_width(), e.padded_height());
  };
  EXPECT_EQ(padded("rife425_random.pth", 1.0, 100, 70), std::make_pair(128, 128));       // multiple of 64
  EXPECT_EQ(padded("rife425_lite_random.pth", 1.0, 130, 50), std::make_pair(256, 128));  // 128
  EXPECT_EQ(padded("rife425_random.pth", 0.5, 100, 70), std::make_pair(128, 128));       // 128
  EXPECT_EQ(padded("rife425_random.pth", 2.0, 100, 70), std::make_pair(128, 96));        // 32
  EXPECT_EQ(padded("rife425_random.pth", 4.0, 100, 70), std::make_pair(112, 80));        // 16
  EXPECT_EQ(padded("rife425_lite_random.pth", 2.0, 130, 50), std::make_pair(192, 64));   // 64
  EXPECT_EQ(padded("official_plain.pth", 2.0, 100, 70), std::make_pair(112, 80));        // 16
  EXPECT_EQ(padded("official_plain.pth", 4.0, 100, 70), std::make_pair(104, 72));        // 8
}

TEST(FeatureCache, CachedAndPerPairFeaturesGiveIdenticalFrames) {
  const int w = 70, h = 50;
  std::vector<uint8_t> f0(w * h * 3), f1(w * h * 3), f2(w * h * 3);
  for (size_t i = 0; i < f0.size(); ++i) {
    f0[i] = uint8_t(i * 7);
    f1[i] = uint8_t(i * 11 + 3);
    f2[i] = uint8_t(i * 5 + 1);
  }
  auto cached_opts = with_model("rife425_random.pth");
  auto uncached_opts = cached_opts;
  uncached_opts.cache_features = false;
  rife::Engine cached(cached_opts), uncached(uncached_opts);
  for (auto* e : {&cached, &uncached}) e->configure({w, h, rife::PixelFormat::RGB});
  auto c0 = cached.prepare(f0.data(), w * 3), c1 = cached.prepare(f1.data(), w * 3),
       c2 = cached.prepare(f2.data(), w * 3);
  auto u0 = uncached.prepare(f0.data(), w * 3), u1 = uncached.prepare(f1.data(), w * 3),
       u2 = uncached.prepare(f2.data(), w * 3);
  for (float t : {0.25f, 0.5f}) {
    std::vector<uint8_t> a(w * h * 3), b(w * h * 3);
    cached.interpolate(c0, c1, t, a.data(), w * 3);
    uncached.interpolate(u0, u1, t, b.data(), w * 3);
    EXPECT_EQ(a, b) << "pair (0, 1) t=" << t;
    cached.interpolate(c1, c2, t, a.data(), w * 3);  // frame 1's features computed once, reused here
    uncached.interpolate(u1, u2, t, b.data(), w * 3);
    EXPECT_EQ(a, b) << "pair (1, 2) t=" << t;
  }
}

TEST(FeatureCache, IFNetOutputIsBitExactWithFeaturesComputedOnceOrPerPair) {
  const auto raw = rife::read_state_dict(fixture("rife425_random.pth"));
  const auto& spec = rife::rife425_spec();
  rife::IFNet net(spec, rife::validate_state_dict(raw, spec, "rife425_random.pth"), torch::kCPU, torch::kFloat32,
                  rife::IFNet::Options{});
  torch::NoGradGuard no_grad;
  torch::manual_seed(1);
  auto img0 = torch::rand({1, 3, 64, 128}), img1 = torch::rand({1, 3, 64, 128});
  auto grid = rife::IFNet::make_warp_grid(64, 128, torch::kFloat32);
  auto t = torch::full({1, 1, 64, 128}, 0.5f);
  const auto feat0 = net.encode(img0), feat1 = net.encode(img1);  // the cached features
  auto cached = net.forward(img0, img1, feat0, feat1, t, grid, 1.0);
  auto fresh = net.forward(img0, img1, net.encode(img0.clone()), net.encode(img1.clone()), t, grid, 1.0);
  EXPECT_TRUE(torch::equal(cached, fresh));
  EXPECT_EQ(feat0.sizes(), torch::IntArrayRef({1, 4, 64, 128}));
}

TEST(Engine, IsDeterministic) {
  for (const char* model : {"official_plain.pth", "rife425_random.pth"}) {
    const int w = 40, h = 30;
    std::vector<uint8_t> f0(w * h * 3), f1(w * h * 3);
    for (size_t i = 0; i < f0.size(); ++i) {
      f0[i] = uint8_t(i * 3);
      f1[i] = uint8_t(i * 13);
    }
    rife::Engine engine(with_model(model));
    EXPECT_EQ(run(engine, f0, f1, w, h, rife::PixelFormat::RGB, 0.5f),
              run(engine, f0, f1, w, h, rife::PixelFormat::RGB, 0.5f))
        << model;
  }
}

TEST(EngineErrors, BadOptionsAreRefusedWithTheirValue) {
  auto o = random_weights();
  for (const auto& [bad, text] : std::vector<std::pair<double, std::string>>{{0.3, "0.3"}, {3.0, "3"}, {8.0, "8"}, {-1.0, "-1"}}) {
    o.scale = bad;
    const auto msg = expect_error([&] { rife::Engine e(o); });
    EXPECT_NE(msg.find("flow scale " + text + " is not supported"), std::string::npos) << msg;
    EXPECT_NE(msg.find("use 0.25, 0.5, 1, 2 or 4"), std::string::npos) << msg;
  }
  for (double good : {0.0, 0.25, 0.5, 1.0, 2.0, 4.0}) {
    o.scale = good;
    EXPECT_NO_THROW(rife::Engine e(o)) << good;
  }
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

TEST(EngineErrors, WorkBuffersThatDoNotFitInMemoryAreAClearError) {
  rife::Engine engine(random_weights());
  engine.configure({64, 48, rife::PixelFormat::RGB});
  rlimit old{};
  getrlimit(RLIMIT_AS, &old);
  rlimit capped = old;
  capped.rlim_cur = rife_test::address_space_in_use() + (rlim_t(1) << 30);  // 1 GiB more; 16384^2 needs 3
  ASSERT_EQ(setrlimit(RLIMIT_AS, &capped), 0);
  const std::string msg = expect_error([&] { engine.configure({16384, 16384, rife::PixelFormat::RGB}); });
  setrlimit(RLIMIT_AS, &old);
  EXPECT_NE(msg.find("cannot allocate the work buffers for 16384x16384 frames on cpu"), std::string::npos) << msg;
  EXPECT_NE(expect_error([&] { engine.prepare(nullptr, 0); }).find("configure() was not called"), std::string::npos)
      << "a failed configure leaves the engine unconfigured";
}

TEST(Engine, SeveralTimestepsOfAPairRunAsOneBatchWithTheSameResults) {
  const int w = 40, h = 24;
  const auto f0 = ramp(w * h * 3, 7, 0), f1 = ramp(w * h * 3, 7, 40);
  rife::Engine engine(random_weights());
  engine.configure({w, h, rife::PixelFormat::RGB});
  auto a = engine.prepare(f0.data(), w * 3), b = engine.prepare(f1.data(), w * 3);
  const std::vector<float> ts = {0.2f, 0.4f, 0.6f, 0.8f};
  std::vector<std::vector<uint8_t>> batched(ts.size(), std::vector<uint8_t>(f0.size()));
  std::vector<rife::OutputPlanes> outs(ts.size());
  for (size_t i = 0; i < ts.size(); ++i) {
    outs[i].data[0] = batched[i].data();
    outs[i].stride[0] = w * 3;
  }
  engine.interpolate(a, b, ts, outs);
  for (size_t i = 0; i < ts.size(); ++i) {
    std::vector<uint8_t> single(f0.size());
    engine.interpolate(a, b, ts[i], single.data(), w * 3);
    int worst = 0;
    for (size_t j = 0; j < single.size(); ++j) worst = std::max(worst, std::abs(int(single[j]) - int(batched[i][j])));
    EXPECT_LE(worst, 1) << "t = " << ts[i];
    if (i > 0) {
      EXPECT_NE(batched[i], batched[i - 1]) << "each timestep has its own output";
    }
  }
  EXPECT_NE(expect_error([&] { engine.interpolate(a, b, {0.5f}, {}); }).find("1 timesteps for 0 outputs"),
            std::string::npos);
}

TEST(Engine, DifferenceIsZeroForAFrameAndItselfAndLargeForUnrelatedPictures) {
  const auto a = rife_test::load_png(rife_test::testdata("middlebury-other-interp/Urban2/frame10.png"));
  const auto b = rife_test::load_png(rife_test::testdata("middlebury-other-interp/Urban2/frame11.png"));
  const auto other = rife_test::load_png(rife_test::testdata("middlebury-other-interp/RubberWhale/frame10.png"));
  rife::Engine engine(random_weights());
  auto diff = [&](const rife_test::Image& x, const rife_test::Image& y) {
    const int w = std::min(x.width, y.width), h = std::min(x.height, y.height);
    std::vector<uint8_t> cx(size_t(w) * h * 3), cy(cx.size());
    for (int r = 0; r < h; ++r) {  // both cropped to the common size
      std::copy_n(x.rgb.begin() + size_t(r) * x.width * 3, w * 3, cx.begin() + size_t(r) * w * 3);
      std::copy_n(y.rgb.begin() + size_t(r) * y.width * 3, w * 3, cy.begin() + size_t(r) * w * 3);
    }
    engine.configure({w, h, rife::PixelFormat::RGB});
    return engine.difference(engine.prepare(cx.data(), w * 3), engine.prepare(cy.data(), w * 3));
  };
  EXPECT_EQ(diff(a, a), 0.0f);
  EXPECT_LT(diff(a, b), 0.06f) << "consecutive frames of one scene";
  EXPECT_GT(diff(a, other), rife::kSceneCutThreshold) << "two unrelated real pictures: a cut at the default threshold";
}

TEST(EngineErrors, MissingOrShortPlanesAreRefused) {
  rife::Engine engine(random_weights());
  engine.configure({33, 17, rife::PixelFormat::I420});
  std::vector<uint8_t> y(33 * 17), u(17 * 9), v(17 * 9);
  rife::InputPlanes in;
  in.data[0] = y.data();
  in.stride[0] = 33;
  EXPECT_NE(expect_error([&] { engine.prepare(in); }).find("plane 1 is null"), std::string::npos);
  in.data[1] = u.data();
  in.data[2] = v.data();
  in.stride[1] = 16;  // a 4:2:0 chroma row of a 33-pixel frame has 17 samples
  in.stride[2] = 17;
  EXPECT_NE(expect_error([&] { engine.prepare(in); }).find("stride 16 of plane 1 is smaller than a row of 17"),
            std::string::npos);
  EXPECT_NE(expect_error([&] { engine.prepare(y.data(), 33); }).find("several planes"), std::string::npos);
  in.stride[1] = 17;
  EXPECT_NO_THROW(engine.prepare(in));
}

TEST(Engine, ChannelsLastComputesTheSameFrames) {
  // NHWC weights and activations (the default on every device: Auto) must not change the result;
  // optimisations() says what is in effect.
  const int w = 48, h = 32;
  const auto f0 = ramp(w * h * 3, 5, 0), f1 = ramp(w * h * 3, 5, 30);
  auto o = random_weights();
  EXPECT_EQ(rife::Engine(o).optimisations(), "channels_last") << "Auto on the CPU";
  o.channels_last = rife::Switch::Off;
  rife::Engine plain(o);
  EXPECT_EQ(plain.optimisations(), "none");
  o.channels_last = rife::Switch::On;
  rife::Engine nhwc(o);
  EXPECT_EQ(nhwc.optimisations(), "channels_last");
  for (auto* model : {"official_plain.pth", "rife425_random.pth"}) {
    auto po = random_weights(), no = o;
    po.channels_last = rife::Switch::Off;
    po.model_path = no.model_path = fixture(model);
    rife::Engine a(po), b(no);
    const auto x = run(a, f0, f1, w, h, rife::PixelFormat::RGB, 0.3f);
    const auto y = run(b, f0, f1, w, h, rife::PixelFormat::RGB, 0.3f);
    int worst = 0;
    for (size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(int(x[i]) - int(y[i])));
    EXPECT_LE(worst, 1) << model;
  }
}

// ---- Ensembles: several passes per frame, averaged, in one batch.

namespace {

// Smooth moving RGB frames (a real-video stand-in) of w x h.
std::vector<uint8_t> smooth_frame(int w, int h, int shift) {
  std::vector<uint8_t> f(size_t(w) * h * 3);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c)
        f[(size_t(y) * w + x) * 3 + c] =
            uint8_t(128 + 90 * std::sin(0.25 * (x + shift) + 0.15 * y + 2 * c) * std::cos(0.11 * (y - shift) + x * 0.02));
  return f;
}

std::vector<uint8_t> mirrored(const std::vector<uint8_t>& f, int w, int h) {
  std::vector<uint8_t> m(f.size());
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) m[(size_t(y) * w + x) * 3 + c] = f[(size_t(y) * w + (w - 1 - x)) * 3 + c];
  return m;
}

// The ensemble computed pass by pass through the plain API (each pass rounded to 8 bits, then
// averaged) against the engine's batched ensemble: equal within rounding.
void expect_ensemble_is_its_passes_averaged(const char* model, rife::Ensemble ensemble) {
  const int w = 44, h = 30;
  auto o = with_model(model);
  o.scale = 1.0;
  rife::Engine engine(o);
  const auto f0 = smooth_frame(w, h, 0), f1 = smooth_frame(w, h, 3);
  const std::vector<float> ts = {0.3f, 0.7f};
  engine.configure({w, h, rife::PixelFormat::RGB});
  const size_t stride = size_t(w) * 3;
  auto a = engine.prepare(f0.data(), stride), b = engine.prepare(f1.data(), stride);
  std::vector<std::vector<uint8_t>> batched(ts.size(), std::vector<uint8_t>(stride * h));
  engine.interpolate(a, b, ts, {{{batched[0].data()}, {stride}}, {{batched[1].data()}, {stride}}}, ensemble);
  for (size_t i = 0; i < ts.size(); ++i) {
    const float t = ts[i];
    std::vector<std::vector<uint8_t>> passes = {run(engine, f0, f1, w, h, rife::PixelFormat::RGB, t),
                                                run(engine, f1, f0, w, h, rife::PixelFormat::RGB, 1.0f - t)};
    if (ensemble == rife::Ensemble::TimeFlip) {
      const auto m0 = mirrored(f0, w, h), m1 = mirrored(f1, w, h);
      passes.push_back(mirrored(run(engine, m0, m1, w, h, rife::PixelFormat::RGB, t), w, h));
      passes.push_back(mirrored(run(engine, m1, m0, w, h, rife::PixelFormat::RGB, 1.0f - t), w, h));
    }
    int worst = 0, differs_from_single = 0;
    for (size_t j = 0; j < batched[i].size(); ++j) {
      double sum = 0;
      for (const auto& p : passes) sum += p[j];
      worst = std::max(worst, int(std::ceil(std::abs(sum / double(passes.size()) - batched[i][j]))));
      differs_from_single += batched[i][j] != passes[0][j];
    }
    EXPECT_LE(worst, 1) << model << " " << rife::to_string(ensemble) << " t = " << t;
    EXPECT_GT(differs_from_single, 0) << "the ensemble must not be the single pass";
  }
}

}  // namespace

TEST(Ensemble, TimeIsThePairAndItsReverseAveragedInOneBatch) {
  expect_ensemble_is_its_passes_averaged("official_plain.pth", rife::Ensemble::Time);
  expect_ensemble_is_its_passes_averaged("rife425_random.pth", rife::Ensemble::Time);
}

TEST(Ensemble, TimeFlipAddsTheMirroredPairBothWays) {
  expect_ensemble_is_its_passes_averaged("official_plain.pth", rife::Ensemble::TimeFlip);
  expect_ensemble_is_its_passes_averaged("rife425_random.pth", rife::Ensemble::TimeFlip);
}

TEST(Ensemble, NoneIsThePlainForwardPass) {
  const int w = 44, h = 30;
  rife::Engine engine(with_model("rife425_random.pth"));
  const auto f0 = smooth_frame(w, h, 0), f1 = smooth_frame(w, h, 3);
  const auto plain = run(engine, f0, f1, w, h, rife::PixelFormat::RGB, 0.5f);
  const size_t stride = size_t(w) * 3;
  auto a = engine.prepare(f0.data(), stride), b = engine.prepare(f1.data(), stride);
  std::vector<uint8_t> out(stride * h);
  engine.interpolate(a, b, {0.5f}, {{{out.data()}, {stride}}}, rife::Ensemble::None);
  EXPECT_EQ(out, plain);
}

// 4.25's encoder runs once per prepared frame and once per mirrored frame, never per pair: the
// reversed passes reuse the features as they are, the mirrored ones are made once and kept.
TEST(Ensemble, FeaturesAreComputedOncePerFrameAndOncePerMirroredFrame) {
  const int w = 44, h = 30;
  rife::Engine engine(with_model("rife425_random.pth"));
  engine.configure({w, h, rife::PixelFormat::RGB});
  const size_t stride = size_t(w) * 3;
  const auto f0 = smooth_frame(w, h, 0), f1 = smooth_frame(w, h, 3), f2 = smooth_frame(w, h, 6);
  std::vector<uint8_t> out(stride * h);
  const std::vector<rife::OutputPlanes> outs = {{{out.data()}, {stride}}};
  auto a = engine.prepare(f0.data(), stride), b = engine.prepare(f1.data(), stride);
  EXPECT_EQ(engine.encoder_runs(), 2u);
  engine.interpolate(a, b, {0.5f}, outs, rife::Ensemble::Time);
  EXPECT_EQ(engine.encoder_runs(), 2u) << "the reversed pass swaps the features";
  engine.interpolate(a, b, {0.5f}, outs, rife::Ensemble::TimeFlip);
  EXPECT_EQ(engine.encoder_runs(), 4u) << "each frame mirrored and encoded once";
  engine.interpolate(a, b, {0.5f}, outs, rife::Ensemble::TimeFlip);
  EXPECT_EQ(engine.encoder_runs(), 4u) << "kept with the frames";
  auto c = engine.prepare(f2.data(), stride);
  engine.interpolate(b, c, {0.5f}, outs, rife::Ensemble::TimeFlip);
  EXPECT_EQ(engine.encoder_runs(), 6u) << "the next pair reuses b's mirror: only c is new (prepared + mirrored)";
}

TEST(Ensemble, NamesRoundTripAndUnknownNamesAreRefused) {
  for (auto e : {rife::Ensemble::None, rife::Ensemble::Time, rife::Ensemble::TimeFlip})
    EXPECT_EQ(rife::parse_ensemble(rife::to_string(e)), e);
  EXPECT_EQ(rife::passes(rife::Ensemble::TimeFlip), 4);
  EXPECT_NE(expect_error([] { rife::parse_ensemble("flip"); }).find("unknown ensemble 'flip'"), std::string::npos);
}
