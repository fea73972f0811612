#!/usr/bin/env bash
# Ingestion benchmark: reading a simulated usage file into typed columns,
# Telltale against pandas.read_csv and pyarrow.csv on the same file in one run,
# then on the same file gzipped.
# usage: bash benchmarks/ingest/run.sh [--accounts 10000] [--repeats 3]
set -euo pipefail
source "$(dirname "$0")/../lib.sh"
bench_setup "pandas pyarrow" telltale TelltaleBenchIngest
exec "$venv/bin/python" "$root/benchmarks/ingest/bench.py" --bin "$bin" "$@"
