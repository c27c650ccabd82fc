#pragma once
// The HTTP port. Implemented over libcurl in the net layer, by fakes in tests.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

/// A request body read from a file as it is sent, rather than held in memory (a 1 GiB image
/// layer): `length` bytes of `path` from `offset`. The file must not change while the request
/// is sent: a transport that sends it again (a retry, a redirect) reads the same range again.
struct FileBody {
    std::string path;
    std::uint64_t offset = 0;
    std::uint64_t length = 0;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    /// When set, the body is this file range and `body` must be empty. The libcurl transport
    /// streams it; a transport without streaming uploads may read the range into memory.
    std::optional<FileBody> body_file = std::nullopt;
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
