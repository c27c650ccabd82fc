#pragma once
// core::Transport over libcurl: timeouts, retries with backoff, per-host credentials.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::net {

enum class AuthScheme : std::uint8_t { basic, bearer };

/// Credentials for one host. They are sent as an `Authorization` header to that host only
/// (libcurl does not forward custom headers across a redirect to another host), and never
/// appear in an error, a warning or a progress event.
struct Credential {
    std::string host;  // compared case-insensitively, without port: "repo.example.com"
    AuthScheme scheme = AuthScheme::basic;
    std::string username;  // basic only
    std::string secret;    // the password (basic) or the token (bearer)
};

struct TransportOptions {
    std::uint32_t connect_timeout_ms = 10'000;
    std::uint32_t total_timeout_ms = 0;  // one attempt, whole transfer; 0: no limit
    /// An attempt fails when it moves fewer than `low_speed_limit_bytes_per_s` bytes per
    /// second for `low_speed_time_s` seconds (a stalled mirror). 0 turns the check off.
    std::uint32_t low_speed_limit_bytes_per_s = 1;
    std::uint32_t low_speed_time_s = 30;

    std::uint32_t max_retries = 3;   // attempts after the first one
    std::uint32_t max_parallel = 8;  // transfers at once in `send_all`
    std::uint32_t backoff_base_ms = 500;
    std::uint32_t backoff_max_ms = 30'000;
    /// A Retry-After longer than this is not waited for: the 429 or 503 is returned as it is.
    std::uint32_t max_retry_after_ms = 120'000;
    /// Seeds the backoff jitter. Empty: a random seed.
    std::optional<std::uint64_t> jitter_seed;

    std::string ca_bundle;  // a PEM file of trusted CAs; empty: the system's
    std::string user_agent = "envsmith/0.1";
    std::vector<Credential> credentials;
    /// A .netrc file (`machine H login U password P`) whose entries libcurl uses for hosts
    /// that `credentials` does not name. Empty: no .netrc is read.
    std::string netrc_file;
    /// Proxy URL for every request; an empty string turns proxies off. Unset: libcurl reads
    /// the usual environment variables (`http_proxy`, `https_proxy`, `HTTPS_PROXY`,
    /// `all_proxy`, `no_proxy`).
    std::optional<std::string> proxy;

    /// How the transport waits between attempts and reads the time for Retry-After dates.
    /// Unset: the real sleep and clock. Tests pass fakes so that no test waits.
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<std::chrono::system_clock::time_point()> now;
};

/// The one real Transport. `send` retries transient failures (DNS hiccups, refused or reset
/// connections, timeouts, truncated bodies, 408, 429 and most 5xx, honouring Retry-After),
/// waiting with exponential backoff and jitter, and reports each retry through
/// `Reporter::on_warning` as `net.retry`. It never retries another 4xx.
///
/// Failures that leave no HTTP status are Errors with the doctor's catalogue ids as message
/// ids: `network.dns`, `network.connection_refused`, `network.timeout` (also resets and
/// truncated transfers), `network.tls`, `network.proxy`; a malformed or unsupported URL is
/// `net.url.invalid`. Every HTTP status is a value. `file://` URLs answer 200 with the file's
/// bytes, or 404 when the file cannot be read. URLs in errors and events are redacted.
///
/// The reporter must outlive the transport. `send` may be called from several threads.
class CurlTransport final : public core::Transport {
public:
    explicit CurlTransport(TransportOptions options, core::Reporter& reporter);
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override;

    /// As `send`, with the body streamed to `sink` (no progress events: the sink's owner
    /// reports them). A retried attempt announces its response to the sink again. A sink that
    /// returns false ends the transfer with `net.transfer.aborted` (cancelled), not retried.
    core::Result<core::HttpResponse> send_streaming(const core::HttpRequest& request,
                                                    core::BodySink& sink) override;

    /// Sends every request over one libcurl multi handle, at most `max_parallel` transfers
    /// at a time, each with the retries of `send`. Returns one result per request, in the
    /// order of `requests`, which must outlive the call. Waits between attempts overlap
    /// other transfers; progress and warnings come from the calling thread.
    std::vector<core::Result<core::HttpResponse>> send_all(
        const std::vector<core::HttpRequest>& requests) override;

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace envsmith::net
