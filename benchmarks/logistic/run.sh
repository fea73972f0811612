#!/usr/bin/env bash
# Logistic regression benchmark: Telltale vs scikit-learn, statsmodels, glum on identical data.
# usage: bash benchmarks/logistic/run.sh [--sizes 100000x20,1000000x40,2000000x100] [--repeats 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/setup.sh
venv="$root/benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --disable-pip-version-check numpy scikit-learn statsmodels glum threadpoolctl
swift build -c release --product TelltaleBenchLogistic >&2
bin="$(swift build -c release --show-bin-path)/TelltaleBenchLogistic"
exec "$venv/bin/python" "$root/benchmarks/logistic/bench.py" --telltale "$bin" "$@"
