#include "envsmith/specs/settings.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(Settings, EveryKeyIsRead) {
    const auto settings = parse_settings(R"(# envsmith settings
channel_alias: https://conda.example.com
default_channels: [https://repo.example.com/pkgs/main, https://repo.example.com/pkgs/r]
mirrors:
  conda-forge:
    - https://mirror.example.com/conda-forge
    - https://conda.anaconda.org/conda-forge
index_url: https://pypi.example.com/simple
cache_dir: /var/cache/envsmith
ca_bundle: /etc/ssl/corp.pem
netrc: /home/me/.netrc
credentials:
  - host: repo.example.com
    username: alice
    password_env: REPO_PASSWORD
  - host: pypi.example.com
    token: abc123
)",
                                         "config.yaml");
    ASSERT_THAT(settings, test::Succeeds());
    EXPECT_EQ(settings->channel_alias, "https://conda.example.com");
    EXPECT_THAT(*settings->default_channels,
                ElementsAre("https://repo.example.com/pkgs/main", "https://repo.example.com/pkgs/r"));
    EXPECT_THAT(settings->mirrors.at("conda-forge"),
                ElementsAre("https://mirror.example.com/conda-forge",
                            "https://conda.anaconda.org/conda-forge"));
    EXPECT_EQ(settings->index_url, "https://pypi.example.com/simple");
    EXPECT_EQ(settings->cache_dir, "/var/cache/envsmith");
    EXPECT_EQ(settings->ca_bundle, "/etc/ssl/corp.pem");
    EXPECT_EQ(settings->netrc, "/home/me/.netrc");
    ASSERT_EQ(settings->credentials.size(), 2U);
    const auto& basic = settings->credentials[0];
    EXPECT_EQ(basic.scheme, CredentialSetting::Scheme::basic);
    EXPECT_EQ(basic.username, "alice");
    EXPECT_EQ(basic.secret, "");
    EXPECT_EQ(basic.secret_env, "REPO_PASSWORD");
    EXPECT_EQ(basic.where.line, 13U);
    const auto& bearer = settings->credentials[1];
    EXPECT_EQ(bearer.scheme, CredentialSetting::Scheme::bearer);
    EXPECT_EQ(bearer.secret, "abc123");
}

TEST(Settings, EmptyAndCommentOnlyFilesAreEmptySettings) {
    EXPECT_THAT(parse_settings("", "c.yaml"), test::Succeeds());
    const auto comments = parse_settings("# nothing yet\n", "c.yaml");
    ASSERT_THAT(comments, test::Succeeds());
    EXPECT_FALSE(comments->channel_alias.has_value());
}

TEST(Settings, AnUnknownKeyIsAnErrorWithADidYouMean) {
    const auto settings = parse_settings("channel_alias: x\ncredentails: []\n", "c.yaml");
    ASSERT_THAT(settings, test::FailsWithId("settings.unknown_key"));
    EXPECT_EQ(settings.error().where->line, 2U);
    EXPECT_EQ(settings.error().where->column, 1U);
    EXPECT_EQ(settings.error().hint, "did you mean `credentials`?");
}

TEST(Settings, CredentialsMustBeComplete) {
    const auto cases = {
        "credentials:\n  - username: a\n    password: b\n",                   // no host
        "credentials:\n  - host: h\n",                                        // no secret
        "credentials:\n  - host: h\n    password: b\n",                       // no username
        "credentials:\n  - host: h\n    token: t\n    password_env: P\n",     // two kinds
        "credentials:\n  - host: h\n    token: t\n    token_env: T\n",        // twice
    };
    for (const auto* text : cases) {
        const auto settings = parse_settings(text, "c.yaml");
        ASSERT_THAT(settings, test::FailsWithId("settings.credential")) << text;
        EXPECT_EQ(settings.error().where->line, 2U) << text;
    }
}

TEST(Settings, WrongShapesAreLocatedTypeErrors) {
    const auto list = parse_settings("default_channels: main\n", "c.yaml");
    // A scalar where a list is expected.
    ASSERT_THAT(list, test::FailsWithId("settings.type"));
    const auto mirrors = parse_settings("mirrors: [a, b]\n", "c.yaml");
    ASSERT_THAT(mirrors, test::FailsWithId("settings.type"));
    EXPECT_THAT(mirrors.error().message, HasSubstr("mapping"));
    const auto syntax = parse_settings("channel_alias: [\n", "c.yaml");
    ASSERT_THAT(syntax, test::FailsWithId("yaml.syntax"));
}

}  // namespace
}  // namespace envsmith::specs
