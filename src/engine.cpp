// Engine: weights -> IFNet on a device; bytes -> prepared frames -> interpolated bytes.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "device.h"
#include "forward_graphs.h"
#include "frame_layout.h"
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

// Y'CbCr coefficients and the 8-bit quantisation of one colorimetry (ITU-R BT.601/709/2020 and
// SMPTE 240M; "limited" = Y 16..235, chroma 16..240, as GStreamer's 16_235 range).
struct Colour {
  double kr = 0, kb = 0;
  double y_offset = 0, y_scale = 255, c_scale = 255;
};

Colour colour_of(const FrameGeometry& g) {
  Colour c;
  switch (g.matrix) {
    case YuvMatrix::BT601:
      c.kr = 0.299, c.kb = 0.114;
      break;
    case YuvMatrix::BT709:
      c.kr = 0.2126, c.kb = 0.0722;
      break;
    case YuvMatrix::BT2020:
      c.kr = 0.2627, c.kb = 0.0593;
      break;
    case YuvMatrix::SMPTE240M:
      c.kr = 0.212, c.kb = 0.087;
      break;
  }
  if (!g.full_range) c.y_offset = 16, c.y_scale = 219, c.c_scale = 224;
  return c;
}

// Float samples on the 0..255 scale -> 8-bit.
torch::Tensor quantise(const torch::Tensor& x) { return x.round().clamp_(0, 255).to(torch::kUInt8); }

// The samples of one component as a [rows, cols] view into its plane [plane rows, plane row bytes].
torch::Tensor component_view(const torch::Tensor& plane, const ComponentLayout& c, int64_t rows, int64_t cols) {
  return plane.narrow(0, 0, rows).slice(1, c.offset, c.offset + (cols - 1) * c.pixel_stride + 1, c.pixel_stride);
}

// Undoes chroma subsampling by repeating each sample (nearest); exact inverse of the 2x box average
// used on the way out, so the conversion round trip loses only rounding.
torch::Tensor upsample(torch::Tensor x, const ComponentLayout& c, int64_t height, int64_t width) {
  if (c.sub_y) x = x.repeat_interleave(1 << c.sub_y, 0).narrow(0, 0, height);
  if (c.sub_x) x = x.repeat_interleave(1 << c.sub_x, 1).narrow(1, 0, width);
  return x;
}

torch::Tensor downsample(const torch::Tensor& x, const ComponentLayout& c) {
  if (!c.sub_x && !c.sub_y) return x;
  const int64_t ky = 1 << c.sub_y, kx = 1 << c.sub_x;
  const int64_t h = x.size(0), w = x.size(1);
  auto v = x.view({1, 1, h, w});
  // Odd sizes: the last row/column is its own chroma sample (replicated, so the average is itself).
  const int64_t pad_y = (ky - h % ky) % ky, pad_x = (kx - w % kx) % kx;
  if (pad_x || pad_y)
    v = torch::nn::functional::pad(v,
                                   torch::nn::functional::PadFuncOptions({0, pad_x, 0, pad_y}).mode(torch::kReplicate));
  return torch::avg_pool2d(v, {ky, kx}).view({v.size(2) / ky, v.size(3) / kx});
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
  torch::TensorOptions byte_options() const { return torch::TensorOptions().device(device).dtype(torch::kUInt8); }

  void check_frames(const FrameHandle& a, const FrameHandle& b) const {
    if (!a || !b) throw Error("interpolate: null frame");
    if (geometry.width == 0) throw Error("interpolate: configure() was not called");
    if (a->generation != generation || b->generation != generation)
      throw Error("interpolate: frame prepared under an earlier geometry; prepare it again after configure()");
  }

  template <class Planes>
  void check_planes(const char* what, const Planes& planes) const {
    if (geometry.width == 0) throw Error(std::string(what) + ": configure() was not called");
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
  torch::Tensor upload_rgb(const InputPlanes& in) {
    const int64_t h = geometry.height, w = geometry.width;
    const std::vector<torch::Tensor> planes = transfer.upload(in);
    torch::Tensor comp[3];
    for (int c = 0; c < 3; ++c) {
      const auto& cl = layout.component[c];
      comp[c] = component_view(planes[cl.plane], cl, layout.component_rows(c, h), layout.component_cols(c, w))
                    .to(torch::kFloat32);
    }
    if (!layout.yuv) return torch::stack({comp[0], comp[1], comp[2]}).div_(255.0);
    auto y = (comp[0] - colour.y_offset) / colour.y_scale;
    auto u = upsample((comp[1] - 128.0) / colour.c_scale, layout.component[1], h, w);
    auto v = upsample((comp[2] - 128.0) / colour.c_scale, layout.component[2], h, w);
    auto r = y + (2 - 2 * colour.kr) * v;
    auto b = y + (2 - 2 * colour.kb) * u;
    auto g = (y - colour.kr * r - colour.kb * b) / (1 - colour.kr - colour.kb);
    return torch::stack({r, g, b});
  }

  // [3, H, W] RGB in [0, 1] on the device -> the planes of the configured format, on the device.
  std::vector<torch::Tensor> device_planes(const torch::Tensor& rgb) const {
    const int64_t h = geometry.height, w = geometry.width;
    torch::Tensor comp[3];
    if (!layout.yuv) {
      for (int c = 0; c < 3; ++c) comp[c] = quantise(rgb[c] * 255.0);
    } else {
      const double kr = colour.kr, kb = colour.kb, kg = 1 - kr - kb;
      auto y = kr * rgb[0] + kg * rgb[1] + kb * rgb[2];
      auto u = (rgb[2] - y) / (2 - 2 * kb);
      auto v = (rgb[0] - y) / (2 - 2 * kr);
      comp[0] = quantise(y * colour.y_scale + colour.y_offset);
      comp[1] = quantise(downsample(u, layout.component[1]) * colour.c_scale + 128.0);
      comp[2] = quantise(downsample(v, layout.component[2]) * colour.c_scale + 128.0);
    }
    std::vector<torch::Tensor> result;
    for (int p = 0; p < layout.planes; ++p) {
      const int64_t rows = layout.plane_rows(p, h), bytes = layout.plane_row_bytes(p, w);
      auto plane = torch::full({rows, bytes}, p == 0 && layout.fill_offset >= 0 ? 255 : 0, byte_options());
      for (int c = 0; c < 3; ++c) {
        const auto& cl = layout.component[c];
        if (cl.plane == p) component_view(plane, cl, comp[c].size(0), comp[c].size(1)).copy_(comp[c]);
      }
      result.push_back(plane);
    }
    return result;
  }

  // A prepared frame without its padding: [3, H, W] FP32 RGB in [0, 1].
  torch::Tensor unpadded_rgb(const PreparedFrame& frame) const {
    return frame.image[0].narrow(1, 0, geometry.height).narrow(2, 0, geometry.width).to(torch::kFloat32);
  }

  std::vector<PlaneShape> plane_shapes() const {
    std::vector<PlaneShape> shapes;
    for (int p = 0; p < layout.planes; ++p)
      shapes.push_back({layout.plane_rows(p, geometry.height), layout.plane_row_bytes(p, geometry.width)});
    return shapes;
  }

  // The network on a pair for N timesteps [N, 1, 1, 1]: img0/img1/features are single frames,
  // shared by the batch.
  torch::Tensor forward(const torch::Tensor& img0, const torch::Tensor& img1, const torch::Tensor& feat0,
                        const torch::Tensor& feat1, const torch::Tensor& timesteps) const {
    const int64_t n = timesteps.size(0);
    auto batch = [n](const torch::Tensor& x) { return x.defined() ? x.expand({n, -1, -1, -1}) : x; };
    return net.forward(batch(img0), batch(img1), batch(feat0), batch(feat1),
                       timesteps.expand({n, 1, padded_h, padded_w}), warp_grid, scale);
  }

  const EngineOptions options;
  const torch::Device device;
  const Precision precision;
  const torch::ScalarType dtype;
  const bool channels_last;
  const IFNet net;
  const size_t ignored_tensors;  // training-only tensors of the file, not loaded
  DeviceStream stream;
  PlaneTransfer transfer;
  ForwardGraphs graphs;

  FrameGeometry geometry;
  FrameLayout layout{};
  Colour colour;
  uint64_t generation = 0;
  double scale = 1.0;
  int64_t padded_h = 0, padded_w = 0;
  torch::Tensor warp_grid;  // [1, Hp, Wp, 2]
};

Engine::Engine(const EngineOptions& options) {
  if (!(options.scale == 0.0 || options.scale == 1.0 || options.scale == 0.5 || options.scale == 0.25))
    throw Error("scale " + std::to_string(options.scale) + " is not supported: use 1.0, 0.5, 0.25 or 0 (auto)");
  if (options.model_version != "auto") spec_for_version(options.model_version);  // rejects unknown names early
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
    const FrameLayout layout = frame_layout(g.format);
    const double scale = s.options.scale > 0 ? s.options.scale : auto_scale(g.width, g.height);
    const int64_t m = s.net.spec().padding_multiple(scale);
    const int64_t ph = (g.height + m - 1) / m * m, pw = (g.width + m - 1) / m * m;
    // An FP32 grid when the warp runs in FP32 (positions near 4K columns need more than FP16's 11 bits).
    auto grid = IFNet::make_warp_grid(
        ph, pw, s.options.fp32_warp ? s.tensor_options().dtype(torch::kFloat32) : s.tensor_options());
    s.scale = scale;
    s.layout = layout;
    s.colour = colour_of(g);
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
  if (impl_->geometry.width != 0 && impl_->layout.planes != 1)
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
    torch::Tensor features = s.options.cache_features ? s.net.encode(image) : torch::Tensor();
    return std::make_shared<const PreparedFrame>(image, features, thumbnail, s.generation);
  });
}

void Engine::interpolate(const FrameHandle& a, const FrameHandle& b, const std::vector<float>& ts,
                         const std::vector<OutputPlanes>& outs) {
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
    auto timesteps = torch::tensor(ts, torch::kFloat32).to(s.device, s.dtype).view({n, 1, 1, 1});
    const bool encode_now = s.net.spec().has_encoder && !s.options.cache_features;
    auto f0 = encode_now ? s.net.encode(a->image) : a->features;
    auto f1 = encode_now ? s.net.encode(b->image) : b->features;
    auto forward = [&s](const torch::Tensor& i0, const torch::Tensor& i1, const torch::Tensor& e0,
                        const torch::Tensor& e1, const torch::Tensor& t) { return s.forward(i0, i1, e0, e1, t); };
    auto result = s.graphs.run(forward, a->image, b->image, f0, f1, timesteps, s.stream);
    auto rgb = result.narrow(2, 0, g.height).narrow(3, 0, g.width).to(torch::kFloat32);
    std::vector<std::vector<torch::Tensor>> planes;
    for (int64_t i = 0; i < n; ++i) planes.push_back(s.device_planes(rgb[i]));
    s.transfer.download(planes, outs, s.stream);
  });
}

void Engine::interpolate(const FrameHandle& a, const FrameHandle& b, float t, uint8_t* out, size_t stride) {
  if (impl_->geometry.width != 0 && impl_->layout.planes != 1)
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
    s.transfer.download({s.device_planes(s.unpadded_rgb(*frame))}, {out}, s.stream);
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

double auto_scale(int width, int height) { return int64_t(width) * height > 2560 * 1440 ? 0.5 : 1.0; }

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

Precision parse_precision(const std::string& name) {
  if (name == "auto") return Precision::Auto;
  if (name == "fp32") return Precision::FP32;
  if (name == "fp16") return Precision::FP16;
  if (name == "bf16") return Precision::BF16;
  throw Error("invalid precision '" + name + "': expected auto, fp32, fp16 or bf16");
}

}  // namespace rife
