#include "envsmith/core/url.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace envsmith::core {
namespace {

TEST(RedactTest, HidesSecretsAndKeepsTheRest) {
    struct Case {
        const char* url;
        const char* expected;
    };
    const Case cases[] = {
        {"https://repo.example.com/conda-forge/noarch/repodata.json",
         "https://repo.example.com/conda-forge/noarch/repodata.json"},
        {"https://alice:hunter2@repo.example.com/x", "https://***@repo.example.com/x"},
        {"https://token-only@repo.example.com:8443/x?y=1",
         "https://***@repo.example.com:8443/x?y=1"},
        {"https://a.blob.core.windows.net/c/f.tar?sv=2021&sig=abc%2Fdef&se=2030",
         "https://a.blob.core.windows.net/c/f.tar?sv=2021&sig=***&se=2030"},
        {"https://s3.example/b/k?X-Amz-Credential=AKIA&X-Amz-Signature=ff00&X-Amz-Expires=60",
         "https://s3.example/b/k?X-Amz-Credential=***&X-Amz-Signature=***&X-Amz-Expires=60"},
        {"https://h/x?access_token=t1&page=2&private_token=t2#frag",
         "https://h/x?access_token=***&page=2&private_token=***#frag"},
        {"https://conda.anaconda.org/t/tk-123-abc/my-channel/noarch/repodata.json",
         "https://conda.anaconda.org/t/***/my-channel/noarch/repodata.json"},
        {"file:///tmp/channel/noarch/repodata.json", "file:///tmp/channel/noarch/repodata.json"},
        {"not a url", "not a url"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.url);
        EXPECT_EQ(redact_url(c.url), c.expected);
    }
}

TEST(RedactTest, RedactingTwiceChangesNothingMore) {
    const auto once = redact_url("https://u:p@h/t/tok/c?token=x");
    EXPECT_EQ(redact_url(once), once);
}

TEST(RedactTest, ScrubReplacesEveryOccurrenceLongestFirstByCaller) {
    EXPECT_EQ(scrub("login hunter2 failed: hunter2", {"hunter2", ""}), "login *** failed: ***");
    EXPECT_EQ(scrub("nothing here", {"secret"}), "nothing here");
}

TEST(RedactTest, HostOfAUrl) {
    EXPECT_EQ(url_host("https://Repo.Example.com:443/x"), "repo.example.com");
    EXPECT_EQ(url_host("http://u:p@127.0.0.1:8080/"), "127.0.0.1");
    EXPECT_EQ(url_host("http://[::1]:8080/x"), "::1");
    EXPECT_EQ(url_host("file:///tmp/x"), "");
}

}  // namespace
}  // namespace envsmith::core
