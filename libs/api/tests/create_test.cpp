// envsmith create over loopback HTTP on the demo channel and index, whose packages are real
// tiny .conda/.tar.bz2 files and wheels: a definition solved and installed, the same from its
// lock file (all from the package cache), a prefix replaced whole, a corrupt download refused
// with the prefix left alone, a dry run that changes nothing, and a prefix written elsewhere.
#include "envsmith/api/create.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/api/lock.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

#ifdef ENVSMITH_DEMO_INDEX_DIR
std::string read(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string run(const std::string& command) {
    std::string out;
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    if (!pipe) return out;
    char buffer[4096];
    while (auto n = std::fread(buffer, 1, sizeof buffer, pipe.get())) out.append(buffer, n);
    return out;
}

std::vector<std::string> conda_meta(const stdfs::path& prefix) {
    std::vector<std::string> out;
    for (const auto& e : stdfs::directory_iterator(prefix / "conda-meta")) {
        if (e.path().extension() == ".json") out.push_back(e.path().filename().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

class CreateUseCaseTest : public ::testing::Test {
protected:
    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;

    CreateOptions options(const std::string& input, const std::string& prefix_name) {
        CreateOptions o;
        o.path = input;
        o.prefix = (m_dir.path() / prefix_name).string();
        o.platform = "linux-64";
        o.lock.network.cache_dir = (m_dir.path() / "cache").string();
        o.lock.network.channel_alias = m_server.base_url() + "/channel";
        o.lock.index_url = m_server.base_url() + "/simple";
        o.lock.network.retries = 0;
        o.lock.use_process_overrides = false;
        return o;
    }
    std::string demo_definition() {
        const auto path = m_dir.path() / "environment.yml";
        stdfs::copy_file(std::string(ENVSMITH_DEMO_INDEX_DIR) + "/definitions/environment.yml", path,
                         stdfs::copy_options::overwrite_existing);
        return path.string();
    }
};

TEST_F(CreateUseCaseTest, ADefinitionIsSolvedAndInstalledCondaAndPipTogether) {
    const auto o = options(demo_definition(), "env");
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    ASSERT_TRUE(report->solved);
    EXPECT_EQ(report->source, CreateSource::definition);
    EXPECT_FALSE(report->replaced_existing);
    const stdfs::path prefix = o.prefix;

    // conda packages, recorded where conda and micromamba look.
    const auto records = conda_meta(prefix);
    EXPECT_THAT(records, ::testing::Contains(::testing::StartsWith("python-3.11.")));
    EXPECT_THAT(records, ::testing::Contains(::testing::StartsWith("numpy-1.26.")));
    EXPECT_THAT(records, ::testing::Contains(::testing::StartsWith("pip-")));
    // The stand-in interpreter had the build prefix in it; now it has ours and runs.
    const auto python = prefix / "bin/python3.11";
    ASSERT_TRUE(stdfs::exists(python));
    EXPECT_THAT(read(python), ::testing::HasSubstr(o.prefix));
    EXPECT_THAT(read(python), ::testing::Not(::testing::HasSubstr("placehold")));
    EXPECT_THAT(run(python.string() + " --version"), ::testing::HasSubstr("Python 3.11"));

    // pip packages, in the Python the conda half installed.
    const auto site = prefix / "lib/python3.11/site-packages";
    EXPECT_TRUE(stdfs::exists(site / "requests/__init__.py"));
    bool requests_seen = false;
    for (const auto& e : stdfs::directory_iterator(site)) {
        const auto name = e.path().filename().string();
        if (name.rfind("requests-2.32.3", 0) == 0 && e.path().extension() == ".dist-info") {
            requests_seen = true;
            EXPECT_EQ(read(e.path() / "INSTALLER"), "envsmith\n");
            EXPECT_TRUE(stdfs::exists(e.path() / "REQUESTED"));  // asked for by name
        }
    }
    EXPECT_TRUE(requests_seen);
    // numpy comes from conda only: pip did not install it again.
    EXPECT_FALSE(report->pip_from_conda.empty());
    for (const auto& p : report->packages) {
        EXPECT_FALSE(p.manager == "pip" && p.name == "numpy");
    }
    // The noarch pip package's entry point runs the prefix's Python.
    ASSERT_TRUE(stdfs::exists(prefix / "bin/pip"));
    EXPECT_THAT(read(prefix / "bin/pip"), ::testing::StartsWith("#!" + o.prefix + "/bin/python3.11"));
    EXPECT_GT(report->prefix_files, 20U);
    // Nothing was left beside the prefix but its lock file.
    std::vector<std::string> beside;
    for (const auto& e : stdfs::directory_iterator(m_dir.path())) beside.push_back(e.path().filename().string());
    EXPECT_THAT(beside, ::testing::UnorderedElementsAre("environment.yml", "cache", "env", ".env.envsmith-lock"));
}

TEST_F(CreateUseCaseTest, ALockFileInstallsTheSamePackagesFromTheCacheAndReplacesAPrefixWhole) {
    const auto definition = demo_definition();
    auto first = create(m_fs, m_reporter, options(definition, "env"));
    ASSERT_THAT(first, test::Succeeds());
    LockOptions lo = options(definition, "env").lock;
    lo.path = definition;
    lo.platforms = {"linux-64"};
    lo.output = (m_dir.path() / "conda-lock.yml").string();
    ASSERT_THAT(lock(m_fs, m_reporter, lo), test::Succeeds());

    auto o = options(lo.output, "env");
    o.platform.clear();  // the lock's only platform
    std::ofstream(stdfs::path(o.prefix) / "left-from-before") << "x";
    const auto second = create(m_fs, m_reporter, o);
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ(second->source, CreateSource::conda_lock);
    EXPECT_EQ(second->platform, "linux-64");
    EXPECT_TRUE(second->replaced_existing);
    EXPECT_FALSE(stdfs::exists(stdfs::path(o.prefix) / "left-from-before"));
    EXPECT_EQ(second->packages.size(), first->packages.size());
    EXPECT_EQ(second->cached_packages, second->packages.size());  // nothing downloaded again
    EXPECT_EQ(second->downloaded_bytes, 0U);
    EXPECT_THAT(conda_meta(o.prefix), ::testing::SizeIs(static_cast<std::size_t>(std::count_if(
                                          first->packages.begin(), first->packages.end(),
                                          [](const auto& p) { return p.manager == "conda"; }))));
}

TEST_F(CreateUseCaseTest, ACorruptDownloadIsRefusedAndThePrefixLeftAlone) {
    const auto definition = demo_definition();
    LockOptions lo = options(definition, "env").lock;
    lo.path = definition;
    lo.platforms = {"linux-64"};
    lo.output = (m_dir.path() / "conda-lock.yml").string();
    ASSERT_THAT(lock(m_fs, m_reporter, lo), test::Succeeds());
    // The lock claims another sha256 for the python package.
    auto text = read(lo.output);
    const auto at = text.find("sha256: ", text.find("name: python\n"));
    ASSERT_NE(at, std::string::npos);
    text.replace(at + 8, 64, std::string(64, 'a'));
    std::ofstream(lo.output, std::ios::trunc) << text;

    const auto o = options(lo.output, "env");
    stdfs::create_directories(stdfs::path(o.prefix) / "bin");
    std::ofstream(stdfs::path(o.prefix) / "bin/old") << "old";
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message_id, "conda.verification");
    EXPECT_THAT(report.error().message, ::testing::HasSubstr(std::string(64, 'a')));
    EXPECT_EQ(read(stdfs::path(o.prefix) / "bin/old"), "old");
    EXPECT_FALSE(stdfs::exists(stdfs::path(o.prefix) / "conda-meta"));
}

TEST_F(CreateUseCaseTest, ADryRunListsThePackagesAndChangesNothing) {
    auto o = options(demo_definition(), "env");
    o.dry_run = true;
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_TRUE(report->dry_run);
    EXPECT_GT(report->packages.size(), 10U);
    EXPECT_FALSE(stdfs::exists(o.prefix));
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));
}

TEST_F(CreateUseCaseTest, APrefixCanBeWrittenElsewhereThanWhereItWillLive) {
    auto o = options(demo_definition(), "unused");
    o.prefix = "/opt/envsmith/envs/demo";
    o.write_dir = (m_dir.path() / "root/opt/envsmith/envs/demo").string();
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    const stdfs::path written = o.write_dir;
    EXPECT_THAT(read(written / "bin/python3.11"), ::testing::HasSubstr("/opt/envsmith/envs/demo"));
    EXPECT_THAT(read(written / "bin/pip"), ::testing::StartsWith("#!/opt/envsmith/envs/demo/bin/python3.11"));
    EXPECT_FALSE(stdfs::exists("/opt/envsmith/envs/demo/conda-meta/history") &&
                 read("/opt/envsmith/envs/demo/conda-meta/history").find(m_dir.path().string()) != std::string::npos);
}

TEST_F(CreateUseCaseTest, ARelativePrefixIsRefused) {
    auto o = options(demo_definition(), "env");
    o.prefix = "relative/env";
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message_id, "create.prefix_not_absolute");
}
TEST_F(CreateUseCaseTest, AKilledCreateLeavesTheOldPrefixOrTheNewOneNeverAMixture) {
    // The lock, and a warm package cache, so that the killed runs need no server.
    const auto definition = demo_definition();
    LockOptions lo = options(definition, "env").lock;
    lo.path = definition;
    lo.platforms = {"linux-64"};
    lo.output = (m_dir.path() / "conda-lock.yml").string();
    ASSERT_THAT(lock(m_fs, m_reporter, lo), test::Succeeds());
    const auto o = options(lo.output, "env");
    const auto complete = create(m_fs, m_reporter, o);
    ASSERT_THAT(complete, test::Succeeds());
    const auto new_records = conda_meta(o.prefix);
    const stdfs::path prefix = o.prefix;

    int old_seen = 0;
    int new_seen = 0;
    for (int round = 0; round < 12; ++round) {
        SCOPED_TRACE(round);
        // The old prefix: one file and nothing else.
        stdfs::remove_all(prefix);
        stdfs::create_directories(prefix);
        std::ofstream(prefix / "old-marker") << "old";
        const pid_t child = ::fork();
        ASSERT_GE(child, 0);
        if (child == 0) {
            LocalFileSystem fs;
            test::RecordingReporter reporter;
            const auto done = create(fs, reporter, o);
            ::_exit(done ? 0 : 1);
        }
        if (round < 11) {  // killed at once, then later and later; the last run ends on its own
            ::usleep(static_cast<useconds_t>(round * 5000));
            ::kill(child, SIGKILL);
        }
        int status = 0;
        ::waitpid(child, &status, 0);
        const bool old_state = stdfs::exists(prefix / "old-marker");
        if (old_state) {
            ++old_seen;
            EXPECT_FALSE(stdfs::exists(prefix / "conda-meta")) << "the old prefix got new files";
        } else {
            ++new_seen;
            EXPECT_EQ(conda_meta(prefix), new_records) << "a partial new prefix";
            EXPECT_TRUE(stdfs::exists(prefix / "bin/python3.11"));
        }
        // The next run cleans up whatever the killed one left beside the prefix.
        const auto next = create(m_fs, m_reporter, o);
        ASSERT_THAT(next, test::Succeeds());
        std::vector<std::string> beside;
        for (const auto& e : stdfs::directory_iterator(m_dir.path())) beside.push_back(e.path().filename().string());
        EXPECT_THAT(beside, ::testing::UnorderedElementsAre("environment.yml", "conda-lock.yml", "cache", "env",
                                                            ".env.envsmith-lock"));
    }
    // Where each kill landed depends on the machine's speed; the run that was not killed
    // installed the new prefix.
    EXPECT_EQ(old_seen + new_seen, 12);
    EXPECT_GT(new_seen, 0);
    std::printf("killed create: old prefix %d times, new prefix %d times\n", old_seen, new_seen);
}

#endif

}  // namespace
}  // namespace envsmith::api
