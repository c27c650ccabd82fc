#include "envsmith/specs/image_ref.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::HasSubstr;

const std::string sha = "sha256:" + std::string(64, 'a');

struct GoodCase {
    std::string text;
    std::string registry;
    std::string repository;
    std::string tag;
    std::string digest;
    std::string full;
    std::string familiar;
};

TEST(ImageRefTest, ParsesAndNormalises) {
    const std::vector<GoodCase> cases = {
        {"ubuntu", "docker.io", "library/ubuntu", "latest", "", "docker.io/library/ubuntu:latest",
         "ubuntu:latest"},
        {"ubuntu:22.04", "docker.io", "library/ubuntu", "22.04", "",
         "docker.io/library/ubuntu:22.04", "ubuntu:22.04"},
        {"docker.io/library/ubuntu", "docker.io", "library/ubuntu", "latest", "",
         "docker.io/library/ubuntu:latest", "ubuntu:latest"},
        {"index.docker.io/library/python:3.12-slim", "docker.io", "library/python", "3.12-slim",
         "", "docker.io/library/python:3.12-slim", "python:3.12-slim"},
        {"index.docker.io/ubuntu", "docker.io", "library/ubuntu", "latest", "",
         "docker.io/library/ubuntu:latest", "ubuntu:latest"},
        {"continuumio/miniconda3:24.1.2-0", "docker.io", "continuumio/miniconda3", "24.1.2-0", "",
         "docker.io/continuumio/miniconda3:24.1.2-0", "continuumio/miniconda3:24.1.2-0"},
        {"mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest", "mcr.microsoft.com",
         "azureml/openmpi4.1.0-ubuntu22.04", "latest", "",
         "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest",
         "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest"},
        {"localhost/app", "localhost", "app", "latest", "", "localhost/app:latest",
         "localhost/app:latest"},
        {"localhost:5000/team/app:v1", "localhost:5000", "team/app", "v1", "",
         "localhost:5000/team/app:v1", "localhost:5000/team/app:v1"},
        {"127.0.0.1:5000/app", "127.0.0.1:5000", "app", "latest", "", "127.0.0.1:5000/app:latest",
         "127.0.0.1:5000/app:latest"},
        {"[::1]:5000/app:1", "[::1]:5000", "app", "1", "", "[::1]:5000/app:1", "[::1]:5000/app:1"},
        {"[fe80::1]/app", "[fe80::1]", "app", "latest", "", "[fe80::1]/app:latest",
         "[fe80::1]/app:latest"},
        {"ubuntu@" + sha, "docker.io", "library/ubuntu", "", sha,
         "docker.io/library/ubuntu@" + sha, "ubuntu@" + sha},
        {"myacr.azurecr.io/app:1.0@" + sha, "myacr.azurecr.io", "app", "1.0", sha,
         "myacr.azurecr.io/app:1.0@" + sha, "myacr.azurecr.io/app:1.0@" + sha},
        {"a/b__c/d-----e/f.g_h:_TAG-x.1", "docker.io", "a/b__c/d-----e/f.g_h", "_TAG-x.1", "",
         "docker.io/a/b__c/d-----e/f.g_h:_TAG-x.1", "a/b__c/d-----e/f.g_h:_TAG-x.1"},
        {"MyRegistry.azurecr.io/app", "MyRegistry.azurecr.io", "app", "latest", "",
         "MyRegistry.azurecr.io/app:latest", "MyRegistry.azurecr.io/app:latest"},
        {"docker.io/library/a/b", "docker.io", "library/a/b", "latest", "",
         "docker.io/library/a/b:latest", "library/a/b:latest"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = ImageRef::parse(c.text);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->registry, c.registry);
        EXPECT_EQ(parsed->repository, c.repository);
        EXPECT_EQ(parsed->tag, c.tag);
        EXPECT_EQ(parsed->digest, c.digest);
        EXPECT_EQ(parsed->to_string(), c.full);
        EXPECT_EQ(parsed->familiar(), c.familiar);
        EXPECT_EQ(parsed->name(), c.registry + "/" + c.repository);
        // Invariants: the normalised form and the familiar form parse back to the same value.
        const auto again = ImageRef::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(*again, *parsed);
        const auto short_form = ImageRef::parse(parsed->familiar());
        ASSERT_THAT(short_form, Succeeds());
        EXPECT_EQ(*short_form, *parsed);
    }
}

struct BadCase {
    std::string text;
    std::string id;
    std::uint32_t column;
    std::string hint;  // a substring of the hint, or empty when none is expected
};

TEST(ImageRefTest, NamesTheProblemAndTheColumn) {
    const std::string long_name(256, 'a');
    const std::vector<BadCase> cases = {
        {"", "image_ref.empty", 1, "ubuntu:22.04"},
        {"   ", "image_ref.empty", 1, ""},
        {"https://myacr.azurecr.io/app:1", "image_ref.scheme", 1, "`myacr.azurecr.io/app:1`"},
        {"oci://x/y", "image_ref.scheme", 1, "`x/y`"},
        {"myacr.azurecr.io\\app:1", "image_ref.backslash", 17, "`myacr.azurecr.io/app:1`"},
        {"myacr.azurecr.io//app", "image_ref.double_slash", 17, "`myacr.azurecr.io/app`"},
        {"myacr.azurecr.io/team//app", "image_ref.double_slash", 22,
         "`myacr.azurecr.io/team/app`"},
        {"MyOrg/App:V1", "image_ref.uppercase", 1, "`myorg/app:V1`"},
        {"myacr.azurecr.io/Team/app", "image_ref.uppercase", 18, "`myacr.azurecr.io/team/app`"},
        {"myacr.azurecr.io/myacr.azurecr.io/img", "image_ref.doubled_host", 18,
         "`myacr.azurecr.io/img`"},
        {"myacr.azurecr.io/MYACR.azurecr.io/img:1", "image_ref.doubled_host", 18,
         "`myacr.azurecr.io/img:1`"},
        {"myacr.azurecr.io/myacr.azurecr.io", "image_ref.doubled_host", 18, "<repository>"},
        {" ubuntu", "image_ref.whitespace", 1, "`ubuntu`"},
        {"ubu ntu", "image_ref.whitespace", 4, ""},
        {"/ubuntu", "image_ref.empty_component", 1, ""},
        {"team/", "image_ref.empty_component", 6, ""},
        {":tag", "image_ref.empty_component", 1, ""},
        {"ubuntu:", "image_ref.bad_tag", 8, ""},
        {"ubuntu:-x", "image_ref.bad_tag", 8, ""},
        {"ubuntu:a+b", "image_ref.bad_tag", 9, ""},
        {"ubuntu:a:b", "image_ref.bad_tag", 9, ""},
        {"ubuntu:" + std::string(129, 'a'), "image_ref.bad_tag", 136, ""},
        {"ubuntu@", "image_ref.bad_digest", 8, ""},
        {"ubuntu@sha256", "image_ref.bad_digest", 8, ""},
        {"ubuntu@sha256:abc", "image_ref.bad_digest", 15, ""},
        {"ubuntu@sha256:" + std::string(64, 'A'), "image_ref.bad_digest", 15, ""},
        {"ubuntu@sha256:" + std::string(65, 'a'), "image_ref.bad_digest", 15, ""},
        {"ubuntu@md5:" + std::string(31, 'a'), "image_ref.bad_digest", 12, ""},
        {"ubuntu@1sha:" + std::string(32, 'a'), "image_ref.bad_digest", 8, ""},
        {"ubuntu@sha256:" + std::string(63, 'a') + "g", "image_ref.bad_digest", 78, ""},
        {"a..b/c", "image_ref.bad_host", 3, ""},
        {"-a.io/c", "image_ref.bad_host", 1, ""},
        {"host.io:/c", "image_ref.bad_port", 9, ""},
        {"host.io:12x/c", "image_ref.bad_port", 11, ""},
        {"[::1/c", "image_ref.bad_host", 1, ""},
        {"[::g]/c", "image_ref.bad_host", 4, ""},
        {"[::1]x/c", "image_ref.bad_host", 6, ""},
        {"team/a..b", "image_ref.bad_component", 8, ""},
        {"team/a___b", "image_ref.bad_component", 9, ""},
        {"team/_ab", "image_ref.bad_component", 6, ""},
        {"team/ab-", "image_ref.bad_component", 8, ""},
        {"team/a$b", "image_ref.bad_component", 7, ""},
        {std::string(64, 'f'), "image_ref.hex_name", 1, ""},
        {long_name, "image_ref.too_long", 256, ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = ImageRef::parse(c.text);
        ASSERT_THAT(parsed, FailsWithId(c.id));
        const auto& err = parsed.error();
        EXPECT_EQ(err.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(err.message, HasSubstr("column " + std::to_string(c.column)));
        ASSERT_TRUE(err.where.has_value());
        EXPECT_EQ(err.where->line, 1U);
        EXPECT_EQ(err.where->column, c.column);
        EXPECT_EQ(err.where->line_text, c.text);
        if (c.hint.empty()) {
            continue;
        }
        EXPECT_THAT(err.hint, HasSubstr(c.hint));
    }
}

TEST(ImageRefTest, ErrorsCanBeReanchoredInAFile) {
    auto parsed = ImageRef::parse("myacr.azurecr.io//app");
    ASSERT_FALSE(parsed.has_value());
    const auto err = std::move(parsed)
                         .error()
                         .within(core::SourceLocation{"env.yml", 4, 8, "image: myacr..."});
    ASSERT_TRUE(err.where.has_value());
    EXPECT_EQ(err.where->file, "env.yml");
    EXPECT_EQ(err.where->line, 4U);
    EXPECT_EQ(err.where->column, 24U);
}

TEST(ImageRefTest, NameOfExactly255CharactersIsAccepted) {
    const std::string name = "host.io/" + std::string(247, 'b');
    EXPECT_THAT(ImageRef::parse(name), Succeeds());
    EXPECT_THAT(ImageRef::parse(name + "b"), FailsWithId("image_ref.too_long"));
}

// Found by fuzz_image_ref: the limit applies to the normalised name, `docker.io/library/`
// included, or the normal form of an accepted reference would not parse.
TEST(ImageRefTest, TheLengthLimitCountsTheNormalisedName) {
    const std::string bare(240, 'b');  // 240 here, 258 as docker.io/library/bbb...
    EXPECT_THAT(ImageRef::parse(bare), FailsWithId("image_ref.too_long"));
    const std::string fits(255 - std::string("docker.io/library/").size(), 'b');
    const auto ok = ImageRef::parse(fits);
    ASSERT_THAT(ok, Succeeds());
    EXPECT_THAT(ImageRef::parse(ok->to_string()), Succeeds());
}

}  // namespace
}  // namespace envsmith::specs
