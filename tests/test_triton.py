#!/usr/bin/python3
"""The `rife` Triton model (models/triton) in a real tritonserver (the nvidia-pytriton 0.7.0 wheel's,
started by models/triton/serve.sh on 127.0.0.1 with free ports, stopped by its process group's id),
through a real KServe v2 gRPC client (tritonclient), on the random-weight 4.25 fixture:
- the bare server and the server with the model come up READY (start-up times printed);
- one sequence per format (RGB, I420 at an odd size, P010_10LE at 10 bits) gives the frames the
  engine's Python module computes locally for the same pairs, within 1 LSB, timesteps and ensembles
  as sent, over ModelStreamInfer (one stream per sequence, as the element sends them); and so does
  an NV12 sequence whose requests are all sent before the first answer;
- four sequences at once: Triton's statistics show executions holding several requests, the model's
  counter shows interpolations that shared a forward pass with other sequences, and every sequence's
  frames equal its own local frames, while a fifth stream's bad requests beside them are refused;
- END drops the sequence's state (open-sequences gauge back to 0; a later request without START is an
  error), and so does the idle timeout;
- bad inputs (FRAME size, unknown FORMAT, TIMESTEPS on START or outside (0, 1), GEOMETRY changed
  mid-sequence, bad SCALE/ENSEMBLE, an unknown sequence) are error responses naming the input and
  the values, and the server goes on serving.

  test_triton.py TRITON_VENV_PYTHON SERVE_SH MODEL_REPOSITORY PYTHON_MODULE_DIR FIXTURES_DIR

The server is started by models/triton/local_server.py (serve.sh beside it).

Started by meson with /usr/bin/python3, it re-runs itself under TRITON_VENV_PYTHON (Debian's Python
with tritonclient, made by ./setup.sh)."""

import os
import sys

venv_python, serve_sh, repository, module_dir, fixtures = sys.argv[1:6]
if os.path.abspath(sys.prefix) != os.path.abspath(os.path.join(os.path.dirname(venv_python), "..")):
    if not os.path.exists(venv_python):
        sys.exit(f"test_triton: no {venv_python} (Debian's Python with the nvidia-pytriton wheel and "
                 "tritonclient): run ./setup.sh")
    os.execv(venv_python, [venv_python] + sys.argv)

import queue  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import tritonclient.grpc as grpcclient  # noqa: E402
from tritonclient.utils import InferenceServerException  # noqa: E402

sys.path.insert(0, module_dir)
sys.path.insert(0, os.path.dirname(os.path.abspath(serve_sh)))
import rife  # noqa: E402
from local_server import LocalServer, kill_servers_on_sigterm  # noqa: E402

MODEL = os.path.join(fixtures, "rife425_random.pth")
IDLE_SECONDS = 3
checks = 0


def check(condition, message):
    global checks
    checks += 1
    if not condition:
        raise AssertionError(message)


def smooth_frames(count, width, height, fmt, seed):
    """Packed frames of moving smooth content (as tests/test_python_module.py), in range for `fmt`."""
    rng = np.random.default_rng(seed)
    deep = fmt in ("P010_10LE", "I420_10LE")
    frames = []
    phase = rng.uniform(0, 6.28, 3)
    for k in range(count):
        planes = []
        for rows, row_bytes in rife.plane_shapes(width, height, fmt):
            y, x = np.mgrid[0:rows, 0:row_bytes // (2 if deep else 1)]
            wave = 0.5 + 0.4 * np.sin(x / 5.0 + phase[len(planes)] + 0.4 * k) * np.cos(y / 6.0 - 0.3 * k)
            wave += rng.uniform(-0.05, 0.05, wave.shape)
            if deep:
                codes = np.clip(wave * 1023, 0, 1023).astype(np.uint16) << (6 if fmt == "P010_10LE" else 0)
                planes.append(codes.astype("<u2").reshape(-1).view(np.uint8))
            else:
                planes.append(np.clip(wave * 255, 0, 255).astype(np.uint8).reshape(-1))
        frames.append(np.concatenate(planes))
    return frames


def inputs(frame, fmt, geometry, timesteps=(), scale=1.0, ensemble=0):
    def tensor(name, array, datatype):
        t = grpcclient.InferInput(name, list(array.shape), datatype)
        t.set_data_from_numpy(array)
        return t
    return [tensor("FRAME", np.asarray(frame, np.uint8).reshape(1, -1), "UINT8"),
            tensor("FORMAT", np.array([[fmt.encode()]], dtype=object), "BYTES"),
            tensor("GEOMETRY", np.array([geometry], np.int32), "INT32"),
            tensor("TIMESTEPS", np.array([list(timesteps)], np.float32).reshape(1, -1), "FP32"),
            tensor("SCALE", np.array([[scale]], np.float32), "FP32"),
            tensor("ENSEMBLE", np.array([[ensemble]], np.int32), "INT32")]


class Stream:
    """One sequence on one ModelStreamInfer stream, request by request (as the element sends it)."""

    def __init__(self, server, corrid):
        self.client = grpcclient.InferenceServerClient(f"127.0.0.1:{server.grpc}")
        self.corrid = corrid
        self.answers = queue.Queue()
        self.client.start_stream(callback=lambda result, error: self.answers.put((result, error)))

    def post(self, frame, fmt, geometry, timesteps=(), start=False, end=False, scale=1.0, ensemble=0):
        self.client.async_stream_infer("rife", inputs(frame, fmt, geometry, timesteps, scale, ensemble),
                                       sequence_id=self.corrid, sequence_start=start, sequence_end=end,
                                       outputs=[grpcclient.InferRequestedOutput("FRAMES")])

    def answer(self):
        result, error = self.answers.get(timeout=120)
        if error is not None:
            raise error
        return result.as_numpy("FRAMES").reshape(-1)

    def send(self, *args, **kwargs):
        self.post(*args, **kwargs)
        return self.answer()

    def close(self):
        self.client.stop_stream()
        self.client.close()


def local_frames(fmt, w, h, matrix, full_range, frames, pairs, ensemble_names):
    """The engine's frames for the same pairs, computed here through the Python module."""
    engine = rife.Engine(MODEL, device="cpu", scale=1, share_model=False)
    engine.configure(w, h, fmt, matrix=matrix, full_range=bool(full_range))
    prepared = [engine.prepare(f) for f in frames]
    return [engine.interpolate(prepared[k], prepared[k + 1], ts, ensemble=ensemble_names[k])
            for k, ts in enumerate(pairs)]


def max_lsb(remote_bytes, local, fmt):
    """Largest difference in sample codes between the server's FRAMES and the local frames."""
    local_bytes = np.concatenate([f.view(np.uint8) for f in local])
    check(remote_bytes.size == local_bytes.size, f"{fmt}: {remote_bytes.size} bytes, expected {local_bytes.size}")
    if fmt == "P010_10LE":
        a, b = remote_bytes.view("<u2") >> 6, local_bytes.view("<u2") >> 6
    elif fmt.endswith("_10LE"):
        a, b = remote_bytes.view("<u2"), local_bytes.view("<u2")
    else:
        a, b = remote_bytes, local_bytes
    return int(np.abs(a.astype(np.int64) - b.astype(np.int64)).max())


def run_sequence(server, corrid, fmt, w, h, matrix=1, full_range=0, seed=0, count=4):
    """A sequence of `count` frames with 1, 3 and 2 timesteps per pair and each ensemble mode; checks
    the server's frames against local ones; returns the largest difference in LSB."""
    frames = smooth_frames(count, w, h, fmt, seed)
    pairs = [[0.5], [0.25, 0.5, 0.75], [0.4, 0.8]][:count - 1]
    ensembles = [0, 1, 2][:count - 1]
    names = ["none", "time", "time+flip"]
    stream = Stream(server, corrid)
    try:
        geometry = [w, h, matrix, full_range]
        first = stream.send(frames[0], fmt, geometry, start=True)
        check(first.size == 0, f"{fmt}: START answered {first.size} bytes, expected none")
        remote = [stream.send(frames[k + 1], fmt, geometry, pairs[k], end=(k == count - 2), ensemble=ensembles[k])
                  for k in range(count - 1)]
    finally:
        stream.close()
    local = local_frames(fmt, w, h, matrix, full_range, frames, pairs, [names[e] for e in ensembles])
    return max(max_lsb(r, l, fmt) for r, l in zip(remote, local))


def expect_error(call, words, label):
    try:
        call()
    except InferenceServerException as e:
        text = e.message()
        check(all(w in text for w in words), f"{label}: error {text!r} lacks one of {words}")
        print(f"  {label}: {text}")
        return
    raise AssertionError(f"{label}: no error response (expected one naming {words})")


def test_repository(tmp):
    """A copy of the project's repository whose model uses the random-weight fixture and a short idle
    timeout."""
    repo = os.path.join(tmp, "repository")
    shutil.copytree(repository, repo, ignore=shutil.ignore_patterns("*.sh", "k8s", "__pycache__"))
    config_path = os.path.join(repo, "rife", "config.pbtxt")
    with open(config_path) as f:
        config = f.read()
    config, n = re.subn(r'(key: "model_path" value: \{ string_value: )""', rf'\1"{MODEL}"', config)
    check(n == 1, "config.pbtxt has no model_path parameter")
    config, n = re.subn(r"max_sequence_idle_microseconds: \d+", f"max_sequence_idle_microseconds: {IDLE_SECONDS}000000",
                        config)
    check(n == 1, "config.pbtxt has no max_sequence_idle_microseconds")
    with open(config_path, "w") as f:
        f.write(config)
    return repo


def main():
    kill_servers_on_sigterm()  # meson's timeout: no server outlives the test
    tmp = tempfile.mkdtemp(prefix="rife-triton-")
    servers = []
    try:
        empty = os.path.join(tmp, "empty")
        os.mkdir(empty)
        bare = LocalServer(empty, os.path.join(tmp, "bare.log"))
        servers.append(bare)
        print(f"bare server ready in {bare.startup_s:.1f} s")
        bare.stop()

        server = LocalServer(test_repository(tmp), os.path.join(tmp, "server.log"))
        servers.append(server)
        status, _ = server.get("/v2/models/rife/ready")
        check(status == 200, f"model rife not ready: HTTP {status}\n{server.tail()}")
        print(f"server with the rife model ready in {server.startup_s:.1f} s")

        print("one sequence per format, against the module's local frames:")
        for corrid, (fmt, w, h, matrix, full_range) in enumerate(
                [("RGB", 64, 48, 1, 0), ("I420", 65, 47, 0, 0), ("P010_10LE", 64, 48, 2, 1)], start=11):
            started = time.monotonic()
            lsb = run_sequence(server, corrid, fmt, w, h, matrix, full_range, seed=corrid)
            check(lsb <= 1, f"{fmt}: the server's frames are {lsb} LSB from the local ones")
            print(f"  {fmt} {w}x{h}: 6 frames from 3 pairs, at most {lsb} LSB from local "
                  f"({time.monotonic() - started:.1f} s)")
        check(server.metric("rife_open_sequences") == 0, "sequences left open after END")

        # Requests sent without waiting for the answers (a client that pipelines): answered in order.
        frames = smooth_frames(4, 64, 48, "NV12", 21)
        stream = Stream(server, 21)
        geometry = [64, 48, 1, 0]
        stream.post(frames[0], "NV12", geometry, start=True)
        for k in range(1, 4):
            stream.post(frames[k], "NV12", geometry, [0.5], end=k == 3)
        answers = [stream.answer() for _ in range(4)]
        stream.close()
        local = local_frames("NV12", 64, 48, 1, 0, frames, [[0.5]] * 3, ["none"] * 3)
        lsb = max(max_lsb(a, l, "NV12") for a, l in zip(answers[1:], local))
        check(answers[0].size == 0 and lsb <= 1, f"pipelined NV12: {lsb} LSB from local")
        print(f"  NV12 64x48, four requests sent before any answer: answered in order, at most {lsb} LSB from local")

        print("four sequences at once:")
        before = server.stats()
        shared_before = server.metric("rife_shared_interpolations_total") or 0
        results, errors = {}, []

        def one(k, fmt):
            try:
                results[k] = run_sequence(server, 100 + k, fmt, 64, 48, seed=100 + k, count=4)
            except BaseException as e:  # noqa: B036 (reported below)
                errors.append(f"sequence {k}: {e!r}")
        refused = []

        def faulty():  # a fifth stream whose requests are all bad, beside them: its errors are its own
            stream = Stream(server, 199)
            try:
                good = smooth_frames(1, 64, 48, "RGB", 199)[0]
                stream.send(good, "RGB", [64, 48, 1, 0], start=True)
                for _ in range(3):
                    try:
                        stream.send(good[:-1], "RGB", [64, 48, 1, 0], [0.5])
                    except InferenceServerException as e:
                        refused.append(e.message())
                stream.send(good, "RGB", [64, 48, 1, 0], [0.5], end=True)
            finally:
                stream.close()
        threads = [threading.Thread(target=one, args=(k, fmt)) for k, fmt in enumerate(["RGB", "I420", "NV12", "RGB"])]
        threads.append(threading.Thread(target=faulty))
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=300)
        check(not errors and len(results) == 4, f"{errors}")
        check(len(refused) == 3 and all("FRAME has 9215 bytes" in m for m in refused), f"the bad stream: {refused}")
        after = server.stats()
        inferences = after["inference_count"] - before["inference_count"]
        executions = after["execution_count"] - before["execution_count"]
        shared = (server.metric("rife_shared_interpolations_total") or 0) - shared_before
        # Triton counts the model's error responses as inferences too: 16 + the bad stream's 5.
        check(inferences == 21, f"{inferences} inferences, expected 16 + the bad stream's 5")
        check(server.metric("rife_open_sequences") == 0, "sequences left open after the five ENDs")
        check(executions < inferences, f"{executions} executions for {inferences} inferences: none held several")
        check(shared > 0, "no interpolation shared a forward pass with another sequence")
        check(all(v <= 1 for v in results.values()), f"frames off by {results} LSB")
        print(f"  {inferences} requests in {executions} executions; {shared:g} of 13 interpolation requests "
              f"shared a forward pass with other sequences; each sequence's frames at most {max(results.values())} "
              f"LSB from its own local frames; a fifth stream's 3 bad requests beside them each refused "
              f"({time.monotonic() - started:.1f} s)")

        print("END and the idle timeout drop a sequence's state:")
        frame = smooth_frames(1, 64, 48, "RGB", 7)[0]
        geometry = [64, 48, 1, 0]
        stream = Stream(server, 500)
        stream.send(frame, "RGB", geometry, start=True)
        check(server.metric("rife_open_sequences") == 1, "START did not open a sequence")
        stream.send(frame, "RGB", geometry, [0.5], end=True)
        check(server.metric("rife_open_sequences") == 0, "END left the sequence open")
        expect_error(lambda: stream.send(frame, "RGB", geometry, [0.5]), ["START"], "a request after END")
        stream.close()
        stream = Stream(server, 501)
        stream.send(frame, "RGB", geometry, start=True)
        check(server.metric("rife_open_sequences") == 1, "START did not open a sequence")
        time.sleep(IDLE_SECONDS + 1.5)
        check(server.metric("rife_open_sequences") == 0, f"idle for {IDLE_SECONDS + 1.5} s and still open")
        expect_error(lambda: stream.send(frame, "RGB", geometry, [0.5]), ["START"], "a request after the idle timeout")
        stream.close()

        print("bad inputs are error responses naming the input and the values:")
        stream = Stream(server, 600)
        expect_error(lambda: stream.send(frame[:-1], "RGB", geometry, start=True),
                     ["FRAME", "9215 bytes", "9216", "RGB", "[64, 48, 1, 0]"], "FRAME a byte short")
        expect_error(lambda: stream.send(frame, "RGBZ", geometry, start=True), ["FORMAT", "'RGBZ'"], "unknown FORMAT")
        expect_error(lambda: stream.send(frame, "RGB", geometry, [0.5], start=True), ["TIMESTEPS", "START"],
                     "TIMESTEPS on START")
        expect_error(lambda: stream.send(frame, "RGB", [64, 48, 7, 0], start=True), ["GEOMETRY", "matrix 7"],
                     "unknown matrix")
        expect_error(lambda: stream.send(frame, "RGB", geometry, start=True, scale=3.0), ["SCALE 3"], "bad SCALE")
        stream.send(frame, "RGB", geometry, start=True)
        expect_error(lambda: stream.send(frame, "RGB", geometry, [1.5]), ["TIMESTEPS", "1.5", "(0, 1)"],
                     "TIMESTEPS outside (0, 1)")
        expect_error(lambda: stream.send(frame, "RGB", geometry, [0.5], ensemble=5), ["ENSEMBLE 5"], "bad ENSEMBLE")
        small = smooth_frames(1, 32, 32, "RGB", 8)[0]
        expect_error(lambda: stream.send(small, "RGB", [32, 32, 1, 0], [0.5]), ["[32, 32, 1, 0]", "[64, 48, 1, 0]",
                                                                                "START"], "GEOMETRY changed")
        good = stream.send(frame, "RGB", geometry, [0.5], end=True)
        check(good.size == frame.size, "the sequence did not go on after its bad requests")
        stream.close()
        check(server.process.poll() is None and server.get("/v2/models/rife/ready")[0] == 200,
              "the server or the model went down after the bad requests")
        print("  the server kept serving (a sequence's requests after its errors answered, model READY)")
        print(f"{checks} checks passed")
    except BaseException:
        for s in servers:
            print(f"--- {s.log_path} (tail) ---\n{s.tail()}")
        raise
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(tmp, ignore_errors=True)


main()
