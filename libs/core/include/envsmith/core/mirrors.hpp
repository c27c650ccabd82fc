#pragma once
// One resource, several places to get it from.

#include <string>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::core {

/// Sends `request` to each base URL of `mirrors` in order, with `request.url` as the path
/// relative to the base ("noarch/repodata.json" under "https://a.example/conda-forge/"; one
/// slash is kept between them). The first answer that is not a failure wins: a response
/// whose status is below 400, or a 4xx other than 404, 408 and 429 (a refusal that another
/// mirror of the same content would repeat). An Error or a 404, 408, 429 or 5xx moves on to
/// the next mirror, and `reporter.on_warning` says so with id `net.mirror.next` and the
/// redacted `url`, `reason` and `next` as args.
///
/// Returns the winning response, or when every mirror failed, the last mirror's response if
/// it gave one, else its Error with the context "after trying N mirrors". Fails with
/// `net.mirror.none` (invalid_input) when `mirrors` is empty.
[[nodiscard]] core::Result<core::HttpResponse> send_with_mirrors(
    core::Transport& transport, const std::vector<std::string>& mirrors,
    const core::HttpRequest& request, core::Reporter& reporter);

/// `base` and `path` joined with exactly one slash between them.
[[nodiscard]] std::string join_url(std::string_view base, std::string_view path);

}  // namespace envsmith::core
