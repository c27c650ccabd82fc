#!/usr/bin/env bash
# Real registry failures: docker-registry 2.8 on loopback, skopeo, buildah, podman.
# apt-get install -y docker-registry skopeo apache2-utils buildah podman runc umoci busybox-static
. "$(dirname "$0")/common.sh"
R=$W/reg; mkdir -p "$R/data1" "$R/data2" "$R/ctr" "$R/ctx"
cat > "$R/plain.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $R/data1}, delete: {enabled: true}}
http: {addr: 127.0.0.1:15000, secret: corpus-secret}
YML
htpasswd -Bbc "$R/htpasswd" builder 'right-pass-1' 2>/dev/null
cat > "$R/auth.yml" <<YML
version: 0.1
log: {level: info, accesslog: {disabled: true}}
storage: {filesystem: {rootdirectory: $R/data2}}
http: {addr: 127.0.0.1:15001, secret: corpus-secret}
auth: {htpasswd: {realm: corpus-realm, path: $R/htpasswd}}
YML
start docker-registry serve "$R/plain.yml"
start docker-registry serve "$R/auth.yml"
start python3 "$MAKE_DIR/servers.py" registry 15002 429
start python3 "$MAKE_DIR/servers.py" registry 15003 403
# a busybox image
if [ ! -d "$R/oci" ]; then
  mkdir -p "$R/rootfs/bin" && cp /bin/busybox "$R/rootfs/bin/" && ln -sf busybox "$R/rootfs/bin/sh"
  for c in echo cat ls false true sleep kill mkdir rm; do ln -sf busybox "$R/rootfs/bin/$c"; done
  tar --numeric-owner --owner=0 --group=0 -C "$R/rootfs" -cf "$R/layer.tar" .
  umoci init --layout "$R/oci" && umoci new --image "$R/oci:busybox"
  umoci raw add-layer --image "$R/oci:busybox" "$R/layer.tar"
fi
skopeo copy -q --dest-tls-verify=false "oci:$R/oci:busybox" docker://127.0.0.1:15000/base/busybox:1.36
skopeo copy -q --dest-tls-verify=false --dest-creds builder:right-pass-1 "oci:$R/oci:busybox" docker://127.0.0.1:15001/base/busybox:1.36
S="skopeo --command-timeout 20s"
capshow sk-missing-tag '$ skopeo inspect docker://127.0.0.1:15000/base/busybox:2.0' $S inspect --tls-verify=false docker://127.0.0.1:15000/base/busybox:2.0
capshow sk-copy-missing-tag '$ skopeo copy docker://127.0.0.1:15000/azureml/azureml_5f7d2c1e:1 oci:/tmp/img:latest' $S copy --src-tls-verify=false docker://127.0.0.1:15000/base/busybox:20240908.v1 oci:$R/pulled:x
capshow sk-missing-repo '$ skopeo inspect docker://127.0.0.1:15000/azureml/azureml_5f7d2c1e8a9b4c3d:latest' $S inspect --tls-verify=false docker://127.0.0.1:15000/azureml/azureml_5f7d2c1e8a9b4c3d:latest
capshow sk-list-missing-repo '$ skopeo list-tags docker://127.0.0.1:15000/azureml/azureml_5f7d2c1e8a9b4c3d' $S list-tags --tls-verify=false docker://127.0.0.1:15000/azureml/azureml_5f7d2c1e8a9b4c3d
capshow curl-missing-repo '$ curl -s http://127.0.0.1:15000/v2/azureml/azureml_5f7d2c1e8a9b4c3d/tags/list' curl -s http://127.0.0.1:15000/v2/azureml/azureml_5f7d2c1e8a9b4c3d/tags/list
capshow curl-missing-manifest '$ curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json" http://127.0.0.1:15000/v2/base/busybox/manifests/2.0' curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json" http://127.0.0.1:15000/v2/base/busybox/manifests/2.0
capshow curl-noauth '$ curl -si http://127.0.0.1:15001/v2/_catalog' curl -si http://127.0.0.1:15001/v2/_catalog
capshow curl-429 '$ curl -si http://127.0.0.1:15002/v2/library/python/manifests/3.11-slim' curl -si http://127.0.0.1:15002/v2/library/python/manifests/3.11-slim
capshow sk-push-noauth '$ skopeo copy oci:build/oci:app docker://127.0.0.1:15001/ml/app:1' $S copy --dest-tls-verify=false oci:$R/oci:busybox docker://127.0.0.1:15001/ml/app:1
capshow sk-pull-noauth '$ skopeo inspect docker://127.0.0.1:15001/base/busybox:1.36' $S inspect --tls-verify=false docker://127.0.0.1:15001/base/busybox:1.36
capshow sk-login-wrongpass '$ skopeo login -u builder 127.0.0.1:15001' $S login --tls-verify=false --authfile $R/auth.json -u builder -p wrong-pass 127.0.0.1:15001
capshow sk-push-wrongpass '$ skopeo copy --dest-creds builder:*** oci:build/oci:app docker://127.0.0.1:15001/ml/app:1' $S copy --dest-tls-verify=false --dest-creds builder:wrong-pass oci:$R/oci:busybox docker://127.0.0.1:15001/ml/app:1
capshow sk-ref-doubleslash '$ skopeo inspect docker://127.0.0.1:15000//azureml/base:latest' $S inspect --tls-verify=false docker://127.0.0.1:15000//azureml/base:latest
capshow sk-ref-upper '$ skopeo inspect docker://127.0.0.1:15000/MyTeam/TrainImage:v1' $S inspect --tls-verify=false docker://127.0.0.1:15000/MyTeam/TrainImage:v1
capshow sk-ref-backslash '$ skopeo copy oci:build/oci:app docker://127.0.0.1:15000\azureml\app:1' $S copy --dest-tls-verify=false oci:$R/oci:busybox 'docker://127.0.0.1:15000\azureml\app:1'
capshow sk-refused '$ skopeo inspect docker://127.0.0.1:15009/base/busybox:1.36' $S inspect --tls-verify=false docker://127.0.0.1:15009/base/busybox:1.36
capshow sk-dns '$ skopeo copy docker://myregistry.invalid/azureml/base:latest oci:/tmp/base:latest' $S copy docker://myregistry.invalid/azureml/base:latest oci:$R/pulled:y
capshow sk-429 '$ skopeo copy docker://127.0.0.1:15002/library/python:3.11-slim oci:/tmp/py:latest' $S copy --src-tls-verify=false docker://127.0.0.1:15002/library/python:3.11-slim oci:$R/pulled:z
capshow sk-403 '$ skopeo copy oci:build/oci:app docker://127.0.0.1:15003/ml/app:1' $S copy --dest-tls-verify=false oci:$R/oci:busybox docker://127.0.0.1:15003/ml/app:1
capshow sk-ok-push '$ skopeo copy oci:build/oci:app docker://127.0.0.1:15001/ml/app:1' $S copy --dest-tls-verify=false --dest-creds builder:right-pass-1 oci:$R/oci:busybox docker://127.0.0.1:15001/ml/app:1

# buildah / podman (config as in shared/INFRA.md)
cat > "$R/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$R/ctr/events.log"
CONF
cat > "$R/storage.conf" <<CONF
[storage]
driver = "vfs"
graphroot = "$R/ctr/root"
runroot = "$R/ctr/run"
CONF
printf 'unqualified-search-registries = []\n[[registry]]\nlocation = "127.0.0.1:15000"\ninsecure = true\n[[registry]]\nlocation = "127.0.0.1:15001"\ninsecure = true\n' > "$R/registries.conf"
export CONTAINERS_CONF=$R/containers.conf CONTAINERS_REGISTRIES_CONF=$R/registries.conf CONTAINERS_STORAGE_CONF=$R/storage.conf REGISTRY_AUTH_FILE=$R/auth-empty.json
echo '{"auths":{}}' > "$R/auth-empty.json"
mk() { mkdir -p "$R/ctx/$1"; cat > "$R/ctx/$1/Dockerfile"; echo "numpy==1.26.4" > "$R/ctx/$1/requirements.txt"; }
mk missing-base <<'DF'
FROM 127.0.0.1:15000/azureml/custom-training:2024-09
COPY requirements.txt /tmp/
RUN pip install -r /tmp/requirements.txt
DF
mk run-fails <<'DF'
FROM 127.0.0.1:15000/base/busybox:1.36
COPY requirements.txt /tmp/
RUN echo "installing" && ls /opt/conda/bin/python && /opt/conda/bin/python -m pip install -r /tmp/requirements.txt
CMD ["sh"]
DF
mk run-notfound <<'DF'
FROM 127.0.0.1:15000/base/busybox:1.36
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
DF
mk run-killed <<'DF'
FROM 127.0.0.1:15000/base/busybox:1.36
RUN echo "Compiling model graph" && sh -c 'echo allocating; kill -9 $$'
DF
mk upper-base <<'DF'
FROM 127.0.0.1:15000/AzureML/Base-Image:latest
RUN echo hi
DF
mk auth-base <<'DF'
FROM 127.0.0.1:15001/base/busybox:1.36
RUN echo hi
DF
mk ok <<'DF'
FROM 127.0.0.1:15000/base/busybox:1.36
WORKDIR /app
COPY requirements.txt .
RUN echo "pretend install" && cat requirements.txt
CMD ["sh"]
DF
for c in missing-base run-fails run-notfound run-killed upper-base auth-base ok; do
  capshow bah-$c "$ buildah bud --layers -t ml/$c ." buildah bud --isolation chroot --tls-verify=false -t ml/$c "$R/ctx/$c"
done
for c in missing-base run-fails auth-base ok; do
  capshow pod-$c "$ podman build -t ml/$c ." podman build --network none --tls-verify=false -t ml/$c "$R/ctx/$c"
done
capshow pod-pull-missing '$ podman pull 127.0.0.1:15000/azureml/azureml_9b1c2d3e:latest' podman pull --tls-verify=false 127.0.0.1:15000/azureml/azureml_9b1c2d3e:latest
capshow pod-pull-doubleslash '$ podman pull 127.0.0.1:15000//azureml/base:latest' podman pull --tls-verify=false 127.0.0.1:15000//azureml/base:latest
stop_all
echo done
