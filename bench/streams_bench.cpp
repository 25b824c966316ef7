#include "streams_bench.h"

#ifdef RIFE_BENCH_GSTREAMER
#include <gst/gst.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "rife_engine.h"

namespace rife_bench {
namespace {

using Clock = std::chrono::steady_clock;

// Every stream thread waits here until all have arrived: the timed part starts together.
class Barrier {
 public:
  explicit Barrier(int n) : n_(n) {}
  void wait() {
    std::unique_lock<std::mutex> lock(m_);
    const int round = round_;
    if (++arrived_ == n_) {
      arrived_ = 0;
      ++round_;
      cv_.notify_all();
    } else {
      cv_.wait(lock, [&] { return round_ != round; });
    }
  }

 private:
  std::mutex m_;
  std::condition_variable cv_;
  int n_, arrived_ = 0, round_ = 0;
};

// Linux: the peak resident set since the last reset (VmHWM), and its reset.
void reset_peak_rss() { std::ofstream("/proc/self/clear_refs") << "5"; }
double peak_rss_mb() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atof(line.c_str() + 6) / 1024.0;
  return NAN;
}

// A frame of stream `s`: each stream its own picture, moving from frame to frame.
std::vector<uint8_t> frame(int w, int h, int s, int i) {
  std::vector<uint8_t> f(size_t(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = &f[(size_t(y) * w + x) * 4];
      p[0] = uint8_t((x + 3 * i + 40 * s) * 255 / w);
      p[1] = uint8_t((y + i + 17 * s) * 255 / h);
      p[2] = uint8_t(((x ^ y) + 5 * i + s * 31) & 0xff);
      p[3] = 255;
    }
  return f;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return NAN;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, size_t(p / 100.0 * double(v.size())))];
}

#ifdef RIFE_BENCH_GSTREAMER
// N branches test source -> rife -> fakesink in one pipeline, `pairs` + 1 frames each: wall seconds.
double run_pipeline_s(const StreamsOptions& o, int w, int h, int streams, bool shared, int pairs) {
  std::ostringstream launch;
  for (int s = 0; s < streams; ++s)
    launch << "videotestsrc num-buffers=" << pairs + 1 << " pattern=ball horizontal-speed=" << 2 + s
           << " ! video/x-raw,format=RGBx,width=" << w << ",height=" << h
           << ",framerate=30/1 ! rife model-path=" << o.model << " device=" << o.device << " scale=" << o.scale
           << " share-model=" << (shared ? "true" : "false") << " ! fakesink sync=false ";
  GstElement* pipeline = gst_parse_launch(launch.str().c_str(), nullptr);
  if (!pipeline) return NAN;
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
#endif

}  // namespace

StreamsRun run_streams(const StreamsOptions& o, int w, int h, int streams, bool shared) {
  StreamsRun r;
  r.model = o.model.substr(o.model.find_last_of('/') + 1);
  r.size = std::to_string(w) + "x" + std::to_string(h);
  r.sharing = shared ? "shared" : "separate";
  r.streams = streams;
  r.frames = o.frames;
  reset_peak_rss();
  rife::EngineOptions eo;
  eo.model_path = o.model;
  eo.device = o.device;
  eo.scale = o.scale;
  eo.share_model = shared;
  std::vector<std::unique_ptr<rife::Engine>> engines;
  for (int s = 0; s < streams; ++s) engines.push_back(std::make_unique<rife::Engine>(eo));
  r.device = engines.front()->device_name();
  Barrier barrier(streams + 1);
  std::vector<std::vector<double>> latencies(static_cast<size_t>(streams));
  std::vector<std::thread> threads;
  for (int s = 0; s < streams; ++s)
    threads.emplace_back([&, s] {
      rife::Engine& e = *engines[size_t(s)];
      e.configure({w, h, rife::PixelFormat::RGBx});
      const size_t stride = size_t(w) * 4;
      std::vector<std::vector<uint8_t>> frames;
      for (int i = 0; i < 4; ++i) frames.push_back(frame(w, h, s, i));
      std::vector<uint8_t> out(stride * size_t(h));
      const std::vector<rife::OutputPlanes> outs{rife::OutputPlanes{{out.data()}, {stride}}};
      rife::FrameHandle prev = e.prepare(frames[0].data(), stride);
      for (int i = 0; i < o.warmup + o.frames; ++i) {
        if (i == o.warmup) barrier.wait();  // the timed part starts together
        const auto t0 = Clock::now();
        rife::FrameHandle next = e.prepare(frames[size_t(i + 1) % frames.size()].data(), stride);
        e.interpolate(prev, next, {0.5f}, outs);
        prev = next;
        if (i >= o.warmup)
          latencies[size_t(s)].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      barrier.wait();
    });
  barrier.wait();
  const auto start = Clock::now();
  barrier.wait();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& t : threads) t.join();
  r.peak_rss_mb = peak_rss_mb();
  std::vector<double> all;
  for (const auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  r.interp_per_s = double(streams) * o.frames / seconds;
  r.p50_ms = percentile(all, 50);
  r.p95_ms = percentile(all, 95);
  double batches = 0, rows = 0, cross = 0;
  for (const auto& e : engines) {
    const rife::BatchStats b = e->batch_stats();
    batches += double(b.batches), rows += double(b.rows), cross += double(b.cross_stream);
  }
  r.batch_rows_mean = batches > 0 ? rows / batches : 0;
  r.cross_stream_share = batches > 0 ? cross / batches : 0;
  engines.clear();
#ifdef RIFE_BENCH_GSTREAMER
  if (o.element) {  // warm-up + N pairs minus the warm-up alone: start-up and model loads cancel out
    const double startup = run_pipeline_s(o, w, h, streams, shared, o.warmup);
    const double full = run_pipeline_s(o, w, h, streams, shared, o.warmup + o.frames);
    r.element_interp_per_s = full > startup ? double(streams) * o.frames / (full - startup) : NAN;
  }
#endif
  return r;
}

void print_streams_header() {
  std::printf("\n%-22s %-8s %-10s %7s %-8s %9s %8s %8s %9s %8s %7s %11s %8s\n", "streams: model", "device", "size",
              "streams", "models", "interp/s", "p50 ms", "p95 ms", "peak MB", "rows/bat", "cross", "element i/s",
              "elem %");
}

void print_streams_row(const StreamsRun& r) {
  std::printf("%-22.22s %-8s %-10s %7d %-8s %9.2f %8.1f %8.1f %9.0f %8.2f %6.0f%% %11.2f %7.0f%%\n", r.model.c_str(),
              r.device.c_str(), r.size.c_str(), r.streams, r.sharing.c_str(), r.interp_per_s, r.p50_ms, r.p95_ms,
              r.peak_rss_mb, r.batch_rows_mean, 100 * r.cross_stream_share, r.element_interp_per_s,
              r.element_interp_per_s > 0 ? 100 * r.element_interp_per_s / r.interp_per_s : NAN);
  std::fflush(stdout);
}

std::string streams_json(const StreamsRun& r) {
  auto num = [](double v) {
    if (!std::isfinite(v) || v < 0) return std::string("null");
    std::ostringstream s;
    s << v;
    return s.str();
  };
  std::ostringstream j;
  j << "{\"model\": \"" << r.model << "\", \"device\": \"" << r.device << "\", \"size\": \"" << r.size
    << "\", \"streams\": " << r.streams << ", \"models\": \"" << r.sharing << "\", \"frames_per_stream\": " << r.frames
    << ", \"interpolations_per_s\": " << num(r.interp_per_s) << ", \"latency_ms\": {\"p50\": " << num(r.p50_ms)
    << ", \"p95\": " << num(r.p95_ms) << "}, \"peak_rss_mb\": " << num(r.peak_rss_mb)
    << ", \"batch_rows_mean\": " << num(r.batch_rows_mean) << ", \"cross_stream_share\": " << num(r.cross_stream_share)
    << ", \"element_interpolations_per_s\": " << num(r.element_interp_per_s) << "}";
  return j.str();
}

}  // namespace rife_bench
