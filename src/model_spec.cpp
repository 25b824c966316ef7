#include "model_spec.h"

#include <cmath>
#include <map>
#include <sstream>

#include "rife_engine.h"

namespace rife {

std::vector<TensorSpec> ModelSpec::tensors() const {
  std::vector<TensorSpec> out;
  for (const auto& b : blocks) {
    const int64_t c = b.width;
    out.push_back({b.name + ".conv0.0.0.weight", {c / 2, b.in_channels, 3, 3}});
    out.push_back({b.name + ".conv0.0.0.bias", {c / 2}});
    out.push_back({b.name + ".conv0.1.0.weight", {c, c / 2, 3, 3}});
    out.push_back({b.name + ".conv0.1.0.bias", {c}});
    for (int i = 0; i < resconvs_per_block; ++i) {
      const std::string p = b.name + ".convblock." + std::to_string(i);
      out.push_back({p + ".beta", {1, c, 1, 1}});
      out.push_back({p + ".conv.weight", {c, c, 3, 3}});
      out.push_back({p + ".conv.bias", {c}});
    }
    out.push_back({b.name + ".lastconv.0.weight", {c, lastconv_channels, 4, 4}});
    out.push_back({b.name + ".lastconv.0.bias", {lastconv_channels}});
  }
  if (has_encoder) {  // registered after the blocks, so listed after them
    out.push_back({"encode.cnn0.weight", {16, 3, 3, 3}});
    out.push_back({"encode.cnn0.bias", {16}});
    out.push_back({"encode.cnn1.weight", {16, 16, 3, 3}});
    out.push_back({"encode.cnn1.bias", {16}});
    out.push_back({"encode.cnn2.weight", {16, 16, 3, 3}});
    out.push_back({"encode.cnn2.bias", {16}});
    out.push_back({"encode.cnn3.weight", {16, 4, 4, 4}});  // ConvTranspose2d(16, 4, 4, 2, 1)
    out.push_back({"encode.cnn3.bias", {4}});
  }
  return out;
}

int64_t ModelSpec::padding_multiple(double scale) const { return int64_t(std::lround(4.0 * scales.front() / scale)); }

const ModelSpec& rife46_spec() {
  static const ModelSpec spec{
      "4.6", {{"block0", 7, 192}, {"block1", 12, 128}, {"block2", 12, 96}, {"block3", 12, 64}}, 8, 24, {8, 4, 2, 1},
      false};
  return spec;
}

// block0 sees img0, img1, f0, f1, t (3+3+4+4+1); later blocks the warped images and features,
// t, mask and the previous block's 8 feature channels (3+3+4+4+1+1+8) plus the flow (4).
const ModelSpec& rife425_spec() {
  static const ModelSpec spec{
      "4.25/4.26",
      {{"block0", 15, 192}, {"block1", 28, 128}, {"block2", 28, 96}, {"block3", 28, 64}, {"block4", 28, 32}},
      8,
      52,
      {16, 8, 4, 2, 1},
      true};
  return spec;
}

const ModelSpec& rife425_lite_spec() {
  static const ModelSpec spec{
      "4.25-lite",
      {{"block0", 15, 192}, {"block1", 28, 128}, {"block2", 28, 96}, {"block3", 28, 64}, {"block4", 28, 24}},
      8,
      52,
      {32, 16, 8, 4, 1},
      true};
  return spec;
}

const ModelSpec& spec_for(ModelVersion version) {
  switch (version) {
    case ModelVersion::V4_6:
      return rife46_spec();
    case ModelVersion::V4_25:
    case ModelVersion::V4_26:
      return rife425_spec();
    case ModelVersion::V4_25_Lite:
      return rife425_lite_spec();
    case ModelVersion::Auto:
      break;
  }
  throw Error("spec_for: no single architecture for model-version auto");
}

const ModelSpec& detect_spec(const std::vector<std::pair<std::string, std::vector<int64_t>>>& keys,
                             const std::string& path) {
  std::map<std::string, std::vector<int64_t>> shapes(keys.begin(), keys.end());
  const bool has_encode = shapes.count("encode.cnn0.weight") > 0;
  const auto block4 = shapes.find("block4.conv0.0.0.weight");
  if (has_encode && block4 != shapes.end() && !block4->second.empty()) {
    if (block4->second[0] == 12) return rife425_lite_spec();  // c = 24
    return rife425_spec();                                    // c = 32 (a wrong shape is named by validation)
  }
  if (!has_encode && block4 == shapes.end() && shapes.count("block3.conv0.0.0.weight")) return rife46_spec();
  throw Error(path + ": not a RIFE 4.6, 4.25/4.26 or 4.25-lite state dict (" +
              (has_encode               ? "has encode.* but no block4"
               : block4 != shapes.end() ? "has block4 but no encode.*"
                                        : "no block3/block4 keys") +
              ")");
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

}  // namespace rife
