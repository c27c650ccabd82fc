#include "envsmith/core/mirrors.hpp"

#include <fmt/format.h>

#include "envsmith/core/url.hpp"

namespace envsmith::core {
namespace {

/// Whether another mirror of the same content could answer better.
bool worth_next_mirror(int status) {
    return status == 404 || status == 408 || status == 429 || status >= 500;
}

}  // namespace

std::string join_url(std::string_view base, std::string_view path) {
    while (base.ends_with('/')) {
        base.remove_suffix(1);
    }
    while (path.starts_with('/')) {
        path.remove_prefix(1);
    }
    std::string url(base);
    url.push_back('/');
    url.append(path);
    return url;
}

core::Result<core::HttpResponse> send_with_mirrors(core::Transport& transport,
                                                   const std::vector<std::string>& mirrors,
                                                   const core::HttpRequest& request,
                                                   core::Reporter& reporter) {
    if (mirrors.empty()) {
        return core::make_error(core::ErrorCode::invalid_input, "net.mirror.none",
                                fmt::format("no mirror to fetch `{}` from", request.url))
            .arg("path", request.url);
    }
    std::optional<core::Result<core::HttpResponse>> last;
    for (std::size_t i = 0; i < mirrors.size(); ++i) {
        auto attempt = request;
        attempt.url = join_url(mirrors[i], request.url);
        auto result = transport.send(attempt);
        if (result && !worth_next_mirror(result->status)) {
            return result;
        }
        const auto reason =
            result ? fmt::format("HTTP {}", result->status) : result.error().message;
        if (i + 1 < mirrors.size()) {
            const auto url = redact_url(attempt.url);
            const auto next = redact_url(join_url(mirrors[i + 1], request.url));
            reporter.on_warning(
                "net.mirror.next",
                fmt::format("{} failed ({}); trying the next mirror: {}", url, reason, next),
                {{"url", url}, {"reason", reason}, {"next", next}});
        }
        last = std::move(result);
    }
    if (!*last) {
        return std::move(*last).error().with_context(
            fmt::format("after trying {} mirrors", mirrors.size()));
    }
    return std::move(*last);
}

}  // namespace envsmith::core
