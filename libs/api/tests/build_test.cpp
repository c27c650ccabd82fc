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
#include <set>
#include <sstream>
#include <thread>

#include <nlohmann/json.hpp>

#include "envsmith/api/local_filesystem.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "test_server.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

#ifdef ENVSMITH_DEMO_INDEX_DIR
using test::read;
using test::run;
using test::have;

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

    /// A busybox image for `arch` in a new layout under `name`, tagged `busybox`; its path, or
    /// empty when umoci failed (the failure is recorded).
    std::string busybox_base(const std::string& name, const std::string& arch = "amd64") {
        const auto dir = m_dir.path() / name;
        int status = 1;
        const auto log = run("set -e; mkdir -p " + dir.string() + " && cd " + dir.string() +
                                 " && mkdir -p bb/bin bb/etc bb/tmp bb/proc bb/sys bb/dev && cp /bin/busybox bb/bin/ && "
                                 "for a in sh cat echo; do ln -s busybox bb/bin/$a; done && "
                                 "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar . && umoci init --layout base && "
                                 "umoci new --image base:busybox && umoci raw add-layer --image base:busybox bb.tar && "
                                 "umoci config --image base:busybox --config.env PATH=/bin --architecture " + arch +
                                 " --os linux && umoci gc --layout base 2>&1",
                             &status);
        EXPECT_EQ(status, 0) << log;
        return status == 0 ? (dir / "base").string() : std::string();
    }

    /// An Azure ML definition of the demo environment on `image`, in the test folder.
    std::string azureml_definition(const std::string& image, bool user_managed = false) {
        stdfs::copy_file(demo(), m_dir.path() / "conda.yml", stdfs::copy_options::overwrite_existing);
        const auto path = m_dir.path() / "azureml.yml";
        std::ofstream(path) << "name: demo\nimage: " << image << "\nconda_file: conda.yml\n"
                            << "environment_variables:\n  DEMO_SETTING: \"on\"\n"
                            << (user_managed ? "user_managed_dependencies: true\n" : "");
        return path.string();
    }

    /// Runs `args` in the image `layout:tag` with runc; the output, or nullopt when this machine
    /// cannot run containers (the reason in `why`).
    std::optional<std::string> run_in_image(const std::string& layout, const std::string& tag,
                                            const std::vector<std::string>& args, std::string& why) {
        int status = 1;
        const auto bundle = m_dir.path() / ("bundle-" + tag);
        const auto unpacked = run("umoci unpack" + std::string(::geteuid() == 0 ? "" : " --rootless") + " --image " +
                                      layout + ":" + tag + " " + bundle.string() + " 2>&1",
                                  &status);
        if (status != 0) {
            ADD_FAILURE() << unpacked;
            return std::nullopt;
        }
        if (!have("runc") || ::geteuid() != 0) {
            why = "runc is not installed or not root";
            return std::nullopt;
        }
        auto runtime = nlohmann::json::parse(read(bundle / "config.json"));
        runtime["process"]["terminal"] = false;
        runtime["process"]["args"] = args;
        std::ofstream(bundle / "config.json", std::ios::trunc) << runtime.dump();
        const std::string id = "envsmith-build-test-" + std::to_string(::getpid()) + "-" + tag.substr(0, 12);
        const auto ran = run("cd " + bundle.string() + " && timeout 20 runc run " + id + " 2>&1", &status);
        run("runc delete -f " + id + " > /dev/null 2>&1");
        if (status != 0 && ran.find("container_linux.go") != std::string::npos) {
            why = "runc cannot run containers here: " + ran;
            return std::nullopt;
        }
        return ran;
    }
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
    // The image says what it holds: the definition, the packages, the tool.
    const auto manifest = nlohmann::json::parse(read(stdfs::path(first->oci_layout) / "blobs/sha256" / first->image_digest.substr(7)));
    const std::string config_digest = manifest["config"]["digest"];
    const auto labels = nlohmann::json::parse(read(stdfs::path(first->oci_layout) / "blobs/sha256" / config_digest.substr(7)))["config"]["Labels"];
    EXPECT_EQ(labels["org.envsmith.definition.hash"], "sha256:" + first->content_hash);
    EXPECT_THAT(labels["org.envsmith.lock.digest"].get<std::string>(), ::testing::MatchesRegex("sha256:[0-9a-f]{64}"));
    EXPECT_EQ(labels["org.envsmith.version"], "test");
    // Lint ran: the demo's unpinned `pip` is a finding in the log, and did not stop the build.
    EXPECT_THAT(read(first->log_path), ::testing::HasSubstr("environment.yml:9:5: warning: "));
    EXPECT_THAT(read(first->log_path), ::testing::HasSubstr("[lint.pip_unpinned]"));
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
    const auto base = busybox_base("base-build");
    ASSERT_FALSE(base.empty());
    int status = 1;
    auto o = options(demo(), "oci", "cache");
    o.base = "oci:" + base + ":busybox";
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

TEST_F(BuildUseCaseTest, TheDefinitionsRegistryImageIsPulledOnceAndTheEnvironmentRunsOnIt) {
    if (!test::RegistryFixture::available() || !have("skopeo") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "docker-registry, skopeo, umoci or busybox-static is not installed";
    }
    test::RegistryFixture registry;
    ASSERT_TRUE(registry.running()) << registry.log();
    const auto base = busybox_base("base-src");
    ASSERT_FALSE(base.empty());
    int status = 1;
    // Another tool puts the base into the registry.
    const auto copied = run("skopeo copy --dest-tls-verify=false oci:" + base + ":busybox docker://" + registry.host() +
                                "/base/busybox:1 2>&1",
                            &status);
    ASSERT_EQ(status, 0) << copied;
    const auto base_layer = nlohmann::json::parse(run("skopeo inspect --tls-verify=false docker://" + registry.host() +
                                                      "/base/busybox:1"))["Layers"][0];

    auto o = options(demo(), "oci", "cache");
    o.path = azureml_definition(registry.host() + "/base/busybox:1");
    const auto built = build(m_fs, m_reporter, o);
    ASSERT_THAT(built, test::Succeeds());
    EXPECT_EQ(built->status, "built");
    EXPECT_THAT(read(built->log_path), ::testing::HasSubstr("[base] pulled base " + registry.host() + "/base/busybox:1"));
    const auto manifest = nlohmann::json::parse(
        read(stdfs::path(o.oci_layout) / "blobs/sha256" / built->image_digest.substr(7)));
    ASSERT_EQ(manifest["layers"].size(), 2U);
    EXPECT_EQ(manifest["layers"][0]["digest"], base_layer);  // the base's layer, then the environment's

    // Again, forced: the base comes from the cache; the same image.
    o.force = true;
    const auto again = build(m_fs, m_reporter, o);
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_THAT(read(again->log_path), ::testing::HasSubstr("from the cache"));
    EXPECT_EQ(again->image_digest, built->image_digest);

    std::string why;
    const auto ran = run_in_image(o.oci_layout, built->tag,
                                  {"/bin/sh", "-c", "echo $DEMO_SETTING; /opt/envsmith/envs/demo/bin/python3.11 --version"},
                                  why);
    if (!ran) GTEST_SKIP() << why;
    EXPECT_EQ(*ran, "on\nPython 3.11.9\n");
}

TEST_F(BuildUseCaseTest, ABaseMissingFromTheRegistryFailsBeforeAnythingIsInstalled) {
    if (!test::RegistryFixture::available()) GTEST_SKIP() << "docker-registry is not installed";
    test::RegistryFixture registry;
    ASSERT_TRUE(registry.running()) << registry.log();
    auto o = options(demo(), "oci", "cache");
    o.path = azureml_definition(registry.host() + "/base/missing:1");
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    // Distribution 2.8 answers MANIFEST_UNKNOWN for a repository it has never seen.
    EXPECT_EQ(failed.error().message_id, "registry.manifest_unknown") << failed.error().describe();
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));  // nothing was downloaded
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "registry.manifest_unknown");
    EXPECT_EQ(json["diagnosis"]["root_cause"], "registry.manifest_unknown") << json.dump(2);
    EXPECT_FALSE(stdfs::exists(o.oci_layout + "/index.json"));
}

TEST_F(BuildUseCaseTest, ABaseForAnotherPlatformIsRefused) {
    if (!have("umoci") || !stdfs::exists("/bin/busybox")) GTEST_SKIP() << "umoci or busybox-static is not installed";
    const auto base = busybox_base("base-arm", "arm64");
    ASSERT_FALSE(base.empty());
    auto o = options(demo(), "oci", "cache");
    o.base = "oci:" + base + ":busybox";
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message_id, "build.base_platform");
    EXPECT_THAT(failed.error().describe(), ::testing::HasSubstr("linux/arm64"));
}

TEST_F(BuildUseCaseTest, UserManagedDependenciesUseTheImageAsItIs) {
    if (!test::RegistryFixture::available() || !have("skopeo") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "docker-registry, skopeo, umoci or busybox-static is not installed";
    }
    test::RegistryFixture registry;
    ASSERT_TRUE(registry.running()) << registry.log();
    const auto base = busybox_base("base-src");
    ASSERT_FALSE(base.empty());
    int status = 1;
    const auto copied = run("skopeo copy --dest-tls-verify=false oci:" + base + ":busybox docker://" + registry.host() +
                                "/team/custom:2 2>&1",
                            &status);
    ASSERT_EQ(status, 0) << copied;
    const auto registry_digest =
        nlohmann::json::parse(run("skopeo inspect --tls-verify=false docker://" + registry.host() + "/team/custom:2"))["Digest"];

    auto o = options(demo(), "oci", "cache");
    o.path = azureml_definition(registry.host() + "/team/custom:2", true);
    o.push = registry.host() + "/team/custom-env";
    const auto used = build(m_fs, m_reporter, o);
    ASSERT_THAT(used, test::Succeeds());
    EXPECT_EQ(used->status, "used");
    EXPECT_FALSE(used->create.has_value());
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));
    EXPECT_EQ(used->image_digest, registry_digest);  // nothing changed, not even the manifest bytes
    EXPECT_THAT(read(used->log_path), ::testing::HasSubstr("0 blobs uploaded, 2 mounted"));  // config and layer
    const auto pushed = nlohmann::json::parse(run("skopeo inspect --tls-verify=false docker://" + used->pushed_to));
    EXPECT_EQ(pushed["Digest"], registry_digest);

    // The guide's "custom image not in the registry", found at build time.
    o.path = azureml_definition(registry.host() + "/team/custom:3", true);
    const auto missing = build(m_fs, m_reporter, o);
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message_id, "registry.manifest_unknown") << missing.error().describe();
}

TEST_F(BuildUseCaseTest, TwoIdenticalBuildsAtOnceDoTheWorkOnce) {
    const auto o = options(demo(), "oci", "cache");
    test::RecordingReporter other_reporter;
    core::Result<BuildReport> first = core::make_error(core::ErrorCode::internal, "test.unset", "unset");
    core::Result<BuildReport> second = core::make_error(core::ErrorCode::internal, "test.unset", "unset");
    std::thread a([&] {
        LocalFileSystem fs;
        first = build(fs, m_reporter, o);
    });
    std::thread b([&] {
        LocalFileSystem fs;
        second = build(fs, other_reporter, o);
    });
    a.join();
    b.join();
    ASSERT_THAT(first, test::Succeeds());
    ASSERT_THAT(second, test::Succeeds());
    std::multiset<std::string> statuses = {first->status, second->status};
    EXPECT_EQ(statuses, (std::multiset<std::string>{"built", "reused"}));
    EXPECT_EQ(first->image_digest, second->image_digest);
}

TEST_F(BuildUseCaseTest, APipOnlyEnvironmentOnABaseWithoutPythonIsRefused) {
    auto o = options(demo(), "oci", "cache");
    o.path = (m_dir.path() / "requirements.txt").string();
    std::ofstream(o.path) << "tomli==2.0.1\n";
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message_id, "build.no_base_python") << failed.error().describe();
    EXPECT_EQ(failed.error().arg_value("base"), "scratch");
    EXPECT_FALSE(stdfs::exists(o.oci_layout + "/index.json"));
}

#endif

}  // namespace
}  // namespace envsmith::api
