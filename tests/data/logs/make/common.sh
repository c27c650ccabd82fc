# Shared helpers for the scripts that produce the real logs.  Source it.
set -u
MAKE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LOGS=$(dirname "$MAKE_DIR")
W=${ELOG_WORK:-/tmp/elog}
RAW=$W/raw
ROWS=$W/rows-real.tsv
mkdir -p "$RAW" "$W/home"
PIDS=()
CLEANENV=(env -i PATH=/usr/local/bin:/usr/bin:/bin HOME=$W/home LANG=C.UTF-8 TERM=dumb)

start() {  # start a background server, remember its pid
  "$@" > "$W/server-$#.log" 2>&1 &
  PIDS+=($!)
  sleep 1
}
waitport() { for i in $(seq 1 100); do (echo > /dev/tcp/127.0.0.1/$1) 2>/dev/null && return 0; sleep 0.1; done; echo "port $1 not up" >&2; }
stop_all() { for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done; PIDS=(); }
trap stop_all EXIT

# cap NAME CMD...: run CMD, keep stdout (NAME.out), stderr (NAME.err) and both interleaved (NAME.all)
cap() {
  local n=$1; shift
  if [ -n "${ONLY:-}" ] && ! [[ $n =~ $ONLY ]]; then return 0; fi
  { { "$@" 2> >(tee "$RAW/$n.err" >&3) | tee "$RAW/$n.out" >&3; } 3> "$RAW/$n.all"; echo "rc=${PIPESTATUS[0]}" > "$RAW/$n.rc"; } || true
  sleep 0.2
}
# capshow NAME PROMPT CMD...: like cap, but the .all starts with a shell prompt line showing the command
capshow() {
  local n=$1 p=$2; shift 2
  if [ -n "${ONLY:-}" ] && ! [[ $n =~ $ONLY ]]; then return 0; fi
  cap "$n" "$@"
  { printf '%s\n' "$p"; cat "$RAW/$n.all"; } > "$RAW/$n.tmp" && mv "$RAW/$n.tmp" "$RAW/$n.all"
}
# captty NAME CMD...: run CMD on a pseudo-terminal (colours, progress bars, CRLF), output in NAME.all
captty() {
  local n=$1; shift
  if [ -n "${ONLY:-}" ] && ! [[ $n =~ $ONLY ]]; then return 0; fi
  script -qefc "$(printf '%q ' "$@")" /dev/null > "$RAW/$n.all" 2>&1 < /dev/null || true
}
# emit REL LABEL SOURCE NOTES STYLE RAWNAME [wrap.py options]: write tests/data/logs/REL and its row
emit() {
  local rel=$1 label=$2 src=$3 notes=$4 style=$5 raw=$6; shift 6
  mkdir -p "$LOGS/$(dirname "$rel")"
  if [ "$style" = azureml ] || [ "$style" = azureml-acr ] || [ "$style" = condaenv ]; then
    python3 "$MAKE_DIR/wrap.py" "$style" --seed "$rel" "$@" "$RAW/$raw.out" "$RAW/$raw.err" > "$LOGS/$rel"
  else
    python3 "$MAKE_DIR/wrap.py" "$style" --seed "$rel" "$@" "$RAW/$raw.all" > "$LOGS/$rel"
  fi
  grep -v "^$rel	" "$ROWS" 2>/dev/null > "$ROWS.tmp"; mv "$ROWS.tmp" "$ROWS"
  printf '%s\t%s\t%s\t%s\n' "$rel" "$label" "$src" "$notes" >> "$ROWS"
}
pipver() { "$1" -m pip --version | cut -d' ' -f2; }
