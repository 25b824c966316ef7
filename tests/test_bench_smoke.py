#!/usr/bin/env python3
"""rife-bench smoke run on the CPU with tiny sizes: it runs, prints its table, and its JSON has every
field the README promises. Speed is not judged here."""

import json
import os
import subprocess
import sys
import tempfile

bench, model = sys.argv[1], sys.argv[2]
with tempfile.TemporaryDirectory() as tmp:
    out = os.path.join(tmp, "bench.json")
    cmd = [bench, "--device", "cpu", "--size", "64x48", "--size", "40x30", "--frames", "3", "--warmup", "1",
           "--model", model, "--json", out]
    if "--element" in sys.argv[3:]:
        cmd.append("--element")
    env = dict(os.environ)
    if "ASAN_OPTIONS" in env:
        # Sanitizer run: rife-bench links LibTorch's CUDA libraries, and libcusparseLt exports its own
        # malloc-based operator new that wins over ASan's for inline torch code in the plugin it then
        # loads; ASan reports that pairing as alloc-dealloc-mismatch although no code of ours is wrong.
        env["ASAN_OPTIONS"] += ":alloc_dealloc_mismatch=0"
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900, env=env)
    print(r.stdout)
    assert r.returncode == 0, r.stderr
    assert "interp/s" in r.stdout and "PSNR" in r.stdout, "no table printed"
    data = json.load(open(out))

assert data["tool"] == "rife-bench" and data["frames"] == 3 and data["warmup"] == 1
results = data["results"]
assert len(results) == 4, f"2 sizes x 2 modes expected, got {len(results)}"
for r in results:
    for key in ("model", "model_version", "device", "size", "precision", "mode", "optimisations",
                "interpolations_per_s", "latency_ms",
                "peak_memory_mb", "memory_kind", "gpu_utilisation", "h2d_ms", "d2h_ms", "quality_vs_fp32_baseline",
                "quality_vs_truth", "ensemble", "element"):
        assert key in r, f"missing {key}"
    assert r["device"] == "cpu" and r["precision"] == "fp32" and r["model_version"] == "4.6"
    assert r["interpolations_per_s"] > 0
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p95"] <= lat["p99"], lat
    assert r["peak_memory_mb"] > 0
    q = r["quality_vs_fp32_baseline"]
    # On the CPU both modes compute the same network in FP32; they differ only in the memory format
    # (channels_last, on by default, off in the baseline), which reorders the sums: within 1 LSB of the
    # FP32 baseline, as test_engine requires of channels_last.
    assert q["max_abs_error"] <= 1 and (q["psnr_db"] == "inf" or q["psnr_db"] > 90) and abs(q["ssim"] - 1) < 1e-6, q
    assert r["ensemble"] == "none" and r["quality_vs_truth"]["psnr_db"] > 10, r["quality_vs_truth"]
    if r["mode"] == "optimised" and "--element" in sys.argv[3:]:
        assert r["element"]["output_fps"] and r["element"]["output_fps"] > 0, r["element"]
print("rife-bench JSON: all fields present")
