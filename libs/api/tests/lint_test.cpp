#include "envsmith/api/lint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <iostream>

#include "envsmith/api/local_filesystem.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"

namespace envsmith::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> rules_of(const LintReport& report) {
    std::vector<std::string> out;
    for (const auto& f : report.findings) {
        out.push_back(f.rule);
    }
    return out;
}

/// Fails the write number `fail_at` (0-based), and only that one.
class FailingWrites final : public core::FileSystem {
public:
    FailingWrites(test::MemoryFileSystem& base, int fail_at) : m_base(base), m_fail_at(fail_at) {}
    core::Result<std::string> read_file(const std::string& path) override { return m_base.read_file(path); }
    core::Status write_file(const std::string& path, std::string_view content) override {
        if (m_writes++ == m_fail_at) {
            return core::make_error(core::ErrorCode::unavailable, "fs.write_failed", "disk full");
        }
        return m_base.write_file(path, content);
    }
    core::FileKind kind(const std::string& path) override { return m_base.kind(path); }
    core::Result<std::vector<std::string>> list_directory(const std::string& path) override {
        return m_base.list_directory(path);
    }
    core::Status create_directories(const std::string& path) override { return m_base.create_directories(path); }

private:
    test::MemoryFileSystem& m_base;
    int m_fail_at;
    int m_writes = 0;
};

const char* const azure_yaml = "name: train\nimage: myacr.azurecr.io//base:1\nconda_file: conda.yml\n";
const char* const conda_yaml =
    "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip:\n    - flask==3.0.0\n";

TEST(LintUseCaseTest, ReadsTheCondaFileBesideTheAzureMlYaml) {
    test::MemoryFileSystem fs;
    fs.add("proj/env.yml", azure_yaml);
    fs.add("proj/conda.yml", conda_yaml);
    const auto report = lint(fs, {"proj/env.yml", "", ApplyFixes::no, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_THAT(rules_of(*report), ElementsAre("lint.pip_missing", "lint.image_ref_double_slash"));
    EXPECT_EQ(report->findings[0].where.file, "proj/conda.yml");
    EXPECT_EQ(report->findings[0].where.line, 5U);
    EXPECT_THAT(report->files, ElementsAre("proj/env.yml", "proj/conda.yml"));
    EXPECT_EQ(report->fixed, 0U);
    EXPECT_EQ(*fs.read_file("proj/conda.yml"), conda_yaml);  // nothing written without --fix
}

TEST(LintUseCaseTest, FixAppliesSafeEditsInEveryFileAndReparses) {
    test::MemoryFileSystem fs;
    fs.add("proj/env.yml", azure_yaml);
    fs.add("proj/conda.yml", conda_yaml);
    const auto report = lint(fs, {"proj/env.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->fixed, 2U);
    EXPECT_THAT(report->fixed_files, ElementsAre("proj/conda.yml", "proj/env.yml"));
    EXPECT_TRUE(report->findings.empty()) << report->findings.front().rule;
    EXPECT_EQ(*fs.read_file("proj/env.yml"), "name: train\nimage: myacr.azurecr.io/base:1\nconda_file: conda.yml\n");
    EXPECT_EQ(*fs.read_file("proj/conda.yml"),
              "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=24.0\n  - numpy=1.26\n  - pip:\n"
              "    - flask==3.0.0\n");
    // A second run has nothing left to fix and changes nothing.
    const auto again = lint(fs, {"proj/env.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ(again->fixed, 0U);
}

TEST(LintUseCaseTest, FixLeavesFindingsWithoutASafeEditAlone) {
    test::MemoryFileSystem fs;
    const std::string text = "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - numpy\n"
                             "  - pip:\n    - requests\n";
    fs.add("environment.yml", text);
    const auto report = lint(fs, {"environment.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->fixed, 1U);
    EXPECT_THAT(rules_of(*report), ElementsAre("lint.conda_dependency_unpinned", "lint.pip_dependency_unpinned"));
    EXPECT_EQ(*fs.read_file("environment.yml"),
              "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=24.0\n  - numpy\n"
              "  - pip:\n    - requests\n");
}

TEST(LintUseCaseTest, AFailedWriteRestoresTheFilesAlreadyWritten) {
    test::MemoryFileSystem memory;
    memory.add("proj/env.yml", azure_yaml);
    memory.add("proj/conda.yml", conda_yaml);
    FailingWrites fs(memory, 1);
    const auto report = lint(fs, {"proj/env.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(report, test::FailsWithId("fs.write_failed"));
    EXPECT_EQ(*memory.read_file("proj/env.yml"), azure_yaml);
    EXPECT_EQ(*memory.read_file("proj/conda.yml"), conda_yaml);
}

TEST(LintUseCaseTest, ReadsTheDockerfileOfTheBuildContextAndFixesIt) {
    test::MemoryFileSystem fs;
    fs.add("env.yml", "name: sys\nbuild:\n  path: ctx\n  dockerfile_path: docker/Dockerfile\n");
    fs.add("ctx/docker/Dockerfile", "FROM debian:bookworm\nRUN apt-get install -y python3\nRUN pip install x==1\n");
    const auto report = lint(fs, {"env.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->fixed, 1U);
    EXPECT_TRUE(report->findings.empty());
    EXPECT_EQ(*fs.read_file("ctx/docker/Dockerfile"),
              "FROM debian:bookworm\nRUN apt-get install -y python3 python3-distutils\nRUN pip install x==1\n");
}

TEST(LintUseCaseTest, ReadsIncludedRequirementsFiles) {
    test::MemoryFileSystem fs;
    fs.add("reqs/requirements.txt", "-r base.txt\nflask==3.0.0\n");
    fs.add("reqs/base.txt", "--index-url http://mirror.example.com/simple\nrequests\n");
    const auto report = lint(fs, {"reqs/requirements.txt", "", ApplyFixes::no, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_THAT(rules_of(*report), ElementsAre("lint.index_http", "lint.pip_dependency_unpinned"));
    EXPECT_EQ(report->findings[1].where.file, "reqs/base.txt");
    EXPECT_EQ(report->findings[1].where.line, 2U);
}

TEST(LintUseCaseTest, ParseErrorsAreErrorsWithTheirLocation) {
    test::MemoryFileSystem fs;
    fs.add("env.yml", "name: x\nimage: ubuntu:22.04\nconda_file: conda.yml\n");
    fs.add("conda.yml", "dependencies:\n  - python=3.11\n  - numpy >=>1\n");
    const auto report = lint(fs, {"env.yml", "", ApplyFixes::yes, {}});
    ASSERT_THAT(report, test::FailsWith(core::ErrorCode::invalid_input));
    ASSERT_TRUE(report.error().where.has_value());
    EXPECT_EQ(report.error().where->file, "conda.yml");
    EXPECT_EQ(report.error().where->line, 3U);

    const auto missing = lint(fs, {"nope.yml", "", ApplyFixes::no, {}});
    EXPECT_THAT(missing, test::FailsWithId("fs.not_found"));
}

TEST(LintUseCaseTest, ImageAndBuildIsAFindingAndTheRestIsStillLinted) {
    test::MemoryFileSystem fs;
    fs.add("env.yml", "name: base\nimage: ubuntu\nbuild:\n  path: ctx\n");
    const auto report = lint(fs, {"env.yml", "", ApplyFixes::no, {}});
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_THAT(rules_of(*report), ElementsAre("lint.env_name_reserved", "lint.image_untagged", "lint.image_and_build"));
}

TEST(LintUseCaseTest, PlatformSkipsSelectorsOfOtherPlatforms) {
    test::MemoryFileSystem fs;
    fs.add("environment.yml",
           "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - sel(win): python=3.10\n");
    const auto all = lint(fs, {"environment.yml", "", ApplyFixes::no, {}});
    ASSERT_THAT(all, test::Succeeds());
    EXPECT_THAT(rules_of(*all), ElementsAre("lint.python_multiple"));
    const auto linux_only = lint(fs, {"environment.yml", "linux-64", ApplyFixes::no, {}});
    ASSERT_THAT(linux_only, test::Succeeds());
    EXPECT_TRUE(linux_only->findings.empty());
}

/// Every example and test definition in the repository: lint never crashes, reads each one
/// (or reports its parse error), and the counts are printed for the record.
TEST(LintUseCaseTest, LintsEveryExampleAndTestDefinition) {
    namespace stdfs = std::filesystem;
    const stdfs::path root = ENVSMITH_SOURCE_DIR;
    std::vector<std::string> files;
    for (const auto* dir : {"examples", "tests/data/definitions"}) {
        for (const auto& entry : stdfs::recursive_directory_iterator(root / dir)) {
            const auto name = entry.path().filename().string();
            if (entry.is_regular_file() &&
                (name == "env.yml" || name == "environment.yml" || name == "requirements.txt")) {
                files.push_back(stdfs::relative(entry.path(), root).string());
            }
        }
    }
    std::sort(files.begin(), files.end());
    ASSERT_GE(files.size(), 10U);
    const auto previous = stdfs::current_path();
    stdfs::current_path(root);
    LocalFileSystem fs;
    for (const auto& file : files) {
        SCOPED_TRACE(file);
        const auto report = lint(fs, {file, "", ApplyFixes::no, {}});
        if (!report) {
            std::cout << file << ": error " << report.error().message_id << "\n";
            EXPECT_THAT(file, HasSubstr("bad-spec"));
            continue;
        }
        std::cout << file << ": " << report->findings.size() << " finding(s)";
        for (const auto& f : report->findings) {
            std::cout << " " << f.rule;
        }
        std::cout << "\n";
        if (file.find("clean") != std::string::npos || file.starts_with("examples/azureml-sklearn") ||
            file.starts_with("examples/conda-pip") || file.starts_with("examples/requirements-hashes")) {
            EXPECT_TRUE(report->findings.empty());
        }
        if (file.find("/lint/") != std::string::npos && file.find("clean") == std::string::npos) {
            EXPECT_FALSE(report->findings.empty());
        }
    }
    stdfs::current_path(previous);
}

}  // namespace
}  // namespace envsmith::api
