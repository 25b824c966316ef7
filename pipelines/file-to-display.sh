#!/usr/bin/env bash
# Play a video file at twice its frame rate.   pipelines/file-to-display.sh in.mp4
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec gst-launch-1.0 filesrc location="$1" ! decodebin ! videoconvert ! \
  rife $RIFE_PROPS ! videoconvert ! autovideosink
