#!/usr/bin/env bash
# Leak check of a 1000-frame stream through the element: LeakSanitizer on the ASan build's
# test_soak (build-asan, made by tests/sanitizers.sh). Prints every leak record and fails if one has
# a frame in our code (gst-plugin/, src/, rife::). Not in tests/run.sh: ~8 min under ASan.
# Measured 2026-11-22: one record, 16 KiB from GLib's own library initialiser; none from our code.
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=build-asan
[ -x "$DIR/tests/test_soak" ] || RIFE_FUZZ_SECONDS=1 bash tests/sanitizers.sh >/dev/null
log=$(mktemp)
GST_REGISTRY_FORK=no ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16 LSAN_OPTIONS=fast_unwind_on_malloc=0 \
  RIFE_SOAK_FRAMES=${RIFE_SOAK_FRAMES:-1000} RIFE_FIXTURES="$PWD/$DIR/tests/fixtures" \
  GST_REGISTRY="$PWD/$DIR/tests/gst-registry.bin" GST_PLUGIN_PATH="$PWD/$DIR/gst-plugin" \
  "$DIR/tests/test_soak" >"$log" 2>&1 || true
grep -E "soak:|SUMMARY: AddressSanitizer" "$log" || true
ours=$(awk '/^(Direct|Indirect) leak/{rec=$0 "\n"; keep=0; inrec=1; next}
            inrec && /^$/ {if (keep) printf "%s\n", rec; inrec=0; next}
            inrec {rec=rec $0 "\n"; if ($0 ~ /gst-plugin\/|\/src\/|rife::|gst_rife_/) keep=1}' "$log")
if [ -n "$ours" ]; then
  echo "leaks from our code:"; echo "$ours"; exit 1
fi
echo "leak check: no leak record reaches our code (full log: $log)"
