// Credentials: --creds, environment, ~/.docker/config.json (auths, credHelpers, credsStore).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "envsmith/core/encoding.hpp"
#include "envsmith/registry/credentials.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"
#include "recording_reporter.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;

class CredentialsTest : public ::testing::Test {
protected:
    CredentialSources sources() {
        CredentialSources s;
        s.getenv = [this](const std::string& name) -> std::optional<std::string> {
            const auto it = m_env.find(name);
            if (it == m_env.end()) return std::nullopt;
            return it->second;
        };
        s.docker_config_path = "/home/u/.docker/config.json";
        s.helper_dirs = {m_bin.path().string()};
        return s;
    }
    /// A docker-credential-<name> that prints `json` for the server it is asked about.
    void add_helper(const std::string& name, const std::string& server, const std::string& json) {
        const auto path = m_bin.write(
            "docker-credential-" + name,
            "#!/bin/sh\nread server\nif [ \"$1\" = get ] && [ \"$server\" = '" + server +
                "' ]; then echo '" + json +
                "'; exit 0; fi\necho 'credentials not found in native keychain'; exit 1\n");
        std::filesystem::permissions(path, std::filesystem::perms::owner_all);
    }
    core::Result<std::optional<Credentials>> resolve(std::string_view registry) {
        return resolve_credentials(registry, sources(), m_fs, m_reporter);
    }

    std::map<std::string, std::string> m_env;
    test::MemoryFileSystem m_fs;
    test::RecordingReporter m_reporter;
    test::TempDir m_bin;
};

TEST_F(CredentialsTest, ParseCredsSplitsAtTheFirstColon) {
    const auto creds = parse_creds("user:pa:ss", "--creds");
    ASSERT_THAT(creds, Succeeds());
    EXPECT_EQ(creds->username, "user");
    EXPECT_EQ(creds->password, "pa:ss");
    const auto bad = parse_creds("just-a-secret-value", "--creds");
    ASSERT_THAT(bad, FailsWithId("registry.creds_invalid"));
    testing::expect_no_secret(testing::error_texts(bad.error()), "just-a-secret-value");
}

TEST_F(CredentialsTest, NothingConfiguredIsAnonymous) {
    const auto creds = resolve("127.0.0.1:5000");
    ASSERT_THAT(creds, Succeeds());
    EXPECT_FALSE(creds->has_value());
}

TEST_F(CredentialsTest, ExplicitBeatsEnvironmentBeatsDockerConfig) {
    m_fs.add("/home/u/.docker/config.json",
             R"({"auths":{"reg.example":{"auth":")" + core::base64_encode("cfg:cfg-pass") + R"("}}})");
    auto creds = resolve("reg.example");
    ASSERT_THAT(creds, Succeeds());
    ASSERT_TRUE(creds->has_value());
    EXPECT_EQ((*creds)->username, "cfg");
    EXPECT_EQ((*creds)->password, "cfg-pass");

    m_env["ENVSMITH_REGISTRY_USER"] = "env";
    m_env["ENVSMITH_REGISTRY_PASSWORD"] = "env-pass";
    creds = resolve("reg.example");
    ASSERT_THAT(creds, Succeeds());
    EXPECT_EQ((*creds)->username, "env");
    EXPECT_EQ((*creds)->source, "environment");

    auto s = sources();
    s.explicit_credentials = Credentials{"cli", "cli-pass", "--creds"};
    creds = resolve_credentials("reg.example", s, m_fs, m_reporter);
    ASSERT_THAT(creds, Succeeds());
    EXPECT_EQ((*creds)->username, "cli");
}

TEST_F(CredentialsTest, AuthsByUsernameAndPasswordAndDockerHubsV1Key) {
    m_fs.add("/home/u/.docker/config.json",
             R"({"auths":{"https://index.docker.io/v1/":{"auth":")" +
                 core::base64_encode("hubuser:hub-pass") +
                 R"("},"other.example":{"username":"o","password":"o-pass"}}})");
    auto hub = resolve("docker.io");
    ASSERT_THAT(hub, Succeeds());
    ASSERT_TRUE(hub->has_value());
    EXPECT_EQ((*hub)->username, "hubuser");
    auto other = resolve("other.example");
    ASSERT_THAT(other, Succeeds());
    ASSERT_TRUE(other->has_value());
    EXPECT_EQ((*other)->password, "o-pass");
    auto none = resolve("third.example");
    ASSERT_THAT(none, Succeeds());
    EXPECT_FALSE(none->has_value());
}

TEST_F(CredentialsTest, CredHelpersAreRunForTheirRegistry) {
    add_helper("fake", "reg.example", R"({"ServerURL":"reg.example","Username":"h","Secret":"helper-pass"})");
    m_fs.add("/home/u/.docker/config.json",
             R"({"credHelpers":{"reg.example":"fake"},"auths":{"reg.example":{}}})");
    const auto creds = resolve("reg.example");
    ASSERT_THAT(creds, Succeeds());
    ASSERT_TRUE(creds->has_value());
    EXPECT_EQ((*creds)->username, "h");
    EXPECT_EQ((*creds)->password, "helper-pass");
    EXPECT_EQ((*creds)->source, "docker-credential-fake");
}

TEST_F(CredentialsTest, ACredsStoreWithoutAnEntryFallsBackToAuths) {
    add_helper("store", "somewhere.else", R"({"Username":"x","Secret":"y"})");
    m_fs.add("/home/u/.docker/config.json",
             R"({"credsStore":"store","auths":{"reg.example":{"username":"a","password":"b"}}})");
    const auto creds = resolve("reg.example");
    ASSERT_THAT(creds, Succeeds());
    ASSERT_TRUE(creds->has_value());
    EXPECT_EQ((*creds)->username, "a");
}

TEST_F(CredentialsTest, AHelperThatIsNotInstalledIsAWarning) {
    m_fs.add("/home/u/.docker/config.json", R"({"credsStore":"desktop"})");
    const auto creds = resolve("reg.example");
    ASSERT_THAT(creds, Succeeds());
    EXPECT_FALSE(creds->has_value());
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "registry.credential_helper_missing");
    EXPECT_EQ(m_reporter.warnings[0].arg("helper"), "docker-credential-desktop");
}

TEST_F(CredentialsTest, BrokenConfigsAreErrorsWithoutTheSecret) {
    m_fs.add("/home/u/.docker/config.json", "{not json");
    EXPECT_THAT(resolve("reg.example"), FailsWithId("registry.docker_config_invalid"));
    m_fs.add("/home/u/.docker/config.json", R"({"auths":{"reg.example":{"auth":"c2VjcmV0LW5vLWNvbG9u"}}})");
    const auto bad = resolve("reg.example");  // base64 of "secret-no-colon"
    ASSERT_THAT(bad, FailsWithId("registry.creds_invalid"));
    testing::expect_no_secret(testing::error_texts(bad.error()), "secret-no-colon");
    testing::expect_no_secret(testing::error_texts(bad.error()), "c2VjcmV0LW5vLWNvbG9u");
}

}  // namespace
}  // namespace envsmith::registry
