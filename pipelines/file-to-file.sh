#!/usr/bin/env bash
# Any video file -> doubled frame rate -> H.264 MP4.   pipelines/file-to-file.sh in.mp4 out.mp4 [rate]
# With a third argument the output rate is forced, e.g. 60/1 for 24 -> 60 fps.
set -euo pipefail
source "$(dirname "$0")/env.sh"
rate=${3:+",framerate=$3"}
exec gst-launch-1.0 -e filesrc location="$1" ! decodebin ! videoconvert ! \
  rife $RIFE_PROPS ! "video/x-raw$rate" ! videoconvert ! x264enc ! mp4mux ! filesink location="$2"
