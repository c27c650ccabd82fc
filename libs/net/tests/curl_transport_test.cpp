#include "envsmith/net/curl_transport.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <ctime>

#include "envsmith/core/encoding.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::net {
namespace {

using std::chrono::milliseconds;
using test::Fault;
using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

/// A loopback port with nothing listening: bound, then closed.
std::uint16_t closed_port() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t size = sizeof address;
    bind(fd, reinterpret_cast<sockaddr*>(&address), size);
    getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
    close(fd);
    return ntohs(address.sin_port);
}

class CurlTransportTest : public ::testing::Test {
protected:
    CurlTransportTest() {
        m_files.write("pkg/a.txt", m_content);
        m_options.connect_timeout_ms = 2000;
        m_options.total_timeout_ms = 5000;
        m_options.max_retries = 3;
        m_options.backoff_base_ms = 100;
        m_options.backoff_max_ms = 1000;
        m_options.jitter_seed = 1;
        m_options.proxy = "";  // direct, whatever proxy the environment names
        // No test waits: the transport's sleeps are recorded, and "now" is fixed.
        m_options.sleep = [this](milliseconds duration) { m_sleeps.push_back(duration); };
        m_options.now = [] { return std::chrono::system_clock::from_time_t(1'700'000'000); };
    }

    CurlTransport transport() { return CurlTransport(m_options, m_reporter); }
    std::string url(const std::string& path) const { return m_server.base_url() + path; }

    const std::string m_content = std::string(2000, 'x') + "end";
    test::TempDir m_files;
    test::TestServer m_server{m_files.path()};
    TransportOptions m_options;
    test::RecordingReporter m_reporter;
    std::vector<milliseconds> m_sleeps;
};

TEST_F(CurlTransportTest, GetsAFileAndReportsProgress) {
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, m_content);
    EXPECT_EQ(response->header("content-type"), "application/octet-stream");
    ASSERT_THAT(m_reporter.progress, Not(IsEmpty()));
    EXPECT_EQ(m_reporter.progress.back().url, url("/pkg/a.txt"));
    EXPECT_EQ(m_reporter.progress.back().done_bytes, m_content.size());
    EXPECT_THAT(m_sleeps, IsEmpty());
}

// A body with a Content-Length is received into one allocation with spare room after it, so
// a caller can parse it in place (repodata.json) instead of copying it: a 3 MB body that grew
// by doubling would end with a capacity of a power of two, and no promise of spare room.
TEST_F(CurlTransportTest, AnAnnouncedBodyIsReservedWholeWithSpareRoom) {
    std::string big(3'000'000, 'b');
    m_files.write("pkg/big.bin", big);
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/big.bin"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->body, big);
    EXPECT_GE(response->body.capacity(), big.size() + 64);
    EXPECT_LT(response->body.capacity(), big.size() + 4096);
}

TEST_F(CurlTransportTest, HeadHasNoBody) {
    auto net = transport();
    const auto response =
        net.send({.method = "HEAD", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, "");
}

TEST_F(CurlTransportTest, RetriesTransientFailuresUntilOneSucceeds) {
    m_server.inject("/pkg/a.txt", Fault::http_status(503));
    m_server.inject("/pkg/a.txt", Fault::reset());
    m_server.inject("/pkg/a.txt", Fault::truncate());
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, m_content);
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 4U);
    ASSERT_THAT(m_sleeps, SizeIs(3));
    // Exponential backoff with jitter: retry n waits within [d/2, d], d = 100 ms * 2^n.
    for (std::size_t n = 0; n < m_sleeps.size(); ++n) {
        SCOPED_TRACE(n);
        const auto ceiling = 100 << n;
        EXPECT_GE(m_sleeps[n].count(), ceiling / 2);
        EXPECT_LE(m_sleeps[n].count(), ceiling);
    }
    ASSERT_THAT(m_reporter.warnings, SizeIs(3));
    EXPECT_EQ(m_reporter.warnings[0].message_id, "net.retry");
    EXPECT_EQ(m_reporter.warnings[0].arg("reason"), "HTTP 503");
    EXPECT_EQ(m_reporter.warnings[0].arg("retry"), "1");
    EXPECT_EQ(m_reporter.warnings[2].arg("retry"), "3");
    EXPECT_EQ(m_reporter.warnings[2].arg("url"), url("/pkg/a.txt"));
}

TEST_F(CurlTransportTest, TheSameSeedWaitsTheSameTimes) {
    m_server.inject("/pkg/a.txt", Fault::http_status(500), 2);
    auto first = transport();
    ASSERT_THAT(first.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    const auto first_sleeps = m_sleeps;
    m_sleeps.clear();
    m_server.inject("/pkg/a.txt", Fault::http_status(500), 2);
    auto second = transport();
    ASSERT_THAT(second.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    EXPECT_EQ(m_sleeps, first_sleeps);
}

TEST_F(CurlTransportTest, ResetsUntilRetriesRunOutGiveACataloguedError) {
    m_server.inject("/pkg/a.txt", Fault::reset(), 10);
    m_options.max_retries = 2;
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.timeout"));
    EXPECT_EQ(response.error().code, core::ErrorCode::unavailable);
    EXPECT_THAT(response.error().message, HasSubstr("after 3 attempts"));
    EXPECT_EQ(response.error().arg_value("host"), "127.0.0.1");
    EXPECT_EQ(response.error().arg_value("attempts"), "3");
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 3U);
    EXPECT_THAT(m_sleeps, SizeIs(2));
}

TEST_F(CurlTransportTest, ServerErrorsUntilRetriesRunOutAreReturnedAsTheLastStatus) {
    m_server.inject("/pkg/a.txt", Fault::http_status(500), 10);
    m_options.max_retries = 2;
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 500);
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 3U);
}

TEST_F(CurlTransportTest, RetryAfterSecondsIsWaitedExactly) {
    m_server.inject("/pkg/a.txt", Fault::http_status(429, "7"));
    m_server.inject("/pkg/a.txt", Fault::http_status(503, "2"));
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(m_sleeps, ElementsAre(milliseconds{7000}, milliseconds{2000}));
}

TEST_F(CurlTransportTest, RetryAfterDateIsMeasuredFromNow) {
    // The fixture's "now" is 1'700'000'000 (Tue, 14 Nov 2023 22:13:20 GMT); ask for 45 s later.
    m_server.inject("/pkg/a.txt", Fault::http_status(429, "Tue, 14 Nov 2023 22:14:05 GMT"));
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_THAT(m_sleeps, ElementsAre(milliseconds{45'000}));
}

TEST_F(CurlTransportTest, ARetryAfterBeyondTheLimitIsNotWaitedFor) {
    m_server.inject("/pkg/a.txt", Fault::http_status(429, "3600"));
    m_options.max_retry_after_ms = 60'000;
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 429);
    EXPECT_EQ(response->header("Retry-After"), "3600");
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 1U);
    EXPECT_THAT(m_sleeps, IsEmpty());
}

TEST_F(CurlTransportTest, ClientErrorsAreValuesAndNeverRetried) {
    auto net = transport();
    const auto missing =
        net.send({.method = "GET", .url = url("/pkg/missing.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(missing, test::Succeeds());
    EXPECT_EQ(missing->status, 404);
    EXPECT_EQ(m_server.requests("/pkg/missing.txt"), 1U);
    for (const int status : {400, 401, 403, 410}) {
        SCOPED_TRACE(status);
        m_server.inject("/pkg/a.txt", Fault::http_status(status));
        const auto refused =
            net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
        ASSERT_THAT(refused, test::Succeeds());
        EXPECT_EQ(refused->status, status);
    }
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 4U);
    EXPECT_THAT(m_sleeps, IsEmpty());
}

TEST_F(CurlTransportTest, WrongBytesAreDeliveredForTheCallerToCheck) {
    m_server.inject("/pkg/a.txt", Fault::corrupt());
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body.size(), m_content.size());
    EXPECT_NE(response->body, m_content);
}

TEST_F(CurlTransportTest, ATotalTimeoutIsNetworkTimeout) {
    m_server.inject("/pkg/a.txt", Fault::delayed(milliseconds{5000}));
    m_options.total_timeout_ms = 200;
    m_options.max_retries = 0;
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.timeout"));
    EXPECT_THAT(response.error().message, Not(HasSubstr("attempts")));
}

TEST_F(CurlTransportTest, AStalledTransferIsNetworkTimeout) {
    // The one test that waits: libcurl counts the low-speed window in whole seconds, and
    // averages the speed over a few of them, so a high limit trips after the first one.
    m_server.inject("/pkg/a.txt", Fault::stalled(milliseconds{10'000}));
    m_options.total_timeout_ms = 0;
    m_options.low_speed_limit_bytes_per_s = 100'000;
    m_options.low_speed_time_s = 1;
    m_options.max_retries = 0;
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.timeout"));
}

TEST_F(CurlTransportTest, AClosedPortIsConnectionRefused) {
    m_options.max_retries = 1;
    auto net = transport();
    const auto target = "http://127.0.0.1:" + std::to_string(closed_port()) + "/x";
    const auto response = net.send({.method = "GET", .url = target, .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.connection_refused"));
    EXPECT_EQ(response.error().arg_value("url"), target);
    EXPECT_THAT(m_sleeps, SizeIs(1));
}

TEST_F(CurlTransportTest, AnInvalidHostIsDns) {
    // RFC 6761: .invalid never resolves; resolvers answer NXDOMAIN at once.
    m_options.max_retries = 0;
    auto net = transport();
    const auto response = net.send(
        {.method = "GET", .url = "http://envsmith-test.invalid/x", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.dns"));
    EXPECT_EQ(response.error().arg_value("host"), "envsmith-test.invalid");
}

TEST_F(CurlTransportTest, ASelfSignedCertificateIsTlsAndNotRetried) {
    if (!test::TestServer::tls_available()) {
        GTEST_SKIP() << "cpp-httplib has no OpenSSL support here";
    }
    test::TestServer tls_server(m_files.path(), test::Tls::yes);
    auto net = transport();
    const auto response = net.send(
        {.method = "GET", .url = tls_server.base_url() + "/pkg/a.txt", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.tls"));
    EXPECT_THAT(m_sleeps, IsEmpty());
}

TEST_F(CurlTransportTest, ACustomCaBundleTrustsTheServer) {
    if (!test::TestServer::tls_available()) {
        GTEST_SKIP() << "cpp-httplib has no OpenSSL support here";
    }
    test::TestServer tls_server(m_files.path(), test::Tls::yes);
    m_options.ca_bundle = m_files.write("ca.pem", tls_server.certificate_pem()).string();
    auto net = transport();
    const auto response = net.send(
        {.method = "GET", .url = tls_server.base_url() + "/pkg/a.txt", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::Succeeds());
    EXPECT_EQ(response->status, 200);
    EXPECT_EQ(response->body, m_content);
}

TEST_F(CurlTransportTest, AnUnreachableProxyIsProxyAndItsPasswordStaysHidden) {
    m_options.max_retries = 0;
    m_options.proxy = "http://puser:proxy-s3cret@127.0.0.1:" + std::to_string(closed_port());
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = "http://repo.example/x", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.proxy"));
    EXPECT_THAT(response.error().arg_value("proxy"), HasSubstr("http://***@127.0.0.1:"));
    EXPECT_THAT(response.error().describe(), Not(HasSubstr("proxy-s3cret")));
    EXPECT_THAT(response.error().arg_value("detail"), Not(HasSubstr("proxy-s3cret")));
}

TEST_F(CurlTransportTest, AProxyThatRefusesTheTunnelIsProxy) {
    // The loopback server is no proxy: it answers CONNECT with an error status.
    m_options.max_retries = 0;
    m_options.proxy = m_server.base_url();
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = "https://repo.example/x", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.proxy"));
    EXPECT_EQ(response.error().arg_value("host"), "repo.example");
}

TEST_F(CurlTransportTest, AMalformedUrlIsInvalidInput) {
    auto net = transport();
    const auto response =
        net.send({.method = "GET", .url = "gopher://x/y", .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("net.url.invalid"));
    EXPECT_EQ(response.error().code, core::ErrorCode::invalid_input);
}

TEST_F(CurlTransportTest, FileUrlsWorkLikeHttpOnes) {
    auto net = transport();
    const auto base = "file://" + m_files.path().string();
    const auto found =
        net.send({.method = "GET", .url = base + "/pkg/a.txt", .headers = {}, .body = {}});
    ASSERT_THAT(found, test::Succeeds());
    EXPECT_EQ(found->status, 200);
    EXPECT_EQ(found->body, m_content);
    const auto missing =
        net.send({.method = "GET", .url = base + "/pkg/nope.txt", .headers = {}, .body = {}});
    ASSERT_THAT(missing, test::Succeeds());
    EXPECT_EQ(missing->status, 404);
    EXPECT_THAT(m_sleeps, IsEmpty());
}

TEST_F(CurlTransportTest, CredentialsGoToTheirHostOnly) {
    m_options.credentials = {
        {.host = "127.0.0.1",
         .scheme = AuthScheme::basic,
         .username = "alice",
         .secret = "hunter2"},
        {.host = "other.example", .scheme = AuthScheme::bearer, .username = {}, .secret = "tok"},
    };
    auto net = transport();
    ASSERT_THAT(net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "Basic YWxpY2U6aHVudGVyMg==");

    m_options.credentials = {
        {.host = "127.0.0.1", .scheme = AuthScheme::bearer, .username = {}, .secret = "tok"}};
    auto bearer = transport();
    ASSERT_THAT(bearer.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "Bearer tok");

    m_options.credentials = {
        {.host = "localhost", .scheme = AuthScheme::bearer, .username = {}, .secret = "tok"}};
    auto elsewhere = transport();
    ASSERT_THAT(
        elsewhere.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
        test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "");
}

TEST_F(CurlTransportTest, NetrcCredentialsAreUsedForTheirMachine) {
    const auto netrc = m_files.write("netrc", "machine 127.0.0.1 login bob password s3cret\n");
    m_options.netrc_file = netrc.string();
    auto net = transport();
    ASSERT_THAT(net.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"),
              "Basic " + core::base64_encode("bob:s3cret"));

    // An explicit credential for the host wins over the .netrc entry.
    m_options.credentials = {
        {.host = "127.0.0.1", .scheme = AuthScheme::bearer, .username = {}, .secret = "tok"}};
    auto explicit_wins = transport();
    ASSERT_THAT(
        explicit_wins.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
        test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "Bearer tok");

    // Without a .netrc nothing is sent.
    m_options.credentials.clear();
    m_options.netrc_file.clear();
    auto none = transport();
    ASSERT_THAT(none.send({.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}}),
                test::Succeeds());
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "");
}

TEST_F(CurlTransportTest, RedirectsAreFollowedWithoutCredentialsToAnotherHost) {
    m_options.credentials = {
        {.host = "127.0.0.1", .scheme = AuthScheme::bearer, .username = {}, .secret = "tok"}};
    const auto port = std::to_string(m_server.port());
    m_server.inject("/pkg/old.txt", Fault::redirect("/pkg/a.txt"));
    auto net = transport();
    const auto same_host =
        net.send({.method = "GET", .url = url("/pkg/old.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(same_host, test::Succeeds());
    EXPECT_EQ(same_host->status, 200);
    EXPECT_EQ(same_host->body, m_content);
    EXPECT_EQ(same_host->effective_url, url("/pkg/a.txt"));
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "Bearer tok");

    // localhost is the same server under another name: the token stays behind.
    m_server.inject("/pkg/old.txt", Fault::redirect("http://localhost:" + port + "/pkg/a.txt"));
    const auto other_host =
        net.send({.method = "GET", .url = url("/pkg/old.txt"), .headers = {}, .body = {}});
    ASSERT_THAT(other_host, test::Succeeds());
    EXPECT_EQ(other_host->status, 200);
    EXPECT_EQ(other_host->effective_url, "http://localhost:" + port + "/pkg/a.txt");
    EXPECT_EQ(m_server.last_header("/pkg/old.txt", "Authorization"), "Bearer tok");
    EXPECT_EQ(m_server.last_header("/pkg/a.txt", "Authorization"), "");
}

TEST_F(CurlTransportTest, SecretsNeverAppearInErrorsOrEvents) {
    m_options.credentials = {{.host = "127.0.0.1",
                              .scheme = AuthScheme::bearer,
                              .username = {},
                              .secret = "bearer-s3cret"}};
    m_options.max_retries = 2;
    const std::vector<std::string> secrets = {"hunter2", "url-s3cret", "bearer-s3cret",
                                              "path-s3cret"};
    auto net = transport();

    // Retries (warnings) and progress events on a URL full of secrets...
    m_server.inject("/t/path-s3cret/a.txt", Fault::http_status(503));
    m_files.write("t/path-s3cret/a.txt", "ok");
    const auto good = "http://alice:hunter2@127.0.0.1:" + std::to_string(m_server.port()) +
                      "/t/path-s3cret/a.txt?token=url-s3cret";
    ASSERT_THAT(net.send({.method = "GET", .url = good, .headers = {}, .body = {}}),
                test::Succeeds());
    ASSERT_THAT(m_reporter.warnings, SizeIs(1));
    ASSERT_THAT(m_reporter.progress, Not(IsEmpty()));

    // ...and an error after retries.
    const auto bad = "http://alice:hunter2@127.0.0.1:" + std::to_string(closed_port()) +
                     "/t/path-s3cret/a.txt?token=url-s3cret";
    const auto response = net.send({.method = "GET", .url = bad, .headers = {}, .body = {}});
    ASSERT_THAT(response, test::FailsWithId("network.connection_refused"));

    std::vector<std::string> texts = m_reporter.all_texts();
    texts.push_back(response.error().describe());
    texts.push_back(response.error().hint);
    for (const auto& arg : response.error().args) {
        texts.push_back(arg.value);
    }
    for (const auto& text : texts) {
        for (const auto& secret : secrets) {
            EXPECT_THAT(text, Not(HasSubstr(secret))) << "leaked " << secret;
        }
    }
    EXPECT_THAT(response.error().arg_value("url"),
                AllOf(HasSubstr("***@127.0.0.1"), HasSubstr("token=***")));
}

TEST_F(CurlTransportTest, SendAllRunsInParallelUpToTheCapAndKeepsTheOrder) {
    std::vector<core::HttpRequest> requests;
    for (int i = 0; i < 6; ++i) {
        const auto path = "/pkg/" + std::to_string(i) + ".txt";
        m_files.write(path.substr(1), "file " + std::to_string(i));
        // Held long enough that transfers overlap whenever the cap allows it.
        m_server.inject(path, Fault::delayed(milliseconds{300}));
        requests.push_back({.method = "GET", .url = url(path), .headers = {}, .body = {}});
    }
    requests.push_back({.method = "GET", .url = url("/pkg/missing"), .headers = {}, .body = {}});
    m_options.max_parallel = 3;
    auto net = transport();
    const auto results = net.send_all(requests);
    ASSERT_THAT(results, SizeIs(7));
    for (int i = 0; i < 6; ++i) {
        SCOPED_TRACE(i);
        ASSERT_THAT(results[static_cast<std::size_t>(i)], test::Succeeds());
        EXPECT_EQ(results[static_cast<std::size_t>(i)]->status, 200);
        EXPECT_EQ(results[static_cast<std::size_t>(i)]->body, "file " + std::to_string(i));
    }
    ASSERT_THAT(results[6], test::Succeeds());
    EXPECT_EQ(results[6]->status, 404);
    EXPECT_LE(m_server.max_concurrent(), 3U);
    EXPECT_GE(m_server.max_concurrent(), 2U);
}

TEST_F(CurlTransportTest, SendAllRetriesEachTransferOnItsOwn) {
    m_files.write("pkg/b.txt", "bee");
    m_server.inject("/pkg/a.txt", Fault::reset(), 2);
    m_server.inject("/pkg/b.txt", Fault::http_status(429, "1"));
    m_options.max_retries = 2;
    auto net = transport();
    const auto closed = "http://127.0.0.1:" + std::to_string(closed_port()) + "/c";
    const auto results = net.send_all({
        {.method = "GET", .url = url("/pkg/a.txt"), .headers = {}, .body = {}},
        {.method = "GET", .url = url("/pkg/b.txt"), .headers = {}, .body = {}},
        {.method = "GET", .url = closed, .headers = {}, .body = {}},
    });
    ASSERT_THAT(results, SizeIs(3));
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_EQ(results[0]->body, m_content);
    ASSERT_THAT(results[1], test::Succeeds());
    EXPECT_EQ(results[1]->body, "bee");
    ASSERT_THAT(results[2], test::FailsWithId("network.connection_refused"));
    EXPECT_EQ(results[2].error().arg_value("attempts"), "3");
    EXPECT_EQ(m_server.requests("/pkg/a.txt"), 3U);
    EXPECT_EQ(m_server.requests("/pkg/b.txt"), 2U);
    // 2 retries of a, 1 of b, 2 of the refused one.
    EXPECT_THAT(m_reporter.warnings, SizeIs(5));
}

TEST_F(CurlTransportTest, SendAllOfNothingIsNothing) {
    auto net = transport();
    EXPECT_THAT(net.send_all({}), IsEmpty());
}

}  // namespace
}  // namespace envsmith::net
