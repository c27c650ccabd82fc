#include "envsmith/net/retry.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <string>

#include "envsmith/core/text.hpp"

namespace envsmith::net {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds max, std::uint64_t seed)
    : m_base(std::max(base, std::chrono::milliseconds{0})),
      m_max(std::max(max, std::chrono::milliseconds{0})),
      m_random(seed) {}

std::chrono::milliseconds Backoff::delay(std::uint32_t attempt) {
    // Doubling stops once it passes max, so a large attempt number cannot overflow.
    auto ceiling = m_base;
    for (std::uint32_t i = 0; i < attempt && ceiling < m_max; ++i) {
        ceiling *= 2;
    }
    ceiling = std::min(ceiling, m_max);
    const auto half = ceiling.count() / 2;
    std::uniform_int_distribution<std::int64_t> jitter(0, ceiling.count() - half);
    return std::chrono::milliseconds{half + jitter(m_random)};
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
    value = core::trim(value);
    if (value.empty()) {
        return std::nullopt;
    }
    if (std::all_of(value.begin(), value.end(), core::is_ascii_digit)) {
        std::int64_t seconds = 0;
        const auto [end, error] =
            std::from_chars(value.data(), value.data() + value.size(), seconds);
        if (error != std::errc{} || end != value.data() + value.size()) {
            return std::nullopt;  // too large to be meant
        }
        return std::chrono::milliseconds{std::chrono::seconds{seconds}};
    }
    // curl_getdate reads the three HTTP-date forms (IMF-fixdate, RFC 850, asctime).
    const std::string text(value);
    const auto when = curl_getdate(text.c_str(), nullptr);
    if (when < 0) {
        return std::nullopt;
    }
    const auto target = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(when));
    if (target <= now) {
        return std::chrono::milliseconds{0};
    }
    return std::chrono::duration_cast<std::chrono::milliseconds>(target - now);
}

bool is_transient_status(int status) noexcept {
    if (status == 408 || status == 429) {
        return true;
    }
    return status >= 500 && status <= 599 && status != 501 && status != 505;
}

}  // namespace envsmith::net
