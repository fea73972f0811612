#!/usr/bin/env bash
# Ingestion benchmark: reading a simulated usage file into typed columns,
# Telltale against pandas.read_csv and pyarrow.csv on the same file in one run.
# usage: bash benchmarks/ingest/run.sh [--accounts 10000] [--repeats 3]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
bash scripts/setup.sh
venv="$root/benchmarks/.venv"
if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" install -q --disable-pip-version-check pandas pyarrow
# One product per call: SwiftPM builds only the last of several --product flags.
swift build -c release --product telltale >&2
swift build -c release --product TelltaleBenchIngest >&2
bin="$(swift build -c release --show-bin-path)"
exec "$venv/bin/python" "$root/benchmarks/ingest/bench.py" --bin "$bin" "$@"
