"""serve.sh on this machine from Python, for tests and measurements: on 127.0.0.1 with free ports, in
a process group of its own (the server and its Python stubs), waited for until /v2/health/ready,
and stopped by that group's id, never by name.

    kill_servers_on_sigterm()        # once, in a test or script
    with LocalServer(repository, log_path) as server:
        server.grpc, server.http, server.metrics, server.startup_s, server.stats(), server.metric(name)
"""
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

SERVE_SH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "serve.sh")
_running = []  # the servers this process started and has not stopped


def kill_servers_on_sigterm():
    """At SIGTERM (a test runner's timeout, say) kill every server this process started, at once
    (its process group, SIGKILL), then exit 143: Python's default would exit without `finally`
    blocks, and the servers, in sessions of their own, would outlive it."""
    def handler(signum, frame):
        for server in list(_running):
            try:
                os.killpg(server.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        os._exit(128 + signum)
    signal.signal(signal.SIGTERM, handler)


def free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class LocalServer:
    def __init__(self, repository, log_path, ready_timeout_s=180, env=None, ports=None, extra_args=()):
        """ports: (http, grpc, metrics) to use again (a restarted server); extra_args: tritonserver's
        own options (e.g. TLS)."""
        self.http, self.grpc, self.metrics = ports or free_ports(3)
        self.log_path = log_path
        self.log = open(log_path, "w")
        started = time.monotonic()
        self.process = subprocess.Popen(
            ["bash", SERVE_SH, "--model-repository", repository, "--http-port", str(self.http),
             "--grpc-port", str(self.grpc), "--metrics-port", str(self.metrics)] +
            (["--"] + list(extra_args) if extra_args else []),
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
        _running.append(self)
        try:
            self._wait_ready(started, ready_timeout_s)
        except BaseException:
            self.stop()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def get(self, path, port=None):
        """(HTTP status, body) of a GET on the server, (None, "") when nothing answers."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port or self.http}{path}", timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except (urllib.error.URLError, ConnectionError):
            return None, ""

    def _wait_ready(self, started, timeout_s):
        while time.monotonic() - started < timeout_s:
            if self.process.poll() is not None:
                raise RuntimeError(f"tritonserver exited ({self.process.returncode}):\n{self.tail()}")
            if self.get("/v2/health/ready")[0] == 200:
                self.startup_s = time.monotonic() - started
                return
            time.sleep(0.05)
        raise RuntimeError(f"tritonserver not ready after {timeout_s} s:\n{self.tail()}")

    def tail(self, lines=40):
        if not self.log.closed:
            self.log.flush()
        with open(self.log_path) as f:
            return "".join(f.readlines()[-lines:])

    def stop(self):
        """SIGTERM to the server (serve.sh exec'd it: its PID), then SIGKILL to its process group for
        whatever is left after 30 s, or after it exited (a stub it could not stop)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        if self in _running:
            _running.remove(self)
        if not self.log.closed:
            self.log.close()

    def stats(self, model="rife"):
        """The model's entry of Triton's statistics (/v2/models/MODEL/stats)."""
        status, text = self.get(f"/v2/models/{model}/stats")
        if status != 200:
            raise RuntimeError(f"stats: HTTP {status} {text}")
        return json.loads(text)["model_stats"][0]

    def metric(self, name):
        """The sum of a Prometheus metric's series on the metrics port, None when it has none."""
        _, text = self.get("/metrics", self.metrics)
        values = [float(m.group(1)) for m in re.finditer(rf"^{name}{{[^}}]*}} (\S+)$", text, re.M)]
        return sum(values) if values else None


def per_request_ms(after, before, field):
    """Mean ms per request of one of Triton's inference_stats fields ("queue", "compute_infer", ...)
    between two stats() snapshots of a model."""
    a, b = after["inference_stats"][field], before["inference_stats"][field]
    count = int(a["count"]) - int(b["count"])
    return (int(a["ns"]) - int(b["ns"])) / max(1, count) / 1e6
