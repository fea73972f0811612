#!/usr/bin/env bash
# The oracle-gap analysis behind issue 6's AUC target (docs/oracle-gap.md): simulates a
# history, exports its training table and compares models against the planted truth.
# Uses the benchmarks' virtualenv for pandas and scikit-learn.
# usage: bash scripts/oracle-gap.sh [ACCOUNTS (default 10000)] [SEED (default 3)] [DAYS (default 500)]
set -euo pipefail
source "$(dirname "$0")/../benchmarks/lib.sh"
bench_setup "pandas scikit-learn" telltale
accounts="${1:-10000}"; seed="${2:-3}"; days="${3:-500}"
dir="$root/benchmarks/.data-oracle-gap/sim_${accounts}_${seed}_${days}"
mkdir -p "$dir"
"$bin/telltale" simulate --out "$dir" --accounts "$accounts" --days "$days" --seed "$seed" >/dev/null
"$bin/telltale" signals --accounts "$dir/accounts.csv" --usage "$dir/usage.csv.gz" --renewals "$dir/renewals.csv" \
  --training --model-inputs --out "$dir/train.csv"
"$bin/telltale" train --accounts "$dir/accounts.csv" --usage "$dir/usage.csv.gz" --renewals "$dir/renewals.csv" \
  --out "$dir/churn.json" --holdout-predictions "$dir/holdout.csv" --trained-at 2026-07-01 2>/dev/null
"$venv/bin/python" "$root/scripts/oracle_gap.py" "$dir" "$dir/churn.json"
