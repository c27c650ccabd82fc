#!/usr/bin/env bash
# Regenerate every log under tests/data/logs/ (not run by the test suite).
# Real logs: needs root, Debian 12 packages (docker-registry skopeo apache2-utils buildah podman runc
# umoci busybox-static python3-wheel-whl gcc curl), pyenv pythons 3.6/3.7/3.9/3.11/3.12/3.13, and only
# loopback addresses.  Work files go to $ELOG_WORK (default /tmp/elog).
set -e
cd "$(dirname "$0")"
W=${ELOG_WORK:-/tmp/elog}; rm -f "$W/rows-real.tsv"
bash pip_cases.sh && bash emit_pip.sh
bash registry_cases.sh && bash emit_registry.sh
bash apt_system_cases.sh && bash emit_apt_system.sh
python3 written.py
cp "$W/rows-real.tsv" rows-real.tsv; cp "$W/rows-written.tsv" rows-written.tsv
{ printf 'path\troot_cause\tsource\tnotes\n'; sort rows-real.tsv rows-written.tsv; } > ../expected.tsv
