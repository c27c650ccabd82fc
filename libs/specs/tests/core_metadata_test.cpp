#include "envsmith/specs/core_metadata.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(CoreMetadataTest, ParsesHeadersContinuationsAndRepeatedFields) {
    const auto parsed = CoreMetadata::parse(
        "Metadata-Version: 2.1\r\n"
        "Name: Foo_Bar\r\n"
        "Version: 1.0-1\r\n"
        "Summary: A summary\r\n"
        "Requires-Python: >=3.8, <4\r\n"
        "Requires-Dist: requests (>=2.0)\r\n"
        "Requires-Dist: pytest ; extra == 'test'\r\n"
        "Provides-Extra: test\r\n"
        "License: line one\r\n"
        "        line two\r\n"
        "Classifier: A\r\n"
        "Classifier: B\r\n"
        "\r\n"
        "Name: not-a-header: body text is ignored\r\n");
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(parsed->metadata_version, "2.1");
    EXPECT_EQ(parsed->name, "Foo_Bar");
    EXPECT_EQ(parsed->normalized_name(), "foo-bar");
    EXPECT_EQ(parsed->version.to_string(), "1.0.post1");
    EXPECT_EQ(parsed->version_text, "1.0-1");
    EXPECT_EQ(parsed->summary, "A summary");
    ASSERT_TRUE(parsed->requires_python.has_value());
    EXPECT_EQ(parsed->requires_python->to_string(), "<4,>=3.8");
    ASSERT_EQ(parsed->requires_dist.size(), 2U);
    EXPECT_EQ(parsed->requires_dist[0].to_string(), "requests>=2.0");
    EXPECT_EQ(parsed->requires_dist[1].name, "pytest");
    EXPECT_THAT(parsed->provides_extra, ElementsAre("test"));
    EXPECT_EQ(parsed->license, "line one\nline two");
    EXPECT_THAT(parsed->classifiers, ElementsAre("A", "B"));
    EXPECT_THAT(parsed->get_all("classifier"), ElementsAre("A", "B"));
    ASSERT_NE(parsed->get("SUMMARY"), nullptr);
    EXPECT_EQ(parsed->fields.size(), 11U);
    EXPECT_EQ(parsed->fields[4].line, 5U);
}

TEST(CoreMetadataTest, RequiresPythonIsUnsetWhenAbsent) {
    const auto parsed = CoreMetadata::parse("Metadata-Version: 1.0\nName: a\nVersion: 1\n");
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_FALSE(parsed->requires_python.has_value());
    EXPECT_TRUE(parsed->requires_dist.empty());
}

TEST(CoreMetadataTest, SingleUseFieldsKeepTheirFirstValue) {
    const auto parsed = CoreMetadata::parse(
        "Metadata-Version: 2.1\nName: a\nVersion: 1\nSummary: one\nSummary: two\n");
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(parsed->summary, "one");
}

TEST(CoreMetadataTest, ErrorsNameTheLineAndTheField) {
    struct Case {
        const char* text;
        std::uint32_t line;
        const char* field;
        const char* problem;
    };
    const Case cases[] = {
        {"Metadata-Version: 2.1\nName: a\nVersion: one\n", 3, "Version", "invalid version"},
        {"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: a b c\n", 4, "Requires-Dist",
         "invalid"},
        {"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Python: >=x\n", 4, "Requires-Python",
         "invalid"},
        {"Metadata-Version: 2.1\nName: a\nno colon here\n", 3, "", "header"},
        {"  leading continuation\n", 1, "", "continuation"},
        {"Metadata-Version: 2.1\nName: -bad-\nVersion: 1\n", 2, "Name", "valid package name"},
        {"Metadata-Version: 2.1\nVersion: 1\n", 1, "Name", "missing"},
        {"Name: a\nVersion: 1\n", 1, "Metadata-Version", "missing"},
        {"Metadata-Version: 2.1\nName: a\n", 1, "Version", "missing"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = CoreMetadata::parse(c.text, "pkg.dist-info/METADATA");
        ASSERT_THAT(parsed, FailsWithId("spec.metadata.invalid"));
        const auto& error = parsed.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->file, "pkg.dist-info/METADATA");
        EXPECT_EQ(error.where->line, c.line);
        EXPECT_EQ(error.arg_value("line"), std::to_string(c.line));
        EXPECT_EQ(error.arg_value("field"), c.field);
        EXPECT_THAT(error.message, HasSubstr(fmt::format("pkg.dist-info/METADATA:{}:", c.line)));
        EXPECT_THAT(error.message + std::string(error.arg_value("problem")), HasSubstr(c.problem));
    }
}

TEST(CoreMetadataTest, ValueColumnPointsIntoTheLine) {
    const auto parsed = CoreMetadata::parse("Metadata-Version: 2.1\nName: a\nVersion:   x1\n");
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().where->column, 12U);
    EXPECT_EQ(parsed.error().where->line_text, "Version:   x1");
}

TEST(CoreMetadataConformanceTest, PackagingEverythingMetadata) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const auto text = test::read_text(dir + "/packaging/tests/metadata/everything.metadata");
    ASSERT_FALSE(text.empty());
    const auto parsed = CoreMetadata::parse(text, "everything.metadata");
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(parsed->metadata_version, "2.6");
    EXPECT_EQ(parsed->name, "BeagleVote");
    EXPECT_EQ(parsed->version.to_string(), "1.0a2");
    ASSERT_TRUE(parsed->requires_python.has_value());
    EXPECT_FALSE(parsed->requires_dist.empty());
    EXPECT_FALSE(parsed->provides_extra.empty());
    EXPECT_FALSE(parsed->summary.empty());
    EXPECT_FALSE(parsed->classifiers.empty());
    EXPECT_FALSE(parsed->project_urls.empty());
}

/// `<name>-<version>.dist-info`: the name and version a METADATA file must agree with.
TEST(CoreMetadataConformanceTest, EveryCondaEnvMetadataParsesAndMatchesItsFolder) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = dir + "/conda/tests/data/env_metadata";
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (entry.path().filename() != "METADATA") {
            continue;
        }
        const auto folder = entry.path().parent_path().filename().string();
        SCOPED_TRACE(entry.path().string());
        const auto parsed =
            CoreMetadata::parse(test::read_text(entry.path().string()), entry.path().string());
        ASSERT_THAT(parsed, Succeeds());
        ++count;
        const auto suffix = std::string(".dist-info");
        ASSERT_TRUE(folder.ends_with(suffix));
        const auto stem = folder.substr(0, folder.size() - suffix.size());
        const auto dash = stem.rfind('-');
        ASSERT_NE(dash, std::string::npos);
        EXPECT_EQ(normalize_package_name(stem.substr(0, dash)), parsed->normalized_name());
        const auto folder_version = Pep440Version::parse(stem.substr(dash + 1));
        ASSERT_THAT(folder_version, Succeeds());
        EXPECT_EQ(*folder_version, parsed->version);
    }
    EXPECT_EQ(count, 167U);
}

TEST(CoreMetadataConformanceTest, EveryPoetryPypiMetadataParsesLeniently) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root =
        dir + "/poetry/tests/repositories/fixtures/pypi.org/metadata";
    std::size_t count = 0;
    std::size_t lenient = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        if (entry.path().extension() != ".metadata") {
            continue;
        }
        SCOPED_TRACE(entry.path().string());
        const auto text = test::read_text(entry.path().string());
        const auto filename = entry.path().filename().string();
        auto parsed = CoreMetadata::parse(text, filename, MetadataStrictness::lenient);
        ASSERT_THAT(parsed, Succeeds());
        ++count;
        if (!parsed->problems.empty()) {
            // Only a real upload's broken requirement: a strict parse names it.
            ++lenient;
            EXPECT_THAT(CoreMetadata::parse(text, filename), FailsWithId("spec.metadata.invalid"));
            EXPECT_EQ(parsed->problems.front().arg_value("field"), "Requires-Dist");
        }
        // "<name>-<version>-...whl.metadata" or "<name>-<version>.tar.gz.metadata"
        EXPECT_TRUE(normalize_package_name(filename).starts_with(parsed->normalized_name() + "-"))
            << parsed->name;
        const auto version_text =
            normalize_package_name(filename).substr(parsed->normalized_name().size() + 1);
        EXPECT_TRUE(version_text.starts_with(normalize_package_name(parsed->version_text)))
            << parsed->version_text;
    }
    EXPECT_GT(count, 10U);
    EXPECT_EQ(lenient, 1U);  // ipython-4.1.0rc1
}

}  // namespace
}  // namespace envsmith::specs
