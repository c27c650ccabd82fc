#pragma once
// `envsmith registry check REF`: before a build, parse and normalise an image reference, then
// ask its registry whether it is reachable, which authentication it wants and whether ours
// works, whether the manifest exists, and for an index whether it has the target platform
// (the troubleshooting guide's "custom image not in the registry").

#include <optional>
#include <string>
#include <vector>

#include "envsmith/api/network.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

struct RegistryCheckOptions {
    std::string reference;              // as the user wrote it: "ubuntu:22.04", "host:5000/a/b@sha256:..."
    std::string platform = "linux/amd64";  // os/architecture[/variant]
    /// `--creds user:password`; empty: ENVSMITH_REGISTRY_USER / ENVSMITH_REGISTRY_PASSWORD,
    /// else the Docker config file (auths, credHelpers, credsStore).
    std::string creds;
    /// `--insecure-registry HOST[:PORT]`, repeatable: plain HTTP for these (loopback
    /// registries always are).
    std::vector<std::string> insecure_registries;
    /// The Docker config file; empty: `$DOCKER_CONFIG/config.json` or `~/.docker/config.json`.
    std::string docker_config;
    NetworkSettings network;
};

/// What was found, step by step. Holds no secret: never a password or a token.
struct RegistryCheckReport {
    std::string input;       // the reference as given
    std::string normalised;  // "docker.io/library/ubuntu:22.04"
    std::string familiar;    // "ubuntu:22.04"
    std::string registry;    // "docker.io"
    std::string repository;  // "library/ubuntu"
    std::string tag;
    std::string digest;      // of the reference, when it has one
    std::string endpoint;    // "https://registry-1.docker.io"
    bool plain_http = false;

    bool reachable = false;   // /v2/ answered
    std::string api_version;  // Docker-Distribution-Api-Version
    /// "none" (the registry asked for nothing), "basic" or "bearer".
    std::string auth_scheme = "none";
    bool with_credentials = false;   // credentials were sent (to the registry or its token service)
    std::string credentials_source;  // "--creds", "environment", a config path, a helper; empty: none
    std::string realm;               // Basic realm or token service URL
    std::string service;             // Bearer only

    bool manifest_exists = false;
    /// When the tag is missing: the tags the repository has (the registry's first page).
    std::vector<std::string> tags;
    std::string manifest_digest;
    std::string media_type;
    bool is_index = false;
    std::vector<std::string> platforms;  // of an index
    std::string platform;                // the platform asked for
    std::optional<bool> platform_found;  // set for an index
    std::string platform_digest;         // the manifest for the platform

    /// The first step that failed (`registry.unreachable`, `registry.auth_required`,
    /// `registry.manifest_unknown`, `registry.name_unknown` when the repository does not
    /// exist either, `registry.platform_unknown`, ...); empty when all passed.
    std::optional<core::Error> failure;

    [[nodiscard]] bool ok() const noexcept { return !failure.has_value(); }
};

/// Runs the check through `transport`. Fails (as an Error, not a report) only on bad input:
/// an invalid reference (`image_ref.*`), platform (`registry.platform_invalid`) or `--creds`
/// (`registry.creds_invalid`), or an unreadable Docker config. Everything the registry says
/// is in the report.
[[nodiscard]] core::Result<RegistryCheckReport> registry_check(core::Transport& transport,
                                                               core::FileSystem& fs,
                                                               core::Reporter& reporter,
                                                               const RegistryCheckOptions& options);

/// The same with the real libcurl transport built from `options.network`.
[[nodiscard]] core::Result<RegistryCheckReport> registry_check(core::FileSystem& fs,
                                                               core::Reporter& reporter,
                                                               const RegistryCheckOptions& options);

}  // namespace envsmith::api
