#!/usr/bin/env bash
# Renders an HTML report (training or backtest) to a PNG with headless Chromium,
# to look at it the way a reader will. Installs Debian's chromium when missing.
# usage: bash scripts/render-report.sh REPORT.html OUT.png [WIDTHxHEIGHT]
set -euo pipefail
html="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"; png="$2"; size="${3:-1200,1800}"
if ! command -v chromium >/dev/null; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="${size/x/,}" \
  --screenshot="$png" "file://$html" 2>/dev/null
echo "wrote $png"
