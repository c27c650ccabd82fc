#pragma once
// The HTTP port. Implemented over libcurl in the net layer, by fakes in tests.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct HttpResponse {
    int status = 0;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::string effective_url;  // after redirects

    /// The first header with this name (case-insensitive), or empty.
    [[nodiscard]] std::string_view header(std::string_view name) const noexcept;
};

/// Sends one HTTP request. DNS, TLS and timeout failures are Errors. Every HTTP status,
/// including 404 and 500, is a value for the caller to interpret.
class Transport {
public:
    virtual ~Transport() = default;
    virtual Result<HttpResponse> send(const HttpRequest& request) = 0;

    /// Sends every request and returns one result per request, in order. The default sends
    /// them one after the other; the libcurl transport overlaps them.
    virtual std::vector<Result<HttpResponse>> send_all(const std::vector<HttpRequest>& requests);
};

}  // namespace envsmith::core
