#include "envsmith/diag/lint.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "matchers.hpp"

namespace envsmith::diag {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

enum class Kind { conda, azureml, requirements, dockerfile };

/// Parses one input the way api::lint does (no includes) and lints it.
struct Linted {
    std::string text;
    std::optional<specs::AzureMlEnvironment> azureml;
    std::optional<specs::EnvironmentYml> conda;
    std::optional<specs::RequirementsFile> pip;
    std::optional<specs::RequirementsFile> requirements;
    std::vector<LintFinding> findings;
};

std::unique_ptr<Linted> lint_text(Kind kind, std::string text) {
    auto out = std::make_unique<Linted>();
    out->text = std::move(text);
    LintInput input;
    auto use_conda = [&](std::string_view file) {
        if (!out->conda->pip.empty()) {
            auto pip = parse_pip_section(*out->conda, file, {});
            EXPECT_THAT(pip, test::Succeeds());
            if (pip) {
                out->pip = std::move(*pip);
            }
        }
        input.conda = LintCondaFile{&*out->conda, file, out->text, out->pip ? &*out->pip : nullptr,
                                    kind == Kind::conda};
    };
    switch (kind) {
        case Kind::conda: {
            auto parsed = specs::parse_environment_yml(out->text, "env.yml");
            EXPECT_THAT(parsed, test::Succeeds());
            if (!parsed) return out;
            out->conda = std::move(*parsed);
            use_conda("env.yml");
            break;
        }
        case Kind::azureml: {
            auto parsed = specs::parse_azureml_environment(out->text, "aml.yml");
            if (!parsed) {
                if (auto finding = finding_from_parse_error(parsed.error())) {
                    out->findings.push_back(*finding);
                } else {
                    ADD_FAILURE() << parsed.error().describe();
                }
                return out;
            }
            out->azureml = std::move(*parsed);
            input.azureml = &*out->azureml;
            input.azureml_file = "aml.yml";
            input.azureml_text = out->text;
            if (out->azureml->conda_file) {
                if (const auto* inline_env = std::get_if<specs::EnvironmentYml>(&*out->azureml->conda_file)) {
                    out->conda = *inline_env;
                    use_conda("aml.yml");
                }
            }
            break;
        }
        case Kind::requirements: {
            auto parsed = specs::parse_requirements_txt(out->text, "requirements.txt", {});
            EXPECT_THAT(parsed, test::Succeeds());
            if (!parsed) return out;
            out->requirements = std::move(*parsed);
            input.requirements = &*out->requirements;
            break;
        }
        case Kind::dockerfile: input.dockerfile = LintDockerfile{"Dockerfile", out->text}; break;
    }
    out->findings = lint_definition(input);
    return out;
}

/// Applies one edit to a text, as --fix does.
std::string apply_edit(std::string text, const TextEdit& edit) {
    std::size_t offset = 0;
    for (std::uint32_t line = 1; line < edit.line; ++line) {
        offset = text.find('\n', offset) + 1;
    }
    return text.replace(offset + edit.column - 1, edit.length, edit.replacement);
}

struct Case {
    const char* name;
    const char* rule;
    Kind kind;
    std::string text;
    std::uint32_t line;    // 0: the rule must not fire
    std::uint32_t column;
};

const std::string long_name(300, 'n');
const std::string big_dockerfile = "FROM ubuntu:22.04\n" + std::string(101 * 1024, '#') + "\n";
const std::string hash = "--hash=sha256:" + std::string(64, 'a');

std::vector<Case> cases() {
    return {
        // pip missing / unpinned when there are pip dependencies
        {"pip missing", "lint.pip_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip:\n    - requests==2.31.0\n", 5, 5},
        {"pip present", "lint.pip_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=24.0\n  - pip:\n    - requests==2.31.0\n", 0, 0},
        {"pip missing but no pip section", "lint.pip_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n", 0, 0},
        {"pip unpinned", "lint.pip_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip\n  - pip:\n    - requests==2.31.0\n", 4, 5},
        {"pip with a lower bound only", "lint.pip_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip>=20\n  - pip:\n    - requests==2.31.0\n", 4, 5},
        {"pip pinned", "lint.pip_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=23.3.1\n  - pip:\n    - requests==2.31.0\n", 0, 0},
        // unpinned dependencies
        {"conda unpinned", "lint.conda_dependency_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy\n", 4, 5},
        {"conda with a range", "lint.conda_dependency_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy>=1.26,<2\n", 0, 0},
        {"pip requirement unpinned", "lint.pip_dependency_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=24.0\n  - pip:\n    - requests\n", 6, 7},
        {"requirements.txt unpinned", "lint.pip_dependency_unpinned", Kind::requirements,
         "flask==3.0.0\n  requests  # latest\n", 2, 3},
        {"requirements.txt pinned", "lint.pip_dependency_unpinned", Kind::requirements,
         "flask==3.0.0\nrequests>=2.31\nhttps://example.com/x-1.0.tar.gz\n", 0, 0},
        // channels
        {"no channels", "lint.no_channels", Kind::conda, "name: x\ndependencies:\n  - python=3.11\n", 2, 1},
        {"only nodefaults", "lint.no_channels", Kind::conda,
         "channels:\n  - nodefaults\ndependencies:\n  - python=3.11\n", 1, 1},
        {"channels given", "lint.no_channels", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n", 0, 0},
        {"every dependency names its channel", "lint.no_channels", Kind::conda,
         "dependencies:\n  - conda-forge::python=3.11\n", 0, 0},
        // pip against conda
        {"pip duplicates conda", "lint.pip_duplicates_conda", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip=24.0\n  - pip:\n"
         "    - NumPy>=1.20\n",
         7, 7},
        {"pip contradicts conda", "lint.pip_contradicts_conda", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pip=24.0\n  - pip:\n"
         "    - numpy==2.0.0\n",
         7, 7},
        {"pip contradicts a conda prefix", "lint.pip_contradicts_conda", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy 1.26.*\n  - pip=24.0\n  - pip:\n"
         "    - numpy==2.0.0\n",
         7, 7},
        {"pip and conda agree", "lint.pip_contradicts_conda", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26.4\n  - pip=24.0\n  - pip:\n"
         "    - numpy>=1.20\n",
         0, 0},
        {"pip and conda distinct", "lint.pip_duplicates_conda", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - numpy=1.26\n  - pip=24.0\n  - pip:\n"
         "    - requests==2.31.0\n",
         0, 0},
        // Python
        {"python missing", "lint.python_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - numpy=1.26\n", 2, 1},
        {"python present", "lint.python_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.10\n", 0, 0},
        {"python unversioned", "lint.python_unversioned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python\n", 3, 5},
        {"python versioned", "lint.python_unversioned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python>=3.10,<3.12\n", 0, 0},
        {"python twice", "lint.python_multiple", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.10\n  - numpy=1.26\n  - python=3.11\n", 5, 5},
        {"python per platform", "lint.python_multiple", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - sel(linux): python=3.10\n  - sel(win): python=3.11\n", 0, 0},
        // Azure ML
        {"user managed with conda file", "lint.user_managed_with_conda_file", Kind::azureml,
         "image: ubuntu:22.04\nuser_managed_dependencies: true\nconda_file:\n  channels: [conda-forge]\n"
         "  dependencies: [python=3.11]\n",
         2, 28},
        {"user managed alone", "lint.user_managed_with_conda_file", Kind::azureml,
         "image: ubuntu:22.04\nuser_managed_dependencies: true\n", 0, 0},
        {"image and build", "lint.image_and_build", Kind::azureml,
         "image: ubuntu:22.04\nbuild:\n  path: ctx\n", 3, 3},
        {"build alone", "lint.image_and_build", Kind::azureml, "build:\n  path: ctx\n", 0, 0},
        {"spark precache", "lint.spark_precache", Kind::azureml,
         "image: ubuntu:22.04\nspark:\n  packages: [com.microsoft.azure:synapseml_2.12:0.11.4]\n"
         "  precache_packages: true\n",
         4, 22},
        {"spark without precache", "lint.spark_precache", Kind::azureml,
         "image: ubuntu:22.04\nspark:\n  packages: [com.microsoft.azure:synapseml_2.12:0.11.4]\n"
         "  precache_packages: false\n",
         0, 0},
        // image references
        {"image untagged", "lint.image_untagged", Kind::azureml, "image: mcr.microsoft.com/azureml/base\n", 1, 8},
        {"image with digest", "lint.image_untagged", Kind::azureml,
         "image: ubuntu@sha256:" + std::string(64, 'a') + "\n", 0, 0},
        {"image latest", "lint.image_latest", Kind::azureml, "image: \"ubuntu:latest\"\n", 1, 8},
        {"image tagged", "lint.image_latest", Kind::azureml, "image: ubuntu:22.04\n", 0, 0},
        {"image double slash", "lint.image_ref_double_slash", Kind::azureml, "image: myacr.azurecr.io//base:1\n", 1, 24},
        {"image backslash", "lint.image_ref_backslash", Kind::azureml, "image: myacr.azurecr.io\\base:1\n", 1, 24},
        {"image scheme", "lint.image_ref_scheme", Kind::azureml, "image: https://myacr.azurecr.io/base:1\n", 1, 8},
        {"image doubled host", "lint.image_ref_doubled_host", Kind::azureml,
         "image: myacr.azurecr.io/myacr.azurecr.io/base:1\n", 1, 25},
        {"image uppercase", "lint.image_ref_uppercase", Kind::azureml, "image: myacr.azurecr.io/Base:1\n", 1, 25},
        {"image other problem", "lint.image_ref_invalid", Kind::azureml, "image: ubuntu:-bad\n", 1, 15},
        {"image valid", "lint.image_ref_invalid", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"image valid", "lint.image_ref_backslash", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"image valid", "lint.image_ref_double_slash", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"image valid", "lint.image_ref_doubled_host", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"image valid", "lint.image_ref_scheme", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"image valid", "lint.image_ref_uppercase", Kind::azureml, "image: myacr.azurecr.io/team/base:1\n", 0, 0},
        {"dockerfile FROM untagged", "lint.image_untagged", Kind::dockerfile,
         "# syntax=docker/dockerfile:1\nFROM --platform=linux/amd64 ubuntu AS base\nFROM base\n", 2, 29},
        {"dockerfile FROM scratch and stages", "lint.image_untagged", Kind::dockerfile,
         "FROM ubuntu:22.04 AS build\nFROM scratch\nFROM build\nFROM ${BASE}\n", 0, 0},
        // Dockerfiles
        {"dockerfile too large", "lint.dockerfile_too_large", Kind::dockerfile, big_dockerfile, 1, 1},
        {"dockerfile small", "lint.dockerfile_too_large", Kind::dockerfile, "FROM ubuntu:22.04\n", 0, 0},
        {"distutils missing", "lint.distutils_missing", Kind::dockerfile,
         "FROM ubuntu:22.04\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
         "    python3 curl\nRUN curl -sS https://bootstrap.pypa.io/get-pip.py | python3 && pip install numpy\n",
         4, 44},
        {"distutils for a deadsnakes python", "lint.distutils_missing", Kind::dockerfile,
         "FROM debian:bullseye-slim\nRUN apt install -y python3.9\nRUN python3.9 -m pip install numpy\n", 3, 18},
        {"distutils installed", "lint.distutils_missing", Kind::dockerfile,
         "FROM ubuntu:22.04\nRUN apt-get install -y python3 python3-distutils\nRUN pip install numpy\n", 0, 0},
        {"distutils through python3-pip", "lint.distutils_missing", Kind::dockerfile,
         "FROM ubuntu:20.04\nRUN apt-get install -y python3 python3-pip\nRUN pip3 install numpy\n", 0, 0},
        {"distutils not needed on 24.04", "lint.distutils_missing", Kind::dockerfile,
         "FROM ubuntu:24.04\nRUN apt-get install -y python3\nRUN python3 -m pip install numpy\n", 0, 0},
        {"distutils with conda python", "lint.distutils_missing", Kind::dockerfile,
         "FROM mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu22.04:20240709.v1\nRUN pip install numpy\n", 0, 0},
        // index URLs
        {"credentials in index url", "lint.index_credentials", Kind::requirements,
         "--index-url https://alice:s3cret@pkgs.example.com/simple\nflask==3.0.0\n", 1, 1},
        {"token in extra index url of a pip section", "lint.index_credentials", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip=24.0\n  - pip:\n"
         "    - --extra-index-url https://ghp_token123@pkgs.example.com/simple\n    - flask==3.0.0\n",
         6, 7},
        {"token in a conda channel", "lint.index_credentials", Kind::conda,
         "channels:\n  - https://conda.anaconda.org/t/tk-1234/private\ndependencies:\n  - python=3.11\n", 2, 5},
        {"credentials from the environment", "lint.index_credentials", Kind::requirements,
         "--index-url https://${PIP_USER}:${PIP_PASSWORD}@pkgs.example.com/simple\nflask==3.0.0\n", 0, 0},
        {"plain http index", "lint.index_http", Kind::requirements,
         "flask==3.0.0\n--extra-index-url http://pypi.internal/simple\n", 2, 1},
        {"http on loopback", "lint.index_http", Kind::requirements,
         "--index-url http://localhost:8080/simple\nflask==3.0.0\n", 0, 0},
        // hashes
        {"require hashes incomplete", "lint.require_hashes_incomplete", Kind::requirements,
         "--require-hashes\nsix==1.16.0 " + hash + "\nflask==3.0.0\n", 3, 1},
        {"a hash turns hash mode on", "lint.require_hashes_incomplete", Kind::requirements,
         "six==1.16.0 " + hash + "\nflask==3.0.0\n", 2, 1},
        {"every requirement hashed", "lint.require_hashes_incomplete", Kind::requirements,
         "--require-hashes\nsix==1.16.0 " + hash + "\n", 0, 0},
        {"require hashes unpinned", "lint.require_hashes_unpinned", Kind::requirements,
         "--require-hashes\nsix>=1.16 " + hash + "\n", 2, 1},
        {"require hashes pinned", "lint.require_hashes_unpinned", Kind::requirements,
         "--require-hashes\nsix==1.16.0 " + hash + "\n", 0, 0},
        // names
        {"conda name reserved", "lint.env_name_reserved", Kind::conda,
         "name: base\nchannels: [conda-forge]\ndependencies: [python=3.11]\n", 1, 1},
        {"azureml name reserved", "lint.env_name_reserved", Kind::azureml,
         "name: AzureML-sklearn\nimage: ubuntu:22.04\n", 1, 7},
        {"name allowed", "lint.env_name_reserved", Kind::azureml, "name: sklearn\nimage: ubuntu:22.04\n", 0, 0},
        {"inline conda name ignored", "lint.env_name_reserved", Kind::azureml,
         "name: x\nimage: ubuntu:22.04\nconda_file:\n  name: base\n  channels: [conda-forge]\n"
         "  dependencies: [python=3.11]\n",
         0, 0},
        {"name too long", "lint.env_name_too_long", Kind::azureml,
         "name: " + long_name + "\nimage: ubuntu:22.04\n", 1, 7},
        {"name short enough", "lint.env_name_too_long", Kind::azureml,
         "name: " + std::string(255, 'n') + "\nimage: ubuntu:22.04\n", 0, 0},
    };
}

TEST(LintTest, EveryRuleFiresWhereItShouldAndNowhereElse) {
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const auto linted = lint_text(c.kind, c.text);
        std::vector<const LintFinding*> hits;
        for (const auto& f : linted->findings) {
            if (f.rule == c.rule) {
                hits.push_back(&f);
            }
        }
        if (c.line == 0) {
            EXPECT_TRUE(hits.empty()) << "fired at " << hits.front()->where.line << ":" << hits.front()->where.column;
            continue;
        }
        ASSERT_EQ(hits.size(), 1U);
        EXPECT_EQ(hits[0]->where.line, c.line);
        EXPECT_EQ(hits[0]->where.column, c.column);
        EXPECT_FALSE(hits[0]->where.line_text.empty());
        const auto* rule = find_lint_rule(c.rule);
        ASSERT_NE(rule, nullptr);
        EXPECT_EQ(hits[0]->severity, rule->severity);
        EXPECT_EQ(hits[0]->prevents, rule->prevents);
    }
}

TEST(LintTest, EveryRuleHasAFiringAndAQuietCase) {
    std::set<std::string> fires;
    std::set<std::string> quiet;
    for (const auto& c : cases()) {
        (c.line == 0 ? quiet : fires).insert(c.rule);
    }
    for (const auto& rule : lint_rules()) {
        SCOPED_TRACE(rule.id);
        EXPECT_EQ(fires.count(std::string(rule.id)), 1U);
        EXPECT_EQ(quiet.count(std::string(rule.id)), 1U);
    }
}

TEST(LintTest, RulesAreSortedAndPreventCatalogueFailures) {
    const auto& rules = lint_rules();
    ASSERT_FALSE(rules.empty());
    for (std::size_t i = 1; i < rules.size(); ++i) {
        EXPECT_LT(rules[i - 1].id, rules[i].id);
    }
    const auto messages = Messages::load_builtin("en");
    ASSERT_THAT(messages, test::Succeeds());
    const auto failures = MessageCatalog::load_builtin("en");
    ASSERT_THAT(failures, test::Succeeds());
    for (const auto& rule : rules) {
        SCOPED_TRACE(rule.id);
        EXPECT_NE(messages->find(lint_message_id(rule.id)), nullptr);
        EXPECT_NE(messages->find(lint_fix_id(rule.id)), nullptr);
        EXPECT_NE(failures->find(fmt::format("failure.{}.title", rule.prevents)), nullptr);
    }
}

TEST(LintTest, MessagesFillEveryPlaceholderAndNeverShowSecrets) {
    const auto messages = Messages::load_builtin("en");
    ASSERT_THAT(messages, test::Succeeds());
    for (const auto& c : cases()) {
        SCOPED_TRACE(c.name);
        const auto linted = lint_text(c.kind, c.text);
        for (const auto& f : linted->findings) {
            SCOPED_TRACE(f.rule);
            for (const auto* id : {"message", "fix"}) {
                const auto* text = messages->find(fmt::format("{}.{}", f.rule, id));
                ASSERT_NE(text, nullptr);
                for (const auto& name : placeholders(*text)) {
                    EXPECT_FALSE(f.args.empty() || std::none_of(f.args.begin(), f.args.end(),
                                                                [&name](const auto& a) { return a.name == name; }))
                        << "{" << name << "} is not filled";
                }
            }
            const auto rendered = render_lint_json({f}, *messages, 0);
            EXPECT_THAT(rendered, Not(HasSubstr("s3cret")));
            EXPECT_THAT(rendered, Not(HasSubstr("ghp_token123")));
            EXPECT_THAT(rendered, Not(HasSubstr("tk-1234")));
        }
    }
}

TEST(LintTest, FixesAreExactEdits) {
    struct FixCase {
        const char* rule;
        Kind kind;
        std::string text;
        std::string fixed;  // empty: no fix offered
    };
    const FixCase fix_cases[] = {
        {"lint.pip_missing", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11  # the runtime\n  - pip:\n    - flask==3.0.0\n",
         "channels: [conda-forge]\ndependencies:\n  - python=3.11  # the runtime\n  - pip=24.0\n  - pip:\n"
         "    - flask==3.0.0\n"},
        {"lint.pip_missing", Kind::conda,  // no python: after the first conda dependency
         "channels: [conda-forge]\ndependencies:\n    - numpy=1.26\r\n    - pip:\n      - flask==3.0.0\n",
         "channels: [conda-forge]\ndependencies:\n    - numpy=1.26\r\n    - pip=24.0\r\n    - pip:\n      - flask==3.0.0\n"},
        {"lint.pip_missing", Kind::conda,  // a flow list: no safe edit
         "channels: [conda-forge]\ndependencies: [python=3.11, {pip: [flask==3.0.0]}]\n", ""},
        {"lint.pip_unpinned", Kind::conda,
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - \"pip\"\n  - pip:\n    - flask==3.0.0\n",
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - \"pip=24.0\"\n  - pip:\n    - flask==3.0.0\n"},
        {"lint.pip_unpinned", Kind::conda,  // a lower bound is the user's: not rewritten
         "channels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pip>=20\n  - pip:\n    - flask==3.0.0\n", ""},
        {"lint.image_ref_backslash", Kind::azureml, "image: 'myacr.azurecr.io//Team\\base:1'\n",
         "image: 'myacr.azurecr.io/team/base:1'\n"},
        {"lint.image_ref_scheme", Kind::azureml, "image: https://myacr.azurecr.io/myacr.azurecr.io/base:V1\n",
         "image: myacr.azurecr.io/base:V1\n"},
        {"lint.image_ref_invalid", Kind::azureml, "image: ubuntu:-bad\n", ""},
        {"lint.distutils_missing", Kind::dockerfile,
         "FROM ubuntu:22.04\nRUN apt-get install -y python3\\\n curl\nRUN pip install numpy\n",
         "FROM ubuntu:22.04\nRUN apt-get install -y python3 python3-distutils\\\n curl\nRUN pip install numpy\n"},
    };
    for (const auto& c : fix_cases) {
        SCOPED_TRACE(c.text);
        const auto linted = lint_text(c.kind, c.text);
        const auto it = std::find_if(linted->findings.begin(), linted->findings.end(),
                                     [&c](const LintFinding& f) { return f.rule == c.rule; });
        ASSERT_NE(it, linted->findings.end());
        if (c.fixed.empty()) {
            EXPECT_FALSE(it->fix.has_value());
            continue;
        }
        ASSERT_TRUE(it->fix.has_value());
        const auto fixed = apply_edit(c.text, *it->fix);
        EXPECT_EQ(fixed, c.fixed);
        // The fixed text no longer has the finding.
        const auto again = lint_text(c.kind, fixed);
        EXPECT_TRUE(std::none_of(again->findings.begin(), again->findings.end(),
                                 [&c](const LintFinding& f) { return f.rule == c.rule; }));
    }
}

TEST(LintTest, PipSectionLocationsPointIntoTheYaml) {
    const auto env = specs::parse_environment_yml(
        "dependencies:\n  - pip:\n    - \"--index-url https://example.com/simple\"\n    - flask==3.0.0\n", "env.yml");
    ASSERT_THAT(env, test::Succeeds());
    const auto pip = parse_pip_section(*env, "env.yml", {});
    ASSERT_THAT(pip, test::Succeeds());
    ASSERT_EQ(pip->requirements.size(), 1U);
    EXPECT_EQ(pip->requirements[0].location.line, 4U);
    EXPECT_EQ(pip->requirements[0].location.column, 7U);
    ASSERT_EQ(pip->options.size(), 1U);
    EXPECT_EQ(pip->options[0].location.line, 3U);
    EXPECT_EQ(pip->options[0].location.column, 8U);  // after the quote

    const auto bad = specs::parse_environment_yml("dependencies:\n  - pip:\n    - flask===\n", "env.yml");
    ASSERT_THAT(bad, test::Succeeds());
    const auto failed = parse_pip_section(*bad, "env.yml", {});
    ASSERT_THAT(failed, test::FailsWith(core::ErrorCode::invalid_input));
    ASSERT_TRUE(failed.error().where.has_value());
    EXPECT_EQ(failed.error().where->line, 3U);
}

TEST(LintTest, FindingsAreSortedAndRenderedLikeACompiler) {
    const auto linted = lint_text(Kind::conda, "name: base\ndependencies:\n  - numpy\n");
    ASSERT_GE(linted->findings.size(), 3U);
    for (std::size_t i = 1; i < linted->findings.size(); ++i) {
        EXPECT_LE(linted->findings[i - 1].where.line, linted->findings[i].where.line);
    }
    const auto messages = Messages::load_builtin("en");
    ASSERT_THAT(messages, test::Succeeds());
    const auto text = render_lint_text(linted->findings, *messages, "env.yml", 0, Color::no);
    EXPECT_THAT(text, HasSubstr("warning[lint.conda_dependency_unpinned]: conda dependency `numpy` has no version\n"
                                " --> env.yml:3:5\n  |\n3 |   - numpy\n  |     ^\n"
                                "  = prevents: conda.unsatisfiable\nhelp: "));
    EXPECT_THAT(text, HasSubstr("error[lint.env_name_reserved]"));
    EXPECT_THAT(render_lint_text({}, *messages, "env.yml", 0, Color::no), HasSubstr("no findings in `env.yml`"));
}

}  // namespace
}  // namespace envsmith::diag
