#pragma once
// Settings every use case that reaches channels, indexes or registries shares, and the real
// Transport built from them.

#include <cstdint>
#include <memory>
#include <string>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

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
};

/// `$ENVSMITH_CACHE_DIR`, else `$XDG_CACHE_HOME/envsmith`, else `~/.cache/envsmith`, else a
/// folder under the system's temporary directory.
[[nodiscard]] std::string default_cache_dir();

/// The libcurl transport with retries, timeouts, CA bundle and credentials from `settings`.
[[nodiscard]] std::unique_ptr<core::Transport> make_transport(const NetworkSettings& settings,
                                                              core::Reporter& reporter);

}  // namespace envsmith::api
