#include "ifnet.h"

#include <map>

namespace F = torch::nn::functional;

namespace rife {
namespace {

torch::Tensor resize(const torch::Tensor& x, double factor) {
  if (factor == 1.0) return x;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .scale_factor(std::vector<double>{factor, factor})
                               .mode(torch::kBilinear)
                               .align_corners(false)
                               .recompute_scale_factor(false));
}

torch::Tensor leaky(const torch::Tensor& x) { return F::leaky_relu(x, F::LeakyReLUFuncOptions().negative_slope(0.2)); }

// Backward warp: sample `img` at each pixel displaced by `flow` (pixels), as the reference does
// with grid_sample(bilinear, border, align_corners=True).
// With `fp32`, the sampling positions and the bilinear weights are computed in FP32 whatever the
// network's dtype: in FP16 a position near x = 3839 has a step of 2 pixels, a known source of
// artefacts at 4K. `grid` is then FP32.
torch::Tensor warp(const torch::Tensor& img, const torch::Tensor& flow, const torch::Tensor& grid, bool fp32) {
  const int64_t h = img.size(2), w = img.size(3);
  const auto dtype = img.scalar_type();
  const bool widen = fp32 && dtype != torch::kFloat32;
  const auto f = widen ? flow.to(torch::kFloat32) : flow;
  auto fx = f.select(1, 0) * (2.0 / double(w - 1));
  auto fy = f.select(1, 1) * (2.0 / double(h - 1));
  auto g = grid + torch::stack({fx, fy}, 3);
  auto out = F::grid_sample(
      widen ? img.to(torch::kFloat32) : img, g,
      F::GridSampleFuncOptions().mode(torch::kBilinear).padding_mode(torch::kBorder).align_corners(true));
  return widen ? out.to(dtype) : out;
}

}  // namespace

IFNet::IFNet(const ModelSpec& spec, const StateDict& weights, torch::Device device, torch::ScalarType dtype,
             Options options)
    : spec_(spec), options_(options) {
  std::map<std::string, torch::Tensor> w;
  for (const auto& [k, t] : weights) {
    auto v = t.to(device, dtype);
    w[k] = options.channels_last && v.dim() == 4 ? v.contiguous(torch::MemoryFormat::ChannelsLast) : v.contiguous();
  }
  for (const auto& bs : spec.blocks) {
    const std::string& n = bs.name;
    Block b;
    b.conv0_w = w.at(n + ".conv0.0.0.weight");
    b.conv0_b = w.at(n + ".conv0.0.0.bias");
    b.conv1_w = w.at(n + ".conv0.1.0.weight");
    b.conv1_b = w.at(n + ".conv0.1.0.bias");
    for (int i = 0; i < spec.resconvs_per_block; ++i) {
      const std::string p = n + ".convblock." + std::to_string(i);
      b.res_w.push_back(w.at(p + ".conv.weight"));
      b.res_b.push_back(w.at(p + ".conv.bias"));
      b.res_beta.push_back(w.at(p + ".beta"));
    }
    b.last_w = w.at(n + ".lastconv.0.weight");
    b.last_b = w.at(n + ".lastconv.0.bias");
    blocks_.push_back(std::move(b));
  }
  if (spec.has_encoder)
    for (int i = 0; i < 4; ++i) {
      encoder_.push_back(w.at("encode.cnn" + std::to_string(i) + ".weight"));
      encoder_.push_back(w.at("encode.cnn" + std::to_string(i) + ".bias"));
    }
}

torch::Tensor IFNet::make_warp_grid(int64_t height, int64_t width, const torch::TensorOptions& options) {
  auto xs = torch::linspace(-1.0, 1.0, width, options).view({1, 1, width}).expand({1, height, width});
  auto ys = torch::linspace(-1.0, 1.0, height, options).view({1, height, 1}).expand({1, height, width});
  return torch::stack({xs, ys}, 3).contiguous();
}

torch::Tensor IFNet::encode(const torch::Tensor& img) const {
  if (!spec_.has_encoder) return torch::Tensor();
  auto x = leaky(F::conv2d(img, encoder_[0], F::Conv2dFuncOptions().bias(encoder_[1]).stride(2).padding(1)));
  x = leaky(F::conv2d(x, encoder_[2], F::Conv2dFuncOptions().bias(encoder_[3]).padding(1)));
  x = leaky(F::conv2d(x, encoder_[4], F::Conv2dFuncOptions().bias(encoder_[5]).padding(1)));
  return F::conv_transpose2d(x, encoder_[6], F::ConvTranspose2dFuncOptions().bias(encoder_[7]).stride(2).padding(1));
}

IFNet::BlockOut IFNet::run_block(const Block& b, torch::Tensor x, const torch::Tensor& flow, double scale) const {
  x = resize(x, 1.0 / scale);
  if (flow.defined()) x = torch::cat({x, resize(flow, 1.0 / scale) * (1.0 / scale)}, 1);
  auto feat = leaky(F::conv2d(x, b.conv0_w, F::Conv2dFuncOptions().bias(b.conv0_b).stride(2).padding(1)));
  feat = leaky(F::conv2d(feat, b.conv1_w, F::Conv2dFuncOptions().bias(b.conv1_b).stride(2).padding(1)));
  for (size_t i = 0; i < b.res_w.size(); ++i)
    feat =
        leaky(F::conv2d(feat, b.res_w[i], F::Conv2dFuncOptions().bias(b.res_b[i]).padding(1)) * b.res_beta[i] + feat);
  auto tmp = F::conv_transpose2d(feat, b.last_w, F::ConvTranspose2dFuncOptions().bias(b.last_b).stride(2).padding(1));
  tmp = resize(F::pixel_shuffle(tmp, 2), scale);
  return {tmp.narrow(1, 0, 4) * scale, tmp.narrow(1, 4, 1), tmp.narrow(1, 5, tmp.size(1) - 5)};
}

torch::Tensor IFNet::forward(const torch::Tensor& img0, const torch::Tensor& img1, const torch::Tensor& feat0,
                             const torch::Tensor& feat1, const torch::Tensor& timestep, const torch::Tensor& warp_grid,
                             double scale) const {
  const bool features = spec_.has_encoder;
  torch::Tensor flow, mask, block_features, warped0 = img0, warped1 = img1;
  for (size_t i = 0; i < blocks_.size(); ++i) {
    const double s = spec_.scales[i] / scale;
    if (!flow.defined()) {
      auto in = features ? torch::cat({img0, img1, feat0, feat1, timestep}, 1) : torch::cat({img0, img1, timestep}, 1);
      auto out = run_block(blocks_[i], in, torch::Tensor(), s);
      flow = out.flow;
      mask = out.mask;
      block_features = out.features;
    } else if (features) {
      // 4.25+: the warped per-frame features and the previous block's features join the input; the
      // block's mask replaces the previous one.
      auto wf0 = warp(feat0, flow.narrow(1, 0, 2), warp_grid, options_.fp32_warp);
      auto wf1 = warp(feat1, flow.narrow(1, 2, 2), warp_grid, options_.fp32_warp);
      auto out =
          run_block(blocks_[i], torch::cat({warped0, warped1, wf0, wf1, timestep, mask, block_features}, 1), flow, s);
      flow = flow + out.flow;
      mask = out.mask;
      block_features = out.features;
    } else {
      // 4.6: flow and mask are refined by addition.
      auto out = run_block(blocks_[i], torch::cat({warped0, warped1, timestep, mask}, 1), flow, s);
      flow = flow + out.flow;
      mask = mask + out.mask;
    }
    warped0 = warp(img0, flow.narrow(1, 0, 2), warp_grid, options_.fp32_warp);
    warped1 = warp(img1, flow.narrow(1, 2, 2), warp_grid, options_.fp32_warp);
  }
  mask = torch::sigmoid(mask);
  return warped0 * mask + warped1 * (1 - mask);
}

}  // namespace rife
