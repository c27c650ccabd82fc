#pragma once
// HTTP statuses are values (core::Transport's contract); this turns the ones a caller cannot
// use into Errors with stable ids, for callers that only accept success.

#include <string_view>

#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::net {

/// Success for 2xx and 304. Otherwise an Error with args `status`, `host` and the redacted
/// `url` (the request's `url`, not the response's, so a caller sees what it asked for). The
/// ids of 401, 403, 404 and 407 are the doctor's catalogue ids, so a prevented failure and a
/// diagnosed log say the same:
///
/// - 401: `network.unauthorized`, permission_denied
/// - 403 from Azure Storage (`*.blob.core.windows.net`, ...): `network.storage_forbidden`,
///   permission_denied
/// - 403: `network.forbidden`, permission_denied
/// - 404, 410: `network.not_found`, not_found
/// - 407: `network.proxy`, unavailable
/// - 408, 429, 5xx: `net.http.unavailable`, unavailable
/// - anything else: `net.http.unexpected`, unavailable
[[nodiscard]] core::Status check_status(const core::HttpResponse& response, std::string_view url);

}  // namespace envsmith::net
