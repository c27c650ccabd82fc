#!/usr/bin/env bash
# Real apt-get and system-level failures. apt repositories are served on 127.0.0.1 only; apt state
# for them lives under $W/apt so the machine's own lists are untouched.
. "$(dirname "$0")/common.sh"
A=$W/apt; rm -rf "$A"; mkdir -p "$A/lists/partial" "$A/cache/archives/partial" "$A/repo/pool" "$A/repo/dists/bookworm/main/binary-amd64" "$A/norelease" "$A/gnupg"
chmod 700 "$A/gnupg"
# a tiny .deb
mkdir -p "$A/pkg/DEBIAN" "$A/pkg/usr/share/doc/ml-runtime-tools"
printf 'Package: ml-runtime-tools\nVersion: 1.2.0\nArchitecture: all\nMaintainer: Corpus <corpus@example.invalid>\nDescription: test package\n' > "$A/pkg/DEBIAN/control"
echo hi > "$A/pkg/usr/share/doc/ml-runtime-tools/README"
dpkg-deb -b "$A/pkg" "$A/repo/pool/ml-runtime-tools_1.2.0_all.deb" > /dev/null
(cd "$A/repo" && dpkg-scanpackages -m pool /dev/null 2>/dev/null > dists/bookworm/main/binary-amd64/Packages && gzip -k dists/bookworm/main/binary-amd64/Packages)
python3 - "$A/repo/dists/bookworm" <<'PY'
import hashlib, os, sys
d = sys.argv[1]
files = ["main/binary-amd64/Packages", "main/binary-amd64/Packages.gz"]
out = ["Origin: ml-internal", "Label: ml-internal", "Suite: bookworm", "Codename: bookworm", "Date: Mon, 07 Oct 2024 10:00:00 UTC",
       "Architectures: amd64", "Components: main", "SHA256:"]
for f in files:
    b = open(os.path.join(d, f), "rb").read()
    out.append(f" {hashlib.sha256(b).hexdigest()} {len(b)} {f}")
open(os.path.join(d, "Release"), "w").write("\n".join(out) + "\n")
PY
export GNUPGHOME=$A/gnupg
gpg --batch --quiet --passphrase '' --quick-gen-key 'ML Internal Repo <repo@example.invalid>' rsa2048 sign 1y 2>/dev/null
gpg --batch --quiet --yes --clearsign -o "$A/repo/dists/bookworm/InRelease" "$A/repo/dists/bookworm/Release"
gpg --batch --quiet --yes -abs -o "$A/repo/dists/bookworm/Release.gpg" "$A/repo/dists/bookworm/Release"
unset GNUPGHOME
start python3 "$MAKE_DIR/servers.py" static 18080 "$A/repo"
start python3 "$MAKE_DIR/servers.py" static 18081 "$A/norelease"
waitport 18080; waitport 18081
APTO=(-o Dir::State::Lists=$A/lists -o Dir::Cache=$A/cache -o Dir::Etc::SourceParts=/dev/null -o APT::Sandbox::User=root)
src() { echo "$1" > "$A/sources-$2.list"; echo -o "Dir::Etc::SourceList=$A/sources-$2.list"; }
capshow apt-nopubkey '$ apt-get update' apt-get "${APTO[@]}" $(src "deb http://127.0.0.1:18080 bookworm main" key) update
capshow apt-norelease '$ apt-get update' apt-get "${APTO[@]}" $(src "deb http://127.0.0.1:18081 bookworm main" norel) update
capshow apt-refused '$ apt-get update' apt-get "${APTO[@]}" $(src "deb http://127.0.0.1:18089/debian bookworm main" refused) update
# trusted repo whose pool file vanished: 404 on the .deb
apt-get "${APTO[@]}" $(src "deb [trusted=yes] http://127.0.0.1:18080 bookworm main" trusted) update > /dev/null 2>&1
mv "$A/repo/pool/ml-runtime-tools_1.2.0_all.deb" "$A/repo/pool/moved.deb"
capshow apt-404 '$ apt-get install -y --download-only ml-runtime-tools' apt-get "${APTO[@]}" -o Dir::Etc::SourceList=$A/sources-trusted.list install -y --download-only ml-runtime-tools
mv "$A/repo/pool/moved.deb" "$A/repo/pool/ml-runtime-tools_1.2.0_all.deb"
# the machine's own Debian lists: a name that does not exist, and one with no candidate
capshow apt-unable '$ apt-get install -y --no-install-recommends libgl1-mesa-glx-xyz build-essential' apt-get install -y --no-install-recommends --dry-run libgl1-mesa-glx-xyz build-essential
capshow apt-nocandidate '$ apt-get install -y python' apt-get install -y --dry-run python
capshow apt-ok '$ apt-get install -y --no-install-recommends curl ca-certificates' apt-get install -y --no-install-recommends --dry-run curl ca-certificates
# system
capshow sys-killed '$ python train_prep.py' bash -c 'python3 -c "import os, sys; print(\"Loading tokenizer vocab (2.1 GB)...\", flush=True); os.kill(os.getpid(), 9)"; exit $?'
capshow sys-memoryerror '$ python -c "import featurize; featurize.build_index()"' bash -c 'ulimit -v 400000; python3 -c "
import sys
print(\"building feature matrix\", flush=True)
rows = [bytearray(50 * 1024 * 1024) for _ in range(100)]
"'
capshow sys-devfull '$ dd if=/dev/zero of=/dev/full bs=1M count=1' dd if=/dev/zero of=/dev/full bs=1M count=1
mkdir -p "$W/tiny" && mount -t tmpfs -o size=1m tmpfs "$W/tiny" && TINY=1 || TINY=0
if [ $TINY = 1 ]; then
  start python3 "$MAKE_DIR/servers.py" static 18765 "$W/pypi"
  capshow sys-pip-enospc '$ pip install --target /opt/site bigmodel-assets==1.0.0' "${CLEANENV[@]}" "$W/venv/py311/bin/python" -m pip install --no-cache-dir --index-url http://127.0.0.1:18765/simple --target "$W/tiny/site" bigmodel-assets==1.0.0
  rm -rf "$W/tiny/"*
  capshow sys-pip-enospc-pip24 '$ pip install --target /opt/site bigmodel-assets==1.0.0' "${CLEANENV[@]}" "$W/venv/py313/bin/python" -m pip install --no-cache-dir --index-url http://127.0.0.1:18765/simple --target "$W/tiny/site" bigmodel-assets==1.0.0
  rm -rf "$W/tiny/"*
  head -c 3000000 /dev/urandom > "$W/blob.bin"; tar -C "$W" -cf "$W/blob.tar" blob.bin
  capshow sys-tar-enospc '$ tar -xf /tmp/pkgs/cudnn-8.9.2.26-cuda11_0.tar.bz2 -C /opt/conda/pkgs' tar -xf "$W/blob.tar" -C "$W/tiny"
  rm -rf "$W/tiny/"*
  umount "$W/tiny"
fi
stop_all
echo done
