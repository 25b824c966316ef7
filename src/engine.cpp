// Engine: weights -> IFNet on a device; bytes -> prepared frames -> interpolated bytes.
#include <torch/torch.h>

#include <cmath>

#include "device.h"
#include "frame_layout.h"
#include "ifnet.h"
#include "rife_engine.h"
#include "state_dict.h"

namespace rife {

class PreparedFrame {
 public:
  PreparedFrame(torch::Tensor image, torch::Tensor features, uint64_t generation)
      : image(std::move(image)), features(std::move(features)), generation(generation) {}
  const torch::Tensor image;     // [1, 3, padded H, padded W] in [0, 1], model dtype, on the device
  const torch::Tensor features;  // 4.25+: encode(image) [1, 4, padded H, padded W]; undefined otherwise
  const uint64_t generation;     // Engine::configure() call it was prepared under
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
        net(*model.spec, model.weights, device, dtype),
        stream(device) {}

  torch::TensorOptions tensor_options() const { return torch::TensorOptions().device(device).dtype(dtype); }

  void check_frames(const FrameHandle& a, const FrameHandle& b) const {
    if (!a || !b) throw Error("interpolate: null frame");
    if (geometry.width == 0) throw Error("interpolate: configure() was not called");
    if (a->generation != generation || b->generation != generation)
      throw Error("interpolate: frame prepared under an earlier geometry; prepare it again after configure()");
  }

  const EngineOptions options;
  const torch::Device device;
  const Precision precision;
  const torch::ScalarType dtype;
  const IFNet net;
  DeviceStream stream;

  FrameGeometry geometry;
  ChannelOffsets offsets{};
  uint64_t generation = 0;
  double scale = 1.0;
  int64_t padded_h = 0, padded_w = 0;
  torch::Tensor warp_grid;  // [1, Hp, Wp, 2]
  torch::Tensor timestep;   // [1, 1, Hp, Wp]
  torch::Tensor rgb_index;  // channel indices of R, G, B in the packed pixel
};

Engine::Engine(const EngineOptions& options) {
  if (!(options.scale == 0.0 || options.scale == 1.0 || options.scale == 0.5 || options.scale == 0.25))
    throw Error("scale " + std::to_string(options.scale) + " is not supported: use 1.0, 0.5, 0.25 or 0 (auto)");
  if (options.model_version != "auto") spec_for_version(options.model_version);  // rejects unknown names early
  const torch::Device device = resolve_device(options.device);
  resolve_precision(options.precision, device);  // option errors before the file's
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
    const double scale = s.options.scale > 0 ? s.options.scale : auto_scale(g.width, g.height);
    const int64_t m = s.net.spec().padding_multiple(scale);
    const ChannelOffsets offsets = channel_offsets(g.format);
    const int64_t ph = (g.height + m - 1) / m * m, pw = (g.width + m - 1) / m * m;
    auto grid = IFNet::make_warp_grid(ph, pw, s.tensor_options());
    auto timestep = torch::empty({1, 1, ph, pw}, s.tensor_options());
    auto rgb_index = torch::tensor({int64_t(offsets.r), int64_t(offsets.g), int64_t(offsets.b)},
                                   torch::TensorOptions().dtype(torch::kInt64).device(s.device));
    s.scale = scale;
    s.offsets = offsets;
    s.padded_h = ph;
    s.padded_w = pw;
    s.warp_grid = grid;
    s.timestep = timestep;
    s.rgb_index = rgb_index;
    s.geometry = g;
    ++s.generation;
  });
}

const FrameGeometry& Engine::geometry() const { return impl_->geometry; }

FrameHandle Engine::prepare(const uint8_t* data, size_t stride) {
  auto& s = *impl_;
  const auto& g = s.geometry;
  if (g.width == 0) throw Error("prepare: configure() was not called");
  const int64_t bpp = s.offsets.bytes_per_pixel;
  if (!data || stride < size_t(g.width * bpp))
    throw Error("prepare: stride " + std::to_string(stride) + " is smaller than a row of " +
                std::to_string(g.width * bpp) + " bytes");
  return guarded("cannot prepare a frame on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    auto host = torch::from_blob(const_cast<uint8_t*>(data), {g.height, g.width, bpp}, {int64_t(stride), bpp, 1},
                                 torch::kUInt8);
    auto pixels = host.to(s.device);  // one upload of the raw bytes; all conversion happens on the device
    auto rgb = pixels.index_select(2, s.rgb_index).permute({2, 0, 1}).unsqueeze(0).to(s.dtype).div_(255.0);
    auto image = torch::zeros({1, 3, s.padded_h, s.padded_w}, s.tensor_options());
    image.narrow(2, 0, g.height).narrow(3, 0, g.width).copy_(rgb);
    // The features of a frame depend on it alone: computed here once, reused by both pairs it is in.
    torch::Tensor features = s.options.cache_features ? s.net.encode(image) : torch::Tensor();
    return std::make_shared<const PreparedFrame>(image, features, s.generation);
  });
}

void Engine::interpolate(const FrameHandle& a, const FrameHandle& b, float t, uint8_t* out, size_t stride) {
  auto& s = *impl_;
  s.check_frames(a, b);
  if (!(t >= 0.0f && t <= 1.0f)) throw Error("interpolate: timestep " + std::to_string(t) + " outside [0, 1]");
  const auto& g = s.geometry;
  const int64_t bpp = s.offsets.bytes_per_pixel;
  if (!out || stride < size_t(g.width * bpp)) throw Error("interpolate: output stride too small");
  guarded("cannot interpolate on " + s.device.str(), [&] {
    torch::NoGradGuard no_grad;
    DeviceStream::Scope on_stream(s.stream);
    s.timestep.fill_(t);
    const bool encode_now = s.net.spec().has_encoder && !s.options.cache_features;
    auto result = s.net.forward(a->image, b->image, encode_now ? s.net.encode(a->image) : a->features,
                                encode_now ? s.net.encode(b->image) : b->features, s.timestep, s.warp_grid, s.scale);
    auto rgb = result[0]
                   .narrow(1, 0, g.height)
                   .narrow(2, 0, g.width)
                   .to(torch::kFloat32)
                   .mul(255.0)
                   .round_()
                   .clamp_(0, 255)
                   .to(torch::kUInt8)
                   .permute({1, 2, 0});
    auto packed =
        torch::full({g.height, g.width, bpp}, 255, torch::TensorOptions().dtype(torch::kUInt8).device(s.device));
    packed.index_copy_(2, s.rgb_index, rgb);
    auto dst = torch::from_blob(out, {g.height, g.width, bpp}, {int64_t(stride), bpp, 1}, torch::kUInt8);
    dst.copy_(packed);  // device -> host; returns once the bytes are in `out`
  });
}

std::string Engine::model_version() const { return impl_->net.spec().name; }
std::string Engine::device_name() const { return impl_->device.str(); }
Precision Engine::precision() const { return impl_->precision; }
double Engine::scale() const { return impl_->scale; }
int Engine::padded_width() const { return int(impl_->padded_w); }
int Engine::padded_height() const { return int(impl_->padded_h); }

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
