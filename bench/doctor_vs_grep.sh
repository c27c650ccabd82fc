#!/usr/bin/env bash
# envsmith doctor against grep on the same generated log with the same patterns, side by side.
#   bench/doctor_vs_grep.sh [MB]      (default 100)
#   ERROR_SHARE=0.02                  share of lines taken from failed builds (1 = worst case)
# The log mixes lines of the corpus's successful builds (tests/data/logs/ok) with lines of its
# failed ones. grep -P gets the catalogue's patterns as one alternation with the group names
# dropped, so it does less than the doctor, which also extracts captures and ranks. (grep -E
# is not compared: RE2's syntax, inline flags among it, does not translate to ERE.) Needs an optimised build (release or
# bench preset, or ENVSMITH=path) and python3-yaml and bc (apt-get install -y python3-yaml bc).
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-100}"
share="${ERROR_SHARE:-0.02}"
envsmith="${ENVSMITH:-}"
for candidate in build/release/apps/cli/envsmith build/bench/apps/cli/envsmith; do
  [ -n "$envsmith" ] || { [ -x "$candidate" ] && envsmith=$candidate; }
done
[ -x "$envsmith" ] || { echo "build the release or bench preset first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

patterns=$(/usr/bin/python3 - "$work" "$mb" "$share" <<'GENERATE'
import os, random, re, sys
import yaml  # python3-yaml
work, mb, share = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
random.seed(7)
def lines_of(keep):
    out = []
    for root, _, files in os.walk(os.path.join("tests", "data", "logs")):
        for name in files:
            if name.endswith(".log") and keep(root):
                with open(os.path.join(root, name), "rb") as f:
                    out.extend(l for l in f.read().splitlines() if l.strip())
    return out
ok = lines_of(lambda root: root.endswith(os.sep + "ok"))
bad = lines_of(lambda root: not root.endswith(os.sep + "ok"))
with open(os.path.join(work, "big.log"), "wb") as out:
    size = 0
    while size < mb << 20:
        chunk = b"\n".join(random.choice(bad) if random.random() < share else random.choice(ok)
                           for _ in range(1000)) + b"\n"
        out.write(chunk)
        size += len(chunk)
entries = yaml.safe_load(open("libs/diag/data/catalog.yaml"))
pats = [re.sub(r"\(\?P<[a-z_]+>", "(", s["pattern"]) for e in entries for s in e["signatures"]]
with open(os.path.join(work, "pcre.txt"), "w") as f:
    f.write("|".join("(?:%s)" % p for p in pats))
print(len(pats))
GENERATE
)

# A grep that fails must not pass for a fast one.
status=0
LC_ALL=C grep -c -P -f "$work/pcre.txt" "$work/big.log" > /dev/null 2> "$work/grep.err" || status=$?
if [ $status -gt 1 ]; then echo "grep -P failed: $(head -c 300 "$work/grep.err")" >&2; exit 1; fi

seconds() { local start end status=0; start=$(date +%s.%N); "$@" > /dev/null 2> "$work/run.err" || status=$?; end=$(date +%s.%N); [ $status -le 1 ] || { echo "$1 failed: $(head -c 300 "$work/run.err")" >&2; exit 1; }; echo "$end - $start" | bc; }
size=$(stat -c %s "$work/big.log")
t_doctor=$(seconds "$envsmith" doctor "$work/big.log")
t_grep_p=$(LC_ALL=C seconds grep -c -P -f "$work/pcre.txt" "$work/big.log")
printf 'log: %d MB, %s of lines from failures, %d patterns\n' "$((size >> 20))" "$share" "$patterns"
row() { printf '%-16s %8.3f s %9.1f MB/s' "$1" "$2" "$(echo "$size / 1048576 / $2" | bc -l)"; }
row "envsmith doctor" "$t_doctor"; echo
row "grep -P" "$t_grep_p"; printf '   grep takes %.2fx the doctor'"'"'s time\n' "$(echo "$t_grep_p / $t_doctor" | bc -l)"
