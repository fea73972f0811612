#!/usr/bin/env bash
# Signal-table benchmark: Telltale against an equivalent pandas implementation
# (groupby + rolling windows) on one simulated history, in one run.
# usage: bash benchmarks/signals/run.sh [--accounts 10000] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "pandas numpy" telltale TelltaleBenchSignals
exec "$venv/bin/python" "$root/benchmarks/signals/bench.py" --bin "$bin" "$@"
