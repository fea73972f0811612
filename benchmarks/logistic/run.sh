#!/usr/bin/env bash
# Logistic regression benchmark: Telltale vs scikit-learn, statsmodels, glum on identical data.
# usage: bash benchmarks/logistic/run.sh [--sizes 100000x20,1000000x40,2000000x100] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "numpy scikit-learn statsmodels glum threadpoolctl" TelltaleBenchLogistic
exec "$venv/bin/python" "$root/benchmarks/logistic/bench.py" --telltale "$bin/TelltaleBenchLogistic" "$@"
