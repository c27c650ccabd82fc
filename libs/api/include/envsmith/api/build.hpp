#pragma once
// The build use case (`envsmith build`): a definition or lock becomes an OCI image in a local
// OCI image layout and, with `push`, in a registry, with no Docker daemon. The definition's
// content hash names the image (`envsmith_<hash>` unless a tag is given) and is kept in its
// labels, so a second build of the same definition finds the image and stops ("reused"); two
// identical builds started at once do the work once (the second waits on a lock named by the
// hash, then finds the first one's image). Otherwise: pull the base (the definition's `image:`
// or `base`; pulled once into the cache), lock (or read the lock), create the prefix in a
// staging root at its path in the image (`/opt/envsmith/envs/<name>`), make one
// deterministic layer of it, put it on the base and write the image to the layout, then push.
// A definition with `user_managed_dependencies` uses its image as it is, once it is known to
// exist for the platform ("used"). Every phase goes to the build log
// (`20_image_build_log.txt`, `<UTC timestamp> [<phase>] <text>` lines, streamed) and the
// outcome to `build.json`; a failed build ends with the doctor's diagnosis.

#include <optional>
#include <string>
#include <vector>

#include "envsmith/api/create.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

struct BuildOptions {
    std::string path;        // a definition, a conda-lock file or an @EXPLICIT file
    std::string oci_layout;  // the OCI image layout to write (created when missing); empty with
                             // `push`: a working layout in the cache
    /// `--push REF`: the registry repository (and tag; none: `tag`) the image goes to. With it
    /// the reuse check asks the registry, and a new image is pushed after it is written.
    std::string push;
    /// `--creds USER:PASSWORD` for the registry pushed to (without a push: the base's); other
    /// registries, and this one without it: environment, docker config.
    std::string creds;
    std::vector<std::string> insecure_registries;  // reached over plain HTTP (loopback always is)
    std::string docker_config;                     // empty: $DOCKER_CONFIG or ~/.docker/config.json
    std::string tag;         // empty: envsmith_<first 32 hex digits of the content hash>
    /// The base image: "scratch", "oci:DIR:TAG" (a local OCI layout) or a registry reference
    /// (pulled for the platform into `<cache>/images/bases` once). Empty: the definition's
    /// `image:`, else scratch. Part of the content hash when set.
    std::string base;
    std::string log_dir;     // where the build log and build.json go; empty: <oci_layout>.build
    std::string platform;    // conda subdir; empty: the definition's, else the host's
    /// A definition with a Docker build context (`build.path`): the engine to hand it to,
    /// "buildah", "podman" or "docker"; empty: the first one installed (engine_build.hpp).
    std::string engine;
    /// Layer compression: gzip (default) or zstd.
    bool zstd = false;
    /// Build even when the layout has an image of this definition.
    bool force = false;
    /// Seconds since the epoch for the image's times and file mtimes; empty: SOURCE_DATE_EPOCH, else 0.
    std::optional<std::int64_t> source_date_epoch;
    std::string envsmith_version;  // for the image's labels
    CreateOptions create;  // lock and network settings; its path, prefix and write_dir are set here
};

struct BuildReport {
    std::string status;  // "built", "reused", or "used" (user-managed dependencies: the image as it is)
    std::string content_hash;
    std::string tag;
    std::string image_digest;  // the manifest's digest
    std::string pushed_to;     // the reference pushed to (or found there, when reused)
    std::string oci_layout;
    std::string prefix;        // the environment's path in the image
    std::string log_path;
    std::string build_json_path;
    std::vector<std::pair<std::string, double>> phases;  // name, seconds
    std::optional<CreateReport> create;  // when built
};

/// Fails when a phase fails (the error is returned, and the log and build.json say so with the
/// doctor's diagnosis of the log). An unsatisfiable definition is an error here
/// (`build.unsolvable`), its explanation in the log.
[[nodiscard]] core::Result<BuildReport> build(core::FileSystem& fs, core::Transport& transport,
                                              core::Reporter& reporter, const BuildOptions& options);
[[nodiscard]] core::Result<BuildReport> build(core::FileSystem& fs, core::Reporter& reporter,
                                              const BuildOptions& options);

}  // namespace envsmith::api
