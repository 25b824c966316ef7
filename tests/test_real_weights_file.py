#!/usr/bin/env python3
"""The converted REAL RIFE 4.6 file: Python's torch.load reads it, with exactly the official keys and
shapes, beta = 1, finite values. Without the file this exits 77 (meson: SKIP), never passes."""

import os
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "models"))
import rife46_layout  # noqa: E402

path = os.environ.get("RIFE_MODEL_PATH") or os.path.join(ROOT, "models", "weights", "rife46.pth")
if not os.path.isfile(path):
    print(f"\n*** test_real_weights_file: NOT RUN: the real RIFE 4.6 weights are missing ({path}); "
          "see README, 'Weights' ***\n", file=sys.stderr)
    sys.exit(77)
sd = torch.load(path, map_location="cpu", weights_only=True)
sd = {k[len("module."):] if k.startswith("module.") else k: v for k, v in sd.items()}
assert [(k, tuple(v.shape)) for k, v in sd.items()] == list(rife46_layout.state_dict_shapes().items()), \
    "keys/shapes differ from the official RIFE 4.6 layout"
assert all(torch.isfinite(v).all() for v in sd.values()), "non-finite values"
print(f"{path}: {len(sd)} tensors, {sum(v.numel() for v in sd.values())} parameters, official layout")
