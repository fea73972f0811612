#!/usr/bin/env bash
# Sets up the machine and runs the whole test suite. This is what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# Pin OpenBLAS's own threads so results and timings do not depend on the machine's load.
export OPENBLAS_NUM_THREADS=1
swift build --build-tests
swift test --skip-build
