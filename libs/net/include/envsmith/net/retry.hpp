#pragma once
// When to try a request again, and how long to wait first.

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string_view>

namespace envsmith::net {

/// Exponential backoff with "equal jitter": before retry number `attempt` (0 for the first
/// retry) it waits a random time in [d/2, d], where d = min(max, base * 2^attempt). The
/// jitter spreads clients that failed together; the seed makes it reproducible in tests.
class Backoff {
public:
    Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max, std::uint64_t seed);

    /// The wait before retry number `attempt`. Never more than `max`, never negative.
    [[nodiscard]] std::chrono::milliseconds delay(std::uint32_t attempt);

private:
    std::chrono::milliseconds m_base;
    std::chrono::milliseconds m_max;
    std::mt19937_64 m_random;
};

/// The wait a `Retry-After` header value asks for (RFC 9110 section 10.2.3): delay-seconds
/// ("120") or an HTTP-date ("Wed, 21 Oct 2015 07:28:00 GMT"), measured from `now`. A date in
/// the past gives zero. Empty for a missing or unparseable value.
[[nodiscard]] std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

/// Whether an HTTP status is worth another attempt: 408, 429 and the 5xx that a server may
/// recover from (500, 502, 503, 504, and the rest of 5xx except 501 and 505). Other 4xx
/// will not change by asking again.
[[nodiscard]] bool is_transient_status(int status) noexcept;

}  // namespace envsmith::net
