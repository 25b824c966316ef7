#!/usr/bin/env bash
# ASan + UBSan run of the unit suite and a bounded libFuzzer run over the weights loader, in a clang
# build dir (build-asan). Called by tests/run.sh; needs ./setup.sh to have run.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=build-asan
FUZZ_SECONDS=${RIFE_FUZZ_SECONDS:-60}
if [ ! -f "$DIR/build.ninja" ]; then
  # -Dpython=disabled: an uninstrumented Python cannot load an ASan-built module, so its tests (suite
  # 'tools') are not run here, and building it would only cost time.
  CC=clang CXX=clang++ meson setup "$DIR" -Dtorch_python="$PWD/.venv/bin/python3" -Dfuzz=true -Dpython=disabled \
    -Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debugoptimized >/dev/null
fi
ninja -C "$DIR"

# detect_leaks=0 here: GStreamer, GLib and LibTorch keep process-lifetime allocations that LSan
# would report at exit; leaks are checked by the fuzzer below and by tests/leak_check.sh.
# CI time (the whole run must stay well under its limit): the soak and the timestamp-drift test run
# 500 and 300 frames here (2 000 and 1 000 took 397 s and about 150 s), and the benchmark's smoke
# test (suite 'bench': the measuring program, not the element or the engine) is left out.
# gst-inspect is left out: it is an uninstrumented program and cannot load an ASan plugin; for the
# same reason plugins are scanned in-process (GST_REGISTRY_FORK=no), not by gst-plugin-scanner.
status=0
rm -f "$DIR/tests/gst-registry.bin"
# alloc_dealloc_mismatch=0: libcusparseLt (a dependency of the torch wheel) exports a malloc-based
# operator new; programs that link LibTorch directly can pair it with ASan's operator delete inside
# LibTorch's inline code (first seen in torch::nn::functional::interpolate). Not our allocation.
GST_REGISTRY_FORK=no ASAN_OPTIONS=alloc_dealloc_mismatch=0:detect_leaks=0:halt_on_error=1:abort_on_error=1:allocator_may_return_null=1:quarantine_size_mb=16 \
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 RIFE_SOAK_FRAMES=500 RIFE_DRIFT_FRAMES=300 \
  meson test -C "$DIR" --suite unit --no-suite tools --no-suite timing --no-suite slow --no-suite bench --print-errorlogs --num-processes 1 || status=$?

corpus=$(mktemp -d)
echo "fuzzing the weights loader for ${FUZZ_SECONDS} s"
if ! LSAN_OPTIONS=suppressions="$PWD/tests/fuzz/lsan.supp" \
    "$DIR/tests/fuzz/fuzz_state_dict" -max_total_time="$FUZZ_SECONDS" -rss_limit_mb=4096 -malloc_limit_mb=2048 \
    -max_len=65536 -artifact_prefix="$DIR/fuzz-" "$corpus" "$DIR/tests/fixtures/fuzz-seeds" tests/fuzz/regressions \
    > "$DIR/fuzz.log" 2>&1; then
  tail -60 "$DIR/fuzz.log"
  echo "FUZZ FINDING: the input is in $DIR/fuzz-*; fix it and add it to tests/fuzz/regressions/"
  status=1
fi
grep -E "DONE|Done" "$DIR/fuzz.log" | tail -1
rm -rf "$corpus"
exit $status
