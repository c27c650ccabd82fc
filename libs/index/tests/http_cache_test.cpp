#include "envsmith/index/http_cache.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "channel_test_support.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

using ::testing::HasSubstr;

constexpr std::string_view json_accept = "application/vnd.pypi.simple.v1+json";

class HttpCacheTest : public ::testing::Test {
protected:
    HttpCacheTest() {
        m_files.write("simple/demo/index.html", "<a href='demo-1.0.tar.gz'>demo-1.0.tar.gz</a>");
        m_files.write("simple/demo/index.json", R"({"name":"demo","files":[]})");
    }

    core::HttpRequest page(std::string_view accept = "text/html") const {
        return {.method = "GET",
                .url = m_server.base_url() + "/simple/demo/",
                .headers = {{"Accept", std::string(accept)}},
                .body = {}};
    }

    CachingTransport caching(HttpCacheOptions options = {}) {
        return CachingTransport(m_transport, m_cache, m_clock, options);
    }

    test::TempDir m_files;
    test::TestServer m_server{m_files.path()};
    test::TempDir m_cache_dir;
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{testing::quick_transport_options(), m_reporter};
    RepodataCache m_cache{m_cache_dir.path()};
    testing::FakeClock m_clock;
};

TEST_F(HttpCacheTest, AFreshEntryIsAnsweredWithoutARequest) {
    auto transport = caching();
    const auto first = transport.send(page());
    ASSERT_THAT(first, test::Succeeds());
    EXPECT_EQ(first->status, 200);
    EXPECT_THAT(first->body, HasSubstr("demo-1.0.tar.gz"));
    EXPECT_EQ(m_server.requests("/simple/demo/"), 1U);

    m_clock.advance(std::chrono::seconds(60));
    const auto second = transport.send(page());
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ(second->body, first->body);
    EXPECT_EQ(second->header("Content-Type"), "text/html");
    EXPECT_EQ(m_server.requests("/simple/demo/"), 1U);
}

TEST_F(HttpCacheTest, AStaleEntryIsRevalidatedAndA304KeepsTheBody) {
    auto transport = caching({.max_age = std::chrono::seconds(10), .offline = false});
    ASSERT_THAT(transport.send(page()), test::Succeeds());
    m_clock.advance(std::chrono::seconds(11));
    const auto again = transport.send(page());
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ(again->status, 200);
    EXPECT_THAT(again->body, HasSubstr("demo-1.0.tar.gz"));
    EXPECT_EQ(m_server.requests("/simple/demo/"), 2U);
    EXPECT_FALSE(m_server.last_header("/simple/demo/", "If-None-Match").empty());

    // The 304 made the entry fresh again.
    m_clock.advance(std::chrono::seconds(5));
    ASSERT_THAT(transport.send(page()), test::Succeeds());
    EXPECT_EQ(m_server.requests("/simple/demo/"), 2U);
}

TEST_F(HttpCacheTest, AChangedPageIsFetchedAgain) {
    auto transport = caching({.max_age = std::chrono::seconds(0), .offline = false});
    ASSERT_THAT(transport.send(page()), test::Succeeds());
    m_files.write("simple/demo/index.html", "<a href='demo-2.0.tar.gz'>demo-2.0.tar.gz</a>");
    const auto changed = transport.send(page());
    ASSERT_THAT(changed, test::Succeeds());
    EXPECT_THAT(changed->body, HasSubstr("demo-2.0.tar.gz"));
}

TEST_F(HttpCacheTest, EachAcceptedTypeIsItsOwnEntry) {
    auto transport = caching();
    const auto html = transport.send(page());
    const auto json = transport.send(page(json_accept));
    ASSERT_THAT(html, test::Succeeds());
    ASSERT_THAT(json, test::Succeeds());
    EXPECT_THAT(json->body, HasSubstr("\"name\":\"demo\""));
    EXPECT_EQ(json->header("Content-Type"), json_accept);
    EXPECT_EQ(transport.send(page(json_accept))->body, json->body);
    EXPECT_EQ(m_server.requests("/simple/demo/"), 2U);
}

TEST_F(HttpCacheTest, OfflineAnswersFromTheCacheOrFails) {
    {
        auto online = caching();
        ASSERT_THAT(online.send(page()), test::Succeeds());
    }
    m_clock.advance(std::chrono::hours(24 * 30));
    auto offline = caching({.max_age = std::chrono::seconds(600), .offline = true});
    ASSERT_THAT(offline.send(page()), test::Succeeds());
    EXPECT_THAT(offline.send(page(json_accept)), test::FailsWithId("index.cache.offline_missing"));
    EXPECT_EQ(m_server.requests("/simple/demo/"), 1U);
}

TEST_F(HttpCacheTest, ErrorsRangesAndOtherMethodsPassThroughUncached) {
    auto transport = caching();
    core::HttpRequest missing = page();
    missing.url = m_server.base_url() + "/simple/nothing/";
    EXPECT_EQ(transport.send(missing)->status, 404);
    EXPECT_EQ(transport.send(missing)->status, 404);
    EXPECT_EQ(m_server.requests("/simple/nothing/"), 2U);

    m_files.write("files/a.bin", "0123456789");
    core::HttpRequest range{.method = "GET",
                            .url = m_server.base_url() + "/files/a.bin",
                            .headers = {{"Range", "bytes=2-4"}},
                            .body = {}};
    EXPECT_EQ(transport.send(range)->body, "234");
    EXPECT_EQ(transport.send(range)->body, "234");
    EXPECT_EQ(m_server.requests("/files/a.bin"), 2U);
}

TEST_F(HttpCacheTest, SendAllAnswersFreshEntriesAndSendsTheRestTogether) {
    auto transport = caching();
    ASSERT_THAT(transport.send(page()), test::Succeeds());
    m_files.write("simple/other/index.html", "<a href='other-1.0.tar.gz'>other-1.0.tar.gz</a>");
    core::HttpRequest other = page();
    other.url = m_server.base_url() + "/simple/other/";
    const auto results = transport.send_all({page(), other});
    ASSERT_EQ(results.size(), 2U);
    EXPECT_THAT(results[0]->body, HasSubstr("demo-1.0"));
    EXPECT_THAT(results[1]->body, HasSubstr("other-1.0"));
    EXPECT_EQ(m_server.requests("/simple/demo/"), 1U);
    EXPECT_EQ(m_server.requests("/simple/other/"), 1U);
}

}  // namespace
}  // namespace envsmith::index
