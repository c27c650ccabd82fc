#include "envsmith/net/status.hpp"

#include <array>
#include <string>

#include <fmt/format.h>

#include "envsmith/core/url.hpp"

namespace envsmith::net {
namespace {

// 401, 403 and 404/410 use the doctor's catalogue ids (`network.unauthorized`,
// `network.forbidden`, `network.not_found`), and its `network.storage_forbidden` is about
// Azure Storage accounts (public, China and US Government clouds) refusing a request: the
// same words whether envsmith prevented a failure or found it in a log.
bool is_azure_storage(std::string_view host) {
    constexpr std::array<std::string_view, 3> clouds = {
        ".core.windows.net", ".core.chinacloudapi.cn", ".core.usgovcloudapi.net"};
    constexpr std::array<std::string_view, 3> services = {".blob", ".dfs", ".file"};
    for (const auto cloud : clouds) {
        if (!host.ends_with(cloud)) {
            continue;
        }
        const auto rest = host.substr(0, host.size() - cloud.size());
        for (const auto service : services) {
            if (rest.ends_with(service)) {
                return true;
            }
        }
    }
    return false;
}

}  // namespace

core::Status check_status(const core::HttpResponse& response, std::string_view url) {
    const auto status = response.status;
    if ((status >= 200 && status < 300) || status == 304) {
        return {};
    }
    const auto shown = core::redact_url(url);
    const auto host = core::url_host(url);
    core::ErrorCode code = core::ErrorCode::unavailable;
    std::string_view id = "net.http.unexpected";
    std::string what = fmt::format("unexpected HTTP {}", status);
    if (status == 401) {
        code = core::ErrorCode::permission_denied;
        id = "network.unauthorized";
        what = "HTTP 401: credentials are missing or were not accepted";
    } else if (status == 403) {
        code = core::ErrorCode::permission_denied;
        id = is_azure_storage(host) ? "network.storage_forbidden" : "network.forbidden";
        what = "HTTP 403: access is forbidden";
    } else if (status == 404 || status == 410) {
        code = core::ErrorCode::not_found;
        id = "network.not_found";
        what = fmt::format("HTTP {}: not found", status);
    } else if (status == 407) {
        id = "network.proxy";
        what = "HTTP 407: the proxy wants credentials";
    } else if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
        id = "net.http.unavailable";
        what = fmt::format("HTTP {}: the server is unavailable", status);
    }
    return core::make_error(code, std::string(id), fmt::format("{}: {}", shown, what))
        .arg("status", std::to_string(status))
        .arg("host", host)
        .arg("url", shown)
        .arg("what", what);
}

}  // namespace envsmith::net
