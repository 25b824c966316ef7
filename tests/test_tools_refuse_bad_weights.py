#!/usr/bin/env python3
"""Every program of the project answers a missing or broken weights file with one line naming it
and exit status 1 (never an uncaught exception or a page of output): rife-bench, rife-compare,
rife-quality and the embedding example rife-embed."""

import os
import subprocess
import sys
import tempfile

bench, compare, quality, embed, fixtures, testdata = sys.argv[1:7]
missing = "/nonexistent/weights.pkl"
truncated = os.path.join(fixtures, "truncated.pth")
pair = os.path.join(testdata, "middlebury-other-interp", "Dimetrodon")
env = dict(os.environ)
if "ASAN_OPTIONS" in env:  # see test_bench_smoke.py
    env["ASAN_OPTIONS"] += ":alloc_dealloc_mismatch=0"

with tempfile.TemporaryDirectory() as tmp:
    commands = {
        "rife-bench": lambda m: [bench, "--device", "cpu", "--size", "40x30", "--frames", "1", "--model", m],
        "rife-compare": lambda m: [compare, os.path.join(pair, "frame10.png"), os.path.join(pair, "frame11.png"),
                                   os.path.join(tmp, "c.png"), "--device", "cpu", "--model", m],
        "rife-quality": lambda m: [quality, "--model", m, "mb=" + os.path.join(testdata, "middlebury-other-interp")],
        "rife-embed": lambda m: [embed, "--device", "cpu", "--frames", "3", "--model", m],
    }
    for tool, command in commands.items():
        for model, reason in ((missing, "weights file not found"), (truncated, "corrupt")):
            r = subprocess.run(command(model), capture_output=True, text=True, timeout=300, env=env)
            lines = [line for line in r.stderr.splitlines() if line.strip()]
            assert r.returncode == 1, (tool, model, r.returncode, r.stderr)
            assert len(lines) == 1, (tool, model, r.stderr)
            assert model in lines[0] and reason in lines[0] and lines[0].startswith(tool + ": "), (tool, lines[0])
            print(f"{tool} {os.path.basename(model)}: {lines[0]}")
print("every tool refuses missing and broken weights in one line, status 1")
