"""The official RIFE 4.6 IFNet state-dict layout: every key, in order, with its shape.

Shared by the ncnn converter (what it must produce) and the test fixtures (what they imitate).
The C++ engine holds the same table in src/model_spec.cpp; tests check that both agree.
"""

# (block name, input channels, width c) of IFNet 4.6
BLOCKS = [("block0", 7, 192), ("block1", 12, 128), ("block2", 12, 96), ("block3", 12, 64)]
RESCONVS_PER_BLOCK = 8
LASTCONV_OUT = 24  # ConvTranspose2d(c, 4*6) then PixelShuffle(2) -> flow 4, mask 1, unused 1


def block_layers(name, cin, c):
    """Weighted layers of one IFBlock in execution order: (key prefix, kind, weight shape)."""
    layers = [
        (f"{name}.conv0.0.0", "conv", (c // 2, cin, 3, 3)),
        (f"{name}.conv0.1.0", "conv", (c, c // 2, 3, 3)),
    ]
    for i in range(RESCONVS_PER_BLOCK):
        layers.append((f"{name}.convblock.{i}.conv", "resconv", (c, c, 3, 3)))
    layers.append((f"{name}.lastconv.0", "deconv", (c, LASTCONV_OUT, 4, 4)))
    return layers


def layers():
    out = []
    for name, cin, c in BLOCKS:
        out.extend(block_layers(name, cin, c))
    return out


def state_dict_shapes():
    """Ordered {key: shape} exactly as the official IFNet 4.6 module's state_dict()."""
    shapes = {}
    for name, cin, c in BLOCKS:
        for prefix, kind, wshape in block_layers(name, cin, c):
            if kind == "resconv":
                # state_dict() lists a module's own parameters (beta) before its children's.
                base = prefix[: -len(".conv")]
                shapes[f"{base}.beta"] = (1, c, 1, 1)
            bias_len = wshape[1] if kind == "deconv" else wshape[0]
            shapes[f"{prefix}.weight"] = wshape
            shapes[f"{prefix}.bias"] = (bias_len,)
    return shapes


EXPECTED_TENSORS = 120
EXPECTED_PARAMETERS = 5_306_256

if __name__ == "__main__":
    s = state_dict_shapes()
    n = 1
    total = 0
    for shape in s.values():
        n = 1
        for d in shape:
            n *= d
        total += n
    print(len(s), total)
