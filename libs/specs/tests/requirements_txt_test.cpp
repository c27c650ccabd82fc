#include "envsmith/specs/requirements_txt.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWith;
using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::string hash_a = "sha256:" + std::string(64, 'a');
const std::string hash_b = "sha256:" + std::string(64, 'b');

/// An in-memory file tree for includes; records what the parser asked for.
struct FakeFiles {
    std::map<std::string, std::string> files;
    std::vector<std::pair<std::string, std::string>> calls;

    RequirementsContext context() {
        RequirementsContext ctx;
        ctx.load_include = [this](std::string_view including,
                                  std::string_view target) -> core::Result<std::string> {
            calls.emplace_back(including, target);
            std::string path(target);
            const auto slash = including.find_last_of('/');
            if (slash != std::string_view::npos && !path.empty() && path.front() != '/') {
                path = std::string(including.substr(0, slash + 1)) + path;
            }
            const auto it = files.find(path);
            if (it == files.end()) {
                return core::make_error(core::ErrorCode::not_found, "fs.not_found",
                                        "no such file `" + path + "`");
            }
            return it->second;
        };
        return ctx;
    }
};

std::vector<std::string> texts(const std::vector<RequirementEntry>& entries) {
    std::vector<std::string> out;
    for (const auto& e : entries) {
        out.push_back(e.text);
    }
    return out;
}

TEST(RequirementsTxtTest, ParsesNamedRequirementsWithCommentsAndContinuations) {
    const std::string text =
        "# a comment\n"
        "\n"
        "numpy==1.24.2\n"
        "  pandas[excel]>=2.0 ; python_version >= \"3.9\"  # trailing comment\n"
        "requests \\\n"
        "    >=2.31\n"
        "pkg-with-hash#not-a-comment==1\n";
    const auto file = parse_requirements_txt(text, "requirements.txt", {});
    ASSERT_FALSE(file.has_value() && file->requirements.size() == 4);  // the last line is bad
    const auto good = parse_requirements_txt(text.substr(0, text.rfind("pkg-")),
                                             "requirements.txt", {});
    ASSERT_THAT(good, Succeeds());
    EXPECT_THAT(texts(good->requirements),
                ElementsAre("numpy==1.24.2", "pandas[excel]>=2.0 ; python_version >= \"3.9\"",
                            "requests     >=2.31"));
    const auto& numpy = good->requirements[0];
    EXPECT_EQ(numpy.form, RequirementForm::named);
    EXPECT_EQ(numpy.editable, Editable::no);
    EXPECT_EQ(numpy.location, (core::SourceLocation{"requirements.txt", 3, 1, "numpy==1.24.2"}));
    ASSERT_TRUE(numpy.requirement.has_value());
    EXPECT_EQ(numpy.requirement->name, "numpy");
    const auto& pandas = good->requirements[1];
    EXPECT_EQ(pandas.location.line, 4U);
    EXPECT_EQ(pandas.location.column, 3U);
    ASSERT_TRUE(pandas.requirement.has_value());
    EXPECT_THAT(pandas.requirement->extras, ElementsAre("excel"));
    EXPECT_TRUE(pandas.requirement->marker.has_value());
    EXPECT_EQ(good->requirements[2].location.line, 5U);
    EXPECT_EQ(good->requirements[2].requirement->name, "requests");
    EXPECT_THAT(good->files, ElementsAre("requirements.txt"));
}

TEST(RequirementsTxtTest, CollectsHashesAndInstallOptions) {
    const std::string text =
        "werkzeug==2.2.3 ; python_version >= \"3.8\" --hash=" + hash_a + "\n" +
        "urllib3==1.26.15 \\\n"
        "    --hash " + hash_a + " \\\n"
        "    --hash=" + hash_b + "\n" +
        "psycopg2==2.9.5 --config-settings=--build-option=x --global-option=y\n";
    const auto file = parse_requirements_txt(text, "r.txt", {});
    ASSERT_THAT(file, Succeeds());
    ASSERT_EQ(file->requirements.size(), 3U);
    EXPECT_THAT(file->requirements[0].hashes, ElementsAre(hash_a));
    EXPECT_EQ(file->requirements[0].text, "werkzeug==2.2.3 ; python_version >= \"3.8\"");
    EXPECT_THAT(file->requirements[1].hashes, ElementsAre(hash_a, hash_b));
    EXPECT_EQ(file->requirements[1].location.line, 2U);
    EXPECT_TRUE(file->requirements[2].hashes.empty());
    EXPECT_THAT(file->requirements[2].install_options,
                ElementsAre(std::pair<std::string, std::string>{"--config-settings",
                                                                "--build-option=x"},
                            std::pair<std::string, std::string>{"--global-option", "y"}));
}

TEST(RequirementsTxtTest, RecordsGlobalOptionsWithTheirLocation) {
    const std::string text =
        "--index-url https://pypi.example/simple\n"
        "-i https://mirror.example/simple\n"
        "--extra-index-url=https://extra.example/simple\n"
        "-f ./wheels\n"
        "--find-links https://download.pytorch.org/whl/torch_stable.html\n"
        "--no-index\n"
        "--pre --prefer-binary\n"
        "--trusted-host mirror.example\n"
        "--only-binary :all:\n"
        "--no-binary=numpy,scipy\n"
        "--require-hashes\n"
        "--use-feature=truststore\n"
        "numpy\n";
    const auto file = parse_requirements_txt(text, "r.txt", {});
    ASSERT_THAT(file, Succeeds());
    using K = RequirementsOptionKind;
    EXPECT_EQ(file->index_url(), "https://mirror.example/simple");
    EXPECT_THAT(file->values(K::index_url),
                ElementsAre("https://pypi.example/simple", "https://mirror.example/simple"));
    EXPECT_THAT(file->values(K::extra_index_url), ElementsAre("https://extra.example/simple"));
    EXPECT_THAT(file->values(K::find_links),
                ElementsAre("./wheels", "https://download.pytorch.org/whl/torch_stable.html"));
    EXPECT_THAT(file->values(K::trusted_host), ElementsAre("mirror.example"));
    EXPECT_THAT(file->values(K::only_binary), ElementsAre(":all:"));
    EXPECT_THAT(file->values(K::no_binary), ElementsAre("numpy,scipy"));
    EXPECT_THAT(file->values(K::use_feature), ElementsAre("truststore"));
    for (const auto kind : {K::no_index, K::pre, K::prefer_binary, K::require_hashes}) {
        SCOPED_TRACE(std::string(to_string(kind)));
        EXPECT_TRUE(file->has(kind));
    }
    EXPECT_FALSE(file->has(K::constraint));
    ASSERT_EQ(file->options.size(), 13U);
    EXPECT_EQ(file->options[7].kind, K::prefer_binary);
    EXPECT_EQ(file->options[7].location,
              (core::SourceLocation{"r.txt", 7, 7, "--pre --prefer-binary"}));
    EXPECT_EQ(file->options[2].location.line, 3U);
    EXPECT_THAT(texts(file->requirements), ElementsAre("numpy"));
}

struct FormCase {
    std::string line;
    RequirementForm form;
    Editable editable;
    std::string target;
    std::string marker;
    std::uint32_t column;
};

TEST(RequirementsTxtTest, TellsNamedUrlAndPathRequirementsApart) {
    const std::vector<FormCase> cases = {
        {"numpy>=1", RequirementForm::named, Editable::no, "", "", 1},
        {"name @ https://x.example/name-1.0.tar.gz", RequirementForm::named, Editable::no, "", "",
         1},
        {"https://x.example/pkg-1.0-py3-none-any.whl", RequirementForm::url, Editable::no,
         "https://x.example/pkg-1.0-py3-none-any.whl", "", 1},
        {"git+https://github.com/org/repo.git@v1#egg=repo", RequirementForm::url, Editable::no,
         "git+https://github.com/org/repo.git@v1#egg=repo", "", 1},
        {"file:///tmp/pkg ; sys_platform == \"linux\"", RequirementForm::url, Editable::no,
         "file:///tmp/pkg", "sys_platform == \"linux\"", 1},
        {"./local/pkg", RequirementForm::path, Editable::no, "./local/pkg", "", 1},
        {".", RequirementForm::path, Editable::no, ".", "", 1},
        {"dist/pkg-1.0-py3-none-any.whl", RequirementForm::path, Editable::no,
         "dist/pkg-1.0-py3-none-any.whl", "", 1},
        {"pkg-1.0-py3-none-any.whl", RequirementForm::path, Editable::no,
         "pkg-1.0-py3-none-any.whl", "", 1},
        {"/abs/pkg-2.0.tar.gz", RequirementForm::path, Editable::no, "/abs/pkg-2.0.tar.gz", "", 1},
        {"./packages/black editable ; python_version >= \"3.9\"", RequirementForm::path,
         Editable::no, "./packages/black editable", "python_version >= \"3.9\"", 1},
        {"-e ./editable[d,dev]", RequirementForm::path, Editable::yes, "./editable[d,dev]", "", 4},
        {"--editable=./pkg", RequirementForm::path, Editable::yes, "./pkg", "", 12},
        {"-e git+https://github.com/CompVis/taming-transformers.git@master#egg=taming",
         RequirementForm::url, Editable::yes,
         "git+https://github.com/CompVis/taming-transformers.git@master#egg=taming", "", 4},
        {"-e ./editable ; python_version >= \"3.9\" and os_name == \"posix\"",
         RequirementForm::path, Editable::yes, "./editable",
         "python_version >= \"3.9\" and os_name == \"posix\"", 4},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.line);
        const auto file = parse_requirements_txt(c.line + "\n", "r.txt", {});
        ASSERT_THAT(file, Succeeds());
        ASSERT_EQ(file->requirements.size(), 1U);
        const auto& entry = file->requirements[0];
        EXPECT_EQ(entry.form, c.form);
        EXPECT_EQ(entry.editable, c.editable);
        EXPECT_EQ(entry.target, c.target);
        EXPECT_EQ(entry.marker, c.marker);
        EXPECT_EQ(entry.location.column, c.column);
        EXPECT_EQ(entry.requirement.has_value(), c.form == RequirementForm::named);
    }
}

TEST(RequirementsTxtTest, FollowsIncludesAndKeepsConstraintsApart) {
    FakeFiles fs;
    fs.files["deps/base.txt"] = "-r more/common.txt\nrequests\n";
    fs.files["deps/more/common.txt"] = "six\n";
    fs.files["deps/constraints.txt"] = "urllib3<2\n-r pins.txt\n";
    fs.files["deps/pins.txt"] = "idna==3.4\n";
    const std::string text = "-r base.txt\n-c constraints.txt\nnumpy\n";
    const auto file = parse_requirements_txt(text, "deps/requirements.txt", fs.context());
    ASSERT_THAT(file, Succeeds());
    EXPECT_THAT(texts(file->requirements), ElementsAre("six", "requests", "numpy"));
    EXPECT_THAT(texts(file->constraints), ElementsAre("urllib3<2", "idna==3.4"));
    EXPECT_EQ(file->requirements[0].location,
              (core::SourceLocation{"deps/more/common.txt", 1, 1, "six"}));
    EXPECT_EQ(file->constraints[1].location.file, "deps/pins.txt");
    EXPECT_THAT(file->files, ElementsAre("deps/requirements.txt", "deps/base.txt",
                                         "deps/more/common.txt", "deps/constraints.txt",
                                         "deps/pins.txt"));
    using Call = std::pair<std::string, std::string>;
    EXPECT_THAT(fs.calls, ElementsAre(Call{"deps/requirements.txt", "base.txt"},
                                      Call{"deps/base.txt", "more/common.txt"},
                                      Call{"deps/requirements.txt", "constraints.txt"},
                                      Call{"deps/constraints.txt", "pins.txt"}));
    ASSERT_EQ(file->options.size(), 4U);
    EXPECT_EQ(file->options.back().kind, RequirementsOptionKind::constraint);
    EXPECT_EQ(file->options.back().value, "constraints.txt");
    EXPECT_EQ(file->options.back().location.line, 2U);
}

TEST(RequirementsTxtTest, IncludeProblemsPointAtTheIncludingLine) {
    {
        SCOPED_TRACE("cycle");
        FakeFiles fs;
        fs.files["a.txt"] = "x\n-r b.txt\n";
        fs.files["b.txt"] = "y\n\n--requirement=a.txt\n";
        const auto file = parse_requirements_txt(fs.files["a.txt"], "a.txt", fs.context());
        ASSERT_THAT(file, FailsWithId("requirements.include_cycle"));
        EXPECT_EQ(file.error().where, (core::SourceLocation{"b.txt", 3, 15, "--requirement=a.txt"}));
        EXPECT_THAT(file.error().message, HasSubstr("`a.txt` -> `b.txt` -> `a.txt`"));
    }
    {
        SCOPED_TRACE("self include");
        FakeFiles fs;
        fs.files["a.txt"] = "-r a.txt\n";
        const auto file = parse_requirements_txt(fs.files["a.txt"], "a.txt", fs.context());
        ASSERT_THAT(file, FailsWithId("requirements.include_cycle"));
    }
    {
        SCOPED_TRACE("depth");
        FakeFiles fs;
        for (int i = 0; i < 6; ++i) {
            fs.files["f" + std::to_string(i) + ".txt"] = "-r f" + std::to_string(i + 1) + ".txt\n";
        }
        auto ctx = fs.context();
        ctx.max_include_depth = 3;
        const auto file = parse_requirements_txt(fs.files["f0.txt"], "f0.txt", ctx);
        ASSERT_THAT(file, FailsWithId("requirements.include_depth"));
        EXPECT_EQ(file.error().where->file, "f3.txt");
        EXPECT_EQ(file.error().where->column, 4U);
    }
    {
        SCOPED_TRACE("missing file");
        FakeFiles fs;
        const auto file = parse_requirements_txt("numpy\n-c nope.txt\n", "r.txt", fs.context());
        ASSERT_THAT(file, FailsWith(core::ErrorCode::not_found));
        EXPECT_EQ(file.error().message_id, "fs.not_found");
        EXPECT_EQ(file.error().where, (core::SourceLocation{"r.txt", 2, 4, "-c nope.txt"}));
        EXPECT_THAT(file.error().context, ElementsAre("reading `nope.txt` included from r.txt:2"));
    }
    {
        SCOPED_TRACE("no loader");
        const auto file = parse_requirements_txt("-r other.txt\n", "r.txt", {});
        ASSERT_THAT(file, FailsWithId("requirements.include_unsupported"));
        EXPECT_EQ(file.error().where->column, 4U);
    }
}

TEST(RequirementsTxtTest, ExpandsOnlyBracedUppercaseVariables) {
    RequirementsContext ctx;
    ctx.environment = {{"INDEX", "https://user:pw@pypi.example/simple"},
                       {"VERSION_1", "1.2"},
                       {"lower", "nope"}};
    const std::string text =
        "--index-url ${INDEX}\n"
        "pkg==${VERSION_1}\n"
        "other==${lower}\n"
        "third==$VERSION_1\n"
        "fourth==${UNSET}\n";
    const auto file = parse_requirements_txt(text, "r.txt", ctx);
    // `other==${lower}` and the rest are invalid PEP 440 after (non-)expansion: check one by one.
    ASSERT_THAT(file, FailsWith(core::ErrorCode::invalid_input));
    EXPECT_EQ(file.error().where->line, 3U);
    const auto good = parse_requirements_txt(text.substr(0, text.find("other")), "r.txt", ctx);
    ASSERT_THAT(good, Succeeds());
    EXPECT_EQ(good->index_url(), "https://user:pw@pypi.example/simple");
    EXPECT_THAT(texts(good->requirements), ElementsAre("pkg==1.2"));
    EXPECT_EQ(good->requirements[0].location.column, 1U);
}

TEST(RequirementsTxtTest, HandlesCrLfBomAndMissingFinalNewline) {
    const auto file =
        parse_requirements_txt("\xEF\xBB\xBFnumpy\r\npandas \\\r\n  >=2\r\nsix", "r.txt", {});
    ASSERT_THAT(file, Succeeds());
    EXPECT_THAT(texts(file->requirements), ElementsAre("numpy", "pandas   >=2", "six"));
    EXPECT_EQ(file->requirements[0].location.column, 4U);  // counted in bytes, after the BOM
    EXPECT_EQ(file->requirements[2].location.line, 4U);
    const auto empty = parse_requirements_txt("", "r.txt", {});
    ASSERT_THAT(empty, Succeeds());
    EXPECT_TRUE(empty->requirements.empty());
}

struct ErrorCase {
    std::string text;
    std::string id;
    std::uint32_t line;
    std::uint32_t column;
    std::string message;
    std::string hint;
};

TEST(RequirementsTxtTest, ErrorsNameTheProblemAndLocation) {
    const std::vector<ErrorCase> cases = {
        {"numpy\n--frobnicate\n", "requirements.unknown_option", 2, 1,
         "unknown option `--frobnicate`", ""},
        {"--index-ur https://x\n", "requirements.unknown_option", 1, 1, "`--index-ur`",
         "did you mean `--index-url`?"},
        {"-x\n", "requirements.unknown_option", 1, 1, "`-x`", ""},
        {"--index-url\n", "requirements.missing_value", 1, 1, "`--index-url` needs a value", ""},
        {"-e\n", "requirements.missing_value", 1, 1, "needs a path or URL", ""},
        {"--pre=yes\n", "requirements.unexpected_value", 1, 7, "takes no value", ""},
        {"numpy --pre\n", "requirements.option_on_requirement", 1, 7,
         "`--pre` is not allowed on a requirement line", "own"},
        {"numpy -r other.txt\n", "requirements.option_on_requirement", 1, 7, "`--requirement`",
         ""},
        {"numpy --hash=sha256:xyz\n", "requirements.bad_hash", 1, 14, "invalid hash `sha256:xyz`",
         "--hash=sha256:"},
        {"numpy --hash=crc32:00ff\n", "requirements.bad_hash", 1, 14, "crc32", ""},
        {"numpy --hash\n", "requirements.missing_value", 1, 7, "`--hash` needs a value", ""},
        {"--pre numpy\n", "requirements.unexpected_text", 1, 7, "unexpected `numpy`", "own line"},
        {"numpy --hash=" + hash_a + " extra\n", "requirements.unexpected_text", 1, 86,
         "unexpected `extra`", ""},
        {"--hash=" + hash_a + "\n", "requirements.option_without_requirement", 1, 1,
         "`--hash` belongs on a requirement line", ""},
        {"-e ./editable;python_version >= \"3.9\"\n", "requirements.marker_whitespace", 1, 14,
         "needs whitespace before `;`", "`./editable ;python_version"},
        {"-e ./editable# comment\n", "requirements.comment_whitespace", 1, 14,
         "`#` inside the path `./editable# comment`", "whitespace before `#`"},
        {"./pkg ; python_version >>> \"3\"\n", "spec.marker.invalid", 1, 0, "", ""},
        {"\n\nnumpy>=\n", "spec.requirement.invalid", 3, 0, "", ""},
        {"ok\nfoo bar\n", "spec.requirement.invalid", 2, 0, "", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto file = parse_requirements_txt(c.text, "r.txt", {});
        ASSERT_FALSE(file.has_value());
        const auto& err = file.error();
        if (c.id.rfind("spec.", 0) == 0) {
            // PEP 508's own ids; its messages are its business. The location is ours.
            EXPECT_THAT(err.message_id, HasSubstr("spec."));
        } else {
            EXPECT_EQ(err.message_id, c.id);
        }
        EXPECT_EQ(err.code, core::ErrorCode::invalid_input);
        ASSERT_TRUE(err.where.has_value());
        EXPECT_EQ(err.where->file, "r.txt");
        EXPECT_EQ(err.where->line, c.line);
        if (c.column != 0) {
            EXPECT_EQ(err.where->column, c.column);
        } else {
            EXPECT_GE(err.where->column, 1U);
        }
        EXPECT_THAT(err.message, HasSubstr(c.message));
        if (!c.hint.empty()) {
            EXPECT_THAT(err.hint, HasSubstr(c.hint));
        }
    }
}

TEST(RequirementsTxtTest, ReanchorsPep508ColumnsInTheFile) {
    const auto file = parse_requirements_txt("numpy\n    pandas>=2 ;; x\n", "r.txt", {});
    ASSERT_FALSE(file.has_value());
    ASSERT_TRUE(file.error().where.has_value());
    EXPECT_EQ(file.error().where->line, 2U);
    EXPECT_GT(file.error().where->column, 5U);  // past the indentation, inside the requirement
    EXPECT_EQ(file.error().where->line_text, "    pandas>=2 ;; x");
}

TEST(RequirementsTxtTest, SurvivesHostileInput) {
    const std::vector<std::string> inputs = {
        "\\", "\\\n\\\n\\", "-", "--", "--=", "-e=", "${", "${A", "${}", "#", " # \\\n x",
        std::string(1000, '['), "a @", "\"", "-r \"", std::string("\0\xff", 2), "a ; (((((",
    };
    FakeFiles fs;
    for (const auto& text : inputs) {
        SCOPED_TRACE(text.substr(0, 40));
        const auto file = parse_requirements_txt(text, "r.txt", fs.context());
        if (!file.has_value()) {
            EXPECT_NE(file.error().message_id, "");
        }
    }
}

}  // namespace
}  // namespace envsmith::specs
