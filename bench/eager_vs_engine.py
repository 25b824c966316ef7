#!/usr/bin/env python3
"""The engine against PyTorch eager, side by side in one run (measured, not asserted): the same
weights, the same frame pairs, the same flow scale, FP32 on the CPU.
- engine: the project's C++ engine through its Python module (rife.Engine, RGB in and out, upload,
  padding and conversion included), channels_last off and on;
- eager: the independent PyTorch IFNet of tests/fixtures/ifnet_reference.py (the one the fidelity
  tests compare against), channels_last off and on (model and inputs), torch.no_grad.
Rows are interleaved (--repeat rounds, each configuration once per round) and the median round is
reported, so slow moments of a shared machine hit all rows alike. The engine runs in this process
(Debian's Python, which the module is built for: its numpy 1.24 ABI); eager PyTorch in a worker
process of the torch venv (.venv/bin/python, numpy 2), started once, timing on request.

  /usr/bin/python3 bench/eager_vs_engine.py [--size 640x360] [--pairs 6] [--repeat 3] [--scale 1]
      [--model FILE] [--json FILE]

Needs the build's Python module (build/python, or $RIFE_BUILD_DIR) and ./setup.sh's .venv."""
import argparse
import json
import os
import statistics
import sys
import time

import subprocess

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("RIFE_BUILD_DIR", os.path.join(root, "build"))
sys.path.insert(0, os.path.join(build, "python"))
sys.path.insert(0, os.path.join(root, "tests", "fixtures"))


def frames(count, w, h):
    """A drifting smooth pattern with a little noise: RGB uint8 [h, w, 3]."""
    rng = np.random.default_rng(7)
    y, x = np.mgrid[0:h, 0:w]
    out = []
    for k in range(count):
        base = np.stack([np.sin((x + 4 * k) / (13.0 + c)) * np.cos((y - 3 * k) / (17.0 + c)) for c in range(3)], -1)
        out.append(np.clip((0.5 + 0.4 * base + rng.uniform(-0.02, 0.02, base.shape)) * 255, 0, 255).astype(np.uint8))
    return out


def time_engine(engine, seq):
    prepared = [engine.prepare(f) for f in seq]
    started = time.perf_counter()
    for a, b in zip(prepared, prepared[1:]):
        engine.interpolate(a, b, [0.5])
    return (len(seq) - 1) / (time.perf_counter() - started)


def time_eager(net, seq, scale, channels_last):
    import torch
    import ifnet_reference as ref
    tensors = [torch.from_numpy(f) for f in seq]
    started = time.perf_counter()
    for a, b in zip(tensors, tensors[1:]):
        if channels_last:
            h, w, _ = a.shape
            m = int(round(getattr(net, "pad", 32) / scale))
            ph, pw = (h + m - 1) // m * m, (w + m - 1) // m * m

            def prep(f):
                x = f.permute(2, 0, 1).unsqueeze(0).float() / 255.0
                return torch.nn.functional.pad(x, (0, pw - w, 0, ph - h)).contiguous(
                    memory_format=torch.channels_last)

            with torch.no_grad():
                out = net(prep(a), prep(b), 0.5, scale)[0, :, :h, :w]
            (out * 255.0).round().clamp(0, 255).to(torch.uint8).permute(1, 2, 0).contiguous()
        else:
            ref.interpolate_bytes(net, a, b, 0.5, scale)
    return (len(seq) - 1) / (time.perf_counter() - started)


def eager_worker(w, h, pairs, scale, model):
    """In the torch venv: loads the nets, then times one configuration per line read ("0"/"1":
    channels_last), answering with the rate."""
    import torch
    from real_reference import load
    seq = frames(pairs + 1, w, h)
    nets = {False: load(model), True: load(model).to(memory_format=torch.channels_last)}
    for cl, net in nets.items():
        time_eager(net, seq[:2], scale, cl)
    print(f"ready {torch.get_num_threads()}", flush=True)
    for line in sys.stdin:
        cl = line.strip() == "1"
        print(time_eager(nets[cl], seq, scale, cl), flush=True)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--eager-worker":
        w, h, pairs, scale, model = sys.argv[2:7]
        return eager_worker(int(w), int(h), int(pairs), float(scale), model) or 0
    import rife
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--size", default="640x360")
    p.add_argument("--pairs", type=int, default=6)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--model", default=rife.default_model_path())
    p.add_argument("--json")
    args = p.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    seq = frames(args.pairs + 1, w, h)
    engines = {cl: rife.Engine(args.model, device="cpu", precision="fp32", scale=args.scale, channels_last=cl,
                               share_model=False) for cl in ("off", "on")}
    for e in engines.values():
        e.configure(w, h, "RGB")
        time_engine(e, seq[:2])  # warm-up: the first pass at a size allocates
    worker = subprocess.Popen([os.path.join(root, ".venv", "bin", "python"), os.path.abspath(__file__),
                               "--eager-worker", str(w), str(h), str(args.pairs), str(args.scale), args.model],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    threads = worker.stdout.readline().split()[1]

    def eager(cl):
        worker.stdin.write("1\n" if cl else "0\n")
        worker.stdin.flush()
        return float(worker.stdout.readline())

    configs = {
        "engine, channels_last off": lambda: time_engine(engines["off"], seq),
        "engine, channels_last on": lambda: time_engine(engines["on"], seq),
        "PyTorch eager": lambda: eager(False),
        "PyTorch eager, channels_last": lambda: eager(True),
    }
    rates = {name: [] for name in configs}
    try:
        for _ in range(args.repeat):
            for name, run in configs.items():
                rates[name].append(run())
    finally:
        worker.stdin.close()
        worker.wait()
    print(f"{w}x{h} RGB, {args.pairs} pairs at t = 0.5, flow scale {args.scale:g}, FP32, CPU, "
          f"{threads} threads (eager), median of {args.repeat} interleaved rounds, model {args.model}")
    print(f"{'configuration':32} {'interp/s':>9} {'min':>7} {'max':>7}")
    rows = []
    for name, r in rates.items():
        print(f"{name:32} {statistics.median(r):9.2f} {min(r):7.2f} {max(r):7.2f}")
        rows.append({"configuration": name, "median": statistics.median(r), "runs": r})
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"width": w, "height": h, "pairs": args.pairs, "scale": args.scale, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
