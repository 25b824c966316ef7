#!/usr/bin/python3
"""The engine's Python module `rife` (python/): numpy frames in and out equal the C++ engine's, as
tests/engine_frames (a C++ program on the engine's own API) computes them from the same bytes, for
RGB, I420, NV12 and two 10-bit layouts at odd and even sizes, with ensembles and several timesteps;
frames given as per-plane arrays with padded strides equal frames given packed; run_together batches
four engines' work in shared forward passes with each engine's own frames as results, and one bad job
among them fails alone; bad input is one clear exception naming the sizes, the format or the file.

  test_python_module.py PYTHON_MODULE_DIR ENGINE_FRAMES FIXTURES_DIR   (Debian's /usr/bin/python3)"""

import os
import subprocess
import sys
import tempfile
import time

import numpy as np

module_dir, engine_frames, fixtures = sys.argv[1:4]
sys.path.insert(0, module_dir)
import rife  # noqa: E402

MODEL_425 = os.path.join(fixtures, "rife425_random.pth")
MODEL_46 = os.path.join(fixtures, "official_plain.pth")
MATRIX = {"bt601": 0, "bt709": 1, "bt2020": 2, "smpte240m": 3}
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        raise AssertionError(message)


def raises(kind, words, call):
    """call() raises `kind` whose message holds every one of `words`."""
    try:
        call()
    except kind as e:
        text = str(e)
        check(all(w in text for w in words), f"{kind.__name__} {text!r} lacks one of {words}")
        return text
    raise AssertionError(f"no {kind.__name__} (expected one naming {words})")


def smooth_frames(count, width, height, fmt, seed):
    """`count` packed frames of moving smooth content, every sample in its format's range."""
    rng = np.random.default_rng(seed)
    depth = 16 if fmt.endswith("64_LE") or fmt.endswith("16_LE") or fmt == "P016_LE" else \
        12 if "12" in fmt else 10 if "10" in fmt else 8
    shift = 16 - depth if fmt.startswith("P01") else 0
    frames = []
    phase = rng.uniform(0, 6.28, 3)
    for k in range(count):
        planes = []
        for rows, row_bytes in rife.plane_shapes(width, height, fmt):
            samples = row_bytes // (2 if depth > 8 else 1)
            y, x = np.mgrid[0:rows, 0:samples]
            wave = 0.5 + 0.4 * np.sin(x / 5.0 + phase[len(planes)] + 0.3 * k) * np.cos(y / 7.0 - 0.2 * k)
            noise = rng.uniform(-0.05, 0.05, wave.shape)
            codes = np.clip((wave + noise) * ((1 << depth) - 1), 0, (1 << depth) - 1).astype(np.uint32)
            planes.append(((codes << shift).astype("<u2") if depth > 8 else codes.astype(np.uint8)).reshape(-1))
        frames.append(np.concatenate([p.view(np.uint8) for p in planes]))
    return frames


def cpp_reference(model, fmt, w, h, matrix, full_range, scale, ensemble, frames, ts):
    """The C++ engine's outputs for the pairs of `frames`: one list of packed uint8 frames per pair, and
    the pairs' differences."""
    with tempfile.TemporaryDirectory() as tmp:
        src, dst = os.path.join(tmp, "in.raw"), os.path.join(tmp, "out.raw")
        with open(src, "wb") as f:
            for frame in frames:
                f.write(frame.tobytes())
        r = subprocess.run([engine_frames, model, fmt, str(w), str(h), str(MATRIX[matrix]), str(int(full_range)),
                            str(scale), ensemble, src, dst] + [repr(t) for t in ts],
                           capture_output=True, text=True, timeout=300)
        check(r.returncode == 0, f"engine_frames failed: {r.stderr}")
        data = np.fromfile(dst, np.uint8)
    size = rife.frame_bytes(w, h, fmt)
    outs = data.reshape(-1, size)
    pairs = [list(outs[i * len(ts):(i + 1) * len(ts)]) for i in range(len(frames) - 1)]
    return pairs, [[float(v) for v in line.split()] for line in r.stdout.splitlines()]


def as_planes_padded(frame, w, h, fmt, pad=13):
    """The frame as a list of per-plane arrays inside wider (padded) buffers: strides != row bytes."""
    planes, at = [], 0
    for rows, row_bytes in rife.plane_shapes(w, h, fmt):
        plane = frame[at:at + rows * row_bytes].reshape(rows, row_bytes)
        buffer = np.full((rows, row_bytes + pad), 0xAB, np.uint8)
        buffer[:, :row_bytes] = plane
        planes.append(buffer[:, :row_bytes])
        at += rows * row_bytes
    return planes


def check_against_cpp(model, fmt, w, h, matrix="bt709", full_range=False, scale=1.0, ensemble="none",
                      ts=(0.5,)):
    started = time.monotonic()
    frames = smooth_frames(3, w, h, fmt, seed=w * h)
    reference, differences = cpp_reference(model, fmt, w, h, matrix, full_range, scale, ensemble, frames, ts)
    engine = rife.Engine(model, device="cpu", scale=scale)
    engine.configure(w, h, fmt, matrix=matrix, full_range=full_range)
    check(engine.frame_bytes == frames[0].size, f"{fmt}: frame_bytes {engine.frame_bytes} != {frames[0].size}")
    prepared = [engine.prepare(f) for f in frames]
    for pair in range(2):
        outs = engine.interpolate(prepared[pair], prepared[pair + 1], list(ts), ensemble=ensemble)
        check(len(outs) == len(ts), f"{fmt}: {len(outs)} outputs for {len(ts)} timesteps")
        deep = rife.frame_bytes(w, h, fmt) != outs[0].size
        check(outs[0].dtype == (np.dtype("<u2") if deep else np.uint8), f"{fmt}: output dtype {outs[0].dtype}")
        for i, out in enumerate(outs):
            check(np.array_equal(out.view(np.uint8), reference[pair][i]),
                  f"{fmt} {w}x{h} pair {pair} t={ts[i]}: differs from the C++ engine's frame "
                  f"(max {np.abs(out.view(np.uint8).astype(int) - reference[pair][i]).max()})")
        c = engine.compare(prepared[pair], prepared[pair + 1])
        check(all(abs(c[k] - v) < 1e-6 for k, v in zip(("cut", "still", "changed"), differences[pair])),
              f"{fmt}: compare {c} != C++ {differences[pair]}")
        check(engine.difference(prepared[pair], prepared[pair + 1]) == c["cut"], f"{fmt}: difference != cut")
        check(c["scale"] == (scale or rife.auto_scale(w, h, c["changed"])), f"{fmt}: pair scale {c}")
    # The same frames as padded per-plane arrays: the same outputs.
    a, b = (engine.prepare(as_planes_padded(f, w, h, fmt)) for f in frames[:2])
    outs = engine.interpolate(a, b, list(ts), ensemble=ensemble)
    check(all(np.array_equal(o.view(np.uint8), r) for o, r in zip(outs, reference[0])),
          f"{fmt}: per-plane padded input gives other frames than packed input")
    # Each plane view has the format's samples.
    views = engine.planes(outs[0])
    check([v.shape[0] for v in views] == [r for r, _ in rife.plane_shapes(w, h, fmt)], f"{fmt}: plane views {views}")
    print(f"  {fmt:10s} {w}x{h} {matrix} {'full' if full_range else 'limited'} scale {scale:g} ensemble "
          f"{ensemble:9s} t={list(ts)}: equal to the C++ engine's frames ({time.monotonic() - started:.1f} s)")


print("numpy frames through the module against the C++ engine (tests/engine_frames):")
check_against_cpp(MODEL_425, "RGB", 64, 48, ts=(0.25, 0.5, 0.75))
check_against_cpp(MODEL_425, "I420", 65, 47, matrix="bt601", ensemble="time")
check_against_cpp(MODEL_425, "NV12", 66, 46, matrix="bt709", full_range=True, ts=(0.4,))
check_against_cpp(MODEL_425, "P010_10LE", 64, 48, matrix="bt2020", ensemble="time+flip")
check_against_cpp(MODEL_46, "I420_10LE", 63, 49, matrix="bt2020", full_range=True, scale=2.0, ts=(0.5, 0.8))
check_against_cpp(MODEL_46, "BGRA", 64, 48, scale=0.5)
check_against_cpp(MODEL_425, "NV21", 64, 48, scale=0.0)  # automatic: by size and per pair

print("the round trip and what the network sees:")
engine = rife.Engine(MODEL_425, device="cpu", scale=1)
engine.configure(64, 48, "Y444")
frame = smooth_frames(1, 64, 48, "Y444", seed=1)[0]
prepared = engine.prepare(frame)
check(np.array_equal(engine.render(prepared), frame), "Y444 round trip is not exact")
rgb = engine.read_rgb(prepared)
check(rgb.shape == (48, 64, 3) and rgb.dtype == np.uint8, f"read_rgb {rgb.shape} {rgb.dtype}")
check(engine.interpolate(prepared, prepared, []) == [], "no timesteps: no frames")
check(engine.model_version == "4.25/4.26" and engine.device == "cpu" and engine.precision == "fp32",
      f"{engine!r} {engine.model_version} {engine.device} {engine.precision}")
check(engine.geometry == {"width": 64, "height": 48, "format": "Y444", "matrix": "bt709", "full_range": False},
      engine.geometry)
print("  Y444 round trip exact; read_rgb [48, 64, 3]; properties")

print("run_together: four engines on one model, their work handed over at once:")
engines, sequences = [], []
for k, fmt in enumerate(["RGB", "I420", "NV12", "RGB"]):
    # The automatic flow scale: the pairs' scale is known only once their frames are prepared.
    e = rife.Engine(MODEL_425, device="cpu", scale=0, batch_wait_us=200000)
    e.configure(64, 48, fmt)
    engines.append(e)
    sequences.append(smooth_frames(2, 64, 48, fmt, seed=100 + k))
check(engines[0].model_users >= 4, f"model users {engines[0].model_users}")
firsts = rife.run_together([(e, s[0]) for e, s in zip(engines, sequences)])
check(all(isinstance(r, tuple) and r[1] == [] for r in firsts), f"prepare-only jobs: {firsts}")
before = [e.batch_stats["cross_stream"] for e in engines]
seconds = rife.run_together([(e, s[1], first[0], [0.5], "time") for e, s, first in zip(engines, sequences, firsts)])
for k, (e, s, result) in enumerate(zip(engines, sequences, seconds)):
    check(isinstance(result, tuple), f"job {k}: {result!r}")
    check(e.batch_stats["cross_stream"] > before[k], f"engine {k}: no shared forward pass ({e.batch_stats})")
    alone = rife.Engine(MODEL_425, device="cpu", scale=0, share_model=False)
    alone.configure(64, 48, e.geometry["format"])
    expected = alone.interpolate(alone.prepare(s[0]), alone.prepare(s[1]), [0.5], ensemble="time")[0]
    difference = np.abs(result[1][0].astype(int) - expected.astype(int)).max()
    check(difference <= 1, f"job {k}: its frame is {difference} LSB from the same pair computed alone")
print(f"  each engine's frame within 1 LSB of its own pair computed alone; cross-stream passes "
      f"{[e.batch_stats['cross_stream'] - b for e, b in zip(engines, before)]}; pair scales "
      f"{[e.compare(first[0], second[0])['scale'] for e, first, second in zip(engines, firsts, seconds)]}")
# Pairs at different automatic flow scales (a still pair runs at 1, the moving ones at 2 at this size)
# are in different groups: with a 5 s batch wait, a moving pair waiting for the still one would take
# 5 s; grouped by their real keys, the call takes two forward passes.
slow = []
for k in range(4):
    e = rife.Engine(MODEL_425, device="cpu", scale=0, batch_wait_us=5_000_000)
    e.configure(64, 48, "RGB")
    slow.append(e)
pairs = [smooth_frames(2, 64, 48, "RGB", seed=300 + k) for k in range(4)]
pairs[3][1] = pairs[3][0]  # still
starts = rife.run_together([(e, p[0]) for e, p in zip(slow, pairs)])
started = time.monotonic()
ends = rife.run_together([(e, p[1], s[0], [0.5]) for e, p, s in zip(slow, pairs, starts)])
elapsed = time.monotonic() - started
scales = [e.compare(s[0], n[0])["scale"] for e, s, n in zip(slow, starts, ends)]
check(scales == [2.0, 2.0, 2.0, 1.0], f"pair scales {scales}")
check(elapsed < 4.0, f"mixed flow scales took {elapsed:.1f} s: a batch waited for a pair of another scale")
check(all(e.batch_stats["cross_stream"] >= 1 for e in slow[:3]), "the moving pairs did not share a pass")
print(f"  pairs at flow scales {scales}: grouped by their own scale ({elapsed:.2f} s with a 5 s batch wait)")
# One bad job (a frame of the wrong size) among good ones: its exception, the others' results.
mixed = rife.run_together([(engines[0], sequences[0][1], seconds[0][0], [0.5]),
                           (engines[1], sequences[1][0][:-1]),
                           (engines[2], sequences[2][1], None, [0.5]),
                           (engines[3], sequences[3][0], seconds[3][0], [0.3])])
check(isinstance(mixed[0], tuple) and isinstance(mixed[3], tuple), f"good jobs: {mixed}")
check(isinstance(mixed[1], ValueError) and "4607 bytes" in str(mixed[1]), f"bad size: {mixed[1]!r}")
check(isinstance(mixed[2], ValueError) and "previous" in str(mixed[2]), f"no previous: {mixed[2]!r}")
check(isinstance(rife.run_together([(engines[0], sequences[0][0]), (engines[0], sequences[0][1])])[1], ValueError),
      "the same engine twice in one call")
odd = rife.run_together([("not an engine", b""), 5, (engines[0], sequences[0][0], None, "0.5")])
check(all(isinstance(r, ValueError) for r in odd) and "rife.Engine" in str(odd[0]) and "numbers" in str(odd[2]),
      f"malformed jobs: {odd}")
print("  a bad job fails alone; malformed jobs are ValueErrors")

print("bad input:")
bad = rife.Engine(MODEL_425, device="cpu", scale=1)
print("  " + raises(ValueError, ["configure"], lambda: bad.prepare(np.zeros(10, np.uint8))))
bad.configure(64, 48, "I420")
print("  " + raises(ValueError, ["4607 bytes", "4608", "I420", "64x48"], lambda: bad.prepare(np.zeros(4607, np.uint8))))
print("  " + raises(ValueError, ["uint16", "I420", "uint8"], lambda: bad.prepare(np.zeros(2304, np.uint16))))
print("  " + raises(ValueError, ["2 planes", "have 3"], lambda: bad.prepare([np.zeros((48, 64), np.uint8)] * 2)))
print("  " + raises(ValueError, ["plane 1", "24 rows of 32"],
                    lambda: bad.prepare([np.zeros((48, 64), np.uint8), np.zeros((24, 31), np.uint8),
                                         np.zeros((24, 32), np.uint8)])))
print("  " + raises(ValueError, ["unknown pixel format 'I42O'", "NV12"], lambda: bad.configure(64, 48, "I42O")))
print("  " + raises(ValueError, ["unknown matrix", "bt2020"], lambda: bad.configure(64, 48, "I420", matrix="rec709")))
print("  " + raises(rife.Error, ["1x48"], lambda: bad.configure(1, 48, "RGB")))
bad.configure(64, 48, "I420")
f0 = bad.prepare(np.zeros(4608, np.uint8))
print("  " + raises(ValueError, ["timestep", "1.5"], lambda: bad.interpolate(f0, f0, [1.5])))
print("  " + raises(ValueError, ["ensemble", "'both'"], lambda: bad.interpolate(f0, f0, [0.5], ensemble="both")))
print("  " + raises(ValueError, ["another Engine"], lambda: engine.interpolate(f0, f0, [0.5])))
bad.configure(32, 32, "I420")
print("  " + raises(ValueError, ["64x48 I420", "32x32 I420"], lambda: bad.interpolate(f0, f0, [0.5])))
print("  " + raises(ValueError, ["scale 3"], lambda: rife.Engine(MODEL_425, scale=3)))
print("  " + raises(rife.Error, ["/nonexistent/weights.pkl"], lambda: rife.Engine("/nonexistent/weights.pkl")))
print("  " + raises(ValueError, ["precision", "fp64"], lambda: rife.Engine(MODEL_425, precision="fp64")))
print("  " + raises(rife.Error, ["device"], lambda: rife.Engine(MODEL_425, device="tpu")))
check(issubclass(rife.Error, RuntimeError), "rife.Error is a RuntimeError")
check(len(rife.formats()) == 32 and "P010_10LE" in rife.formats(), rife.formats())
check(rife.frame_bytes(65, 47, "I420") == 65 * 47 + 2 * 33 * 24, rife.frame_bytes(65, 47, "I420"))
check(rife.default_model_path().endswith("rife-v4.25-v4.26.pkl") or "RIFE_MODEL_PATH" in os.environ,
      rife.default_model_path())
print(f"{checks} checks passed")
