// One loaded RIFE model on one device, shared by every stream in the process whose model settings
// match, with the one batching worker that runs all their forward passes (batch_worker.h).
//
// "Match" means the same weights file by identity (device and inode, size and modification time:
// the same file under two names is one model, two files of one name are two), the same requested
// model version, device, precision and speed switches. Weights and CUDA graphs exist once; what
// belongs to a stream (geometry, prepared frames and their features, upload and download buffers)
// stays with its Engine. The registry holds models weakly: the last Engine to let go frees its
// model and stops its worker.
#pragma once

#include <torch/torch.h>

#include <memory>
#include <string>

#include "batch_worker.h"
#include "forward_graphs.h"
#include "ifnet.h"
#include "rife_engine.h"

namespace rife {

class SharedModel {
 public:
  // The model for `options` on `device`: with options.share_model, the one already loaded in this
  // process for the same settings when there is one; otherwise a new one (registered for the next
  // stream when shared). Throws rife::Error (kind Weights for the file's faults).
  static std::shared_ptr<SharedModel> acquire(const EngineOptions& options, const torch::Device& device);
  // Models loaded since the process started (tests: four streams, one load).
  static uint64_t loads();

  SharedModel(const EngineOptions& options, const torch::Device& device, LoadedModel model);
  ~SharedModel();
  SharedModel(const SharedModel&) = delete;
  SharedModel& operator=(const SharedModel&) = delete;

  const IFNet& net() const { return net_; }
  const torch::Device& device() const { return device_; }
  Precision precision() const { return precision_; }
  torch::ScalarType dtype() const { return dtype_; }
  bool channels_last() const { return channels_last_; }
  size_t ignored_tensors() const { return ignored_tensors_; }
  BatchWorker& worker() { return *worker_; }
  const BatchWorker& worker() const { return *worker_; }
  // Whether CUDA graphs are in use, and why not when they failed ("" otherwise).
  bool graphs_active() const;
  std::string graphs_failure() const;

 private:
  // One batch on the worker thread: the frames of every row as one batch tensor per input, the
  // network once.
  torch::Tensor compute(const WorkKey& key, const std::vector<const WorkRow*>& rows, const torch::Tensor& grid);

  const torch::Device device_;
  const Precision precision_;
  const torch::ScalarType dtype_;
  const bool channels_last_;
  const IFNet net_;
  const size_t ignored_tensors_;
  ForwardGraphs graphs_;                 // the worker thread's
  mutable std::mutex graphs_mutex_;      // guards reading graphs_' state from other threads
  std::unique_ptr<BatchWorker> worker_;  // last: its thread runs compute(), which uses all of the above
};

}  // namespace rife
