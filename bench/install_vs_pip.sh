#!/usr/bin/env bash
# Installs the same wheels from the demo index (examples/demo-index) with envsmith and with pip,
# side by side, and prints the ratio. Both resolve `requests==2.32.3 torch==2.3.1` (18 wheels)
# for Python 3.11 on linux-64, offline:
#   envsmith create reqs.txt -p PREFIX --python 3.11 --index-url file://.../simple   (cold cache, then warm)
#   pip install --no-index --find-links examples/demo-index/files --target DIR -r reqs.txt
#   pip install --index-url file://.../simple --target DIR -r reqs.txt
# Usage: bench/install_vs_pip.sh [ENVSMITH_BINARY] [RUNS]   (default build/release/apps/cli/envsmith, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
envsmith="${1:-build/release/apps/cli/envsmith}"
runs="${2:-3}"
pip=(python3 -m pip)
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
index="file://$PWD/examples/demo-index/simple"
printf 'requests==2.32.3\ntorch==2.3.1\n' > "$scratch/reqs.txt"

best() {  # best wall time in seconds of "$@" over $runs runs; $prepare runs before each
  local best_s=""
  for _ in $(seq "$runs"); do
    eval "$prepare"
    local start end
    start=$(date +%s.%N)
    "$@" > /dev/null 2>&1 || { echo "failed: $*" >&2; exit 1; }
    end=$(date +%s.%N)
    best_s=$(python3 -c "a='$best_s'; b=$end-$start; print(b if not a else min(float(a), b))")
  done
  echo "$best_s"
}

prepare='rm -rf "$scratch/cache" "$scratch/env"'
cold=$(ENVSMITH_CACHE_DIR="$scratch/cache" best "$envsmith" create "$scratch/reqs.txt" -p "$scratch/env" --python 3.11 --platform linux-64 --index-url "$index")
ENVSMITH_CACHE_DIR="$scratch/cache" "$envsmith" create "$scratch/reqs.txt" -p "$scratch/env" --python 3.11 --platform linux-64 --index-url "$index" > /dev/null
prepare='rm -rf "$scratch/env"'
warm=$(ENVSMITH_CACHE_DIR="$scratch/cache" best "$envsmith" create "$scratch/reqs.txt" -p "$scratch/env" --python 3.11 --platform linux-64 --index-url "$index")
prepare='rm -rf "$scratch/pip-target"'
pip_links=$(best "${pip[@]}" install --no-cache-dir --disable-pip-version-check --no-index --find-links examples/demo-index/files --target "$scratch/pip-target" -r "$scratch/reqs.txt")
pip_index=$(best "${pip[@]}" install --no-cache-dir --disable-pip-version-check --index-url "$index" --target "$scratch/pip-target" -r "$scratch/reqs.txt")
count=$(ls -d "$scratch"/env/lib/python3.11/site-packages/*.dist-info | wc -l)
python3 - "$count" "$cold" "$warm" "$pip_links" "$pip_index" <<'PY'
import sys
count, cold, warm, links, index = sys.argv[1], *map(float, sys.argv[2:])
print(f"{count} wheels, best of the runs (seconds)")
print(f"  envsmith create, cold cache   {cold:8.3f}")
print(f"  envsmith create, warm cache   {warm:8.3f}")
print(f"  pip --find-links              {links:8.3f}   ratio pip/envsmith(cold) {links / cold:5.1f}x")
print(f"  pip --index-url               {index:8.3f}   ratio pip/envsmith(cold) {index / cold:5.1f}x")
PY
