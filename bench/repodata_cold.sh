#!/usr/bin/env bash
# The cold parse of repodata.json: each run is a fresh process that reads the file into a
# fresh buffer and parses it once (bench_repodata --cold), as `envsmith lock` loads a subdir.
# Prints every run and the median MB/s (10^6 bytes per second of wall time for the parse).
#   bench/repodata_cold.sh [RUNS] FILE...
# Build first: cmake --preset bench && cmake --build --preset bench --target bench_repodata
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
bin="${BENCH_REPODATA:-$here/../build/bench/bench/bench_repodata}"
runs=7
if [[ "${1:-}" =~ ^[0-9]+$ ]]; then
    runs="$1"
    shift
fi
if [[ $# -eq 0 ]]; then
    echo "usage: $0 [RUNS] FILE..." >&2
    exit 2
fi
for file in "$@"; do
    lines="$(for _ in $(seq "$runs"); do "$bin" --cold "$file"; done)"
    echo "$lines"
    echo "$lines" | awk -v file="$file" '
        { for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
          mbs[NR] = v["MB/s"]; user[NR] = v["user_ms"]; sys[NR] = v["sys_ms"] }
        function median(a, n,   i, j, t) {
            for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
            return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
        END { printf "%s: median of %d cold parses: %.0f MB/s (user %.1f ms, system %.1f ms)\n",
                     file, NR, median(mbs, NR), median(user, NR), median(sys, NR) }'
done
