// Dockerfile builds through a real container engine: buildah builds a Dockerfile FROM a busybox
// image in a local OCI layout (no registry, no network), with a self-contained containers
// configuration and storage in a temporary directory. Skipped when buildah, umoci or
// busybox-static is missing. Engine selection and its catalogued errors run everywhere.

#include "envsmith/api/engine_build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>

#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "envsmith/diag/messages.hpp"
#include "envsmith/image/layout.hpp"
#include "matchers.hpp"
#include "temp_dir.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::StartsWith;

class LogRecorder final : public core::Reporter {
public:
    void on_log_line(std::string_view phase, std::string_view text) override {
        const std::lock_guard lock(m_mutex);
        phases.emplace_back(phase);
        lines.emplace_back(text);
    }
    void on_warning(std::string_view message_id, std::string_view text,
                    const std::vector<core::MessageArg>& /*args*/) override {
        const std::lock_guard lock(m_mutex);
        warnings.push_back(std::string(message_id) + ": " + std::string(text));
    }
    [[nodiscard]] bool saw(std::string_view fragment) const {
        for (const auto& line : lines) {
            if (line.find(fragment) != std::string::npos) return true;
        }
        return false;
    }

    std::vector<std::string> phases;
    std::vector<std::string> lines;
    std::vector<std::string> warnings;

private:
    std::mutex m_mutex;
};

using test::run;

std::string which(const std::string& tool) {
    auto out = run("command -v " + tool + " 2>/dev/null");
    while (!out.empty() && out.back() == '\n') out.pop_back();
    return out;
}

std::string lower(std::string text) {
    for (auto& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

/// The English catalog text of the error's id, filled with its args, is its message.
void expect_catalogued(const core::Error& error) {
    static const auto english = diag::MessageCatalog::load_builtin("en");
    ASSERT_TRUE(english.has_value());
    const auto* text = english->find(error.message_id);
    ASSERT_NE(text, nullptr) << error.message_id;
    EXPECT_EQ(diag::fill_template(*text, error.args), error.message);
}

TEST(EnginePlatformTest, MapsCondaSubdirsToEnginePlatforms) {
    EXPECT_EQ(engine_platform("linux-64"), "linux/amd64");
    EXPECT_EQ(engine_platform("linux-aarch64"), "linux/arm64/v8");
    EXPECT_EQ(engine_platform("linux-ppc64le"), "linux/ppc64le");
    EXPECT_EQ(engine_platform("linux-s390x"), "linux/s390x");
    EXPECT_EQ(engine_platform("osx-arm64"), "");
    EXPECT_EQ(engine_platform("noarch"), "");
    EXPECT_EQ(to_string(Engine::podman), "podman");
}

class EngineSelectionTest : public ::testing::Test {
protected:
    test::TempDir m_dir;
    LogRecorder m_reporter;

    EngineBuildRequest request() {
        m_dir.write("ctx/Dockerfile", "FROM scratch\n");
        EngineBuildRequest r;
        r.context_dir = m_dir.str("ctx");
        r.oci_layout = m_dir.str("out");
        r.tag = "app";
        return r;
    }
};

TEST_F(EngineSelectionTest, NoEngineOnThePathSaysWhichWouldDoAndHowToInstallOne) {
    auto r = request();
    r.search_path = std::vector<std::string>{};
    const auto result = build_with_engine(r, m_reporter);
    ASSERT_THAT(result, test::FailsWithId("engine.none"));
    EXPECT_EQ(result.error().code, core::ErrorCode::not_found);
    EXPECT_THAT(result.error().message, HasSubstr("buildah, podman or docker"));
    EXPECT_THAT(result.error().message, HasSubstr("`apt-get install -y buildah`"));
    EXPECT_EQ(result.error().arg_value("dockerfile"), "Dockerfile");
    expect_catalogued(result.error());
    EXPECT_TRUE(m_reporter.lines.empty());

    EXPECT_TRUE(detect_engines(std::vector<std::string>{}).empty());
    EXPECT_TRUE(detect_engines({m_dir.str()}).empty());
}

TEST_F(EngineSelectionTest, AnUnknownOrMissingEngineAndABadRequestAreCatalogued) {
    auto r = request();
    r.search_path = std::vector<std::string>{m_dir.str()};
    r.engine = "kaniko";
    const auto unknown = build_with_engine(r, m_reporter);
    ASSERT_THAT(unknown, test::FailsWithId("engine.unknown"));
    expect_catalogued(unknown.error());

    r.engine = "buildah";
    const auto missing = build_with_engine(r, m_reporter);
    ASSERT_THAT(missing, test::FailsWithId("engine.not_found"));
    EXPECT_EQ(missing.error().arg_value("path"), m_dir.str());
    expect_catalogued(missing.error());

    auto outside = request();
    outside.dockerfile = "../Dockerfile";
    const auto bad = build_with_engine(outside, m_reporter);
    ASSERT_THAT(bad, test::FailsWithId("engine.bad_request"));
    EXPECT_EQ(bad.error().arg_value("field"), "dockerfile");
    expect_catalogued(bad.error());

    auto mac = request();
    mac.platform = "osx-arm64";
    ASSERT_THAT(build_with_engine(mac, m_reporter), test::FailsWithId("engine.bad_request"));
}

TEST_F(EngineSelectionTest, DockerWithoutADaemonIsNotUsable) {
    const auto docker = which("docker");
    if (docker.empty()) GTEST_SKIP() << "no docker client on PATH";
    // Only docker on the path, pointed at a socket nobody listens on.
    stdfs::create_directories(m_dir.path() / "bin");
    stdfs::create_symlink(docker, m_dir.path() / "bin/docker");
    auto r = request();
    r.search_path = std::vector<std::string>{m_dir.str("bin")};
    r.environment = {{"DOCKER_HOST", "unix://" + m_dir.str("no-daemon.sock")}, {"DOCKER_CONFIG", m_dir.str("cfg")}};
    const auto automatic = build_with_engine(r, m_reporter);
    ASSERT_THAT(automatic, test::FailsWithId("engine.docker_no_daemon"));
    EXPECT_EQ(automatic.error().code, core::ErrorCode::unavailable);
    EXPECT_FALSE(automatic.error().arg_value("detail").empty());
    expect_catalogued(automatic.error());
    r.engine = "docker";
    ASSERT_THAT(build_with_engine(r, m_reporter), test::FailsWithId("engine.docker_no_daemon"));
}

/// buildah with its configuration, storage and base image in a temporary directory.
class BuildahTest : public ::testing::Test {
protected:
    test::TempDir m_dir;
    LogRecorder m_reporter;
    std::vector<std::pair<std::string, std::string>> m_environment;
    // buildah 1.28 names a `FROM oci:PATH:TAG` base `localhost/PATH` in its storage and refuses
    // a PATH with capitals ("repository name must be lowercase"); mkdtemp's names have some.
    stdfs::path m_base;

    void TearDown() override {
        std::error_code ignored;
        if (!m_base.empty()) stdfs::remove_all(m_base, ignored);
    }

    void SetUp() override {
        if (which("buildah").empty()) GTEST_SKIP() << "buildah is not installed (apt-get install -y buildah)";
        if (which("umoci").empty() || !stdfs::exists("/bin/busybox")) {
            GTEST_SKIP() << "umoci or busybox-static is not installed";
        }
        const auto root = m_dir.path();
        m_dir.write("containers.conf", "[containers]\ndefault_ulimits = [\"nofile=4096:4096\", \"nproc=4096:4096\"]\n"
                                       "[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n"
                                       "events_logger = \"file\"\nevents_logfile_path = \"" +
                                           (root / "events.log").string() + "\"\n");
        m_dir.write("storage.conf", "[storage]\ndriver = \"vfs\"\ngraphroot = \"" + (root / "storage/root").string() +
                                        "\"\nrunroot = \"" + (root / "storage/run").string() + "\"\n");
        m_dir.write("registries.conf", "unqualified-search-registries = []\n");
        m_environment = {{"CONTAINERS_CONF", m_dir.str("containers.conf")},
                         {"CONTAINERS_STORAGE_CONF", m_dir.str("storage.conf")},
                         {"CONTAINERS_REGISTRIES_CONF", m_dir.str("registries.conf")}};
        m_base = stdfs::temp_directory_path() /
                 ("envsmith-engine-test-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name());
        m_base = m_base.parent_path() / lower(m_base.filename().string());
        int status = -1;
        const auto out = run("cd " + root.string() +
                                 " && mkdir -p bb/bin bb/etc bb/tmp bb/proc bb/sys bb/dev bb/opt && cp /bin/busybox bb/bin/ && "
                                 "for a in sh cat echo false; do ln -s busybox bb/bin/$a; done && "
                                 "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar . && umoci init --layout base && "
                                 "umoci new --image base:busybox && umoci raw add-layer --image base:busybox bb.tar && "
                                 "umoci config --image base:busybox --config.env PATH=/bin --architecture amd64 --os linux && "
                                 "umoci gc --layout base && mv base " + m_base.string() + " 2>&1",
                             &status);
        ASSERT_EQ(status, 0) << out;
    }

    EngineBuildRequest request(const std::string& dockerfile) {
        m_dir.write("ctx/Dockerfile", "FROM oci:" + m_base.string() + ":busybox\n" + dockerfile);
        m_dir.write("ctx/hello.txt", "hello from the context\n");
        EngineBuildRequest r;
        r.context_dir = m_dir.str("ctx");
        r.platform = "linux-64";
        r.oci_layout = m_dir.str("out");
        r.tag = "envsmith_test";
        r.labels = {{"org.envsmith.definition-hash", "sha256:0123abcd"}};
        r.engine = "buildah";
        r.environment = m_environment;
        return r;
    }

    std::string buildah_images() {
        std::string command = "env";
        for (const auto& [key, value] : m_environment) command += " " + key + "=" + value;
        return run(command + " buildah images --format '{{.Name}}:{{.Tag}}' 2>&1");
    }
};

TEST_F(BuildahTest, BuildsTheDockerfileIntoTheLayoutWithTheLabels) {
    const auto result = build_with_engine(
        request("RUN echo built-by-run > /opt/run.txt\nCOPY hello.txt /opt/hello.txt\nCMD [\"cat\", \"/opt/run.txt\"]\n"),
        m_reporter);
    ASSERT_THAT(result, test::Succeeds());
    EXPECT_EQ(result->engine, "buildah");
    EXPECT_THAT(result->engine_version, StartsWith("buildah version "));
    EXPECT_EQ(result->exit_code, 0);
    EXPECT_THAT(result->image_digest, StartsWith("sha256:"));

    // The engine's output went to the log, line by line, as phase "engine".
    EXPECT_THAT(m_reporter.phases, ::testing::Each(std::string("engine")));
    EXPECT_TRUE(m_reporter.saw("RUN echo built-by-run > /opt/run.txt"));
    EXPECT_TRUE(m_reporter.saw("--platform linux/amd64"));
    EXPECT_TRUE(m_reporter.saw(" push "));
    EXPECT_THAT(m_reporter.lines, ::testing::Each(::testing::Not(HasSubstr("\n"))));

    // The layout lists the tag with that digest; the config has the label; a layer has the files.
    const auto index = nlohmann::json::parse(test::read_text(m_dir.str("out/index.json")));
    ASSERT_EQ(index["manifests"].size(), 1U);
    EXPECT_EQ(index["manifests"][0]["digest"], result->image_digest);
    EXPECT_EQ(index["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"], "envsmith_test");
    auto layout = image::Layout::open(m_dir.str("out"));
    ASSERT_THAT(layout, test::Succeeds());
    auto manifest = layout->read_manifest("envsmith_test");
    ASSERT_THAT(manifest, test::Succeeds());
    auto config = layout->read_config(*manifest);
    ASSERT_THAT(config, test::Succeeds());
    EXPECT_EQ(config->labels["org.envsmith.definition-hash"], "sha256:0123abcd");
    EXPECT_EQ(config->cmd, (std::vector<std::string>{"cat", "/opt/run.txt"}));
    EXPECT_EQ(config->platform.architecture, "amd64");
    EXPECT_GE(config->diff_ids.size(), 2U);  // busybox plus what the build added

    int status = -1;
    const auto unpacked = run("umoci unpack --image " + m_dir.str("out") + ":envsmith_test " + m_dir.str("bundle") + " 2>&1", &status);
    ASSERT_EQ(status, 0) << unpacked;
    EXPECT_EQ(test::read_text(m_dir.str("bundle/rootfs/opt/run.txt")), "built-by-run\n");
    EXPECT_EQ(test::read_text(m_dir.str("bundle/rootfs/opt/hello.txt")), "hello from the context\n");
    EXPECT_TRUE(stdfs::exists(m_dir.path() / "bundle/rootfs/bin/busybox"));

    // The temporary engine tag is gone from buildah's storage.
    EXPECT_THAT(buildah_images(), ::testing::Not(HasSubstr("envsmith-engine-build")));
    EXPECT_TRUE(m_reporter.warnings.empty()) << m_reporter.warnings.front();
}

TEST_F(BuildahTest, AFailingRunIsBuildFailedWithTheEngineOutputInTheLog) {
    const auto result = build_with_engine(request("RUN echo about-to-fail && false\n"), m_reporter);
    ASSERT_THAT(result, test::FailsWithId("engine.build_failed"));
    EXPECT_EQ(result.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(result.error().arg_value("engine"), "buildah");
    EXPECT_NE(result.error().arg_value("exit_code"), "0");
    EXPECT_FALSE(result.error().arg_value("last_line").empty());
    expect_catalogued(result.error());
    EXPECT_TRUE(m_reporter.saw("about-to-fail"));
    // The last line the engine printed is the one in the error.
    EXPECT_THAT(m_reporter.lines, Contains(std::string(result.error().arg_value("last_line"))));
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "out/index.json"));
    EXPECT_THAT(buildah_images(), ::testing::Not(HasSubstr("envsmith-engine-build")));
}

}  // namespace
}  // namespace envsmith::api
