#!/usr/bin/env bash
# The README's test command: set up everything on a fresh machine (./setup.sh), then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ./setup.sh
BUILD_DIR=${RIFE_BUILD_DIR:-build}

status=0
meson test -C "${BUILD_DIR}" --print-errorlogs --num-processes 1 || status=$?

# Sanitizers: the same suite built with clang, AddressSanitizer and UndefinedBehaviorSanitizer, then
# the loader fuzzed for RIFE_FUZZ_SECONDS (README, Robustness, says what runs and why).
if [ "${RIFE_SANITIZERS:-1}" != 0 ]; then
  bash tests/sanitizers.sh || status=$?
fi

# One closing line any CI reads, and a loud note of every test that did not run.
logs=("${BUILD_DIR}/meson-logs/testlog.json")
[ -f build-asan/meson-logs/testlog.json ] && [ "${RIFE_SANITIZERS:-1}" != 0 ] && logs+=(build-asan/meson-logs/testlog.json)
.venv/bin/python - "${logs[@]}" <<'PY'
import json, sys
results = [json.loads(line) for path in sys.argv[1:] for line in open(path)]
count = lambda *names: sum(r["result"] in names for r in results)
skipped = [r["name"] for r in results if r["result"] == "SKIP"]
if skipped:
    print("\nNOT RUN (reported as skipped, not passed): " + ", ".join(skipped))
    print("test_gpu needs a CUDA GPU (README, 'The GPU path'); test_rife46_quality and test_rife46_weights_file")
    print("need real RIFE 4.6 weights, which no registry here has (README, 'Weights': bring your own).")
print(f"\n{count('OK', 'EXPECTEDFAIL')} passed, {count('FAIL', 'TIMEOUT', 'ERROR', 'UNEXPECTEDPASS')} failed, {len(skipped)} skipped")
PY
exit $status
