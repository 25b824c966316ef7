// The architecture a state dict must match: every key with its shape, in the official order.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace rife {

struct TensorSpec {
  std::string key;
  std::vector<int64_t> shape;
};

struct IFBlockSpec {
  std::string name;  // "block0"...
  int64_t in_channels;
  int64_t width;     // c
};

struct ModelSpec {
  std::string name;  // "4.6"
  std::vector<IFBlockSpec> blocks;
  int resconvs_per_block;
  int64_t lastconv_channels;  // before PixelShuffle(2)
  std::vector<TensorSpec> tensors() const;
};

const ModelSpec& rife46_spec();

std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace rife
