#pragma once
// URLs as they may appear in logs, errors and reporter events: without credentials.

#include <string>
#include <string_view>
#include <vector>

namespace envsmith::core {

/// `url` with its secrets replaced by `***`: the userinfo (`https://***@host/`), the values
/// of token-like query parameters (`token`, `access_token`, `sig`, `signature`, `password`,
/// `key`, `secret`, `X-Amz-Signature`, `X-Amz-Credential`, ...) and an anaconda.org-style
/// `/t/<token>/` path segment. Anything else is kept byte for byte. Never fails; a string
/// that is not a URL comes back with only those patterns replaced.
[[nodiscard]] std::string redact_url(std::string_view url);

/// `text` with every occurrence of each non-empty string of `secrets` replaced by `***`.
/// For texts that did not come from a URL (a library's error buffer, say).
[[nodiscard]] std::string scrub(std::string_view text, const std::vector<std::string>& secrets);

/// The host of `url` in lower case, without port, userinfo or IPv6 brackets; empty when the
/// URL has no authority (`file:///x`).
[[nodiscard]] std::string url_host(std::string_view url);

}  // namespace envsmith::core
