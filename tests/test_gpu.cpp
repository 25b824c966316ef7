// The CUDA path, on a machine with a GPU (exit 77 = SKIP elsewhere, never a pass):
//  - every speed switch (CUDA graphs, pinned staging, channels_last, TF32, FP32 warp) leaves the
//    result within rounding of the plain path, on real frames;
//  - FP16 stays close to FP32 (the table of numbers is rife-bench's job; this is the guard rail);
//  - no device memory is allocated per frame once warm: cudaMalloc'd segments stay constant;
//  - a capture failure would fall back to eager execution (optimisations() says so);
//  - 10, 12 and 16-bit formats: the FP32 round trip on the device bit-exact, FP16 within its rounding,
//    a P010 pair interpolated in FP16 close to the CPU in FP32, and no allocation per frame either.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>

#ifdef RIFE_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

#include "frame_layout.h"
#include "rife_engine.h"
#include "test_support.h"

namespace {

struct Pair {
  int w, h;
  std::vector<uint8_t> a, b;
};

Pair real_pair() {
  const auto a = rife_test::load_png(rife_test::testdata("middlebury-other-interp/Urban2/frame10.png"));
  const auto b = rife_test::load_png(rife_test::testdata("middlebury-other-interp/Urban2/frame11.png"));
  return {a.width, a.height, a.rgb, b.rgb};
}

std::vector<uint8_t> interpolate(rife::EngineOptions o, const Pair& p, float t = 0.5f) {
  rife::Engine engine(o);
  engine.configure({p.w, p.h, rife::PixelFormat::RGB});
  std::vector<uint8_t> out(size_t(p.w) * p.h * 3);
  auto a = engine.prepare(p.a.data(), size_t(p.w) * 3), b = engine.prepare(p.b.data(), size_t(p.w) * 3);
  for (int i = 0; i < 3; ++i) engine.interpolate(a, b, t, out.data(), size_t(p.w) * 3);  // graphs: capture, replay
  return out;
}

rife::EngineOptions plain(rife::Precision precision) {
  rife::EngineOptions o;
  o.model_path = rife_test::fixture("official_plain.pth");
  o.device = "cuda";
  o.precision = precision;
  o.tf32 = o.cudnn_benchmark = o.cuda_graphs = o.pinned_staging = false;
  o.channels_last = rife::Switch::Off;
  return o;
}

// One frame's planes in host memory, tightly packed, for any format.
struct HostFrame {
  rife::FrameLayout layout;
  std::vector<std::vector<uint8_t>> planes;
  size_t stride(int p) const { return planes[size_t(p)].size() / size_t(layout.plane_rows(p, h)); }
  int w, h;
  HostFrame(rife::PixelFormat format, int width, int height) : layout(rife::frame_layout(format)), w(width), h(height) {
    for (int p = 0; p < layout.planes; ++p)
      planes.emplace_back(size_t(layout.plane_rows(p, h) * layout.plane_row_bytes(p, w)));
  }
  rife::InputPlanes in() const {
    rife::InputPlanes i;
    for (int p = 0; p < layout.planes; ++p) i.data[p] = planes[size_t(p)].data(), i.stride[p] = stride(p);
    return i;
  }
  rife::OutputPlanes out() {
    rife::OutputPlanes o;
    for (int p = 0; p < layout.planes; ++p) o.data[p] = planes[size_t(p)].data(), o.stride[p] = stride(p);
    return o;
  }
  // Every 16-bit word of every plane (the deep formats have no other bytes).
  std::vector<int> words() const {
    std::vector<int> v;
    for (const auto& plane : planes)
      for (size_t i = 0; i + 1 < plane.size(); i += 2) v.push_back(plane[i] | plane[i + 1] << 8);
    return v;
  }
};

// Random code values in every sample (alpha of 16-bit RGBA full, as the engine writes it).
HostFrame random_deep_frame(rife::PixelFormat format, int w, int h, unsigned seed) {
  HostFrame f(format, w, h);
  std::mt19937 random(seed);
  const auto& s = f.layout.sample;
  for (auto& plane : f.planes)
    for (size_t i = 0; i + 1 < plane.size(); i += 2) {
      const int word = int(random() % unsigned(s.max_code() + 1)) << s.shift;
      plane[i] = uint8_t(word & 255), plane[i + 1] = uint8_t(word >> 8);
    }
  if (f.layout.fill_offset >= 0)
    for (size_t i = size_t(f.layout.fill_offset); i < f.planes[0].size();
         i += size_t(f.layout.plane[0].bytes_per_group))
      f.planes[0][i] = f.planes[0][i + 1] = 255;
  return f;
}

// The RGB pair as P010_10LE (BT.709, limited range), computed here as the standard defines it.
HostFrame p010_of(const std::vector<uint8_t>& rgb, int w, int h) {
  HostFrame f(rife::PixelFormat::P010_10LE, w, h);
  const double kr = 0.2126, kb = 0.0722, kg = 1 - kr - kb;
  auto put = [](std::vector<uint8_t>& plane, size_t at, double v) {
    const int word = int(std::lround(std::min(1023.0, std::max(0.0, v)))) << 6;
    plane[at] = uint8_t(word & 255), plane[at + 1] = uint8_t(word >> 8);
  };
  std::vector<double> u(size_t(w) * h), v(size_t(w) * h);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const uint8_t* p = &rgb[(size_t(y) * w + x) * 3];
      const double r = p[0] / 255.0, g = p[1] / 255.0, b = p[2] / 255.0, luma = kr * r + kg * g + kb * b;
      put(f.planes[0], size_t(y) * f.stride(0) + size_t(x) * 2, luma * 876 + 64);
      u[size_t(y) * w + x] = (b - luma) / (2 - 2 * kb), v[size_t(y) * w + x] = (r - luma) / (2 - 2 * kr);
    }
  for (int y = 0; y < (h + 1) / 2; ++y)
    for (int x = 0; x < (w + 1) / 2; ++x) {
      double su = 0, sv = 0;
      int n = 0;
      for (int yy = 2 * y; yy < std::min(h, 2 * y + 2); ++yy)
        for (int xx = 2 * x; xx < std::min(w, 2 * x + 2); ++xx, ++n)
          su += u[size_t(yy) * w + xx], sv += v[size_t(yy) * w + xx];
      put(f.planes[1], size_t(y) * f.stride(1) + size_t(x) * 4, su / n * 896 + 512);
      put(f.planes[1], size_t(y) * f.stride(1) + size_t(x) * 4 + 2, sv / n * 896 + 512);
    }
  return f;
}

}  // namespace

TEST(GpuPath, EachSpeedSwitchKeepsTheResult) {
  const Pair p = real_pair();
  for (auto precision : {rife::Precision::FP32, rife::Precision::FP16}) {
    const auto reference = interpolate(plain(precision), p);
    struct Variant {
      const char* name;
      void (*apply)(rife::EngineOptions&);
      double min_psnr;
    };
    const Variant variants[] = {
        {"cuda_graphs", [](rife::EngineOptions& o) { o.cuda_graphs = true; }, 60},
        {"pinned_staging", [](rife::EngineOptions& o) { o.pinned_staging = true; }, 1e9},
        {"channels_last", [](rife::EngineOptions& o) { o.channels_last = rife::Switch::On; }, 45},
        {"cudnn_benchmark", [](rife::EngineOptions& o) { o.cudnn_benchmark = true; }, 45},
        {"tf32", [](rife::EngineOptions& o) { o.tf32 = true; }, 40},
        {"fp32_warp", [](rife::EngineOptions& o) { o.fp32_warp = true; }, 40},
    };
    for (const auto& v : variants) {
      auto o = plain(precision);
      v.apply(o);
      const double psnr = rife_test::psnr(interpolate(o, p), reference);
      std::printf("%s %-16s vs plain: %.1f dB\n", rife::to_string(precision), v.name, psnr);
      EXPECT_GE(psnr, std::min(v.min_psnr, 1e9)) << v.name;
    }
  }
}

TEST(GpuPath, Fp16StaysCloseToFp32OnRealFrames) {
  const Pair p = real_pair();
  const double psnr =
      rife_test::psnr(interpolate(plain(rife::Precision::FP16), p), interpolate(plain(rife::Precision::FP32), p));
  std::printf("FP16 vs FP32 (random weights, Urban2): %.1f dB\n", psnr);
  EXPECT_GE(psnr, 35.0);
}

TEST(GpuPath, NoDeviceMemoryIsAllocatedPerFrameOnceWarm) {
#ifdef RIFE_HAVE_CUDA
  const Pair p = real_pair();
  rife::EngineOptions o;  // everything on, as the element runs
  o.model_path = rife_test::fixture("official_plain.pth");
  o.device = "cuda";
  rife::Engine engine(o);
  engine.configure({p.w, p.h, rife::PixelFormat::RGB});
  std::vector<uint8_t> out(size_t(p.w) * p.h * 3);
  auto prev = engine.prepare(p.a.data(), size_t(p.w) * 3);
  auto step = [&](int i) {
    auto next = engine.prepare((i % 2 ? p.a : p.b).data(), size_t(p.w) * 3);
    engine.interpolate(prev, next, 0.5f, out.data(), size_t(p.w) * 3);
    prev = next;
  };
  for (int i = 0; i < 10; ++i) step(i);  // warm-up: graph capture, cuDNN benchmark, caches
  const auto before = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
  for (int i = 0; i < 200; ++i) step(i);
  const auto after = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
  std::printf("optimisations: %s; cudaMalloc calls during 200 frames: %ld; segments %ld -> %ld\n",
              engine.optimisations().c_str(), long(after.num_device_alloc - before.num_device_alloc),
              long(before.segment[0].current), long(after.segment[0].current));
  EXPECT_EQ(after.num_device_alloc, before.num_device_alloc) << "cudaMalloc in the steady state";
  EXPECT_NE(engine.optimisations().find("cuda_graphs"), std::string::npos) << engine.optimisations();
#endif
}

TEST(GpuPath, DeepFormatsRoundTripBitExactInFp32AndWithinFp16sRoundingInFp16) {
  using P = rife::PixelFormat;
  const std::pair<P, const char*> formats[] = {
      {P::I420_10LE, "I420_10LE"}, {P::I420_12LE, "I420_12LE"}, {P::I422_10LE, "I422_10LE"},
      {P::I422_12LE, "I422_12LE"}, {P::Y444_10LE, "Y444_10LE"}, {P::Y444_12LE, "Y444_12LE"},
      {P::Y444_16LE, "Y444_16LE"}, {P::P010_10LE, "P010_10LE"}, {P::P012_LE, "P012_LE"},
      {P::P016_LE, "P016_LE"},     {P::RGBA64_LE, "RGBA64_LE"}, {P::ABGR64_LE, "ABGR64_LE"}};
  for (const auto& [format, name] : formats) {
    const int w = 37, h = 23;
    const HostFrame in = random_deep_frame(format, w, h, 5);
    const int depth = in.layout.sample.depth;
    for (auto precision : {rife::Precision::FP32, rife::Precision::FP16}) {
      rife::EngineOptions o;  // everything on (pinned staging, graphs), as the element runs
      o.model_path = rife_test::fixture("official_plain.pth");
      o.device = "cuda";
      o.precision = precision;
      rife::Engine engine(o);
      engine.configure({w, h, format, rife::YuvMatrix::BT2020, false});
      HostFrame back(format, w, h);
      engine.render(engine.prepare(in.in()), back.out());
      const auto a = in.words(), b = back.words();
      int worst = 0;
      for (size_t i = 0; i < a.size(); ++i)
        worst = std::max(worst, std::abs((a[i] >> in.layout.sample.shift) - (b[i] >> in.layout.sample.shift)));
      std::printf("%s %-10s round trip on the device within %d code value(s)\n", rife::to_string(precision), name,
                  worst);
      if (precision == rife::Precision::FP32) {
        EXPECT_TRUE(a == b) << name << ": the FP32 round trip is bit-exact";
      } else {
        // The prepared frame is held in FP16 (11 significant bits): about a quarter of a 10-bit step.
        EXPECT_LE(worst, 1 << std::max(0, depth - 10)) << name;
      }
    }
  }
}

TEST(GpuPath, AP010PairInFp16StaysCloseToTheCpuInFp32AndAllocatesNothingPerFrameOnceWarm) {
  const Pair p = real_pair();
  const HostFrame a = p010_of(p.a, p.w, p.h), b = p010_of(p.b, p.w, p.h);
  auto run = [&](const std::string& device, rife::Precision precision) {
    rife::EngineOptions o;
    o.model_path = rife_test::fixture("official_plain.pth");
    o.device = device;
    o.precision = precision;
    rife::Engine engine(o);
    engine.configure({p.w, p.h, rife::PixelFormat::P010_10LE, rife::YuvMatrix::BT709, false});
    HostFrame out(rife::PixelFormat::P010_10LE, p.w, p.h);
    auto fa = engine.prepare(a.in()), fb = engine.prepare(b.in());
    for (int i = 0; i < 3; ++i) engine.interpolate(fa, fb, {0.5f}, {out.out()});  // graphs: capture, replay
#ifdef RIFE_HAVE_CUDA
    if (device == "cuda") {  // two timesteps per pair, as 24 -> 60 fps runs: warm up, then count
      auto prev = fa;
      auto step = [&](int i) {
        auto next = engine.prepare((i % 2 ? a : b).in());
        HostFrame second(rife::PixelFormat::P010_10LE, p.w, p.h);
        engine.interpolate(prev, next, {0.4f, 0.8f}, {out.out(), second.out()});
        prev = next;
      };
      for (int i = 0; i < 10; ++i) step(i);
      const auto before = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
      for (int i = 0; i < 50; ++i) step(i);
      const auto after = c10::cuda::CUDACachingAllocator::getDeviceStats(0);
      std::printf("P010: cudaMalloc calls during 50 pairs: %ld\n",
                  long(after.num_device_alloc - before.num_device_alloc));
      EXPECT_EQ(after.num_device_alloc, before.num_device_alloc) << "cudaMalloc in the steady state, P010";
      engine.interpolate(fa, fb, {0.5f}, {out.out()});
    }
#endif
    return out.words();
  };
  const auto gpu = run("cuda", rife::Precision::FP16), cpu = run("cpu", rife::Precision::FP32);
  ASSERT_EQ(gpu.size(), cpu.size());
  double se = 0;
  for (size_t i = 0; i < gpu.size(); ++i) {
    const double d = double(gpu[i] >> 6) - double(cpu[i] >> 6);
    se += d * d;
  }
  const double psnr = se == 0 ? INFINITY : 10 * std::log10(1023.0 * 1023.0 / (se / double(gpu.size())));
  std::printf("P010, CUDA FP16 vs CPU FP32 (random weights, Urban2): %.1f dB on the 10-bit scale\n", psnr);
  EXPECT_GE(psnr, 35.0);
}

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::printf("\n*** test_gpu NOT RUN: no usable CUDA device on this machine (reported as SKIP) ***\n\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
