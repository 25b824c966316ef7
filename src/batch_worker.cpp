#include "batch_worker.h"

#include <algorithm>
#include <set>

#include "rife_engine.h"

namespace rife {

using Clock = std::chrono::steady_clock;

struct BatchWorker::Job {
  StreamId stream;
  WorkRequest request;
  Clock::time_point submitted;
  StreamEvent inputs_ready;  // the submitting stream has made the rows' tensors
  StreamEvent result_ready;  // the worker's stream has computed the result
  WorkResult result;
  std::exception_ptr error;
  bool done = false;
};

BatchWorker::BatchWorker(Compute compute, torch::Device device)
    : compute_(std::move(compute)), device_(device), stream_(device), thread_([this] { loop(); }) {}

BatchWorker::~BatchWorker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  queued_.notify_all();
  thread_.join();
}

BatchWorker::StreamId BatchWorker::attach() {
  std::lock_guard<std::mutex> lock(mutex_);
  const StreamId id = next_stream_++;
  streams_[id] = WorkKey{WorkKey::Kind::Interpolate, 0, 0, 0.0};  // no geometry yet: nothing to wait for
  return id;
}

void BatchWorker::detach(StreamId stream) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    streams_.erase(stream);
  }
  queued_.notify_all();  // a batch waiting for this stream's work stops waiting
}

size_t BatchWorker::streams() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return streams_.size();
}

void BatchWorker::set_stream_key(StreamId stream, const WorkKey& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  streams_[stream] = key;
}

BatchWorker::Counters BatchWorker::counters() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return counters_;
}

WorkResult BatchWorker::run(StreamId stream, WorkRequest request) {
  if (request.rows.empty()) throw Error("batch worker: a request without rows");
  Job job{stream, std::move(request), Clock::now(), {}, {}, {}, {}, false};
  job.inputs_ready.record(device_);  // on the caller's stream: the worker's waits for it
  {
    std::unique_lock<std::mutex> lock(mutex_);
    queue_.push_back(&job);
    queued_.notify_all();
    finished_.wait(lock, [&job] { return job.done; });
  }
  if (job.error) std::rethrow_exception(job.error);
  job.result_ready.block(device_);  // the caller's stream waits for the worker's, the host does not
  used_on_current_stream(job.result.out);
  return std::move(job.result);
}

void BatchWorker::loop() {
  DeviceStream::Scope on_stream(stream_);
  torch::NoGradGuard no_grad;  // thread-local, like the stream
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    queued_.wait(lock, [this] { return stop_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing is left
    const std::vector<Job*> batch = gather(lock);
    lock.unlock();
    execute(batch);
    lock.lock();
    for (Job* job : batch) job->done = true;
    finished_.notify_all();
  }
}

// Whether an attached stream whose work would fit this batch's key has none in it yet (for a group:
// a stream of the group): only then is waiting for more worth it.
bool BatchWorker::could_join(const Job& first, const std::vector<Job*>& batch) const {
  std::set<StreamId> present;
  for (const Job* job : batch) present.insert(job->stream);
  if (first.request.group != 0) {
    std::set<StreamId> of_group;
    for (const Job* job : batch)
      if (job->request.group == first.request.group) of_group.insert(job->stream);
    return int(of_group.size()) < first.request.group_streams;
  }
  const WorkKey& key = first.request.key;
  for (const auto& [id, stream_key] : streams_) {
    if (present.count(id)) continue;
    const bool same_size = stream_key.height == key.height && stream_key.width == key.width;
    if (same_size && (key.kind == WorkKey::Kind::Encode || stream_key.scale == key.scale)) return true;
  }
  return false;
}

// The oldest job and every queued job that can share its forward pass, in queue order, within the
// smallest budget among them. With a max wait, waits (up to the oldest job's submission + its max
// wait) while other streams could still add work.
std::vector<BatchWorker::Job*> BatchWorker::gather(std::unique_lock<std::mutex>& lock) {
  Job* first = queue_.front();
  const Clock::time_point deadline = first->submitted + first->request.max_wait;
  std::vector<Job*> batch;
  for (;;) {
    batch.assign(1, first);
    size_t bytes = first->request.bytes, budget = first->request.budget;
    for (Job* job : queue_) {
      if (job == first || job->request.key != first->request.key) continue;
      const size_t tighter = std::min(budget, job->request.budget);
      if (bytes + job->request.bytes > tighter) continue;  // it goes in a later batch
      batch.push_back(job);
      bytes += job->request.bytes;
      budget = tighter;
    }
    if (stop_ || Clock::now() >= deadline || !could_join(*first, batch)) break;
    queued_.wait_until(lock, deadline);
  }
  for (Job* job : batch) queue_.erase(std::find(queue_.begin(), queue_.end(), job));
  return batch;
}

// The rows on their own when together they fail: halves, down to one row (whose error is thrown).
torch::Tensor BatchWorker::compute_split(const WorkKey& key, const std::vector<const WorkRow*>& rows,
                                         const torch::Tensor& grid) {
  if (rows.size() < 2) return compute_(key, rows, grid);
  const auto middle = rows.begin() + std::ptrdiff_t(rows.size() / 2);
  auto part = [&](std::vector<const WorkRow*> half) {
    try {
      return compute_(key, half, grid);
    } catch (const std::exception&) {
      if (half.size() < 2) throw;
      return compute_split(key, half, grid);
    }
  };
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++counters_.retries;
  }
  torch::Tensor a = part({rows.begin(), middle});
  torch::Tensor b = part({middle, rows.end()});
  return torch::cat({a, b}, 0);
}

void BatchWorker::execute(const std::vector<Job*>& jobs) {
  std::vector<const WorkRow*> rows;
  std::set<StreamId> streams;
  for (Job* job : jobs) {
    job->inputs_ready.block(device_);
    streams.insert(job->stream);
    for (const WorkRow& row : job->request.rows) {
      rows.push_back(&row);
      for (const torch::Tensor* t : {&row.img0, &row.img1, &row.feat0, &row.feat1}) used_on_current_stream(*t);
    }
  }
  const WorkKey& key = jobs.front()->request.key;
  const torch::Tensor& grid = jobs.front()->request.warp_grid;
  torch::Tensor out;
  try {
    out = compute_(key, rows, grid);
  } catch (const std::exception&) {
    if (jobs.size() > 1) {  // each half on its own: one request's trouble must not fail the others
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ++counters_.retries;
      }
      const auto middle = jobs.begin() + std::ptrdiff_t(jobs.size() / 2);
      execute({jobs.begin(), middle});
      execute({middle, jobs.end()});
      return;
    }
    try {
      out = compute_split(key, rows, grid);
    } catch (const std::exception&) {
      jobs.front()->error = std::current_exception();
      return;
    }
  }
  const BatchShape shape{int(rows.size()), int(streams.size())};
  int64_t offset = 0;
  for (Job* job : jobs) {
    const int64_t n = int64_t(job->request.rows.size());
    torch::Tensor mine = out.narrow(0, offset, n);
    // A view would keep the other streams' rows alive as long as this stream keeps its result.
    job->result = {jobs.size() > 1 ? mine.clone() : mine, shape};
    job->result_ready.record(device_);
    offset += n;
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ++counters_.batches;
  counters_.rows += uint64_t(rows.size());
  if (streams.size() > 1) ++counters_.cross_stream_batches;
}

}  // namespace rife
