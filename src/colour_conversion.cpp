#include "colour_conversion.h"

namespace rife {
namespace {

// One byte of each sample of one component (byte 1: the high byte of 16-bit words) as a [rows, cols]
// view into its plane [plane rows, plane row bytes].
torch::Tensor component_view(const torch::Tensor& plane, const ComponentLayout& c, int64_t rows, int64_t cols,
                             int byte = 0) {
  const int64_t first = c.offset + byte;
  return plane.narrow(0, 0, rows).slice(1, first, first + (cols - 1) * c.pixel_stride + 1, c.pixel_stride);
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

torch::Tensor quantise(const torch::Tensor& x, int depth) {
  return x.round().clamp_(0, (1 << depth) - 1).to(torch::kInt32);
}

torch::Tensor quantise(const torch::Tensor& x) { return x.round().clamp_(0, 255).to(torch::kUInt8); }

ColourConversion::ColourConversion(const FrameGeometry& g) : geometry_(g), layout_(frame_layout(g.format)) {
  switch (g.matrix) {  // ITU-R BT.601/709/2020 and SMPTE 240M
    case YuvMatrix::BT601:
      kr_ = 0.299, kb_ = 0.114;
      break;
    case YuvMatrix::BT709:
      kr_ = 0.2126, kb_ = 0.0722;
      break;
    case YuvMatrix::BT2020:
      kr_ = 0.2627, kb_ = 0.0593;
      break;
    case YuvMatrix::SMPTE240M:
      kr_ = 0.212, kb_ = 0.087;
      break;
  }
  // The 8-bit code values scale by 2^(depth - 8) (ITU-R BT.2100 / BT.709 at 10 and 12 bits).
  const double step = double(1 << (layout_.sample.depth - 8));
  rgb_scale_ = layout_.sample.max_code();
  c_zero_ = 128 * step;
  if (g.full_range) {
    y_offset_ = 0, y_scale_ = c_scale_ = rgb_scale_;
  } else {
    y_offset_ = 16 * step, y_scale_ = 219 * step, c_scale_ = 224 * step;
  }
}

// The samples of component c as FP32 code values [rows, cols]: a byte, or a 16-bit little-endian word
// assembled from its two bytes in int32 (exact) with the sample's bits taken out of it.
torch::Tensor ColourConversion::read(const torch::Tensor& plane, int c) const {
  const auto& cl = layout_.component[c];
  const int64_t rows = layout_.component_rows(c, geometry_.height), cols = layout_.component_cols(c, geometry_.width);
  const SampleLayout& s = layout_.sample;
  if (s.bytes == 1) return component_view(plane, cl, rows, cols).to(torch::kFloat32);
  auto word = component_view(plane, cl, rows, cols, 0).to(torch::kInt32) +
              component_view(plane, cl, rows, cols, 1).to(torch::kInt32) * 256;
  // Bits outside the sample (P010's low 6, stray high bits of I420_10LE) are not part of it.
  return torch::bitwise_and(torch::bitwise_right_shift(word, s.shift), s.max_code()).to(torch::kFloat32);
}

// Writes int32 code values of component c into its samples: P010-style formats shifted up with the
// unused low bits 0, every 16-bit word split into its little-endian bytes.
void ColourConversion::write(const torch::Tensor& plane, int c, const torch::Tensor& codes) const {
  const auto& cl = layout_.component[c];
  const int64_t rows = codes.size(0), cols = codes.size(1);
  if (layout_.sample.bytes == 1) {
    component_view(plane, cl, rows, cols).copy_(codes);
    return;
  }
  const auto word = torch::bitwise_left_shift(codes, layout_.sample.shift);
  component_view(plane, cl, rows, cols, 0).copy_(torch::bitwise_and(word, 255));
  component_view(plane, cl, rows, cols, 1).copy_(torch::bitwise_right_shift(word, 8));
}

torch::Tensor ColourConversion::to_rgb(const std::vector<torch::Tensor>& planes) const {
  const int64_t h = geometry_.height, w = geometry_.width;
  torch::Tensor comp[3];
  for (int c = 0; c < 3; ++c) comp[c] = read(planes[layout_.component[c].plane], c);
  if (!layout_.yuv) return torch::stack({comp[0], comp[1], comp[2]}).div_(rgb_scale_);
  auto y = (comp[0] - y_offset_) / y_scale_;
  auto u = upsample((comp[1] - c_zero_) / c_scale_, layout_.component[1], h, w);
  auto v = upsample((comp[2] - c_zero_) / c_scale_, layout_.component[2], h, w);
  auto r = y + (2 - 2 * kr_) * v;
  auto b = y + (2 - 2 * kb_) * u;
  auto g = (y - kr_ * r - kb_ * b) / (1 - kr_ - kb_);
  return torch::stack({r, g, b});
}

std::vector<torch::Tensor> ColourConversion::to_planes(const torch::Tensor& rgb) const {
  const int64_t h = geometry_.height, w = geometry_.width;
  // 8 bits: straight to uint8, as before deeper formats existed; deeper: int32 codes, split by write().
  const int depth = layout_.sample.depth;
  auto codes = [depth](const torch::Tensor& x) { return depth == 8 ? quantise(x) : quantise(x, depth); };
  torch::Tensor comp[3];
  if (!layout_.yuv) {
    for (int c = 0; c < 3; ++c) comp[c] = codes(rgb[c] * rgb_scale_);
  } else {
    const double kg = 1 - kr_ - kb_;
    auto y = kr_ * rgb[0] + kg * rgb[1] + kb_ * rgb[2];
    auto u = (rgb[2] - y) / (2 - 2 * kb_);
    auto v = (rgb[0] - y) / (2 - 2 * kr_);
    comp[0] = codes(y * y_scale_ + y_offset_);
    comp[1] = codes(downsample(u, layout_.component[1]) * c_scale_ + c_zero_);
    comp[2] = codes(downsample(v, layout_.component[2]) * c_scale_ + c_zero_);
  }
  std::vector<torch::Tensor> result;
  for (int p = 0; p < layout_.planes; ++p) {
    const int64_t rows = layout_.plane_rows(p, h), bytes = layout_.plane_row_bytes(p, w);
    // The x/alpha sample of packed RGB stays all ones (255, or 65535 over both bytes of a word).
    auto plane = torch::full({rows, bytes}, p == 0 && layout_.fill_offset >= 0 ? 255 : 0,
                             torch::TensorOptions().device(rgb.device()).dtype(torch::kUInt8));
    for (int c = 0; c < 3; ++c)
      if (layout_.component[c].plane == p) write(plane, c, comp[c]);
    result.push_back(plane);
  }
  return result;
}

}  // namespace rife
