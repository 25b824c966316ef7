#!/usr/bin/python3
"""pipelines/embed.py, the PyGObject example, checked on what it pulls: 20 test-pattern frames at
30 fps become 39 at 60 fps on the exact output grid, as RGB numpy arrays; every other one is a
source frame bit for bit, the ones between differ from both neighbours; rife-stats messages came
from the bus; the script itself runs and exits 0.

  test_embed_py.py pipelines/embed.py MODEL   (Debian's /usr/bin/python3; MODEL: random weights)"""

import importlib.util
import subprocess
import sys

import numpy as np

embed_path, model = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("embed", embed_path)
embed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(embed)
Gst = embed.Gst

SOURCE_FRAMES = 20
frames, stats, caps = embed.interpolate(frames=SOURCE_FRAMES, model=model, device="cpu", scale=1, stats_interval=0.1)
print(f"caps {caps}; {len(frames)} frames; {len(stats)} rife-stats messages")
assert "framerate=(fraction)60/1" in caps and "format=(string)RGB" in caps, caps
assert len(frames) == (SOURCE_FRAMES - 1) * 2 + 1, len(frames)
first = frames[0][0]
for k, (pts, duration, array) in enumerate(frames):
    assert pts - first == k * Gst.SECOND // 60, (k, pts - first)  # gst_util_uint64_scale(k, GST_SECOND, 60)
    assert duration == (k + 1) * Gst.SECOND // 60 - k * Gst.SECOND // 60, (k, duration)
    assert array.shape == (180, 320, 3) and array.dtype == np.uint8, (k, array.shape, array.dtype)

# The same source without rife: the even outputs are its frames exactly.
Gst.init(None)
pipeline = Gst.parse_launch(f"videotestsrc pattern=ball num-buffers={SOURCE_FRAMES} ! "
                            "video/x-raw,width=320,height=180,framerate=30/1 ! videoconvert ! video/x-raw,format=RGB ! "
                            "appsink name=sink sync=false")
sink = pipeline.get_by_name("sink")
pipeline.set_state(Gst.State.PLAYING)
source = []
while (sample := sink.try_pull_sample(5 * Gst.SECOND)) is not None:
    source.append(embed._to_array(sample))
pipeline.set_state(Gst.State.NULL)
assert len(source) == SOURCE_FRAMES, len(source)
for k, (_, _, array) in enumerate(frames):
    if k % 2 == 0:
        assert np.array_equal(array, source[k // 2]), f"output {k} is not source frame {k // 2}"
    else:
        assert not np.array_equal(array, source[k // 2]) and not np.array_equal(array, source[k // 2 + 1]), \
            f"output {k} is a copy of a neighbour, not an interpolation"

assert stats, "no rife-stats message was read from the bus"
assert all("fps-in" in s and "interpolated" in s for s in stats), stats[0]
assert sum(s["interpolated"] for s in stats) <= SOURCE_FRAMES - 1

r = subprocess.run([sys.executable, embed_path, "--model", model, "--device", "cpu", "--scale", "1", "--frames", "6"],
                   capture_output=True, text=True, timeout=300)
print(r.stdout[-400:], r.stderr)
assert r.returncode == 0 and "pulled 11 frames" in r.stdout and "timestamps in order" in r.stdout, r.returncode
r = subprocess.run([sys.executable, embed_path, "--model", "/nonexistent/weights.pkl", "--device", "cpu", "--frames", "3"],
                   capture_output=True, text=True, timeout=300)
lines = [line for line in r.stderr.splitlines() if line.strip()]
assert r.returncode == 1 and len(lines) == 1 and "/nonexistent/weights.pkl" in lines[0], (r.returncode, r.stderr)
print(f"missing weights: {lines[0]}")
print("embed.py: frames, timestamps, stats and errors as documented")
