// PEP 508 requirements and markers: the spec's grammar examples, marker evaluation, and the
// Requires-Dist / requires_python fields of real packages.

#include "envsmith/specs/pep508.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "envsmith/core/text.hpp"
#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::testing::HasSubstr;
using test::FailsWithId;
using test::Succeeds;

TEST(PackageNameTest, NormalisesPerPep503) {
    for (const char* spelling : {"friendly-bard", "Friendly-Bard", "FRIENDLY-BARD", "friendly.bard", "friendly_bard",
                                 "friendly--bard", "FrIeNdLy-._.-bArD"}) {
        SCOPED_TRACE(spelling);
        EXPECT_EQ(normalize_package_name(spelling), "friendly-bard");
    }
    EXPECT_EQ(normalize_package_name("A.B-C_D"), "a-b-c-d");
    EXPECT_EQ(normalize_package_name("zope.interface"), "zope-interface");
}

TEST(PackageNameTest, ValidatesPep508Identifiers) {
    for (const char* good : {"A", "aa", "A.B-C_D", "name", "9", "a9-b"}) {
        SCOPED_TRACE(good);
        EXPECT_TRUE(is_valid_package_name(good));
    }
    for (const char* bad : {"", "-a", "a-", "a_", ".a", "a b", "a@b", "ä"}) {
        SCOPED_TRACE(bad);
        EXPECT_FALSE(is_valid_package_name(bad));
    }
}

// PEP 508 "Complete Grammar": the test list at the end of the reference parser.
TEST(RequirementTest, ParsesTheSpecsGrammarTestList) {
    const struct {
        const char* input;
        const char* name;
        std::vector<std::string> extras;
        const char* specifiers;
        const char* url;
        const char* marker;  // canonical, or "" for none
    } cases[] = {
        {"A", "A", {}, "", "", ""},
        {"A.B-C_D", "A.B-C_D", {}, "", "", ""},
        {"aa", "aa", {}, "", "", ""},
        {"name", "name", {}, "", "", ""},
        {"name<=1", "name", {}, "<=1", "", ""},
        {"name>=3", "name", {}, ">=3", "", ""},
        {"name>=3,<2", "name", {}, "<2,>=3", "", ""},
        {"name@http://foo.com", "name", {}, "", "http://foo.com", ""},
        {"name [fred,bar] @ http://foo.com ; python_version=='2.7'", "name", {"fred", "bar"}, "", "http://foo.com",
         "python_version == \"2.7\""},
        {"name[quux, strange];python_version<'2.7' and platform_version=='2'", "name", {"quux", "strange"}, "", "",
         "python_version < \"2.7\" and platform_version == \"2\""},
        {"name; os_name=='a' or os_name=='b'", "name", {}, "", "", "os_name == \"a\" or os_name == \"b\""},
        // Should parse as (a and b) or c
        {"name; os_name=='a' and os_name=='b' or os_name=='c'", "name", {}, "", "",
         "os_name == \"a\" and os_name == \"b\" or os_name == \"c\""},
        // Overriding precedence -> a and (b or c)
        {"name; os_name=='a' and (os_name=='b' or os_name=='c')", "name", {}, "", "",
         "os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")"},
        // should parse as a or (b and c)
        {"name; os_name=='a' or os_name=='b' and os_name=='c'", "name", {}, "", "",
         "os_name == \"a\" or os_name == \"b\" and os_name == \"c\""},
        // Overriding precedence -> (a or b) and c
        {"name; (os_name=='a' or os_name=='b') and os_name=='c'", "name", {}, "", "",
         "(os_name == \"a\" or os_name == \"b\") and os_name == \"c\""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Requirement::parse(c.input);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->name, c.name);
        EXPECT_EQ(parsed->extras, c.extras);
        EXPECT_EQ(parsed->specifiers.to_string(), c.specifiers);
        EXPECT_EQ(parsed->url, c.url);
        EXPECT_EQ(parsed->marker.has_value(), std::string(c.marker) != "");
        if (parsed->marker) {
            EXPECT_EQ(parsed->marker->to_string(), c.marker);
        }
        // Invariant: the canonical text parses back to an equal requirement.
        const auto again = Requirement::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds()) << parsed->to_string();
        EXPECT_EQ(again->to_string(), parsed->to_string());
        EXPECT_EQ(again->marker, parsed->marker);
    }
}

TEST(RequirementTest, BuildsTheExpressionTreeWithAndBindingTighter) {
    const auto parsed = Marker::parse("os_name=='a' or os_name=='b' and os_name=='c'");
    ASSERT_THAT(parsed, Succeeds());
    ASSERT_EQ(parsed->kind(), Marker::Kind::any_of);
    ASSERT_EQ(parsed->children().size(), 2U);
    EXPECT_EQ(parsed->children()[0].kind(), Marker::Kind::comparison);
    EXPECT_EQ(parsed->children()[1].kind(), Marker::Kind::all_of);

    const auto grouped = Marker::parse("(os_name=='a' or os_name=='b') and os_name=='c'");
    ASSERT_THAT(grouped, Succeeds());
    ASSERT_EQ(grouped->kind(), Marker::Kind::all_of);
    EXPECT_EQ(grouped->children()[0].kind(), Marker::Kind::any_of);

    const auto leaf = Marker::parse("'3.8' <= python_version");
    ASSERT_THAT(leaf, Succeeds());
    EXPECT_FALSE(leaf->lhs().is_variable);
    EXPECT_EQ(leaf->lhs().literal, "3.8");
    EXPECT_EQ(leaf->op(), MarkerOp::less_equal);
    EXPECT_TRUE(leaf->rhs().is_variable);
    EXPECT_EQ(leaf->rhs().variable, MarkerVariable::python_version);
}

TEST(RequirementTest, ParsesTheFormsSeenInPractice) {
    const struct {
        const char* input;
        const char* canonical;
    } cases[] = {
        {"requests", "requests"},
        {"  requests  ", "requests"},
        {"requests (>=2.8.1)", "requests>=2.8.1"},
        {"requests ( >= 2.8.1 , < 3 )", "requests<3,>=2.8.1"},
        {"requests[security,socks]>=2.8.1,==2.8.*", "requests[security,socks]==2.8.*,>=2.8.1"},
        {"requests [ socks , security ] >= 2.8.1", "requests[socks,security]>=2.8.1"},
        {"Django>=1.11,<2.0; python_version >= \"3.4\"", "Django<2.0,>=1.11; python_version >= \"3.4\""},
        {"pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686",
         "pip @ https://github.com/pypa/pip/archive/1.3.1.zip#sha1=da9234ee9982d4bbb3c72346a6de940a148ea686"},
        {"pkg @ file:///tmp/pkg-1.0-py3-none-any.whl", "pkg @ file:///tmp/pkg-1.0-py3-none-any.whl"},
        {"pkg@git+ssh://git@github.com/o/r.git@v1 ; sys_platform == 'linux'",
         "pkg @ git+ssh://git@github.com/o/r.git@v1 ; sys_platform == \"linux\""},
        {"name[]", "name"},
        {"name==1.0+local", "name==1.0+local"},
        {"name===2010i", "name===2010i"},
        {"name ~= 1.4.5a4", "name~=1.4.5a4"},
        {"name>=1.0,", "name>=1.0"},
        {"name; extra == 'Test_Extra'", "name; extra == \"Test_Extra\""},
        {"name; os.name == 'posix' and sys.platform == 'linux'", "name; os_name == \"posix\" and sys_platform == \"linux\""},
        {"name; python_implementation == 'CPython'", "name; platform_python_implementation == \"CPython\""},
        {"name; 'linux' in sys_platform", "name; \"linux\" in sys_platform"},
        {"name; sys_platform not  in 'win32 cygwin'", "name; sys_platform not in \"win32 cygwin\""},
        {"name; platform_version == '#1 SMP \"x\"'", "name; platform_version == '#1 SMP \"x\"'"},
        {"name;os_name=='a'and(os_name=='b'or os_name=='c')",
         "name; os_name == \"a\" and (os_name == \"b\" or os_name == \"c\")"},
        {"name; ((os_name == 'a'))", "name; os_name == \"a\""},
        {"name; (os_name == 'a' and os_name == 'b') and os_name == 'c'",
         "name; os_name == \"a\" and os_name == \"b\" and os_name == \"c\""},
        {"name; python_full_version === '3.8.0'", "name; python_full_version === \"3.8.0\""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Requirement::parse(c.input);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->to_string(), c.canonical);
        const auto again = Requirement::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(*again, *parsed);
    }
}

TEST(RequirementTest, ExposesTheFieldsOtherParsersUse) {
    const auto parsed = Requirement::parse("Foo.Bar[Baz] (>=1.0, <2) ; python_version < '3.12'");
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(parsed->name, "Foo.Bar");
    EXPECT_EQ(parsed->normalized_name(), "foo-bar");
    EXPECT_EQ(parsed->extras, std::vector<std::string>{"Baz"});
    EXPECT_EQ(parsed->specifiers.specifiers().size(), 2U);
    EXPECT_TRUE(parsed->url.empty());
    ASSERT_TRUE(parsed->marker.has_value());
    EXPECT_EQ(parsed->marker->to_string(), "python_version < \"3.12\"");
}

TEST(RequirementTest, RejectsWhatTheGrammarForbidsAndNamesTheColumn) {
    const struct {
        const char* input;
        unsigned column;
        const char* problem;
    } cases[] = {
        {"", 1, "expected a package name"},
        {"   ", 4, "expected a package name"},
        {"-name", 1, "expected a package name"},
        {"name-", 5, "found `-`"},
        {"name[", 6, "expected an extra name"},
        {"name[a,]", 8, "expected an extra name"},
        {"name[a b]", 8, "expected `,` or `]`"},
        {"name>=1.x", 8, "unexpected `.`"},
        {"name>=1.0 2.0", 11, "expected"},
        {"name (>=1.0", 12, "expected `)`"},
        {"name (>=1.0) (", 14, "expected `[`"},
        {"name @", 7, "URL with a scheme"},
        {"name @ ./local/path", 8, "URL with a scheme"},
        {"name @ https://x.org/a.whl junk", 28, "after the URL"},
        {"name;", 6, "expected a marker variable"},
        {"name; ", 7, "expected a marker variable"},
        {"name; os_name", 14, "expected a marker operator"},
        {"name; os_name ==", 17, "expected a marker variable"},
        {"name; os_name == 'a", 18, "unterminated string"},
        {"name; foo == 'a'", 7, "unknown marker variable `foo`"},
        {"name; (os_name == 'a'", 22, "expected `)`"},
        {"name; os_name == 'a' xor", 22, "expected `and`, `or`"},
        {"name; os_name == 'a' and", 25, "expected a marker variable"},
        {"name; os_name not 'a'", 19, "expected `in` after `not`"},
        {"name; os_name = 'a'", 15, "expected a marker operator"},
        {"name extra", 6, "expected `[`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Requirement::parse(c.input);
        ASSERT_THAT(parsed, FailsWithId("spec.requirement.invalid"));
        EXPECT_EQ(parsed.error().code, core::ErrorCode::invalid_input);
        EXPECT_THAT(parsed.error().message, HasSubstr(c.problem));
        EXPECT_THAT(parsed.error().message, HasSubstr("column " + std::to_string(c.column)));
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->column, c.column);
        EXPECT_EQ(parsed.error().where->line_text, c.input);
        EXPECT_EQ(parsed.error().arg_value("requirement"), c.input);
    }
}

TEST(MarkerTest, RejectsDeepNestingWithoutCrashing) {
    const std::string deep = std::string(5000, '(') + "os_name == 'a'" + std::string(5000, ')');
    const auto parsed = Marker::parse(deep);
    ASSERT_THAT(parsed, FailsWithId("spec.marker.invalid"));
    EXPECT_THAT(parsed.error().message, HasSubstr("nested too deeply"));
}

TEST(MarkerEnvironmentTest, FillsCPythonValuesForACondaTarget) {
    const auto linux = MarkerEnvironment::for_target("3.11", "linux-64");
    ASSERT_THAT(linux, Succeeds());
    EXPECT_EQ(linux->python_version, "3.11");
    EXPECT_EQ(linux->python_full_version, "3.11.0");
    EXPECT_EQ(linux->implementation_name, "cpython");
    EXPECT_EQ(linux->implementation_version, "3.11.0");
    EXPECT_EQ(linux->platform_python_implementation, "CPython");
    EXPECT_EQ(linux->os_name, "posix");
    EXPECT_EQ(linux->sys_platform, "linux");
    EXPECT_EQ(linux->platform_system, "Linux");
    EXPECT_EQ(linux->platform_machine, "x86_64");

    const struct {
        const char* subdir;
        const char* sys_platform;
        const char* machine;
        const char* os_name;
        const char* system;
    } cases[] = {
        {"linux-aarch64", "linux", "aarch64", "posix", "Linux"},
        {"linux-ppc64le", "linux", "ppc64le", "posix", "Linux"},
        {"osx-64", "darwin", "x86_64", "posix", "Darwin"},
        {"osx-arm64", "darwin", "arm64", "posix", "Darwin"},
        {"win-64", "win32", "AMD64", "nt", "Windows"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.subdir);
        const auto env = MarkerEnvironment::for_target("3.12.4", c.subdir);
        ASSERT_THAT(env, Succeeds());
        EXPECT_EQ(env->python_version, "3.12");
        EXPECT_EQ(env->python_full_version, "3.12.4");
        EXPECT_EQ(env->sys_platform, c.sys_platform);
        EXPECT_EQ(env->platform_machine, c.machine);
        EXPECT_EQ(env->os_name, c.os_name);
        EXPECT_EQ(env->platform_system, c.system);
        ASSERT_NE(env->find("sys.platform"), nullptr);
        EXPECT_EQ(*env->find("sys.platform"), c.sys_platform);
    }
    EXPECT_EQ(linux->find("extra"), nullptr);
    EXPECT_EQ(linux->find("nonsense"), nullptr);

    EXPECT_THAT(MarkerEnvironment::for_target("3.11", "noarch"), FailsWithId("spec.marker_environment.invalid"));
    EXPECT_THAT(MarkerEnvironment::for_target("3", "linux-64"), FailsWithId("spec.marker_environment.invalid"));
    EXPECT_THAT(MarkerEnvironment::for_target("3.x", "linux-64"), FailsWithId("spec.marker_environment.invalid"));
}

TEST(MarkerTest, EvaluatesAgainstAnEnvironment) {
    auto env = MarkerEnvironment::for_target("3.11.4", "linux-64");
    ASSERT_THAT(env, Succeeds());
    env.value().platform_release = "5.15.0-91-generic";
    const auto win = MarkerEnvironment::for_target("3.8", "win-64");
    ASSERT_THAT(win, Succeeds());
    const struct {
        const char* marker;
        bool on_linux_311;
        bool on_windows_38;
    } cases[] = {
        {"python_version >= '3.8'", true, true},
        {"python_version > '3.8'", true, false},
        {"python_version < '3.10'", false, true},  // a version comparison: as strings "3.11" < "3.10" is false too
        {"python_version < '3.9'", false, true},
        {"python_version > '3.9'", true, false},   // as strings "3.11" > "3.9" would be false
        {"python_version == '3.11'", true, false},
        {"python_version == '3.*'", true, true},
        {"python_version != '3.8'", true, false},
        {"python_version ~= '3.8'", true, true},
        {"python_full_version >= '3.11.3'", true, false},
        {"python_full_version == '3.11.4'", true, false},
        {"python_full_version < '3.11.4rc1'", false, true},
        {"python_full_version === '3.11.4'", true, false},
        {"python_version in '2.7 3.11 3.12'", true, false},
        {"python_version not in '3.8 3.9'", true, false},
        {"'3.8' <= python_version", true, true},
        {"sys_platform == 'linux'", true, false},
        {"sys_platform == 'win32'", false, true},
        {"sys_platform != 'win32'", true, false},
        {"'linux' in sys_platform", true, false},
        {"os_name == 'nt'", false, true},
        {"platform_system == 'Windows'", false, true},
        {"platform_machine == 'x86_64'", true, false},
        {"platform_machine == 'AMD64'", false, true},
        {"platform_python_implementation == 'CPython'", true, true},
        {"platform_python_implementation == 'PyPy'", false, false},
        {"implementation_name == 'cpython'", true, true},
        {"platform_release >= '5.0'", true, false},  // not a version: compared as strings
        {"platform_release ~= '5.0'", false, false},
        {"os_name == 'posix' and python_version < '3.9'", false, false},
        {"os_name == 'posix' or python_version < '3.9'", true, true},
        {"(sys_platform=='linux2' or sys_platform=='linux') and python_version<'3.5'", false, false},
        {"sys_platform == 'win32' and (python_version == '2.7' or python_version == '3.8')", false, true},
        {"extra == 'socks'", false, false},
        {"os.name == 'nt'", false, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.marker);
        const auto marker = Marker::parse(c.marker);
        ASSERT_THAT(marker, Succeeds());
        EXPECT_EQ(marker->evaluate(*env), c.on_linux_311);
        EXPECT_EQ(marker->evaluate(*win), c.on_windows_38);
    }
}

TEST(MarkerTest, ComparesExtrasAfterNormalisation) {
    const auto env = MarkerEnvironment::for_target("3.11", "linux-64");
    ASSERT_THAT(env, Succeeds());
    const struct {
        const char* marker;
        std::set<std::string> extras;
        bool expected;
    } cases[] = {
        {"extra == 'socks'", {}, false},
        {"extra == 'socks'", {"socks"}, true},
        {"extra == 'socks'", {"security", "socks"}, true},
        {"extra == 'Test_Extra'", {"test-extra"}, true},
        {"extra == 'test.extra'", {"TEST__EXTRA"}, true},
        {"'socks' == extra", {"SOCKS"}, true},
        {"extra != 'socks'", {}, true},
        {"extra != 'socks'", {"socks"}, false},
        {"python_version >= '3' and extra == 'dev'", {"dev"}, true},
        {"python_version < '3' and extra == 'dev'", {"dev"}, false},
        {"extra == 'a' and extra == 'b'", {"a", "b"}, false},  // one extra at a time (pip's rule)
        {"extra == 'a' or extra == 'b'", {"b"}, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.marker);
        const auto marker = Marker::parse(c.marker);
        ASSERT_THAT(marker, Succeeds());
        EXPECT_EQ(marker->evaluate(*env, c.extras), c.expected);
    }
}

TEST(MarkerTest, PrintsCanonicallyAndRoundTrips) {
    const auto built = Marker::any_of(
        {Marker::comparison({true, MarkerVariable::python_version, ""}, MarkerOp::less, {false, {}, "3.8"}),
         Marker::all_of({Marker::comparison({true, MarkerVariable::os_name, ""}, MarkerOp::equal, {false, {}, "nt"}),
                         Marker::comparison({false, {}, "x"}, MarkerOp::not_in, {true, MarkerVariable::extra, ""})})});
    EXPECT_EQ(built.to_string(), "python_version < \"3.8\" or os_name == \"nt\" and \"x\" not in extra");
    const auto parsed = Marker::parse(built.to_string());
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(*parsed, built);
}

// Every Requires-Dist line of the real METADATA files conda keeps for its tests.
TEST(RequirementConformanceTest, ParsesEveryRequiresDistOfRealMetadata) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = std::filesystem::path(dir) / "conda/tests/data/env_metadata";
    ASSERT_TRUE(std::filesystem::exists(root));
    std::size_t count = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().filename() != "METADATA") {
            continue;
        }
        std::istringstream lines(test::read_text(entry.path().string()));
        std::string line;
        while (std::getline(lines, line)) {
            if (!line.starts_with("Requires-Dist:")) {
                continue;
            }
            const auto value = core::trim(std::string_view(line).substr(14));
            SCOPED_TRACE(entry.path().string() + ": " + std::string(value));
            const auto parsed = Requirement::parse(value);
            ASSERT_THAT(parsed, Succeeds());
            EXPECT_TRUE(is_valid_package_name(parsed->name));
            const auto again = Requirement::parse(parsed->to_string());
            ASSERT_THAT(again, Succeeds());
            EXPECT_EQ(*again, *parsed);
            ++count;
        }
    }
    EXPECT_GT(count, 1000U);
}

// Every requires_python / requires-python and requires_dist of poetry's PyPI JSON fixtures.
TEST(RequirementConformanceTest, ParsesEveryRequiresPythonAndRequiresDistOfPyPiJson) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = std::filesystem::path(dir) / "poetry/tests/repositories/fixtures/pypi.org/json";
    ASSERT_TRUE(std::filesystem::exists(root));
    std::size_t specifier_count = 0;
    std::size_t requirement_count = 0;
    const auto check_specifier = [&](const nlohmann::json& value, const std::string& where) {
        if (!value.is_string() || value.get<std::string>().empty()) {
            return;
        }
        SCOPED_TRACE(where + ": " + value.get<std::string>());
        const auto parsed = SpecifierSet::parse(value.get<std::string>());
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_FALSE(parsed->empty());
        ++specifier_count;
    };
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") {
            continue;
        }
        const auto json = nlohmann::json::parse(test::read_text(entry.path().string()), nullptr, false);
        ASSERT_FALSE(json.is_discarded()) << entry.path();
        const std::string where = entry.path().string();
        if (json.contains("files")) {
            for (const auto& file : json["files"]) {
                check_specifier(file.value("requires-python", nlohmann::json()), where);
            }
        }
        if (json.contains("info")) {
            check_specifier(json["info"].value("requires_python", nlohmann::json()), where);
            const auto dists = json["info"].value("requires_dist", nlohmann::json());
            if (dists.is_array()) {
                for (const auto& dist : dists) {
                    const auto text = dist.get<std::string>();
                    SCOPED_TRACE(where + ": " + text);
                    const auto parsed = Requirement::parse(text);
                    if (text == "setuptools (>=18.5decorator)") {
                        // ipython 4.1.0rc1 shipped this broken metadata; pip rejects it too.
                        EXPECT_THAT(parsed, FailsWithId("spec.requirement.invalid"));
                        EXPECT_THAT(parsed.error().message, HasSubstr("column 19"));
                        continue;
                    }
                    ASSERT_THAT(parsed, Succeeds());
                    ++requirement_count;
                }
            }
        }
        if (json.contains("urls")) {
            for (const auto& file : json["urls"]) {
                check_specifier(file.value("requires_python", nlohmann::json()), where);
            }
        }
    }
    EXPECT_GT(specifier_count, 50U);
    EXPECT_GT(requirement_count, 10U);
}

}  // namespace
}  // namespace envsmith::specs
