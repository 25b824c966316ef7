// The batching worker on its own, with a stand-in computation (each row's result is its frame plus
// its timestep, so every result says which request it belongs to): what shares a batch, in which
// order work is served, what a failure does, and that waiting never outlives the streams waited for.
// The real network through the worker is in test_shared_engine and test_multistream.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

#include "batch_worker.h"
#include "rife_engine.h"

namespace {

using rife::BatchWorker;
using rife::WorkKey;
using rife::WorkRequest;
using rife::WorkRow;
using namespace std::chrono_literals;

// Records every batch it computes: its key and rows.
struct Recorder {
  std::mutex mutex;
  std::vector<std::pair<WorkKey, size_t>> batches;
  std::function<void(const std::vector<const WorkRow*>&)> before;  // may throw, or sleep

  BatchWorker::Compute compute() {
    return [this](const WorkKey& key, const std::vector<const WorkRow*>& rows, const torch::Tensor&) {
      if (before) before(rows);
      {
        std::lock_guard<std::mutex> lock(mutex);
        batches.emplace_back(key, rows.size());
      }
      std::vector<torch::Tensor> out;
      for (const WorkRow* row : rows) out.push_back(row->img0 + row->t);
      return torch::cat(out, 0);
    };
  }
  size_t largest() {
    std::lock_guard<std::mutex> lock(mutex);
    size_t n = 0;
    for (auto& b : batches) n = std::max(n, b.second);
    return n;
  }
};

WorkKey key(int64_t h = 8, int64_t w = 8, double scale = 1.0) { return {WorkKey::Kind::Interpolate, h, w, scale}; }

// A request of `rows` rows whose frames hold `value` (1x1x2x2), timesteps 0.1, 0.2...
WorkRequest request(float value, int rows, const WorkKey& k = key(), size_t bytes_per_row = 1,
                    std::chrono::microseconds wait = 0us, size_t budget = 1000) {
  WorkRequest r;
  r.key = k;
  for (int i = 0; i < rows; ++i) {
    WorkRow row;
    row.img0 = torch::full({1, 1, 2, 2}, value);
    row.t = 0.1f * float(i + 1);
    r.rows.push_back(row);
  }
  r.bytes = size_t(rows) * bytes_per_row;
  r.budget = budget;
  r.max_wait = wait;
  return r;
}

// Each row's result is its own frame plus its own timestep: nothing from another request.
void expect_own(const rife::WorkResult& result, float value, int rows) {
  ASSERT_EQ(result.out.size(0), rows);
  for (int i = 0; i < rows; ++i)
    EXPECT_NEAR(result.out[i].mean().item<float>(), value + 0.1f * float(i + 1), 1e-6) << "row " << i;
}

}  // namespace

TEST(BatchWorker, ALoneStreamGetsItsOwnRowsBackWithoutWaiting) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  const auto stream = worker.attach();
  worker.set_stream_key(stream, key());
  const auto start = std::chrono::steady_clock::now();
  const auto result = worker.run(stream, request(5, 3, key(), 1, 2s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s) << "no other stream could join: no wait";
  expect_own(result, 5, 3);
  EXPECT_EQ(result.batch.rows, 3);
  EXPECT_EQ(result.batch.streams, 1);
  worker.detach(stream);
}

TEST(BatchWorker, FourStreamsThatAllowAWaitShareEveryForwardPass) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  std::vector<std::thread> threads;
  std::vector<rife::BatchShape> shapes(4);
  std::vector<BatchWorker::StreamId> ids;
  for (int s = 0; s < 4; ++s) {
    ids.push_back(worker.attach());
    worker.set_stream_key(ids.back(), key());
  }
  for (int s = 0; s < 4; ++s)
    threads.emplace_back([&, s] {
      for (int frame = 0; frame < 5; ++frame) {
        const float value = float(100 * s + frame);
        const auto result = worker.run(ids[size_t(s)], request(value, 2, key(), 1, 10s));
        expect_own(result, value, 2);
        shapes[size_t(s)] = result.batch;
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& shape : shapes) EXPECT_EQ(shape.streams, 4) << "the batch waited for every stream";
  const auto c = worker.counters();
  EXPECT_EQ(c.batches, 5u);
  EXPECT_EQ(c.rows, 40u);
  EXPECT_EQ(c.cross_stream_batches, 5u);
  for (auto id : ids) worker.detach(id);
}

TEST(BatchWorker, WorkOfDifferentSizesOrScalesNeverSharesABatch) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  const std::vector<WorkKey> keys{key(8, 8, 1), key(8, 8, 2), key(16, 8, 1), WorkKey{WorkKey::Kind::Encode, 8, 8, 1}};
  std::vector<std::thread> threads;
  for (size_t s = 0; s < keys.size(); ++s)
    threads.emplace_back([&, s] {
      const auto id = worker.attach();
      worker.set_stream_key(id, keys[s]);
      for (int i = 0; i < 4; ++i) expect_own(worker.run(id, request(float(s), 1, keys[s], 1, 20ms)), float(s), 1);
      worker.detach(id);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(worker.counters().cross_stream_batches, 0u);
  EXPECT_EQ(rec.largest(), 1u);
}

// A stream with a long queue of work of one size does not keep a stream of another size waiting:
// the oldest request always goes next.
TEST(BatchWorker, TheOldestRequestGoesFirstSoNoStreamStarves) {
  Recorder rec;
  std::atomic<int> computing{0};
  rec.before = [&](const std::vector<const WorkRow*>&) {
    ++computing;
    std::this_thread::sleep_for(20ms);
  };
  BatchWorker worker(rec.compute(), torch::kCPU);
  std::atomic<bool> busy_done{false};
  std::vector<std::thread> busy;
  for (int s = 0; s < 3; ++s)  // three streams of one size keep the worker busy...
    busy.emplace_back([&, s] {
      const auto id = worker.attach();
      worker.set_stream_key(id, key());
      for (int i = 0; i < 15 && !busy_done; ++i) worker.run(id, request(float(s), 1));
      worker.detach(id);
    });
  std::this_thread::sleep_for(50ms);
  const auto other = worker.attach();  // ...while one of another size asks three times
  worker.set_stream_key(other, key(16, 16));
  for (int i = 0; i < 3; ++i) {
    const int before = computing;
    expect_own(worker.run(other, request(9, 1, key(16, 16))), 9, 1);
    EXPECT_LE(computing - before, 3) << "served after at most the batch running and the work queued before it "
                                        "(one batch: it is one size), in its own batch";
  }
  busy_done = true;
  for (auto& t : busy) t.join();
  worker.detach(other);
}

TEST(BatchWorker, RequestsBeyondTheMemoryBudgetGoInLaterBatches) {
  Recorder rec;
  rec.before = [](const std::vector<const WorkRow*>&) { std::this_thread::sleep_for(30ms); };
  BatchWorker worker(rec.compute(), torch::kCPU);
  std::vector<std::thread> threads;
  for (int s = 0; s < 4; ++s)
    threads.emplace_back([&, s] {
      const auto id = worker.attach();
      worker.set_stream_key(id, key());
      // 2 rows of 100 bytes each, a budget of 450 bytes: two requests fit in a batch, not three.
      for (int i = 0; i < 3; ++i) expect_own(worker.run(id, request(float(s), 2, key(), 100, 0us, 450)), float(s), 2);
      worker.detach(id);
    });
  for (auto& t : threads) t.join();
  EXPECT_LE(rec.largest(), 4u);
  EXPECT_GT(worker.counters().cross_stream_batches, 0u) << "queued requests that fit were batched";
}

// A batch that fails (out of memory, say) is split and retried: the requests that can be computed
// are, and only the one that cannot gets the error.
TEST(BatchWorker, AFailingBatchIsSplitAndOnlyTheFaultyRequestFails) {
  Recorder rec;
  rec.before = [](const std::vector<const WorkRow*>& rows) {
    std::this_thread::sleep_for(5ms);
    if (rows.size() > 2) throw std::runtime_error("out of memory (a batch of more than 2 rows)");
    for (const WorkRow* row : rows)
      if (row->img0[0][0][0][0].item<float>() == 13.0f) throw std::runtime_error("this frame cannot be computed");
  };
  BatchWorker worker(rec.compute(), torch::kCPU);
  std::vector<BatchWorker::StreamId> ids;
  for (int s = 0; s < 4; ++s) {
    ids.push_back(worker.attach());
    worker.set_stream_key(ids.back(), key());
  }
  std::vector<std::string> errors(4);
  std::vector<std::thread> threads;
  for (int s = 0; s < 4; ++s)
    threads.emplace_back([&, s] {
      const float value = s == 2 ? 13.0f : float(s);
      try {
        expect_own(worker.run(ids[size_t(s)], request(value, 2, key(), 1, 5s)), value, 2);
      } catch (const std::exception& e) {
        errors[size_t(s)] = e.what();
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(errors[0], "");
  EXPECT_EQ(errors[1], "");
  EXPECT_EQ(errors[2], "this frame cannot be computed");
  EXPECT_EQ(errors[3], "");
  EXPECT_GT(worker.counters().retries, 0u);
  for (auto id : ids) worker.detach(id);
}

// A request too big for any batch (one row of it fails only together with the others) is computed
// in halves.
TEST(BatchWorker, ARequestThatFailsWholeIsComputedInParts) {
  Recorder rec;
  rec.before = [](const std::vector<const WorkRow*>& rows) {
    if (rows.size() > 3) throw std::runtime_error("out of memory");
  };
  BatchWorker worker(rec.compute(), torch::kCPU);
  const auto id = worker.attach();
  expect_own(worker.run(id, request(1, 8)), 1, 8);
  EXPECT_EQ(rec.largest(), 2u) << "8 rows -> 4 + 4 fail -> 2 + 2 + 2 + 2";
  worker.detach(id);
}

// A batch waiting for other streams stops waiting when they go: nothing hangs on a stream that
// stopped, and the waiting stream is served.
TEST(BatchWorker, ABatchStopsWaitingForAStreamThatDetaches) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  const auto a = worker.attach(), b = worker.attach();
  worker.set_stream_key(a, key());
  worker.set_stream_key(b, key());
  std::thread detacher([&] {
    std::this_thread::sleep_for(100ms);
    worker.detach(b);
  });
  const auto start = std::chrono::steady_clock::now();
  expect_own(worker.run(a, request(3, 1, key(), 1, 30s)), 3, 1);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  detacher.join();
  worker.detach(a);
}

TEST(BatchWorker, ARequestWithoutRowsIsRefused) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  const auto id = worker.attach();
  WorkRequest empty;
  EXPECT_THROW(worker.run(id, empty), rife::Error);
  worker.detach(id);
}

// A server hands over the requests of several sequences at once: their work waits for the group's
// streams only, not for every attached stream (idle sequences would hold it for the whole wait).
TEST(BatchWorker, AGroupWaitsForItsOwnStreamsOnly) {
  Recorder rec;
  BatchWorker worker(rec.compute(), torch::kCPU);
  std::vector<BatchWorker::StreamId> ids;
  for (int s = 0; s < 5; ++s) {  // five sequences, of which three send now
    ids.push_back(worker.attach());
    worker.set_stream_key(ids.back(), key());
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  std::vector<rife::BatchShape> shapes(3);
  for (int s = 0; s < 3; ++s)
    threads.emplace_back([&, s] {
      auto r = request(float(s), 1, key(), 1, 30s);
      r.group = 7;
      r.group_streams = 3;
      const auto result = worker.run(ids[size_t(s)], std::move(r));
      expect_own(result, float(s), 1);
      shapes[size_t(s)] = result.batch;
    });
  for (auto& t : threads) t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s) << "no wait for the two idle sequences";
  for (const auto& shape : shapes) EXPECT_EQ(shape.streams, 3);
  for (auto id : ids) worker.detach(id);
}
