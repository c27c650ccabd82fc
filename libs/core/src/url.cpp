#include "envsmith/core/url.hpp"

#include <algorithm>
#include <array>

#include "envsmith/core/text.hpp"

namespace envsmith::core {
namespace {

constexpr std::string_view hidden = "***";

// Query parameters that carry secrets in the wild: OAuth, Azure SAS (`sig`), AWS SigV4
// presigned URLs, GCS signed URLs, API keys.
constexpr std::array<std::string_view, 16> secret_parameters = {
    "token",    "access_token",    "refresh_token",    "id_token",         "sig", "signature",
    "password", "passwd",          "secret",           "client_secret",    "key", "api_key",
    "apikey",   "x-amz-signature", "x-amz-credential", "x-goog-signature",
};

bool is_secret_parameter(std::string_view name) {
    const auto lower = core::to_lower(name);
    return std::find(secret_parameters.begin(), secret_parameters.end(), lower) !=
               secret_parameters.end() ||
           lower.ends_with("_token") || lower.ends_with("-token");
}

std::string redact_query(std::string_view query) {
    std::string out;
    std::size_t start = 0;
    while (start <= query.size()) {
        auto end = query.find('&', start);
        if (end == std::string_view::npos) {
            end = query.size();
        }
        const auto pair = query.substr(start, end - start);
        const auto equals = pair.find('=');
        if (equals != std::string_view::npos && is_secret_parameter(pair.substr(0, equals))) {
            out.append(pair.substr(0, equals + 1)).append(hidden);
        } else {
            out.append(pair);
        }
        if (end == query.size()) {
            break;
        }
        out.push_back('&');
        start = end + 1;
    }
    return out;
}

// anaconda.org puts channel tokens in the path: https://conda.anaconda.org/t/<token>/channel
std::string redact_path(std::string_view path) {
    std::string out(path);
    const auto at = out.find("/t/");
    if (at != std::string::npos) {
        const auto token_start = at + 3;
        const auto token_end = out.find('/', token_start);
        if (token_end != std::string::npos && token_end > token_start) {
            out.replace(token_start, token_end - token_start, hidden);
        }
    }
    return out;
}

struct UrlParts {
    std::string_view scheme_and_slashes;  // "https://", or empty
    std::string_view authority;           // "user:pw@host:443"
    std::string_view path;                // "/a/b"
    std::string_view query;               // without '?'
    std::string_view fragment;            // with '#'
    bool has_query = false;
};

UrlParts split_url(std::string_view url) {
    UrlParts parts;
    const auto hash = url.find('#');
    if (hash != std::string_view::npos) {
        parts.fragment = url.substr(hash);
        url = url.substr(0, hash);
    }
    const auto question = url.find('?');
    if (question != std::string_view::npos) {
        parts.query = url.substr(question + 1);
        parts.has_query = true;
        url = url.substr(0, question);
    }
    const auto scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos) {
        parts.scheme_and_slashes = url.substr(0, scheme_end + 3);
        url = url.substr(scheme_end + 3);
        const auto slash = url.find('/');
        parts.authority = url.substr(0, slash);
        parts.path = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    } else {
        parts.path = url;
    }
    return parts;
}

}  // namespace

std::string redact_url(std::string_view url) {
    const auto parts = split_url(url);
    std::string out(parts.scheme_and_slashes);
    const auto at = parts.authority.rfind('@');
    if (at != std::string_view::npos) {
        out.append(hidden).push_back('@');
        out.append(parts.authority.substr(at + 1));
    } else {
        out.append(parts.authority);
    }
    out.append(redact_path(parts.path));
    if (parts.has_query) {
        out.push_back('?');
        out.append(redact_query(parts.query));
    }
    out.append(parts.fragment);
    return out;
}

std::string scrub(std::string_view text, const std::vector<std::string>& secrets) {
    std::string out(text);
    for (const auto& secret : secrets) {
        if (secret.empty()) {
            continue;
        }
        for (auto at = out.find(secret); at != std::string::npos;
             at = out.find(secret, at + hidden.size())) {
            out.replace(at, secret.size(), hidden);
        }
    }
    return out;
}

std::string url_host(std::string_view url) {
    const auto parts = split_url(url);
    auto authority = parts.authority;
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
        authority = authority.substr(at + 1);
    }
    if (authority.starts_with('[')) {
        const auto close = authority.find(']');
        return core::to_lower(authority.substr(
            1, close == std::string_view::npos ? std::string_view::npos : close - 1));
    }
    return core::to_lower(authority.substr(0, authority.find(':')));
}

}  // namespace envsmith::core
