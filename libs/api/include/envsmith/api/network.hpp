#pragma once
// Settings every use case that reaches channels, indexes or registries shares, and the real
// Transport built from them.

#include <cstdint>
#include <map>
#include <vector>
#include <memory>
#include <string>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

/// Credentials for one host, secret resolved.
struct HostCredential {
    std::string host;
    bool bearer = false;    // a token; else basic with `username`
    std::string username;
    std::string secret;     // never logged
};

struct NetworkSettings {
    /// Where repodata, index pages and shards are cached. Empty: `default_cache_dir()`.
    std::string cache_dir;
    /// Use only what is cached; a missing entry is an error that says so.
    bool offline = false;
    /// How long a cached channel or index page is used without asking the server again.
    std::uint32_t max_age_s = 600;
    std::string ca_bundle;  // a PEM file of trusted CAs; empty: the system's
    std::uint32_t retries = 3;
    std::uint32_t connect_timeout_ms = 10'000;
    /// Base URL that bare channel names resolve under; empty: https://conda.anaconda.org.
    std::string channel_alias;
    /// A .netrc file with credentials per host; empty: `~/.netrc` when it exists.
    std::string netrc;
    std::vector<HostCredential> credentials;
    /// What `defaults` expands to; empty: conda's (repo.anaconda.com main and r).
    std::vector<std::string> default_channels;
    /// Mirrors of channels (by name or URL) and indexes (by URL), tried in order.
    std::map<std::string, std::vector<std::string>> mirrors;
    /// The PyPI index when a definition names none; empty: https://pypi.org/simple.
    std::string index_url;
};

/// `$ENVSMITH_CONFIG`, else `$XDG_CONFIG_HOME/envsmith/config.yaml`, else
/// `~/.config/envsmith/config.yaml`.
[[nodiscard]] std::string default_settings_path();

/// The settings file (docs/settings.md) as NetworkSettings, secrets read from the
/// environment variables it names. `path` empty: `default_settings_path()`, and no file there
/// is no settings; a `path` given that does not exist is `fs.not_found`. Fails with the
/// parser's located `settings.*` errors, and `settings.secret_env_unset` when a named
/// environment variable is not set.
[[nodiscard]] core::Result<NetworkSettings> load_network_settings(core::FileSystem& fs,
                                                                  const std::string& path = {});

/// `$ENVSMITH_CACHE_DIR`, else `$XDG_CACHE_HOME/envsmith`, else `~/.cache/envsmith`, else a
/// folder under the system's temporary directory.
[[nodiscard]] std::string default_cache_dir();

/// The libcurl transport with retries, timeouts, CA bundle and credentials from `settings`.
[[nodiscard]] std::unique_ptr<core::Transport> make_transport(const NetworkSettings& settings,
                                                              core::Reporter& reporter);

}  // namespace envsmith::api
