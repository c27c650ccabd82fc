// Real-world input files (../shared/testdata, see its MANIFEST.md): conda environment files
// from rattler and mamba, and pip requirements files from uv. Each file either parses into
// what its name and content promise, or fails with a located error where it is invalid by
// design.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "envsmith/specs/azureml.hpp"
#include "envsmith/specs/environment_yml.hpp"
#include "envsmith/specs/requirements_txt.hpp"
#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::read_text;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::SizeIs;

namespace fs = std::filesystem;

struct EnvFileCase {
    std::string path;           // relative to the testdata folder
    std::string error_id;       // empty: must parse
    std::size_t dependencies;   // conda dependencies when it parses
    std::size_t pip;            // pip entries when it parses
    std::size_t warnings;       // unknown keys
    InputKind kind;             // what detect_input_kind says
};

TEST(InputConformanceTest, CondaEnvironmentFiles) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string rattler = "rattler/test-data/environments/";
    const std::string mamba = "mamba/libmamba/tests/data/env_file/";
    const auto env = InputKind::conda_environment;
    const std::vector<EnvFileCase> cases = {
        {rattler + "asymmetric_vqgan.environment.yaml", "", 6, 19, 0, env},
        {rattler + "channel_inversion.environment.yaml", "", 2, 0, 0, env},
        // `category: dev` is conda-lock's key, unknown to conda: a warning.
        {rattler + "conda_lock_dev.environment.yaml", "", 32, 1, 1, env},
        {rattler + "mamba_dev_extra.environment.yaml", "", 14, 0, 0, env},
        {rattler + "variables.environment.yaml", "", 1, 0, 0, env},
        {mamba + "env_1.yaml", "", 3, 0, 0, env},
        {mamba + "env_2.yaml", "", 6, 0, 0, env},  // mamba's sel(...) selectors
        {mamba + "env_3.yaml", "", 3, 2, 0, env},
        {mamba + "env_4.yaml", "", 3, 2, 0, env},
        {mamba + "minrk_downgrade.yml", "", 5, 0, 0, env},
        // Plain spec lists and an @EXPLICIT lock: not environment.yml files by design.
        {mamba + "apache_arrow_conda_env_sphinx.txt", "env.yml.not_mapping", 0, 0, 0,
         InputKind::requirements_txt},
        {mamba + "issue_4274.env.txt", "env.yml.not_mapping", 0, 0, 0,
         InputKind::requirements_txt},
        {mamba + "omni.env.txt", "env.yml.not_mapping", 0, 0, 0, InputKind::requirements_txt},
        // `@` cannot start a YAML scalar: a syntax error at the `@EXPLICIT` line.
        {mamba + "minrk_environment.py-3.9-linux-64.lock", "yaml.syntax", 0, 0, 0,
         InputKind::explicit_lock},
    };
    std::size_t seen = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.path);
        const auto path = dir + "/" + c.path;
        ASSERT_TRUE(fs::exists(path));
        ++seen;
        const auto text = read_text(path);
        EXPECT_EQ(detect_input_kind(text, c.path), c.kind) << to_string(detect_input_kind(text, c.path));
        const auto parsed = parse_environment_yml(text, c.path);
        if (!c.error_id.empty()) {
            ASSERT_THAT(parsed, FailsWithId(c.error_id));
            ASSERT_TRUE(parsed.error().where.has_value());
            EXPECT_EQ(parsed.error().where->file, c.path);
            EXPECT_GE(parsed.error().where->line, 1U);
            continue;
        }
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->dependencies.size(), c.dependencies);
        EXPECT_EQ(parsed->pip.size(), c.pip);
        EXPECT_EQ(parsed->warnings.size(), c.warnings);
        for (const auto& dep : parsed->dependencies) {
            EXPECT_EQ(dep.location.file, c.path);
            EXPECT_GE(dep.location.line, 1U);
            EXPECT_NE(dep.location.line_text.find(dep.text), std::string::npos) << dep.text;
        }
    }
    // Every environment file of those folders is listed above.
    std::size_t on_disk = 0;
    for (const auto& folder : {rattler, mamba}) {
        for (const auto& entry : fs::directory_iterator(dir + "/" + folder)) {
            on_disk += entry.is_regular_file() ? 1U : 0U;
        }
    }
    EXPECT_EQ(seen, on_disk);
}

TEST(InputConformanceTest, CondaEnvironmentDetails) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string mamba = dir + "/mamba/libmamba/tests/data/env_file/";
    const auto env2 = parse_environment_yml(read_text(mamba + "env_2.yaml"), "env_2.yaml");
    ASSERT_THAT(env2, Succeeds());
    EXPECT_EQ(env2->dependencies[0].text, "test1-win");
    EXPECT_EQ(env2->dependencies[0].selector, "win");
    EXPECT_EQ(env2->dependencies[5].selector, "");
    EXPECT_THAT(env2->channels, ElementsAre("conda-forge", "bioconda"));

    const auto vars = parse_environment_yml(
        read_text(dir + "/rattler/test-data/environments/variables.environment.yaml"), "v.yaml");
    ASSERT_THAT(vars, Succeeds());
    ASSERT_THAT(vars->variables, SizeIs(1));
    EXPECT_EQ(vars->variables[0].first, "MY_ENV_VAR");
    EXPECT_EQ(vars->variables[0].second, "My Value");

    const auto vqgan = parse_environment_yml(
        read_text(dir + "/rattler/test-data/environments/asymmetric_vqgan.environment.yaml"),
        "vq.yaml");
    ASSERT_THAT(vqgan, Succeeds());
    EXPECT_EQ(vqgan->pip.back().text, "-e .");
    EXPECT_EQ(vqgan->pip.back().location.line, 32U);
}

/// A loader over the real folder, as the api layer will do it with a FileSystem port.
RequirementsContext folder_context(const std::string& root) {
    RequirementsContext ctx;
    ctx.load_include = [root](std::string_view including,
                              std::string_view target) -> core::Result<std::string> {
        const auto path = fs::path(root) / fs::path(std::string(including)).parent_path() /
                          std::string(target);
        if (!fs::exists(path)) {
            return core::make_error(core::ErrorCode::not_found, "fs.not_found",
                                    "no such file `" + path.string() + "`");
        }
        return read_text(path.string());
    };
    return ctx;
}

std::vector<std::string> texts(const std::vector<RequirementEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.text);
    }
    return out;
}

TEST(InputConformanceTest, UvRequirementsTxtVectors) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string root = dir + "/uv/crates/uv-requirements-txt/test-data/requirements-txt";
    const auto ctx = folder_context(root);
    const auto parse = [&](const std::string& name) {
        return parse_requirements_txt(read_text(root + "/" + name), name, ctx);
    };

    const auto basic = parse("basic.txt");
    ASSERT_THAT(basic, Succeeds());
    EXPECT_THAT(texts(basic->requirements),
                ElementsAre("numpy==1.24.2", "pandas==2.0.0", "python-dateutil==2.8.2",
                            "pytz==2023.3", "six==1.16.0", "tzdata==2023.3"));

    const auto small = parse("small.txt");
    ASSERT_THAT(small, Succeeds());
    EXPECT_THAT(texts(small->requirements), ElementsAre("tqdm==4.65.0", "tomli-w==1.0.0"));
    EXPECT_EQ(small->requirements[0].location.line, 3U);

    const auto poetry = parse("for-poetry.txt");
    ASSERT_THAT(poetry, Succeeds());
    ASSERT_THAT(poetry->requirements, SizeIs(4));
    EXPECT_THAT(poetry->requirements[3].requirement->extras, ElementsAre("tabulate"));

    const auto empty = parse("empty.txt");
    ASSERT_THAT(empty, Succeeds());
    EXPECT_TRUE(empty->requirements.empty());

    const auto whitespace = parse("whitespace.txt");
    ASSERT_THAT(whitespace, Succeeds());
    ASSERT_THAT(whitespace->requirements, SizeIs(2));
    EXPECT_EQ(whitespace->requirements[0].requirement->name, "numpy");
    EXPECT_EQ(whitespace->requirements[1].requirement->name, "pandas");
    EXPECT_EQ(whitespace->requirements[1].requirement->url,
              "git+https://github.com/pandas-dev/pandas.git");

    const auto hashes = parse("poetry-with-hashes.txt");
    ASSERT_THAT(hashes, Succeeds());
    std::vector<std::size_t> hash_counts;
    for (const auto& r : hashes->requirements) {
        hash_counts.push_back(r.hashes.size());
        EXPECT_TRUE(r.requirement.has_value() && r.requirement->marker.has_value()) << r.text;
    }
    EXPECT_THAT(hash_counts, ElementsAre(1, 1, 1, 2, 4));
    EXPECT_EQ(hashes->requirements[4].location.line, 10U);

    const auto include = parse("include-a.txt");
    ASSERT_THAT(include, Succeeds());
    EXPECT_THAT(texts(include->requirements), ElementsAre("tomli", "numpy==1.24.2"));
    EXPECT_EQ(include->requirements[0].location.file, "include-b.txt");
    EXPECT_THAT(include->files, ElementsAre("include-a.txt", "include-b.txt"));

    const auto constraints = parse("constraints-a.txt");
    ASSERT_THAT(constraints, Succeeds());
    EXPECT_THAT(texts(constraints->requirements), ElementsAre("django-debug-toolbar<2.2"));
    EXPECT_THAT(texts(constraints->constraints), ElementsAre("django==2.1.15", "pytz==2023.3"));

    const auto bare = parse("bare-url.txt");
    ASSERT_THAT(bare, Succeeds());
    std::vector<std::string> targets;
    for (const auto& r : bare->requirements) {
        targets.push_back(r.target);
        EXPECT_NE(r.form, RequirementForm::named) << r.text;
    }
    EXPECT_THAT(targets, ElementsAre("./test/packages/black_editable",
                                     "./test/packages/black_editable[dev]",
                                     "file:///test/packages/black_editable",
                                     "./test/packages/black editable",
                                     "./test/packages/black editable",
                                     "./test/packages/black editable"));
    EXPECT_EQ(bare->requirements[4].marker, "python_version >= \"3.9\"");

    const auto editable = parse("editable.txt");
    ASSERT_THAT(editable, Succeeds());
    ASSERT_THAT(editable->requirements, SizeIs(8));
    for (const auto& r : editable->requirements) {
        EXPECT_EQ(r.editable, Editable::yes) << r.text;
        EXPECT_EQ(r.form, RequirementForm::path) << r.text;
    }
    EXPECT_EQ(editable->requirements[3].target, "./editable[d, dev]");
    EXPECT_EQ(editable->requirements[4].marker, "python_version >= \"3.9\" and os_name == \"posix\"");
    EXPECT_EQ(editable->requirements[6].target, "./editable");
    EXPECT_EQ(editable->requirements[7].target, "./editable");

    // Invalid by design, as their comments say.
    const auto hash = parse("hash.txt");
    ASSERT_THAT(hash, FailsWithId("requirements.comment_whitespace"));
    EXPECT_EQ(hash.error().where, (core::SourceLocation{"hash.txt", 2, 14, "-e ./editable# comment"}));
    const auto semicolon = parse("semicolon.txt");
    ASSERT_THAT(semicolon, FailsWithId("requirements.marker_whitespace"));
    EXPECT_EQ(semicolon.error().where->line, 2U);
    EXPECT_EQ(semicolon.error().where->column, 14U);
}

TEST(InputConformanceTest, UvRealWorldRequirementSets) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string root = dir + "/uv/test/requirements";
    const auto ctx = folder_context(root);
    std::size_t files = 0;
    std::size_t requirements = 0;
    std::vector<fs::path> paths;
    for (const auto& entry : fs::recursive_directory_iterator(root)) {
        const auto ext = entry.path().extension();
        if (entry.is_regular_file() && (ext == ".in" || ext == ".txt")) {
            paths.push_back(entry.path());
        }
    }
    std::sort(paths.begin(), paths.end());
    for (const auto& path : paths) {
        const auto name = fs::relative(path, root).string();
        SCOPED_TRACE(name);
        const auto parsed = parse_requirements_txt(read_text(path.string()), name, ctx);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(detect_input_kind(read_text(path.string()), name), InputKind::requirements_txt);
        ++files;
        requirements += parsed->requirements.size() + parsed->constraints.size();
        for (const auto& r : parsed->requirements) {
            EXPECT_GE(r.location.line, 1U);
            if (r.form == RequirementForm::named) {
                EXPECT_TRUE(r.requirement.has_value()) << r.text;
            }
        }
    }
    EXPECT_GE(files, 30U);
    EXPECT_GT(requirements, 1000U);
}

}  // namespace
}  // namespace envsmith::specs
