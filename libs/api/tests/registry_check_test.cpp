// `envsmith registry check` against a loopback server that serves a registry's files
// (tests/support/test_server), through the real libcurl transport.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "envsmith/api/registry_check.hpp"
#include "envsmith/core/digest.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::api {
namespace {

using test::FailsWithId;
using test::Succeeds;

std::string sha(const std::string& bytes) { return core::sha256(bytes).to_string(); }

/// A manifest (its config need not exist: the check reads manifests only).
std::string manifest_for(const std::string& seed) {
    const std::string config = R"({"architecture":"amd64","os":"linux","seed":")" + seed + "\"}";
    nlohmann::json manifest = {
        {"schemaVersion", 2},
        {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
        {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"},
                    {"digest", sha(config)}, {"size", config.size()}}},
        {"layers", nlohmann::json::array()}};
    return manifest.dump();
}

class RegistryCheckTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_root.write("v2/index.html", "{}");
        m_image = manifest_for("single");
        m_root.write("v2/team/app/manifests/1", m_image);
        m_amd64 = manifest_for("amd64");
        m_arm64 = manifest_for("arm64");
        nlohmann::json index = {
            {"schemaVersion", 2},
            {"mediaType", "application/vnd.oci.image.index.v1+json"},
            {"manifests",
             {{{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", sha(m_amd64)},
               {"size", m_amd64.size()}, {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}},
              {{"mediaType", "application/vnd.oci.image.manifest.v1+json"}, {"digest", sha(m_arm64)},
               {"size", m_arm64.size()},
               {"platform", {{"os", "linux"}, {"architecture", "arm64"}, {"variant", "v8"}}}}}}};
        m_index = index.dump();
        m_root.write("v2/team/multi/manifests/2", m_index);
        m_root.write("v2/team/app/tags/list", R"({"name":"team/app","tags":["1","2.0"]})");
        m_server = std::make_unique<test::TestServer>(m_root.path());
    }

    RegistryCheckOptions options(const std::string& reference) const {
        RegistryCheckOptions o;
        o.reference = reference;
        o.docker_config = "/nonexistent/config.json";
        o.network.retries = 0;
        return o;
    }
    std::string host() const { return "127.0.0.1:" + std::to_string(m_server->port()); }

    test::TempDir m_root;
    std::unique_ptr<test::TestServer> m_server;
    test::MemoryFileSystem m_fs;
    test::RecordingReporter m_reporter;
    std::string m_image, m_amd64, m_arm64, m_index;
};

TEST_F(RegistryCheckTest, AnExistingImageChecksOut) {
    const auto report = registry_check(m_fs, m_reporter, options(host() + "/team/app:1"));
    ASSERT_THAT(report, Succeeds());
    EXPECT_TRUE(report->ok()) << report->failure->message;
    EXPECT_EQ(report->normalised, host() + "/team/app:1");
    EXPECT_EQ(report->endpoint, "http://" + host());
    EXPECT_TRUE(report->plain_http);
    EXPECT_TRUE(report->reachable);
    EXPECT_EQ(report->auth_scheme, "none");
    EXPECT_FALSE(report->with_credentials);
    EXPECT_TRUE(report->manifest_exists);
    EXPECT_EQ(report->manifest_digest, sha(m_image));
    EXPECT_FALSE(report->is_index);
    EXPECT_FALSE(report->platform_found.has_value());
}

TEST_F(RegistryCheckTest, AnIndexIsCheckedForThePlatform) {
    auto o = options(host() + "/team/multi:2");
    o.platform = "linux/arm64";
    const auto found = registry_check(m_fs, m_reporter, o);
    ASSERT_THAT(found, Succeeds());
    EXPECT_TRUE(found->ok());
    EXPECT_TRUE(found->is_index);
    EXPECT_EQ(found->platforms, (std::vector<std::string>{"linux/amd64", "linux/arm64/v8"}));
    EXPECT_EQ(found->platform_found, true);
    EXPECT_EQ(found->platform_digest, sha(m_arm64));

    o.platform = "linux/ppc64le";
    const auto missing = registry_check(m_fs, m_reporter, o);
    ASSERT_THAT(missing, Succeeds());
    EXPECT_TRUE(missing->manifest_exists);
    EXPECT_EQ(missing->platform_found, false);
    ASSERT_FALSE(missing->ok());
    EXPECT_EQ(missing->failure->message_id, "registry.platform_unknown");
}

TEST_F(RegistryCheckTest, AMissingTagIsManifestUnknown) {
    const auto report = registry_check(m_fs, m_reporter, options(host() + "/team/app:nope"));
    ASSERT_THAT(report, Succeeds());
    EXPECT_TRUE(report->reachable);
    EXPECT_FALSE(report->manifest_exists);
    ASSERT_FALSE(report->ok());
    EXPECT_EQ(report->failure->message_id, "registry.manifest_unknown");
    EXPECT_EQ(report->failure->code, core::ErrorCode::not_found);
    EXPECT_EQ(report->tags, (std::vector<std::string>{"1", "2.0"}));
}

TEST_F(RegistryCheckTest, AStoppedRegistryIsUnreachable) {
    const auto ref = host() + "/team/app:1";
    m_server->stop();
    const auto report = registry_check(m_fs, m_reporter, options(ref));
    ASSERT_THAT(report, Succeeds());
    EXPECT_FALSE(report->reachable);
    ASSERT_FALSE(report->ok());
    EXPECT_EQ(report->failure->message_id, "registry.unreachable");
}

TEST_F(RegistryCheckTest, BadInputIsAnError) {
    EXPECT_THAT(registry_check(m_fs, m_reporter, options("Team/App")),
                FailsWithId("image_ref.uppercase"));
    EXPECT_THAT(registry_check(m_fs, m_reporter, options("a//b")),
                FailsWithId("image_ref.double_slash"));
    auto o = options(host() + "/team/app:1");
    o.platform = "amd64";
    EXPECT_THAT(registry_check(m_fs, m_reporter, o), FailsWithId("registry.platform_invalid"));
    o = options(host() + "/team/app:1");
    o.creds = "no-colon-secret";
    const auto bad = registry_check(m_fs, m_reporter, o);
    ASSERT_THAT(bad, FailsWithId("registry.creds_invalid"));
    EXPECT_EQ(bad.error().message.find("no-colon-secret"), std::string::npos);
}

/// A transport that reaches nothing: every request fails as a DNS failure would.
class NowhereTransport final : public core::Transport {
public:
    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override {
        urls.push_back(request.url);
        return core::make_error(core::ErrorCode::unavailable, "network.dns",
                                "GET " + request.url + ": the host name did not resolve");
    }
    std::vector<std::string> urls;
};

TEST_F(RegistryCheckTest, DockerHubNamesAreNormalised) {
    NowhereTransport nowhere;
    const auto report = registry_check(nowhere, m_fs, m_reporter, options("ubuntu"));
    ASSERT_THAT(report, Succeeds());
    EXPECT_EQ(report->normalised, "docker.io/library/ubuntu:latest");
    EXPECT_EQ(report->familiar, "ubuntu:latest");
    EXPECT_EQ(report->repository, "library/ubuntu");
    EXPECT_EQ(report->endpoint, "https://registry-1.docker.io");
    ASSERT_EQ(nowhere.urls.size(), 1U);
    EXPECT_EQ(nowhere.urls[0], "https://registry-1.docker.io/v2/");
    ASSERT_FALSE(report->ok());
    EXPECT_EQ(report->failure->message_id, "registry.unreachable");
    EXPECT_EQ(report->failure->arg_value("cause"), "network.dns");
}

}  // namespace
}  // namespace envsmith::api
