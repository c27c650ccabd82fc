// VersionSpec and BuildNumberSpec against conda's tests/models/test_version.py and the rules
// in conda/models/version.py.

#include "envsmith/specs/version_spec.hpp"

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

VersionSpec spec(std::string_view text) {
    auto parsed = VersionSpec::parse(text);
    EXPECT_THAT(parsed, Succeeds()) << text;
    return parsed ? *parsed : VersionSpec();
}

bool matches(std::string_view spec_text, std::string_view version_text) {
    auto version = CondaVersion::parse(version_text);
    EXPECT_THAT(version, Succeeds()) << version_text;
    return version && spec(spec_text).contains(*version);
}

TEST(VersionSpecTest, MatchesAgainst171LikeConda) {
    // tests/models/test_version.py::test_match, all against version 1.7.1.
    const struct {
        const char* spec;
        bool expected;
    } cases[] = {
        {"1.7.*", true},          {"1.7.1", true},           {"1.7.0", false},
        {"1.7", false},           {"1.5.*", false},          {">=1.5", true},
        {"!=1.5", true},          {"!=1.7.1", false},        {"==1.7.1", true},
        {"==1.7", false},         {"==1.7.2", false},        {"==1.7.1.0", true},
        {"1.7.*|1.8.*", true},    {">1.7,<1.8", true},       {">1.7.1,<1.8", false},
        {"^1.7.1$", true},        {R"(^1\.7\.1$)", true},    {R"(^1\.7\.[0-9]+$)", true},
        {R"(^1\.8.*$)", false},   {R"(^1\.[5-8]\.1$)", true}, {R"(^[^1].*$)", false},
        {R"(^[0-9+]+\.[0-9+]+\.[0-9]+$)", true},             {"^$", false},
        {"^.*$", true},           {"1.7.*|^0.*$", true},     {"1.6.*|^0.*$", false},
        {"1.6.*|^0.*$|1.7.1", true},                         {"^0.*$|1.7.1", true},
        {R"(1.6.*|^.*\.7\.1$|0.7.1)", true},                 {"*", true},
        {"1.*.1", true},          {"1.5.*|>1.7,<1.8", true}, {"1.5.*|>1.7,<1.7.1", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.spec);
        EXPECT_EQ(matches(c.spec, "1.7.1"), c.expected);
    }
}

TEST(VersionSpecTest, OperatorsAndPrefixesFollowConda) {
    const struct {
        const char* spec;
        const char* version;
        bool expected;
    } cases[] = {
        // test_ver_eval
        {"==1.7", "1.7.0", true},     {"<=1.7", "1.7.0", true},     {"<1.7", "1.7.0", false},
        {">=1.7", "1.7.0", true},     {">1.7", "1.7.0", false},     {">=1.7", "1.6.7", false},
        {">2013b", "2013a", false},   {">2013b", "2013k", true},    {">2013b", "3.0.0", false},
        {">1.0.0a", "1.0.0", true},   {">1.0.0*", "1.0.0", true},   {"1.0*", "1.0", true},
        {"1.0*", "1.0.0", true},      {"1.0.0*", "1.0", true},      {"1.0.0*", "1.0.1", false},
        {"2013a*", "2013a", true},    {"2013b*", "2013a", false},   {"2013a*", "2013ab", true},
        {"1.2.4*", "1.3.4", false},   {"1.2.3*", "1.2.3+4.5.6", true},
        {"1.2.3+4*", "1.2.3+4.5.6", true},  {"1.2.3+5*", "1.2.3+4.5.6", false},
        {"1.2.4+5*", "1.2.3+4.5.6", false},
        // test_local_identifier: a version matches itself
        {"1.7.0.post123+gabcdef9", "1.7.0.post123+gabcdef9", true},
        // test_not_eq_star
        {"=3.3", "3.3.1", true},      {"=3.3", "3.3", true},        {"=3.3", "3.4", false},
        {"3.3.*", "3.3.1", true},     {"3.3.*", "3.4", false},      {"=3.3.*", "3.3.1", true},
        {"=3.3.*", "3.4", false},     {"!=3.3.*", "3.3.1", false},  {"!=3.3.*", "3.4", true},
        {"!=3.3.*", "3.4.1", true},   {"!=3.3", "3.3.1", true},     {"!=3.3", "3.3.0.0", false},
        {"!=3.3.*", "3.3.0.0", false},
        // test_compatible_release_versions
        {"~=1.10", "1.11.0", true},   {"~=1.10.0", "1.11.0", false}, {"~=3.3.2", "3.4.0", false},
        {"~=3.3.2", "3.3.1", false},  {"~=3.3.2", "3.3.2.0", true},  {"~=3.3.2", "3.3.3", true},
        {"~=3.3.2|==2.2", "2.2.0", true}, {"~=3.3.2|==2.2", "3.3.3", true},
        {"~=3.3.2|==2.2", "2.2.1", false},
        // `.*` after other operators is ignored
        {">=1.2.*", "1.2", true},     {"==1.2.*", "1.2.5", false},  {"<1.2.*", "1.1.9", true},
        // bare versions are exact
        {"1.2", "1.2.0", true},       {"1.2", "1.2.1", false},      {"  1.2  ", "1.2", true},
        // globs match the normalised text
        {"1.*.3", "1.7.3", true},     {"1.*.3", "1.7.4", false},    {"*.3", "10.3", true},
        {"1.*.RC1", "1.0.rc1", true},
        // case-insensitive versions
        {"==1.0RC1", "1.0rc1", true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.spec) + " contains " + c.version);
        EXPECT_EQ(matches(c.spec, c.version), c.expected);
    }
}

TEST(VersionSpecTest, CompoundSpecs) {
    const auto vs = spec(">=2.7, !=3.0.*, !=3.1.*, !=3.2.*, !=3.3.*");
    const struct {
        const char* version;
        bool expected;
    } cases[] = {{"2.6.8", false}, {"2.7.2", true}, {"3.3", false}, {"3.3.4", false},
                 {"3.4", true},    {"3.4a", true}};
    for (const auto& c : cases) {
        SCOPED_TRACE(c.version);
        EXPECT_EQ(vs.contains(*CondaVersion::parse(c.version)), c.expected);
    }
    EXPECT_EQ(vs.kind(), VersionSpec::Kind::all_of);
    EXPECT_EQ(vs.children().size(), 5U);
}

TEST(VersionSpecTest, PrecedenceAndFusing) {
    // treeify's docstring: `,` binds tighter than `|`; same-operator nodes merge.
    const auto nested = spec("( (1.5|((1.6|1.7), 1.8), 1.9 |2.0))|2.1");
    ASSERT_EQ(nested.kind(), VersionSpec::Kind::any_of);
    ASSERT_EQ(nested.children().size(), 4U);  // 1.5, (...), 2.0, 2.1 as in conda
    EXPECT_EQ(nested.children()[1].kind(), VersionSpec::Kind::all_of);
    EXPECT_EQ(nested.to_string(), "==1.5|(==1.6|==1.7),==1.8,==1.9|==2.0|==2.1");
    EXPECT_EQ(spec("1.5|(1.6|1.7),1.8,1.9|2.0|2.1"), nested);

    const auto tree = spec("1.2.3,4.5.6|<=7.8.9");
    ASSERT_EQ(tree.kind(), VersionSpec::Kind::any_of);
    EXPECT_EQ(tree.children()[0].kind(), VersionSpec::Kind::all_of);
    EXPECT_EQ(spec("(1.2.3|4.5.6),<=7.8.9").to_string(), "(==1.2.3|==4.5.6),<=7.8.9");
    EXPECT_TRUE(matches("1.0|2.0,>1.5", "1.0"));   // 1.0 | (2.0 , >1.5)
    EXPECT_FALSE(matches("(1.0|2.0),>1.5", "1.0"));
}

TEST(VersionSpecTest, CanonicalTextRoundTrips) {
    const struct {
        const char* text;
        const char* canonical;
    } cases[] = {
        {"1.7.1", "==1.7.1"},           {"==1.7.1", "==1.7.1"},       {"1.7.1*", "1.7.1.*"},
        {"1.7.1.*", "1.7.1.*"},         {"=1.7.1", "1.7.1.*"},        {"=1.7.1.*", "1.7.1.*"},
        {">=1.2.*", ">=1.2"},           {"!=1.2.*", "!=1.2.*"},       {"!=1.2", "!=1.2"},
        {"~=1.2", "~=1.2"},             {"<2", "<2"},                 {">1.0a", ">1.0a"},
        {"*", "*"},                     {"1.*.3", "1.*.3"},           {R"(^1\.2$)", R"(^1\.2$)"},
        {"1.7.1*,1.8.1*", "1.7.1.*,1.8.1.*"},   {" 1.0RC1 ", "==1.0rc1"},
        {"1.0-1", "==1.0_1"},          {"=1.2*", "=1.2*"},           {"1.2**", "=1.2*"},
        {">=5.9*", ">=5.9*"},           {"==1_*", "==1_*"},           {"!=1.*.*", "!=1_*.*"},
        {"==1.*", "==1"},               {">=1!2.0", ">=1!2.0"},       {"^a|b$|1.0", "^a|b$|==1.0"},
        {"(1.0)", "==1.0"},             {">=1.0,(<2.0|>3.0)", ">=1.0,(<2.0|>3.0)"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = spec(c.text);
        EXPECT_EQ(parsed.to_string(), c.canonical);
        const auto again = spec(parsed.to_string());
        EXPECT_EQ(again.to_string(), parsed.to_string());
        EXPECT_EQ(again, parsed);
    }
    // conda's test_version_spec_1/3/4 equalities.
    EXPECT_EQ(spec("1.7.1*"), spec("1.7.1.*"));
    EXPECT_EQ(spec("1.7.1*,1.8.1*"), spec("1.7.1.*,1.8.1.*"));
    EXPECT_EQ(spec("1.7.1*,1.8.1.*"), spec("1.7.1.*,1.8.1*"));
    EXPECT_NE(spec("1.7.1"), spec("1.7.1*"));
    EXPECT_TRUE(spec("1.7.1").is_exact());
    EXPECT_FALSE(spec("1.7.1*").is_exact());
    EXPECT_TRUE(spec("*").matches_all());
    EXPECT_TRUE(VersionSpec().matches_all());
}

TEST(VersionSpecTest, OperandsMayHoldStarsAsStringAtoms) {
    // `*` in an operand is a string atom below every other string (real repodata has
    // `ncurses >=5.9*`); conda's test_ver_eval has `>1.0.0*` matching 1.0.0.
    EXPECT_TRUE(matches(">=5.9*", "5.9"));
    EXPECT_TRUE(matches(">=5.9*", "5.9.1"));
    EXPECT_FALSE(matches(">=5.9*", "5.8"));
    const auto odd = spec("=1.2*");  // starts with the version `1.2*`
    EXPECT_EQ(odd.op(), VersionSpec::Operator::starts_with);
    EXPECT_EQ(odd.version().to_string(), "1.2*");
    EXPECT_TRUE(matches("=1.2*", "1.2*a"));
    EXPECT_FALSE(matches("=1.2*", "1.2"));
    // `1.*` ends in `.*`, which would read back as a prefix: it prints as the equal `1_*`.
    EXPECT_EQ(spec("!=1.*.*").version().to_string(), "1.*");
    EXPECT_EQ(spec(spec("!=1.*.*").to_string()).version(), spec("!=1.*.*").version());
}

TEST(VersionSpecTest, RejectsInvalidSpecsAndNamesTheColumn) {
    const struct {
        const char* text;
        unsigned column;
        const char* expected;
    } cases[] = {
        {"", 1, "expected a version constraint"},
        {"   ", 4, "expected a version constraint"},
        {"~", 1, "expected an operator"},
        {"^", 2, "end with `$`"},
        {"^1.5", 5, "end with `$`"},
        {"1.5$", 1, "start with `^`"},
        {"(1.5", 1, "close this `(`"},
        {"1.5)", 4, "`(` before this `)`"},
        {"1.5||1.6", 4, "both sides of `|`"},
        {"1.5,", 4, "both sides of `,`"},
        {",1.5", 1, "both sides of `,`"},
        {"1.2+", 5, "local version component"},
        {"+1.2", 1, "before the local version separator"},
        {"++", 2, "at most one local version separator"},
        {"c +, 0/|0 *", 2, "expected letters"},
        {"a[version=)|(", 2, "expected letters"},
        {"a=)(=b", 2, "expected letters"},
        {"==", 3, "expected a version after the operator"},
        {"=", 2, "expected a version after the operator"},
        {">=", 3, "expected a version after the operator"},
        {"<=", 3, "expected a version after the operator"},
        {"===3.3.2", 3, "found another operator"},
        {"><2.4.5", 2, "found another operator"},
        {"!!2.4.5", 1, "expected an operator"},
        {"!", 1, "expected an operator"},
        {"<= 1.2", 3, "no whitespace"},
        {"~=3.3.2.*", 8, "no `.*` after `~=`"},
        {"~=3", 3, "with a `.` after `~=`"},
        {">=1.x#", 6, "expected letters"},
        {"1.2 1.3", 4, "expected letters"},
        {"(1.2)(1.3)", 6, "`,` or `|` between"},
        {"1.2 (1.3)", 5, "`,` or `|` between"},
        {"()", 1, "expected a version constraint"},
        {".*", 1, "expected a version before `.*`"},
        {"1.*?", 4, "version glob"},
        {R"(^(?=a)$)", 1, "RE2"},
        {">=1.0,<2.0|", 11, "both sides of `|`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = VersionSpec::parse(c.text);
        ASSERT_THAT(parsed, FailsWithId("spec.version_spec.invalid"));
        const auto& error = parsed.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(error.message, HasSubstr("column " + std::to_string(c.column)));
        EXPECT_THAT(error.message, HasSubstr(c.expected));
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.where->line_text, c.text);
        EXPECT_EQ(error.arg_value("spec"), c.text);
    }
}

TEST(VersionSpecTest, DeepNestingIsAnErrorNotACrash) {
    const std::string deep = std::string(500, '(') + "1.0" + std::string(500, ')');
    EXPECT_THAT(VersionSpec::parse(deep), FailsWithId("spec.version_spec.invalid"));
    const std::string ok = std::string(150, '(') + "1.0" + std::string(150, ')');
    EXPECT_THAT(VersionSpec::parse(ok), Succeeds());
    std::string wide = "1.0";
    for (int i = 0; i < 5000; ++i) {
        wide += i % 2 == 0 ? ",>=0.1" : "|<9";
    }
    EXPECT_THAT(VersionSpec::parse(wide), Succeeds());
}

TEST(BuildNumberSpecTest, ParsesMatchesAndPrints) {
    const struct {
        const char* text;
        const char* canonical;
        std::uint64_t number;
        bool expected;
    } cases[] = {
        {"3", "3", 3, true},        {"3", "3", 4, false},       {" 3 ", "3", 3, true},
        {"==3", "3", 3, true},      {"=3", "3", 3, true},       {"!=1", "!=1", 1, false},
        {"!=1", "!=1", 2, true},    {">=2", ">=2", 2, true},    {">=2", ">=2", 1, false},
        {">2", ">2", 2, false},     {"<2", "<2", 1, true},      {"<=2", "<=2", 2, true},
        {"*", "*", 99, true},       {"^1[0-9]$", "^1[0-9]$", 12, true},
        {"^1[0-9]$", "^1[0-9]$", 2, false},  {"007", "7", 7, true},
        {"18446744073709551615", "18446744073709551615", 18446744073709551615ULL, true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = BuildNumberSpec::parse(c.text);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->to_string(), c.canonical);
        EXPECT_EQ(parsed->contains(c.number), c.expected);
        const auto again = BuildNumberSpec::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(*again, *parsed);
    }
}

TEST(BuildNumberSpecTest, RejectsInvalidBuildNumbers) {
    const struct {
        const char* text;
        unsigned column;
        const char* expected;
    } cases[] = {
        {"", 1, "found nothing"},
        {"abc", 1, "non-negative integer"},
        {"-1", 1, "non-negative integer"},
        {"~=1", 1, "expected an operator"},
        {">=", 3, "after the operator"},
        {"1.5", 2, "only digits"},
        {">=x", 3, "non-negative integer"},
        {"18446744073709551616", 1, "below 2^64"},
        {"^1", 3, "end with `$`"},
        {"1$", 1, "start with `^`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = BuildNumberSpec::parse(c.text);
        ASSERT_THAT(parsed, FailsWithId("spec.build_number.invalid"));
        EXPECT_THAT(parsed.error().message, HasSubstr("column " + std::to_string(c.column)));
        EXPECT_THAT(parsed.error().message, HasSubstr(c.expected));
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->column, c.column);
    }
}

}  // namespace
}  // namespace envsmith::specs
