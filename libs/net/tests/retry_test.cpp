#include "envsmith/net/retry.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace envsmith::net {
namespace {

using std::chrono::milliseconds;

TEST(BackoffTest, DoublesWithJitterUpToTheMaximum) {
    Backoff backoff(milliseconds{100}, milliseconds{1000}, 42);
    const std::int64_t ceilings[] = {100, 200, 400, 800, 1000, 1000, 1000};
    for (std::uint32_t attempt = 0; attempt < 7; ++attempt) {
        SCOPED_TRACE(attempt);
        const auto delay = backoff.delay(attempt).count();
        EXPECT_GE(delay, ceilings[attempt] / 2);
        EXPECT_LE(delay, ceilings[attempt]);
    }
    EXPECT_LE(backoff.delay(1'000'000).count(), 1000);
}

TEST(BackoffTest, TheSameSeedGivesTheSameDelays) {
    Backoff a(milliseconds{500}, milliseconds{30'000}, 7);
    Backoff b(milliseconds{500}, milliseconds{30'000}, 7);
    for (std::uint32_t attempt = 0; attempt < 5; ++attempt) {
        EXPECT_EQ(a.delay(attempt), b.delay(attempt));
    }
}

TEST(RetryAfterTest, SecondsAndHttpDates) {
    // 2015-10-21T07:28:00Z
    const auto now = std::chrono::system_clock::from_time_t(1445412480);
    EXPECT_EQ(parse_retry_after("120", now), milliseconds{120'000});
    EXPECT_EQ(parse_retry_after(" 0 ", now), milliseconds{0});
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), milliseconds{30'000});
    EXPECT_EQ(parse_retry_after("Wednesday, 21-Oct-15 07:29:00 GMT", now), milliseconds{60'000});
    EXPECT_EQ(parse_retry_after("Wed, 21 Oct 2015 07:00:00 GMT", now), milliseconds{0});
    EXPECT_EQ(parse_retry_after("", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("soon", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("-5", now), std::nullopt);
    EXPECT_EQ(parse_retry_after("99999999999999999999999", now), std::nullopt);
}

TEST(RetryTest, TransientStatuses) {
    for (const int status : {408, 429, 500, 502, 503, 504, 599}) {
        SCOPED_TRACE(status);
        EXPECT_TRUE(is_transient_status(status));
    }
    for (const int status : {200, 204, 304, 400, 401, 403, 404, 410, 422, 501, 505}) {
        SCOPED_TRACE(status);
        EXPECT_FALSE(is_transient_status(status));
    }
}

}  // namespace
}  // namespace envsmith::net
