#!/usr/bin/python3
"""Embedding rife in a Python application with PyGObject: a pipeline built in code around the
element, its properties set, its `rife-stats` messages read from the bus, and the frames it makes
pulled from an appsink into numpy arrays with their timestamps.

  /usr/bin/python3 pipelines/embed.py [--uri URI] [--model FILE] [--device D] [--scale S] [--frames N]

Without --uri a moving test pattern at 30 fps is doubled to 60; with it, any URI GStreamer plays
(file:///..., rtsp://...). Use Debian's Python (python3-gi, python3-numpy; ./setup.sh installs them)
with GST_PLUGIN_PATH naming the plugin's folder (build/gst-plugin, or the installed one)."""

import argparse
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import Gst, GstApp, GstVideo  # noqa: E402,F401  (GstApp: appsink's pull methods)
import numpy as np  # noqa: E402


def _make(factory, **properties):
    element = Gst.ElementFactory.make(factory)
    if element is None:
        raise RuntimeError(f"the {factory} element is not installed"
                           + (" where GStreamer looks (set GST_PLUGIN_PATH)" if factory == "rife" else ""))
    for name, value in properties.items():
        element.set_property(name.replace("_", "-"), value)
    return element


def _to_array(sample):
    """The frame as an H x W x 3 uint8 array (RGB), rows read with the buffer's own stride."""
    info = GstVideo.VideoInfo.new_from_caps(sample.get_caps())
    buffer = sample.get_buffer()
    ok, mapping = buffer.map(Gst.MapFlags.READ)
    if not ok:
        raise RuntimeError("cannot read a frame")
    try:
        stride = info.stride[0]
        rows = np.frombuffer(mapping.data, dtype=np.uint8, count=stride * info.height).reshape(info.height, stride)
        return rows[:, : info.width * 3].reshape(info.height, info.width, 3).copy()
    finally:
        buffer.unmap(mapping)


def _structure_dict(structure):
    return {structure.nth_field_name(i): structure.get_value(structure.nth_field_name(i))
            for i in range(structure.n_fields())}


def interpolate(frames=30, uri=None, model=None, device="auto", scale=0.0, stats_interval=0.25):
    """Runs source ! videoconvert ! RGB ! rife ! appsink to the end of the stream.

    Returns (frames, stats, caps): frames as [(pts ns, duration ns, array)], stats as one dict per
    rife-stats message, caps the negotiated output caps as text. Raises RuntimeError with the
    pipeline's error (e.g. a missing weights file) when it fails."""
    Gst.init(None)
    pipeline = Gst.Pipeline.new("embed")
    convert = _make("videoconvert")
    rgb = _make("capsfilter", caps=Gst.Caps.from_string("video/x-raw,format=RGB"))
    rife = _make("rife", device=device, scale=float(scale), stats_interval=float(stats_interval))
    if model:
        rife.set_property("model-path", model)
    sink = _make("appsink", sync=False, emit_signals=False)
    for element in (convert, rgb, rife, sink):
        pipeline.add(element)
    convert.link(rgb)
    rgb.link(rife)
    rife.link(sink)
    if uri:
        source = _make("uridecodebin", uri=uri)
        pipeline.add(source)
        source.connect("pad-added", lambda _, pad: pad.query_caps(None).to_string().startswith("video/")
                       and not convert.get_static_pad("sink").is_linked()
                       and pad.link(convert.get_static_pad("sink")))
    else:
        source = _make("videotestsrc", pattern="ball", num_buffers=frames)
        size = _make("capsfilter", caps=Gst.Caps.from_string("video/x-raw,width=320,height=180,framerate=30/1"))
        pipeline.add(source)
        pipeline.add(size)
        source.link(size)
        size.link(convert)

    bus = pipeline.get_bus()
    pulled, stats, caps = [], [], None

    def read_bus():
        while (message := bus.pop()) is not None:
            if message.type == Gst.MessageType.ERROR:
                error, debug = message.parse_error()
                # The debug text's last line names the real cause (which file, which reason).
                reason = ((debug or "").strip().splitlines() or [""])[-1]
                raise RuntimeError(f"{message.src.get_name()}: {error.message}" + (f" ({reason})" if reason else ""))
            structure = message.get_structure()
            if message.type == Gst.MessageType.ELEMENT and structure and structure.get_name() == "rife-stats":
                stats.append(_structure_dict(structure))

    try:
        if pipeline.set_state(Gst.State.PLAYING) == Gst.StateChangeReturn.FAILURE:
            read_bus()
            raise RuntimeError("the pipeline cannot start")
        while True:
            sample = sink.try_pull_sample(100 * Gst.MSECOND)
            read_bus()
            if sample is not None:
                caps = caps or sample.get_caps().to_string()
                buffer = sample.get_buffer()
                pulled.append((buffer.pts, buffer.duration, _to_array(sample)))
            elif sink.is_eos():
                break
        read_bus()
    finally:
        pipeline.set_state(Gst.State.NULL)
    return pulled, stats, caps


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uri")
    parser.add_argument("--model", help="weights file (default: the element's default model)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--scale", type=float, default=0.0, help="rife's flow scale (0 = automatic)")
    parser.add_argument("--frames", type=int, default=60, help="test-pattern frames (without --uri)")
    args = parser.parse_args()
    try:
        frames, stats, caps = interpolate(args.frames, args.uri, args.model, args.device, args.scale)
    except RuntimeError as error:
        print(f"embed.py: {error}", file=sys.stderr)
        return 1
    print(f"caps: {caps}")
    for k, (pts, duration, array) in enumerate(frames):
        print(f"frame {k} at {pts / Gst.SECOND:.6f} s for {duration / Gst.SECOND:.6f} s: "
              f"{array.shape[1]}x{array.shape[0]} RGB, mean {array.mean():.1f}")
    for s in stats:
        print("rife-stats: " + ", ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in s.items()))
    in_order = all(b[0] > a[0] for a, b in zip(frames, frames[1:]))
    print(f"pulled {len(frames)} frames, {len(stats)} rife-stats messages, timestamps "
          + ("in order" if in_order else "OUT OF ORDER"))
    return 0 if in_order else 1


if __name__ == "__main__":
    sys.exit(main())
