// Request bodies streamed from a file (core::HttpRequest::body_file): PUT, PATCH and POST of
// a file range, the same bytes again after a retry and after a redirect (libcurl rewinds
// through the seek callback), and an unreadable file as an error. Against a cpp-httplib
// server written here that records what it received.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <httplib.h>

#include <mutex>
#include <thread>
#include <vector>

#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "temp_dir.hpp"

namespace envsmith::net {
namespace {

using test::FailsWithId;
using test::Succeeds;

struct Received {
    std::string method;
    std::string path;
    std::string body;
    std::string content_length;
};

class UploadTest : public ::testing::Test {
protected:
    void SetUp() override {
        // 3 MiB of varied bytes: several read-callback calls per request.
        m_content.reserve(3U << 20);
        for (std::uint32_t i = 0; m_content.size() < (3U << 20); ++i) {
            m_content += std::to_string(i * 2654435761U) + ",";
        }
        m_content.resize(3U << 20);
        m_files.write("blob.bin", m_content);
        auto record = [this](const httplib::Request& request, httplib::Response& response) {
            const std::lock_guard lock(m_mutex);
            m_received.push_back({request.method, request.path, request.body,
                                  request.get_header_value("Content-Length")});
            if (request.path == "/fail-once" && m_failures_left > 0) {
                --m_failures_left;
                response.status = 500;
                return;
            }
            if (request.path == "/moved") {
                response.status = 307;
                response.set_header("Location", "/target");
                return;
            }
            response.status = 201;
            response.set_content(std::to_string(request.body.size()), "text/plain");
        };
        m_server.Put(".*", record);
        m_server.Patch(".*", record);
        m_server.Post(".*", record);
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
        m_options.max_retries = 2;
        m_options.proxy = "";
        m_options.jitter_seed = 1;
        m_options.sleep = [](std::chrono::milliseconds) {};
    }
    void TearDown() override {
        m_server.stop();
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }

    [[nodiscard]] core::HttpRequest request(std::string method, const std::string& path,
                                            std::uint64_t offset, std::uint64_t length) const {
        core::HttpRequest out;
        out.method = std::move(method);
        out.url = "http://127.0.0.1:" + std::to_string(m_port) + path;
        out.headers.emplace_back("Content-Type", "application/octet-stream");
        out.body_file = core::FileBody{(m_files.path() / "blob.bin").string(), offset, length};
        return out;
    }

    std::string m_content;
    test::TempDir m_files;
    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
    std::mutex m_mutex;
    std::vector<Received> m_received;
    int m_failures_left = 1;
    TransportOptions m_options;
    test::RecordingReporter m_reporter;
};

TEST_F(UploadTest, PutSendsTheWholeFile) {
    CurlTransport net(m_options, m_reporter);
    const auto response = net.send(request("PUT", "/whole", 0, m_content.size()));
    ASSERT_THAT(response, Succeeds());
    EXPECT_EQ(response->status, 201);
    ASSERT_EQ(m_received.size(), 1U);
    EXPECT_EQ(m_received[0].method, "PUT");
    EXPECT_EQ(m_received[0].content_length, std::to_string(m_content.size()));
    EXPECT_TRUE(m_received[0].body == m_content);
}

TEST_F(UploadTest, PatchAndPostSendTheRangeAsked) {
    CurlTransport net(m_options, m_reporter);
    const std::uint64_t offset = 1'000'001;
    const std::uint64_t length = 1'500'000;
    ASSERT_THAT(net.send(request("PATCH", "/chunk", offset, length)), Succeeds());
    ASSERT_THAT(net.send(request("POST", "/post", 7, 10)), Succeeds());
    ASSERT_EQ(m_received.size(), 2U);
    EXPECT_EQ(m_received[0].method, "PATCH");
    EXPECT_TRUE(m_received[0].body == m_content.substr(offset, length));
    EXPECT_EQ(m_received[1].method, "POST");
    EXPECT_EQ(m_received[1].body, m_content.substr(7, 10));
}

TEST_F(UploadTest, AnEmptyRangeSendsAnEmptyBody) {
    CurlTransport net(m_options, m_reporter);
    const auto response = net.send(request("PUT", "/empty", 5, 0));
    ASSERT_THAT(response, Succeeds());
    ASSERT_EQ(m_received.size(), 1U);
    EXPECT_EQ(m_received[0].content_length, "0");
    EXPECT_EQ(m_received[0].body, "");
}

TEST_F(UploadTest, ARetrySendsTheSameBytesAgain) {
    CurlTransport net(m_options, m_reporter);
    const auto response = net.send(request("PUT", "/fail-once", 100, 2'000'000));
    ASSERT_THAT(response, Succeeds());
    EXPECT_EQ(response->status, 201);
    ASSERT_EQ(m_received.size(), 2U);
    EXPECT_EQ(m_received[0].body.size(), 2'000'000U);
    EXPECT_TRUE(m_received[1].body == m_content.substr(100, 2'000'000));
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "net.retry");
}

TEST_F(UploadTest, ARedirectRewindsTheFile) {
    CurlTransport net(m_options, m_reporter);
    const auto response = net.send(request("PUT", "/moved", 0, m_content.size()));
    ASSERT_THAT(response, Succeeds());
    EXPECT_EQ(response->status, 201);
    ASSERT_EQ(m_received.size(), 2U);
    EXPECT_EQ(m_received[1].path, "/target");
    EXPECT_EQ(m_received[1].method, "PUT");
    EXPECT_TRUE(m_received[1].body == m_content);
}

TEST_F(UploadTest, AMissingFileIsAnErrorNamingIt) {
    CurlTransport net(m_options, m_reporter);
    auto missing = request("PUT", "/whole", 0, 10);
    missing.body_file->path = (m_files.path() / "nope.bin").string();
    const auto response = net.send(missing);
    ASSERT_THAT(response, FailsWithId("net.transfer.failed"));
    EXPECT_THAT(response.error().message, ::testing::HasSubstr("nope.bin"));
    EXPECT_TRUE(m_received.empty() || m_received[0].body.empty());
}

TEST_F(UploadTest, AFileShorterThanTheRangeIsAnError) {
    CurlTransport net(m_options, m_reporter);
    const auto response = net.send(request("PUT", "/whole", m_content.size() - 10, 20));
    ASSERT_THAT(response, FailsWithId("net.transfer.failed"));
    EXPECT_THAT(response.error().message, ::testing::HasSubstr("shorter"));
}

}  // namespace
}  // namespace envsmith::net
