#!/usr/bin/env bash
# One picture of what rife does with two frames: input A | 50/50 blend | RIFE's middle frame | input B,
# labelled, side by side.
#   pipelines/compare.sh A.png B.png [out.png] [--truth MIDDLE.png] [--model FILE] [--device D] [--t T]
# Output: out/compare.png unless given. With --truth the blend and RIFE panels carry their PSNR.
# Try: pipelines/compare.sh ../shared/testdata/middlebury-other-interp/Beanbags/frame1{0,1}.png \
#        out/beanbags.png --truth ../shared/testdata/middlebury-other-interp/Beanbags/frame10i11.png
set -euo pipefail
if [ $# -lt 2 ]; then
  sed -n 2,7p "$0" >&2
  exit 2
fi
a=$(realpath "$1") b=$(realpath "$2")
shift 2
out=out/compare.png
if [ $# -ge 1 ] && [ "${1#--}" = "$1" ]; then out=$1; shift; fi
out=$(realpath -m "$out")
args=()
while [ $# -gt 0 ]; do
  case $1 in
    --truth) args+=("$1" "$(realpath "$2")"); shift 2 ;;
    *) args+=("$1"); shift ;;
  esac
done
cd "$(dirname "$0")/.."
bash ./setup.sh >/dev/null
mkdir -p "$(dirname "$out")"
exec "${RIFE_BUILD_DIR:-build}/bench/rife-compare" "$a" "$b" "$out" "${args[@]}"
