// How much memory one forward pass needs, so that batches can be bounded by a budget: any rate
// ratio (1 fps stills to 60 fps, 1 -> 1000 fps) and any number of streams then run in bounded
// memory, the work split into batches with the outputs and their order unchanged.
//
// The estimates are measured, not derived (README, "Batches and memory"): the peak memory a batch
// row adds, per padded pixel, at each flow scale, for the 4.25/4.26 network in FP32 on the CPU
// (4.6 needs less: the estimate is an upper bound for it); reduced precision halves it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace rife {

// Peak work memory of one row (one timestep of one ensemble pass) of an interpolation batch.
size_t interpolation_row_bytes(int64_t padded_height, int64_t padded_width, double flow_scale, int dtype_bytes);
// Peak work memory of encoding one frame (4.25+ per-frame features).
size_t encode_row_bytes(int64_t padded_height, int64_t padded_width, int dtype_bytes);
// The default budget of one batch: on the CPU a fixed amount, on CUDA a quarter of the device's memory.
size_t default_batch_memory(bool cuda, uint64_t device_memory_bytes);

}  // namespace rife
