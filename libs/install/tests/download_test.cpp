// download_verified over a loopback HTTP server with the real libcurl transport: resume with
// Range, a stale partial file, mirrors, retries inside the transport, file:// URLs.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "envsmith/core/digest.hpp"
#include "envsmith/install/download.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "install_test_support.hpp"
#include "test_server.hpp"

namespace envsmith::install {
namespace {

using ::testing::HasSubstr;
namespace stdfs = std::filesystem;

using test_support::quick_options;
using test_support::read_all;

constexpr const char* zlib_bz2 = "conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2";

class DownloadTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto data = test::testdata_dir();
        if (data.empty()) {
            GTEST_SKIP() << "../shared/testdata is absent";
        }
        m_bytes = read_all(stdfs::path(data) / zlib_bz2);
        ASSERT_GT(m_bytes.size(), 100'000U);
        m_files.write("pkgs/zlib.tar.bz2", m_bytes);
        m_files.write("mirror/zlib.tar.bz2", m_bytes);
    }

    DownloadRequest request_for(const std::vector<std::string>& paths) const {
        DownloadRequest request;
        for (const auto& path : paths) {
            request.urls.push_back(m_server.base_url() + path);
        }
        request.file_name = "zlib-1.2.11-h7b6447c_3.tar.bz2";
        request.sha256 = core::sha256(m_bytes);
        request.size = m_bytes.size();
        request.part_path = (m_work.path() / "zlib.part").string();
        return request;
    }

    test::TempDir m_files;
    test::TempDir m_work;
    test::TestServer m_server{m_files.path()};
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{quick_options(), m_reporter};
    std::string m_bytes;
};

TEST_F(DownloadTest, DownloadsAndVerifiesAndReportsProgress) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->sha256, core::sha256(m_bytes));
    EXPECT_EQ(result->md5, core::md5(m_bytes));
    EXPECT_EQ(result->bytes, m_bytes.size());
    EXPECT_EQ(result->resumed_from, 0U);
    EXPECT_EQ(read_all(request.part_path), m_bytes);
    ASSERT_FALSE(m_reporter.progress.empty());
    EXPECT_EQ(m_reporter.progress.back().done_bytes, m_bytes.size());
    EXPECT_EQ(m_reporter.progress.back().total_bytes, m_bytes.size());
}

TEST_F(DownloadTest, ContinuesAPartialFileWithARangeRequest) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    m_work.write("zlib.part", m_bytes.substr(0, 50'000));
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->resumed_from, 50'000U);
    EXPECT_EQ(m_server.last_header("/pkgs/zlib.tar.bz2", "Range"), "bytes=50000-");
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 1U);
    EXPECT_EQ(read_all(request.part_path), m_bytes);
    EXPECT_EQ(result->sha256, core::sha256(m_bytes));
}

TEST_F(DownloadTest, AStalePartialFileIsDiscardedAndDownloadedAgainFromTheStart) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    m_work.write("zlib.part", std::string(50'000, 'x'));  // not the file's first bytes
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->resumed_from, 0U);
    EXPECT_EQ(result->requests, 2U);
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 2U);
    EXPECT_EQ(m_server.last_header("/pkgs/zlib.tar.bz2", "Range"), "");
    EXPECT_EQ(read_all(request.part_path), m_bytes);
    // Not counted as the one retry a mismatch gets: no warning about one.
    for (const auto& warning : m_reporter.warnings) {
        EXPECT_NE(warning.message_id, "install.download.retry_mismatch");
    }
}

TEST_F(DownloadTest, ACompletePartialFileNeedsNoRequest) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    m_work.write("zlib.part", m_bytes);
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->requests, 0U);
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 0U);
}

TEST_F(DownloadTest, ATransferCutShortIsRetriedByTheTransportAndStartsOver) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    m_server.inject("/pkgs/zlib.tar.bz2", test::Fault::truncate());
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 2U);
    EXPECT_EQ(read_all(request.part_path), m_bytes);
}

TEST_F(DownloadTest, AMismatchIsRetriedOnceThenFailsNamingUrlAndDigests) {
    const auto request = request_for({"/pkgs/zlib.tar.bz2"});
    m_server.inject("/pkgs/zlib.tar.bz2", test::Fault::corrupt(), 2);
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::FailsWithId("conda.verification"));
    EXPECT_EQ(result.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 2U);
    std::string flipped = m_bytes;
    for (auto& byte : flipped) {
        byte = static_cast<char>(~byte);
    }
    EXPECT_EQ(result.error().arg_value("url"), m_server.base_url() + "/pkgs/zlib.tar.bz2");
    EXPECT_EQ(result.error().arg_value("expected"), core::sha256(m_bytes).to_string());
    EXPECT_EQ(result.error().arg_value("actual"), core::sha256(flipped).to_string());
    EXPECT_EQ(result.error().arg_value("package"), "zlib-1.2.11-h7b6447c_3.tar.bz2");
    EXPECT_THAT(result.error().message, HasSubstr(core::sha256(flipped).to_string()));
    EXPECT_FALSE(stdfs::exists(request.part_path));  // unverified bytes are not kept
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "install.download.retry_mismatch");
}

TEST_F(DownloadTest, AWheelMismatchUsesPipsCatalogueId) {
    auto request = request_for({"/pkgs/zlib.tar.bz2"});
    request.file_name = "demo-1.0-py3-none-any.whl";
    request.sha256 = core::sha256("something else");
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::FailsWithId("pip.hash_mismatch"));
    EXPECT_EQ(result.error().arg_value("requirement"), "demo-1.0-py3-none-any.whl");
    EXPECT_EQ(result.error().arg_value("actual"), core::sha256(m_bytes).to_string());
}

TEST_F(DownloadTest, Md5AloneIsCheckedAndBothAreCheckedWhenGiven) {
    auto request = request_for({"/pkgs/zlib.tar.bz2"});
    request.sha256.reset();
    request.md5 = core::md5(m_bytes);
    ASSERT_THAT(download_verified(request, m_transport, m_reporter), test::Succeeds());

    request.sha256 = core::sha256(m_bytes);
    request.md5 = core::md5("other");
    stdfs::remove(request.part_path);
    const auto wrong_md5 = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(wrong_md5, test::FailsWithId("conda.verification"));
    EXPECT_EQ(wrong_md5.error().arg_value("algorithm"), "md5");
}

TEST_F(DownloadTest, ANotFoundMirrorMovesToTheNextOne) {
    const auto request = request_for({"/missing/zlib.tar.bz2", "/mirror/zlib.tar.bz2"});
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->url, m_server.base_url() + "/mirror/zlib.tar.bz2");
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "net.mirror.next");
}

TEST_F(DownloadTest, NotFoundEverywhereIsTheCatalogueNotFound) {
    const auto request = request_for({"/missing/zlib.tar.bz2"});
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::FailsWithId("network.not_found"));
    EXPECT_EQ(result.error().arg_value("status"), "404");
}

TEST_F(DownloadTest, NoDigestIsRefusedBeforeAnyRequest) {
    auto request = request_for({"/pkgs/zlib.tar.bz2"});
    request.sha256.reset();
    ASSERT_THAT(download_verified(request, m_transport, m_reporter),
                test::FailsWithId("install.download.no_digest"));
    EXPECT_EQ(m_server.requests("/pkgs/zlib.tar.bz2"), 0U);
}

TEST_F(DownloadTest, FileUrlsAreReadLocallyAndVerified) {
    auto request = request_for({});
    request.urls = {"file://" + (m_files.path() / "pkgs/zlib.tar.bz2").string()};
    const auto result = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(read_all(request.part_path), m_bytes);

    request.sha256 = core::sha256("not these bytes");
    const auto mismatch = download_verified(request, m_transport, m_reporter);
    ASSERT_THAT(mismatch, test::FailsWithId("conda.verification"));

    request.urls = {"file://" + (m_files.path() / "nothing-here.tar.bz2").string()};
    ASSERT_THAT(download_verified(request, m_transport, m_reporter),
                test::FailsWithId("fs.not_found"));
}

/// A transport with only `send`: exercises core::Transport's default `send_streaming`.
class WholeBodyTransport final : public core::Transport {
public:
    explicit WholeBodyTransport(std::string body) : m_body(std::move(body)) {}
    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override {
        ++calls;
        core::HttpResponse response;
        response.status = 200;
        response.body = m_body;
        response.effective_url = request.url;
        return response;
    }
    int calls = 0;

private:
    std::string m_body;
};

TEST(DownloadDefaultStreamingTest, ATransportWithoutStreamingStillDownloadsAndVerifies) {
    test::TempDir work;
    const std::string bytes(70'000, 'z');
    WholeBodyTransport transport(bytes);
    test::RecordingReporter reporter;
    DownloadRequest request;
    request.urls = {"http://127.0.0.1:9/pkgs/a-1.0-0.conda"};
    request.file_name = "a-1.0-0.conda";
    request.sha256 = core::sha256(bytes);
    request.part_path = (work.path() / "a.part").string();
    const auto result = download_verified(request, transport, reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(transport.calls, 1);
    EXPECT_EQ(read_all(request.part_path), bytes);

    request.sha256 = core::sha256("other");
    const auto wrong = download_verified(request, transport, reporter);
    ASSERT_THAT(wrong, test::FailsWithId("conda.verification"));
    EXPECT_EQ(transport.calls, 3);  // the download and its one retry
}

TEST(PackageKindTest, CondaArchivesAndEverythingElse) {
    EXPECT_EQ(package_kind("zlib-1.2.11-0.conda"), PackageKind::conda);
    EXPECT_EQ(package_kind("zlib-1.2.11-0.tar.bz2"), PackageKind::conda);
    EXPECT_EQ(package_kind("six-1.16.0-py2.py3-none-any.whl"), PackageKind::python);
    EXPECT_EQ(package_kind("six-1.16.0.tar.gz"), PackageKind::python);
}

}  // namespace
}  // namespace envsmith::install
