#pragma once
// Where registry credentials come from, in docker's order of precedence after the explicit
// ones: `--creds user:pass`, then ENVSMITH_REGISTRY_USER / ENVSMITH_REGISTRY_PASSWORD, then
// ~/.docker/config.json (`credHelpers` for the registry, else `credsStore`, else `auths`).
// Secrets never appear in an Error, a warning or any other event.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"

namespace envsmith::registry {

struct Credentials {
    std::string username;
    std::string password;  // or an identity token when `username` is "<token>"
    std::string source;    // where they came from, for reports: "--creds", "environment", ...

    friend bool operator==(const Credentials&, const Credentials&) = default;
};

/// Parses `user:password` (the password may contain `:`). Fails with `registry.creds_invalid`
/// without echoing the text.
[[nodiscard]] core::Result<Credentials> parse_creds(std::string_view text, std::string_view source);

struct CredentialSources {
    /// `--creds user:pass`, already parsed: used for every registry.
    std::optional<Credentials> explicit_credentials;
    /// Reads an environment variable; unset: the process environment.
    std::function<std::optional<std::string>(const std::string&)> getenv;
    /// The Docker config file. Empty: `$DOCKER_CONFIG/config.json`, else
    /// `~/.docker/config.json`; a missing file is no credentials.
    std::string docker_config_path;
    /// Folders searched for `docker-credential-<helper>`. Empty: `$PATH`.
    std::vector<std::string> helper_dirs;
};

/// The environment variables read for credentials.
inline constexpr std::string_view user_env = "ENVSMITH_REGISTRY_USER";
inline constexpr std::string_view password_env = "ENVSMITH_REGISTRY_PASSWORD";

/// The keys docker uses in `auths` and for helpers for a registry host: the host itself, and
/// for Docker Hub also "https://index.docker.io/v1/" and its variants.
[[nodiscard]] std::vector<std::string> docker_config_keys(std::string_view registry);

/// The credentials for `registry` ("docker.io", "127.0.0.1:5000"), or none. A helper that is
/// named but not installed is a `registry.credential_helper_missing` warning and the next
/// source is tried. Fails with `registry.docker_config_invalid`, `registry.creds_invalid`
/// (a bad `auth` value) or `registry.credential_helper_failed`.
[[nodiscard]] core::Result<std::optional<Credentials>> resolve_credentials(
    std::string_view registry, const CredentialSources& sources, core::FileSystem& fs,
    core::Reporter& reporter);

}  // namespace envsmith::registry
