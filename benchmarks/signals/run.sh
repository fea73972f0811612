#!/usr/bin/env bash
# Signal-table benchmark: Telltale against an equivalent pandas implementation
# (groupby + rolling windows) on one simulated history, in one run.
# usage: bash benchmarks/signals/run.sh [--accounts 10000] [--repeats 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/setup.sh
venv="$root/benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --disable-pip-version-check pandas numpy
# One product per call: SwiftPM builds only the last of several --product flags.
swift build -c release --product telltale >&2
swift build -c release --product TelltaleBenchSignals >&2
bin="$(swift build -c release --show-bin-path)"
exec "$venv/bin/python" "$root/benchmarks/signals/bench.py" --bin "$bin" "$@"
