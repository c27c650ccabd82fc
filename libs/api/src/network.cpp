#include "envsmith/api/network.hpp"

#include <cstdlib>
#include <filesystem>

#include "envsmith/net/curl_transport.hpp"

namespace envsmith::api {
namespace {

std::string env(const char* name) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read at start-up
    return value == nullptr ? std::string() : std::string(value);
}

}  // namespace

std::string default_cache_dir() {
    if (auto dir = env("ENVSMITH_CACHE_DIR"); !dir.empty()) {
        return dir;
    }
    if (auto xdg = env("XDG_CACHE_HOME"); !xdg.empty()) {
        return (std::filesystem::path(xdg) / "envsmith").string();
    }
    if (auto home = env("HOME"); !home.empty()) {
        return (std::filesystem::path(home) / ".cache" / "envsmith").string();
    }
    return (std::filesystem::temp_directory_path() / "envsmith-cache").string();
}

std::unique_ptr<core::Transport> make_transport(const NetworkSettings& settings,
                                                core::Reporter& reporter) {
    net::TransportOptions options;
    options.max_retries = settings.retries;
    options.connect_timeout_ms = settings.connect_timeout_ms;
    options.ca_bundle = settings.ca_bundle;
    if (!settings.netrc.empty()) {
        options.netrc_file = settings.netrc;
    } else if (auto home = env("HOME"); !home.empty()) {
        const auto netrc = std::filesystem::path(home) / ".netrc";
        std::error_code ignored;
        if (std::filesystem::is_regular_file(netrc, ignored)) {
            options.netrc_file = netrc.string();
        }
    }
    return std::make_unique<net::CurlTransport>(std::move(options), reporter);
}

}  // namespace envsmith::api
