# Shared set-up of the benchmark commands (sourced by benchmarks/*/run.sh):
# machine packages, a release build of the given products, and the peers
# installed into the ignored virtualenv benchmarks/.venv.
# usage: bench_setup "PIP PACKAGES" PRODUCT...; then use $root, $venv and $bin.
bench_setup() {
  local packages="$1"; shift
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  cd "$root"
  bash scripts/setup.sh
  venv="$root/benchmarks/.venv"
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  # shellcheck disable=SC2086
  if [ -n "$packages" ]; then "$venv/bin/pip" install -q --disable-pip-version-check $packages; fi
  # One product per call: SwiftPM builds only the last of several --product flags.
  for product in "$@"; do swift build -c release --product "$product" >&2; done
  bin="$(swift build -c release --show-bin-path)"
}
