#!/usr/bin/python3
"""rife-convert run as a user runs it, its files read back fully with GStreamer.

  test_rife_convert.py RIFE_CONVERT MODEL TESTDATA

A clip with sound is made here: the car-turn video (81 frames at 25 fps; scaled to 320x180 to keep
the test cheap) with a 440 Hz tone of the same length, as MP4 (AAC) and as Matroska (Opus, plus a
subtitle track). MODEL is the random-weight fixture: what is judged here is the file, not the
interpolation. Runs under Debian's /usr/bin/python3 (python3-gi)."""

import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import media_facts  # noqa: E402
from media_facts import Gst  # noqa: E402

convert, model, testdata = sys.argv[1:4]
FRAMES_IN = 81
FRAMES_OUT = (FRAMES_IN - 1) * 2 + 1
OUTPUT_FRAME = Gst.SECOND // 50
RIFE = ["--set", f"model-path={model}", "--set", "scale=1", "--set", "device=cpu"]
failures = []


def check(condition, what):
    print(("ok   " if condition else "FAIL ") + what)
    if not condition:
        failures.append(what)


def gst_launch(description):
    subprocess.run(["gst-launch-1.0", "-q"] + description.split(), check=True, timeout=300)


def make_clips(folder):
    car_turn = os.path.join(testdata, "davis-car-turn", "car-turn.mp4")
    video = (f"filesrc location={car_turn} ! qtdemux ! h264parse ! avdec_h264 ! videoscale ! "
             "video/x-raw,width=320,height=180 ! x264enc ! queue")
    # 3.24 s of tone: 162 buffers of 960 samples at 48 kHz, as long as the 81 frames.
    tone = "audiotestsrc wave=sine freq=440 samplesperbuffer=960 num-buffers=162 ! audio/x-raw,rate=48000,channels=2"
    mp4 = os.path.join(folder, "clip.mp4")
    gst_launch(f"{video} ! mp4mux name=m ! filesink location={mp4} {tone} ! voaacenc ! queue ! m.")
    srt = os.path.join(folder, "clip.srt")
    with open(srt, "w") as f:
        f.write("1\n00:00:00,500 --> 00:00:01,500\nthe car turns\n\n2\n00:00:02,000 --> 00:00:03,000\nstill turning\n")
    mkv = os.path.join(folder, "clip.mkv")
    gst_launch(f"{video} ! matroskamux name=m ! filesink location={mkv} {tone} ! opusenc ! queue ! m. "
               f"filesrc location={srt} ! subparse ! queue ! m.")
    return mp4, mkv


def run(args, **kwargs):
    return subprocess.run([convert] + args, capture_output=True, text=True, timeout=600, **kwargs)


def streams_by_type(path, decoded):
    found, error = (media_facts.decoded_streams if decoded else media_facts.elementary_streams)(path)
    by_type = {}
    for caps, buffers in found:
        kind = media_facts.media_type(caps).split("/")[0]
        by_type.setdefault(kind, []).append((caps, buffers))
    return by_type, error


def container_caps(path):
    from gi.repository import GstPbutils
    info = GstPbutils.Discoverer.new(30 * Gst.SECOND).discover_uri(Gst.filename_to_uri(path))
    return info.get_stream_info().get_caps().to_string()


def leftovers(folder):
    return [n for n in os.listdir(folder) if ".partial-" in n]


def progress_percents(stderr):
    return [float(m.group(1)) for m in re.finditer(r"^progress: +([0-9.]+) %", stderr, re.M)]


def check_conversion(name, source, out, expect_container, expect_audio, audio_copied, extra=()):
    """Converts `source` to `out` and reads `out` back: container, 161 frames at 50 fps on the 20 ms
    grid, the audio's codec, start and length against the source's."""
    started = time.monotonic()
    r = run([source, out] + RIFE + list(extra))
    seconds = time.monotonic() - started
    print(r.stderr)
    check(r.returncode == 0, f"{name}: exit status 0 (got {r.returncode}) in {seconds:.1f} s")
    if r.returncode != 0:
        return r
    check(expect_container in container_caps(out), f"{name}: the container is {expect_container}")
    # The clip's last frame repeats frame 79 through the codec: a still pair, shown as it is.
    m = re.search(r"frames in (\d+), out (\d+), interpolated (\d+), still (\d+), skipped (\d+)", r.stderr)
    check(m and m.groups() == (str(FRAMES_IN), str(FRAMES_OUT), str(FRAMES_IN - 2), "1", "0"),
          f"{name}: summary says frames in 81, out 161, interpolated 79, still 1 (the repeated last frame), skipped 0")
    decoded, error = streams_by_type(out, decoded=True)
    check(error is None, f"{name}: the whole file decodes ({error})")
    video = decoded.get("video", [])
    check(len(video) == 1, f"{name}: one video stream")
    if video:
        caps, frames = video[0]
        check(len(frames) == FRAMES_OUT, f"{name}: {FRAMES_OUT} = (81 - 1) * 2 + 1 frames decoded (got {len(frames)})")
        check("framerate=(fraction)50/1" in caps, f"{name}: 50 fps, twice the input's 25")
        times = sorted(f[0] for f in frames)
        check(all(t - times[0] == k * OUTPUT_FRAME for k, t in enumerate(times)),
              f"{name}: every frame on the 20 ms grid")
    src_parsed, _ = streams_by_type(source, decoded=False)
    out_parsed, _ = streams_by_type(out, decoded=False)
    src_audio, out_audio = src_parsed.get("audio", []), out_parsed.get("audio", [])
    check(len(out_audio) == len(src_audio) == 1, f"{name}: the audio stream is there")
    if out_audio and src_audio:
        out_caps, out_buffers = out_audio[0]
        src_caps, src_buffers = src_audio[0]
        check(media_facts.media_type(out_caps) == expect_audio, f"{name}: audio is {expect_audio} ({out_caps[:40]})")
        if audio_copied:
            check(media_facts.media_type(out_caps) == media_facts.media_type(src_caps), f"{name}: same audio codec")
            check(len(out_buffers) == len(src_buffers) and
                  sorted(b[2] for b in out_buffers) == sorted(b[2] for b in src_buffers),
                  f"{name}: every audio packet copied ({len(out_buffers)} of {len(src_buffers)})")
        audio_frame = max(b[1] for b in out_buffers + src_buffers)
        (s0, e0), (s1, e1) = media_facts.span(src_buffers), media_facts.span(out_buffers)
        check(abs(s1 - s0) <= audio_frame, f"{name}: audio starts where it did ({s1 / 1e9:.4f} s vs {s0 / 1e9:.4f} s)")
        check(abs((e1 - s1) - (e0 - s0)) <= audio_frame,
              f"{name}: audio lasts as long within one audio frame of {audio_frame / 1e6:.1f} ms "
              f"({(e1 - s1) / 1e9:.4f} s vs {(e0 - s0) / 1e9:.4f} s)")
        if video:
            first_frame = min(f[0] for f in video[0][1])
            check(abs(first_frame - s1) <= OUTPUT_FRAME, f"{name}: video and audio start together")
    check(not leftovers(os.path.dirname(out)), f"{name}: no partial file left")
    return r


with tempfile.TemporaryDirectory() as tmp:
    mp4, mkv = make_clips(tmp)
    print(f"clips: {os.path.getsize(mp4)} and {os.path.getsize(mkv)} bytes")

    # 1. MP4 with AAC -> MP4: AAC copied; non-terminal progress, a line a second here.
    r = check_conversion("mp4 -> mp4", mp4, os.path.join(tmp, "out.mp4"), "video/quicktime, variant=(string)iso",
                         "audio/mpeg", True, ["--progress-interval", "1"])
    percents = progress_percents(r.stderr)
    check(len(percents) >= 3, f"progress: a plain line every second when not a terminal ({len(percents)} lines)")
    check(all(b >= a for a, b in zip(percents, percents[1:])), f"progress: percentages never fall {percents}")
    check(percents and percents[-1] == 100.0 and all(p < 100.0 for p in percents[:-1]),
          "progress: the last line, and only it, is 100 %")
    check("\r" not in r.stderr, "progress: no carriage returns when not a terminal")
    check(re.search(r"ETA \d+:\d\d", r.stderr) is not None and re.search(r"[0-9.]+ fps", r.stderr) is not None,
          "progress: output fps and ETA shown")
    check("by x264enc" in r.stderr and "no hardware encoder" in r.stderr,
          "--encoder auto: no hardware encoder here, so x264enc, and it says so")
    check("pass=qual quantizer=20" in r.stderr, "constant quality 20 by default (x264 pass=qual quantizer=20)")
    check("MPEG-4 AAC, copied" in r.stderr, "the AAC stream is reported copied")

    # 2. Matroska with Opus and a subtitle track -> Matroska: Opus copied; subtitles are not carried yet.
    out_mkv = os.path.join(tmp, "out.mkv")
    r = check_conversion("mkv -> mkv", mkv, out_mkv, "video/x-matroska", "audio/x-opus", True)
    check("subtitle stream 1 (text/x-raw) is left out" in r.stderr,
          "mkv -> mkv: the subtitle track is reported left out (not carried yet), the conversion still completes")

    # 3. MP4 with AAC -> WebM: WebM takes no AAC, so it is re-encoded (Opus); video VP9.
    r = check_conversion("mp4 -> webm", mp4, os.path.join(tmp, "out.webm"), "video/webm", "audio/x-opus", False)
    check("re-encoded to Opus" in r.stderr, "the AAC stream is reported re-encoded for WebM")
    check("by vp9enc" in r.stderr, "WebM gets VP9")

    # 10-bit source: rife takes its frames as they are, so the video stays 10-bit end to end (x265,
    # HEVC Main 10), and nothing says it became 8-bit.
    ten = os.path.join(tmp, "ten.mkv")
    gst_launch("videotestsrc num-buffers=10 pattern=ball ! video/x-raw,width=160,height=96,framerate=25/1,"
               f"format=I420_10LE ! x265enc ! h265parse ! matroskamux ! filesink location={ten}")
    ten_out = os.path.join(tmp, "ten-out.mkv")
    r = run([ten, ten_out] + RIFE)
    found = streams_by_type(ten_out, decoded=True)[0].get("video", []) if r.returncode == 0 else []
    encoded = streams_by_type(ten_out, decoded=False)[0].get("video", []) if r.returncode == 0 else []
    check(r.returncode == 0 and "more than 8-bit" not in r.stderr and "by x265enc" in r.stderr and len(found) == 1
          and len(found[0][1]) == 19 and "10LE" in found[0][0] and "main-10" in (encoded[0][0] if encoded else ""),
          f"10-bit H.265 source: 19 frames, still 10-bit (HEVC Main 10 by x265) "
          f"({found[0][0] if found else ''} {encoded[0][0] if encoded else ''} {r.stderr.strip()[-200:]})")

    # On a terminal the progress line is rewritten in place (script(1) gives the program a terminal).
    # Bytes, not text: Python's universal newlines would turn the carriage returns into newlines.
    r = subprocess.run(["script", "-qec", " ".join([convert, ten, os.path.join(tmp, "tty.mkv")] + RIFE), "/dev/null"],
                       capture_output=True, timeout=300)
    check(r.returncode == 0 and b"\rprogress: 100.0 %" in r.stdout and b"\nprogress:" not in r.stdout,
          "on a terminal: one progress line rewritten with carriage returns")

    # 4. Ctrl-C mid-run: the file is finished and every frame of it decodes; status 130.
    def start(out, extra=()):
        p = subprocess.Popen([convert, mp4, out, "--progress-interval", "0.25"] + RIFE + list(extra),
                             stderr=subprocess.PIPE, text=True)
        lines = []
        for line in p.stderr:
            lines.append(line)
            m = re.match(r"progress: +[0-9.]+ % +(\d+)/", line)
            if m and int(m.group(1)) >= 20:
                return p, lines
        return p, lines

    interrupted = os.path.join(tmp, "interrupted.mkv")
    p, lines = start(interrupted)
    p.send_signal(signal.SIGINT)
    rest = p.communicate(timeout=300)[1]
    stderr = "".join(lines) + rest
    print(stderr)
    check(p.returncode == 130, f"Ctrl-C: exit status 130 (got {p.returncode})")
    check("interrupted: finishing" in stderr and "stopped by Ctrl-C" in stderr, "Ctrl-C: says it finishes the file")
    check(os.path.exists(interrupted) and not leftovers(tmp), "Ctrl-C: the file is there, no partial file")
    if os.path.exists(interrupted):
        decoded, error = streams_by_type(interrupted, decoded=True)
        parsed, _ = streams_by_type(interrupted, decoded=False)
        frames = len(decoded.get("video", [("", [])])[0][1])
        check(error is None, f"Ctrl-C: the file demuxes and decodes to its end ({error})")
        check(20 <= frames < FRAMES_OUT, f"Ctrl-C: it holds the frames done so far ({frames})")
        check(frames == len(parsed.get("video", [("", [])])[0][1]), "Ctrl-C: every frame in it decodes")
        check("audio" in decoded, "Ctrl-C: the audio is in it")
        m = re.search(r"out (\d+),", rest)
        check(m and int(m.group(1)) == frames, "Ctrl-C: the summary counts the frames the file has")

    # A second Ctrl-C aborts: no file at all.
    aborted = os.path.join(tmp, "aborted.mkv")
    p, lines = start(aborted)
    p.send_signal(signal.SIGINT)
    time.sleep(0.05)
    p.send_signal(signal.SIGINT)
    rest = p.communicate(timeout=300)[1]
    check(p.returncode == 130 and "aborted: no file written" in rest,
          f"second Ctrl-C: aborted, status 130 (got {p.returncode}: {rest.strip()[-80:]})")
    check(not os.path.exists(aborted) and not leftovers(tmp), "second Ctrl-C: no file and no partial file")
    terminated = os.path.join(tmp, "terminated.mkv")
    p, lines = start(terminated)
    p.send_signal(signal.SIGTERM)
    rest = p.communicate(timeout=300)[1]
    check(p.returncode == 143 and not os.path.exists(terminated) and not leftovers(tmp),
          f"SIGTERM: aborted at once, status 143, no file (got {p.returncode})")

    # 5. Bad input: one line naming the problem, status 1 (2 for bad arguments), no file left.
    text = os.path.join(tmp, "notes.txt")
    with open(text, "w") as f:
        f.write("not a video\n" * 100)
    audio_only = os.path.join(tmp, "tone.ogg")
    gst_launch(f"audiotestsrc num-buffers=20 ! vorbisenc ! oggmux ! filesink location={audio_only}")
    existing = os.path.join(tmp, "exists.mkv")
    open(existing, "w").close()
    out = os.path.join(tmp, "bad.mkv")
    nvenc_installed = subprocess.run(["gst-inspect-1.0", "nvh264enc"], capture_output=True).returncode == 0
    cases = [
        ("not a video", [text, out], 1, "not a media file"),
        ("missing input", [os.path.join(tmp, "missing.mp4"), out], 1, "No such file or directory"),
        ("a folder as input", [tmp, out], 1, "it is a folder"),
        ("no video stream", [audio_only, out], 1, "no video stream"),
        ("output folder missing", [mp4, os.path.join(tmp, "no-such-folder", "out.mkv")], 1, "No such file or directory"),
        ("output under a file", [mp4, os.path.join(text, "out.mkv")], 1, "Not a directory"),
        ("output exists", [mp4, existing], 1, "--overwrite"),
        ("unknown encoder", [mp4, out, "--encoder", "nosuchenc"], 1, "unknown encoder 'nosuchenc'"),
        ("not an encoder", [mp4, out, "--encoder", "identity"], 1, "not a video encoder"),
        ("encoder the container cannot take", [mp4, os.path.join(tmp, "bad.webm"), "--encoder", "x264enc"], 1,
         "takes nothing x264enc writes"),
        ("unknown container", [mp4, os.path.join(tmp, "out.xyz")], 2, "no installed muxer writes .xyz"),
        ("rate below the input's", [mp4, out, "--rate", "20"], 2, "below the input's 25"),
        ("no such rife property", [mp4, out, "--set", "wobble=1"], 2, "'wobble'"),
        ("bad quality", [mp4, out, "--quality", "60"], 2, "--quality"),
        ("missing OUT", [mp4], 2, "IN and OUT are needed"),
        ("OUT is IN", [mp4, mp4], 2, "is the input file"),
    ]
    if not nvenc_installed:
        cases.append(("hardware encoder not installed", [mp4, out, "--encoder", "nvh264enc"], 1,
                      "unknown encoder 'nvh264enc'"))
    for what, args, status, words in cases:
        r = run(args)
        lines = [line for line in r.stderr.splitlines() if line.strip()]
        check(r.returncode == status and len(lines) == 1 and words in lines[0] and lines[0].startswith("rife-convert: "),
              f"{what}: status {status}, one line with '{words}' (got {r.returncode}: {r.stderr.strip()})")
    # A decoder missing: every H.264 decoder ranked out of autoplugging for this run.
    no_decoder = dict(os.environ, GST_PLUGIN_FEATURE_RANK="avdec_h264:NONE,openh264dec:NONE")
    r = run([mp4, out], env=no_decoder)
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    check(r.returncode == 1 and len(lines) == 1 and "lacks a plugin" in lines[0] and "H.264" in lines[0],
          f"no decoder for the video: status 1, one line naming it (got {r.returncode}: {r.stderr.strip()})")
    check(not os.path.exists(out) and not leftovers(tmp) and os.path.getsize(existing) == 0 and
          os.path.getsize(mp4) > 0, "bad input: no file written, none replaced")

print(f"\n{len(failures)} failed" if failures else "\nall passed")
sys.exit(1 if failures else 0)
