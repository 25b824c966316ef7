#!/usr/bin/env python3
"""Convert the ncnn export of RIFE 4.6 (flownet.param + flownet.bin) into an official state dict.

The ncnn formats are parsed here directly (no ncnn library):
  * .param: text; magic 7767517, "layers blobs", then one layer a line:
    `Type name n_in n_out in... out... key=value...` (keys <= -23300 hold arrays).
  * .bin: for each weighted layer, in .param order: its weight blob, stored with a 4-byte tag
    (0x01306B47 = fp16, 0 = raw fp32), then its bias as raw fp32 without a tag.

The export folds each ResConv `beta` into the conv it scales, so the result has beta = 1 and the
scaled weights: the same function in the official key layout (see rife46_layout.py). ncnn stores a
Deconvolution weight as [out, in, kh, kw]; PyTorch's ConvTranspose2d wants [in, out, kh, kw].

Every size is checked against both the .param and the architecture; anything else is refused with
a message that names the file, the layer and what was expected.
"""

import argparse
import collections
import os
import struct
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rife46_layout  # noqa: E402

NCNN_MAGIC = 7767517
TAG_FP16 = 0x01306B47
TAG_FP32 = 0x00000000
TAG_INT8 = 0x000D4B38

# Layer types of the RIFE 4.6 export that carry no weights.
WEIGHTLESS = {"Input", "Split", "Concat", "Interp", "BinaryOp", "ReLU", "PixelShuffle", "Crop",
              "rife.Warp", "Sigmoid", "Eltwise"}
WEIGHTED = {"Convolution", "Deconvolution"}


class ConversionError(Exception):
    pass


def _parse_value(text):
    try:
        return int(text)
    except ValueError:
        return float(text)


def parse_param(path):
    """Return the list of layers as dicts: type, name, params {int: value or list}."""
    try:
        with open(path, "r", encoding="ascii") as f:
            lines = [line.split() for line in f if line.strip()]
    except (OSError, UnicodeDecodeError) as e:
        raise ConversionError(f"{path}: cannot read ncnn param file: {e}")
    if not lines or lines[0] != [str(NCNN_MAGIC)]:
        raise ConversionError(f"{path}: not an ncnn param file (first line must be {NCNN_MAGIC})")
    if len(lines) < 2 or len(lines[1]) != 2:
        raise ConversionError(f"{path}: second line must be '<layer count> <blob count>'")
    layer_count = int(lines[1][0])
    body = lines[2:]
    if len(body) != layer_count:
        raise ConversionError(f"{path}: header declares {layer_count} layers, file has {len(body)}")
    layers = []
    for lineno, fields in enumerate(body, start=3):
        if len(fields) < 4:
            raise ConversionError(f"{path}:{lineno}: truncated layer line")
        ltype, name = fields[0], fields[1]
        n_in, n_out = int(fields[2]), int(fields[3])
        kv = fields[4 + n_in + n_out:]
        params = {}
        for item in kv:
            key, _, value = item.partition("=")
            key = int(key)
            if key <= -23300:
                values = value.split(",")
                params[-key - 23300] = [_parse_value(v) for v in values[1:]]
            else:
                params[key] = _parse_value(value)
        layers.append({"type": ltype, "name": name, "params": params, "line": lineno})
    return layers


class BinReader:
    def __init__(self, path):
        self.path = path
        try:
            with open(path, "rb") as f:
                self.data = f.read()
        except OSError as e:
            raise ConversionError(f"{path}: cannot read ncnn bin file: {e}")
        self.pos = 0

    def _take(self, n, what):
        if self.pos + n > len(self.data):
            raise ConversionError(
                f"{self.path}: truncated: {what} needs {n} bytes at offset {self.pos}, "
                f"file has {len(self.data)}")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def tagged(self, count, what):
        (tag,) = struct.unpack("<I", self._take(4, what + " tag"))
        if tag == TAG_FP16:
            raw = self._take((count * 2 + 3) // 4 * 4, what)
            return np.frombuffer(raw[:count * 2], dtype="<f2").astype(np.float32)
        if tag == TAG_FP32:
            return np.frombuffer(self._take(count * 4, what), dtype="<f4").astype(np.float32)
        if tag == TAG_INT8:
            raise ConversionError(f"{self.path}: {what} is int8-quantised; only fp16/fp32 exports are supported")
        raise ConversionError(f"{self.path}: {what} has unknown storage tag 0x{tag:08X} at offset {self.pos - 4}")

    def raw_f32(self, count, what):
        return np.frombuffer(self._take(count * 4, what), dtype="<f4").astype(np.float32)

    def finish(self):
        if self.pos != len(self.data):
            raise ConversionError(
                f"{self.path}: {len(self.data) - self.pos} unexpected trailing bytes after the last layer "
                f"(read {self.pos} of {len(self.data)})")


def _check(cond, layer, param_path, message):
    if not cond:
        raise ConversionError(f"{param_path}:{layer['line']}: layer {layer['name']}: {message}")


def convert(param_path, bin_path):
    """Return an OrderedDict of numpy float32 arrays in the official RIFE 4.6 key layout."""
    layers = parse_param(param_path)
    for layer in layers:
        if layer["type"] not in WEIGHTLESS | WEIGHTED:
            raise ConversionError(f"{param_path}:{layer['line']}: unexpected layer type {layer['type']} "
                                  f"({layer['name']}); this is not the RIFE 4.6 export")
    weighted = [l for l in layers if l["type"] in WEIGHTED]
    expected = rife46_layout.layers()
    if len(weighted) != len(expected):
        raise ConversionError(f"{param_path}: {len(weighted)} Convolution/Deconvolution layers, "
                              f"RIFE 4.6 has {len(expected)}")
    reader = BinReader(bin_path)
    shapes = rife46_layout.state_dict_shapes()
    out = collections.OrderedDict()
    tensors = {}
    for layer, (prefix, kind, wshape) in zip(weighted, expected):
        p = layer["params"]
        want_type = "Deconvolution" if kind == "deconv" else "Convolution"
        _check(layer["type"] == want_type, layer, param_path, f"is {layer['type']}, expected {want_type} for {prefix}")
        if kind == "deconv":
            cin, cout, kh, kw = wshape
        else:
            cout, cin, kh, kw = wshape
        stride = 2 if prefix.endswith("conv0.0.0") or prefix.endswith("conv0.1.0") or kind == "deconv" else 1
        _check(p.get(0) == cout, layer, param_path, f"num_output {p.get(0)}, expected {cout} for {prefix}")
        _check(p.get(1) == kw and p.get(11, p.get(1)) == kh, layer, param_path,
               f"kernel {p.get(1)}x{p.get(11, p.get(1))}, expected {kw}x{kh}")
        _check(p.get(3, 1) == stride, layer, param_path, f"stride {p.get(3, 1)}, expected {stride}")
        _check(p.get(4, 0) == 1, layer, param_path, f"padding {p.get(4, 0)}, expected 1")
        _check(p.get(2, 1) == 1, layer, param_path, f"dilation {p.get(2, 1)}, expected 1")
        _check(p.get(5) == 1, layer, param_path, "has no bias; RIFE 4.6 convolutions all have one")
        count = cout * cin * kh * kw
        _check(p.get(6) == count, layer, param_path,
               f"weight_data_size {p.get(6)}, expected {count} = {cout}x{cin}x{kh}x{kw}")
        weight = reader.tagged(count, f"{layer['name']} weight").reshape(cout, cin, kh, kw)
        bias = reader.raw_f32(cout, f"{layer['name']} bias")
        if kind == "deconv":
            weight = weight.transpose(1, 0, 2, 3)  # ncnn [out, in, kh, kw] -> torch [in, out, kh, kw]
        tensors[f"{prefix}.weight"] = np.ascontiguousarray(weight)
        tensors[f"{prefix}.bias"] = np.ascontiguousarray(bias)
        if kind == "resconv":
            c = wshape[0]
            tensors[prefix[: -len(".conv")] + ".beta"] = np.ones((1, c, 1, 1), dtype=np.float32)
    reader.finish()
    for key, shape in shapes.items():
        value = tensors[key]
        if tuple(value.shape) != tuple(shape):
            raise ConversionError(f"internal: {key} has shape {value.shape}, expected {shape}")
        if not np.isfinite(value).all():
            raise ConversionError(f"{bin_path}: {key} contains NaN or Inf")
        out[key] = value
    return out


def save_state_dict(arrays, path):
    """Write a torch.save zip archive of an OrderedDict of fp32 tensors, atomically."""
    import torch

    state = collections.OrderedDict((k, torch.from_numpy(v.copy())) for k, v in arrays.items())
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    tmp = path + ".partial"
    torch.save(state, tmp)
    os.replace(tmp, path)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("param", help="flownet.param of the RIFE 4.6 ncnn export")
    ap.add_argument("bin", help="flownet.bin of the RIFE 4.6 ncnn export")
    ap.add_argument("output", help="state dict to write (torch.save zip archive)")
    args = ap.parse_args(argv)
    try:
        arrays = convert(args.param, args.bin)
    except ConversionError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    save_state_dict(arrays, args.output)
    print(f"wrote {args.output}: {len(arrays)} tensors, {sum(a.size for a in arrays.values())} parameters")
    return 0


if __name__ == "__main__":
    sys.exit(main())
