#!/usr/bin/env bash
# Triton Inference Server with the project's model repository (the `rife` model), in the foreground
# until SIGTERM/SIGINT. The script execs the server: its PID is the server's.
#
#   bash models/triton/serve.sh [--grpc-port N] [--http-port N] [--metrics-port N]
#                               [--model-repository DIR] [--address ADDR] [-- tritonserver options...]
#
# Defaults: ports 8001 (gRPC), 8000 (HTTP), 8002 (metrics), the repository beside this script,
# address 127.0.0.1 (loopback only; --address 0.0.0.0 to serve other machines). The server is the
# tritonserver 2.51.0 of the PyPI wheel nvidia-pytriton 0.7.0 (its binary and Python backend, not
# PyTriton's Python API), which ./setup.sh installs into .venv-triton ($RIFE_TRITON_VENV to use
# another). The model imports the engine's module from build/python ($RIFE_BUILD_DIR for another
# build folder) or from an install.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=${RIFE_TRITON_VENV:-$root/.venv-triton}
build=${RIFE_BUILD_DIR:-build}
case "$build" in /*) ;; *) build=$root/$build ;; esac

grpc_port=8001 http_port=8000 metrics_port=8002 repository=$here address=127.0.0.1
usage() { sed -n '5,6p' "${BASH_SOURCE[0]}" | sed 's/^# *//' >&2; exit 2; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "serve.sh: $1 needs a value" >&2; exit 2; }; }
port() { [[ "$2" =~ ^[0-9]+$ ]] && [ "$2" -ge 1 ] && [ "$2" -le 65535 ] || { echo "serve.sh: $1 '$2' is not a port (1-65535)" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
  case "$1" in
    --grpc-port) need "$@"; port "$1" "$2"; grpc_port=$2; shift 2 ;;
    --http-port) need "$@"; port "$1" "$2"; http_port=$2; shift 2 ;;
    --metrics-port) need "$@"; port "$1" "$2"; metrics_port=$2; shift 2 ;;
    --model-repository) need "$@"; repository=$2; shift 2 ;;
    --address) need "$@"; address=$2; shift 2 ;;
    -h|--help) usage ;;
    --) shift; break ;;
    *) echo "serve.sh: unknown option '$1' (tritonserver's own options go after --)" >&2; usage ;;
  esac
done
[ -d "$repository" ] || { echo "serve.sh: no model repository at $repository" >&2; exit 1; }

site=$venv/lib/python3.11/site-packages
server=$site/pytriton/tritonserver
if [ ! -x "$server/bin/tritonserver" ]; then
  echo "serve.sh: no tritonserver in $venv (the nvidia-pytriton 0.7.0 wheel): run ./setup.sh" >&2
  exit 1
fi

# The Python backend with its stub for Python 3.11 beside it (the wheel keeps one stub per Python
# version apart): a backend folder of links, made here so that it always matches the wheel.
backends=$venv/rife-backends
mkdir -p "$backends/python"
for f in libtriton_python.so triton_python_backend_utils.py; do ln -sfn "$server/backends/python/$f" "$backends/python/$f"; done
ln -sfn "$server/python_backend_stubs/3.11/triton_python_backend_stub" "$backends/python/triton_python_backend_stub"

# The stub links Debian's libpython3.11 and finds its standard library from the first python3 on
# PATH: /usr/bin first, so that it is Debian's (with python3-numpy), never a venv's or pyenv's
# other 3.11 build (which crashes the stub). The wheel's own libraries (libarchive, cudart...) are
# reached through the library path: the links above break the binaries' $ORIGIN runpaths.
export PATH=/usr/bin:$PATH
unset PYTHONHOME
# The stub's interpreter ignores PYTHONPATH (an isolated configuration): the model reads the build
# tree's module folder from RIFE_PYTHONPATH (an installed module is on Debian's path already).
if [ -d "$build/python" ]; then export RIFE_PYTHONPATH="$build/python${RIFE_PYTHONPATH:+:$RIFE_PYTHONPATH}"; fi
export LD_LIBRARY_PATH="$site/nvidia_pytriton.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

# --exit-timeout-secs: at SIGTERM the server waits this long for open sequences (30 s by default);
# a stream's state is lost with the server anyway, and clients start a new sequence elsewhere.
exec "$server/bin/tritonserver" \
  --model-repository "$repository" \
  --backend-directory "$backends" \
  --http-address "$address" --http-port "$http_port" \
  --grpc-address "$address" --grpc-port "$grpc_port" \
  --metrics-address "$address" --metrics-port "$metrics_port" \
  --exit-timeout-secs "${RIFE_TRITON_EXIT_TIMEOUT:-3}" \
  "$@"
