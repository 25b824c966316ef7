// The inference thread of a shared model. Every stream (Engine) using the model hands its forward
// passes to it; whatever work of several streams can run as one forward pass does: the same padded
// size and flow scale (WorkKey), within a memory budget. The oldest queued work always goes first and
// decides the batch, so no stream starves when sizes differ; by default the worker batches only what
// is already queued (no added latency for a lone stream), and a stream may allow it to wait a
// little for the others (max_wait) to trade latency for throughput.
//
// The worker knows nothing of RIFE: it is given a Compute function (the model's) and splits a
// batch's result back into each request's rows. A batch that fails (out of memory, above all) is
// split in two and retried, down to one request and then to one row, before a request fails; a
// request that fails alone gets the error, the others their results.
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "device.h"

namespace rife {

// What a forward pass computes, at which shape: only work with equal keys can share a batch.
struct WorkKey {
  enum class Kind { Encode, Interpolate };
  Kind kind = Kind::Interpolate;
  int64_t height = 0, width = 0;  // the padded frame size
  double scale = 1.0;             // Interpolate: the flow scale
  bool operator==(const WorkKey& o) const {
    return kind == o.kind && height == o.height && width == o.width && (kind == Kind::Encode || scale == o.scale);
  }
  bool operator!=(const WorkKey& o) const { return !(*this == o); }
};

// One row of a batch. Interpolate: the pair (features undefined for 4.6) at timestep t. Encode: the
// frame in img0.
struct WorkRow {
  torch::Tensor img0, img1, feat0, feat1;
  float t = 0.0f;
};

// The forward pass that computed a request's rows: how many rows and streams it held.
struct BatchShape {
  int rows = 0;
  int streams = 0;
};

struct WorkRequest {
  WorkKey key;
  std::vector<WorkRow> rows;
  torch::Tensor warp_grid;                // Interpolate: [1, H, W, 2], the same for every stream with this key
  size_t bytes = 0;                       // the work memory these rows need (estimate, see work_memory.h)
  size_t budget = 0;                      // the most work memory a batch that holds them may need
  std::chrono::microseconds max_wait{0};  // how long the batch may wait for other streams' work
  // A group of streams that submit together (a server's requests of several sequences, handed over
  // at once): the batch waits, up to max_wait, for work of all `group_streams` streams of `group`
  // rather than of every attached stream. 0: no group.
  uint64_t group = 0;
  int group_streams = 0;
};

struct WorkResult {
  torch::Tensor out;  // [rows, C, H, W] on the device, owned (no view into another stream's rows)
  BatchShape batch;
};

class BatchWorker {
 public:
  // Computes the rows of one batch, all with `key`: [rows, C, H, W] on the device.
  using Compute = std::function<torch::Tensor(const WorkKey& key, const std::vector<const WorkRow*>& rows,
                                              const torch::Tensor& warp_grid)>;
  using StreamId = uint64_t;

  BatchWorker(Compute compute, torch::Device device);
  ~BatchWorker();  // every request has returned by then (run() blocks); stops the thread
  BatchWorker(const BatchWorker&) = delete;
  BatchWorker& operator=(const BatchWorker&) = delete;

  StreamId attach();
  void detach(StreamId stream);
  size_t streams() const;
  // The key of the stream's interpolations from now on (its geometry changed). A batch stops waiting
  // for more work once every stream whose work could join it has some in it.
  void set_stream_key(StreamId stream, const WorkKey& interpolate_key);

  // Queues the request and waits for its rows' result. Throws what computing them threw, when they
  // failed even in a batch of their own (one row at a time).
  WorkResult run(StreamId stream, WorkRequest request);

  struct Counters {
    uint64_t batches = 0, rows = 0;
    uint64_t cross_stream_batches = 0;  // batches holding the work of more than one stream
    uint64_t retries = 0;               // failed batches split in two and run again
  };
  Counters counters() const;

 private:
  struct Job;
  void loop();
  std::vector<Job*> gather(std::unique_lock<std::mutex>& lock);
  bool could_join(const Job& first, const std::vector<Job*>& batch) const;
  void execute(const std::vector<Job*>& jobs);
  torch::Tensor compute_split(const WorkKey& key, const std::vector<const WorkRow*>& rows, const torch::Tensor& grid);

  const Compute compute_;
  const torch::Device device_;
  DeviceStream stream_;  // the worker's own stream: every forward pass runs on it
  mutable std::mutex mutex_;
  std::condition_variable queued_;    // new work, or stop
  std::condition_variable finished_;  // a job is done
  std::deque<Job*> queue_;            // oldest first
  std::map<StreamId, WorkKey> streams_;
  StreamId next_stream_ = 1;
  Counters counters_;
  bool stop_ = false;
  std::thread thread_;  // last: started when everything above exists
};

}  // namespace rife
