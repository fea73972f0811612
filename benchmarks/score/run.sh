#!/usr/bin/env bash
# Scoring benchmark: 1M accounts from a flat table against pandas + scikit-learn
# predict_proba (same model, values cross-checked), and 10k accounts from 730
# days of usage end to end. Data is generated once into benchmarks/score/.data.
# usage: bash benchmarks/score/run.sh [--rows 1000000] [--accounts 10000] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "pandas numpy scikit-learn" telltale
exec "$venv/bin/python" "$root/benchmarks/score/bench.py" --bin "$bin" "$@"
