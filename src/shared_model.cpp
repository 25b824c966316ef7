#include "shared_model.h"

#include <sys/stat.h>

#include <atomic>
#include <map>
#include <mutex>
#include <tuple>

#include "device.h"

namespace rife {
namespace {

// What makes two streams' models the same model.
struct ModelKey {
  uint64_t file_device, file_inode, file_size;
  int64_t file_mtime_ns;
  int version;
  std::string device;
  int precision;
  bool channels_last, fp32_warp, cuda_graphs, tf32, cudnn_benchmark;
  auto tie() const {
    return std::tie(file_device, file_inode, file_size, file_mtime_ns, version, device, precision, channels_last,
                    fp32_warp, cuda_graphs, tf32, cudnn_benchmark);
  }
  bool operator<(const ModelKey& o) const { return tie() < o.tie(); }
};

// Auto: on for every device. On CUDA it is what cuDNN's fastest kernels take; on the CPU
// (bench/eager_vs_engine.py, 2-core Xeon, FP32, scale 1, 2026-12-01, medians of interleaved rounds)
// it was faster in each of three runs: 320x240 10.84 vs 9.78, 640x360 4.10 vs 3.91 and 3.77 vs 3.59
// interpolations/s.
bool resolve_channels_last(Switch s, const torch::Device&) { return s != Switch::Off; }

std::mutex registry_mutex;
std::map<ModelKey, std::weak_ptr<SharedModel>> registry;  // guarded by registry_mutex
std::atomic<uint64_t> load_count{0};

template <class Body>
auto as_weights_error(Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error& e) {
    if (e.kind() != ErrorKind::General) throw;
    throw Error(ErrorKind::Weights, e.what());
  }
}

}  // namespace

std::shared_ptr<SharedModel> SharedModel::acquire(const EngineOptions& options, const torch::Device& device) {
  auto load = [&] {
    auto model = as_weights_error([&] { return load_model(options.model_path, options.model_version); });
    ++load_count;
    try {
      return std::make_shared<SharedModel>(options, device, std::move(model));
    } catch (const c10::Error& e) {
      throw Error(ErrorKind::Resource, options.model_path + ": cannot place the model on " + device.str() + ": " +
                                           e.what_without_backtrace());
    } catch (const std::bad_alloc&) {
      throw Error(ErrorKind::Resource,
                  options.model_path + ": cannot place the model on " + device.str() + ": out of memory");
    }
  };
  struct stat file {};
  if (!options.share_model || ::stat(options.model_path.c_str(), &file) != 0) return load();  // (load names the fault)
  const ModelKey key{uint64_t(file.st_dev),
                     uint64_t(file.st_ino),
                     uint64_t(file.st_size),
                     int64_t(file.st_mtim.tv_sec) * 1000000000 + file.st_mtim.tv_nsec,
                     int(options.model_version),
                     device.str(),
                     int(resolve_precision(options.precision, device)),
                     resolve_channels_last(options.channels_last, device),
                     options.fp32_warp,
                     options.cuda_graphs,
                     options.tf32,
                     options.cudnn_benchmark};
  // Held while loading: two streams starting together load the model once. Models are released
  // without this lock (the registry holds them weakly), so a stream stopping never waits for a load.
  std::lock_guard<std::mutex> lock(registry_mutex);
  for (auto it = registry.begin(); it != registry.end();) it = it->second.expired() ? registry.erase(it) : ++it;
  if (auto found = registry[key].lock()) return found;
  auto model = load();
  registry[key] = model;
  return model;
}

uint64_t SharedModel::loads() { return load_count.load(); }

SharedModel::SharedModel(const EngineOptions& o, const torch::Device& device, LoadedModel model)
    : device_(device),
      precision_(resolve_precision(o.precision, device)),
      dtype_(dtype_of(precision_)),
      channels_last_(resolve_channels_last(o.channels_last, device)),
      net_(*model.spec, model.weights, device, dtype_, IFNet::Options{channels_last_, o.fp32_warp}),
      ignored_tensors_(model.ignored.size()),
      graphs_(o.cuda_graphs, device),
      worker_(std::make_unique<BatchWorker>([this](const WorkKey& key, const std::vector<const WorkRow*>& rows,
                                                   const torch::Tensor& grid) { return compute(key, rows, grid); },
                                            device)) {}

SharedModel::~SharedModel() { worker_.reset(); }  // the thread stops before the network goes

bool SharedModel::graphs_active() const {
  std::lock_guard<std::mutex> lock(graphs_mutex_);
  return graphs_.active();
}

std::string SharedModel::graphs_failure() const {
  std::lock_guard<std::mutex> lock(graphs_mutex_);
  return graphs_.failure();
}

namespace {

// One input of every row as a batch tensor: the frame itself, broadcast, when every row has the
// same one (a single stream's timesteps: no copy), else the rows' frames one after the other.
torch::Tensor stacked(const std::vector<const WorkRow*>& rows, torch::Tensor WorkRow::*input) {
  const torch::Tensor& first = rows.front()->*input;
  if (!first.defined()) return first;
  bool same = true;
  for (const WorkRow* row : rows) same = same && (row->*input).is_same(first);
  if (same) return first;
  std::vector<torch::Tensor> frames;
  for (const WorkRow* row : rows) frames.push_back(row->*input);
  return torch::cat(frames, 0);
}

}  // namespace

torch::Tensor SharedModel::compute(const WorkKey& key, const std::vector<const WorkRow*>& rows,
                                   const torch::Tensor& grid) {
  if (key.kind == WorkKey::Kind::Encode) return net_.encode(stacked(rows, &WorkRow::img0));
  std::vector<float> ts;
  for (const WorkRow* row : rows) ts.push_back(row->t);
  const int64_t b = int64_t(ts.size());
  auto timesteps = torch::tensor(ts, torch::kFloat32).to(device_, dtype_).view({b, 1, 1, 1});
  // Frames given once for all rows are broadcast to the batch inside the forward (no copy).
  auto forward = [this, b, &key](const torch::Tensor& i0, const torch::Tensor& i1, const torch::Tensor& f0,
                                 const torch::Tensor& f1, const torch::Tensor& t, const torch::Tensor& g) {
    auto batch = [b](const torch::Tensor& x) { return x.defined() && x.size(0) != b ? x.expand({b, -1, -1, -1}) : x; };
    return net_.forward(batch(i0), batch(i1), batch(f0), batch(f1), t.expand({b, 1, key.height, key.width}), g,
                        key.scale);
  };
  const auto img0 = stacked(rows, &WorkRow::img0), img1 = stacked(rows, &WorkRow::img1);
  const auto feat0 = stacked(rows, &WorkRow::feat0), feat1 = stacked(rows, &WorkRow::feat1);
  std::lock_guard<std::mutex> lock(graphs_mutex_);
  if (!graphs_.active()) return forward(img0, img1, feat0, feat1, timesteps, grid);
  // A replay's output is the graph's own tensor, overwritten by the next replay: the streams get a copy.
  return graphs_.run(forward, img0, img1, feat0, feat1, timesteps, grid, key.scale).clone();
}

}  // namespace rife
