#!/usr/bin/env bash
# Sets up the machine, builds telltale (release) and runs the main job on the
# bundled sample history in notebooks-data/: check the export, build the
# training signals (as model inputs: missing values filled, transforms
# applied), search the combined patterns, and fit a first model on them. Outputs go to demo-output/ (ignored by git).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product telltale
bin="$(swift build -c release --show-bin-path)/telltale"
config=notebooks-data/telltale.yml
out=demo-output
mkdir -p "$out"
run() { echo "\$ telltale $*" >&2; "$bin" "$@"; echo >&2; }
run check --config "$config"
run signals --config "$config" --training --out "$out/training.csv"
run patterns --config "$config" --out "$out/patterns.csv"
run train --config "$config" --out "$out/churn.json" --report "$out/churn-report.md"
run inspect "$out/churn.json"
