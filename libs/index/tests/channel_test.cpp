#include "envsmith/index/channel.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::index {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

struct NameCase {
    std::string input;
    std::string name;
    std::string base_url;
    std::string platform;  // empty: none
};

TEST(ChannelTest, ResolvesNamesAndUrls) {
    const ChannelConfig config;
    const std::vector<NameCase> cases = {
        {"conda-forge", "conda-forge", "https://conda.anaconda.org/conda-forge", ""},
        {"  conda-forge/ ", "conda-forge", "https://conda.anaconda.org/conda-forge", ""},
        {"conda-forge/label/dev", "conda-forge/label/dev",
         "https://conda.anaconda.org/conda-forge/label/dev", ""},
        {"bioconda", "bioconda", "https://conda.anaconda.org/bioconda", ""},
        {"conda-forge/linux-64", "conda-forge", "https://conda.anaconda.org/conda-forge",
         "linux-64"},
        {"pkgs/main", "pkgs/main", "https://repo.anaconda.com/pkgs/main", ""},
        {"https://repo.anaconda.com/pkgs/r/", "pkgs/r", "https://repo.anaconda.com/pkgs/r", ""},
        {"https://conda.anaconda.org/conda-forge", "conda-forge",
         "https://conda.anaconda.org/conda-forge", ""},
        {"https://conda.anaconda.org/conda-forge///", "conda-forge",
         "https://conda.anaconda.org/conda-forge", ""},
        {"HTTPS://conda.anaconda.org/conda-forge/osx-arm64", "conda-forge",
         "https://conda.anaconda.org/conda-forge", "osx-arm64"},
        {"https://conda.anaconda.org/t/tk-123/private", "private",
         "https://conda.anaconda.org/t/tk-123/private", ""},
        {"http://127.0.0.1:8000/channel", "http://127.0.0.1:8000/channel",
         "http://127.0.0.1:8000/channel", ""},
        {"https://user:secret@example.com/chan/", "https://***@example.com/chan",
         "https://user:secret@example.com/chan", ""},
        {"file:///srv/channels/local/", "file:///srv/channels/local", "file:///srv/channels/local",
         ""},
        {"file://localhost/srv/local", "file:///srv/local", "file:///srv/local", ""},
        {"/srv/channels/local", "file:///srv/channels/local", "file:///srv/channels/local", ""},
        {"/srv/channels/local/noarch", "file:///srv/channels/local", "file:///srv/channels/local",
         "noarch"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto channel = Channel::parse(c.input, config);
        ASSERT_THAT(channel, test::Succeeds());
        EXPECT_EQ(channel->name(), c.name);
        EXPECT_EQ(channel->base_url(), c.base_url);
        EXPECT_EQ(channel->platform().value_or(""), c.platform);
        EXPECT_THAT(channel->mirrors(), ElementsAre(c.base_url));
    }
}

TEST(ChannelTest, UsesAConfiguredAliasAndDefaults) {
    ChannelConfig config;
    config.channel_alias = "https://mirror.example.org/conda/";
    config.default_channels = {"https://mirror.example.org/anaconda/main"};
    const auto forge = Channel::parse("conda-forge", config);
    ASSERT_THAT(forge, test::Succeeds());
    EXPECT_EQ(forge->base_url(), "https://mirror.example.org/conda/conda-forge");
    EXPECT_EQ(forge->name(), "conda-forge");

    const auto by_url = Channel::parse("https://mirror.example.org/conda/bioconda/", config);
    ASSERT_THAT(by_url, test::Succeeds());
    EXPECT_EQ(by_url->name(), "bioconda");

    const auto defaults = expand_channel("defaults", config);
    ASSERT_THAT(defaults, test::Succeeds());
    ASSERT_EQ(defaults->size(), 1U);
    EXPECT_EQ(defaults->front().base_url(), "https://mirror.example.org/anaconda/main");
    EXPECT_EQ(defaults->front().name(), "anaconda/main");
}

TEST(ChannelTest, DefaultsExpandToMainAndR) {
    const auto channels = resolve_channels({"conda-forge", "defaults", "pkgs/main"}, {});
    ASSERT_THAT(channels, test::Succeeds());
    std::vector<std::string> urls;
    for (const auto& channel : *channels) urls.push_back(channel.base_url());
    // pkgs/main is already in `defaults`: kept once, at its first place.
    EXPECT_THAT(urls, ElementsAre("https://conda.anaconda.org/conda-forge",
                                  "https://repo.anaconda.com/pkgs/main",
                                  "https://repo.anaconda.com/pkgs/r"));
}

TEST(ChannelTest, MirrorsAreLookedUpByNameOrUrl) {
    ChannelConfig config;
    config.mirrors["conda-forge"] = {"https://a.example/cf/", "https://b.example/cf"};
    config.mirrors["https://repo.anaconda.com/pkgs/main"] = {"https://c.example/main"};
    const auto forge = Channel::parse("conda-forge", config);
    ASSERT_THAT(forge, test::Succeeds());
    EXPECT_THAT(forge->mirrors(), ElementsAre("https://a.example/cf", "https://b.example/cf"));
    EXPECT_EQ(forge->base_url(), "https://conda.anaconda.org/conda-forge");
    const auto main = Channel::parse("pkgs/main", config);
    ASSERT_THAT(main, test::Succeeds());
    EXPECT_THAT(main->mirrors(), ElementsAre("https://c.example/main"));
}

TEST(ChannelTest, RejectsBadInputWithAReason) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"", "empty"},
        {"   ", "empty"},
        {"conda forge", "space"},
        {"conda-forge//label", "empty path segment"},
        {"conda-forge/../x", "`..`"},
        {"conda-forge::numpy", "character"},
        {"conda\\forge", "backslash"},
        {"ftp://example.com/channel", "scheme `ftp`"},
        {"s3://bucket/channel", "scheme `s3`"},
        {"https:///channel", "no host"},
        {"https://example.com", "no path"},
        {"https://example.com/linux-64", "subdir but no channel"},
        {"https://example.com/c?x=1", "query"},
        {"file://relative/path", "absolute path"},
        {"./local-channel", "relative path"},
        {"~/channel", "relative path"},
        {"noarch", "subdir, not a channel"},
        {"defaults", "several channels"},
    };
    for (const auto& [input, reason] : cases) {
        SCOPED_TRACE(input);
        const auto channel = Channel::parse(input, {});
        ASSERT_THAT(channel, test::FailsWithId("index.channel.invalid"));
        EXPECT_EQ(channel.error().code, core::ErrorCode::invalid_input);
        EXPECT_THAT(channel.error().arg_value("reason"), HasSubstr(reason));
        EXPECT_THAT(channel.error().message, HasSubstr(reason));
    }
}

TEST(ChannelTest, ErrorsNeverShowCredentials) {
    const auto channel = Channel::parse("ftp://user:hunter2@example.com/c", {});
    ASSERT_THAT(channel, test::FailsWithId("index.channel.invalid"));
    EXPECT_THAT(channel.error().message, Not(HasSubstr("hunter2")));
    EXPECT_THAT(std::string(channel.error().arg_value("channel")), Not(HasSubstr("hunter2")));

    const auto with_token = Channel::parse("https://conda.anaconda.org/t/tk-secret/x", {});
    ASSERT_THAT(with_token, test::Succeeds());
    EXPECT_THAT(with_token->display_url(), Not(HasSubstr("tk-secret")));
    EXPECT_THAT(with_token->name(), Not(HasSubstr("tk-secret")));
}

TEST(ChannelTest, KnowsCondaSubdirs) {
    EXPECT_TRUE(is_known_subdir("linux-64"));
    EXPECT_TRUE(is_known_subdir("osx-arm64"));
    EXPECT_TRUE(is_known_subdir("noarch"));
    EXPECT_FALSE(is_known_subdir("label"));
}

}  // namespace
}  // namespace envsmith::index
