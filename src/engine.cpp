// Engine: weights -> IFNet on a device; bytes -> prepared frames -> interpolated bytes.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "colour_conversion.h"
#include "device.h"
#include "forward_graphs.h"
#include "ifnet.h"
#include "plane_transfer.h"
#include "rife_engine.h"
#include "state_dict.h"

namespace rife {

class PreparedFrame {
 public:
  PreparedFrame(torch::Tensor image, torch::Tensor features, torch::Tensor thumbnail, uint64_t generation)
      : image(std::move(image)),
        features(std::move(features)),
        thumbnail(std::move(thumbnail)),
        generation(generation) {}
  const torch::Tensor image;      // [1, 3, padded H, padded W] RGB in [0, 1], model dtype, on the device
  const torch::Tensor features;   // 4.25+: encode(image) [1, 4, padded H, padded W]; undefined otherwise
  const torch::Tensor thumbnail;  // [1, 1, <=64, <=64] FP32 luma, area-averaged: for difference()
  const uint64_t generation;      // Engine::configure() call it was prepared under
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

struct Engine::Impl {
  Impl(const EngineOptions& o, torch::Device dev, LoadedModel model)
      : options(o),
        device(dev),
        precision(resolve_precision(o.precision, device)),
        dtype(dtype_of(precision)),
        channels_last(o.channels_last == Switch::On || (o.channels_last == Switch::Auto && dev.is_cuda())),
        net(*model.spec, model.weights, device, dtype, IFNet::Options{channels_last, o.fp32_warp}),
        ignored_tensors(model.ignored.size()),
        stream(device),
        transfer(device, o.pinned_staging),
        graphs(o.cuda_graphs, device) {}

  torch::TensorOptions tensor_options() const { return torch::TensorOptions().device(device).dtype(dtype); }

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

  // The network on B = P x N inputs: img0/img1/features hold P frames (one per ensemble pass, P = 1
  // without one), each shared by the N timesteps of its pass; timesteps [B, 1, 1, 1] in pass-major
  // order (pass k, timestep i at k * N + i).
  torch::Tensor forward(const torch::Tensor& img0, const torch::Tensor& img1, const torch::Tensor& feat0,
                        const torch::Tensor& feat1, const torch::Tensor& timesteps) const {
    const int64_t b = timesteps.size(0);
    auto batch = [b](const torch::Tensor& x) {
      if (!x.defined() || x.size(0) == b) return x;
      return x.size(0) == 1 ? x.expand({b, -1, -1, -1}) : x.repeat_interleave(b / x.size(0), 0);
    };
    return net.forward(batch(img0), batch(img1), batch(feat0), batch(feat1),
                       timesteps.expand({b, 1, padded_h, padded_w}), warp_grid, scale);
  }

  torch::Tensor encode(const torch::Tensor& image) {
    if (net.spec().has_encoder) ++encoder_runs;
    return net.encode(image);
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

  // The P input frames and features of each side of the batch for an ensemble (see forward()).
  struct BatchInputs {
    torch::Tensor img0, img1, feat0, feat1;
  };
  BatchInputs batch_inputs(const PreparedFrame& a, const PreparedFrame& b, Ensemble ensemble) {
    const bool encode_now = net.spec().has_encoder && !options.cache_features;
    const torch::Tensor fa = encode_now ? encode(a.image) : a.features;
    const torch::Tensor fb = encode_now ? encode(b.image) : b.features;
    if (ensemble == Ensemble::None) return {a.image, b.image, fa, fb};
    std::vector<torch::Tensor> i0{a.image, b.image}, i1{b.image, a.image}, f0{fa, fb}, f1{fb, fa};
    if (ensemble == Ensemble::TimeFlip) {
      const auto [ma, mfa] = mirrored(a, encode_now);
      const auto [mb, mfb] = mirrored(b, encode_now);
      i0.insert(i0.end(), {ma, mb}), i1.insert(i1.end(), {mb, ma});
      f0.insert(f0.end(), {mfa, mfb}), f1.insert(f1.end(), {mfb, mfa});
    }
    auto cat = [](const std::vector<torch::Tensor>& v) { return v[0].defined() ? torch::cat(v, 0) : torch::Tensor(); };
    return {cat(i0), cat(i1), cat(f0), cat(f1)};
  }

  // [P x N, 3, H, W] results of an ensemble -> [N, 3, H, W]: mirrored passes mirrored back, then the
  // passes of each timestep averaged (in FP32, before rounding to 8 bits).
  static torch::Tensor average_passes(const torch::Tensor& rgb, Ensemble ensemble, int64_t n) {
    if (ensemble == Ensemble::None) return rgb;
    auto by_pass = rgb.reshape({passes(ensemble), n, rgb.size(1), rgb.size(2), rgb.size(3)});
    if (ensemble == Ensemble::TimeFlip)
      by_pass = torch::cat({by_pass.narrow(0, 0, 2), by_pass.narrow(0, 2, 2).flip({4})}, 0);
    return by_pass.mean(0);
  }

  const EngineOptions options;
  const torch::Device device;
  const Precision precision;
  const torch::ScalarType dtype;
  const bool channels_last;
  const IFNet net;
  const size_t ignored_tensors;  // training-only tensors of the file, not loaded
  uint64_t encoder_runs = 0;
  DeviceStream stream;
  PlaneTransfer transfer;
  ForwardGraphs graphs;

  FrameGeometry geometry;
  ColourConversion conversion;
  uint64_t generation = 0;
  double scale = 1.0;
  int64_t padded_h = 0, padded_w = 0;
  torch::Tensor warp_grid;  // [1, Hp, Wp, 2]
};

Engine::Engine(const EngineOptions& options) {
  if (!valid_scale(options.scale))
    throw Error("scale " + std::to_string(options.scale) +
                " is not supported: use 0.25, 0.5, 1, 2 or 4 (0 = auto by frame size); the flow pyramid halves the "
                "resolution from level to level, and only these keep every level on whole pixels");
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
  auto model = load_model(options.model_path, options.model_version);
  impl_ = guarded(options.model_path + ": cannot place the model on " + device.str(),
                  [&] { return std::make_unique<Impl>(options, device, std::move(model)); });
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
    const double scale = s.options.scale > 0 ? s.options.scale : auto_scale(g.width, g.height);
    const int64_t m = s.net.spec().padding_multiple(scale);
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
    s.graphs.clear();
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
    auto image = torch::zeros({1, 3, s.padded_h, s.padded_w},
                              s.tensor_options().memory_format(s.channels_last ? torch::MemoryFormat::ChannelsLast
                                                                               : torch::MemoryFormat::Contiguous));
    image[0].narrow(1, 0, g.height).narrow(2, 0, g.width).copy_(rgb);
    auto luma = (0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2]).view({1, 1, g.height, g.width});
    auto thumbnail = torch::adaptive_avg_pool2d(luma, {std::min(g.height, 64), std::min(g.width, 64)});
    // The features of a frame depend on it alone: computed here once, reused by both pairs it is in.
    torch::Tensor features = s.options.cache_features ? s.encode(image) : torch::Tensor();
    return std::make_shared<const PreparedFrame>(image, features, thumbnail, s.generation);
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
    const int64_t n = int64_t(ts.size());
    // Pass k, timestep i at k * n + i; the reversed passes (odd k) run from b to a at 1 - t.
    std::vector<float> all_ts;
    for (int k = 0; k < passes(ensemble); ++k)
      for (float t : ts) all_ts.push_back(k % 2 ? 1.0f - t : t);
    auto timesteps = torch::tensor(all_ts, torch::kFloat32).to(s.device, s.dtype).view({int64_t(all_ts.size()), 1, 1, 1});
    const auto in = s.batch_inputs(*a, *b, ensemble);
    torch::Tensor result;
    if (s.graphs.active()) {
      auto forward = [&s](const torch::Tensor& i0, const torch::Tensor& i1, const torch::Tensor& e0,
                          const torch::Tensor& e1, const torch::Tensor& t) { return s.forward(i0, i1, e0, e1, t); };
      result = s.graphs.run(forward, in.img0, in.img1, in.feat0, in.feat1, timesteps, s.stream);
    } else {
      result = s.forward(in.img0, in.img1, in.feat0, in.feat1, timesteps);
    }
    auto rgb = Impl::average_passes(result.narrow(2, 0, g.height).narrow(3, 0, g.width).to(torch::kFloat32),
                                    ensemble, n);
    std::vector<std::vector<torch::Tensor>> planes;
    for (int64_t i = 0; i < n; ++i) planes.push_back(s.conversion.to_planes(rgb[i]));
    s.transfer.download(planes, outs, s.stream);
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

float Engine::difference(const FrameHandle& a, const FrameHandle& b) const {
  impl_->check_frames(a, b);
  return guarded("cannot compare frames on " + impl_->device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(impl_->stream);
    return (a->thumbnail - b->thumbnail).abs_().mean().item<float>();  // waits for this one scalar only
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

std::string Engine::model_version() const { return impl_->net.spec().name; }
std::string Engine::device_name() const { return impl_->device.str(); }
size_t Engine::ignored_tensors() const { return impl_->ignored_tensors; }
uint64_t Engine::encoder_runs() const { return impl_->encoder_runs; }
Precision Engine::precision() const { return impl_->precision; }
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
  add(s.channels_last, "channels_last");
  add(cuda && s.options.tf32 && s.precision == Precision::FP32, "tf32");
  add(cuda && s.options.cudnn_benchmark, "cudnn_benchmark");
  add(s.options.fp32_warp && s.precision != Precision::FP32, "fp32_warp");
  add(s.graphs.active(), "cuda_graphs");
  add(s.transfer.pinned(), "pinned_staging");
  if (!s.graphs.failure().empty())
    out += (out.empty() ? "" : " ") + ("(cuda_graphs failed: " + s.graphs.failure() + ")");
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
  for (ModelVersion v : {ModelVersion::Auto, ModelVersion::V4_6, ModelVersion::V4_25, ModelVersion::V4_26,
                         ModelVersion::V4_25_Lite})
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
