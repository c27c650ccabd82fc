#include "envsmith/api/load_definition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"
#include "memory_fs.hpp"

namespace envsmith::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class LoadDefinitionTest : public ::testing::Test {
protected:
    core::Result<LoadedDefinition> load(const std::string& path, std::string platform = "linux-64") {
        return load_definition(m_fs, LoadOptions{path, std::move(platform), {}});
    }
    test::MemoryFileSystem m_fs;
};

TEST_F(LoadDefinitionTest, AzureMlWithCondaFileBesideIt) {
    m_fs.add("proj/env.yml",
             "name: train\nversion: 2\nimage: mcr.microsoft.com/azureml/base:1\nconda_file: conda.yml\n");
    m_fs.add("proj/conda.yml",
             "name: ignored\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy >=1.26\n"
             "  - pip:\n    - requests==2.31.0\n");
    const auto loaded = load("proj/env.yml");
    ASSERT_THAT(loaded, test::Succeeds());
    const auto& d = loaded->definition;
    EXPECT_EQ(d.source_kind, specs::SourceKind::azureml);
    EXPECT_EQ(d.name, "train");
    EXPECT_EQ(d.prefix_name, "train");
    EXPECT_EQ(d.image, "mcr.microsoft.com/azureml/base:1");
    ASSERT_TRUE(d.conda.has_value());
    EXPECT_THAT(d.conda->channels, ElementsAre("conda-forge"));
    EXPECT_EQ(d.conda->dependencies.size(), 2U);
    ASSERT_TRUE(d.pip.has_value());
    ASSERT_EQ(d.pip->requirements.size(), 1U);
    EXPECT_EQ(d.pip->requirements[0].requirement, "requests==2.31.0");
    EXPECT_THAT(loaded->files, ElementsAre("proj/env.yml", "proj/conda.yml"));
    EXPECT_EQ(loaded->hash, specs::definition_hash(d));
}

TEST_F(LoadDefinitionTest, SameMeaningInAnotherSpellingGivesTheSameHash) {
    m_fs.add("a/environment.yml",
             "name: x\nchannels:\n  - conda-forge\ndependencies:\n  - numpy>=1.26\n  - python=3.11\n");
    m_fs.add("b/environment.yml",
             "# comment\ndependencies: [ \"python =3.11\", numpy >=1.26 ]\nchannels: [conda-forge]\nname: x\n");
    const auto a = load("a/environment.yml");
    const auto b = load("b/environment.yml");
    ASSERT_THAT(a, test::Succeeds());
    ASSERT_THAT(b, test::Succeeds());
    EXPECT_EQ(a->hash, b->hash);
    EXPECT_EQ(specs::canonical_json(a->definition), specs::canonical_json(b->definition));
}

TEST_F(LoadDefinitionTest, ErrorsPointIntoTheFileThatHasThem) {
    m_fs.add("env.yml", "name: x\ndependencies:\n  - numpy\n  - python >=>3\n");
    const auto loaded = load("env.yml");
    ASSERT_THAT(loaded, test::FailsWith(core::ErrorCode::invalid_input));
    ASSERT_TRUE(loaded.error().where.has_value());
    EXPECT_EQ(loaded.error().where->file, "env.yml");
    EXPECT_EQ(loaded.error().where->line, 4U);
    EXPECT_GE(loaded.error().where->column, 5U);
    EXPECT_EQ(loaded.error().where->line_text, "  - python >=>3");
}

TEST_F(LoadDefinitionTest, RequirementsWithIncludesAndHashes) {
    m_fs.add("req/requirements.txt",
             "--index-url https://pypi.example.invalid/simple\n-r base.txt\n"
             "six==1.16.0 --hash=sha256:" + std::string(64, 'a') + "\n");
    m_fs.add("req/base.txt", "requests>=2\n");
    const auto loaded = load("req/requirements.txt");
    ASSERT_THAT(loaded, test::Succeeds());
    const auto& pip = *loaded->definition.pip;
    EXPECT_EQ(pip.index_url, "https://pypi.example.invalid/simple");
    ASSERT_EQ(pip.requirements.size(), 2U);
    EXPECT_EQ(loaded->definition.source_kind, specs::SourceKind::requirements);
    EXPECT_THAT(loaded->files, ElementsAre("req/requirements.txt", "req/base.txt"));
    bool found_hash = false;
    for (const auto& r : pip.requirements) {
        if (!r.hashes.empty()) {
            found_hash = true;
            EXPECT_THAT(r.hashes[0], HasSubstr("sha256:"));
        }
    }
    EXPECT_TRUE(found_hash);
}

TEST_F(LoadDefinitionTest, MissingIncludeIsNotFoundAndNamed) {
    m_fs.add("requirements.txt", "-r missing.txt\n");
    const auto loaded = load("requirements.txt");
    ASSERT_THAT(loaded, test::FailsWith(core::ErrorCode::not_found));
    EXPECT_THAT(loaded.error().describe(), HasSubstr("missing.txt"));
}

TEST_F(LoadDefinitionTest, BuildContextContentIsHashedNotItsPath) {
    const char* yaml = "name: b\nbuild:\n  path: ctx\n";
    m_fs.add("one/env.yml", yaml);
    m_fs.add("one/ctx/Dockerfile", "FROM scratch\n");
    m_fs.add("one/ctx/app/main.py", "print(1)\n");
    test::MemoryFileSystem other;
    const auto first = load("one/env.yml");
    ASSERT_THAT(first, test::Succeeds());
    ASSERT_TRUE(first->definition.build.has_value());
    EXPECT_EQ(first->definition.build->dockerfile_digest, core::sha256("FROM scratch\n").to_string());

    m_fs.add("two/env.yml", yaml);
    m_fs.add("two/ctx/Dockerfile", "FROM scratch\n");
    m_fs.add("two/ctx/app/main.py", "print(1)\n");
    const auto second = load("two/env.yml");
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ(first->hash, second->hash);

    m_fs.add("two/ctx/app/main.py", "print(2)\n");
    const auto changed = load("two/env.yml");
    ASSERT_THAT(changed, test::Succeeds());
    EXPECT_NE(changed->hash, first->hash);
}

TEST_F(LoadDefinitionTest, MissingBuildContextIsLocated) {
    m_fs.add("env.yml", "name: b\nbuild:\n  path: nowhere\n");
    const auto loaded = load("env.yml");
    ASSERT_THAT(loaded, test::FailsWithId("definition.build_context_missing"));
    ASSERT_TRUE(loaded.error().where.has_value());
    EXPECT_EQ(loaded.error().where->line, 3U);
}

TEST_F(LoadDefinitionTest, PlatformSelectorsAndDefaults) {
    m_fs.add("environment.yml",
             "dependencies:\n  - sel(linux): patchelf\n  - sel(osx): cctools\n  - python\n");
    const auto linux_env = load("environment.yml", "linux-64");
    ASSERT_THAT(linux_env, test::Succeeds());
    EXPECT_EQ(linux_env->definition.conda->dependencies.size(), 2U);
    EXPECT_EQ(linux_env->definition.prefix_name, "env");
    EXPECT_EQ(linux_env->definition.os_type, "linux");
    const auto mac_env = load("environment.yml", "osx-arm64");
    ASSERT_THAT(mac_env, test::Succeeds());
    EXPECT_EQ(mac_env->definition.platform, "osx-arm64");
    EXPECT_NE(mac_env->hash, linux_env->hash);
    const auto host = load("environment.yml", "");
    ASSERT_THAT(host, test::Succeeds());
    EXPECT_EQ(host->definition.platform, host_platform());
}

TEST_F(LoadDefinitionTest, LockFilesAreNotDefinitions) {
    m_fs.add("explicit.txt", "@EXPLICIT\nhttps://conda.example.invalid/x-1-0.conda\n");
    EXPECT_THAT(load("explicit.txt"), test::FailsWithId("definition.lock_not_definition"));
}

}  // namespace
}  // namespace envsmith::api
