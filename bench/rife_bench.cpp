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
#include "install_location.h"
#include "rife_engine.h"
#include "streams_bench.h"

namespace {

using Clock = std::chrono::steady_clock;

const char* kUsage = R"(rife-bench: speed and quality of the RIFE engine and element

  --model PATH       weights (repeatable: one run per model; default: the element's default model)
  --device DEV       auto, cpu, cuda or cuda:N (default auto)
  --size WxH         frame size (repeatable; default 1280x720 1920x1080 2560x1440 3840x2160)
  --frames N         timed frame pairs per configuration (default 500)
  --warmup N         untimed pairs before timing (default 10)
  --repeat N         time each configuration (engine and element) N times, interleaved, and report
                     the run with the median rate (default 1; 3 or more on a shared machine)
  --precision P      fp32, fp16 or bf16 (repeatable; default fp32 on the CPU, fp32 and fp16 on CUDA)
  --mode M           baseline, optimised, or one switch changed: optimised-no-graphs,
                     optimised-no-pinned, optimised-no-channels-last, optimised-no-cudnn-benchmark,
                     optimised-no-tf32, optimised-fp32-warp (repeatable; default baseline optimised)
  --ablate           add every optimised-no-X mode and optimised-fp32-warp
  --ensemble E       none, time or time+flip (repeatable: one row per ensemble; default none)
  --scale S          flow scale 0.25, 0.5, 1, 2, 4 or 0 = auto (default 0)
  --quality-dir DIR  folder of Middlebury-style triplets (frame10.png/frame11.png) used for the
                     quality deltas (default $RIFE_TESTDATA/middlebury-other-interp, else the
                     project's ../shared/testdata; "" = none)
  --element          also time the element in a GStreamer pipeline (test source -> rife -> fakesink)
  --streams N        also run N streams at once (repeatable, e.g. 1 2 4 8), each its own engine on its
                     own thread as N elements would: with one shared model and its batching worker, and
                     with a model per stream; aggregate interpolations/s, per-pair p50/p95 over every
                     stream, peak RSS of the run, mean rows per batch, share of cross-stream batches
                     (with --element, also N branches of one pipeline)
  --streams-only     only the streams table
  --json FILE        write all results as JSON
  --help             this text
)";

struct Options {
  std::vector<std::string> models, sizes, precisions, modes, ensembles;
  std::string device = "auto", json, quality_dir;
  int frames = 500, warmup = 10, repeat = 1;
  double scale = 0.0;
  bool element = false, ablate = false, streams_only = false;
  std::vector<int> streams;
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
  // against the true middle frames (mean over the triplets)
  double truth_psnr_db = NAN, truth_ssim = NAN;
  std::string ensemble = "none";
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
    else if (a == "--repeat")
      o.repeat = std::atoi(value().c_str());
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
    else if (a == "--ensemble")
      o.ensembles.push_back(value());
    else if (a == "--json")
      o.json = value();
    else if (a == "--streams") {
      o.streams.push_back(std::atoi(value().c_str()));
      if (o.streams.back() < 1) usage_error("--streams needs a count of at least 1");
    } else if (a == "--streams-only")
      o.streams_only = true;
    else
      usage_error("unknown argument " + a);
  }
  if (o.frames < 1 || o.warmup < 0 || o.repeat < 1) usage_error("--frames and --repeat must be >= 1 and --warmup >= 0");
  if (!quality_dir_given) {
    const char* env = std::getenv("RIFE_TESTDATA");
    o.quality_dir = std::string(env && *env ? env : RIFE_TESTDATA_DIR) + "/middlebury-other-interp";
  }
  if (o.models.empty()) {
    const char* env = std::getenv("RIFE_MODEL_PATH");
    o.models.push_back(env && *env ? env : rife::default_model_location());
  }
  if (o.sizes.empty()) o.sizes = {"1280x720", "1920x1080", "2560x1440", "3840x2160"};
  if (o.modes.empty()) o.modes = {"baseline", "optimised"};
  if (o.ensembles.empty()) o.ensembles = {"none"};
  for (const auto& e : o.ensembles) try {
      rife::parse_ensemble(e);
    } catch (const rife::Error& err) {
      usage_error(err.what());
    }
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

void time_engine(const Options& o, rife::Engine& engine, int w, int h, const std::string& mode, rife::Ensemble ensemble,
                 Result& r) {
  engine.configure({w, h, rife::PixelFormat::RGBx});
  const size_t stride = size_t(w) * 4;
  const auto f0 = synthetic_frame(w, h, 0), f1 = synthetic_frame(w, h, 7);
  std::vector<uint8_t> out(stride * h);
  const std::vector<rife::OutputPlanes> outs = {rife::OutputPlanes{{out.data()}, {stride}}};
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
      engine.interpolate(a, b, {0.5f}, outs, ensemble);
    } else {
      auto next = engine.prepare(next_bytes.data(), stride);
      engine.interpolate(prev, next, {0.5f}, outs, ensemble);
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

using rife_io::Triplet;  // the real triplets the quality columns are measured on

// The interpolated middle frame of each triplet.
std::vector<rife_io::Image> quality_outputs(rife::Engine& engine, const std::vector<Triplet>& triplets,
                                            const std::string& mode, rife::Ensemble ensemble) {
  std::vector<rife_io::Image> outs;
  for (const auto& t : triplets) {
    engine.configure({t.first.width, t.first.height, rife::PixelFormat::RGB});
    const size_t stride = size_t(t.first.width) * 3;
    rife_io::Image out = t.first;
    auto a = engine.prepare(t.first.rgb.data(), stride);
    auto b = engine.prepare(t.second.rgb.data(), stride);
    if (mode == "baseline") {  // same frames, prepared again: must not change the result
      a = engine.prepare(t.first.rgb.data(), stride);
      b = engine.prepare(t.second.rgb.data(), stride);
    }
    engine.interpolate(a, b, {0.5f}, {rife::OutputPlanes{{out.rgb.data()}, {stride}}}, ensemble);
    outs.push_back(std::move(out));
  }
  return outs;
}

// Against the FP32 baseline of the same ensemble (what precision and the speed switches cost), and
// against the true middle frames (what the ensemble gives).
void compare(const std::vector<rife_io::Image>& ref, const std::vector<rife_io::Image>& got,
             const std::vector<Triplet>& triplets, Result& r) {
  double max_err = 0, se = 0, n = 0, ssim_sum = 0, truth_psnr = 0, truth_ssim = 0;
  for (size_t i = 0; i < ref.size(); ++i) {
    for (size_t j = 0; j < ref[i].rgb.size(); ++j) {
      const double d = double(ref[i].rgb[j]) - double(got[i].rgb[j]);
      max_err = std::max(max_err, std::abs(d));
      se += d * d;
    }
    n += double(ref[i].rgb.size());
    ssim_sum += rife_io::ssim(ref[i], got[i]);
    truth_psnr += rife_io::psnr(got[i].rgb, triplets[i].middle.rgb);
    truth_ssim += rife_io::ssim(got[i], triplets[i].middle);
  }
  r.max_abs_error = max_err;
  r.psnr_db = se == 0 ? std::numeric_limits<double>::infinity() : 10 * std::log10(255.0 * 255.0 / (se / n));
  r.ssim = ssim_sum / double(ref.size());
  r.truth_psnr_db = truth_psnr / double(ref.size());
  r.truth_ssim = truth_ssim / double(ref.size());
}

#ifdef RIFE_BENCH_GSTREAMER
// Wall time of test source (n + 1 frames) -> rife -> fakesink, as fast as it goes.
double run_pipeline_s(const std::string& model, const std::string& device, const std::string& precision, int w, int h,
                      int n, double scale, const std::string& ensemble) {
  std::ostringstream launch;
  launch << "videotestsrc num-buffers=" << n + 1 << " pattern=ball ! video/x-raw,format=RGBx,width=" << w
         << ",height=" << h << ",framerate=30/1 ! rife model-path=" << model << " device=" << device
         << " precision=" << precision << " scale=" << scale << " ensemble=" << ensemble << " ! fakesink sync=false";
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

// The element's steady rate at 2x: a run of warm-up + n pairs minus a run of the warm-up pairs alone
// (start-up, model load and the first, slow forward passes at a new size cancel out) gives
// (output fps, interpolations/s).
std::pair<double, double> time_element(const std::string& model, const std::string& device,
                                       const std::string& precision, int w, int h, int frames, int warmup, double scale,
                                       const std::string& ensemble) {
  const double startup = run_pipeline_s(model, device, precision, w, h, warmup, scale, ensemble);
  const double full = run_pipeline_s(model, device, precision, w, h, warmup + frames, scale, ensemble);
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

void write_json(const std::string& path, const Options& o, const std::vector<Result>& results,
                const std::vector<rife_bench::StreamsRun>& streams) {
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
    << ",\n  \"warmup\": " << o.warmup << ",\n  \"repeat\": " << o.repeat << ",\n  \"results\": [\n";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    f << "    {\"model\": " << json_string(r.model) << ", \"model_version\": " << json_string(r.version)
      << ", \"device\": " << json_string(r.device) << ", \"size\": " << json_string(r.size)
      << ", \"precision\": " << json_string(r.precision) << ", \"mode\": " << json_string(r.mode)
      << ", \"ensemble\": " << json_string(r.ensemble) << ", \"optimisations\": " << json_string(r.optimisations)
      << ", \"frames\": " << r.frames << ", \"interpolations_per_s\": " << json_number(r.interp_per_s)
      << ", \"latency_ms\": {\"mean\": " << json_number(r.mean_ms) << ", \"p50\": " << json_number(r.p50_ms)
      << ", \"p95\": " << json_number(r.p95_ms) << ", \"p99\": " << json_number(r.p99_ms) << "}"
      << ", \"peak_memory_mb\": " << json_number(r.peak_memory_mb)
      << ", \"memory_kind\": " << json_string(r.memory_kind)
      << ", \"gpu_utilisation\": null, \"h2d_ms\": null, \"d2h_ms\": null"
      << ", \"quality_vs_fp32_baseline\": {\"max_abs_error\": " << json_number(r.max_abs_error)
      << ", \"psnr_db\": " << json_number(r.psnr_db) << ", \"ssim\": " << json_number(r.ssim) << "}"
      << ", \"quality_vs_truth\": {\"psnr_db\": " << json_number(r.truth_psnr_db)
      << ", \"ssim\": " << json_number(r.truth_ssim) << "}"
      << ", \"element\": {\"output_fps\": " << json_number(r.element_fps)
      << ", \"interpolations_per_s\": " << json_number(r.element_interp_per_s) << "}}"
      << (i + 1 < results.size() ? "," : "") << "\n";
  }
  f << "  ],\n  \"streams\": [\n";
  for (size_t i = 0; i < streams.size(); ++i)
    f << "    " << rife_bench::streams_json(streams[i]) << (i + 1 < streams.size() ? "," : "") << "\n";
  f << "  ]\n}\n";
}

}  // namespace

// One row of the table: an engine configuration timed, with its quality (and the element beside it).
Result measure(const Options& o, const std::string& model, const std::string& size, const std::string& precision,
               const std::string& mode, rife::Ensemble ensemble, const std::vector<Triplet>& triplets,
               const std::vector<rife_io::Image>& reference) {
  const auto [w, h] = parse_size(size);
  rife::EngineOptions eo;
  eo.model_path = model;
  eo.device = o.device;
  eo.scale = o.scale;
  eo.precision = rife::parse_precision(precision);
  rife::Engine engine(options_for(mode, eo));
  Result r;
  r.model = model;
  r.version = engine.model_version();
  r.device = engine.device_name();
  r.size = size;
  r.precision = precision;
  r.mode = mode;
  r.ensemble = rife::to_string(ensemble);
  if (!reference.empty()) compare(reference, quality_outputs(engine, triplets, mode, ensemble), triplets, r);
  // Engine and element runs interleaved, the median kept: on a shared machine the load changes from
  // one run to the next, and both sides should see the same.
  std::vector<Result> engine_runs;
  std::vector<std::pair<double, double>> element_runs;
  for (int rep = 0; rep < o.repeat; ++rep) {
    engine_runs.push_back(r);
    time_engine(o, engine, w, h, mode, ensemble, engine_runs.back());
#ifdef RIFE_BENCH_GSTREAMER
    if (o.element && mode == "optimised")
      element_runs.push_back(time_element(model, r.device, precision, w, h, o.frames, o.warmup, o.scale, r.ensemble));
#endif
  }
  std::sort(engine_runs.begin(), engine_runs.end(),
            [](const Result& x, const Result& y) { return x.interp_per_s < y.interp_per_s; });
  r = engine_runs[engine_runs.size() / 2];
  if (!element_runs.empty()) {
    std::sort(element_runs.begin(), element_runs.end(),
              [](const auto& x, const auto& y) { return x.second < y.second; });
    std::tie(r.element_fps, r.element_interp_per_s) = element_runs[element_runs.size() / 2];
  }
  r.optimisations = engine.optimisations();
  return r;
}

void print_row(const Options& o, const Result& r) {
  std::printf("%-12.12s %-10s %-10s %-5s %-28s %-9s %8.2f %8.2f %8.2f %8.2f %9.1f %8.0f %8.2f %7.4f %7.2f %7.4f\n",
              r.model.substr(r.model.find_last_of('/') + 1).c_str(), r.version.c_str(), r.size.c_str(),
              r.precision.c_str(), r.mode.c_str(), r.ensemble.c_str(), r.interp_per_s, r.p50_ms, r.p95_ms, r.p99_ms,
              r.peak_memory_mb, r.max_abs_error, r.psnr_db, r.ssim, r.truth_psnr_db, r.truth_ssim);
  if (o.element && r.mode == "optimised")
    std::printf("%-12s element: %.2f output fps, %.2f interpolations/s (%.0f%% of the engine)\n", "", r.element_fps,
                r.element_interp_per_s, 100.0 * r.element_interp_per_s / r.interp_per_s);
  std::fflush(stdout);
}

int run(int argc, char** argv) {
  Options o = parse(argc, argv);
#ifdef RIFE_BENCH_GSTREAMER
  // The plugin of this build (or the one installed beside this program), unless told otherwise.
  g_setenv("GST_PLUGIN_PATH", rife::plugin_dir_for_this_program().c_str(), FALSE);
  gst_init(&argc, &argv);
#else
  if (o.element) usage_error("--element needs a build with GStreamer");
#endif
  torch::NoGradGuard no_grad;
  std::vector<Triplet> triplets;
  try {
    if (!o.quality_dir.empty()) triplets = rife_io::load_triplets(o.quality_dir);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "rife-bench: %s (pass --quality-dir \"\" to run without quality columns)\n", e.what());
    return 1;
  }
  // Default precisions follow the device: FP32 on the CPU, FP32 and FP16 on CUDA.
  const bool on_cuda = o.device == "auto" ? torch::cuda::is_available() : o.device.rfind("cuda", 0) == 0;
  const std::vector<std::string> precisions = !o.precisions.empty() ? o.precisions
                                              : on_cuda             ? std::vector<std::string>{"fp32", "fp16"}
                                                                    : std::vector<std::string>{"fp32"};
  std::vector<Result> results;
  if (!o.streams_only) {
    std::printf("%-12s %-10s %-10s %-5s %-28s %-9s %8s %8s %8s %8s %9s %8s %8s %7s %7s %7s\n", "model", "version",
                "size", "prec", "mode", "ensemble", "interp/s", "p50 ms", "p95 ms", "p99 ms", "peak MB", "maxerr",
                "PSNR", "SSIM", "GT dB", "GT SSIM");
    for (const auto& model : o.models)
      for (const auto& ensemble_name : o.ensembles) {
        const rife::Ensemble ensemble = rife::parse_ensemble(ensemble_name);
        // The reference for the quality deltas: FP32, baseline mode, this ensemble, on the same device.
        std::vector<rife_io::Image> reference;
        if (!triplets.empty()) {
          rife::EngineOptions ro;
          ro.model_path = model;
          ro.device = o.device;
          ro.scale = o.scale;
          ro.precision = rife::Precision::FP32;
          rife::Engine ref_engine(ro);
          reference = quality_outputs(ref_engine, triplets, "baseline", ensemble);
        }
        for (const auto& size : o.sizes)
          for (const auto& p : precisions)
            for (const auto& mode : o.modes) {
              results.push_back(measure(o, model, size, p, mode, ensemble, triplets, reference));
              print_row(o, results.back());
            }
      }
  }
  std::vector<rife_bench::StreamsRun> streams;
  if (!o.streams.empty()) {
    rife_bench::print_streams_header();
    for (const auto& model : o.models)
      for (const auto& size : o.sizes)
        for (const int n : o.streams)
          for (const bool shared : {true, false}) {
            if (n == 1 && !shared) continue;  // one stream: shared and separate are the same
            const auto [w, h] = parse_size(size);
            rife_bench::StreamsOptions so{model, o.device, o.scale, o.frames, o.warmup, o.element};
            streams.push_back(rife_bench::run_streams(so, w, h, n, shared));
            rife_bench::print_streams_row(streams.back());
          }
  }
  if (!o.json.empty()) write_json(o.json, o, results, streams);
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
