#!/usr/bin/env python3
"""rife-compare (what pipelines/compare.sh runs) on a real shared pair: the picture exists, is a PNG
of the expected size (one panel per picture, side by side, under a label band), and the RIFE panel
is not the blend. Bad input: one line naming the file, status 1."""

import os
import struct
import subprocess
import sys
import tempfile
import zlib

compare, testdata = sys.argv[1], os.environ["RIFE_TESTDATA"]
pair = os.path.join(testdata, "middlebury-other-interp", "Dimetrodon")  # 584x388
a, b, truth = (os.path.join(pair, f) for f in ("frame10.png", "frame11.png", "frame10i11.png"))


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", f"{path} is not a PNG"
    return struct.unpack(">II", head[16:24])


def rows(path):
    """The decoded RGB rows of an 8-bit RGB PNG written by libpng (filters undone)."""
    data = open(path, "rb").read()
    w, h = png_size(path)
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw, stride, out, prev = zlib.decompress(idat), w * 3, [], bytearray(w * 3)
    for y in range(h):
        f, line = raw[y * (stride + 1)], bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            left, up = line[i - 3] if i >= 3 else 0, prev[i]
            ul = prev[i - 3] if i >= 3 else 0
            if f == 1: line[i] = (line[i] + left) & 255
            elif f == 2: line[i] = (line[i] + up) & 255
            elif f == 3: line[i] = (line[i] + (left + up) // 2) & 255
            elif f == 4:
                p = left + up - ul
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - ul)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else ul)) & 255
        out.append(bytes(line))
        prev = line
    return out


with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "compare.png")
    r = subprocess.run([compare, a, b, out, "--device", "cpu"], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr
    band = 7 * 2 + 4 * 2  # label band: a 7-pixel font at scale 2 plus margins
    assert png_size(out) == (4 * 584, 388 + band), png_size(out)
    img = rows(out)
    panel = lambda k, y: img[band + y][k * 584 * 3:(k + 1) * 584 * 3]  # noqa: E731
    assert panel(0, 200) == rows(a)[200], "panel 1 is input A"
    assert panel(3, 200) == rows(b)[200], "panel 4 is input B"
    assert any(panel(1, y) != panel(2, y) for y in range(0, 388, 10)), "RIFE's panel must differ from the blend"

    r = subprocess.run([compare, a, b, out, "--device", "cpu", "--truth", truth], capture_output=True, text=True,
                       timeout=600)
    assert r.returncode == 0, r.stderr
    assert png_size(out) == (5 * 584, 388 + band), png_size(out)

    r = subprocess.run([compare, a, os.path.join(tmp, "missing.png"), out], capture_output=True, text=True)
    assert r.returncode == 1 and "missing.png" in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
print("rife-compare: 4 and 5 panels of the right size; bad input refused in one line")
