// envsmith build of an Azure ML definition with a Docker build context: handed to buildah (a
// real engine), the image lands in the layout with envsmith's labels and is reused next time;
// a failing RUN ends in engine.build_failed, and the doctor diagnoses the engine's output in
// the build log. Skips when buildah, umoci or busybox-static is missing.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "envsmith/api/build.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/image/layout.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "temp_dir.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

using test::read;
using test::run;
using test::have;

class BuildWithEngineTest : public ::testing::Test {
protected:
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;
    stdfs::path m_base;  // lowercase: buildah refuses `FROM oci:PATH` with capitals in PATH
    std::vector<std::string> m_set;

    void SetUp() override {
        if (!have("buildah") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
            GTEST_SKIP() << "buildah, umoci or busybox-static is not installed";
        }
        const auto root = m_dir.path();
        std::ofstream(root / "storage.conf") << "[storage]\ndriver = \"vfs\"\ngraphroot = \"" << (root / "storage/root").string()
                                             << "\"\nrunroot = \"" << (root / "storage/run").string() << "\"\n";
        std::ofstream(root / "registries.conf") << "unqualified-search-registries = []\n";
        std::ofstream(root / "containers.conf") << "[engine]\nevents_logger = \"file\"\nevents_logfile_path = \""
                                                << (root / "events.log").string() << "\"\n";
        for (const auto& [key, file] : {std::pair{"CONTAINERS_STORAGE_CONF", "storage.conf"},
                                        std::pair{"CONTAINERS_REGISTRIES_CONF", "registries.conf"},
                                        std::pair{"CONTAINERS_CONF", "containers.conf"}}) {
            ::setenv(key, (root / file).c_str(), 1);
            m_set.emplace_back(key);
        }
        auto name = "envsmith-build-engine-" + std::to_string(::getpid());
        m_base = stdfs::temp_directory_path() / name;
        int status = -1;
        const auto out = run("cd " + root.string() +
                                 " && mkdir -p bb/bin bb/etc bb/tmp bb/proc bb/sys bb/dev bb/opt && cp /bin/busybox bb/bin/ && "
                                 "for a in sh cat echo; do ln -s busybox bb/bin/$a; done && "
                                 "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar . && umoci init --layout base && "
                                 "umoci new --image base:busybox && umoci raw add-layer --image base:busybox bb.tar && "
                                 "umoci config --image base:busybox --config.env PATH=/bin --architecture amd64 --os linux && "
                                 "umoci gc --layout base && rm -rf " + m_base.string() + " && mv base " + m_base.string() +
                                 " 2>&1",
                             &status);
        ASSERT_EQ(status, 0) << out;
    }
    void TearDown() override {
        for (const auto& key : m_set) ::unsetenv(key.c_str());
        std::error_code ignored;
        if (!m_base.empty()) stdfs::remove_all(m_base, ignored);
    }

    BuildOptions definition(const std::string& run_line) {
        const auto root = m_dir.path();
        stdfs::create_directories(root / "ctx");
        std::ofstream(root / "ctx/Dockerfile") << "FROM oci:" << m_base.string() << ":busybox\n" << run_line << "\n"
                                               << "COPY hello.txt /opt/hello.txt\n";
        std::ofstream(root / "ctx/hello.txt") << "hello\n";
        std::ofstream(root / "env.yml") << "name: custom\nbuild:\n  path: ctx\n  dockerfile_path: Dockerfile\n";
        BuildOptions o;
        o.path = (root / "env.yml").string();
        o.oci_layout = (root / "oci").string();
        o.platform = "linux-64";
        o.envsmith_version = "test";
        o.engine = "buildah";
        o.create.lock.network.cache_dir = (root / "cache").string();
        o.create.lock.use_process_overrides = false;
        return o;
    }
};

TEST_F(BuildWithEngineTest, ADockerfileIsBuiltByTheEngineLabelledAndReused) {
    const auto o = definition("RUN echo built > /opt/built.txt");
    const auto built = build(m_fs, m_reporter, o);
    ASSERT_THAT(built, test::Succeeds());
    EXPECT_EQ(built->status, "built");
    const auto log = read(built->log_path);
    EXPECT_THAT(log, ::testing::HasSubstr("[engine] $ "));  // the engine's command line, then its output
    auto layout = image::Layout::open(o.oci_layout);
    ASSERT_TRUE(layout);
    const auto manifest = layout->read_manifest(built->tag);
    ASSERT_TRUE(manifest);
    EXPECT_EQ(layout->resolve(built->tag)->digest.to_string(), built->image_digest);
    const auto config = layout->read_config(*manifest);
    ASSERT_TRUE(config);
    EXPECT_EQ(config->labels.at("org.envsmith.definition.hash"), "sha256:" + built->content_hash);
    const auto json = nlohmann::json::parse(read(built->build_json_path));
    EXPECT_EQ(json["engine"], "buildah");

    const auto again = build(m_fs, m_reporter, o);
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ(again->status, "reused");
    EXPECT_EQ(again->image_digest, built->image_digest);
}

TEST_F(BuildWithEngineTest, AFailingRunIsDiagnosedFromTheEnginesOutput) {
    const auto o = definition(
        "RUN echo 'ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: 2.3.1)' && "
        "echo 'ERROR: No matching distribution found for torch==9.9' && exit 1");
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message_id, "engine.build_failed") << failed.error().describe();
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["diagnosis"]["root_cause"], "pip.no_matching_distribution") << json.dump(2);
    auto layout = image::Layout::open(o.oci_layout);
    if (layout) {
        EXPECT_FALSE(layout->resolve("envsmith_" + json["content_hash"].get<std::string>().substr(7, 32)));
    }
}

}  // namespace
}  // namespace envsmith::api
