#!/usr/bin/env bash
# Wrap the raw apt/system transcripts from apt_system_cases.sh into tests/data/logs/.
. "$(dirname "$0")/common.sh"
APT="real:apt 2.6.1"
emit apt/update-no-pubkey.log apt.key_missing "$APT" "local repo signed by an unknown key" plain apt-nopubkey
emit apt/update-no-pubkey-docker.log apt.key_missing "$APT" "NO_PUBKEY in a docker build" docker apt-nopubkey --cmd "apt-get update && apt-get install -y ml-runtime-tools" --rc 100 --image nvidia/cuda:11.8.0-cudnn8-runtime-ubuntu22.04
emit apt/update-no-pubkey-buildkit.log apt.key_missing "$APT" "NO_PUBKEY, BuildKit" buildkit apt-nopubkey --cmd "apt-get update" --rc 100 --image ubuntu:22.04
emit apt/no-release-file.log apt.fetch_failed "$APT" "repository without a Release file" plain apt-norelease
emit apt/no-release-file-docker.log apt.fetch_failed "$APT" "repository without Release file in docker build" docker apt-norelease --cmd "apt-get update && apt-get install -y --no-install-recommends ml-runtime-tools" --rc 100 --image debian:bookworm-slim
emit apt/fetch-404-deb.log apt.fetch_failed "$APT" "pool file gone: 404 on the .deb" plain apt-404
emit apt/fetch-404-deb-buildkit.log apt.fetch_failed "$APT" "stale lists, 404 on the .deb" buildkit apt-404 --cmd "apt-get install -y ml-runtime-tools" --rc 100 --image debian:bookworm
emit apt/update-connection-refused.log network.connection_refused "$APT" "apt mirror port closed; apt exits 0 but later installs fail" plain apt-refused
emit apt/unable-to-locate.log apt.package_not_found "$APT" "package name does not exist" plain apt-unable
emit apt/unable-to-locate-docker.log apt.package_not_found "$APT" "package name does not exist, docker build" docker apt-unable --cmd "apt-get update && apt-get install -y --no-install-recommends libgl1-mesa-glx-xyz build-essential" --rc 100 --image python:3.11-slim-bookworm
emit apt/unable-to-locate-buildkit.log apt.package_not_found "$APT" "package name does not exist, BuildKit" buildkit apt-unable --cmd "apt-get install -y --no-install-recommends libgl1-mesa-glx-xyz build-essential" --rc 100 --image python:3.11-slim-bookworm
emit apt/no-installation-candidate.log apt.package_not_found "$APT" "python has no installation candidate on bookworm" plain apt-nocandidate
emit apt/no-installation-candidate-docker.log apt.package_not_found "$APT" "no installation candidate in docker build" docker apt-nocandidate --cmd "apt-get install -y python" --rc 100 --image debian:bookworm
emit ok/apt-install-dry-run.log none "$APT" "apt install succeeds" plain apt-ok
emit system/killed-sigkill.log system.out_of_memory "real:bash 5.2.15" "process SIGKILLed (OOM killer shape), exit 137" plain sys-killed
emit system/killed-sigkill-docker.log system.out_of_memory "real:bash 5.2.15" "Killed, then returned a non-zero code: 137" docker sys-killed --cmd "python train_prep.py" --rc 137
emit system/killed-sigkill-buildkit.log system.out_of_memory "real:bash 5.2.15" "Killed, exit code: 137" buildkit sys-killed --cmd "python train_prep.py" --rc 137
emit system/memoryerror.log system.out_of_memory "real:python 3.11.7" "MemoryError under ulimit -v" plain sys-memoryerror
emit system/memoryerror-docker.log system.out_of_memory "real:python 3.11.7" "MemoryError in a RUN step" docker sys-memoryerror --cmd "python -c 'import featurize; featurize.build_index()'"
emit system/dd-dev-full.log system.disk_full "real:coreutils 9.1" "write to /dev/full" plain sys-devfull
emit system/pip-target-enospc.log system.disk_full "real:pip 23.2.1" "Errno 28 while pip copies into a 1 MB tmpfs" plain sys-pip-enospc
emit system/pip-target-enospc-docker-pip24.log system.disk_full "real:pip 24.2" "Errno 28 in docker build" docker sys-pip-enospc-pip24 --cmd "pip install --target /opt/site bigmodel-assets==1.0.0" --rc 2
emit system/tar-enospc.log system.disk_full "real:tar 1.34" "tar cannot write: disk full (message without ENOSPC text)" plain sys-tar-enospc
echo emitted
