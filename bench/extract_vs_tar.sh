#!/bin/sh
# Package extraction: envsmith (archive::extract) against GNU tar and cph (conda-package-handling).
#   bench/extract_vs_tar.sh [BUILD_DIR] [SOURCE_DIR]
# BUILD_DIR holds a built envsmith_archive (default build/ci); SOURCE_DIR (default: copies of
# /usr/lib/python3.11 and /usr/lib/python3/dist-packages, symlinks resolved, since Debian's
# point outside the tree and envsmith refuses those) is packed as a .tar.zst, a .tar.bz2 and a .conda (stored zip of
# info-*.tar.zst and pkg-*.tar.zst, as conda writes them). Prints wall and CPU seconds per tool
# and format (fastest of 3 runs).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/ci}
work=$(mktemp -d /tmp/extract-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT
src=${2:-}
if [ -z "$src" ]; then
  src=$work/src
  mkdir -p "$src"
  cp -rL /usr/lib/python3.11 "$src/python3.11"
  cp -rL /usr/lib/python3/dist-packages "$src/dist-packages"
fi

g++ -std=c++20 -O2 -o "$work/bench" "$root/bench/extract_bench.cpp" \
  -I"$root/libs/archive/include" -I"$root/libs/core/include" \
  "$build/libs/archive/libenvsmith_archive.a" "$build/libs/core/libenvsmith_core.a" \
  -lfmt -larchive

mkdir -p "$work/info/info"
echo '{"name": "bench", "version": "1.0", "build": "0", "build_number": 0}' > "$work/info/info/index.json"
tar -C "$src" -cf "$work/pkg.tar" .
zstd -q -3 "$work/pkg.tar" -o "$work/pkg-bench-1.0-0.tar.zst"
bzip2 -k -9 "$work/pkg.tar"
cp "$work/pkg-bench-1.0-0.tar.zst" "$work/bench-1.0-0.tar.zst"
mv "$work/pkg.tar.bz2" "$work/bench-1.0-0.tar.bz2"
tar -C "$work/info" -cf - info | zstd -q -19 -o "$work/info-bench-1.0-0.tar.zst"
(cd "$work" && python3 -c "
import zipfile
with zipfile.ZipFile('bench-1.0-0.conda', 'w', zipfile.ZIP_STORED) as z:
    z.writestr('metadata.json', '{\"conda_pkg_format_version\": 2}')
    z.write('info-bench-1.0-0.tar.zst')
    z.write('pkg-bench-1.0-0.tar.zst')
")
echo "input: $(du -sm --apparent-size "$src" | cut -f1) MB in $(find "$src" | wc -l) entries;" \
     "conda $(du -m "$work/bench-1.0-0.conda" | cut -f1) MB, tar.bz2 $(du -m "$work/bench-1.0-0.tar.bz2" | cut -f1) MB"

best() {  # best of 3 runs of "$@": "wall_s cpu_s" (cpu = user + sys) of the fastest run
  b=""
  for i in 1 2 3; do
    rm -rf "$work/out"
    /usr/bin/time -o "$work/time" -f "%e %U %S" "$@" > /dev/null 2>&1
    r=$(tail -1 "$work/time")
    w=$(echo "$r" | cut -d' ' -f1)
    c=$(echo "$r" | awk '{print $2 + $3}')
    if [ -z "$b" ] || [ "$(echo "$w < ${b%% *}" | bc)" = 1 ]; then b="$w $c"; fi
  done
  echo "$b"
}

for f in conda tar.zst tar.bz2; do  # the same tree from each: "seconds files bytes"
  rm -rf "$work/out"
  echo "envsmith .$f: $("$work/bench" "$work/bench-1.0-0.$f" "$work/out")"
done
echo "tool / format                wall_s cpu_s"
for f in conda tar.zst tar.bz2; do
  echo "envsmith .$f$(printf '%*s' $((19 - ${#f})) '')$(best "$work/bench" "$work/bench-1.0-0.$f" "$work/out")"
done
echo "GNU tar .tar.zst             $(best sh -c "mkdir '$work/out' && tar --zstd -C '$work/out' -xf '$work/bench-1.0-0.tar.zst'")"
echo "GNU tar .tar.bz2             $(best sh -c "mkdir '$work/out' && tar -C '$work/out' -xjf '$work/bench-1.0-0.tar.bz2'")"
if command -v cph > /dev/null; then
  echo "cph .conda                   $(best cph x "$work/bench-1.0-0.conda" --dest "$work/out")"
  echo "cph .tar.bz2                 $(best cph x "$work/bench-1.0-0.tar.bz2" --dest "$work/out")"
fi
