#include "envsmith/specs/environment_yml.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::vector<std::string> texts(const std::vector<CondaDependency>& deps) {
    std::vector<std::string> out;
    for (const auto& d : deps) {
        out.push_back(d.text);
    }
    return out;
}

std::vector<std::string> texts(const std::vector<PipDependency>& deps) {
    std::vector<std::string> out;
    for (const auto& d : deps) {
        out.push_back(d.text);
    }
    return out;
}

TEST(EnvironmentYmlTest, ParsesEveryField) {
    const std::string text =
        "name: demo\n"
        "prefix: /opt/env\n"
        "channels:\n"
        "  - conda-forge\n"
        "  - defaults\n"
        "dependencies:\n"
        "  - python=3.11\n"
        "  - numpy>=1.20\n"
        "  - pip\n"
        "  - pip:\n"
        "      - requests==2.31.0\n"
        "      - \"-r requirements.txt\"\n"
        "  - sel(linux): cudatoolkit\n"
        "variables:\n"
        "  MY_VAR: value\n"
        "  NUM: 1\n"
        "  EMPTY:\n";
    const auto env = parse_environment_yml(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->name, "demo");
    EXPECT_EQ(env->prefix, "/opt/env");
    EXPECT_THAT(env->channels, ElementsAre("conda-forge", "defaults"));
    EXPECT_THAT(texts(env->dependencies),
                ElementsAre("python=3.11", "numpy>=1.20", "pip", "cudatoolkit"));
    EXPECT_THAT(texts(env->pip), ElementsAre("requests==2.31.0", "-r requirements.txt"));
    EXPECT_THAT(env->variables,
                ElementsAre(Pair("MY_VAR", "value"), Pair("NUM", "1"), Pair("EMPTY", "")));
    EXPECT_TRUE(env->warnings.empty());

    EXPECT_EQ(env->dependencies[0].selector, "");
    EXPECT_EQ(env->dependencies[3].selector, "linux");
    EXPECT_EQ(env->dependencies[0].location,
              (core::SourceLocation{"env.yml", 7, 5, "  - python=3.11"}));
    EXPECT_EQ(env->dependencies[3].location,
              (core::SourceLocation{"env.yml", 13, 17, "  - sel(linux): cudatoolkit"}));
    EXPECT_EQ(env->pip[0].location,
              (core::SourceLocation{"env.yml", 11, 9, "      - requests==2.31.0"}));
    EXPECT_EQ(env->pip[1].location.line, 12U);
}

TEST(EnvironmentYmlTest, AcceptsFlowListsNullSectionsAndSeveralPipLists) {
    const std::string text =
        "channels: [conda-forge, bioconda]\n"
        "dependencies:\n"
        "  - pip:\n"
        "    - a\n"
        "  - numpy\n"
        "  - pip:\n"
        "    - b\n"
        "  - pip:\n"
        "variables:\n";
    const auto env = parse_environment_yml(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_THAT(env->channels, ElementsAre("conda-forge", "bioconda"));
    EXPECT_THAT(texts(env->dependencies), ElementsAre("numpy"));
    EXPECT_THAT(texts(env->pip), ElementsAre("a", "b"));
    EXPECT_TRUE(env->variables.empty());
    EXPECT_EQ(env->name, "");
}

TEST(EnvironmentYmlTest, KeepsScalarsAsWritten) {
    // `1.10` must not become the number 1.1, nor `06` the number 6.
    const auto env = parse_environment_yml("name: 1.10\ndependencies:\n  - 06\n", "e.yml");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->name, "1.10");
    EXPECT_THAT(texts(env->dependencies), ElementsAre("06"));
}

TEST(EnvironmentYmlTest, UnknownKeysAreWarningsWithLocationAndSuggestion) {
    const std::string text =
        "name: x\n"
        "category: dev\n"
        "dependecies:\n"
        "  - numpy\n";
    const auto env = parse_environment_yml(text, "env.yml");
    ASSERT_THAT(env, Succeeds());
    ASSERT_EQ(env->warnings.size(), 2U);
    const auto& first = env->warnings[0];
    EXPECT_EQ(first.message_id, "env.yml.unknown_key");
    EXPECT_EQ(first.code, core::ErrorCode::invalid_input);
    EXPECT_THAT(first.message, HasSubstr("`category`"));
    EXPECT_EQ(first.where, (core::SourceLocation{"env.yml", 2, 1, "category: dev"}));
    EXPECT_EQ(first.hint, "");
    const auto& second = env->warnings[1];
    EXPECT_EQ(second.message_id, "env.yml.unknown_key");
    EXPECT_EQ(second.where->line, 3U);
    EXPECT_EQ(second.hint, "did you mean `dependencies`?");
    EXPECT_TRUE(env->dependencies.empty());
}

struct ErrorCase {
    std::string name;
    std::string text;
    std::string id;
    std::uint32_t line;
    std::uint32_t column;
    std::string message;  // a substring of the message
    std::string hint;     // a substring of the hint, or empty
};

TEST(EnvironmentYmlTest, ErrorsNameTheLocationAndWhatWasExpected) {
    const std::vector<ErrorCase> cases = {
        {"empty", "", "env.yml.empty", 1, 1, "`env.yml` has no content", ""},
        {"only comments", "# nothing\n\n", "env.yml.empty", 1, 1, "no content", ""},
        {"a list", "- numpy\n- pandas\n", "env.yml.not_mapping", 1, 1, "found a list", ""},
        {"a requirements file", "numpy\npandas\n", "env.yml.not_mapping", 1, 1,
         "found a string", "requirements"},
        {"channels as mapping", "channels:\n  conda-forge: 1\n", "env.yml.type", 2, 3,
         "expected a list of strings for `channels`, found a mapping", ""},
        {"channels as string", "channels: conda-forge\n", "env.yml.type", 1, 11,
         "expected a list of strings for `channels`, found a string", ""},
        {"channel entry list", "channels:\n  - [a]\n", "env.yml.type", 2, 5,
         "expected a list of strings for `channels`, found a list in it", ""},
        {"name as list", "name: [a]\n", "env.yml.type", 1, 7,
         "expected a string for `name`, found a list", ""},
        {"dependencies as string", "dependencies: numpy\n", "env.yml.type", 1, 15,
         "expected a list of match specs for `dependencies`, found a string", ""},
        {"mapping dependency", "dependencies:\n  - numpy: 1.20\n", "env.yml.bad_dependency", 2, 5,
         "found a mapping with key `numpy`", "`- numpy=1.20`"},
        {"list dependency", "dependencies:\n  - [a, b]\n", "env.yml.bad_dependency", 2, 5,
         "found a list", "as a string"},
        {"pip with two keys", "dependencies:\n  - pip: [a]\n    extra: 1\n",
         "env.yml.bad_dependency", 2, 5, "key `pip`", "nested list"},
        {"pip as string", "dependencies:\n  - pip: numpy\n", "env.yml.type", 2, 10,
         "expected a list of strings for `pip`, found a string", ""},
        {"pip entry mapping", "dependencies:\n  - pip:\n    - {a: b}\n", "env.yml.type", 3, 7,
         "found a mapping in it", ""},
        {"empty dependency", "dependencies:\n  - numpy\n  -\n  - scipy\n",
         "env.yml.empty_dependency", 3, 3, "empty entry in `dependencies`", "remove"},
        {"empty string dependency", "dependencies:\n  - ''\n", "env.yml.empty_dependency", 2, 5,
         "empty entry", ""},
        {"empty pip entry", "dependencies:\n  - pip:\n    - a\n    -\n",
         "env.yml.empty_dependency", 4, 5, "empty entry in `pip`", ""},
        {"selector with list", "dependencies:\n  - sel(linux): [a]\n", "env.yml.type", 2, 17,
         "expected a match spec string for `sel(linux)`", ""},
        {"duplicate key", "name: a\nname: b\n", "env.yml.duplicate_key", 2, 1,
         "duplicate key `name`", "merge"},
        {"duplicate variable", "variables:\n  A: 1\n  A: 2\n", "env.yml.duplicate_key", 3, 3,
         "duplicate key `A`", ""},
        {"variables as list", "variables: [a]\n", "env.yml.type", 1, 12,
         "expected a mapping of names to strings for `variables`, found a list", ""},
        {"variable value list", "variables:\n  A: [1]\n", "env.yml.type", 2, 6,
         "expected a string for `variables.A`, found a list", ""},
        {"non-scalar key", "? [a]\n: b\n", "env.yml.bad_key", 1, 3, "expected a string key", ""},
        {"syntax", "name: a\ndependencies: [numpy,\n", "yaml.syntax", 3, 1, "invalid YAML", ""},
        {"bad indentation", "name: a\n  channels: b\n", "yaml.syntax", 2, 11, "invalid YAML", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        const auto env = parse_environment_yml(c.text, "env.yml");
        ASSERT_THAT(env, FailsWithId(c.id));
        const auto& err = env.error();
        EXPECT_EQ(err.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(err.message, HasSubstr(c.message));
        ASSERT_TRUE(err.where.has_value());
        EXPECT_EQ(err.where->file, "env.yml");
        EXPECT_EQ(err.where->line, c.line);
        EXPECT_EQ(err.where->column, c.column);
        if (!c.hint.empty()) {
            EXPECT_THAT(err.hint, HasSubstr(c.hint));
        }
    }
}

TEST(EnvironmentYmlTest, DescribeGivesFileLineAndColumn) {
    const auto env = parse_environment_yml("name: x\nchannels:\n  a: b\n", "env.yml");
    ASSERT_FALSE(env.has_value());
    EXPECT_EQ(env.error().describe(),
              "env.yml:3:3: expected a list of strings for `channels`, found a mapping");
    EXPECT_EQ(env.error().where->line_text, "  a: b");
}

TEST(EnvironmentYmlTest, SurvivesHostileInput) {
    // Deep nesting, aliases, binary junk and unterminated constructs: errors, never crashes.
    const std::vector<std::string> inputs = {
        std::string(5000, '['),
        std::string(5000, '{'),
        "a: &a [*a]\n",
        "dependencies: &d\n  - *d\n",
        std::string("name: \0\xff\xfe", 9),
        "\xef\xbb\xbfname: bom\n",
        "dependencies:\n  - \"unterminated\n",
        "!!binary |\n  AAAA\n",
        "---\n---\n",
        "dependencies:\n  - pip:\n    - !!map {a: b}\n",
    };
    for (const auto& text : inputs) {
        SCOPED_TRACE(text.substr(0, 40));
        const auto env = parse_environment_yml(text, "x.yml");
        if (!env.has_value()) {
            EXPECT_NE(env.error().message_id, "");
            EXPECT_NE(env.error().code, core::ErrorCode::internal);
        }
    }
}

}  // namespace
}  // namespace envsmith::specs
