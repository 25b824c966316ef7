#!/usr/bin/env bash
# The README's test command: set up everything on a fresh machine (./setup.sh), then run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ./setup.sh
BUILD_DIR=${RIFE_BUILD_DIR:-build}

status=0
meson test -C "${BUILD_DIR}" --print-errorlogs --num-processes 1 || status=$?

# One closing line any CI reads, and a loud note of every test that did not run.
.venv/bin/python - "${BUILD_DIR}/meson-logs/testlog.json" <<'PY'
import json, sys
results = [json.loads(line) for line in open(sys.argv[1])]
count = lambda *names: sum(r["result"] in names for r in results)
skipped = [r["name"] for r in results if r["result"] == "SKIP"]
if skipped:
    print("\nNOT RUN (reported as skipped, not passed): " + ", ".join(skipped))
    print("They need the real RIFE 4.6 weights; see README, 'Weights'.")
print(f"\n{count('OK', 'EXPECTEDFAIL')} passed, {count('FAIL', 'TIMEOUT', 'ERROR', 'UNEXPECTEDPASS')} failed, {len(skipped)} skipped")
PY
exit $status
