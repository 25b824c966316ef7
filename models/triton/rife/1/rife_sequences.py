"""The server side of the gst-rife Triton protocol, without Triton: requests read from their numpy
tensors and checked, one state per sequence (its rife.Engine on the shared model, its geometry, its
previous prepared frame), and the requests of several sequences run together in one forward pass
(rife.run_together). model.py turns Triton's requests into these and the results into responses.

The protocol (inputs, outputs, semantics) is README's "Serving" section; errors are RequestError,
whose message names the input and the values.
"""
import threading
import time

import numpy as np

import rife

SCALES = (0.0, 0.25, 0.5, 1.0, 2.0, 4.0)
MATRICES = ("BT601", "BT709", "BT2020", "SMPTE240M")


class RequestError(Exception):
    """A request the protocol refuses (the client's to fix), or one the engine could not compute."""

    def __init__(self, message, invalid_argument=True):
        super().__init__(message)
        self.invalid_argument = invalid_argument


class Request:
    """One request's inputs, checked against each other (not yet against its sequence)."""

    __slots__ = ("corrid", "start", "end", "frame", "format", "geometry", "timesteps", "scale", "ensemble")

    def key(self):
        """What a sequence keeps from its START: a request that differs needs a new sequence."""
        return (self.format, self.geometry, self.scale)


def _one_row(inputs, name, dtype, width=None):
    """The tensor `name` as its single batch row (every request carries one frame: batch size 1)."""
    if name not in inputs:
        raise RequestError(f"{name} is missing")
    value = inputs[name]
    if value.ndim != 2 or value.shape[0] != 1:
        raise RequestError(f"{name} has shape {list(value.shape)}: one request carries one frame (batch size 1)")
    row = value[0]
    if dtype is not None and row.dtype != dtype:
        raise RequestError(f"{name} has datatype {row.dtype}, expected {np.dtype(dtype)}")
    if width is not None and row.shape[0] != width:
        raise RequestError(f"{name} has {row.shape[0]} elements, expected {width}")
    return row


def parse(inputs):
    """A Request from {name: numpy array with the batch dimension}; RequestError names what is wrong."""
    r = Request()
    r.corrid = int(_one_row(inputs, "CORRID", None, 1)[0])
    r.start = bool(_one_row(inputs, "START", None, 1)[0])
    r.end = bool(_one_row(inputs, "END", None, 1)[0])

    raw_format = _one_row(inputs, "FORMAT", None, 1)[0]
    r.format = raw_format.decode("utf-8", "replace") if isinstance(raw_format, bytes) else str(raw_format)
    if r.format not in rife.formats():
        raise RequestError(f"FORMAT {r.format!r} is not a format the engine takes (known: {' '.join(rife.formats())})")

    g = [int(v) for v in _one_row(inputs, "GEOMETRY", np.int32, 4)]
    width, height, matrix, full_range = g
    if not (2 <= width <= 16384 and 2 <= height <= 16384):
        raise RequestError(f"GEOMETRY {g}: width and height must be 2..16384")
    if not 0 <= matrix < len(MATRICES):
        raise RequestError(f"GEOMETRY {g}: matrix {matrix} is not 0 (BT601), 1 (BT709), 2 (BT2020) or 3 (SMPTE240M)")
    if full_range not in (0, 1):
        raise RequestError(f"GEOMETRY {g}: full_range {full_range} is not 0 or 1")
    r.geometry = (width, height, matrix, full_range)

    r.frame = _one_row(inputs, "FRAME", np.uint8)
    expected = rife.frame_bytes(width, height, r.format)
    if r.frame.shape[0] != expected:
        planes = " + ".join(f"{rows}x{row_bytes}" for rows, row_bytes in rife.plane_shapes(width, height, r.format))
        raise RequestError(f"FRAME has {r.frame.shape[0]} bytes; GEOMETRY {g} FORMAT {r.format} needs {expected} "
                           f"(planes of rows x row bytes: {planes}, rows unpadded)")

    ts = _one_row(inputs, "TIMESTEPS", np.float32)
    if not np.all((ts > 0.0) & (ts < 1.0)):
        raise RequestError(f"TIMESTEPS {ts.tolist()}: each must be in (0, 1)")
    r.timesteps = ts.tolist()
    if r.start and r.timesteps:
        raise RequestError(f"TIMESTEPS {r.timesteps} on START: a sequence's first frame has no previous frame; "
                           "send TIMESTEPS empty (shape [1, 0])")

    r.scale = float(_one_row(inputs, "SCALE", np.float32, 1)[0])
    if r.scale not in SCALES:
        raise RequestError(f"SCALE {r.scale:g} is not 0 (auto), 0.25, 0.5, 1, 2 or 4")
    r.ensemble = int(_one_row(inputs, "ENSEMBLE", np.int32, 1)[0])
    if r.ensemble not in (0, 1, 2):
        raise RequestError(f"ENSEMBLE {r.ensemble} is not 0 (none), 1 (time) or 2 (time+flip)")
    return r


class Sequence:
    __slots__ = ("engine", "key", "previous", "last_used")

    def __init__(self, engine, key):
        self.engine = engine
        self.key = key
        self.previous = None
        self.last_used = time.monotonic()


def _describe(key):
    fmt, (w, h, m, r), scale = key
    return f"FORMAT {fmt} GEOMETRY [{w}, {h}, {m}, {r}] SCALE {scale:g}"


class Sequences:
    """Every open sequence of one model instance, keyed by correlation id. Thread-safe: execute()
    runs them, a sweeper thread drops the idle ones."""

    def __init__(self, engine_options, idle_timeout_s):
        self.engine_options = dict(engine_options)
        self.idle_timeout_s = idle_timeout_s
        self._lock = threading.Lock()
        self._open = {}
        # Interpolation requests whose forward pass held other sequences' work too (cumulative).
        self.shared_interpolations = 0

    def __len__(self):
        with self._lock:
            return len(self._open)

    def sweep(self, now=None):
        """Drops the sequences idle longer than the timeout; returns how many."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [c for c, s in self._open.items() if now - s.last_used > self.idle_timeout_s]
            for corrid in idle:
                del self._open[corrid]
        return len(idle)

    def _start(self, r):
        engine = rife.Engine(scale=r.scale, **self.engine_options)
        w, h, matrix, full_range = r.geometry
        try:
            engine.configure(w, h, r.format, matrix=matrix, full_range=bool(full_range))
        except (rife.Error, ValueError) as e:
            raise RequestError(f"GEOMETRY {list(r.geometry)} FORMAT {r.format}: {e}")
        return Sequence(engine, r.key())

    def _sequence_for(self, r):
        if r.start:
            return self._start(r)
        with self._lock:
            sequence = self._open.get(r.corrid)
        if sequence is None:
            raise RequestError(f"CORRID {r.corrid}: no such sequence on this server (never started, ended, or idle "
                               f"for more than {self.idle_timeout_s:g} s): send START with its first frame")
        if r.key() != sequence.key:
            raise RequestError(f"{_describe(r.key())} differs from the sequence's START ({_describe(sequence.key)}): "
                               "end the sequence and start a new one")
        if r.timesteps and sequence.previous is None:
            raise RequestError(f"CORRID {r.corrid}: the sequence has no previous frame (its START failed)")
        return sequence

    def run(self, requests):
        """Runs checked requests (each a Request, or a RequestError already) together; returns one
        result per request: the FRAMES bytes (1-D uint8) or a RequestError."""
        results = list(requests)
        pending = [i for i, r in enumerate(requests) if isinstance(r, Request)]
        while pending:
            # One request per sequence in a round (Triton's sequence batcher gives at most one anyway).
            this_round, later, seen = [], [], set()
            for i in pending:
                (later if requests[i].corrid in seen else this_round).append(i)
                seen.add(requests[i].corrid)
            self._run_round(requests, this_round, results)
            pending = later
        return results

    def _run_round(self, requests, indices, results):
        jobs, members = [], []
        for i in indices:
            r = requests[i]
            try:
                sequence = self._sequence_for(r)
            except RequestError as e:
                results[i] = e
                continue
            except rife.Error as e:
                results[i] = RequestError(f"the engine could not start the sequence: {e}", invalid_argument=False)
                continue
            members.append((i, sequence))
            jobs.append((sequence.engine, r.frame, sequence.previous if r.timesteps else None, r.timesteps,
                         r.ensemble))
        shared_before = [s.engine.batch_stats["cross_stream"] for _, s in members]
        outcomes = rife.run_together(jobs)
        for (i, sequence), outcome, before in zip(members, outcomes, shared_before):
            if sequence.engine.batch_stats["cross_stream"] > before:
                self.shared_interpolations += 1
            r = requests[i]
            if isinstance(outcome, BaseException):
                results[i] = RequestError(f"CORRID {r.corrid}: {outcome}", invalid_argument=isinstance(outcome, ValueError))
                if r.start or r.end:
                    self._drop(r.corrid)
                continue
            sequence.previous, frames = outcome
            sequence.last_used = time.monotonic()
            results[i] = (np.concatenate([f.view(np.uint8) for f in frames]) if frames
                          else np.zeros(0, np.uint8))
            with self._lock:
                if r.end:
                    self._open.pop(r.corrid, None)
                else:
                    self._open[r.corrid] = sequence

    def _drop(self, corrid):
        with self._lock:
            self._open.pop(corrid, None)
