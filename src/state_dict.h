// Reading a weights file as users have it: a torch.save zip archive of a state dict.
#pragma once

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "model_spec.h"

namespace rife {

// Keys in file order, tensors on the CPU with the dtype they were saved in.
using StateDict = std::vector<std::pair<std::string, torch::Tensor>>;

// Reads a torch.save zip archive holding a dict or OrderedDict of tensors, whatever device the
// tensors were saved from (they always load on the CPU). Only the pickle opcodes and globals of
// such a file are understood; nothing in the file is executed. Throws rife::Error naming `path`.
StateDict read_state_dict(const std::string& path);

// Keys that official Practical-RIFE checkpoints carry for training only (the distillation teacher
// block `teacher.*`, the timestep head `caltime.*`): the authors load with strict=False, so these
// are not errors; they are not loaded.
bool is_training_only_key(const std::string& key);

// Strips a DataParallel `module.` prefix, checks every key and shape against `spec` and returns
// the tensors in spec order as contiguous fp32. Missing, extra or mis-shaped tensors, dtypes other
// than fp16/bf16/fp32/fp64, and NaN/Inf values are errors naming the key (and both shapes).
// Training-only keys are skipped and, when `ignored` is given, listed there.
StateDict validate_state_dict(const StateDict& raw, const ModelSpec& spec, const std::string& path,
                              std::vector<std::string>* ignored = nullptr);

// A validated state dict and the architecture it was found to be.
struct LoadedModel {
  const ModelSpec* spec;
  StateDict weights;                 // in spec order, contiguous fp32
  std::vector<std::string> ignored;  // training-only keys of the file, not loaded
};

// read_state_dict + detect_spec + validate_state_dict. A forced `version` that does not match the
// file is an error naming both.
LoadedModel load_model(const std::string& path, ModelVersion version);

}  // namespace rife
