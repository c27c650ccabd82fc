// The package cache over a loopback HTTP server with the real libcurl transport and real
// packages from ../shared/testdata: parallel fetches, extraction, cache hits without requests,
// mismatches that leave nothing behind, mirrors, resume, and two processes on one entry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "envsmith/core/digest.hpp"
#include "envsmith/install/package_cache.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "install_test_support.hpp"
#include "test_server.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

using test_support::quick_options;
using test_support::read_all;

/// The files of a folder, recursively, relative to it.
std::vector<std::string> files_under(const stdfs::path& root) {
    std::vector<std::string> files;
    if (!stdfs::exists(root)) {
        return files;
    }
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
        if (!entry.is_directory()) {
            files.push_back(stdfs::relative(entry.path(), root).string());
        }
    }
    return files;
}

struct Sample {
    const char* testdata_path;
    const char* served_as;  // path on the server
};

constexpr Sample samples[] = {
    {"conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.conda",
     "/linux-64/zlib-1.2.11-h7b6447c_3.conda"},
    {"conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2",
     "/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2"},
    {"rattler/test-data/sparse/sparse-test-1.0.0-0.conda", "/noarch/sparse-test-1.0.0-0.conda"},
    {"pip/tests/data/packages/simplewheel-2.0-1-py2.py3-none-any.whl",
     "/files/simplewheel-2.0-1-py2.py3-none-any.whl"},
};

class PackageCacheTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto data = test::testdata_dir();
        if (data.empty()) {
            GTEST_SKIP() << "../shared/testdata is absent";
        }
        for (const auto& sample : samples) {
            auto bytes = read_all(stdfs::path(data) / sample.testdata_path);
            ASSERT_FALSE(bytes.empty()) << sample.testdata_path;
            m_files.write(std::string(sample.served_as).substr(1), bytes);
            m_files.write("mirror" + std::string(sample.served_as), bytes);
            m_bytes.push_back(std::move(bytes));
        }
        auto cache = PackageCache::open((m_work.path() / "cache" / "pkgs").string());
        ASSERT_THAT(cache, test::Succeeds());
        m_cache.emplace(std::move(cache).value());
    }

    PackageSource source(std::size_t index) const {
        PackageSource source;
        source.url = m_server.base_url() + samples[index].served_as;
        source.sha256 = core::sha256(m_bytes[index]);
        source.size = m_bytes[index].size();
        return source;
    }

    std::vector<core::Result<CachedPackage>> fetch(const std::vector<PackageSource>& sources,
                                                   const FetchOptions& options = {}) {
        return m_cache->fetch(sources, m_transport, m_reporter, options);
    }

    test::TempDir m_files;
    test::TempDir m_work;
    test::TestServer m_server{m_files.path()};
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{quick_options(), m_reporter};
    std::vector<std::string> m_bytes;
    std::optional<PackageCache> m_cache;
};

TEST_F(PackageCacheTest, FetchesSeveralPackagesInParallelInInputOrder) {
    std::vector<PackageSource> sources;
    for (std::size_t i = 0; i < std::size(samples); ++i) {
        sources.push_back(source(i));
    }
    const auto results = fetch(sources, {.max_parallel = 3, .verify_cached = VerifyCached::no, .extract = {}});
    ASSERT_EQ(results.size(), sources.size());
    for (std::size_t i = 0; i < results.size(); ++i) {
        SCOPED_TRACE(samples[i].served_as);
        ASSERT_THAT(results[i], test::Succeeds());
        const auto& package = *results[i];
        EXPECT_TRUE(package.downloaded);
        EXPECT_EQ(package.sha256, core::sha256(m_bytes[i]));
        EXPECT_EQ(package.size, m_bytes[i].size());
        EXPECT_EQ(read_all(package.archive_path), m_bytes[i]);
        EXPECT_EQ(package.archive_path,
                  m_cache->root() + "/sha256/" + package.sha256.hex +
                      (i == 1 ? ".tar.bz2" : i == 3 ? ".whl" : ".conda"));
        EXPECT_EQ(m_server.requests(samples[i].served_as), 1U);
    }
    // Conda packages are extracted, the wheel is not.
    EXPECT_TRUE(stdfs::is_regular_file(results[0]->extracted_dir + "/info/index.json"));
    EXPECT_TRUE(stdfs::is_regular_file(results[1]->extracted_dir + "/info/index.json"));
    EXPECT_EQ(results[0]->extracted_dir, m_cache->root() + "/extracted/" + results[0]->sha256.hex);
    EXPECT_FALSE(results[2]->extracted_dir.empty());
    EXPECT_TRUE(results[3]->extracted_dir.empty());
    // Nothing left behind but the lock files.
    EXPECT_THAT(files_under(m_cache->root() + "/partial"), ::testing::IsEmpty());
    EXPECT_THAT(files_under(m_cache->root() + "/tmp"), ::testing::IsEmpty());
    ASSERT_FALSE(m_reporter.progress.empty());
}

TEST_F(PackageCacheTest, ACacheHitMakesNoRequest) {
    ASSERT_THAT(fetch({source(0)})[0], test::Succeeds());
    ASSERT_EQ(m_server.requests(samples[0].served_as), 1U);

    // A second cache object on the same folder, as another run would open it.
    auto again = PackageCache::open(m_cache->root());
    ASSERT_THAT(again, test::Succeeds());
    const auto results = again->fetch({source(0)}, m_transport, m_reporter);
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_FALSE(results[0]->downloaded);
    EXPECT_TRUE(stdfs::is_directory(results[0]->extracted_dir));
    EXPECT_EQ(m_server.requests(samples[0].served_as), 1U);

    const auto found = m_cache->find(source(0));
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->archive_path, results[0]->archive_path);
    EXPECT_FALSE(m_cache->find(source(1)).has_value());
}

TEST_F(PackageCacheTest, ADamagedCachedArchiveIsFetchedAgainWhenVerified) {
    const auto first = fetch({source(3)});
    ASSERT_THAT(first[0], test::Succeeds());
    {
        std::fstream file(first[0]->archive_path, std::ios::in | std::ios::out | std::ios::binary);
        file.seekp(10);
        file.put('!');  // same size, other bytes
    }
    const auto again = fetch({source(3)}, {.max_parallel = 1, .verify_cached = VerifyCached::yes, .extract = {}});
    ASSERT_THAT(again[0], test::Succeeds());
    EXPECT_TRUE(again[0]->downloaded);
    EXPECT_EQ(read_all(again[0]->archive_path), m_bytes[3]);
    EXPECT_EQ(m_server.requests(samples[3].served_as), 2U);
    ASSERT_FALSE(m_reporter.warnings.empty());
    EXPECT_EQ(m_reporter.warnings.back().message_id, "install.cache.corrupt");
}

TEST_F(PackageCacheTest, AMismatchFailsWithTheCatalogueErrorAndLeavesNothingInTheCache) {
    m_server.inject(samples[0].served_as, test::Fault::corrupt(), 2);
    const auto results = fetch({source(0)});
    ASSERT_THAT(results[0], test::FailsWithId("conda.verification"));
    const auto& error = results[0].error();
    EXPECT_EQ(error.arg_value("url"), m_server.base_url() + samples[0].served_as);
    EXPECT_EQ(error.arg_value("expected"), core::sha256(m_bytes[0]).to_string());
    EXPECT_NE(error.arg_value("actual"), error.arg_value("expected"));
    EXPECT_EQ(error.arg_value("actual").substr(0, 7), "sha256:");
    EXPECT_EQ(m_server.requests(samples[0].served_as), 2U);
    for (const auto* folder : {"sha256", "md5", "extracted", "partial", "tmp"}) {
        SCOPED_TRACE(folder);
        EXPECT_THAT(files_under(m_cache->root() + "/" + folder), ::testing::IsEmpty());
    }
    EXPECT_FALSE(m_cache->find(source(0)).has_value());
}

TEST_F(PackageCacheTest, AMismatchOnTheFirstMirrorIsRetriedOnTheSecond) {
    auto package = source(1);
    package.mirrors = {m_server.base_url() + "/mirror" + samples[1].served_as};
    m_server.inject(samples[1].served_as, test::Fault::corrupt());
    const auto results = fetch({package});
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_EQ(read_all(results[0]->archive_path), m_bytes[1]);
    EXPECT_EQ(m_server.requests(samples[1].served_as), 1U);
    EXPECT_EQ(m_server.requests("/mirror" + std::string(samples[1].served_as)), 1U);
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "install.download.retry_mismatch");
    EXPECT_EQ(m_reporter.warnings[0].arg("next"),
              m_server.base_url() + "/mirror" + samples[1].served_as);
}

TEST_F(PackageCacheTest, APartialDownloadIsResumedWithRange) {
    const auto package = source(0);
    // What a killed process leaves: the first bytes in the entry's .part file.
    std::ofstream(m_cache->root() + "/partial/" + package.sha256->hex + ".conda.part",
                  std::ios::binary)
        << m_bytes[0].substr(0, 40'000);
    const auto results = fetch({package});
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_EQ(m_server.last_header(samples[0].served_as, "Range"), "bytes=40000-");
    EXPECT_EQ(m_server.requests(samples[0].served_as), 1U);
    EXPECT_EQ(read_all(results[0]->archive_path), m_bytes[0]);
    EXPECT_THAT(files_under(m_cache->root() + "/partial"), ::testing::IsEmpty());
}

TEST_F(PackageCacheTest, Md5OnlyPackagesAreIndexedBySha256) {
    auto package = source(1);
    package.sha256.reset();
    package.md5 = core::md5(m_bytes[1]);
    const auto first = fetch({package});
    ASSERT_THAT(first[0], test::Succeeds());
    EXPECT_EQ(first[0]->sha256, core::sha256(m_bytes[1]));
    EXPECT_EQ(read_all(m_cache->root() + "/md5/" + package.md5->hex),
              core::sha256(m_bytes[1]).to_string() + "\n");
    const auto second = fetch({package});
    ASSERT_THAT(second[0], test::Succeeds());
    EXPECT_FALSE(second[0]->downloaded);
    EXPECT_EQ(m_server.requests(samples[1].served_as), 1U);
}

TEST_F(PackageCacheTest, FileUrlsAreFetchedAndVerified) {
    const auto data = test::testdata_dir();
    auto package = source(2);
    package.url = "file://" + (stdfs::path(data) / samples[2].testdata_path).string();
    const auto results = fetch({package});
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_EQ(read_all(results[0]->archive_path), m_bytes[2]);
    EXPECT_TRUE(stdfs::is_directory(results[0]->extracted_dir));

    package.sha256 = core::sha256("different");
    const auto wrong = fetch({package});
    ASSERT_THAT(wrong[0], test::FailsWithId("conda.verification"));
    EXPECT_EQ(wrong[0].error().arg_value("url"), package.url);
}

TEST_F(PackageCacheTest, ASourceWithoutDigestIsRefused) {
    auto package = source(0);
    package.sha256.reset();
    const auto results = fetch({package});
    ASSERT_THAT(results[0], test::FailsWithId("install.download.no_digest"));
    EXPECT_EQ(m_server.requests(samples[0].served_as), 0U);
}

TEST_F(PackageCacheTest, TwoThreadsWithTheirOwnCachesDownloadOnce) {
    // Each thread opens the cache itself (its own lock file descriptors, like two processes).
    m_server.inject(samples[0].served_as, test::Fault::delayed(std::chrono::milliseconds(200)));
    std::vector<core::Result<CachedPackage>> a;
    std::vector<core::Result<CachedPackage>> b;
    const auto root = m_cache->root();
    auto run = [&](std::vector<core::Result<CachedPackage>>& out) {
        auto cache = PackageCache::open(root);
        out = cache->fetch({source(0)}, m_transport, m_reporter);
    };
    std::thread first(run, std::ref(a));
    std::thread second(run, std::ref(b));
    first.join();
    second.join();
    ASSERT_THAT(a.at(0), test::Succeeds());
    ASSERT_THAT(b.at(0), test::Succeeds());
    EXPECT_EQ(m_server.requests(samples[0].served_as), 1U);
    EXPECT_NE(a[0]->downloaded, b[0]->downloaded);
    EXPECT_EQ(a[0]->extracted_dir, b[0]->extracted_dir);
    EXPECT_TRUE(stdfs::is_regular_file(a[0]->extracted_dir + "/info/index.json"));
}

TEST_F(PackageCacheTest, TwoProcessesOnOneEntryDownloadOnceAndBothSeeAValidResult) {
    // The served file is slow, so that the second process finds the entry locked.
    m_server.inject(samples[1].served_as, test::Fault::delayed(std::chrono::milliseconds(300)));
    const auto root = m_cache->root();
    const auto package = source(1);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child: its own transport and cache object; reports through its exit status.
        core::NullReporter quiet;
        net::CurlTransport transport(quick_options(), quiet);
        auto cache = PackageCache::open(root);
        int status = 1;
        if (cache) {
            const auto results = cache->fetch({package}, transport, quiet);
            status = results[0] && read_all(results[0]->archive_path) == m_bytes[1] &&
                             stdfs::is_regular_file(results[0]->extracted_dir + "/info/index.json")
                         ? 0
                         : 2;
        }
        ::_exit(status);
    }
    const auto results = fetch({package});
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
    ASSERT_THAT(results[0], test::Succeeds());
    EXPECT_EQ(read_all(results[0]->archive_path), m_bytes[1]);
    EXPECT_EQ(m_server.requests(samples[1].served_as), 1U);
    EXPECT_THAT(files_under(root + "/partial"), ::testing::IsEmpty());
    EXPECT_THAT(files_under(root + "/tmp"), ::testing::IsEmpty());
}

/// Notes that a fetch said it waits for the entry's lock.
class WaitingReporter final : public core::Reporter {
public:
    void on_warning(std::string_view message_id, std::string_view /*text*/,
                    const std::vector<core::MessageArg>& /*args*/) override {
        if (message_id == "install.cache.waiting") {
            waiting = true;
        }
    }
    std::atomic<bool> waiting{false};
};

TEST_F(PackageCacheTest, AFetchWaitsForTheEntryLockAndSaysSo) {
    const auto package = source(3);
    // Another holder of the entry's lock: a descriptor of its own, as another process has.
    const auto lock_path = m_cache->root() + "/locks/" + package.sha256->hex + ".lock";
    const int holder = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    ASSERT_GE(holder, 0);
    ASSERT_EQ(::flock(holder, LOCK_EX), 0);
    WaitingReporter reporter;
    std::vector<core::Result<CachedPackage>> results;
    std::thread fetcher([&] { results = m_cache->fetch({package}, m_transport, reporter); });
    while (!reporter.waiting) {
        std::this_thread::yield();
    }
    EXPECT_EQ(m_server.requests(samples[3].served_as), 0U);  // nothing while locked out
    ::close(holder);  // releases the lock, as the exit of a killed process would
    fetcher.join();
    ASSERT_THAT(results.at(0), test::Succeeds());
    EXPECT_EQ(m_server.requests(samples[3].served_as), 1U);
}

TEST_F(PackageCacheTest, RootIsUnderTheCacheFolder) {
    EXPECT_EQ(package_cache_root("/home/u/.cache/envsmith"), "/home/u/.cache/envsmith/pkgs");
}

}  // namespace
}  // namespace envsmith::install
