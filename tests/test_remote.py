#!/usr/bin/python3
"""The element with `server=grpc://...`: rife's frames computed by a real Triton Inference Server
(models/triton/serve.sh on 127.0.0.1, free ports, stopped by its PID) running the project's model
repository, against the same through the local engine:
- the car-turn clip: every frame within 1 LSB of the local element's, timestamps identical;
- four elements of different content, one server: Triton ran requests of several sequences in one
  execution, and every stream's frames equal its own local frames;
- the server killed mid-stream and started again: every input leaves in order, held frames while
  it was down (counted as skipped, one warning), interpolation resumes; nothing hangs;
- a request timeout: held frames, no hang;
- a bad URL, an address where no server answers, an unknown model, TLS with the wrong CA, a server
  whose model returns malformed tensors: one clear error naming the server, no crash.

  test_remote.py SOURCE_ROOT FIXTURES_DIR TESTDATA_DIR
Run by meson with /usr/bin/python3 (PyGObject); GST_PLUGIN_PATH names the build's plugin."""

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402,F401

root, fixtures, testdata = sys.argv[1:4]
sys.path.insert(0, os.path.join(root, "models", "triton"))
from local_server import LocalServer, kill_servers_on_sigterm  # noqa: E402

MODEL = os.path.join(fixtures, "official_plain.pth")  # 4.6 layout, random weights: cheap
CLIP = os.path.join(testdata, "davis-car-turn", "car-turn.mp4")
failures = 0


def check(condition, message):
    global failures
    print(("ok   " if condition else "FAIL ") + message, flush=True)
    if not condition:
        failures += 1


def repository(tmp, bad=False):
    """A copy of the project's repository whose model uses MODEL; with `bad`, a second model
    'rife_bad' whose answers are malformed (half the bytes)."""
    repo = os.path.join(tmp, "repository-bad" if bad else "repository")
    if os.path.exists(repo):
        return repo
    source = os.path.join(root, "models", "triton", "rife")
    shutil.copytree(source, os.path.join(repo, "rife"), ignore=shutil.ignore_patterns("__pycache__"))
    config_path = os.path.join(repo, "rife", "config.pbtxt")
    config = open(config_path).read().replace('key: "model_path" value: { string_value: "" }',
                                              f'key: "model_path" value: {{ string_value: "{MODEL}" }}')
    open(config_path, "w").write(config)
    if bad:
        shutil.copytree(os.path.join(repo, "rife"), os.path.join(repo, "rife_bad"))
        bad_config = os.path.join(repo, "rife_bad", "config.pbtxt")
        text = open(bad_config).read().replace('name: "rife"', 'name: "rife_bad"')
        open(bad_config, "w").write(text)
        model_py = os.path.join(repo, "rife_bad", "1", "model.py")
        open(model_py, "a").write('''

# A broken server for the client's test: every FRAMES answer loses half its bytes.
_execute = TritonPythonModel.execute


def _malformed(self, requests):
    responses = _execute(self, requests)
    broken = []
    for response in responses:
        frames = pb_utils.get_output_tensor_by_name(response, "FRAMES")
        if frames is None:
            broken.append(response)
            continue
        data = frames.as_numpy()
        broken.append(pb_utils.InferenceResponse(
            output_tensors=[pb_utils.Tensor("FRAMES", data[:, : data.shape[1] // 2].copy())]))
    return broken


TritonPythonModel.execute = _malformed
''')
    return repo


def run(launch, names=("s",), timeout_s=300, on_started=None):
    """Runs `launch` to EOS; every appsink's (pts, duration, bytes), the rife elements' counters,
    the warnings and the first error."""
    pipeline = Gst.parse_launch(launch)
    bus = pipeline.get_bus()
    pipeline.set_state(Gst.State.PLAYING)
    if on_started:
        on_started(pipeline)
    warnings, error = [], None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        msg = bus.timed_pop_filtered(100 * Gst.MSECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR |
                                     Gst.MessageType.WARNING)
        if msg is None:
            continue
        if msg.type == Gst.MessageType.WARNING:
            warnings.append(msg.parse_warning()[0].message)
            continue
        if msg.type == Gst.MessageType.ERROR:
            error = msg.parse_error()[0].message
        break
    else:
        error = f"no EOS within {timeout_s} s"
    frames = {}
    for name in names:
        sink = pipeline.get_by_name(name)
        got = []
        while True:
            sample = sink.try_pull_sample(0)
            if sample is None:
                break
            b = sample.get_buffer()
            got.append((b.pts, b.duration, b.extract_dup(0, b.get_size())))
        frames[name] = got
    counters = {}
    it = pipeline.iterate_elements()
    while True:
        ok, element = it.next()
        if ok != Gst.IteratorResult.OK:
            break
        if element.get_factory() and element.get_factory().get_name() == "rife":
            counters[element.get_name()] = {p: element.get_property(p) for p in (
                "frames-in", "frames-out", "frames-interpolated", "frames-skipped")}
    pipeline.set_state(Gst.State.NULL)
    return frames, counters, warnings, error


def same_frames(got, want, what):
    check(len(got) == len(want), f"{what}: {len(got)} frames, as the local element ({len(want)})")
    worst, times = 0, True
    for (p, d, g), (wp, wd, w) in zip(got, want):
        times &= p == wp and d == wd
        if len(g) != len(w):
            worst = 255
            continue
        a = memoryview(g).cast("B")
        b = memoryview(w).cast("B")
        worst = max(worst, max(abs(x - y) for x, y in zip(a, b)))
    check(times, f"{what}: every timestamp and duration identical")
    check(worst <= 1, f"{what}: every frame within 1 LSB of the local element's (worst {worst})")


CAR_SOURCE = (f"filesrc location={CLIP} ! decodebin ! videoconvert ! videoscale ! "
              "video/x-raw,format=I420,width=160,height=96")


def car_turn(rife):
    return f"{CAR_SOURCE} ! {rife} ! appsink name=s sync=false wait-on-eos=false"


def rife(extra=""):
    return f"rife device=cpu scale=1 model-path={MODEL} {extra}"


def main():
    Gst.init(None)
    kill_servers_on_sigterm()
    tmp = tempfile.mkdtemp(prefix="rife-remote-")
    try:
        repo = repository(tmp)
        with LocalServer(repo, os.path.join(tmp, "server.log")) as server:
            url = f"grpc://127.0.0.1:{server.grpc}"
            print(f"server ready in {server.startup_s:.1f} s at {url}")
            # 1. The real clip, remote against local.
            local, _, _, error = run(car_turn(rife()))
            check(error is None and len(local["s"]) == 161, f"local: 161 frames ({error})")
            started = time.monotonic()
            remote, counters, warnings, error = run(car_turn(rife(f"server={url}")))
            print(f"car-turn 160x96 through the server: {time.monotonic() - started:.1f} s")
            check(error is None, f"remote: no error ({error})")
            same_frames(remote["s"], local["s"], "car-turn through the server")
            check(not warnings, f"remote: no warning ({warnings})")

            # 2. Four elements, one server.
            sources = [CAR_SOURCE] + [
                f"videotestsrc num-buffers=40 pattern={p} horizontal-speed={3 + i} ! "
                "video/x-raw,format=I420,width=160,height=96,framerate=25/1"
                for i, p in enumerate(("ball", "smpte", "pinwheel"))]
            launch = lambda extra: " ".join(  # noqa: E731
                f"{src} ! {rife(extra)} name=r{i} ! appsink name=s{i} sync=false wait-on-eos=false"
                for i, src in enumerate(sources))
            names = [f"s{i}" for i in range(4)]
            alone = [run(f"{src} ! {rife()} ! appsink name=s sync=false wait-on-eos=false")[0]["s"] for src in sources]
            before = server.stats()
            together, _, _, error = run(launch(f"server={url}"), names)
            after = server.stats()
            check(error is None, f"four streams: no error ({error})")
            inferences = int(after["inference_count"]) - int(before["inference_count"])
            executions = int(after["execution_count"]) - int(before["execution_count"])
            print(f"four streams: {inferences} requests in {executions} executions")
            check(executions < inferences, "four streams: Triton ran several sequences' requests in one execution")
            for i, name in enumerate(names):
                same_frames(together[name], alone[i], f"stream {i} of four")

        # 3. The server killed mid-stream, then started again on the same ports. 18 s of live video: the
        # new server is ready some 3-7 s after the kill, and the element's back-off (at most 4 s)
        # must find it while inputs still come.
        inputs = 540
        live = (f"videotestsrc is-live=true num-buffers={inputs} pattern=ball ! "
                "video/x-raw,format=I420,width=64,height=48,framerate=30/1 ! "
                f"{rife('server=grpc://127.0.0.1:{port} server-timeout=2000 name=r')} ! "
                "appsink name=s sync=false wait-on-eos=false")
        server = LocalServer(repo, os.path.join(tmp, "server2.log"))
        ports = (server.http, server.grpc, server.metrics)
        events = {}

        def kill_and_restart(pipeline):
            def later():
                time.sleep(1.5)
                events["interpolated_before"] = pipeline.get_by_name("r").get_property("frames-interpolated")
                os.killpg(server.process.pid, signal.SIGKILL)  # the server and its stubs, by PID
                server.process.wait()
                time.sleep(1.0)
                events["restarted"] = LocalServer(repo, os.path.join(tmp, "server3.log"), ports=ports)
            import threading
            threading.Thread(target=later, daemon=True).start()

        started = time.monotonic()
        frames, counters, warnings, error = run(live.format(port=ports[1]), on_started=kill_and_restart,
                                                timeout_s=120)
        seconds = time.monotonic() - started
        restarted = events.get("restarted")
        try:
            c = counters.get("r", {})
            out = frames["s"]
            print(f"server lost and back: {seconds:.1f} s, counters {c}, warnings {warnings}")
            check(error is None, f"server lost and back: no error ({error})")
            check(len(out) == 2 * inputs - 1,
                  f"server lost and back: every input out ({len(out)} frames of {2 * inputs - 1})")
            pts = [p for p, _, _ in out]
            check(all(b > a for a, b in zip(pts, pts[1:])), "server lost and back: in order")
            check(c.get("frames-skipped", 0) > 0, "server lost and back: held frames while it was down, counted")
            check(any("unavailable" in w for w in warnings), "server lost and back: a warning says so")
            check(c.get("frames-interpolated", 0) > events.get("interpolated_before", 1 << 30),
                  "server lost and back: interpolation resumed")
        finally:
            if restarted:
                restarted.stop()
            server.stop()

        # 4. Requests past their timeout (a 1 ms timeout: none can be answered).
        with LocalServer(repo, os.path.join(tmp, "server4.log")) as server:
            frames, counters, warnings, error = run(car_turn(rife(f"server=grpc://127.0.0.1:{server.grpc} "
                                                                  "server-timeout=1 name=r")), timeout_s=120)
            c = counters.get("r", {})
            check(error is None and len(frames["s"]) == 161, f"timeouts: every input out ({error})")
            check(c.get("frames-skipped", 0) > 0 and c.get("frames-interpolated", 1) == 0,
                  f"timeouts: held frames, counted ({c})")

            # 5. Start-up errors name the server and what is wrong.
            def start_error(extra):
                _, _, _, e = run(car_turn(rife(extra)), timeout_s=60)
                return e or ""
            e = start_error("server=http://127.0.0.1:8000")
            check("is not a server address" in e and "grpc://host:port" in e, f"bad URL: {e}")
            e = start_error("server=grpc://127.0.0.1:1 server-timeout=2000")
            check("Cannot use the RIFE server grpc://127.0.0.1:1" in e and "no answer" in e, f"nothing there: {e}")
            e = start_error(f"server=grpc://127.0.0.1:{server.grpc} server-model=nope")
            check("model 'nope'" in e and "no such model" in e, f"unknown model: {e}")

        # TLS: the server's certificate signed by one CA, the client trusting another.
        ca_good, ca_bad = (os.path.join(tmp, n) for n in ("ca-good", "ca-bad"))
        for ca in (ca_good, ca_bad):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj",
                            "/CN=rife test CA", "-keyout", ca + ".key", "-out", ca + ".pem"], check=True,
                           capture_output=True)
        key, csr, cert = (os.path.join(tmp, n) for n in ("server.key", "server.csr", "server.pem"))
        subprocess.run(["openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", key,
                        "-out", csr], check=True, capture_output=True)
        ext = os.path.join(tmp, "ext.cnf")
        open(ext, "w").write("subjectAltName=IP:127.0.0.1\n")
        subprocess.run(["openssl", "x509", "-req", "-in", csr, "-CA", ca_good + ".pem", "-CAkey", ca_good + ".key",
                        "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", cert], check=True,
                       capture_output=True)
        tls = ["--grpc-use-ssl=true", f"--grpc-server-cert={cert}", f"--grpc-server-key={key}"]
        with LocalServer(repo, os.path.join(tmp, "server5.log"), extra_args=tls) as server:
            good, _, _, error = run(car_turn(rife(f"server=grpcs://127.0.0.1:{server.grpc} server-ca={ca_good}.pem")))
            check(error is None and len(good["s"]) == 161, f"TLS with the right CA: frames ({error})")
            e = start_error(f"server=grpcs://127.0.0.1:{server.grpc} server-ca={ca_bad}.pem server-timeout=3000")
            check(f"Cannot use the RIFE server grpcs://127.0.0.1:{server.grpc}" in e, f"TLS with the wrong CA: {e}")

        # A server whose answers are malformed.
        with LocalServer(repository(tmp, bad=True), os.path.join(tmp, "server6.log")) as server:
            e = run(car_turn(rife(f"server=grpc://127.0.0.1:{server.grpc} server-model=rife_bad")), timeout_s=120)[3]
            check(e is not None and "malformed answer" in e and "rife_bad" in e, f"malformed tensors: {e}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\n{'all passed' if failures == 0 else f'{failures} FAILED'}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
