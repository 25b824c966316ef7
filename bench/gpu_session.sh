#!/usr/bin/env bash
# Run THERE: the whole GPU session in one command on the device machine (which has nvcc, cmake,
# ninja, meson and python3 with torch 2.11+cu130, but no GoogleTest, libpng or pkg-config, and no
# network). Needs .gpu-carry/ made here by bench/gpu_fetch.sh and carried with the call:
#
#   run(command: "bash bench/gpu_session.sh build; bash bench/gpu_session.sh test",
#       carry: [".gpu-carry"], timeout_s: 600)
#   run(command: "bash bench/gpu_session.sh bench", carry: [".gpu-carry"])   # while still warm
# (or the stage `all` in one call when the build is known to be quick enough).
#
# Stages (default: all): build (unpack the carried .debs into a private root, meson + ninja without
# GStreamer), test (test_gpu, then test_engine on the same build), bench (rife-bench: 1080p and 4K,
# FP32 and FP16, every switch ablated, engine weights = the random fixture in the official layout:
# speed does not depend on the values of the weights, quality deltas on random weights only show
# numerical agreement). Everything is printed and written to $OUT (env.txt, build.log, test_gpu.log,
# test_engine.log, bench.txt, bench.json); copy the numbers into README "Performance" with the
# command, device and date.
#
# Knobs (for a dry run on a machine without a GPU): RIFE_TORCH_PYTHON (default python3),
# RIFE_BENCH_DEVICE (cuda), RIFE_BENCH_SIZES ("1920x1080 3840x2160"), RIFE_BENCH_FRAMES (200),
# RIFE_BENCH_PRECISIONS ("fp32 fp16"), RIFE_CUDA (enabled).
set -uo pipefail
cd "$(dirname "$0")/.."
stage=${1:-all}
carry=$PWD/.gpu-carry
out=${OUT:-$PWD/out/gpu}
root=/tmp/rife-sysroot
build=build-gpu
python=${RIFE_TORCH_PYTHON:-python3}
device=${RIFE_BENCH_DEVICE:-cuda}
mkdir -p "$out"
[ -d "$carry/debs" ] || { echo "no $carry/debs: run bench/gpu_fetch.sh here and carry .gpu-carry" >&2; exit 2; }

# The carried packages live in a private root; pkg-config searches only their .pc files.
if [ ! -x "$root/usr/bin/pkgconf" ]; then
  rm -rf "$root" && mkdir -p "$root"
  for f in "$carry"/debs/*.deb; do dpkg -x "$f" "$root"; done
fi
export PATH="$PATH:$root/usr/bin"
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$root/usr/lib/x86_64-linux-gnu"
export PKG_CONFIG="$root/usr/bin/pkgconf"
export PKG_CONFIG_LIBDIR="$root/usr/lib/x86_64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig"
export PKG_CONFIG_SYSROOT_DIR="$root"
export RIFE_FIXTURES="$PWD/$build/tests/fixtures" RIFE_TESTDATA="$carry/testdata"

status=0
step() { echo; echo "== $* ($(date -u +%H:%M:%S))"; }

if [ "$stage" = all ] || [ "$stage" = build ]; then
  step "environment"
  {
    date -u +"%Y-%m-%d %H:%M:%S UTC"
    uname -srm
    nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv 2>&1 || true
    "$python" -c 'import torch, sys; print("python", sys.version.split()[0], "torch", torch.__version__, "cuda", torch.version.cuda, "cudnn", torch.backends.cudnn.version(), "gpu", torch.cuda.is_available() and torch.cuda.get_device_name(0))'
    nvcc --version 2>&1 | tail -1 || true
    c++ --version | head -1
    nproc
  } 2>&1 | tee "$out/env.txt"
  step "build"
  if ! { [ -f "$build/build.ninja" ] ||
         meson setup "$build" -Dgstreamer=disabled -Dcuda="${RIFE_CUDA:-enabled}" \
           -Dtorch_python="$(command -v "$python")"; } > "$out/build.log" 2>&1 ||
     ! ninja -C "$build" >> "$out/build.log" 2>&1; then
    tail -40 "$out/build.log"
    echo "BUILD FAILED"
    exit 1
  fi
  grep -E "LibTorch|CUDA path" "$out/build.log" | head -3
  tail -1 "$out/build.log"
fi

if [ "$stage" = all ] || [ "$stage" = test ]; then
  step "test_gpu (exit 77 = no usable GPU)"
  "$build/tests/test_gpu" 2>&1 | tee "$out/test_gpu.log"
  rc=${PIPESTATUS[0]}
  echo "test_gpu exit $rc"
  [ "$rc" -eq 0 ] || status=1
  step "test_engine (engine vs the PyTorch reference IFNets, CPU)"
  "$build/tests/test_engine" > "$out/test_engine.log" 2>&1
  rc=$?
  tail -3 "$out/test_engine.log"
  [ "$rc" -eq 0 ] || status=1
fi

if [ "$stage" = all ] || [ "$stage" = bench ]; then
  step "rife-bench"
  args=(--device "$device" --model "$RIFE_FIXTURES/official_plain.pth" --frames "${RIFE_BENCH_FRAMES:-200}" --ablate
        --quality-dir "$carry/testdata/middlebury-other-interp" --json "$out/bench.json")
  for s in ${RIFE_BENCH_SIZES:-1920x1080 3840x2160}; do args+=(--size "$s"); done
  for p in ${RIFE_BENCH_PRECISIONS:-fp32 fp16}; do args+=(--precision "$p"); done
  echo "$build/bench/rife-bench ${args[*]}" | tee "$out/bench.txt"
  "$build/bench/rife-bench" "${args[@]}" 2>&1 | tee -a "$out/bench.txt"
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
exit $status
