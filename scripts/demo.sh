#!/usr/bin/env bash
# Sets up the machine, builds telltale (release) and runs the main job on the
# bundled sample history in notebooks-data/: check the export, search the
# combined patterns, train the model with its bands, backtest the alert
# thresholds, then score today's accounts and print the Monday summary.
# Outputs go to demo-output/ (ignored by git): patterns.csv, churn.json,
# churn-report.html, holdout.csv (the holdout's predictions), backtest-report.html,
# scores.csv, scores.rejects.csv and the score history history.sqlite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product telltale
bin="$(swift build -c release --show-bin-path)/telltale"
config=notebooks-data/telltale.yml
out=demo-output
mkdir -p "$out"
# Each demo is a history's first run; a scheduled job keeps its file from run to run
# (re-scoring the same date into it would warn that the export did not move).
rm -f "$out/history.sqlite"
run() { echo "\$ telltale $*" >&2; "$bin" "$@"; echo >&2; }
run check --config "$config"
run patterns --config "$config" --out "$out/patterns.csv"
# Against the bundled model, as a quarterly re-calibration compares with the last one.
run train --config "$config" --out "$out/churn.json" --report "$out/churn-report.html" --holdout-predictions "$out/holdout.csv" --compare models/churn.json
run backtest --config "$config" --out "$out/backtest-report.html" --db "$out/history.sqlite"
run score --model "$out/churn.json" --config "$config" --out "$out/scores.csv" --db "$out/history.sqlite"
