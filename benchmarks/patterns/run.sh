#!/usr/bin/env bash
# Combined-pattern search benchmark: Telltale against mlxtend (fpgrowth +
# association_rules with the churn consequent) on the same flags, in one run.
# usage: bash benchmarks/patterns/run.sh [--cases 1000000x60x3,1000000x30x4] [--min-support 0.005] [--repeats 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/setup.sh
venv="$root/benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --disable-pip-version-check numpy pandas mlxtend
swift build -c release --product TelltaleBenchPatterns >&2
bin="$(swift build -c release --show-bin-path)"
exec "$venv/bin/python" "$root/benchmarks/patterns/bench.py" --bin "$bin" "$@"
