"""What a media file holds, read back with GStreamer (PyGObject, Debian's /usr/bin/python3): each
elementary stream as the demuxer gives it (caps, timestamps) and every decoded video frame and
audio sample, so that tests judge the files rife-convert writes by reading them fully."""

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstApp", "1.0")
from gi.repository import Gst, GstApp  # noqa: E402

Gst.init(None)


def _run_to_appsinks(launch_head, timeout_s=120):
    """Runs `launch_head` (ending in a bin named src with sometimes-pads) with an appsink on every
    pad; returns [(caps, [buffers as (running time, duration, size)])] per pad and the first error
    message (None when the file was read to its end). Running time, not the raw PTS: demuxers
    apply edit lists through the segment, and that is the time players and muxers go by."""
    pipeline = Gst.parse_launch(launch_head)
    source = pipeline.get_by_name("src")
    streams = []

    def on_sample(sink, record):
        sample = sink.pull_sample()
        buf = sample.get_buffer()
        if record[0] is None:
            record[0] = sample.get_caps().to_string()
        running = sample.get_segment().to_running_time(Gst.Format.TIME, buf.pts)
        record[1].append((running, buf.duration, buf.get_size()))
        return Gst.FlowReturn.OK

    def on_pad(element, pad):
        caps = pad.get_current_caps() or pad.query_caps(None)
        sink = Gst.ElementFactory.make("appsink")
        sink.set_property("sync", False)
        sink.set_property("emit-signals", True)
        record = [None, []]
        streams.append(record)
        sink.connect("new-sample", on_sample, record)
        queue = Gst.ElementFactory.make("queue")
        pipeline.add(queue)
        pipeline.add(sink)
        queue.link(sink)
        queue.sync_state_with_parent()
        sink.sync_state_with_parent()
        pad.link(queue.get_static_pad("sink"))

    source.connect("pad-added", on_pad)
    pipeline.set_state(Gst.State.PLAYING)
    msg = pipeline.get_bus().timed_pop_filtered(timeout_s * Gst.SECOND, Gst.MessageType.EOS | Gst.MessageType.ERROR)
    error = None
    if msg is None:
        error = "timed out"
    elif msg.type == Gst.MessageType.ERROR:
        error = msg.parse_error()[0].message
    pipeline.set_state(Gst.State.NULL)
    return [(caps, buffers) for caps, buffers in streams], error


def elementary_streams(path):
    """Each stream as parsed from the file, not decoded: [(caps string, [(time, duration, size)])]."""
    return _run_to_appsinks(f'filesrc location="{path}" ! parsebin name=src')


def decoded_streams(path):
    """Each stream decoded: [(caps string, [(time, duration, size)])], and the error if any."""
    return _run_to_appsinks(f'filesrc location="{path}" ! decodebin name=src')


def media_type(caps):
    return caps.split(",")[0].strip()


def span(buffers):
    """(first time, end of the last buffer) in nanoseconds."""
    first = min(b[0] for b in buffers)
    last = max(buffers, key=lambda b: b[0])
    return first, last[0] + (last[1] if last[1] != Gst.CLOCK_TIME_NONE else 0)
