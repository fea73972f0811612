#!/usr/bin/env bash
# `telltale fit` end to end (a flat CSV read, typed and fitted, coefficients with their
# statistics out) against pandas.read_csv + statsmodels Logit and pandas.read_csv +
# scikit-learn on the same file in one run.
# usage: bash benchmarks/fit/run.sh [--rows 500000] [--columns 20] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "numpy pandas scikit-learn statsmodels" telltale
exec "$venv/bin/python" "$root/benchmarks/fit/bench.py" --bin "$bin" "$@"
