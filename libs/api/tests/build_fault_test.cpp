// envsmith build --push through a fault-injecting proxy (tests/support/fault_proxy.hpp) in
// front of a real docker-registry (envsmith issue 7): resets, 500s, slow answers and truncated
// bodies end in success through the transport's retries, or in the catalogued error, and a
// failed push never leaves the tag in the registry. The registry is always checked directly,
// not through the proxy. See docs/testing-faults.md.
#include "envsmith/api/build.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/api/network.hpp"
#include "envsmith/registry/client.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "fault_proxy.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "temp_dir.hpp"
#include "test_server.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

#ifdef ENVSMITH_DEMO_INDEX_DIR
using test::read;
using test::run;
using test::have;

std::string arg(const core::Error& error, std::string_view name) {
    for (const auto& a : error.args) {
        if (a.name == name) return a.value;
    }
    return {};
}

class BuildFaultTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available()) GTEST_SKIP() << "docker-registry is not installed";
        ASSERT_TRUE(m_registry.running()) << m_registry.log();
        m_proxy = std::make_unique<test::FaultProxy>(m_registry.port());
        ASSERT_TRUE(m_proxy->running());
    }

    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;
    test::RegistryFixture m_registry;
    std::unique_ptr<test::FaultProxy> m_proxy;

    /// The demo definition pushed to the proxy's `team/demo`, with retries on: the real libcurl
    /// transport that `build` makes from these settings retries resets, truncated bodies and
    /// 5xx (its backoff starts at 250-500 ms, so 2 retries wait at most 1.5 s in all).
    BuildOptions options() {
        BuildOptions o;
        o.path = (m_dir.path() / "environment.yml").string();
        stdfs::copy_file(demo(), o.path, stdfs::copy_options::overwrite_existing);
        o.oci_layout = (m_dir.path() / "oci").string();
        o.push = m_proxy->host() + "/team/demo";
        o.platform = "linux-64";
        o.envsmith_version = "test";
        o.source_date_epoch = 0;
        o.create.lock.network.cache_dir = (m_dir.path() / "cache").string();
        o.create.lock.network.channel_alias = m_server.base_url() + "/channel";
        o.create.lock.index_url = m_server.base_url() + "/simple";
        o.create.lock.network.retries = 2;
        o.create.lock.use_process_overrides = false;
        return o;
    }
    static std::string demo() { return std::string(ENVSMITH_DEMO_INDEX_DIR) + "/definitions/environment.yml"; }

    /// The manifest of `repository:tag` asked of the registry itself, past the proxy.
    core::Result<registry::FetchedManifest> direct_manifest(const std::string& repository, const std::string& tag) {
        NetworkSettings settings;
        settings.retries = 0;
        auto transport = make_transport(settings, m_reporter);
        registry::Client client(*transport, m_reporter, {});
        auto ref = specs::ImageRef::parse(m_registry.host() + "/" + repository + ":" + tag);
        if (!ref) return std::move(ref).error();
        return client.get_manifest(*ref);
    }

    /// The transport's `net.retry` warnings for `method` on URLs that contain `url_part`.
    std::vector<test::RecordingReporter::Warning> retries(const std::string& method, const std::string& url_part) const {
        std::vector<test::RecordingReporter::Warning> found;
        for (const auto& warning : m_reporter.warnings) {
            if (warning.message_id == "net.retry" && warning.arg("method") == method &&
                warning.arg("url").find(url_part) != std::string::npos) {
                found.push_back(warning);
            }
        }
        return found;
    }

    /// A busybox image in the registry (not through the proxy) as `base/busybox:1`; false
    /// when umoci or skopeo failed (the failure is recorded).
    bool push_busybox_base() {
        const auto dir = m_dir.path() / "base-src";
        int status = 1;
        const auto made = run("set -e; mkdir -p " + dir.string() + " && cd " + dir.string() +
                                  " && mkdir -p bb/bin bb/etc bb/tmp && cp /bin/busybox bb/bin/ && ln -s busybox bb/bin/sh && "
                                  "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar . && umoci init --layout base && "
                                  "umoci new --image base:busybox && umoci raw add-layer --image base:busybox bb.tar && "
                                  "umoci config --image base:busybox --config.env PATH=/bin --architecture amd64 --os linux && "
                                  "umoci gc --layout base && skopeo copy --dest-tls-verify=false oci:base:busybox docker://" +
                                  m_registry.host() + "/base/busybox:1 2>&1",
                              &status);
        EXPECT_EQ(status, 0) << made;
        return status == 0;
    }

    /// An Azure ML definition of the demo environment on `image`.
    std::string azureml_definition(const std::string& image) {
        stdfs::copy_file(demo(), m_dir.path() / "conda.yml", stdfs::copy_options::overwrite_existing);
        const auto path = m_dir.path() / "azureml.yml";
        std::ofstream(path) << "name: demo\nimage: " << image << "\nconda_file: conda.yml\n";
        return path.string();
    }
};

// A 500 on the first blob upload, a reset of the first manifest GET (the reuse check) and
// 300 ms on every blob HEAD: each is retried or waited out, and the image is in the registry
// under its tag with the digest the build reports.
TEST_F(BuildFaultTest, TransientFaultsAreRetriedAndThePushedImageIsComplete) {
    const auto upload_500 = m_proxy->add_rule("PUT", "/blobs/uploads/", test::ProxyFault::http_status(500, "{}"));
    const auto manifest_reset = m_proxy->add_rule("GET|HEAD", "/manifests/", test::ProxyFault::reset());
    const auto slow_head = m_proxy->add_rule("HEAD", "/blobs/sha256:", test::ProxyFault::delay(300), test::ProxyRule::every);
    const auto o = options();
    ASSERT_GT(o.create.lock.network.retries, 0U);

    const auto built = build(m_fs, m_reporter, o);
    ASSERT_THAT(built, test::Succeeds()) << m_proxy->describe();
    EXPECT_EQ(built->status, "built");
    EXPECT_EQ(m_proxy->applied(upload_500), 1U) << m_proxy->describe();
    EXPECT_EQ(m_proxy->applied(manifest_reset), 1U) << m_proxy->describe();
    EXPECT_GE(m_proxy->applied(slow_head), 2U) << m_proxy->describe();  // the config and the layer
    // The transport saw both faults and retried each once (the reset came on a new connection,
    // so libcurl had no reused connection to retry on by itself).
    const auto upload_retries = retries("PUT", "/blobs/uploads/");
    ASSERT_EQ(upload_retries.size(), 1U);
    EXPECT_EQ(upload_retries[0].arg("reason"), "HTTP 500");
    const auto manifest_retries = retries("GET", "/manifests/");
    ASSERT_EQ(manifest_retries.size(), 1U);
    EXPECT_THAT(manifest_retries[0].arg("reason"), ::testing::HasSubstr("reset"));

    auto tag = built->tag;
    const auto pushed = direct_manifest("team/demo", tag);
    ASSERT_THAT(pushed, test::Succeeds());
    EXPECT_EQ(pushed->digest, built->image_digest);
    EXPECT_EQ(read(stdfs::path(o.oci_layout) / "blobs/sha256" / built->image_digest.substr(7)), pushed->bytes);
    const auto json = nlohmann::json::parse(read(built->build_json_path));
    EXPECT_EQ(json["status"], "built");
}

// The registry answers every manifest PUT with 500: the blobs are there, but the build fails
// with registry.unavailable after the retries, says so in build.json, and the tag does not
// exist in the registry.
TEST_F(BuildFaultTest, AManifestPutThatAlwaysFailsLeavesNoTag) {
    const auto manifest_500 = m_proxy->add_rule("PUT", "/manifests/", test::ProxyFault::http_status(500, "{}"),
                                                test::ProxyRule::every);
    const auto o = options();
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed) << m_proxy->describe();
    EXPECT_EQ(failed.error().message_id, "registry.unavailable") << failed.error().describe();
    EXPECT_EQ(arg(failed.error(), "status"), "500");
    EXPECT_EQ(arg(failed.error(), "method"), "PUT");
    EXPECT_EQ(m_proxy->applied(manifest_500), 3U) << m_proxy->describe();  // the first try and 2 retries

    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "registry.unavailable");
    EXPECT_EQ(json["diagnosis"]["root_cause"], "registry.unavailable") << json.dump(2);
    EXPECT_THAT(read(o.oci_layout + ".build/20_image_build_log.txt"),
                ::testing::HasSubstr("[registry.unavailable]"));

    const std::string tag = json["tag"];
    const auto absent = direct_manifest("team/demo", tag);
    ASSERT_FALSE(absent) << "the tag exists after a failed push";
    EXPECT_EQ(absent.error().message_id, "registry.manifest_unknown") << absent.error().describe();
}

// Every blob upload (the PUT with the bytes) is reset: the build fails with
// registry.unreachable whose cause is the transport's network.timeout, and nothing is tagged.
TEST_F(BuildFaultTest, BlobUploadsThatAreAlwaysResetLeaveNoTag) {
    const auto upload_reset = m_proxy->add_rule("PUT", "/blobs/uploads/", test::ProxyFault::reset(), test::ProxyRule::every);
    const auto manifest_put = m_proxy->add_rule("PUT", "/manifests/", test::ProxyFault::delay(0), test::ProxyRule::every);
    const auto o = options();
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed) << m_proxy->describe();
    EXPECT_EQ(failed.error().message_id, "registry.unreachable") << failed.error().describe();
    EXPECT_EQ(arg(failed.error(), "cause"), "network.timeout");
    EXPECT_GE(m_proxy->applied(upload_reset), 3U) << m_proxy->describe();
    EXPECT_EQ(m_proxy->matched(manifest_put), 0U) << "a manifest was sent after a failed upload\n"
                                                  << m_proxy->describe();

    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "registry.unreachable");
    EXPECT_EQ(json["diagnosis"]["root_cause"], "registry.unreachable") << json.dump(2);
    EXPECT_THAT(read(o.oci_layout + ".build/20_image_build_log.txt"),
                ::testing::HasSubstr("[registry.unreachable]"));

    const std::string tag = json["tag"];
    const auto absent = direct_manifest("team/demo", tag);
    ASSERT_FALSE(absent) << "the tag exists after a failed push";
    // Nothing of team/demo reached the registry: distribution 2.8 says MANIFEST_UNKNOWN.
    EXPECT_EQ(absent.error().message_id, "registry.manifest_unknown") << absent.error().describe();
}

// A build that fails on the registry ends with the doctor's diagnosis in build.json: the
// catalogue knows envsmith's own words for registry.unavailable and registry.unreachable.
TEST_F(BuildFaultTest, AFailedPushIsDiagnosedInBuildJson) {
    m_proxy->add_rule("PUT", "/manifests/", test::ProxyFault::http_status(500, "{}"), test::ProxyRule::every);
    const auto o = options();
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed);
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    ASSERT_TRUE(json.contains("diagnosis")) << json.dump(2);
    EXPECT_EQ(json["diagnosis"]["root_cause"], "registry.unavailable");
}

// The first blob GET of a base pulled through the proxy is cut in half (the full
// Content-Length announced, half the bytes, then close). libcurl sees the short body
// (CURLE_PARTIAL_FILE) before any digest check could: the transport retries it as
// network.timeout, and the second answer is whole, so the build succeeds on the base.
TEST_F(BuildFaultTest, ATruncatedBaseBlobIsRetriedNotAccepted) {
    if (!have("skopeo") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "skopeo, umoci or busybox-static is not installed";
    }
    ASSERT_TRUE(push_busybox_base());
    const auto truncated = m_proxy->add_rule("GET", "/base/busybox/blobs/sha256:", test::ProxyFault::truncate());
    auto o = options();
    o.push.clear();
    o.path = azureml_definition(m_proxy->host() + "/base/busybox:1");
    const auto built = build(m_fs, m_reporter, o);
    ASSERT_THAT(built, test::Succeeds()) << m_proxy->describe();
    EXPECT_EQ(m_proxy->applied(truncated), 1U) << m_proxy->describe();
    // The config blob comes first and is cut; its retry and the layer pass.
    EXPECT_EQ(m_proxy->matched(truncated), 3U) << m_proxy->describe();
    const auto blob_retries = retries("GET", "/base/busybox/blobs/sha256:");
    ASSERT_EQ(blob_retries.size(), 1U);
    EXPECT_THAT(blob_retries[0].arg("reason"), ::testing::HasSubstr("transfer closed"));
    EXPECT_THAT(read(built->log_path), ::testing::HasSubstr("[base] pulled base " + m_proxy->host() + "/base/busybox:1"));
}

// Every base blob GET is truncated: the retries run out and the build fails with
// registry.unreachable (cause network.timeout) before anything is installed; neither the
// base nor the image is written.
TEST_F(BuildFaultTest, ABaseBlobThatIsAlwaysTruncatedFailsTheBuildBeforeInstalling) {
    if (!have("skopeo") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "skopeo, umoci or busybox-static is not installed";
    }
    ASSERT_TRUE(push_busybox_base());
    m_proxy->add_rule("GET", "/base/busybox/blobs/sha256:", test::ProxyFault::truncate(), test::ProxyRule::every);
    auto o = options();
    o.push.clear();
    o.path = azureml_definition(m_proxy->host() + "/base/busybox:1");
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed) << m_proxy->describe();
    EXPECT_EQ(failed.error().message_id, "registry.unreachable") << failed.error().describe();
    EXPECT_EQ(arg(failed.error(), "cause"), "network.timeout");
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));  // nothing was downloaded
    EXPECT_FALSE(stdfs::exists(o.oci_layout + "/index.json"));
    const auto bases_index = m_dir.path() / "cache" / "images" / "bases" / "index.json";
    EXPECT_THAT(read(bases_index), ::testing::Not(::testing::HasSubstr("base-"))) << "a partial base was tagged";
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "registry.unreachable");
}

// Every base blob GET comes back with its full length but one byte changed. HTTP framing cannot
// see that; the registry client's digest check does, on the first blob (the config). The pull
// fetches it once more (a transient corruption would pass the second time), then the build
// fails with registry.digest_mismatch, and nothing is installed or tagged.
TEST_F(BuildFaultTest, ACorruptedBaseBlobIsCaughtByTheDigestCheck) {
    if (!have("skopeo") || !have("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "skopeo, umoci or busybox-static is not installed";
    }
    ASSERT_TRUE(push_busybox_base());
    const auto corrupted =
        m_proxy->add_rule("GET", "/base/busybox/blobs/sha256:", test::ProxyFault::corrupt(), test::ProxyRule::every);
    auto o = options();
    o.push.clear();
    o.path = azureml_definition(m_proxy->host() + "/base/busybox:1");
    const auto failed = build(m_fs, m_reporter, o);
    ASSERT_FALSE(failed) << m_proxy->describe();
    EXPECT_EQ(failed.error().message_id, "registry.digest_mismatch") << failed.error().describe();
    EXPECT_EQ(m_proxy->applied(corrupted), 2U) << m_proxy->describe();
    EXPECT_TRUE(retries("GET", "/blobs/").empty());  // the transport saw nothing to retry
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));
    EXPECT_FALSE(stdfs::exists(o.oci_layout + "/index.json"));
    EXPECT_THAT(read(m_dir.path() / "cache" / "images" / "bases" / "index.json"),
                ::testing::Not(::testing::HasSubstr("base-")));
    const auto json = nlohmann::json::parse(read(o.oci_layout + ".build/build.json"));
    EXPECT_EQ(json["status"], "failed");
    EXPECT_EQ(json["error"]["message_id"], "registry.digest_mismatch");
}
#endif

}  // namespace
}  // namespace envsmith::api
