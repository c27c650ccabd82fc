#include "envsmith/core/mirrors.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::net {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

class MirrorsTest : public ::testing::Test {
protected:
    MirrorsTest() {
        m_files.write("good/noarch/repodata.json", "{}");
        m_options.connect_timeout_ms = 2000;
        m_options.total_timeout_ms = 5000;
        m_options.max_retries = 0;
        m_options.proxy = "";  // direct, whatever proxy the environment names
        m_options.sleep = [](std::chrono::milliseconds) {};
    }

    test::TempDir m_files;
    test::TestServer m_server{m_files.path()};
    TransportOptions m_options;
    test::RecordingReporter m_reporter;
};

TEST_F(MirrorsTest, FallsThroughToAWorkingMirrorAndSaysSo) {
    CurlTransport transport(m_options, m_reporter);
    m_server.inject("/flaky/noarch/repodata.json", test::Fault::http_status(503));
    const std::vector<std::string> mirrors = {
        m_server.base_url() + "/missing/",
        "http://u:hunter2@" + m_server.base_url().substr(7) + "/flaky",
        m_server.base_url() + "/good",
    };
    const auto response = core::send_with_mirrors(
        transport, mirrors,
        {.method = "GET", .url = "noarch/repodata.json", .headers = {}, .body = {}}, m_reporter);
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "{}");
    ASSERT_THAT(m_reporter.warnings, SizeIs(2));
    const auto& first = m_reporter.warnings[0];
    EXPECT_EQ(first.message_id, "net.mirror.next");
    EXPECT_EQ(first.arg("url"), m_server.base_url() + "/missing/noarch/repodata.json");
    EXPECT_EQ(first.arg("reason"), "HTTP 404");
    EXPECT_EQ(first.arg("next"), "http://***@127.0.0.1:" + std::to_string(m_server.port()) +
                                     "/flaky/noarch/repodata.json");
    EXPECT_EQ(m_reporter.warnings[1].arg("reason"), "HTTP 503");
    for (const auto& text : m_reporter.all_texts()) {
        EXPECT_THAT(text, ::testing::Not(HasSubstr("hunter2")));
    }
}

TEST_F(MirrorsTest, ARefusalStopsAtTheFirstMirror) {
    CurlTransport transport(m_options, m_reporter);
    m_server.inject("/good/noarch/repodata.json", test::Fault::http_status(403));
    const auto response = core::send_with_mirrors(
        transport, {m_server.base_url() + "/good", m_server.base_url() + "/good"},
        {.method = "GET", .url = "noarch/repodata.json", .headers = {}, .body = {}}, m_reporter);
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 403);
    EXPECT_THAT(m_reporter.warnings, IsEmpty());
}

TEST_F(MirrorsTest, WhenEveryMirrorFailsTheLastAnswerIsReturned) {
    CurlTransport transport(m_options, m_reporter);
    const auto response = core::send_with_mirrors(
        transport, {m_server.base_url() + "/good", "http://mirror.invalid/c"},
        {.method = "GET", .url = "noarch/missing.json", .headers = {}, .body = {}}, m_reporter);
    ASSERT_THAT(response, test::FailsWithId("network.dns"));
    EXPECT_THAT(response.error().describe(), HasSubstr("after trying 2 mirrors"));
    EXPECT_THAT(m_reporter.warnings, SizeIs(1));

    const auto last_is_404 = core::send_with_mirrors(
        transport, {"http://mirror.invalid/c", m_server.base_url() + "/good"},
        {.method = "GET", .url = "noarch/missing.json", .headers = {}, .body = {}}, m_reporter);
    ASSERT_THAT(last_is_404, test::Succeeds());
    EXPECT_EQ(last_is_404->status, 404);
}

TEST_F(MirrorsTest, NoMirrorIsInvalidInput) {
    CurlTransport transport(m_options, m_reporter);
    const auto response = core::send_with_mirrors(
        transport, {}, {.method = "GET", .url = "x", .headers = {}, .body = {}}, m_reporter);
    ASSERT_THAT(response, test::FailsWithId("net.mirror.none"));
}

TEST(JoinUrlTest, OneSlashBetween) {
    EXPECT_EQ(core::join_url("https://a/b/", "/c/d"), "https://a/b/c/d");
    EXPECT_EQ(core::join_url("https://a/b", "c"), "https://a/b/c");
    EXPECT_EQ(core::join_url("file:///srv/ch//", "noarch/x"), "file:///srv/ch/noarch/x");
}

}  // namespace
}  // namespace envsmith::net
