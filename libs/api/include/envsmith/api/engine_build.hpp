#pragma once
// Dockerfile builds (an Azure ML definition with `build: {path, dockerfile_path}`) handed to a
// real container engine: envsmith does not interpret Dockerfiles itself. The engine is buildah,
// podman or docker, found on PATH in that order of preference (buildah first: it needs no daemon
// and, with `--isolation chroot`, no OCI runtime). The engine runs as a child process (argv, no
// shell, the environment inherited plus `EngineBuildRequest::environment`); every line it prints
// (stdout and stderr merged) goes to `Reporter::on_log_line("engine", line)` as it arrives. The
// built image is then copied into an OCI image layout under a tag (`buildah|podman push IMAGE
// oci:DIR:TAG`; docker: `docker save` and `skopeo copy docker-archive:... oci:DIR:TAG`) and the
// temporary engine tag is removed from the engine's storage. docs/engine-build.md has the details.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"

namespace envsmith::api {

enum class Engine : std::uint8_t { buildah, podman, docker };

/// "buildah", "podman", "docker".
[[nodiscard]] std::string_view to_string(Engine engine) noexcept;

struct EngineInfo {
    Engine engine = Engine::buildah;
    std::string path;     // absolute path of the executable
    std::string version;  // first line of `<engine> --version`, e.g. "buildah version 1.28.2 (...)"
    /// Empty when usable; else the message id of why not (`engine.docker_no_daemon`: `docker
    /// info` failed, so no daemon is reachable through DOCKER_HOST or the default socket).
    std::string problem;
    std::string problem_detail;  // the last line `docker info` printed, when `problem` is set
};

/// The engines found in `path_dirs` (the first executable of each name wins), in preference
/// order buildah, podman, docker, usable ones and unusable ones (see `EngineInfo::problem`).
/// Runs `<engine> --version` for each, and `docker info` for docker.
[[nodiscard]] std::vector<EngineInfo> detect_engines(const std::vector<std::string>& path_dirs);
/// The same over the directories of $PATH.
[[nodiscard]] std::vector<EngineInfo> detect_engines();

/// A conda subdir as an engine's `--platform` value: `linux-64` -> `linux/amd64`,
/// `linux-aarch64` -> `linux/arm64/v8`, `linux-ppc64le` -> `linux/ppc64le`, `linux-s390x` ->
/// `linux/s390x`, `linux-32` -> `linux/386`, `linux-armv7l` -> `linux/arm/v7`. Empty for an empty
/// subdir and for subdirs without a Linux image platform (`noarch`, `osx-64`, `win-64`).
[[nodiscard]] std::string engine_platform(std::string_view conda_subdir);

struct EngineBuildRequest {
    std::string context_dir;  // the build context, absolute
    std::string dockerfile;   // relative to the context; empty: "Dockerfile"
    std::string platform;     // conda subdir (linux-64 -> --platform linux/amd64); empty: the engine's default
    std::string oci_layout;   // output layout directory (created if missing); no ':' in it
    std::string tag;          // the image's tag in the layout
    std::vector<std::pair<std::string, std::string>> labels;  // added with --label and checked in the result
    std::string engine;       // "" picks the first usable engine; else "buildah", "podman" or "docker"
    /// Registries that FROM pulls reach over plain HTTP or without TLS checks: with any, buildah
    /// and podman get --tls-verify=false; docker decides through its daemon's configuration.
    std::vector<std::string> insecure_registries;
    std::string network = "host";  // --network for RUN steps; empty: the engine's default
    /// Where to look for engines; nullopt: $PATH. (An empty list finds none.)
    std::optional<std::vector<std::string>> search_path;
    /// Variables set for the engine on top of the inherited environment (CONTAINERS_CONF,
    /// CONTAINERS_STORAGE_CONF, REGISTRY_AUTH_FILE, DOCKER_HOST, ...).
    std::vector<std::pair<std::string, std::string>> environment;
};

struct EngineBuildResult {
    std::string engine;          // "buildah", "podman" or "docker"
    std::string engine_version;  // as in EngineInfo::version
    std::string image_digest;    // the manifest's digest in the layout ("sha256:...")
    int exit_code = 0;           // the build command's exit code (0 here: a failure is an error)
};

/// Builds the Dockerfile with an engine and writes the image to `oci_layout` under `tag`.
/// Errors (all with args as named):
///  - `engine.none` (not_found; `dockerfile`, `path`): no engine found; says to install one
///    (`apt-get install -y buildah` on Debian).
///  - `engine.unknown` (invalid_input; `engine`): `engine` is not buildah, podman or docker.
///  - `engine.not_found` (not_found; `engine`, `path`): the engine asked for is not on the path.
///  - `engine.docker_no_daemon` (unavailable; `detail`): docker asked for (or the only one found)
///    but `docker info` fails.
///  - `engine.docker_needs_skopeo` (not_found): docker builds need skopeo to reach the layout.
///  - `engine.bad_request` (invalid_input; `field`, `value`): a relative context, a missing
///    context or Dockerfile, a Dockerfile outside the context, an empty tag, ':' in the layout
///    path, a platform without a Linux image platform.
///  - `engine.spawn_failed` (internal; `command`, `detail`): fork/exec or the pipe failed.
///  - `engine.build_failed` (unavailable; `engine`, `exit_code`, `last_line`): the build
///    exited non-zero (or was killed: exit code 128+signal); its output is in the log.
///  - `engine.export_failed` (unavailable; `engine`, `command`, `exit_code`, `last_line`): the
///    copy into the layout failed.
///  - `engine.labels_missing` (internal; `label`, `layout`, `tag`): the image in the layout
///    lacks a requested label, or has another value for it.
///  - image layer errors (`image.*`) reading the layout back.
[[nodiscard]] core::Result<EngineBuildResult> build_with_engine(const EngineBuildRequest& request,
                                                                core::Reporter& reporter);

}  // namespace envsmith::api
