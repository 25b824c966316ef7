// rife-bench: speed and quality of the engine (and of the element) in one run.
//
// For every model x size x precision x mode it times N frame pairs after a warm-up and reports
// interpolations/s, per-pair latency percentiles and peak memory; on real frames it reports the
// quality deltas (max abs error, PSNR, SSIM) of each configuration against FP32 baseline. Modes:
//   baseline   both frames of every pair uploaded and normalised again, every speed switch off
//   optimised  each frame prepared once and kept as the previous frame of the next pair, every
//              speed switch on (CUDA graphs, pinned staging, channels_last, cuDNN benchmark, TF32)
//   optimised-no-X / optimised-fp32-warp   optimised with one switch changed, to show its own gain
// Prints a table and, with --json, writes every number to a file.
#include <torch/torch.h>

#ifdef RIFE_HAVE_CUDA
#include <c10/cuda/CUDACachingAllocator.h>
#endif
#ifdef RIFE_BENCH_GSTREAMER
#include <gst/gst.h>
#endif

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "image_io.h"
#include "rife_engine.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kUsage = R"(rife-bench: speed and quality of the RIFE engine and element

  --model PATH       weights (repeatable: one run per model; default: the element's default model)
  --device DEV       auto, cpu, cuda or cuda:N (default auto)
  --size WxH         frame size (repeatable; default 1280x720 1920x1080 2560x1440 3840x2160)
  --frames N         timed frame pairs per configuration (default 500)
  --warmup N         untimed pairs before timing (default 10)
  --precision P      fp32, fp16 or bf16 (repeatable; default fp32 on the CPU, fp32 and fp16 on CUDA)
  --mode M           baseline, optimised, or one switch changed: optimised-no-graphs,
                     optimised-no-pinned, optimised-no-channels-last, optimised-no-cudnn-benchmark,
                     optimised-no-tf32, optimised-fp32-warp (repeatable; default baseline optimised)
  --ablate           add every optimised-no-X mode and optimised-fp32-warp
  --scale S          flow scale 1.0, 0.5, 0.25 or 0 = auto (default 0)
  --quality-dir DIR  folder of Middlebury-style triplets (frame10.png/frame11.png) used for the
                     quality deltas (default $RIFE_TESTDATA/middlebury-other-interp, else the
                     project's ../shared/testdata; "" = none)
  --element          also time the element in a GStreamer pipeline (test source -> rife -> fakesink)
  --json FILE        write all results as JSON
  --help             this text
)";

struct Options {
  std::vector<std::string> models, sizes, precisions, modes;
  std::string device = "auto", json, quality_dir;
  int frames = 500, warmup = 10;
  double scale = 0.0;
  bool element = false, ablate = false;
};

const std::vector<std::string> kAblations = {"optimised-no-graphs",        "optimised-no-pinned",
                                             "optimised-no-channels-last", "optimised-no-cudnn-benchmark",
                                             "optimised-no-tf32",          "optimised-fp32-warp"};

// The engine's speed switches for a mode (see the header comment).
rife::EngineOptions options_for(const std::string& mode, rife::EngineOptions o) {
  if (mode == "baseline") {
    o.tf32 = o.cudnn_benchmark = o.cuda_graphs = o.pinned_staging = o.fp32_warp = false;
    o.channels_last = rife::Switch::Off;
  } else if (mode == "optimised-no-graphs") {
    o.cuda_graphs = false;
  } else if (mode == "optimised-no-pinned") {
    o.pinned_staging = false;
  } else if (mode == "optimised-no-channels-last") {
    o.channels_last = rife::Switch::Off;
  } else if (mode == "optimised-no-cudnn-benchmark") {
    o.cudnn_benchmark = false;
  } else if (mode == "optimised-no-tf32") {
    o.tf32 = false;
  } else if (mode == "optimised-fp32-warp") {
    o.fp32_warp = true;
  }
  return o;
}

struct Result {
  std::string model, version, device, size, precision, mode, optimisations;
  int frames = 0;
  double interp_per_s = 0, p50_ms = 0, p95_ms = 0, p99_ms = 0, mean_ms = 0;
  double peak_memory_mb = 0;
  std::string memory_kind;
  // quality vs FP32 baseline on real frames (NaN when not measured)
  double max_abs_error = NAN, psnr_db = NAN, ssim = NAN;
  double element_fps = NAN, element_interp_per_s = NAN;
};

[[noreturn]] void usage_error(const std::string& msg) {
  std::fprintf(stderr, "rife-bench: %s\n\n%s", msg.c_str(), kUsage);
  std::exit(2);
}

Options parse(int argc, char** argv) {
  Options o;
  bool quality_dir_given = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(a + " needs a value");
      return argv[++i];
    };
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    } else if (a == "--model")
      o.models.push_back(value());
    else if (a == "--device")
      o.device = value();
    else if (a == "--size")
      o.sizes.push_back(value());
    else if (a == "--frames")
      o.frames = std::atoi(value().c_str());
    else if (a == "--warmup")
      o.warmup = std::atoi(value().c_str());
    else if (a == "--precision")
      o.precisions.push_back(value());
    else if (a == "--mode")
      o.modes.push_back(value());
    else if (a == "--scale")
      o.scale = std::atof(value().c_str());
    else if (a == "--quality-dir") {
      o.quality_dir = value();
      quality_dir_given = true;
    } else if (a == "--element")
      o.element = true;
    else if (a == "--ablate")
      o.ablate = true;
    else if (a == "--json")
      o.json = value();
    else
      usage_error("unknown argument " + a);
  }
  if (o.frames < 1 || o.warmup < 0) usage_error("--frames must be >= 1 and --warmup >= 0");
  if (!quality_dir_given) {
    const char* env = std::getenv("RIFE_TESTDATA");
    o.quality_dir = std::string(env && *env ? env : RIFE_TESTDATA_DIR) + "/middlebury-other-interp";
  }
  if (o.models.empty()) {
    const char* env = std::getenv("RIFE_MODEL_PATH");
    o.models.push_back(env && *env ? env : RIFE_DEFAULT_MODEL_PATH);
  }
  if (o.sizes.empty()) o.sizes = {"1280x720", "1920x1080", "2560x1440", "3840x2160"};
  if (o.modes.empty()) o.modes = {"baseline", "optimised"};
  if (o.ablate) o.modes.insert(o.modes.end(), kAblations.begin(), kAblations.end());
  for (const auto& m : o.modes)
    if (m != "baseline" && m != "optimised" && std::find(kAblations.begin(), kAblations.end(), m) == kAblations.end())
      usage_error("unknown mode " + m);
  return o;
}

std::pair<int, int> parse_size(const std::string& s) {
  int w = 0, h = 0;
  char x = 0;
  std::istringstream in(s);
  if (!(in >> w >> x >> h) || x != 'x' || w < 2 || h < 2) usage_error("bad --size " + s + " (expected WxH)");
  return {w, h};
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  const size_t i = std::min(v.size() - 1, size_t(std::ceil(p / 100.0 * double(v.size()))) - (p > 0 ? 1 : 0));
  return v[i];
}

void reset_peak_memory(const std::string& device) {
#ifdef RIFE_HAVE_CUDA
  if (device.rfind("cuda", 0) == 0) c10::cuda::CUDACachingAllocator::resetPeakStats(torch::Device(device).index());
#else
  (void)device;
#endif
}

// Peak device memory of the run on CUDA (caching allocator), else the process's peak resident set.
std::pair<double, std::string> peak_memory_mb(const std::string& device) {
#ifdef RIFE_HAVE_CUDA
  if (device.rfind("cuda", 0) == 0) {
    const auto stats = c10::cuda::CUDACachingAllocator::getDeviceStats(torch::Device(device).index());
    return {double(stats.reserved_bytes[0].peak) / 1048576.0, "cuda-reserved-peak"};
  }
#else
  (void)device;
#endif
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return {double(ru.ru_maxrss) / 1024.0, "process-max-rss"};
}

std::vector<uint8_t> synthetic_frame(int w, int h, int seed) {
  std::vector<uint8_t> f(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &f[(size_t(y) * w + x) * 4];
      p[0] = uint8_t((x + seed * 3) * 255 / w);
      p[1] = uint8_t((y + seed) * 255 / h);
      p[2] = uint8_t(((x ^ y) + seed * 5) & 0xff);
      p[3] = 255;
    }
  return f;
}

void time_engine(const Options& o, rife::Engine& engine, int w, int h, const std::string& mode, Result& r) {
  engine.configure({w, h, rife::PixelFormat::RGBx});
  const size_t stride = size_t(w) * 4;
  const auto f0 = synthetic_frame(w, h, 0), f1 = synthetic_frame(w, h, 7);
  std::vector<uint8_t> out(stride * h);
  std::vector<double> ms;
  rife::FrameHandle prev = engine.prepare(f0.data(), stride);
  reset_peak_memory(engine.device_name());
  const int total = o.warmup + o.frames;
  Clock::time_point start;
  for (int i = 0; i < total; ++i) {
    if (i == o.warmup) start = Clock::now();
    const auto t0 = Clock::now();
    const auto& next_bytes = (i % 2) ? f0 : f1;
    if (mode == "baseline") {
      // Both frames again for every pair: upload, normalise, pad (and encode, for 4.25+).
      auto a = engine.prepare(((i % 2) ? f1 : f0).data(), stride);
      auto b = engine.prepare(next_bytes.data(), stride);
      engine.interpolate(a, b, 0.5f, out.data(), stride);
    } else {
      auto next = engine.prepare(next_bytes.data(), stride);
      engine.interpolate(prev, next, 0.5f, out.data(), stride);
      prev = next;
    }
    if (i >= o.warmup) ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  r.frames = o.frames;
  r.interp_per_s = o.frames / total_s;
  r.mean_ms = total_s * 1000.0 / o.frames;
  r.p50_ms = percentile(ms, 50);
  r.p95_ms = percentile(ms, 95);
  r.p99_ms = percentile(ms, 99);
  std::tie(r.peak_memory_mb, r.memory_kind) = peak_memory_mb(engine.device_name());
}

// Interpolated middle frames of the real triplets, as bytes (RGBx), one per triplet.
std::vector<std::vector<uint8_t>> quality_outputs(rife::Engine& engine, const std::vector<torch::Tensor>& pairs,
                                                  const std::string& mode) {
  std::vector<std::vector<uint8_t>> outs;
  for (size_t i = 0; i + 1 < pairs.size(); i += 2) {
    const int h = int(pairs[i].size(0)), w = int(pairs[i].size(1));
    engine.configure({w, h, rife::PixelFormat::RGBx});
    const size_t stride = size_t(w) * 4;
    std::vector<uint8_t> out(stride * h);
    auto a = engine.prepare(pairs[i].data_ptr<uint8_t>(), stride);
    auto b = engine.prepare(pairs[i + 1].data_ptr<uint8_t>(), stride);
    if (mode == "baseline") {  // same frames, prepared again: must not change the result
      a = engine.prepare(pairs[i].data_ptr<uint8_t>(), stride);
      b = engine.prepare(pairs[i + 1].data_ptr<uint8_t>(), stride);
    }
    engine.interpolate(a, b, 0.5f, out.data(), stride);
    outs.push_back(std::move(out));
  }
  return outs;
}

// SSIM of two RGBx images on luma, 8x8 uniform windows (stride 4), constants of Wang et al.
double ssim(const torch::Tensor& a, const torch::Tensor& b) {
  auto luma = [](const torch::Tensor& img) {
    auto f = img.to(torch::kFloat64);
    return (0.299 * f.select(2, 0) + 0.587 * f.select(2, 1) + 0.114 * f.select(2, 2)).unsqueeze(0).unsqueeze(0);
  };
  auto x = luma(a), y = luma(b);
  namespace F = torch::nn::functional;
  auto pool = [](const torch::Tensor& t) { return F::avg_pool2d(t, F::AvgPool2dFuncOptions(8).stride(4)); };
  auto mx = pool(x), my = pool(y);
  auto sxx = pool(x * x) - mx * mx, syy = pool(y * y) - my * my, sxy = pool(x * y) - mx * my;
  const double c1 = std::pow(0.01 * 255, 2), c2 = std::pow(0.03 * 255, 2);
  auto s = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2));
  return s.mean().item<double>();
}

void compare(const std::vector<std::vector<uint8_t>>& ref, const std::vector<std::vector<uint8_t>>& got,
             const std::vector<torch::Tensor>& pairs, Result& r) {
  double max_err = 0, se = 0, n = 0, ssim_sum = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    const auto& src = pairs[2 * i];
    auto shape = std::vector<int64_t>{src.size(0), src.size(1), 4};
    auto a = torch::from_blob(const_cast<uint8_t*>(ref[i].data()), shape, torch::kUInt8);
    auto b = torch::from_blob(const_cast<uint8_t*>(got[i].data()), shape, torch::kUInt8);
    auto diff = (a.narrow(2, 0, 3).to(torch::kFloat64) - b.narrow(2, 0, 3).to(torch::kFloat64));
    max_err = std::max(max_err, diff.abs().max().item<double>());
    se += diff.pow(2).sum().item<double>();
    n += double(diff.numel());
    ssim_sum += ssim(a, b);
  }
  r.max_abs_error = max_err;
  r.psnr_db = se == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(255.0 * 255.0 / (se / n));
  r.ssim = ssim_sum / double(ref.size());
}

// frame10/frame11 of each Middlebury triplet as RGBx tensors [H, W, 4]: pair i is (2i, 2i + 1).
std::vector<torch::Tensor> load_quality_pairs(const std::string& dir) {
  std::vector<torch::Tensor> pairs;
  for (const char* name : {"Beanbags", "Dimetrodon", "Grove2", "Hydrangea", "RubberWhale", "Urban2"})
    for (const char* frame : {"frame10.png", "frame11.png"}) {
      const auto img = rife_io::load_png(dir + "/" + name + "/" + frame);
      const auto rgbx = rife_io::rgb_to_rgbx(img.rgb);
      pairs.push_back(
          torch::from_blob(const_cast<uint8_t*>(rgbx.data()), {img.height, img.width, 4}, torch::kUInt8).clone());
    }
  return pairs;
}

#ifdef RIFE_BENCH_GSTREAMER
// Wall time of test source (n + 1 frames) -> rife -> fakesink, as fast as it goes.
double run_pipeline_s(const std::string& model, const std::string& device, const std::string& precision, int w, int h,
                      int n, double scale) {
  std::ostringstream launch;
  launch << "videotestsrc num-buffers=" << n + 1 << " pattern=ball ! video/x-raw,format=RGBx,width=" << w
         << ",height=" << h << ",framerate=30/1 ! rife model-path=" << model << " device=" << device
         << " precision=" << precision << " scale=" << scale << " ! fakesink sync=false";
  GError* err = nullptr;
  GstElement* pipeline = gst_parse_launch(launch.str().c_str(), &err);
  if (!pipeline) {
    std::fprintf(stderr, "rife-bench: element run: %s\n", err ? err->message : "cannot build the pipeline");
    return NAN;
  }
  const auto start = Clock::now();
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  GstBus* bus = gst_element_get_bus(pipeline);
  GstMessage* msg =
      gst_bus_timed_pop_filtered(bus, GST_CLOCK_TIME_NONE, GstMessageType(GST_MESSAGE_EOS | GST_MESSAGE_ERROR));
  const double s = std::chrono::duration<double>(Clock::now() - start).count();
  const bool ok = msg && GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS;
  if (msg) gst_message_unref(msg);
  gst_object_unref(bus);
  gst_element_set_state(pipeline, GST_STATE_NULL);
  gst_object_unref(pipeline);
  return ok ? s : NAN;
}

// The element's steady rate: a run of n pairs minus a run of none (start-up, model load) gives
// (output fps, interpolations/s) of the element at 2x.
std::pair<double, double> time_element(const std::string& model, const std::string& device,
                                       const std::string& precision, int w, int h, int frames, double scale) {
  const double startup = run_pipeline_s(model, device, precision, w, h, 0, scale);
  const double full = run_pipeline_s(model, device, precision, w, h, frames, scale);
  const double s = full - startup;
  if (!(s > 0)) return {NAN, NAN};
  return {2.0 * frames / s, frames / s};
}
#endif

std::string json_number(double v) {
  if (std::isnan(v)) return "null";
  if (std::isinf(v)) return "\"inf\"";
  std::ostringstream s;
  s << v;
  return s.str();
}

std::string json_string(const std::string& v) {
  std::string out = "\"";
  for (char c : v) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

void write_json(const std::string& path, const Options& o, const std::vector<Result>& results) {
  std::ofstream f(path);
  if (!f) {
    std::fprintf(stderr, "rife-bench: cannot write %s\n", path.c_str());
    std::exit(1);
  }
  const std::time_t now = std::time(nullptr);
  char date[32];
  std::strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  f << "{\n  \"tool\": \"rife-bench\",\n  \"date\": " << json_string(date)
    << ",\n  \"torch\": " << json_string(TORCH_VERSION) << ",\n  \"frames\": " << o.frames
    << ",\n  \"warmup\": " << o.warmup << ",\n  \"results\": [\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    f << "    {\"model\": " << json_string(r.model) << ", \"model_version\": " << json_string(r.version)
      << ", \"device\": " << json_string(r.device) << ", \"size\": " << json_string(r.size)
      << ", \"precision\": " << json_string(r.precision) << ", \"mode\": " << json_string(r.mode)
      << ", \"optimisations\": " << json_string(r.optimisations) << ", \"frames\": " << r.frames
      << ", \"interpolations_per_s\": " << json_number(r.interp_per_s)
      << ", \"latency_ms\": {\"mean\": " << json_number(r.mean_ms) << ", \"p50\": " << json_number(r.p50_ms)
      << ", \"p95\": " << json_number(r.p95_ms) << ", \"p99\": " << json_number(r.p99_ms) << "}"
      << ", \"peak_memory_mb\": " << json_number(r.peak_memory_mb)
      << ", \"memory_kind\": " << json_string(r.memory_kind)
      << ", \"gpu_utilisation\": null, \"h2d_ms\": null, \"d2h_ms\": null"
      << ", \"quality_vs_fp32_baseline\": {\"max_abs_error\": " << json_number(r.max_abs_error)
      << ", \"psnr_db\": " << json_number(r.psnr_db) << ", \"ssim\": " << json_number(r.ssim) << "}"
      << ", \"element\": {\"output_fps\": " << json_number(r.element_fps)
      << ", \"interpolations_per_s\": " << json_number(r.element_interp_per_s) << "}}"
      << (i + 1 < results.size() ? "," : "") << "\n";
  }
  f << "  ]\n}\n";
}

}  // namespace

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
#ifdef RIFE_BENCH_GSTREAMER
  g_setenv("GST_PLUGIN_PATH", RIFE_PLUGIN_DIR, FALSE);  // the plugin of this build, unless told otherwise
  gst_init(&argc, &argv);
#else
  if (o.element) usage_error("--element needs a build with GStreamer");
#endif
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> quality_pairs;
  try {
    if (!o.quality_dir.empty()) quality_pairs = load_quality_pairs(o.quality_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rife-bench: %s (pass --quality-dir \"\" to run without quality deltas)\n", e.what());
    return 1;
  }
  // Default precisions follow the device: FP32 on the CPU, FP32 and FP16 on CUDA.
  const bool on_cuda = o.device == "auto" ? torch::cuda::is_available() : o.device.rfind("cuda", 0) == 0;
  const std::vector<std::string> precisions = !o.precisions.empty() ? o.precisions
                                              : on_cuda             ? std::vector<std::string>{"fp32", "fp16"}
                                                                    : std::vector<std::string>{"fp32"};
  std::vector<Result> results;
  std::printf("%-12s %-10s %-10s %-5s %-28s %8s %8s %8s %8s %9s %8s %8s %7s\n", "model", "version", "size", "prec",
              "mode", "interp/s", "p50 ms", "p95 ms", "p99 ms", "peak MB", "maxerr", "PSNR", "SSIM");
  for (const auto& model : o.models) {
    // The reference for the quality deltas: FP32, baseline mode, on the same device.
    std::vector<std::vector<uint8_t>> reference;
    if (!quality_pairs.empty()) {
      rife::EngineOptions ro;
      ro.model_path = model;
      ro.device = o.device;
      ro.scale = o.scale;
      ro.precision = rife::Precision::FP32;
      rife::Engine ref_engine(ro);
      reference = quality_outputs(ref_engine, quality_pairs, "baseline");
    }
    for (const auto& size : o.sizes) {
      const auto [w, h] = parse_size(size);
      rife::EngineOptions eo;
      eo.model_path = model;
      eo.device = o.device;
      eo.scale = o.scale;
      for (const auto& p : precisions) {
        eo.precision = rife::parse_precision(p);
        for (const auto& mode : o.modes) {
          rife::Engine engine(options_for(mode, eo));
          Result r;
          r.model = model;
          r.version = engine.model_version();
          r.device = engine.device_name();
          r.size = size;
          r.precision = p;
          r.mode = mode;
          if (!reference.empty()) compare(reference, quality_outputs(engine, quality_pairs, mode), quality_pairs, r);
          time_engine(o, engine, w, h, mode, r);
          r.optimisations = engine.optimisations();
#ifdef RIFE_BENCH_GSTREAMER
          if (o.element && mode == "optimised")
            std::tie(r.element_fps, r.element_interp_per_s) = time_element(model, r.device, p, w, h, o.frames, o.scale);
#endif
          std::printf("%-12.12s %-10s %-10s %-5s %-28s %8.2f %8.2f %8.2f %8.2f %9.1f %8.0f %8.2f %7.4f\n",
                      model.substr(model.find_last_of('/') + 1).c_str(), r.version.c_str(), size.c_str(), p.c_str(),
                      mode.c_str(), r.interp_per_s, r.p50_ms, r.p95_ms, r.p99_ms, r.peak_memory_mb, r.max_abs_error,
                      r.psnr_db, r.ssim);
          if (o.element && mode == "optimised")
            std::printf("%-12s element: %.2f output fps, %.2f interpolations/s (%.0f%% of the engine)\n", "",
                        r.element_fps, r.element_interp_per_s, 100.0 * r.element_interp_per_s / r.interp_per_s);
          results.push_back(r);
        }
      }
    }
  }
  if (!o.json.empty()) write_json(o.json, o, results);
  return 0;
}

// Every failure (a missing or bad weights file above all) is one line naming it, and status 1.
int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rife-bench: %s\n", e.what());
    return 1;
  }
}
