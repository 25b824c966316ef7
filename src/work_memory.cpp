#include "work_memory.h"

namespace rife {
namespace {

// Peak memory one more row of an interpolation batch adds, in bytes per padded pixel, FP32, 4.25/4.26
// on the CPU. Measured 2026-12-01 (README, "Batches and memory"): rows of 1 and of 5-17 timesteps at
// 160x120, 320x240 and 640x360, the difference of the process's peak RSS divided by the extra rows:
// scale 0.5: 352; 1: 523-573; 2: 1449-1801; 4: 4907. Rounded up by about 10 %; 0.25 (not measured)
// as 0.5: the finer the flow, the larger the first blocks' activations.
double bytes_per_pixel_fp32(double flow_scale) {
  if (flow_scale <= 0.5) return 400;
  if (flow_scale <= 1) return 640;
  if (flow_scale <= 2) return 2000;
  return 5400;
}

}  // namespace

size_t interpolation_row_bytes(int64_t h, int64_t w, double flow_scale, int dtype_bytes) {
  return size_t(double(h) * double(w) * bytes_per_pixel_fp32(flow_scale) * dtype_bytes / 4.0);
}

// The encoder's four convolutions run at half resolution with 16 channels: a small fraction of a
// forward pass (bounded here by 200 bytes a padded pixel in FP32).
size_t encode_row_bytes(int64_t h, int64_t w, int dtype_bytes) {
  return size_t(double(h) * double(w) * 200.0 * dtype_bytes / 4.0);
}

// 512 MiB keeps a 320x240 stream at flow scale 2 (128 MB a row) at 4 rows a batch and the process
// (about 650 MB with the model) under 1.2 GB whatever the rate ratio. On CUDA a quarter of the
// device leaves room for other streams' frames, the CUDA graphs' pools and other programs.
size_t default_batch_memory(bool cuda, uint64_t device_memory_bytes) {
  if (cuda && device_memory_bytes > 0) return size_t(device_memory_bytes / 4);
  return size_t(512) << 20;
}

}  // namespace rife
