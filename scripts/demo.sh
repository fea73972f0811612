#!/usr/bin/env bash
# Sets up the machine, builds telltale (release) and runs the main job on the
# bundled sample data in notebooks-data/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
swift build -c release --product telltale
bin="$(swift build -c release --show-bin-path)/telltale"
echo "\$ telltale fit --data notebooks-data/churn_table.csv --label churned" >&2
"$bin" fit --data notebooks-data/churn_table.csv --label churned
