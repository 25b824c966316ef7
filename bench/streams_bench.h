// rife-bench --streams N: N streams at once, as N rife elements in one process would run them: each
// stream its own Engine on its own thread, preparing each frame once and interpolating every pair,
// with one shared model and its batching worker (the default) or a model per stream (what every
// element did before models were shared). Aggregate interpolations/s, per-pair latency percentiles
// over all streams, the process's peak resident memory of the run, and how full the batches were;
// with --element, the same streams as N branches of one GStreamer pipeline.
#pragma once

#include <string>
#include <vector>

namespace rife_bench {

struct StreamsRun {
  std::string model, device, size, sharing;  // sharing: "shared" or "separate"
  int streams = 0, frames = 0;               // frames: timed pairs per stream
  double interp_per_s = 0;                   // all streams together
  double p50_ms = 0, p95_ms = 0;             // per pair, over every stream's pairs
  double peak_rss_mb = 0;                    // the run's peak (VmHWM reset before it)
  double batch_rows_mean = 0, cross_stream_share = 0;
  double element_interp_per_s = -1;  // -1: not measured
};

struct StreamsOptions {
  std::string model, device = "auto";
  double scale = 0;
  int frames = 30, warmup = 3;
  bool element = false;
};

// One run: `streams` streams of w x h frames.
StreamsRun run_streams(const StreamsOptions& o, int w, int h, int streams, bool shared);

// A table row and the JSON object of a run.
void print_streams_header();
void print_streams_row(const StreamsRun& r);
std::string streams_json(const StreamsRun& r);

}  // namespace rife_bench
