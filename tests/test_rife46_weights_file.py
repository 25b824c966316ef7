#!/usr/bin/env python3
"""A REAL RIFE 4.6 file converted by `models/get_weights.py --rife46`: Python's torch.load reads it,
with exactly the official keys and shapes and finite values. No registry these machines reach has
4.6 weights: without a user's file this exits 77 (meson: SKIP), never passes."""

import os
import sys

import torch

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
sys.path.insert(0, os.path.join(ROOT, "models"))
import rife46_layout  # noqa: E402

path = os.environ.get("RIFE46_MODEL_PATH") or os.path.join(ROOT, "models", "weights", "rife46.pth")
if not os.path.isfile(path):
    print(f"\n*** test_rife46_weights_file: NOT RUN: no real RIFE 4.6 weights ({path}); provide your own "
          "(README, 'Weights': models/get_weights.py --rife46) ***\n", file=sys.stderr)
    sys.exit(77)
sd = torch.load(path, map_location="cpu", weights_only=True)
sd = {k[len("module."):] if k.startswith("module.") else k: v for k, v in sd.items()}
assert [(k, tuple(v.shape)) for k, v in sd.items()] == list(rife46_layout.state_dict_shapes().items()), \
    "keys/shapes differ from the official RIFE 4.6 layout"
assert all(torch.isfinite(v).all() for v in sd.values()), "non-finite values"
print(f"{path}: {len(sd)} tensors, {sum(v.numel() for v in sd.values())} parameters, official layout")
