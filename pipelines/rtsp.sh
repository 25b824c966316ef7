#!/usr/bin/env bash
# An RTSP stream at twice its frame rate on screen.   pipelines/rtsp.sh rtsp://host:8554/stream
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec gst-launch-1.0 rtspsrc location="$1" latency=200 ! decodebin ! videoconvert ! \
  rife $RIFE_PROPS ! videoconvert ! autovideosink
