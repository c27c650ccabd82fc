#include "envsmith/specs/azureml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

TEST(AzureMlTest, ParsesTheAzureFieldsAndTheExtensions) {
    const std::string text =
        "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
        "name: docker-image-plus-conda-example\n"
        "version: 1\n"
        "description: Environment created from a Docker image plus Conda environment.\n"
        "tags:\n"
        "  team: vision\n"
        "  tier: 2\n"
        "image: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest\n"
        "conda_file: conda-yamls/pydata.yml\n"
        "os_type: Linux\n"
        "inference_config:\n"
        "  liveness_route:\n"
        "    path: /health\n"
        "    port: 5001\n"
        "platform: linux-64\n"
        "user_managed_dependencies: false\n"
        "spark:\n"
        "  packages: [com.microsoft.azure:synapseml_2.12:0.11.0]\n"
        "  repositories: [https://mmlspark.azureedge.net/maven]\n"
        "  precache_packages: true\n"
        "environment_variables:\n"
        "  OMP_NUM_THREADS: 4\n"
        "layering: single\n";
    const auto env = parse_azureml_environment(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->schema,
              "https://azuremlschemas.azureedge.net/latest/environment.schema.json");
    EXPECT_EQ(env->name, "docker-image-plus-conda-example");
    EXPECT_EQ(env->version, "1");
    EXPECT_EQ(env->description, "Environment created from a Docker image plus Conda environment.");
    EXPECT_THAT(env->tags, ElementsAre(Pair("team", "vision"), Pair("tier", "2")));
    EXPECT_EQ(env->image, "mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:latest");
    ASSERT_TRUE(env->conda_file.has_value());
    ASSERT_TRUE(std::holds_alternative<std::string>(*env->conda_file));
    EXPECT_EQ(std::get<std::string>(*env->conda_file), "conda-yamls/pydata.yml");
    EXPECT_EQ(env->os_type, OsType::linux_os);
    EXPECT_THAT(env->inference_config, HasSubstr("path: /health"));
    EXPECT_EQ(env->platform, "linux-64");
    EXPECT_FALSE(env->user_managed_dependencies);
    ASSERT_TRUE(env->spark.has_value());
    EXPECT_THAT(env->spark->packages, ElementsAre("com.microsoft.azure:synapseml_2.12:0.11.0"));
    EXPECT_THAT(env->spark->repositories, ElementsAre("https://mmlspark.azureedge.net/maven"));
    EXPECT_TRUE(env->spark->precache_packages);
    EXPECT_THAT(env->environment_variables, ElementsAre(Pair("OMP_NUM_THREADS", "4")));
    EXPECT_EQ(env->layering.strategy, "single");
    EXPECT_TRUE(env->layering.groups.empty());
    EXPECT_FALSE(env->build.has_value());
    EXPECT_TRUE(env->warnings.empty());

    const auto* image_at = env->location_of("image");
    ASSERT_NE(image_at, nullptr);
    EXPECT_EQ(image_at->line, 8U);
    EXPECT_EQ(image_at->column, 8U);
    ASSERT_NE(env->location_of("spark.packages"), nullptr);
    EXPECT_EQ(env->location_of("spark.packages")->line, 18U);
    EXPECT_EQ(env->location_of("build"), nullptr);
}

TEST(AzureMlTest, BuildContextDefaultsTheDockerfile) {
    const auto env = parse_azureml_environment(
        "name: b\nbuild:\n  path: docker-contexts/python-and-pip\n", "env.yml");
    ASSERT_THAT(env, Succeeds());
    ASSERT_TRUE(env->build.has_value());
    EXPECT_EQ(env->build->path, "docker-contexts/python-and-pip");
    EXPECT_EQ(env->build->dockerfile_path, "Dockerfile");
    EXPECT_EQ(env->location_of("build.path")->line, 3U);
    EXPECT_FALSE(env->conda_file.has_value());

    const auto custom = parse_azureml_environment(
        "build:\n  path: ctx\n  dockerfile_path: docker/Dockerfile.gpu\n", "env.yml");
    ASSERT_THAT(custom, Succeeds());
    EXPECT_EQ(custom->build->dockerfile_path, "docker/Dockerfile.gpu");
}

TEST(AzureMlTest, InlineCondaFileIsAnEnvironmentYml) {
    const std::string text =
        "name: inline\n"
        "image: ubuntu:22.04\n"
        "os_type: windows\n"
        "conda_file:\n"
        "  channels: [conda-forge]\n"
        "  dependencies:\n"
        "    - python=3.10\n"
        "    - pip:\n"
        "        - azureml-core\n"
        "  categroy: x\n";
    const auto env = parse_azureml_environment(text, "aml.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->os_type, OsType::windows_os);
    ASSERT_TRUE(env->conda_file.has_value());
    ASSERT_TRUE(std::holds_alternative<EnvironmentYml>(*env->conda_file));
    const auto& conda = std::get<EnvironmentYml>(*env->conda_file);
    EXPECT_THAT(conda.channels, ElementsAre("conda-forge"));
    ASSERT_EQ(conda.dependencies.size(), 1U);
    EXPECT_EQ(conda.dependencies[0].location,
              (core::SourceLocation{"aml.yml", 7, 7, "    - python=3.10"}));
    ASSERT_EQ(conda.pip.size(), 1U);
    EXPECT_EQ(conda.pip[0].text, "azureml-core");
    // The inline file's warnings move to the top level.
    EXPECT_TRUE(conda.warnings.empty());
    ASSERT_EQ(env->warnings.size(), 1U);
    EXPECT_EQ(env->warnings[0].message_id, "env.yml.unknown_key");
    EXPECT_EQ(env->warnings[0].where->line, 10U);
}

TEST(AzureMlTest, LayeringGroups) {
    const std::string text =
        "image: ubuntu\n"
        "layering:\n"
        "  - [python, pip]\n"
        "  - name: cuda\n"
        "    packages: [cudatoolkit, cudnn]\n";
    const auto env = parse_azureml_environment(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->layering.strategy, "groups");
    ASSERT_EQ(env->layering.groups.size(), 2U);
    EXPECT_EQ(env->layering.groups[0].name, "layer-1");
    EXPECT_THAT(env->layering.groups[0].packages, ElementsAre("python", "pip"));
    EXPECT_EQ(env->layering.groups[1].name, "cuda");
    EXPECT_THAT(env->layering.groups[1].packages, ElementsAre("cudatoolkit", "cudnn"));
}

TEST(AzureMlTest, UnknownKeysAreWarnings) {
    const std::string text =
        "name: x\n"
        "imag: ubuntu\n"
        "build:\n"
        "  path: ctx\n"
        "  dockerfile: Dockerfile\n"
        "spark:\n"
        "  precache: true\n";
    const auto env = parse_azureml_environment(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    ASSERT_EQ(env->warnings.size(), 3U);
    for (const auto& w : env->warnings) {
        EXPECT_EQ(w.message_id, "azureml.unknown_key");
        EXPECT_EQ(w.code, core::ErrorCode::invalid_input);
    }
    EXPECT_EQ(env->warnings[0].where, (core::SourceLocation{"env.yml", 2, 1, "imag: ubuntu"}));
    EXPECT_EQ(env->warnings[0].hint, "did you mean `image`?");
    EXPECT_EQ(env->warnings[1].where->line, 5U);
    EXPECT_EQ(env->warnings[1].where->column, 3U);
    EXPECT_EQ(env->warnings[2].where->line, 7U);
    EXPECT_EQ(env->image, "");
}

struct ErrorCase {
    std::string name;
    std::string text;
    std::string id;
    std::uint32_t line;
    std::uint32_t column;
    std::string message;
};

TEST(AzureMlTest, ErrorsNameTheLocationAndWhatWasExpected) {
    const std::vector<ErrorCase> cases = {
        {"empty", "", "azureml.empty", 1, 1, "has no content"},
        {"list", "- a\n", "azureml.not_mapping", 1, 1, "found a list"},
        {"syntax", "name: [x\n", "yaml.syntax", 2, 1, "invalid YAML"},
        {"duplicate", "name: a\nimage: b\nname: c\n", "azureml.duplicate_key", 3, 1,
         "duplicate key `name`"},
        {"image as list", "image: [a]\n", "azureml.type", 1, 8,
         "expected a string for `image`, found a list"},
        {"tags as list", "tags: [a]\n", "azureml.type", 1, 7,
         "expected a mapping of names to strings for `tags`, found a list"},
        {"tag value mapping", "tags:\n  a: {b: c}\n", "azureml.type", 2, 6,
         "expected a string for `tags.a`, found a mapping"},
        {"os type", "os_type: macos\n", "azureml.os_type", 1, 10, "unknown `os_type` `macos`"},
        {"conda_file list", "conda_file: [a]\n", "azureml.type", 1, 13,
         "expected a path to a conda environment file or an inline conda environment for "
         "`conda_file`, found a list"},
        {"conda_file empty", "conda_file:\nname: x\n", "azureml.type", 1, 11, "`conda_file`"},
        {"inline conda_file error", "conda_file:\n  channels: x\n", "env.yml.type", 2, 13,
         "expected a list of strings for `channels`, found a string"},
        {"build string", "build: ./ctx\n", "azureml.type", 1, 8,
         "expected a mapping with `path` and `dockerfile_path` for `build`"},
        {"build without path", "build:\n  dockerfile_path: D\n", "azureml.build_path", 2, 3,
         "`build` needs `path`"},
        {"image and build", "image: ubuntu\nbuild:\n  path: ctx\n", "azureml.image_and_build",
         3, 3, "both `image` and `build`"},
        {"umd not bool", "user_managed_dependencies: maybe\n", "azureml.type", 1, 28,
         "expected `true` or `false` for `user_managed_dependencies`, found a string"},
        {"spark list", "spark: [a]\n", "azureml.type", 1, 8, "for `spark`, found a list"},
        {"spark packages", "spark:\n  packages: a\n", "azureml.type", 2, 13,
         "expected a list of strings for `spark.packages`, found a string"},
        {"spark precache", "spark:\n  precache_packages: [x]\n", "azureml.type", 2, 22,
         "expected `true` or `false` for `spark.precache_packages`"},
        {"env vars list", "environment_variables: [a]\n", "azureml.type", 1, 24,
         "for `environment_variables`, found a list"},
        {"layering mapping", "layering: {a: b}\n", "azureml.layering", 1, 11,
         "expected a strategy name or a list of layer groups for `layering`, found a mapping"},
        {"layering empty string", "layering: ''\n", "azureml.layering", 1, 11,
         "empty `layering` strategy"},
        {"layering group scalar", "layering:\n  - numpy\n", "azureml.layering", 2, 5,
         "expected a layer group"},
        {"layering group without packages", "layering:\n  - name: a\n", "azureml.layering", 2,
         5, "a layer group needs `packages`"},
        {"layering package twice", "layering:\n  - [a, b]\n  - [c, a]\n", "azureml.layering", 3,
         5, "package `a` is in more than one layer group"},
        {"layering packages not list", "layering:\n  - packages: a\n", "azureml.type", 2, 15,
         "expected a list of strings for `layering.packages`, found a string"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto env = parse_azureml_environment(c.text, "env.yml");
        ASSERT_THAT(env, FailsWithId(c.id));
        const auto& err = env.error();
        EXPECT_EQ(err.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(err.message, HasSubstr(c.message));
        ASSERT_TRUE(err.where.has_value());
        EXPECT_EQ(err.where->file, "env.yml");
        EXPECT_EQ(err.where->line, c.line);
        EXPECT_EQ(err.where->column, c.column);
    }
}

struct KindCase {
    std::string name;
    std::string text;
    std::string file_name;
    InputKind kind;
};

TEST(AzureMlTest, DetectsTheInputKind) {
    const std::vector<KindCase> cases = {
        {"azure schema",
         "$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\n"
         "name: x\n",
         "env.yml", InputKind::azureml_environment},
        {"azure image", "name: x\nimage: ubuntu\nconda_file: c.yml\n", "env.yml",
         InputKind::azureml_environment},
        {"azure build", "build:\n  path: .\n", "e.yaml", InputKind::azureml_environment},
        {"conda env", "name: x\nchannels: [a]\ndependencies: [b]\n", "environment.yml",
         InputKind::conda_environment},
        {"conda env only deps", "dependencies:\n  - numpy\n", "x", InputKind::conda_environment},
        {"conda lock", "version: 1\nmetadata:\n  platforms: [linux-64]\npackage:\n  - name: a\n",
         "conda-lock.yml", InputKind::conda_lock},
        {"explicit", "# platform: linux-64\n@EXPLICIT\nhttps://x/a-1-0.conda\n", "env.txt",
         InputKind::explicit_lock},
        {"requirements by content", "numpy==1.0\npandas>=2 ; python_version > \"3\"\n",
         "deps", InputKind::requirements_txt},
        {"requirements with options", "--index-url https://x/simple\n-r other.txt\nnumpy\n",
         "requirements.txt", InputKind::requirements_txt},
        {"requirements with hashes",
         "a==1 \\\n    --hash=sha256:abcd\n", "requirements.txt", InputKind::requirements_txt},
        {"empty requirements", "", "requirements.in", InputKind::requirements_txt},
        {"empty yml", "", "env.yml", InputKind::unknown},
        {"unknown mapping", "foo: bar\n", "x.yml", InputKind::unknown},
        {"yaml list", "- a\n- b\n", "x.yml", InputKind::unknown},
        {"broken conda env", "name: x\ndependencies:\n  - [numpy\n", "env.yml",
         InputKind::conda_environment},
        {"broken azure env", "image: x\nconda_file: [\n", "env.yml",
         InputKind::azureml_environment},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        EXPECT_EQ(detect_input_kind(c.text, c.file_name), c.kind)
            << to_string(detect_input_kind(c.text, c.file_name));
    }
}

TEST(AzureMlTest, SurvivesHostileInput) {
    const std::vector<std::string> inputs = {
        std::string(5000, '['), "conda_file: &c\n  dependencies: [*c]\n",
        "layering: &l [*l]\n", "inference_config: &i {a: *i}\n", std::string("\0\0", 2),
    };
    for (const auto& text : inputs) {
        SCOPED_TRACE(text.substr(0, 40));
        const auto env = parse_azureml_environment(text, "x.yml");
        if (!env.has_value()) {
            EXPECT_NE(env.error().message_id, "");
        }
        (void)detect_input_kind(text, "x.yml");
    }
}

}  // namespace
}  // namespace envsmith::specs
