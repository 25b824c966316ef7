// Engine: weights -> IFNet on a device; bytes -> prepared frames -> interpolated bytes.
#include <torch/torch.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <sstream>

#include "batch_worker.h"
#include "colour_conversion.h"
#include "device.h"
#include "ifnet.h"
#include "plane_transfer.h"
#include "rife_engine.h"
#include "scene_change.h"
#include "shared_model.h"
#include "work_memory.h"

namespace rife {

class PreparedFrame {
 public:
  PreparedFrame(torch::Tensor image, torch::Tensor features, FrameSignature signature, uint64_t generation,
                uint64_t serial)
      : image(std::move(image)),
        features(std::move(features)),
        signature(std::move(signature)),
        generation(generation),
        serial(serial) {}
  const torch::Tensor image;       // [1, 3, padded H, padded W] RGB in [0, 1], model dtype, on the device
  const torch::Tensor features;    // 4.25+: encode(image) [1, 4, padded H, padded W]; undefined otherwise
  const FrameSignature signature;  // for compare(): scene cuts, still pairs, how much moves
  const uint64_t generation;       // Engine::configure() call it was prepared under
  const uint64_t serial;           // this engine's frame number: which frame a comparison was with
  // The comparison with the frame before it (`compared_with`: that frame's serial; 0 = none yet).
  mutable PairDifference compared;
  mutable uint64_t compared_with = 0;
  // The frame mirrored left-right (padded on the right and bottom like any frame) and its features:
  // made the first time a TimeFlip ensemble needs them, then kept (a frame is in two pairs).
  mutable torch::Tensor mirrored_image, mirrored_features;
};

namespace {

// Runs `body`, turning LibTorch's failures (out of memory above all) into rife::Error with context,
// so callers see one exception type whose message says what was being done.
template <class Body>
auto guarded(const std::string& what, Body&& body) -> decltype(body()) {
  try {
    return body();
  } catch (const Error&) {
    throw;
  } catch (const c10::Error& e) {
    throw Error(what + ": " + e.what_without_backtrace());
  } catch (const std::bad_alloc&) {
    throw Error(what + ": out of memory");
  }
}

}  // namespace

// The per-stream part of the engine: this stream's geometry, conversion, transfers and prepared
// frames. Every network computation goes to the shared model's worker (shared_model.h).
struct Engine::Impl {
  Impl(const EngineOptions& o, std::shared_ptr<SharedModel> m)
      : options(o),
        model(std::move(m)),
        device(model->device()),
        stream_id(model->worker().attach()),
        batch_wait_us(o.batch_wait_us),
        batch_memory(o.batch_memory > 0 ? o.batch_memory
                                        : default_batch_memory(device.is_cuda(), device_memory(device))),
        stream(device),
        transfer(device, o.pinned_staging) {}
  ~Impl() { model->worker().detach(stream_id); }

  torch::TensorOptions tensor_options() const { return torch::TensorOptions().device(device).dtype(model->dtype()); }
  int dtype_bytes() const { return int(torch::elementSize(model->dtype())); }

  void check_frames(const FrameHandle& a, const FrameHandle& b) const {
    if (!a || !b) throw Error("interpolate: null frame");
    if (geometry.width == 0) throw Error("interpolate: configure() was not called");
    if (a->generation != generation || b->generation != generation)
      throw Error("interpolate: frame prepared under an earlier geometry; prepare it again after configure()");
  }

  template <class Planes>
  void check_planes(const char* what, const Planes& planes) const {
    if (geometry.width == 0) throw Error(std::string(what) + ": configure() was not called");
    const FrameLayout& layout = conversion.layout();
    for (int p = 0; p < layout.planes; ++p) {
      const int64_t row = layout.plane_row_bytes(p, geometry.width);
      if (!planes.data[p]) throw Error(std::string(what) + ": plane " + std::to_string(p) + " is null");
      if (planes.stride[p] < size_t(row))
        throw Error(std::string(what) + ": stride " + std::to_string(planes.stride[p]) + " of plane " +
                    std::to_string(p) + " is smaller than a row of " + std::to_string(row) + " bytes");
    }
  }

  // Host planes -> [3, H, W] FP32 RGB in [0, 1] on the device: one upload per plane of the raw
  // bytes, all unpacking and colour conversion on the device.
  torch::Tensor upload_rgb(const InputPlanes& in) { return conversion.to_rgb(transfer.upload(in)); }

  // A prepared frame without its padding: [3, H, W] FP32 RGB in [0, 1].
  torch::Tensor unpadded_rgb(const PreparedFrame& frame) const {
    return frame.image[0].narrow(1, 0, geometry.height).narrow(2, 0, geometry.width).to(torch::kFloat32);
  }

  std::vector<PlaneShape> plane_shapes() const {
    const FrameLayout& layout = conversion.layout();
    std::vector<PlaneShape> shapes;
    for (int p = 0; p < layout.planes; ++p)
      shapes.push_back({layout.plane_rows(p, geometry.height), layout.plane_row_bytes(p, geometry.width)});
    return shapes;
  }

  WorkRequest request(WorkKey::Kind kind, std::vector<WorkRow> rows, size_t row_bytes, double flow_scale = 0) const {
    WorkRequest r;
    r.key = {kind, padded_h, padded_w, flow_scale > 0 ? flow_scale : scale};
    r.bytes = rows.size() * row_bytes;
    r.rows = std::move(rows);
    r.warp_grid = warp_grid;
    r.budget = batch_memory;
    r.max_wait = std::chrono::microseconds(batch_wait_us.load());
    r.group = group;
    r.group_streams = group_streams;
    return r;
  }

  // The 4.25+ features of one frame, computed by the model's worker (with other streams' frames of
  // the same size when they are queued).
  torch::Tensor encode(const torch::Tensor& image) {
    if (!model->net().spec().has_encoder) return torch::Tensor();
    ++encoder_runs;
    WorkRow row;
    row.img0 = image;
    return model->worker()
        .run(stream_id, request(WorkKey::Kind::Encode, {row}, encode_row_bytes(padded_h, padded_w, dtype_bytes())))
        .out;
  }

  // A frame's mirror image and its features for a TimeFlip ensemble, made once per frame. The
  // features are those of the mirrored picture (the encoder's filters are not mirror-symmetric, so
  // mirroring the frame's own features would not be the network's view of the mirrored pair).
  std::pair<torch::Tensor, torch::Tensor> mirrored(const PreparedFrame& f, bool encode_now) {
    if (!f.mirrored_image.defined()) {
      auto picture = [this](const torch::Tensor& x) {
        return x.narrow(2, 0, geometry.height).narrow(3, 0, geometry.width);
      };
      auto image = torch::zeros_like(f.image);
      picture(image).copy_(picture(f.image).flip({3}));
      f.mirrored_image = image;
      if (options.cache_features) f.mirrored_features = encode(image);
    }
    return {f.mirrored_image, encode_now ? encode(f.mirrored_image) : f.mirrored_features};
  }

  // The frames and features of each ensemble pass: pass 0 (a, b); 1 the pair reversed; 2 and 3 the
  // mirrored pair both ways.
  std::vector<WorkRow> passes_of(const PreparedFrame& a, const PreparedFrame& b, Ensemble ensemble) {
    const bool encode_now = model->net().spec().has_encoder && !options.cache_features;
    const torch::Tensor fa = encode_now ? encode(a.image) : a.features;
    const torch::Tensor fb = encode_now ? encode(b.image) : b.features;
    std::vector<WorkRow> passes{{a.image, b.image, fa, fb}};
    if (ensemble == Ensemble::None) return passes;
    passes.push_back({b.image, a.image, fb, fa});
    if (ensemble == Ensemble::TimeFlip) {
      const auto [ma, mfa] = mirrored(a, encode_now);
      const auto [mb, mfb] = mirrored(b, encode_now);
      passes.push_back({ma, mb, mfa, mfb});
      passes.push_back({mb, ma, mfb, mfa});
    }
    return passes;
  }

  // [N x P, 3, H, W] results, timestep-major (timestep i, pass k at i * P + k) -> [N, 3, H, W]:
  // mirrored passes mirrored back, then the passes of each timestep averaged (in FP32, before
  // rounding to 8 bits).
  static torch::Tensor average_passes(const torch::Tensor& rgb, Ensemble ensemble) {
    const int64_t p = passes(ensemble);
    if (p == 1) return rgb;
    auto by_timestep = rgb.reshape({rgb.size(0) / p, p, rgb.size(1), rgb.size(2), rgb.size(3)});
    if (ensemble == Ensemble::TimeFlip)
      by_timestep = torch::cat({by_timestep.narrow(1, 0, 2), by_timestep.narrow(1, 2, 2).flip({4})}, 1);
    return by_timestep.mean(1);
  }

  void count(const BatchShape& shape) {
    ++batch_stats.batches;
    batch_stats.rows += uint64_t(shape.rows);
    batch_stats.streams += uint64_t(shape.streams);
    if (shape.streams > 1) ++batch_stats.cross_stream;
  }

  const EngineOptions options;
  const std::shared_ptr<SharedModel> model;  // first: everything below may hold its tensors
  const torch::Device device;
  const BatchWorker::StreamId stream_id;
  std::atomic<uint32_t> batch_wait_us;
  uint64_t group = 0;
  int group_streams = 0;
  const size_t batch_memory;
  uint64_t encoder_runs = 0;
  uint64_t frames = 0;  // prepared so far (serials)
  BatchStats batch_stats;
  DeviceStream stream;
  PlaneTransfer transfer;

  FrameGeometry geometry;
  ColourConversion conversion;
  uint64_t generation = 0;
  double scale = 1.0;
  int64_t padded_h = 0, padded_w = 0;
  torch::Tensor warp_grid;  // [1, Hp, Wp, 2]
};

Engine::Engine(const EngineOptions& options) {
  if (!valid_scale(options.scale))
    throw Error(ErrorKind::Setting,
                "flow scale " + (std::ostringstream() << options.scale).str() +
                    " is not supported: use 0.25, 0.5, 1, 2 or 4 (0 = auto by frame size); the flow pyramid halves "
                    "the resolution from level to level, and only these keep every level on whole pixels");
  const torch::Device device = resolve_device(options.device);
  resolve_precision(options.precision, device);  // option errors before the file's
  if (device.is_cuda()) {
    // Process-wide cuDNN settings: the last engine created decides for all (documented).
    auto& context = at::globalContext();
    context.setBenchmarkCuDNN(options.cudnn_benchmark);
    const auto fp32 = options.tf32 ? at::Float32Precision::TF32 : at::Float32Precision::IEEE;
    context.setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::CONV, fp32);
    context.setFloat32Precision(at::Float32Backend::CUDA, at::Float32Op::MATMUL, fp32);
  }
  torch::NoGradGuard no_grad;
  impl_ = std::make_unique<Impl>(options, SharedModel::acquire(options, device));
}

Engine::~Engine() = default;

void Engine::configure(const FrameGeometry& g) {
  if (g.width < 2 || g.height < 2 || g.width > 16384 || g.height > 16384)
    throw Error("frame size " + std::to_string(g.width) + "x" + std::to_string(g.height) +
                " is not supported (2..16384 per side)");
  auto& s = *impl_;
  const std::string size = std::to_string(g.width) + "x" + std::to_string(g.height);
  guarded("cannot allocate the work buffers for " + size + " frames on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    // Allocate everything first and commit after: a failure leaves the engine unconfigured.
    s.geometry = FrameGeometry{};
    const ColourConversion conversion(g);
    // With the automatic scale a pair may run at either of the size's two choices: pad for both.
    const double scale = s.options.scale > 0 ? s.options.scale : auto_scale(g.width, g.height);
    const double other = s.options.scale > 0 ? scale : auto_scale(g.width, g.height, 0.0f);
    const int64_t m = std::max(s.model->net().spec().padding_multiple(scale), s.model->net().spec().padding_multiple(other));
    const int64_t ph = (g.height + m - 1) / m * m, pw = (g.width + m - 1) / m * m;
    // An FP32 grid when the warp runs in FP32 (positions near 4K columns need more than FP16's 11 bits).
    auto grid = IFNet::make_warp_grid(
        ph, pw, s.options.fp32_warp ? s.tensor_options().dtype(torch::kFloat32) : s.tensor_options());
    s.scale = scale;
    s.conversion = conversion;
    s.padded_h = ph;
    s.padded_w = pw;
    s.warp_grid = grid;
    s.geometry = g;
    s.transfer.configure(s.plane_shapes());
    s.model->worker().set_stream_key(s.stream_id, {WorkKey::Kind::Interpolate, ph, pw, scale});
    ++s.generation;
  });
}

const FrameGeometry& Engine::geometry() const { return impl_->geometry; }

FrameHandle Engine::prepare(const uint8_t* data, size_t stride) {
  if (impl_->geometry.width != 0 && impl_->conversion.layout().planes != 1)
    throw Error("prepare: this format has several planes; pass InputPlanes");
  InputPlanes planes;
  planes.data[0] = data;
  planes.stride[0] = stride;
  return prepare(planes);
}

FrameHandle Engine::prepare(const InputPlanes& planes) {
  auto& s = *impl_;
  s.check_planes("prepare", planes);
  const auto& g = s.geometry;
  return guarded("cannot prepare a frame on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    auto rgb = s.upload_rgb(planes);  // [3, H, W] FP32
    auto image =
        torch::zeros({1, 3, s.padded_h, s.padded_w},
                     s.tensor_options().memory_format(s.model->channels_last() ? torch::MemoryFormat::ChannelsLast
                                                                               : torch::MemoryFormat::Contiguous));
    image[0].narrow(1, 0, g.height).narrow(2, 0, g.width).copy_(rgb);
    // The features of a frame depend on it alone: computed here once, reused by both pairs it is in.
    torch::Tensor features = s.options.cache_features ? s.encode(image) : torch::Tensor();
    return std::make_shared<const PreparedFrame>(image, features, make_signature(rgb), s.generation, ++s.frames);
  });
}

void Engine::interpolate(const FrameHandle& a, const FrameHandle& b, const std::vector<float>& ts,
                         const std::vector<OutputPlanes>& outs, Ensemble ensemble) {
  auto& s = *impl_;
  s.check_frames(a, b);
  if (ts.empty() || ts.size() != outs.size())
    throw Error("interpolate: " + std::to_string(ts.size()) + " timesteps for " + std::to_string(outs.size()) +
                " outputs");
  for (float t : ts)
    if (!(t >= 0.0f && t <= 1.0f)) throw Error("interpolate: timestep " + std::to_string(t) + " outside [0, 1]");
  for (const auto& out : outs) s.check_planes("interpolate", out);
  const auto& g = s.geometry;
  guarded("cannot interpolate on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    const std::vector<WorkRow> passes = s.passes_of(*a, *b, ensemble);
    const size_t p = passes.size();
    const double scale = s.options.scale > 0 ? s.options.scale : auto_scale(g.width, g.height, compare(a, b).changed);
    // As many timesteps per batch as the memory budget holds (at least one, with all its passes):
    // the outputs of a 1 -> 1000 fps pair in bounded memory, in order.
    const size_t row_bytes = interpolation_row_bytes(s.padded_h, s.padded_w, scale, s.dtype_bytes());
    const size_t per_batch = timesteps_per_batch(ensemble);
    for (size_t first = 0; first < ts.size(); first += per_batch) {
      const size_t n = std::min(per_batch, ts.size() - first);
      std::vector<WorkRow> rows;  // timestep i, pass k at i * p + k; odd passes run from b to a at 1 - t
      for (size_t i = first; i < first + n; ++i)
        for (size_t k = 0; k < p; ++k) {
          rows.push_back(passes[k]);
          rows.back().t = k % 2 ? 1.0f - ts[i] : ts[i];
        }
      const WorkResult result = s.model->worker().run(
          s.stream_id, s.request(WorkKey::Kind::Interpolate, std::move(rows), row_bytes, scale));
      s.count(result.batch);
      auto rgb =
          Impl::average_passes(result.out.narrow(2, 0, g.height).narrow(3, 0, g.width).to(torch::kFloat32), ensemble);
      std::vector<std::vector<torch::Tensor>> planes;
      for (size_t i = 0; i < n; ++i) planes.push_back(s.conversion.to_planes(rgb[int64_t(i)]));
      s.transfer.download(planes, {outs.begin() + std::ptrdiff_t(first), outs.begin() + std::ptrdiff_t(first + n)},
                          s.stream);
    }
  });
}

void Engine::interpolate(const FrameHandle& a, const FrameHandle& b, float t, uint8_t* out, size_t stride) {
  if (impl_->geometry.width != 0 && impl_->conversion.layout().planes != 1)
    throw Error("interpolate: this format has several planes; pass OutputPlanes");
  OutputPlanes planes;
  planes.data[0] = out;
  planes.stride[0] = stride;
  interpolate(a, b, std::vector<float>{t}, std::vector<OutputPlanes>{planes});
}

PairDifference Engine::compare(const FrameHandle& a, const FrameHandle& b) const {
  impl_->check_frames(a, b);
  if (b->compared_with == a->serial) return b->compared;
  return guarded("cannot compare frames on " + impl_->device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(impl_->stream);
    const PairScores scores = rife::compare(a->signature, b->signature);  // one device -> host copy
    b->compared = PairDifference{scores.cut, scores.still, scores.changed};
    b->compared_with = a->serial;
    return b->compared;
  });
}

void Engine::render(const FrameHandle& frame, const OutputPlanes& out) {
  auto& s = *impl_;
  s.check_frames(frame, frame);
  s.check_planes("render", out);
  guarded("cannot render a frame on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    s.transfer.download({s.conversion.to_planes(s.unpadded_rgb(*frame))}, {out}, s.stream);
  });
}

void Engine::read_rgb(const FrameHandle& frame, uint8_t* rgb, size_t stride) {
  auto& s = *impl_;
  s.check_frames(frame, frame);
  const int64_t h = s.geometry.height, w = s.geometry.width;
  if (!rgb || stride < size_t(3 * w)) throw Error("read_rgb: stride smaller than a row of " + std::to_string(3 * w));
  guarded("cannot read a frame on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    auto bytes = quantise(s.unpadded_rgb(*frame) * 255.0).permute({1, 2, 0});
    torch::from_blob(rgb, {h, w, 3}, {int64_t(stride), 3, 1}, torch::kUInt8).copy_(bytes);
  });
}

std::string Engine::model_version() const { return impl_->model->net().spec().name; }
std::string Engine::device_name() const { return impl_->device.str(); }
size_t Engine::ignored_tensors() const { return impl_->model->ignored_tensors(); }
uint64_t Engine::encoder_runs() const { return impl_->encoder_runs; }
Precision Engine::precision() const { return impl_->model->precision(); }
int Engine::model_users() const { return int(impl_->model->worker().streams()); }
BatchStats Engine::batch_stats() const { return impl_->batch_stats; }
void Engine::set_batch_wait_us(uint32_t us) { impl_->batch_wait_us = us; }
void Engine::set_batch_group(uint64_t group, int streams) {
  impl_->group = group;
  impl_->group_streams = group == 0 ? 0 : streams;
}
size_t Engine::batch_memory() const { return impl_->batch_memory; }

size_t Engine::timesteps_per_batch(Ensemble ensemble) const {
  const auto& s = *impl_;
  const size_t row =
      interpolation_row_bytes(s.padded_h, s.padded_w, s.scale, s.dtype_bytes()) * size_t(passes(ensemble));
  return std::max<size_t>(1, s.batch_memory / std::max<size_t>(1, row));
}
uint64_t Engine::models_loaded() { return SharedModel::loads(); }
double Engine::scale() const { return impl_->scale; }
int Engine::padded_width() const { return int(impl_->padded_w); }
int Engine::padded_height() const { return int(impl_->padded_h); }

std::string Engine::optimisations() const {
  const auto& s = *impl_;
  std::string out;
  auto add = [&out](bool on, const char* name) {
    if (on) out += (out.empty() ? "" : " ") + std::string(name);
  };
  const bool cuda = s.device.is_cuda();
  const Precision precision = s.model->precision();
  add(s.model->channels_last(), "channels_last");
  add(cuda && s.options.tf32 && precision == Precision::FP32, "tf32");
  add(cuda && s.options.cudnn_benchmark, "cudnn_benchmark");
  add(s.options.fp32_warp && precision != Precision::FP32, "fp32_warp");
  add(s.model->graphs_active(), "cuda_graphs");
  add(s.transfer.pinned(), "pinned_staging");
  const std::string failure = s.model->graphs_failure();
  if (!failure.empty()) out += (out.empty() ? "" : " ") + ("(cuda_graphs failed: " + failure + ")");
  return out.empty() ? "none" : out;
}

// From bench/quality_sweep.sh on the shared data and rescaled copies (README, Quality): scale 2 gains
// 0.1-1.7 dB up to 1280x720 (720p itself: equal), loses at 1920x1080 and 1920x1440; 0.5 loses
// 0.4-1.2 dB up to 1920x1440 but gains 0.35 dB at 3840x2160.
double auto_scale(int width, int height) {
  const int64_t pixels = int64_t(width) * height;
  if (pixels <= int64_t(1280) * 720) return 2.0;
  if (pixels <= int64_t(2560) * 1440) return 1.0;
  return 0.5;
}

// Measured with tests/test_scene_change.cpp (StillRegions) on the real checkpoint: on identical and
// nearly still pairs scale 2 invents 11-54 levels at edges (the still part 48.6 dB against 78.8 at
// scale 1); on car-turn's still-camera start (3-27 % of its blocks changed) scale 1 wins 7 of 8 pairs
// by 0.4-1.7 dB, and from the pan on (50-79 %) scale 2 wins 24 of 32; on Middlebury only Beanbags
// (18.7 %) is better at 1. A quarter (leaning away from Dimetrodon's 30.8 %, where 1 would cost
// 2.4 dB): car-turn 31.95 dB against 31.80 at 2 throughout and 31.67 at 1.
double auto_scale(int width, int height, float changed) {
  const double by_size = auto_scale(width, height);
  return by_size == 2.0 && changed < 0.25f ? 1.0 : by_size;
}

bool valid_scale(double scale) {
  for (double s : {0.0, 0.25, 0.5, 1.0, 2.0, 4.0})
    if (scale == s) return true;
  return false;
}

const char* to_string(Ensemble e) {
  switch (e) {
    case Ensemble::None:
      return "none";
    case Ensemble::Time:
      return "time";
    case Ensemble::TimeFlip:
      return "time+flip";
  }
  return "?";
}

Ensemble parse_ensemble(const std::string& name) {
  for (Ensemble e : {Ensemble::None, Ensemble::Time, Ensemble::TimeFlip})
    if (name == to_string(e)) return e;
  throw Error("unknown ensemble '" + name + "': expected none, time or time+flip");
}

const char* to_string(Precision p) {
  switch (p) {
    case Precision::Auto:
      return "auto";
    case Precision::FP32:
      return "fp32";
    case Precision::FP16:
      return "fp16";
    case Precision::BF16:
      return "bf16";
  }
  return "?";
}

const char* to_string(ModelVersion v) {
  switch (v) {
    case ModelVersion::Auto:
      return "auto";
    case ModelVersion::V4_6:
      return "4.6";
    case ModelVersion::V4_25:
      return "4.25";
    case ModelVersion::V4_26:
      return "4.26";
    case ModelVersion::V4_25_Lite:
      return "4.25-lite";
  }
  return "?";
}

ModelVersion parse_model_version(const std::string& name) {
  for (ModelVersion v :
       {ModelVersion::Auto, ModelVersion::V4_6, ModelVersion::V4_25, ModelVersion::V4_26, ModelVersion::V4_25_Lite})
    if (name == to_string(v)) return v;
  throw Error("unknown RIFE model version '" + name + "': expected auto, 4.6, 4.25, 4.26 or 4.25-lite");
}

Precision parse_precision(const std::string& name) {
  if (name == "auto") return Precision::Auto;
  if (name == "fp32") return Precision::FP32;
  if (name == "fp16") return Precision::FP16;
  if (name == "bf16") return Precision::BF16;
  throw Error("invalid precision '" + name + "': expected auto, fp32, fp16 or bf16");
}

}  // namespace rife
