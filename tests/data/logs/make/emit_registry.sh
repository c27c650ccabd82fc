#!/usr/bin/env bash
# Wrap the raw registry transcripts from registry_cases.sh into tests/data/logs/.
. "$(dirname "$0")/common.sh"
SK="real:skopeo 1.9.3"; BU="real:buildah 1.28.2"; PO="real:podman 4.3.1"; CU="real:curl 7.88.1 + docker-registry 2.8.2"
emit registry/skopeo-inspect-missing-tag.log registry.manifest_unknown "$SK" "tag not in registry" plain sk-missing-tag
emit registry/skopeo-copy-missing-tag.log registry.manifest_unknown "$SK" "pull of a tag that does not exist" plain sk-copy-missing-tag
emit registry/skopeo-inspect-missing-repo.log registry.manifest_unknown "$SK" "missing repository reported as manifest unknown" plain sk-missing-repo
emit registry/buildah-from-missing-image.log registry.manifest_unknown "$BU" "custom base image not in registry" plain bah-missing-base
emit registry/podman-build-from-missing-image.log registry.manifest_unknown "$PO" "FROM image not in registry" plain pod-missing-base
emit registry/podman-pull-missing-image.log registry.manifest_unknown "$PO" "pull of an image never pushed" plain pod-pull-missing
emit registry/curl-manifest-unknown.log registry.manifest_unknown "$CU" "raw API 404 MANIFEST_UNKNOWN" plain curl-missing-manifest
emit registry/curl-name-unknown.log registry.name_unknown "$CU" "raw API NAME_UNKNOWN for missing repository" plain curl-missing-repo
emit registry/skopeo-list-tags-missing-repo.log registry.name_unknown "$SK" "tags list 404 for a repository that does not exist" plain sk-list-missing-repo
emit registry/skopeo-push-no-credentials.log registry.auth_required "$SK" "push to htpasswd registry without credentials" plain sk-push-noauth
emit registry/skopeo-inspect-no-credentials.log registry.auth_required "$SK" "inspect without credentials" plain sk-pull-noauth
emit registry/skopeo-login-wrong-password.log registry.auth_required "$SK" "login with wrong password" plain sk-login-wrongpass
emit registry/skopeo-push-wrong-password.log registry.auth_required "$SK" "push with wrong password, 401" plain sk-push-wrongpass
emit registry/buildah-from-needs-auth.log registry.auth_required "$BU" "FROM image on an authenticated registry" plain bah-auth-base
emit registry/podman-build-from-needs-auth.log registry.auth_required "$PO" "FROM image needs login" plain pod-auth-base
emit registry/curl-401.log registry.auth_required "$CU" "raw API 401 with Basic challenge" plain curl-noauth
emit registry/skopeo-push-403-denied.log registry.access_denied "real:skopeo 1.9.3 + loopback fake registry" "push refused with 403" plain sk-403
emit registry/curl-429-toomanyrequests.log registry.rate_limited "real:curl 7.88.1 + loopback fake registry" "429 TOOMANYREQUESTS body" plain curl-429
emit registry/skopeo-invalid-ref-double-slash.log registry.invalid_reference "$SK" "double slash in image name" plain sk-ref-doubleslash
emit registry/skopeo-invalid-ref-uppercase.log registry.invalid_reference "$SK" "uppercase repository name" plain sk-ref-upper
emit registry/skopeo-invalid-ref-backslash.log registry.invalid_reference "$SK" "backslashes in image name" plain sk-ref-backslash
emit registry/buildah-from-uppercase.log registry.invalid_reference "$BU" "uppercase FROM reference" plain bah-upper-base
emit registry/podman-pull-double-slash.log registry.invalid_reference "$PO" "double slash in pull reference" plain pod-pull-doubleslash
emit registry/skopeo-connection-refused.log registry.unreachable "$SK" "registry port closed" plain sk-refused
emit registry/skopeo-dns-no-such-host.log registry.unreachable "$SK" "registry host does not resolve" plain sk-dns
emit build/buildah-run-step-fails.log build.command_failed "$BU" "RUN step exits 1, only generic failure" plain bah-run-fails
emit build/podman-run-step-fails.log build.command_failed "$PO" "RUN step exits 1" plain pod-run-fails
emit build/buildah-run-pip-not-found.log build.command_failed "$BU" "pip absent from base image, exit 127" plain bah-run-notfound
emit system/buildah-run-killed.log system.out_of_memory "$BU" "RUN process killed by SIGKILL" plain bah-run-killed
emit ok/buildah-bud-ok.log none "$BU" "successful build" plain bah-ok
emit ok/podman-build-ok.log none "$PO" "successful build" plain pod-ok
emit ok/skopeo-push-ok.log none "$SK" "successful push" plain sk-ok-push
echo emitted
