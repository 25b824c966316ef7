#!/usr/bin/env bash
# Valgrind leak check of a 1000-frame stream through the element (tests/test_soak with
# RIFE_SOAK_FRAMES=1000). Prints the definitely-lost records whose stacks reach our code
# (gst-plugin/ or src/); exits 1 if there is any. Slow (valgrind): not part of tests/run.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${RIFE_BUILD_DIR:-build}
log=$(mktemp)
RIFE_SOAK_FRAMES=${RIFE_SOAK_FRAMES:-1000} RIFE_FIXTURES="$PWD/$BUILD_DIR/tests/fixtures" \
  GST_PLUGIN_PATH="$PWD/$BUILD_DIR/gst-plugin" GST_REGISTRY="$PWD/$BUILD_DIR/tests/gst-registry.bin" \
  valgrind --leak-check=full --show-leak-kinds=definite --num-callers=40 --log-file="$log" \
  "$BUILD_DIR/tests/test_soak" --gtest_filter='Soak.*' >/dev/null
grep -E "definitely lost:|ERROR SUMMARY" "$log" || true
ours=$(awk '/definitely lost in loss record/{rec=$0; keep=0; buf=$0 "\n"; next}
            rec!="" && /^==[0-9]+== *$/ {if (keep) printf "%s", buf; rec=""; next}
            rec!="" {buf=buf $0 "\n"; if ($0 ~ /libgstrife\.so|gst_rife_|rife::/) keep=1}' "$log")
if [ -n "$ours" ]; then
  echo "definitely lost from our code:"; echo "$ours"; exit 1
fi
echo "leak check: no definitely-lost block from our code (full log: $log)"
