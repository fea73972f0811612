#!/usr/bin/env bash
# Combined-pattern search benchmark: Telltale against mlxtend (fpgrowth +
# association_rules with the churn consequent) on the same flags, in one run.
# usage: bash benchmarks/patterns/run.sh [--cases 1000000x60x3,1000000x30x4] [--min-support 0.005] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "numpy pandas mlxtend" TelltaleBenchPatterns
exec "$venv/bin/python" "$root/benchmarks/patterns/bench.py" --bin "$bin" "$@"
