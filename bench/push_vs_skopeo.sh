#!/bin/sh
# Layer + push of a ~1 GiB directory to a loopback docker-registry: envsmith
# (image::assemble_image + registry::push_from_layout, bench/push_bench.cpp) against
# umoci (init/new/insert) + skopeo copy of the same directory. Then the no-op rebuild: the
# demo definition built and pushed with `envsmith build --push` twice, the second timed.
#   bench/push_vs_skopeo.sh [BUILD_DIR] [SIZE_MIB] [THREADS]
# BUILD_DIR holds built envsmith libraries and apps/cli/envsmith (default build/ci);
# SIZE_MIB is the input's apparent size (default 1024): files copied from /usr/lib, plus 15%
# of files that are half random bytes. Prints wall and CPU seconds (user + sys, children
# included) of each side, the peak RSS of envsmith's process, and the ratios.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build/ci}
size_mib=${2:-1024}
threads=${3:-2}
work=$(mktemp -d /tmp/push-bench-XXXXXX)
registry_pid=""
cleanup() {
  if [ -n "$registry_pid" ]; then kill "$registry_pid" 2>/dev/null || true; fi
  chmod -R u+w "$work" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the input ------------------------------------------------------------------------------
python3 - "$work/src" "$size_mib" <<'PY'
import os, random, shutil, sys
dest, size = sys.argv[1], int(sys.argv[2]) << 20
budget = size * 85 // 100
done = 0
os.makedirs(dest)
for top, dirs, files in os.walk("/usr/lib"):
    dirs.sort(); files.sort()
    for name in files:
        path = os.path.join(top, name)
        try:
            if os.path.islink(path) or not os.path.isfile(path):
                continue
            length = os.path.getsize(path)
            if done + length > budget:
                continue
            target = os.path.join(dest, "lib", os.path.relpath(path, "/usr/lib"))
            os.makedirs(os.path.dirname(target), exist_ok=True)
            shutil.copyfile(path, target)
            done += length
        except OSError:
            continue
    if done >= budget - (1 << 20):
        break
rng = random.Random(7)
os.makedirs(os.path.join(dest, "data"))
i = 0
while done < size:
    length = min(rng.randint(1 << 20, 16 << 20), size - done)
    half = length // 2
    with open(os.path.join(dest, "data", f"blob{i:04d}.bin"), "wb") as out:
        out.write(os.urandom(half))
        out.write(bytes(rng.randrange(64) for _ in range(4096)) * ((length - half) // 4096 + 1))
        out.truncate(length)
    done += length
    i += 1
PY
echo "input: $(du -sm --apparent-size "$work/src" | cut -f1) MiB apparent in $(find "$work/src" | wc -l) entries"

# --- a loopback registry (as INFRA.md and tests/support/registry_fixture.cpp start it) --------
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/registry"
cat > "$work/registry/config.yml" <<YML
version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $work/registry/data
http:
  addr: 127.0.0.1:$port
YML
docker-registry serve "$work/registry/config.yml" > "$work/registry/log" 2>&1 &
registry_pid=$!
for i in $(seq 1 250); do curl -fs -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.02; done
registry=127.0.0.1:$port

# --- envsmith: bench/push_bench.cpp against the build tree ----------------------------------
inc=""
for layer in core specs archive image registry net; do inc="$inc -I$root/libs/$layer/include"; done
g++ -std=c++20 -O2 -o "$work/push_bench" "$root/bench/push_bench.cpp" $inc \
  "$build/libs/registry/libenvsmith_registry.a" "$build/libs/net/libenvsmith_net.a" \
  "$build/libs/image/libenvsmith_image.a" "$build/libs/archive/libenvsmith_archive.a" \
  "$build/libs/specs/libenvsmith_specs.a" "$build/libs/core/libenvsmith_core.a" \
  -lcurl -ldeflate -lzstd -lcrypto -lfmt -larchive -lyaml-cpp -lsimdjson -pthread

timed() {  # "$@" under /usr/bin/time: prints "wall_s cpu_s max_rss_kib"; its stdout goes to $work/out
  /usr/bin/time -o "$work/time" -f "%e %U %S %M" "$@" > "$work/out" 2> "$work/err" || {
    cat "$work/err" >&2; return 1; }
  awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}' "$work/time"
}

t_ours=$(timed "$work/push_bench" "$work/src" "$work/oci-ours" "$registry/bench/envsmith:1" gzip "$threads")
read -r ours_layer_s ours_push_s ours_rss ours_bytes ours_digest ours_up ours_had < "$work/out"
t_umoci=$(timed sh -c "umoci init --layout '$work/oci-umoci' && umoci new --image '$work/oci-umoci:t' \
  && umoci insert --image '$work/oci-umoci:t' '$work/src' /opt/envsmith/envs/bench")
t_skopeo=$(timed skopeo copy --quiet --dest-tls-verify=false "oci:$work/oci-umoci:t" "docker://$registry/bench/skopeo:1")
umoci_bytes=$(find "$work/oci-umoci/blobs" -type f -size +1M -printf '%s\n' | sort -n | tail -1)

wall() { echo "$1" | cut -d' ' -f1; }
cpu() { echo "$1" | cut -d' ' -f2; }
tool_wall=$(echo "$(wall "$t_umoci") + $(wall "$t_skopeo")" | bc)
tool_cpu=$(echo "$(cpu "$t_umoci") + $(cpu "$t_skopeo")" | bc)
echo
echo "side                               wall_s  cpu_s  layer_bytes"
echo "envsmith layer+push (gzip, $threads thr)    $(wall "$t_ours")  $(cpu "$t_ours")  $ours_bytes   (layer ${ours_layer_s} s, push ${ours_push_s} s, peak RSS $(echo "$t_ours" | awk '{printf "%.0f", $3 / 1024}') MiB)"
echo "umoci init+new+insert              $(wall "$t_umoci")  $(cpu "$t_umoci")  $umoci_bytes"
echo "skopeo copy oci: -> docker://      $(wall "$t_skopeo")  $(cpu "$t_skopeo")"
echo "umoci + skopeo                     $tool_wall  $tool_cpu"
echo "ratio (umoci + skopeo) / envsmith: wall $(echo "scale=2; $tool_wall / $(wall "$t_ours")" | bc), cpu $(echo "scale=2; $tool_cpu / $(cpu "$t_ours")" | bc)"
echo "push only: skopeo / envsmith wall $(echo "scale=2; $(wall "$t_skopeo") / $ours_push_s" | bc)"

# --- no-op rebuild: envsmith build --push of the demo definition, twice ----------------------
envsmith=$build/apps/cli/envsmith
if [ -x "$envsmith" ]; then
  demo_index="file://$root/examples/demo-index"
  t_first=$(timed sh -c "ENVSMITH_CACHE_DIR='$work/cache' '$envsmith' build '$root/examples/demo-index/definitions/environment.yml' \
    --platform linux-64 --channel-alias '$demo_index/channel' --index-url '$demo_index/simple' \
    --oci-layout '$work/demo-oci' --push '$registry/demo/env'")
  t_second=$(timed sh -c "ENVSMITH_CACHE_DIR='$work/cache' '$envsmith' build '$root/examples/demo-index/definitions/environment.yml' \
    --platform linux-64 --channel-alias '$demo_index/channel' --index-url '$demo_index/simple' \
    --oci-layout '$work/demo-oci' --push '$registry/demo/env'")
  echo
  echo "envsmith build --push (demo definition): first wall $(wall "$t_first") s cpu $(cpu "$t_first") s; second (no-op) wall $(wall "$t_second") s cpu $(cpu "$t_second") s"
  sed -n '1,5p' "$work/out"
else
  echo "no $envsmith: the no-op rebuild was not timed"
fi
