#!/usr/bin/env bash
# envsmith doctor against grep on the same generated log with the same patterns, side by side.
#   bench/doctor_vs_grep.sh [MB]     (default 100)
# Needs an optimised build: the release or bench preset (or ENVSMITH=path/to/envsmith), and
# python3-yaml and bc (apt-get install -y python3-yaml bc).
# grep -P gets the catalogue's patterns as one alternation (PCRE understands (?P<name>...)
# and (?i)); grep -E gets them with named groups turned into plain groups and (?i) dropped,
# so it does slightly less work than the others. Prints wall times and ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-100}"
envsmith="${ENVSMITH:-}"
for candidate in build/release/apps/cli/envsmith build/bench/apps/cli/envsmith; do
  [ -n "$envsmith" ] || { [ -x "$candidate" ] && envsmith=$candidate; }
done
[ -x "$envsmith" ] || { echo "build the release or bench preset first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work" "$mb" <<'PY'
import os, random, sys
work, mb = sys.argv[1], int(sys.argv[2])
random.seed(7)
corpus = os.path.join("tests", "data", "logs")
lines = []
for root, _, files in os.walk(corpus):
    for name in files:
        if name.endswith(".log"):
            with open(os.path.join(root, name), "rb") as f:
                lines.extend(f.read().splitlines())
lines = [l for l in lines if l.strip()] or [b"Collecting numpy==1.26.4"]
with open(os.path.join(work, "big.log"), "wb") as out:
    size = 0
    while size < mb << 20:
        chunk = b"\n".join(random.choice(lines) for _ in range(1000)) + b"\n"
        out.write(chunk)
        size += len(chunk)
import yaml  # python3-yaml
entries = yaml.safe_load(open("libs/diag/data/catalog.yaml"))
pats = [s["pattern"] for e in entries for s in e["signatures"]]
with open(os.path.join(work, "pcre.txt"), "w") as f:
    f.write("|".join("(?:%s)" % p for p in pats))
import re
with open(os.path.join(work, "ere.txt"), "w") as f:
    for p in pats:
        p = re.sub(r"\(\?P<[a-z_]+>", "(", p).replace("(?i)", "").replace("(?:", "(")
        p = p.replace(r"\d", "[0-9]").replace(r"\s", "[[:space:]]").replace(r"\S", "[^[:space:]]").replace(r"\w", "[[:alnum:]_]")
        f.write(p + "\n")
PY

size=$(stat -c %s "$work/big.log")
time_of() { local start end; start=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; end=$(date +%s.%N); echo "$end - $start" | bc; }
t_doctor=$(time_of "$envsmith" doctor "$work/big.log")
t_grep_p=$(time_of grep -c -P -f "$work/pcre.txt" "$work/big.log")
t_grep_e=$(time_of grep -c -E -f "$work/ere.txt" "$work/big.log")
printf 'log: %d MB, %d patterns\n' "$((size >> 20))" "$(wc -l < "$work/ere.txt")"
printf '%-18s %8.3f s  %8.1f MB/s\n' "envsmith doctor" "$t_doctor" "$(echo "$size / 1048576 / $t_doctor" | bc -l)"
printf '%-18s %8.3f s  %8.1f MB/s  (doctor is %.1fx)\n' "grep -P" "$t_grep_p" "$(echo "$size / 1048576 / $t_grep_p" | bc -l)" "$(echo "$t_grep_p / $t_doctor" | bc -l)"
printf '%-18s %8.3f s  %8.1f MB/s  (doctor is %.1fx)\n' "grep -E" "$t_grep_e" "$(echo "$size / 1048576 / $t_grep_e" | bc -l)" "$(echo "$t_grep_e / $t_doctor" | bc -l)"
