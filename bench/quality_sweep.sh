#!/usr/bin/env bash
# The flow-scale and ensemble measurements behind the element's automatic choices (README, Quality):
# PSNR/SSIM against the true middle frame and time per pair for every scale and ensemble, on
#   - the six shared Middlebury triplets (584x388 and 640x480) and copies scaled by 0.5, 2 and 3,
#   - the car-turn clip (640x360) with every other frame dropped, as triplets (k-1, k+1 -> k), and
#     copies at 320x180, 1280x720 and 1920x1080,
# all rescaled with GStreamer's videoscale method=lanczos. Writes the tables to stdout and JSON to
# $OUT (default out/quality-sweep/). Long on a CPU: hours for everything; pick parts with
#   SWEEP_DATASETS="middlebury car-turn"  SWEEP_SCALES="0.5 1 2"  SWEEP_ENSEMBLES="none time time+flip"
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${RIFE_BUILD_DIR:-build}
OUT=${OUT:-out/quality-sweep}
DATA=$OUT/data
SHARED=$(realpath ../shared/testdata)
mkdir -p "$DATA"

scale_png() {  # in out width height
  gst-launch-1.0 -q filesrc location="$1" ! pngdec ! videoconvert ! videoscale method=lanczos ! \
    "video/x-raw,width=$3,height=$4" ! videoconvert ! video/x-raw,format=RGB ! pngenc ! filesink location="$2"
}

# Middlebury, rescaled by NUM/DEN (width and height rounded to even), into $DATA/NAME.
middlebury() {  # num den name
  local dir=$DATA/$3
  [ -d "$dir" ] && return
  for seq in "$SHARED"/middlebury-other-interp/*/; do
    local name w h
    name=$(basename "$seq")
    read -r w h < <(python3 -c "import struct,sys; d=open(sys.argv[1],'rb').read(24); print(*struct.unpack('>II', d[16:24]))" "$seq/frame10.png")
    mkdir -p "$dir/$name"
    for f in frame10 frame11 frame10i11; do
      scale_png "$seq/$f.png" "$dir/$name/$f.png" $(( (w * $1 / $2 + 1) / 2 * 2 )) $(( (h * $1 / $2 + 1) / 2 * 2 ))
    done
  done
}

# The car-turn clip at WxH as triplets: frames k-1 and k+1 with the dropped frame k as truth.
car_turn() {  # width height
  local dir=$DATA/car-turn-$1x$2 frames=$DATA/car-turn-frames-$1x$2
  [ -d "$dir" ] && return
  mkdir -p "$frames"
  gst-launch-1.0 -q filesrc location="$SHARED/davis-car-turn/car-turn.mp4" ! decodebin ! videoconvert ! \
    videoscale method=lanczos ! "video/x-raw,width=$1,height=$2" ! videoconvert ! video/x-raw,format=RGB ! \
    pngenc ! multifilesink location="$frames/%03d.png"
  for k in $(seq 1 2 79); do
    local t; t=$(printf "%s/%03d" "$dir" "$k"); mkdir -p "$t"
    ln -sf "$(realpath "$frames/$(printf %03d $((k - 1))).png")" "$t/frame10.png"
    ln -sf "$(realpath "$frames/$(printf %03d $((k + 1))).png")" "$t/frame11.png"
    ln -sf "$(realpath "$frames/$(printf %03d "$k").png")" "$t/frame10i11.png"
  done
}

datasets=()
for d in ${SWEEP_DATASETS:-middlebury middlebury-half middlebury-x2 middlebury-x3 car-turn car-turn-320x180 car-turn-1280x720 car-turn-1920x1080}; do
  case $d in
    middlebury) datasets+=("middlebury=$SHARED/middlebury-other-interp") ;;
    middlebury-half) middlebury 1 2 "$d"; datasets+=("$d=$DATA/$d") ;;
    middlebury-x2) middlebury 2 1 "$d"; datasets+=("$d=$DATA/$d") ;;
    middlebury-x3) middlebury 3 1 "$d"; datasets+=("$d=$DATA/$d") ;;
    car-turn) car_turn 640 360; datasets+=("car-turn=$DATA/car-turn-640x360") ;;
    car-turn-*) wh=${d#car-turn-}; car_turn "${wh%x*}" "${wh#*x}"; datasets+=("$d=$DATA/car-turn-$wh") ;;
    *) echo "unknown dataset $d" >&2; exit 2 ;;
  esac
done

args=()
for s in ${SWEEP_SCALES:-0.5 1 2 4}; do args+=(--scale "$s"); done
for e in ${SWEEP_ENSEMBLES:-none time time+flip}; do args+=(--ensemble "$e"); done
"$BUILD/bench/rife-quality" --device "${SWEEP_DEVICE:-cpu}" --every "${SWEEP_EVERY:-1}" "${args[@]}" \
  --json "$OUT/sweep-$(date +%Y%m%d-%H%M%S).json" "${datasets[@]}"
