#pragma once
// URL helpers for the index fuzz targets.

#include <string_view>

namespace envsmith::fuzz {

/// RFC 3986 absolute URI: `scheme ":" ...` with scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
inline bool is_absolute_url(std::string_view url) {
    const auto colon = url.find(':');
    if (colon == std::string_view::npos || colon == 0) {
        return false;
    }
    const auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
    if (!alpha(url[0])) {
        return false;
    }
    for (const char c : url.substr(1, colon - 1)) {
        if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return true;
}

}  // namespace envsmith::fuzz
