#!/usr/bin/env bash
# Any video file -> doubled frame rate, sound kept: a thin wrapper of rife-convert (README,
# "Converting files"), which does the work: audio copied or re-encoded, constant quality, progress.
#   pipelines/file-to-file.sh in.mp4 out.mkv [rate] [rife-convert options...]
# A bare third argument is the output rate (e.g. 60/1 for 24 -> 60 fps); RIFE_PROPS="scale=1 ..."
# become --set options of the rife element.
set -euo pipefail
source "$(dirname "$0")/env.sh"
if [ $# -lt 2 ]; then
  sed -n 2,6p "$0" >&2
  exit 2
fi
in=$1 out=$2
shift 2
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then set -- --rate "$@"; fi
props=()
for p in $RIFE_PROPS; do props+=(--set "$p"); done
exec "$ROOT/${RIFE_BUILD_DIR:-build}/tools/rife-convert" "$in" "$out" "${props[@]}" "$@"
