// envsmith build over loopback HTTP on the demo channel and index: an image written to an OCI
// layout, reused on the second build, the same digest from another cache at another time, on a
// busybox base where runc can run it, and a failed build's log and build.json.
#include "envsmith/api/build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include <nlohmann/json.hpp>

#include "envsmith/api/local_filesystem.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
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

std::string run(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return out;
    char buffer[4096];
    while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    const int rc = ::pclose(pipe);
    if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

bool have(const std::string& tool) { return run("command -v " + tool + " >/dev/null 2>&1 && echo y") == "y\n"; }

class BuildUseCaseTest : public ::testing::Test {
protected:
    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;

    BuildOptions options(const std::string& definition, const std::string& layout, const std::string& cache) {
        BuildOptions o;
        o.path = (m_dir.path() / "environment.yml").string();
        stdfs::copy_file(definition, o.path, stdfs::copy_options::overwrite_existing);
        o.oci_layout = (m_dir.path() / layout).string();
        o.platform = "linux-64";
        o.envsmith_version = "test";
        o.source_date_epoch = 0;
        o.create.lock.network.cache_dir = (m_dir.path() / cache).string();
        o.create.lock.network.channel_alias = m_server.base_url() + "/channel";
        o.create.lock.index_url = m_server.base_url() + "/simple";
        o.create.lock.network.retries = 0;
        o.create.lock.use_process_overrides = false;
        return o;
    }
    static std::string demo() { return std::string(ENVSMITH_DEMO_INDEX_DIR) + "/definitions/environment.yml"; }
};

TEST_F(BuildUseCaseTest, BuildsReusesAndGivesTheSameDigestFromAnotherCache) {
    const auto first_options = options(demo(), "oci", "cache-a");
    const auto first = build(m_fs, m_reporter, first_options);
    ASSERT_THAT(first, test::Succeeds());
    EXPECT_EQ(first->status, "built");
    EXPECT_EQ(first->tag, "envsmith_" + first->content_hash.substr(0, 32));
    EXPECT_THAT(first->image_digest, ::testing::StartsWith("sha256:"));
    const auto index = nlohmann::json::parse(read(stdfs::path(first->oci_layout) / "index.json"));
    EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], first->tag);
    EXPECT_EQ(index["manifests"][0]["digest"], first->image_digest);
    const auto json = nlohmann::json::parse(read(first->build_json_path));
    EXPECT_EQ(json["status"], "built");
    EXPECT_EQ(json["image_digest"], first->image_digest);
    EXPECT_THAT(read(first->log_path), ::testing::HasSubstr("] image " + first->image_digest));
    // Every log line is `<UTC timestamp> [<phase>] <text>`.
    std::istringstream lines(read(first->log_path));
    for (std::string line; std::getline(lines, line);) {
        EXPECT_THAT(line, ::testing::MatchesRegex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z \\[[a-z]+\\] .*")) << line;
    }

    const auto again = build(m_fs, m_reporter, first_options);
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ(again->status, "reused");
    EXPECT_EQ(again->image_digest, first->image_digest);
    EXPECT_FALSE(again->create.has_value());  // nothing was installed

    // Another cache, another layout, later: the same bytes.
    auto other = options(demo(), "oci-2", "cache-b");
    other.force = true;
    const auto second = build(m_fs, m_reporter, other);
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ(second->status, "built");
    EXPECT_EQ(second->image_digest, first->image_digest);
    // No host path went into the image.
    EXPECT_THAT(run("cat " + (m_dir.path() / "oci-2/blobs/sha256").string() + "/* | gzip -dc 2>/dev/null | tar -xOf - 2>/dev/null"),
                ::testing::Not(::testing::HasSubstr(m_dir.path().string())));
}

TEST_F(BuildUseCaseTest, OnABusyboxBaseTheEnvironmentRuns) {
    if (!have("umoci") || !stdfs::exists("/bin/busybox")) GTEST_SKIP() << "umoci or busybox-static is not installed";
    const auto base = m_dir.path() / "base-build";
    int status = 1;
    const auto log = run("set -e; mkdir -p " + base.string() + " && cd " + base.string() +
                             " && mkdir -p bb/bin bb/etc bb/tmp bb/proc bb/sys bb/dev && cp /bin/busybox bb/bin/ && "
                             "for a in sh cat echo; do ln -s busybox bb/bin/$a; done && "
                             "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar . && umoci init --layout base && "
                             "umoci new --image base:busybox && umoci raw add-layer --image base:busybox bb.tar && "
                             "umoci config --image base:busybox --config.env PATH=/bin --architecture amd64 --os linux && "
                             "umoci gc --layout base 2>&1",
                         &status);
    ASSERT_EQ(status, 0) << log;
    auto o = options(demo(), "oci", "cache");
    o.base = "oci:" + (base / "base").string() + ":busybox";
    const auto built = build(m_fs, m_reporter, o);
    ASSERT_THAT(built, test::Succeeds());
    const auto bundle = m_dir.path() / "bundle";
    const auto unpacked = run("umoci unpack" + std::string(::geteuid() == 0 ? "" : " --rootless") + " --image " +
                                  o.oci_layout + ":" + built->tag + " " + bundle.string() + " 2>&1",
                              &status);
    ASSERT_EQ(status, 0) << unpacked;
    EXPECT_TRUE(stdfs::exists(bundle / "rootfs/bin/busybox"));
    const auto python = bundle / "rootfs/opt/envsmith/envs/demo/bin/python3.11";
    ASSERT_TRUE(stdfs::exists(python));
    EXPECT_THAT(read(python), ::testing::HasSubstr("/opt/envsmith/envs/demo"));
    const auto config = nlohmann::json::parse(read(bundle / "config.json"));
    EXPECT_THAT(config["process"]["env"].dump(), ::testing::HasSubstr("CONDA_PREFIX=/opt/envsmith/envs/demo"));

    if (!have("runc") || ::geteuid() != 0) GTEST_SKIP() << "runc is not installed or not root: the image was not run";
    auto runtime = config;
    runtime["process"]["terminal"] = false;
    runtime["process"]["args"] = {"/opt/envsmith/envs/demo/bin/python3.11", "--version"};
    std::ofstream(bundle / "config.json", std::ios::trunc) << runtime.dump();
    const std::string id = "envsmith-build-test-" + std::to_string(::getpid());
    const auto ran = run("cd " + bundle.string() + " && timeout 20 runc run " + id + " 2>&1", &status);
    run("runc delete -f " + id + " > /dev/null 2>&1");
    if (status != 0 && ran.find("Python") == std::string::npos) GTEST_SKIP() << "runc cannot run containers here: " << ran;
    EXPECT_EQ(ran, "Python 3.11.9\n");
}

TEST_F(BuildUseCaseTest, AFailedBuildSaysWhyInTheLogAndBuildJson) {
    const auto o = options(std::string(ENVSMITH_SOURCE_DIR) + "/tests/data/lock/unsolvable.yml", "oci", "cache");
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message_id, "build.unsolvable");
    const auto log = read(o.oci_layout + ".build/20_image_build_log.txt");
    EXPECT_THAT(log, ::testing::HasSubstr("[solve]   you asked for python 3.10.*"));
    EXPECT_THAT(log, ::testing::HasSubstr("[build] error: "));
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "build.unsolvable");
    EXPECT_FALSE(stdfs::exists(o.oci_layout + "/index.json"));
}
TEST_F(BuildUseCaseTest, PushesToARegistryAndIsReusedFromThereWithoutInstalling) {
    if (!test::RegistryFixture::available()) GTEST_SKIP() << "docker-registry is not installed";
    test::RegistryFixture registry;
    ASSERT_TRUE(registry.running()) << registry.log();
    auto o = options(demo(), "oci", "cache");
    o.push = registry.host() + "/team/demo";
    const auto first = build(m_fs, m_reporter, o);
    ASSERT_THAT(first, test::Succeeds());
    EXPECT_EQ(first->status, "built");
    EXPECT_EQ(first->pushed_to, registry.host() + "/team/demo:" + first->tag);
    // skopeo reads what was pushed: the same digest as the layout's.
    int status = 1;
    const auto inspected = run("skopeo inspect --tls-verify=false --raw docker://" + first->pushed_to +
                                   " | sha256sum",
                               &status);
    if (status == 0 && !inspected.empty()) {
        EXPECT_EQ("sha256:" + inspected.substr(0, 64), first->image_digest);
    }

    // Another machine: an empty layout and cache, the same registry. Found there, not built.
    auto elsewhere = options(demo(), "oci-elsewhere", "cache-elsewhere");
    elsewhere.push = o.push;
    const auto second = build(m_fs, m_reporter, elsewhere);
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ(second->status, "reused");
    EXPECT_EQ(second->image_digest, first->image_digest);
    EXPECT_FALSE(second->create.has_value());
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache-elsewhere" / "pkgs"));
}

#endif

}  // namespace
}  // namespace envsmith::api
