#include "model_spec.h"

#include <sstream>

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
  return out;
}

const ModelSpec& rife46_spec() {
  static const ModelSpec spec{
      "4.6",
      {{"block0", 7, 192}, {"block1", 12, 128}, {"block2", 12, 96}, {"block3", 12, 64}},
      8,
      24,
  };
  return spec;
}

std::string shape_to_string(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? ", " : "") << shape[i];
  s << ']';
  return s.str();
}

}  // namespace rife
