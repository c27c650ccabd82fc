#pragma once
// The HTTP port. Implemented over libcurl in the net layer, by fakes in tests.

#include <cstdint>
#include <string>
#include <string_view>
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

/// Receives a response body as it arrives, for bodies too large to keep in memory (package
/// archives). Used by `Transport::send_streaming`.
class BodySink {
public:
    virtual ~BodySink() = default;
    /// A response begins: its final status (after redirects; 200 for a `file://` URL) and
    /// headers. Called once per attempt, before that attempt's body bytes, so a transport
    /// that retries a dropped transfer calls it again: the sink starts over from the state it
    /// had before the first call. Returning false stops the transfer.
    virtual bool on_response(int status,
                             const std::vector<std::pair<std::string, std::string>>& headers) = 0;
    /// The next bytes of the body of the response announced last. Returning false stops the
    /// transfer.
    virtual bool on_body(std::string_view bytes) = 0;
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

    /// Sends one request and hands its body to `sink` instead of keeping it: the returned
    /// response has the status, headers and effective URL, and an empty body. Failures are
    /// those of `send`; when the sink stops the transfer the result is an Error with id
    /// `net.transfer.aborted` (cancelled). The transport does not report download progress
    /// for these transfers: the sink's owner knows the whole size. The default calls `send`
    /// and passes the whole body at once; the libcurl transport streams it.
    virtual Result<HttpResponse> send_streaming(const HttpRequest& request, BodySink& sink);
};

}  // namespace envsmith::core
