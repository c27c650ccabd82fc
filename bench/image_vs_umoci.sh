#!/bin/sh
# Layer creation of a ~100 MB directory: envsmith (make_layer) against umoci 0.4.7.
#   bench/image_vs_umoci.sh [BUILD_DIR] [SOURCE_DIR]
# BUILD_DIR holds a built envsmith_image (default build/ci); SOURCE_DIR defaults to two copies
# of /usr/lib/python3.11 (about 100 MB). Prints seconds per tool (best of 3) and the ratio.
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

best() {  # best of 3 runs of "$@", seconds
  b=""
  for i in 1 2 3; do
    s=$(date +%s.%N); "$@" > /dev/null 2>&1; e=$(date +%s.%N)
    t=$(echo "$e - $s" | bc)
    if [ -z "$b" ] || [ "$(echo "$t < $b" | bc)" = 1 ]; then b=$t; fi
  done
  echo "$b"
}

ours() { rm -rf "$work/oci-ours"; "$work/bench" "$src" "$work/oci-ours" opt/envsmith/envs/demo "$1" "$2"; }
umoci_insert() {
  rm -rf "$work/oci-umoci"
  umoci init --layout "$work/oci-umoci" && umoci new --image "$work/oci-umoci:t" &&
    umoci insert --image "$work/oci-umoci:t" "$src" /opt/envsmith/envs/demo
}

t_umoci=$(best umoci_insert)
t_gz1=$(best ours gzip 1)
t_gz2=$(best ours gzip 2)
t_zst2=$(best ours zstd 2)
gz_size=$(ours gzip 2 | cut -d' ' -f3)
umoci_size=$(find "$work/oci-umoci/blobs" -type f -size +100k -printf '%s\n' | sort -n | tail -1)
zst_size=$(ours zstd 2 | cut -d' ' -f3)
echo "umoci insert (gzip):           ${t_umoci} s, layer ${umoci_size} bytes"
echo "envsmith gzip, 1 thread:       ${t_gz1} s"
echo "envsmith gzip, 2 threads:      ${t_gz2} s, layer ${gz_size} bytes"
echo "envsmith zstd, 2 threads:      ${t_zst2} s, layer ${zst_size} bytes"
echo "ratio umoci / envsmith gzip 2 threads: $(echo "scale=2; $t_umoci / $t_gz2" | bc)"
