// envsmith lock over loopback HTTP on the demo channel: the lock file it writes reads back to
// the same packages and the same bytes, --check follows the definition's hash, and an
// unsatisfiable request writes nothing.
#include "envsmith/api/lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/specs/conda_lock.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::api {
namespace {

#ifdef ENVSMITH_DEMO_INDEX_DIR
class LockUseCaseTest : public ::testing::Test {
protected:
    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;

    LockOptions options(const std::string& definition) {
        LockOptions o;
        o.path = (m_dir.path() / "environment.yml").string();
        std::filesystem::copy_file(std::string(ENVSMITH_SOURCE_DIR) + "/" + definition, o.path,
                                   std::filesystem::copy_options::overwrite_existing);
        o.platforms = {"linux-64"};
        o.output = (m_dir.path() / "conda-lock.yml").string();
        o.network.cache_dir = (m_dir.path() / "cache").string();
        o.network.channel_alias = m_server.base_url() + "/channel";
        o.network.retries = 0;
        o.use_process_overrides = false;
        return o;
    }
};

TEST_F(LockUseCaseTest, TheWrittenLockReadsBackToTheSamePackagesAndBytes) {
    const auto o = options("tests/data/lock/conda-only.yml");
    const auto report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    ASSERT_TRUE(report->ok());
    ASSERT_TRUE(report->written);
    const auto text = m_fs.read_file(o.output);
    ASSERT_THAT(text, test::Succeeds());
    const auto parsed = specs::CondaLock::parse(*text, o.output);
    ASSERT_THAT(parsed, test::Succeeds());
    EXPECT_EQ(specs::to_yaml(*parsed), *text);  // read back identically
    ASSERT_EQ(parsed->packages.size(), report->platforms.at(0).records.size());
    for (const auto& record : report->platforms.at(0).records) {
        const auto it = std::find_if(parsed->packages.begin(), parsed->packages.end(),
                                     [&](const auto& p) { return p.name == record.name; });
        ASSERT_NE(it, parsed->packages.end()) << record.name;
        EXPECT_EQ(it->version, record.version);
        EXPECT_EQ(it->url, record.url);
        EXPECT_EQ(it->sha256.value_or(""), record.sha256);
        EXPECT_FALSE(record.sha256.empty()) << record.name;
    }
    EXPECT_EQ(parsed->metadata.content_hash.at("linux-64"), report->content_hash);
    // scikit-learn on the demo channel exists for Python 3.11 only, so python is 3.11.
    const auto python = std::find_if(parsed->packages.begin(), parsed->packages.end(),
                                     [](const auto& p) { return p.name == "python"; });
    ASSERT_NE(python, parsed->packages.end());
    EXPECT_THAT(python->version, ::testing::StartsWith("3.11."));
}

TEST_F(LockUseCaseTest, CheckFollowsTheDefinitionsHash) {
    auto o = options("tests/data/lock/conda-only.yml");
    o.check = true;
    auto report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->freshness, LockFreshness::missing);

    o.check = false;
    ASSERT_THAT(lock(m_fs, m_reporter, o), test::Succeeds());
    o.check = true;
    report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->freshness, LockFreshness::fresh);

    // A comment does not change the meaning; a new dependency does.
    std::ofstream(o.path, std::ios::app) << "# a comment\n";
    report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->freshness, LockFreshness::fresh);
    std::ofstream(o.path, std::ios::app) << "  - openssl\n";
    report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->freshness, LockFreshness::stale);
    EXPECT_THAT(report->stale_platforms, ::testing::ElementsAre("linux-64"));
}

TEST_F(LockUseCaseTest, AnUnsatisfiableRequestIsExplainedAndWritesNothing) {
    const auto o = options("tests/data/lock/unsolvable.yml");
    const auto report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_FALSE(report->ok());
    EXPECT_FALSE(report->written);
    EXPECT_FALSE(std::filesystem::exists(o.output));
    const auto& lines = report->platforms.at(0).explanation;
    ASSERT_FALSE(lines.empty());
    EXPECT_EQ(lines.front().message_id, "solver.explain.header");
    const bool names_python = std::any_of(lines.begin(), lines.end(), [](const auto& l) {
        return l.message_id == "solver.explain.requires" && l.text.find("python >=3.11") != std::string::npos;
    });
    EXPECT_TRUE(names_python);
}

TEST_F(LockUseCaseTest, SeveralPlatformsGoInOneFile) {
    auto o = options("tests/data/lock/two-platforms.yml");
    o.platforms = {"linux-64", "osx-arm64"};
    const auto report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    ASSERT_TRUE(report->ok());
    const auto parsed = specs::CondaLock::parse(*m_fs.read_file(o.output), o.output);
    ASSERT_THAT(parsed, test::Succeeds());
    EXPECT_THAT(parsed->metadata.platforms, ::testing::ElementsAre("linux-64", "osx-arm64"));
    for (const char* platform : {"linux-64", "osx-arm64"}) {
        const auto packages = specs::packages_for(*parsed, platform);
        EXPECT_EQ(packages.size(), 5U) << platform;  // python, numpy, scikit-learn, openssl, pip
        for (const auto* p : packages) {
            if (p->name != "pip") {
                EXPECT_NE(p->url.find(std::string("/") + platform + "/"), std::string::npos) << p->url;
            }
        }
    }
}

TEST_F(LockUseCaseTest, APlatformWithoutAPackageSaysSo) {
    auto o = options("tests/data/lock/conda-only.yml");
    o.platforms = {"linux-64", "osx-arm64"};  // the demo channel has no pandas for osx-arm64
    const auto report = lock(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_FALSE(report->ok());
    EXPECT_TRUE(report->platforms.at(0).solved);
    ASSERT_FALSE(report->platforms.at(1).solved);
    const auto& lines = report->platforms.at(1).explanation;
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [](const auto& l) {
        return l.message_id == "solver.explain.nothing_provides" && l.text == "nothing provides pandas";
    }));
    EXPECT_FALSE(std::filesystem::exists(o.output));
}
TEST_F(LockUseCaseTest, LockingAgainKeepsTheLockedVersionsUnlessUpgrading) {
    auto o = options("tests/data/lock/conda-only.yml");
    const auto write_definition = [&](const std::string& python) {
        std::ofstream(o.path, std::ios::trunc)
            << "name: keep\nchannels:\n  - envsmith-demo\ndependencies:\n  - " << python << "\n";
    };
    const auto locked_python = [&]() -> std::string {
        const auto parsed = specs::CondaLock::parse(*m_fs.read_file(o.output), o.output);
        for (const auto& p : parsed->packages) {
            if (p.name == "python") return p.version;
        }
        return "";
    };
    write_definition("python=3.10");
    ASSERT_THAT(lock(m_fs, m_reporter, o), test::Succeeds());
    const auto first = locked_python();
    ASSERT_THAT(first, ::testing::StartsWith("3.10."));

    write_definition("python");  // unpinned: a newer Python exists
    ASSERT_THAT(lock(m_fs, m_reporter, o), test::Succeeds());
    EXPECT_EQ(locked_python(), first);

    o.upgrade = true;
    ASSERT_THAT(lock(m_fs, m_reporter, o), test::Succeeds());
    EXPECT_NE(locked_python(), first);
    EXPECT_THAT(locked_python(), ::testing::Not(::testing::StartsWith("3.10.")));
}

#endif

}  // namespace
}  // namespace envsmith::api
