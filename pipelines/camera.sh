#!/usr/bin/env bash
# A V4L2 camera at twice its frame rate on screen.   pipelines/camera.sh [/dev/video0]
set -euo pipefail
source "$(dirname "$0")/env.sh"
exec gst-launch-1.0 v4l2src device="${1:-/dev/video0}" ! decodebin ! videoconvert ! \
  rife $RIFE_PROPS ! videoconvert ! autovideosink sync=true
