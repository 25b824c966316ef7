#!/usr/bin/python3
"""Throughput of the `rife` Triton model against the engine in this process, for 1, 2 and 4 streams
at once (measured, not asserted). Each stream sends --pairs frames after its first, each asking for
the middle frame (t = 0.5), over its own ModelStreamInfer stream (as the element would), and waits
for each answer before sending the next frame. Locally, the same streams run as engines on one
shared model, one Python thread each (the GIL released while they compute), as elements in one
process would. Per count of streams it prints the aggregate interpolations/s both ways, the
client's round trip per request, Triton's own per-request times (queue, compute: the model's
execute(), prepare and colour conversion included) and requests per execution from
/v2/models/rife/stats, all over the interpolation requests alone (every stream has sent its START
first), and what the round trip has beyond queue and compute (gRPC, serialisation, the Python
backend's shared-memory hand-over).

  .venv-triton/bin/python bench/triton_bench.py [--model FILE] [--width 320 --height 240]
      [--format I420] [--pairs 8] [--streams 1,2,4] [--batch-wait-us 5000] [--queue-delay-us N]

The model defaults to the real 4.25/4.26 checkpoint (the rife module's default model).
Needs the build (build/python, or $RIFE_BUILD_DIR) and ./setup.sh's .venv-triton."""
import argparse
import os
import queue
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time

import numpy as np

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.environ.get("RIFE_BUILD_DIR", os.path.join(root, "build"))
sys.path.insert(0, os.path.join(build, "python"))
sys.path.insert(0, os.path.join(root, "models", "triton"))
import rife  # noqa: E402
import tritonclient.grpc as grpcclient  # noqa: E402
from local_server import LocalServer, kill_servers_on_sigterm, per_request_ms  # noqa: E402


def frames(count, w, h, fmt, seed):
    """Moving smooth content (a drifting wave), `count` packed frames."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        planes = []
        for rows, row_bytes in rife.plane_shapes(w, h, fmt):
            y, x = np.mgrid[0:rows, 0:row_bytes]
            wave = 0.5 + 0.4 * np.sin((x + 3 * k) / 9.0 + seed) * np.cos((y - 2 * k) / 11.0)
            planes.append(np.clip((wave + rng.uniform(-0.03, 0.03, wave.shape)) * 255, 0, 255).astype(np.uint8)
                          .reshape(-1))
        out.append(np.concatenate(planes))
    return out


def request(frame, fmt, w, h, timesteps):
    def tensor(name, array, datatype):
        t = grpcclient.InferInput(name, list(array.shape), datatype)
        t.set_data_from_numpy(array)
        return t
    return [tensor("FRAME", frame.reshape(1, -1), "UINT8"),
            tensor("FORMAT", np.array([[fmt.encode()]], dtype=object), "BYTES"),
            tensor("GEOMETRY", np.array([[w, h, 1, 0]], np.int32), "INT32"),
            tensor("TIMESTEPS", np.array([timesteps], np.float32).reshape(1, -1), "FP32"),
            tensor("SCALE", np.array([[0.0]], np.float32), "FP32"),
            tensor("ENSEMBLE", np.array([[0]], np.int32), "INT32")]


def remote_stream(server, corrid, sequence, args, round_trips, started):
    """START with the first frame, wait for every stream to have started (`started`, a barrier that
    the measuring thread passes twice: before and after its first statistics), then the pairs."""
    client = grpcclient.InferenceServerClient(f"127.0.0.1:{server.grpc}")
    answers = queue.Queue()
    client.start_stream(callback=lambda result, error: answers.put((result, error)))
    try:
        for k, frame in enumerate(sequence):
            if k == 1:
                started.wait()
                started.wait()
            sent = time.monotonic()
            client.async_stream_infer("rife", request(frame, args.format, args.width, args.height, [0.5] if k else []),
                                      sequence_id=corrid, sequence_start=k == 0,
                                      sequence_end=k == len(sequence) - 1)
            result, error = answers.get(timeout=600)
            if error is not None:
                raise error
            if k:
                round_trips.append(time.monotonic() - sent)
    finally:
        client.stop_stream()
        client.close()


def local_stream(engine, sequence, started):
    previous = engine.prepare(sequence[0])
    started.wait()
    started.wait()
    for frame in sequence[1:]:
        current = engine.prepare(frame)
        engine.interpolate(previous, current, [0.5])
        previous = current


def run_streams(targets, between=lambda: None):
    """Runs each target(barrier) on its own thread; `between` runs once every target has passed its
    first barrier (started), and the clock runs from then until the last one ends."""
    errors = []
    started = threading.Barrier(len(targets) + 1)

    def guarded(target):
        try:
            target(started)
        except BaseException as e:  # noqa: B036
            errors.append(repr(e))
            started.abort()
    threads = [threading.Thread(target=guarded, args=(t,)) for t in targets]
    for t in threads:
        t.start()
    try:
        started.wait()
        between()
        started.wait()
    except threading.BrokenBarrierError:
        pass
    go = time.monotonic()
    for t in threads:
        t.join()
    if errors:
        raise RuntimeError("; ".join(errors))
    return time.monotonic() - go


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--model", default=rife.default_model_path())
    p.add_argument("--width", type=int, default=320)
    p.add_argument("--height", type=int, default=240)
    p.add_argument("--format", default="I420")
    p.add_argument("--pairs", type=int, default=8)
    p.add_argument("--streams", default="1,2,4")
    p.add_argument("--batch-wait-us", type=int, default=5000)
    p.add_argument("--queue-delay-us", type=int, default=None,
                   help="the config's oldest.max_queue_delay_microseconds (default: as in config.pbtxt)")
    args = p.parse_args()
    kill_servers_on_sigterm()
    counts = [int(s) for s in args.streams.split(",")]
    sequences = [frames(args.pairs + 1, args.width, args.height, args.format, seed) for seed in range(max(counts))]

    tmp = tempfile.mkdtemp(prefix="rife-triton-bench-")
    try:
        repo = os.path.join(tmp, "repository")
        shutil.copytree(os.path.join(root, "models", "triton", "rife"), os.path.join(repo, "rife"),
                        ignore=shutil.ignore_patterns("__pycache__"))
        config = os.path.join(repo, "rife", "config.pbtxt")
        text = open(config).read()
        text = re.sub(r'(key: "model_path" value: \{ string_value: )""', rf'\1"{args.model}"', text)
        text = re.sub(r'(key: "batch_wait_us" value: \{ string_value: )"\d+"', rf'\1"{args.batch_wait_us}"', text)
        if args.queue_delay_us is not None:
            text = re.sub(r"max_queue_delay_microseconds: \d+", f"max_queue_delay_microseconds: {args.queue_delay_us}", text)
        delay = re.search(r"max_queue_delay_microseconds: (\d+)", text).group(1)
        open(config, "w").write(text)

        probe = rife.Engine(args.model, device="cpu")
        probe.configure(args.width, args.height, args.format)
        prepared = [[probe.prepare(f) for f in seq] for seq in sequences]
        scales = sorted({probe.compare(p[k], p[k + 1])["scale"] for p in prepared for k in range(len(p) - 1)})
        del prepared, probe
        print(f"{args.width}x{args.height} {args.format}, {args.pairs} interpolations (t = 0.5) per stream, "
              f"flow scale auto (the pairs': {', '.join(f'{v:g}' for v in scales)}), model {args.model}, CPU, "
              f"batch wait {args.batch_wait_us} us, Triton queue delay {delay} us")
        rows = []
        with LocalServer(repo, os.path.join(tmp, "server.log")) as server:
            print(f"server ready in {server.startup_s:.1f} s")
            # One warm-up sequence: the first forward pass at a size allocates.
            run_streams([lambda b: remote_stream(server, 999, sequences[0][:2], args, [], b)])
            for n in counts:
                trips, before = [], {}
                wall = run_streams([lambda b, k=k: remote_stream(server, 1000 * n + k, sequences[k], args, trips, b)
                                    for k in range(n)], between=lambda: before.update(server.stats()))
                after = server.stats()
                inferences = after["inference_count"] - before["inference_count"]
                executions = after["execution_count"] - before["execution_count"]
                queue_ms = per_request_ms(after, before, "queue")
                compute_ms = per_request_ms(after, before, "compute_infer")
                rows.append({"streams": n, "remote_ips": n * args.pairs / wall,
                             "round_trip_ms": statistics.mean(trips) * 1e3,
                             "queue_ms": queue_ms, "compute_ms": compute_ms,
                             "overhead_ms": statistics.mean(trips) * 1e3 - queue_ms - compute_ms,
                             "per_execution": inferences / max(1, executions)})
        for row in rows:
            n = row["streams"]
            engines = []
            for k in range(n):
                e = rife.Engine(args.model, device="cpu", batch_wait_us=args.batch_wait_us)
                e.configure(args.width, args.height, args.format)
                engines.append(e)
            run_streams([lambda b: local_stream(engines[0], sequences[0][:2], b)])  # warm-up
            wall = run_streams([lambda b, e=e, k=k: local_stream(e, sequences[k], b) for k, e in enumerate(engines)])
            row["local_ips"] = n * args.pairs / wall
            row["local_shared"] = sum(e.batch_stats["cross_stream"] for e in engines)
        print("| streams | Triton: interpolations/s | local engine: interpolations/s | round trip (client, mean) | "
              "Triton queue + compute per request | round trip − queue − compute | requests per execution |")
        print("|---|---|---|---|---|---|---|")
        for r in rows:
            print(f"| {r['streams']} | {r['remote_ips']:.2f} | {r['local_ips']:.2f} | {r['round_trip_ms']:.0f} ms | "
                  f"{r['queue_ms']:.1f} + {r['compute_ms']:.0f} ms | {r['overhead_ms']:.0f} ms | "
                  f"{r['per_execution']:.2f} |")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


main()
