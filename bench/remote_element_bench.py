#!/usr/bin/python3
"""The element's remote path against its local one (measured, not asserted): for 1 and 4 streams at
once, N branches `videotestsrc ! I420 WxH ! rife device=cpu [server=grpc://127.0.0.1:PORT] !
fakesink` in one pipeline, the same content both ways, the real checkpoint (the default model) on
both sides. The server is models/triton/serve.sh on 127.0.0.1 (free ports, stopped by its PID).
Per row: interpolations/s over the whole run, the element's mean time per interpolated frame (from
its rife-stats messages: locally the forward pass and the shared queue, remotely the round trip),
Triton's own queue + compute per request over the same run (/v2/models/rife/stats), and what the
remote round trip has beyond them (gRPC, serialisation, the Python backend's hand-over).

  /usr/bin/python3 bench/remote_element_bench.py [--width 320 --height 240] [--frames 21]
      [--streams 1,4] [--json FILE]

Needs the build (build/, or $RIFE_BUILD_DIR: the plugin and the Python module) and ./setup.sh's
.venv-triton. The first run at a size pays allocations: each way runs one short warm-up first."""
import argparse
import json
import os
import shutil
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("RIFE_BUILD_DIR", os.path.join(root, "build"))
os.environ.setdefault("GST_PLUGIN_PATH", os.path.join(build, "gst-plugin"))
sys.path.insert(0, os.path.join(build, "python"))
sys.path.insert(0, os.path.join(root, "models", "triton"))
from local_server import LocalServer, kill_servers_on_sigterm, per_request_ms  # noqa: E402

PATTERNS = ("ball", "smpte", "pinwheel", "spokes")


def launch(streams, frames, w, h, extra):
    return " ".join(
        f"videotestsrc num-buffers={frames} pattern={PATTERNS[k % 4]} horizontal-speed={3 + k} ! "
        f"video/x-raw,format=I420,width={w},height={h},framerate=25/1 ! "
        f"rife device=cpu stats-interval=0.5 {extra} name=r{k} ! fakesink sync=false"
        for k in range(streams))


def run(description):
    """Runs to EOS: wall seconds, interpolated frames, and the element's mean ms per interpolation."""
    pipeline = Gst.parse_launch(description)
    bus = pipeline.get_bus()
    started = time.monotonic()
    pipeline.set_state(Gst.State.PLAYING)
    frames = 0
    weighted_ms = 0.0
    while True:
        msg = bus.timed_pop_filtered(Gst.CLOCK_TIME_NONE, Gst.MessageType.EOS | Gst.MessageType.ERROR |
                                     Gst.MessageType.ELEMENT)
        if msg.type == Gst.MessageType.ERROR:
            pipeline.set_state(Gst.State.NULL)
            raise RuntimeError(msg.parse_error()[0].message)
        if msg.type == Gst.MessageType.EOS:
            break
        s = msg.get_structure()
        if s and s.get_name() == "rife-stats":
            n = s.get_value("interpolated")
            frames += n
            weighted_ms += n * s.get_value("inference-mean-ms")
    wall = time.monotonic() - started
    # What the last interval's messages did not cover: the counters say how many there were.
    counted = 0
    for k in range(64):
        element = pipeline.get_by_name(f"r{k}")
        if element is None:
            break
        counted += element.get_property("frames-interpolated")
    pipeline.set_state(Gst.State.NULL)
    return wall, counted, weighted_ms / max(1, frames)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=240)
    p.add_argument("--frames", type=int, default=21, help="inputs per stream")
    p.add_argument("--streams", default="1,4")
    p.add_argument("--json")
    args = p.parse_args()
    Gst.init(None)
    kill_servers_on_sigterm()
    counts = [int(s) for s in args.streams.split(",")]
    tmp = tempfile.mkdtemp(prefix="rife-remote-bench-")
    rows = []
    try:
        repo = os.path.join(tmp, "repository")
        shutil.copytree(os.path.join(root, "models", "triton", "rife"), os.path.join(repo, "rife"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        with LocalServer(repo, os.path.join(tmp, "server.log")) as server:
            remote = f"server=grpc://127.0.0.1:{server.grpc}"
            print(f"server ready in {server.startup_s:.1f} s; {args.width}x{args.height} I420, {args.frames} "
                  f"inputs per stream at 25 fps, real checkpoint at the element's defaults, CPU")
            run(launch(1, 3, args.width, args.height, ""))
            run(launch(1, 3, args.width, args.height, remote))
            for n in counts:
                local_wall, local_frames, local_ms = run(launch(n, args.frames, args.width, args.height, ""))
                before = server.stats()
                remote_wall, remote_frames, remote_ms = run(launch(n, args.frames, args.width, args.height, remote))
                after = server.stats()
                queue_ms = per_request_ms(after, before, "queue")
                compute_ms = per_request_ms(after, before, "compute_infer")
                rows.append({"streams": n, "local_ips": local_frames / local_wall,
                             "remote_ips": remote_frames / remote_wall, "local_ms": local_ms,
                             "remote_ms": remote_ms, "server_queue_ms": queue_ms, "server_compute_ms": compute_ms,
                             "beyond_server_ms": remote_ms - queue_ms - compute_ms,
                             "interpolated": [local_frames, remote_frames]})
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{'streams':>7} {'local interp/s':>15} {'remote interp/s':>16} {'local ms/frame':>15} "
          f"{'remote ms/frame':>16} {'Triton queue+compute':>21} {'beyond the server':>18}")
    for r in rows:
        print(f"{r['streams']:>7} {r['local_ips']:>15.2f} {r['remote_ips']:>16.2f} {r['local_ms']:>15.0f} "
              f"{r['remote_ms']:>16.0f} {r['server_queue_ms']:>10.0f} + {r['server_compute_ms']:<8.0f} "
              f"{r['beyond_server_ms']:>18.1f}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"width": args.width, "height": args.height, "frames": args.frames, "rows": rows}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
