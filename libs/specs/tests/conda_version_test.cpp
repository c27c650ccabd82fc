// CondaVersion against conda's own examples: the VersionOrder docstring and
// tests/models/test_version.py (structures, orderings, startswith, invalid inputs).

#include "envsmith/specs/conda_version.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::HasSubstr;

CondaVersion v(std::string_view text) {
    auto parsed = CondaVersion::parse(text);
    EXPECT_THAT(parsed, Succeeds()) << text;
    return parsed ? *parsed : CondaVersion();
}

// Asserts that `versions` is strictly increasing and that every pair compares consistently.
void expect_strictly_increasing(const std::vector<std::string>& versions) {
    for (std::size_t i = 0; i < versions.size(); ++i) {
        for (std::size_t j = 0; j < versions.size(); ++j) {
            SCOPED_TRACE(versions[i] + " vs " + versions[j]);
            const auto a = v(versions[i]);
            const auto b = v(versions[j]);
            EXPECT_EQ(a < b, i < j);
            EXPECT_EQ(a == b, i == j);
            EXPECT_EQ(a > b, i > j);
        }
    }
}

TEST(CondaVersionTest, ParsesIntoTheStructureOfConda) {
    // tests/models/test_version.py::test_version_order, in conda's order.
    const struct {
        const char* text;
        const char* structure;
    } cases[] = {
        {"0.4", "[[0], [0], [4]]"},
        {"0.4.0", "[[0], [0], [4], [0]]"},
        {"0.4.1a.vc11", "[[0], [0], [4], [1, 'a'], [0, 'vc', 11]]"},
        {"0.4.1.rc", "[[0], [0], [4], [1], [0, 'rc']]"},
        {"0.4.1.vc11", "[[0], [0], [4], [1], [0, 'vc', 11]]"},
        {"0.4.1", "[[0], [0], [4], [1]]"},
        {"0.5*", "[[0], [0], [5, '*']]"},
        {"0.5a1", "[[0], [0], [5, 'a', 1]]"},
        {"0.5b3", "[[0], [0], [5, 'b', 3]]"},
        {"0.5C1", "[[0], [0], [5, 'c', 1]]"},
        {"0.5z", "[[0], [0], [5, 'z']]"},
        {"0.5za", "[[0], [0], [5, 'za']]"},
        {"0.5", "[[0], [0], [5]]"},
        {"0.5_5", "[[0], [0], [5], [5]]"},
        {"0.5-5", "[[0], [0], [5], [5]]"},
        {"0.9.6", "[[0], [0], [9], [6]]"},
        {"0.960923", "[[0], [0], [960923]]"},
        {"1.0", "[[0], [1], [0]]"},
        {"1.0.4a3", "[[0], [1], [0], [4, 'a', 3]]"},
        {"1.0.4b1", "[[0], [1], [0], [4, 'b', 1]]"},
        {"1.0.4", "[[0], [1], [0], [4]]"},
        {"1.1dev1", "[[0], [1], [1, 'DEV', 1]]"},
        {"1.1_", "[[0], [1], [1, '_']]"},
        {"1.1a1", "[[0], [1], [1, 'a', 1]]"},
        {"1.1.dev1", "[[0], [1], [1], [0, 'DEV', 1]]"},
        {"1.1.a1", "[[0], [1], [1], [0, 'a', 1]]"},
        {"1.1", "[[0], [1], [1]]"},
        {"1.1.post1", "[[0], [1], [1], [0, inf, 1]]"},
        {"1.1.1dev1", "[[0], [1], [1], [1, 'DEV', 1]]"},
        {"1.1.1rc1", "[[0], [1], [1], [1, 'rc', 1]]"},
        {"1.1.1", "[[0], [1], [1], [1]]"},
        {"1.1.1post1", "[[0], [1], [1], [1, inf, 1]]"},
        {"1.1post1", "[[0], [1], [1, inf, 1]]"},
        {"2g6", "[[0], [2, 'g', 6]]"},
        {"2.0b1pr0", "[[0], [2], [0, 'b', 1, 'pr', 0]]"},
        {"2.2be.ta29", "[[0], [2], [2, 'be'], [0, 'ta', 29]]"},
        {"2.2be5ta29", "[[0], [2], [2, 'be', 5, 'ta', 29]]"},
        {"2.2beta29", "[[0], [2], [2, 'beta', 29]]"},
        {"2.2.0.1", "[[0], [2], [2], [0], [1]]"},
        {"3.1.1.6", "[[0], [3], [1], [1], [6]]"},
        {"3.2.p.r0", "[[0], [3], [2], [0, 'p'], [0, 'r', 0]]"},
        {"3.2.pr0", "[[0], [3], [2], [0, 'pr', 0]]"},
        {"3.2.pr.1", "[[0], [3], [2], [0, 'pr'], [1]]"},
        {"5.5.kw", "[[0], [5], [5], [0, 'kw']]"},
        {"11g", "[[0], [11, 'g']]"},
        {"14.3.1", "[[0], [14], [3], [1]]"},
        {"14.3.1.post26.g9d75ca2",
         "[[0], [14], [3], [1], [0, inf, 26], [0, 'g', 9, 'd', 75, 'ca', 2]]"},
        {"1996.07.12", "[[0], [1996], [7], [12]]"},
        {"1!0.4.1", "[[1], [0], [4], [1]]"},
        {"1!3.1.1.6", "[[1], [3], [1], [1], [6]]"},
        {"2!0.4.1", "[[2], [0], [4], [1]]"},
    };
    std::vector<std::string> in_order;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(v(c.text).structure(), c.structure);
        in_order.emplace_back(c.text);
    }
    // conda checks this list with a stable sort: "0.4" == "0.4.0" and "0.5_5" == "0.5-5"; the
    // rest is strictly increasing.
    EXPECT_EQ(v("0.4"), v("0.4.0"));
    EXPECT_EQ(v("0.5_5"), v("0.5-5"));
    in_order.erase(std::find(in_order.begin(), in_order.end(), "0.4.0"));
    in_order.erase(std::find(in_order.begin(), in_order.end(), "0.5-5"));
    expect_strictly_increasing(in_order);
}

TEST(CondaVersionTest, DocstringOrderingWithItsEqualities) {
    // The VersionOrder docstring: each inner list holds versions that compare equal.
    const std::vector<std::vector<std::string>> groups = {
        {"0.4"},          {"0.4.0"},       {"0.4.1.rc", "0.4.1.RC"}, {"0.4.1"},
        {"0.5a1"},        {"0.5b3"},       {"0.5C1"},                {"0.5"},
        {"0.9.6"},        {"0.960923"},    {"1.0"},                  {"1.1dev1"},
        {"1.1a1"},        {"1.1.0dev1", "1.1.dev1"},                 {"1.1.a1"},
        {"1.1.0rc1"},     {"1.1.0", "1.1"},                          {"1.1.0post1", "1.1.post1"},
        {"1.1post1"},     {"1996.07.12"},  {"1!0.4.1"},              {"1!3.1.1.6"},
        {"2!0.4.1"},
    };
    // "0.4" == "0.4.0" in conda (fill value 0); the docstring lists them as `<` only to show
    // that sorting keeps them adjacent.
    EXPECT_EQ(v("0.4"), v("0.4.0"));
    for (std::size_t i = 0; i < groups.size(); ++i) {
        for (std::size_t j = 0; j < groups.size(); ++j) {
            for (const auto& a : groups[i]) {
                for (const auto& b : groups[j]) {
                    SCOPED_TRACE(a + " vs " + b);
                    const bool same = i == j || (i <= 1 && j <= 1);
                    EXPECT_EQ(v(a) == v(b), same);
                    if (!same) {
                        EXPECT_EQ(v(a) < v(b), i < j);
                    }
                }
            }
        }
    }
}

TEST(CondaVersionTest, OpensslConventionSortsTrailingUnderscoreBeforeLetters) {
    // tests/models/test_version.py::test_openssl_convention, shuffled then sorted.
    const std::vector<std::string> expected = {
        "1.0.1dev", "1.0.1_",   "1.0.1a",       "1.0.1b",       "1.0.1c",       "1.0.1d",
        "1.0.1r",   "1.0.1rc",  "1.0.1rc1",     "1.0.1rc2",     "1.0.1s",       "1.0.1",
        "1.0.1post.a", "1.0.1post.b", "1.0.1post.z", "1.0.1post.za", "1.0.2",
    };
    std::vector<CondaVersion> shuffled;
    for (const auto& text : expected) {
        shuffled.push_back(v(text));
    }
    std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
    std::sort(shuffled.begin(), shuffled.end());
    for (std::size_t i = 0; i < expected.size(); ++i) {
        EXPECT_EQ(shuffled[i].to_string(), expected[i]);
    }
}

TEST(CondaVersionTest, Pep440ListFromCondaTestsIsSorted) {
    expect_strictly_increasing({
        "1.0a1", "1.0a2.dev456", "1.0a12.dev456", "1.0a12", "1.0b1.dev456", "1.0b2",
        "1.0b2.post345.dev456", "1.0b2.post345", "1.0c1.dev456", "1.0c1", "1.0c3", "1.0rc2",
        "1.0.dev456", "1.0", "1.0.post456.dev34", "1.0.post456", "1.1.dev1", "1.2.r32+123456",
        "1.2.rev33+123456", "1.2+abc", "1.2+abc123def", "1.2+abc123", "1.2+123abc",
        "1.2+123abc456", "1.2+1234.abc", "1.2+123456", "1!1.0a1", "1!1.0a2.dev456",
        "1!1.0a12.dev456", "1!1.0a12", "1!1.0b1.dev456", "1!1.0b2", "1!1.0b2.post345.dev456",
        "1!1.0b2.post345", "1!1.0c1.dev456", "1!1.0c1", "1!1.0c3", "1!1.0rc2", "1!1.0.dev456",
        "1!1.0", "1!1.0.post456.dev34", "1!1.0.post456", "1!1.1.dev1", "1!1.2.r32+123456",
        "1!1.2.rev33+123456", "1!1.2+abc", "1!1.2+abc123def", "1!1.2+abc123", "1!1.2+123abc",
        "1!1.2+123abc456", "1!1.2+1234.abc", "1!1.2+123456",
    });
    expect_strictly_increasing({"0.3.0.dev", "0.3.3"});
}

TEST(CondaVersionTest, EqualitiesAndSpecialStrings) {
    const struct {
        const char* a;
        const char* b;
        int expected;  // -1: a < b, 0: equal, 1: a > b
    } cases[] = {
        {"  0.4.rc  ", "0.4.RC", 0},
        {"0.4", "0.4.0", 0},
        {"0.4", "0.4.1", -1},
        {"0.4.a1", "0.4.0a1", 0},
        {"0.4.a1", "0.4.1a1", -1},
        {"1.01", "1.1", 0},                     // numbers, not text
        {"1.10", "1.9", 1},
        {"1.99999999999999999999999", "1.99999999999999999999998", 1},  // beyond 64 bits
        {"1.0dev", "1.0*", 1},                  // '*' < 'DEV' < '_' < letters
        {"1.0dev", "1.0_", -1},
        {"1.0_", "1.0a", -1},
        {"1.0a", "1.0", -1},                    // strings below numbers
        {"1.0post", "1.0.99999", 1},            // post is infinity
        {"1.0post", "1.0.post", 1},             // [0, inf] > [0], [0, inf]
        {"1.0+2", "1.0+10", -1},                // local parts break ties
        {"1.1+2", "1.0+10", 1},                 // ... only when main parts are equal
        {"1.0+0", "1.0", 0},
        {"2!1.0", "1!9.9", 1},
        {"0!1.0", "1.0", 0},
        {"1.0-1", "1.0_1", 0},                  // `-` reads as `_` without underscores
        {"1.0.1_", "1.0.1a", -1},               // openssl work-around
        {"v.1.1.0", "v0.1.1", 0},               // leading strings get a 0 in front
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.a) + " vs " + c.b);
        const auto a = v(c.a);
        const auto b = v(c.b);
        EXPECT_EQ(a == b, c.expected == 0);
        EXPECT_EQ(a < b, c.expected < 0);
        EXPECT_EQ(a > b, c.expected > 0);
        EXPECT_EQ(b < a, c.expected > 0);
    }
}

TEST(CondaVersionTest, ToStringIsCondasNormalisedText) {
    const struct {
        const char* text;
        const char* normalised;
    } cases[] = {
        {"1.2.3", "1.2.3"},         {"  0.4.1.RC  ", "0.4.1.rc"}, {"0.5-5", "0.5_5"},
        {"1.0-rc1", "1.0_rc1"},     {"1!2.0", "1!2.0"},           {"1.2+ABC.4", "1.2+abc.4"},
        {"\t1.0\n", "1.0"},         {"1.0.1_", "1.0.1_"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto version = v(c.text);
        EXPECT_EQ(version.to_string(), c.normalised);
        const auto again = v(version.to_string());
        EXPECT_EQ(again.to_string(), version.to_string());
        EXPECT_EQ(again.structure(), version.structure());
        EXPECT_EQ(again, version);
    }
}

TEST(CondaVersionTest, TrailingUnderscoreAndEdgeStructures) {
    const struct {
        const char* text;
        const char* structure;
    } cases[] = {
        {"1.0.1_", "[[0], [1], [0], [1, '_']]"},
        {"1._", "[[0], [1], [0, '_']]"},
        {"_", "[[0], [0, '_']]"},
        {"1__", "[[0], [1], [0, '_']]"},
        {"1.0-", "[[0], [1], [0, '_']]"},
        {"1.*", "[[0], [1], [0, '*']]"},
        {"1.0a**b", "[[0], [1], [0, 'a', '**', 'b']]"},
        {"007", "[[0], [7]]"},
        {"1.2+3.4", "[[0], [1], [2]]"},  // the local part is not part of `.version`
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        EXPECT_EQ(v(c.text).structure(), c.structure);
    }
    EXPECT_EQ(v("1.2+3.4").local().size(), 2U);
    EXPECT_TRUE(v("1.2+3.4").has_local());
    EXPECT_FALSE(v("1.2").has_local());
    EXPECT_EQ(CondaVersion().to_string(), "0");
    EXPECT_EQ(CondaVersion(), v("0.0"));
}

TEST(CondaVersionTest, StartsWithFollowsConda) {
    const struct {
        const char* version;
        const char* prefix;
        bool expected;
    } cases[] = {
        {"0.4.1", "0", true},           {"0.4.1", "0.4", true},
        {"0.4.1p1", "0.4", true},       {"0.4.1p1", "0.4.1p", true},
        {"0.4.1p1", "0.4.1q1", false},  {"0.4", "0.4.1", false},
        {"0.4.1+1.3", "0.4.1", true},   {"0.4.1+1.3", "0.4.1+1", true},
        {"0.4.1", "0.4.1+1.3", false},  {"0.4.1+1", "0.4.1+1.3", false},
        {"1.20", "1.2", false},         {"1.2", "1.2", true},
        {"1.2.0", "1.2", true},         {"1.2a", "1.2", true},
        {"2013ab", "2013a", true},      {"2013a", "2013b", false},
        {"1.2.3+4.5.6", "1.2.3+4", true}, {"1.2.3+4.5.6", "1.2.3+5", false},
        {"1.2.3+4.5.6", "1.2.4+5", false}, {"1.0", "1.0.0", true},
        {"1.0.1", "1.0.0", false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.version) + " starts with " + c.prefix);
        EXPECT_EQ(v(c.version).starts_with(v(c.prefix)), c.expected);
    }
}

TEST(CondaVersionTest, CompatibleWithIsGreaterEqualAndSharedPrefix) {
    const struct {
        const char* version;
        const char* base;
        bool expected;
    } cases[] = {
        {"1.11.0", "1.10", true},   {"1.11.0", "1.10.0", false}, {"3.4.0", "3.3.2", false},
        {"3.3.1", "3.3.2", false},  {"3.3.2.0", "3.3.2", true},  {"3.3.3", "3.3.2", true},
        {"2.0", "1.10", false},     {"5", "1", false},  // nothing to drop from `1`
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.version) + " ~= " + c.base);
        EXPECT_EQ(v(c.version).compatible_with(v(c.base)), c.expected);
    }
}

TEST(CondaVersionTest, RejectsInvalidVersionsAndNamesTheColumn) {
    const struct {
        const char* text;
        unsigned column;
        const char* expected;
    } cases[] = {
        {"", 1, "found nothing"},
        {"  ", 3, "found nothing"},
        {"3.5&1", 4, "expected letters, digits"},
        {"5.5++", 5, "at most one local version separator"},
        {"5.5..mw", 5, "found an empty one"},
        {"!", 1, "epoch"},
        {"a!1.0", 1, "epoch before `!` to be an integer"},
        {"a!b!1.0", 4, "at most one epoch separator"},
        {"1.2+", 5, "local version component"},
        {"+1.2", 1, "before the local version separator"},
        {"+1.2+", 5, "at most one local version separator"},
        {"1!", 3, "after the epoch separator"},
        {"1-2_3", 2, "`-` is only allowed when the version has no `_`"},
        {"1.0 beta", 4, "expected letters, digits"},
        {" 1..2", 4, "found an empty one"},
        {"1.2.", 5, "found an empty one"},
        {".1", 1, "found an empty one"},
        {"1.2+a..b", 7, "local version component"},
        {"1.\xc3\xa9", 3, "expected letters"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = CondaVersion::parse(c.text);
        ASSERT_THAT(parsed, FailsWithId("spec.version.invalid"));
        const auto& error = parsed.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(error.message, HasSubstr("column " + std::to_string(c.column)));
        EXPECT_THAT(error.message, HasSubstr(c.expected));
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->line, 1U);
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.where->line_text, c.text);
        EXPECT_EQ(error.arg_value("spec"), c.text);
    }
}

TEST(CondaVersionTest, ErrorsCanBeReanchoredInAFile) {
    auto parsed = CondaVersion::parse("1..2");
    ASSERT_FALSE(parsed.has_value());
    auto error = std::move(parsed).error().within(core::SourceLocation{"env.yml", 7, 12, "x"});
    ASSERT_TRUE(error.where.has_value());
    EXPECT_EQ(error.where->file, "env.yml");
    EXPECT_EQ(error.where->line, 7U);
    EXPECT_EQ(error.where->column, 14U);  // column 3 of the spec, which starts at column 12
}

}  // namespace
}  // namespace envsmith::specs
