"""The `rife` model for Triton's Python backend: each client stream is one Triton sequence, whose
previous prepared frame the server keeps (rife_sequences.py); the requests of the sequences Triton's
sequence batcher hands over together run in one forward pass. Parameters (config.pbtxt):
model_path (empty: $RIFE_MODEL_PATH, else the default model of the rife module's build or install),
device (auto: the instance group's, cuda:N for KIND_GPU, cpu for KIND_CPU), precision, batch_wait_us.
Sequences idle longer than sequence_batching.max_sequence_idle_microseconds are dropped.
"""
import json
import os
import sys
import threading

import triton_python_backend_utils as pb_utils

# The stub's interpreter is isolated from PYTHONPATH: serve.sh names the engine module's folder (the
# build tree's) in RIFE_PYTHONPATH instead. An installed module is on Debian's path already.
for folder in reversed([p for p in os.environ.get("RIFE_PYTHONPATH", "").split(":") if p]):
    sys.path.insert(0, folder)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

INPUTS = ("CORRID", "START", "END", "FRAME", "FORMAT", "GEOMETRY", "TIMESTEPS", "SCALE", "ENSEMBLE")


def _parameter(config, key, default):
    value = config.get("parameters", {}).get(key, {}).get("string_value", "")
    return value if value != "" else default


def _error(message, invalid_argument=True):
    code = getattr(pb_utils.TritonError, "INVALID_ARG" if invalid_argument else "INTERNAL", None)
    return pb_utils.TritonError(message) if code is None else pb_utils.TritonError(message, code)


class TritonPythonModel:
    def initialize(self, args):
        try:
            import rife  # the engine's module: the build's (RIFE_PYTHONPATH), or installed
        except ImportError as e:
            raise RuntimeError(
                f"rife model: cannot import the engine's Python module 'rife' ({e}); sys.path = {sys.path}. "
                "Build the project (ninja -C build) and start the server with models/triton/serve.sh, which "
                "names build/python in RIFE_PYTHONPATH, or install it (meson install)") from e
        import rife_sequences

        self._protocol = rife_sequences
        config = json.loads(args["model_config"])
        device = _parameter(config, "device", "auto")
        if device == "auto":
            device = f"cuda:{args['model_instance_device_id']}" if args["model_instance_kind"] == "GPU" else "cpu"
        options = {
            "model_path": _parameter(config, "model_path", "") or rife.default_model_path(),
            "device": device,
            "precision": _parameter(config, "precision", "auto"),
            "batch_wait_us": int(_parameter(config, "batch_wait_us", "5000")),
        }
        idle_us = int(config.get("sequence_batching", {}).get("max_sequence_idle_microseconds", 60_000_000))
        # Loaded now, and kept: a bad model file fails the model's load (not the first sequence), and
        # the model stays loaded while no sequence is open (sequences' engines share it).
        self._anchor = rife.Engine(**options)
        self.sequences = rife_sequences.Sequences(options, idle_us / 1e6)
        pb_utils.Logger.log_info(
            f"rife: {self._anchor.model_version} from {options['model_path']} on {self._anchor.device} "
            f"({self._anchor.precision}), batch wait {options['batch_wait_us']} us, idle timeout {idle_us / 1e6:g} s")

        self._gauge = None
        if hasattr(pb_utils, "MetricFamily"):
            family = pb_utils.MetricFamily(name="rife_open_sequences",
                                           description="Sequences whose previous frame this model instance keeps",
                                           kind=pb_utils.MetricFamily.GAUGE)
            labels = {"model": args["model_name"], "instance": args["model_instance_name"]}
            self._gauge = family.Metric(labels=labels)
            shared = pb_utils.MetricFamily(name="rife_shared_interpolations_total",
                                           description="Interpolation requests whose forward pass held other "
                                                       "sequences' work too",
                                           kind=pb_utils.MetricFamily.COUNTER)
            self._families = (family, shared)
            self._shared = shared.Metric(labels=labels)
            self._shared_counted = 0
        self._stop = threading.Event()
        self._sweeper = threading.Thread(target=self._sweep, name="rife-idle-sweep", daemon=True)
        self._sweeper.start()

    def _sweep(self):
        interval = max(0.05, min(1.0, self.sequences.idle_timeout_s / 4))
        while not self._stop.wait(interval):
            if self.sequences.sweep():
                self._count_open()

    def _count_open(self):
        if self._gauge is not None:
            self._gauge.set(len(self.sequences))

    def _count_shared(self):  # execute() only: the sweeper thread does not touch it
        shared = self.sequences.shared_interpolations
        if self._gauge is not None and shared > self._shared_counted:
            self._shared.increment(shared - self._shared_counted)
            self._shared_counted = shared

    def _read(self, request):
        inputs = {}
        for name in INPUTS:
            tensor = pb_utils.get_input_tensor_by_name(request, name)
            if tensor is not None:
                inputs[name] = tensor.as_numpy()
        try:
            return self._protocol.parse(inputs)
        except self._protocol.RequestError as e:
            return e
        except Exception as e:  # a tensor no check foresaw: this request's error, not its batch's
            return self._protocol.RequestError(f"cannot read the request: {e!r}")

    def execute(self, requests):
        results = self.sequences.run([self._read(request) for request in requests])
        self._count_open()
        self._count_shared()
        responses = []
        for result in results:
            if isinstance(result, self._protocol.RequestError):
                responses.append(pb_utils.InferenceResponse(output_tensors=[],
                                                            error=_error(str(result), result.invalid_argument)))
            else:
                responses.append(pb_utils.InferenceResponse(
                    output_tensors=[pb_utils.Tensor("FRAMES", result.reshape(1, -1))]))
        return responses

    def finalize(self):
        self._stop.set()
        self._sweeper.join()
