#include "envsmith/api/network.hpp"

#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "envsmith/net/curl_transport.hpp"
#include "envsmith/specs/settings.hpp"

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

std::string default_settings_path() {
    if (auto path = env("ENVSMITH_CONFIG"); !path.empty()) {
        return path;
    }
    if (auto xdg = env("XDG_CONFIG_HOME"); !xdg.empty()) {
        return (std::filesystem::path(xdg) / "envsmith" / "config.yaml").string();
    }
    if (auto home = env("HOME"); !home.empty()) {
        return (std::filesystem::path(home) / ".config" / "envsmith" / "config.yaml").string();
    }
    return {};
}

core::Result<NetworkSettings> load_network_settings(core::FileSystem& fs, const std::string& path) {
    NetworkSettings network;
    const auto file = path.empty() ? default_settings_path() : path;
    if (file.empty() || (path.empty() && fs.kind(file) == core::FileKind::missing)) {
        return network;
    }
    auto text = fs.read_file(file);
    if (!text) {
        return std::move(text).error();
    }
    auto settings = specs::parse_settings(*text, file);
    if (!settings) {
        return std::move(settings).error();
    }
    network.channel_alias = settings->channel_alias.value_or("");
    network.default_channels = settings->default_channels.value_or(std::vector<std::string>{});
    network.mirrors = settings->mirrors;
    network.index_url = settings->index_url.value_or("");
    network.cache_dir = settings->cache_dir.value_or("");
    network.ca_bundle = settings->ca_bundle.value_or("");
    network.netrc = settings->netrc.value_or("");
    for (const auto& credential : settings->credentials) {
        HostCredential resolved{credential.host,
                                credential.scheme == specs::CredentialSetting::Scheme::bearer,
                                credential.username, credential.secret};
        if (!credential.secret_env.empty()) {
            resolved.secret = env(credential.secret_env.c_str());
            if (resolved.secret.empty()) {
                return core::make_error(
                           core::ErrorCode::invalid_input, "settings.secret_env_unset",
                           fmt::format("the credential for {} reads its secret from ${}, which is "
                                       "not set",
                                       credential.host, credential.secret_env))
                    .arg("host", credential.host)
                    .arg("variable", credential.secret_env)
                    .at(credential.where)
                    .with_hint(fmt::format("export {} before running envsmith",
                                           credential.secret_env));
            }
        }
        network.credentials.push_back(std::move(resolved));
    }
    return network;
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
    for (const auto& credential : settings.credentials) {
        options.credentials.push_back({credential.host,
                                       credential.bearer ? net::AuthScheme::bearer
                                                         : net::AuthScheme::basic,
                                       credential.username, credential.secret});
    }
    return std::make_unique<net::CurlTransport>(std::move(options), reporter);
}

}  // namespace envsmith::api
