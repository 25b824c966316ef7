// The architectures a state dict can match: every key with its shape, in the official order, plus
// the facts the forward pass needs (scales, whether a per-frame feature encoder exists).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "rife_engine.h"

namespace rife {

struct TensorSpec {
  std::string key;
  std::vector<int64_t> shape;
};

struct IFBlockSpec {
  std::string name;  // "block0"...
  int64_t in_channels;
  int64_t width;  // c
};

struct ModelSpec {
  std::string name;  // "4.6", "4.25/4.26", "4.25-lite"
  std::vector<IFBlockSpec> blocks;
  int resconvs_per_block;
  int64_t lastconv_channels;   // before PixelShuffle(2): 4 x (flow 4, mask 1, features...)
  std::vector<double> scales;  // per block at flow scale 1.0, e.g. 8, 4, 2, 1
  bool has_encoder;            // 4.25+: `encode` head, 4 feature channels per frame
  std::vector<TensorSpec> tensors() const;
  // Frames are padded to a multiple of this: the first block downsamples by 4 x scales[0] / scale.
  int64_t padding_multiple(double scale) const;
};

const ModelSpec& rife46_spec();
const ModelSpec& rife425_spec();  // 4.25 and 4.26 share this layout
const ModelSpec& rife425_lite_spec();

// The spec of a forced version (not Auto).
const ModelSpec& spec_for(ModelVersion version);

// Which architecture a state dict's keys and shapes (after `module.` stripping) belong to.
// Throws rife::Error naming `path` when it matches none.
const ModelSpec& detect_spec(const std::vector<std::pair<std::string, std::vector<int64_t>>>& keys,
                             const std::string& path);

std::string shape_to_string(const std::vector<int64_t>& shape);

}  // namespace rife
