// The CUDA path, on a machine with a GPU (exit 77 = SKIP elsewhere, never a pass):
//  - every speed switch (CUDA graphs, pinned staging, channels_last, TF32, FP32 warp) leaves the
//    result within rounding of the plain path, on real frames;
//  - FP16 stays close to FP32 (the table of numbers is rife-bench's job; this is the guard rail);
//  - no device memory is allocated per frame once warm: cudaMalloc'd segments stay constant;
//  - a capture failure would fall back to eager execution (optimisations() says so).
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cstdio>
#include <cstdlib>

#ifdef RIFE_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif

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

int main(int argc, char** argv) {
  if (!torch::cuda::is_available()) {
    std::printf("\n*** test_gpu NOT RUN: no usable CUDA device on this machine (reported as SKIP) ***\n\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
