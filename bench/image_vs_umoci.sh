#!/bin/sh
# Layer creation of a ~100 MB directory: envsmith (make_layer) against umoci 0.4.7.
#   bench/image_vs_umoci.sh [BUILD_DIR] [SOURCE_DIR]
# BUILD_DIR holds a built envsmith_image (default build/ci); SOURCE_DIR defaults to two copies
# of /usr/lib/python3.11 (about 100 MB). Prints wall and CPU seconds per tool (fastest of 3
# runs), layer sizes, and the umoci/envsmith ratios.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/ci}
work=$(mktemp -d /tmp/image-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

src=${2:-}
if [ -z "$src" ]; then
  src=$work/src
  mkdir -p "$src"
  cp -a /usr/lib/python3.11 "$src/py1"
  cp -a /usr/lib/python3.11 "$src/py2"
fi
echo "input: $(du -sm --apparent-size "$src" | cut -f1) MB in $(find "$src" | wc -l) entries"

g++ -std=c++20 -O2 -o "$work/bench" "$root/bench/image_layer_bench.cpp" \
  -I"$root/libs/image/include" -I"$root/libs/archive/include" -I"$root/libs/core/include" \
  -I"$root/libs/specs/include" \
  "$build/libs/image/libenvsmith_image.a" "$build/libs/archive/libenvsmith_archive.a" \
  "$build/libs/core/libenvsmith_core.a" -ldeflate -lzstd -lcrypto -lfmt -larchive -pthread

best() {  # best of 3 runs of "$@": "wall_s cpu_s" (cpu = user + sys) of the fastest run
  b=""
  for i in 1 2 3; do
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" > /dev/null 2>&1
    r=$(tail -1 "$work/time")
    w=$(echo "$r" | cut -d' ' -f1)
    c=$(echo "$r" | awk '{print $2 + $3}')
    if [ -z "$b" ] || [ "$(echo "$w < ${b%% *}" | bc)" = 1 ]; then b="$w $c"; fi
  done
  echo "$b"
}

ours() { rm -rf "$work/oci-ours"; "$work/bench" "$src" "$work/oci-ours" opt/envsmith/envs/demo "$@"; }
t_umoci=$(best sh -c "rm -rf '$work/oci-umoci' && umoci init --layout '$work/oci-umoci' && umoci new --image '$work/oci-umoci:t' && umoci insert --image '$work/oci-umoci:t' '$src' /opt/envsmith/envs/demo")
umoci_size=$(find "$work/oci-umoci/blobs" -type f -size +100k -printf '%s\n' | sort -n | tail -1)
run_ours() { best sh -c "rm -rf '$work/oci-ours' && '$work/bench' '$src' '$work/oci-ours' opt/envsmith/envs/demo $*"; }
size_ours() { ours "$@" | cut -d' ' -f3; }
echo "tool                         wall_s cpu_s  layer_bytes"
echo "umoci insert (gzip)          $t_umoci $umoci_size"
for args in "gzip 1" "gzip 2" "gzip 2 6" "zstd 2" "none 1"; do
  echo "envsmith $args$(printf '%*s' $((20 - ${#args})) '')$(run_ours $args) $(size_ours $args)"
done
t_ours=$(run_ours gzip 2)
echo "wall-time ratio umoci / envsmith (gzip, 2 threads, default level): $(echo "scale=2; ${t_umoci%% *} / ${t_ours%% *}" | bc)"
echo "cpu-time ratio  umoci / envsmith (gzip, 2 threads, default level): $(echo "scale=2; ${t_umoci#* } / ${t_ours#* }" | bc)"
