# Sourced by the example pipelines: finds the built plugin. Run ./setup.sh once before.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export GST_PLUGIN_PATH="${ROOT}/${RIFE_BUILD_DIR:-build}/gst-plugin${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
if ! gst-inspect-1.0 rife >/dev/null 2>&1; then
  echo "the rife element is not built yet: run ./setup.sh" >&2
  exit 1
fi
# The element reads RIFE_MODEL_PATH when it is set: a file that is not there is named here, in one line.
if [ -n "${RIFE_MODEL_PATH:-}" ] && [ ! -f "$RIFE_MODEL_PATH" ]; then
  echo "RIFE_MODEL_PATH=$RIFE_MODEL_PATH: no such weights file" >&2
  exit 1
fi
# Extra element properties for every example, e.g. RIFE_PROPS="device=cpu precision=fp32"
RIFE_PROPS=${RIFE_PROPS:-}
