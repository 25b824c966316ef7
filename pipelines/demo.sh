#!/usr/bin/env bash
# The README's demo: sets everything up, then doubles the frame rate of a moving test source (or
# of the video file given as $1) into an MP4 with x264, and prints frames and achieved fps.
#   pipelines/demo.sh                  # 60 frames of a bouncing ball, 320x240 at 30 fps -> 60 fps
#   pipelines/demo.sh input.mp4        # any file decodebin reads -> doubled rate
# Output: out/demo.mp4 (override with OUT=...).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ./setup.sh >/dev/null
source pipelines/env.sh

# The element's default model: the real RIFE 4.25/4.26 checkpoint ./setup.sh placed in models/weights/
# ($RIFE_MODEL_PATH or model-path=... in RIFE_PROPS picks another file).
OUT=${OUT:-out/demo.mp4}
mkdir -p "$(dirname "$OUT")"

if [ $# -ge 1 ]; then
  source="filesrc location=$1 ! decodebin ! videoconvert"
else
  source="videotestsrc num-buffers=60 pattern=ball ! video/x-raw,width=320,height=240,framerate=30/1 ! videoconvert"
fi

start=$(date +%s.%N)
gst-launch-1.0 -q $source ! rife $RIFE_PROPS ! videoconvert ! \
  x264enc ! mp4mux ! filesink location="$OUT"
end=$(date +%s.%N)

frames=$(gst-launch-1.0 -v filesrc location="$OUT" ! qtdemux ! fakesink silent=false 2>/dev/null | grep -c "chain")
rate=$(gst-launch-1.0 -v filesrc location="$OUT" ! qtdemux ! h264parse ! fakesink 2>/dev/null |
       grep -o "framerate=(fraction)[0-9/]*" | head -1 | cut -d')' -f2)
echo "demo: wrote $OUT: $frames frames at $rate fps"
awk -v f="$frames" -v s="$start" -v e="$end" 'BEGIN { printf "demo: %.1f s wall time, %.1f output frames/s achieved\n", e - s, f / (e - s) }'
