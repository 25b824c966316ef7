#!/usr/bin/env bash
# ThreadSanitizer run of the tests where threads meet: the batching worker on its own, several rife
# elements sharing one model (streams, faults, state changes), and the element's own tests, in a
# clang build dir (build-tsan). Called by tests/run.sh beside sanitizers.sh; needs ./setup.sh.
#
# Third-party code is not instrumented, so TSan cannot see the synchronisation inside it: GLib's
# GMutex/GCond are futex-based on Linux, not pthread mutexes. tests/tsan_glib_locks.c, preloaded,
# tells TSan about them (each lock/unlock/wait of GLib's mutexes and conditions as it happens); what
# remains suppressed is listed, with its reason, in tests/tsan.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=build-tsan
if [ ! -f "$DIR/build.ninja" ]; then
  CC=clang CXX=clang++ meson setup "$DIR" -Dtorch_python="$PWD/.venv/bin/python3" -Db_sanitize=thread \
    -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
TESTS=(test_batch_worker test_multistream test_element)
ninja -C "$DIR" tests/test-fixtures gst-plugin/libgstrife.so tests/tsan_glib_locks.so "${TESTS[@]/#/tests/}"
rm -f "$DIR/tests/gst-registry.bin"
# OMP_NUM_THREADS=1: LibTorch's OpenMP pool is uninstrumented and spins; one thread keeps the run
# short and its barriers out of the picture (the worker thread is still the one that computes).
GST_REGISTRY_FORK=no OMP_NUM_THREADS=1 LD_PRELOAD="$PWD/$DIR/tests/tsan_glib_locks.so" \
TSAN_OPTIONS="suppressions=$PWD/tests/tsan.supp halt_on_error=1 abort_on_error=1 second_deadlock_stack=1 history_size=4" \
  meson test -C "$DIR" --no-rebuild --print-errorlogs --num-processes 1 "${TESTS[@]}"
