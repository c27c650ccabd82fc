// PEP 440 versions and specifiers, checked against the spec's own rules and examples.

#include "envsmith/specs/pep440.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::testing::HasSubstr;
using test::FailsWithId;
using test::Succeeds;

Pep440Version v(std::string_view text) {
    auto parsed = Pep440Version::parse(text);
    EXPECT_THAT(parsed, Succeeds()) << text;
    return parsed ? *parsed : Pep440Version();
}

// PEP 440 "Normalization": every spelling on the left is the version on the right.
TEST(Pep440VersionTest, NormalisesEverySpellingTheSpecAllows) {
    const struct {
        const char* input;
        const char* normalised;
    } cases[] = {
        // case sensitivity, leading v, whitespace
        {"1.1RC1", "1.1rc1"},
        {"v1.0", "1.0"},
        {"V1.0", "1.0"},
        {"  1.0\n", "1.0"},
        {"\t1.0 ", "1.0"},
        // integers: leading zeros
        {"00", "0"},
        {"09000", "9000"},
        {"1.0.0000000000000000000000000000000000000000001", "1.0.1"},
        {"1.0.0", "1.0.0"},
        {"1.01.002", "1.1.2"},
        // epochs
        {"1!1.0", "1!1.0"},
        {"0!1.0", "1.0"},
        // pre-release separators and spellings
        {"1.1.a1", "1.1a1"},
        {"1.1-a1", "1.1a1"},
        {"1.1_a1", "1.1a1"},
        {"1.0a.1", "1.0a1"},
        {"1.0a-1", "1.0a1"},
        {"1.1alpha1", "1.1a1"},
        {"1.1beta2", "1.1b2"},
        {"1.1c3", "1.1rc3"},
        {"1.1pre4", "1.1rc4"},
        {"1.1preview5", "1.1rc5"},
        {"1.1RC1", "1.1rc1"},
        {"1.2a", "1.2a0"},
        {"1.2b", "1.2b0"},
        // post-release separators and spellings
        {"1.2-post2", "1.2.post2"},
        {"1.2post2", "1.2.post2"},
        {"1.2_post2", "1.2.post2"},
        {"1.2.post-2", "1.2.post2"},
        {"1.2.post_2", "1.2.post2"},
        {"1.0-r4", "1.0.post4"},
        {"1.0-rev4", "1.0.post4"},
        {"1.0r", "1.0.post0"},
        {"1.2.post", "1.2.post0"},
        {"1.0-1", "1.0.post1"},
        {"1.0-1-dev2", "1.0.post1.dev2"},
        // dev-release separators
        {"1.2-dev2", "1.2.dev2"},
        {"1.2dev2", "1.2.dev2"},
        {"1.2_dev2", "1.2.dev2"},
        {"1.2.dev", "1.2.dev0"},
        {"1.2.dev-2", "1.2.dev2"},
        // local version segments
        {"1.0+ubuntu-1", "1.0+ubuntu.1"},
        {"1.0+ubuntu_1", "1.0+ubuntu.1"},
        {"1.0+UBUNTU.1", "1.0+ubuntu.1"},
        {"1.0+007", "1.0+7"},
        // everything together
        {"v1!2.3.4RC5-POST6.DEV7+Local-8", "1!2.3.4rc5.post6.dev7+local.8"},
        {"1.0a1-1", "1.0a1.post1"},
        {"1.0a1.dev", "1.0a1.dev0"},
        {"1.0a-", "1.0a0"},
        {"2!0.0.0.0.0", "2!0.0.0.0.0"},
        {"18446744073709551615", "18446744073709551615"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Pep440Version::parse(c.input);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->to_string(), c.normalised);
        // Invariant: the normal form parses back to itself.
        const auto again = Pep440Version::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(again->to_string(), c.normalised);
        EXPECT_EQ(*again, *parsed);
    }
}

TEST(Pep440VersionTest, RejectsTextThatIsNotAVersionAndNamesTheColumn) {
    const struct {
        std::string input;
        unsigned column;
    } cases[] = {
        {"", 1},
        {"   ", 4},
        {"french toast", 1},
        {"1.0 + local", 5},
        {"1.0+", 5},
        {"1.0+loc@l", 8},
        {"1.x", 2},
        {"1.0.", 4},
        {"1!", 3},
        {"1.0-", 4},
        {"1.0.post1.post2", 10},
        {"1.0a1b2", 6},
        {"1.0.dev1.post1", 9},
        {"1.0+local.", 10},
        {"1.0 1", 5},
        {"vv1.0", 2},
        {"1.0.*", 4},
        {"-1.0", 1},
        {"1.0.18446744073709551616", 5},
        {"1.99999999999999999999", 3},
        {"2010i", 5},
        {std::string("1.0\0", 4), 4},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Pep440Version::parse(c.input);
        ASSERT_THAT(parsed, FailsWithId("spec.pep440.invalid"));
        EXPECT_EQ(parsed.error().code, core::ErrorCode::invalid_input);
        EXPECT_THAT(parsed.error().message, HasSubstr("column " + std::to_string(c.column)));
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->line, 1U);
        EXPECT_EQ(parsed.error().where->column, c.column);
        EXPECT_EQ(parsed.error().where->line_text, c.input);
        EXPECT_EQ(parsed.error().arg_value("version"), c.input);
    }
}

TEST(Pep440VersionTest, ErrorsCanBeReanchoredInAFile) {
    const auto parsed = Pep440Version::parse("1.x");
    ASSERT_FALSE(parsed.has_value());
    auto error = core::Error(parsed.error());
    auto anchored = std::move(error).within(core::SourceLocation{"reqs.txt", 7, 10, "numpy==1.x"});
    EXPECT_EQ(anchored.where->file, "reqs.txt");
    EXPECT_EQ(anchored.where->line, 7U);
    EXPECT_EQ(anchored.where->column, 11U);
}

TEST(Pep440VersionTest, ExposesItsParts) {
    const auto version = v("3!1.2.3rc4.post5.dev6+abc.7");
    EXPECT_EQ(version.epoch(), 3U);
    EXPECT_EQ(version.release(), (std::vector<std::uint64_t>{1, 2, 3}));
    ASSERT_TRUE(version.pre().has_value());
    EXPECT_EQ(version.pre()->kind, PreReleaseKind::release_candidate);
    EXPECT_EQ(version.pre()->number, 4U);
    EXPECT_EQ(version.post(), 5U);
    EXPECT_EQ(version.dev(), 6U);
    ASSERT_EQ(version.local().size(), 2U);
    EXPECT_EQ(std::get<std::string>(version.local()[0]), "abc");
    EXPECT_EQ(std::get<std::uint64_t>(version.local()[1]), 7U);
    EXPECT_EQ(version.local_label(), "abc.7");
    EXPECT_TRUE(version.is_prerelease());
    EXPECT_TRUE(version.is_postrelease());
    EXPECT_TRUE(version.is_devrelease());
    EXPECT_EQ(version.public_version().to_string(), "3!1.2.3rc4.post5.dev6");
    EXPECT_EQ(version.base_version().to_string(), "3!1.2.3");
}

TEST(Pep440VersionTest, ClassifiesReleases) {
    const struct {
        const char* input;
        bool pre;
        bool post;
        bool dev;
    } cases[] = {
        {"1.0", false, false, false},       {"1.0a1", true, false, false},
        {"1.0.dev1", true, false, true},    {"1.0.post1", false, true, false},
        {"1.0.post1.dev1", true, true, true}, {"1.0rc1.post1", true, true, false},
        {"1.0+local", false, false, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto version = v(c.input);
        EXPECT_EQ(version.is_prerelease(), c.pre);
        EXPECT_EQ(version.is_postrelease(), c.post);
        EXPECT_EQ(version.is_devrelease(), c.dev);
    }
}

// PEP 440 "Summary of permitted suffixes and relative ordering", then more from the spec.
TEST(Pep440VersionTest, OrdersTheSpecsExampleListStrictly) {
    const std::vector<std::string> ordered = {
        "1.dev0",          "1.0.dev456",    "1.0a1",         "1.0a2.dev456", "1.0a12.dev456",
        "1.0a12",          "1.0b1.dev456",  "1.0b2",         "1.0b2.post345.dev456",
        "1.0b2.post345",   "1.0rc1.dev456", "1.0rc1",        "1.0",          "1.0+abc.5",
        "1.0+abc.7",       "1.0+5",         "1.0.post456.dev34", "1.0.post456", "1.0.15",
        "1.1.dev1",        "1!0.1",
    };
    for (std::size_t i = 0; i < ordered.size(); ++i) {
        for (std::size_t j = 0; j < ordered.size(); ++j) {
            SCOPED_TRACE(ordered[i] + " vs " + ordered[j]);
            const auto a = v(ordered[i]);
            const auto b = v(ordered[j]);
            EXPECT_EQ(a < b, i < j);
            EXPECT_EQ(a == b, i == j);
            EXPECT_EQ(a > b, i > j);
        }
    }
}

TEST(Pep440VersionTest, ComparesEqualAcrossSpellingsAndTrailingZeros) {
    const struct {
        const char* a;
        const char* b;
    } equal[] = {
        {"1.0", "1.0.0"},        {"1", "1.0.0.0"},          {"1.0a1", "1.0.0alpha1"},
        {"0!1.0", "1.0"},        {"1.0+ubuntu-1", "1.0+UBUNTU.1"}, {"1.0+01", "1.0+1"},
        {"1.0-1", "1.0.post1"},  {"1.0c1", "1.0rc1"},
    };
    for (const auto& c : equal) {
        SCOPED_TRACE(std::string(c.a) + " == " + c.b);
        EXPECT_EQ(v(c.a), v(c.b));
        EXPECT_EQ(v(c.a) <=> v(c.b), std::strong_ordering::equal);
    }
    const struct {
        const char* lower;
        const char* higher;
    } less[] = {
        {"1.0", "1.0.1"},
        {"1.0.post1", "1.0.1"},
        {"1.0+abc", "1.0+abd"},
        {"1.0+abc", "1.0+abc.1"},
        {"1.0+abc.zzz", "1.0+abc.1"},       // a number sorts after text
        {"1.0+1", "1.0+1.0"},               // a shorter label sorts first
        {"1.0.dev1", "1.0a0"},              // dev of the release before its pre-releases
        {"1.0a1.dev1", "1.0a1"},
        {"1.0a1.post1.dev1", "1.0a1.post1"},
        {"1.0b1", "1.0rc1"},
        {"1.0rc1.post1", "1.0"},
        {"2.0", "1!0.0"},
        {"9", "10"},
        {"1.0.post1.dev1", "1.0.post1"},
    };
    for (const auto& c : less) {
        SCOPED_TRACE(std::string(c.lower) + " < " + c.higher);
        EXPECT_LT(v(c.lower), v(c.higher));
        EXPECT_NE(v(c.lower), v(c.higher));
    }
}

// --- Specifiers --------------------------------------------------------------------------

struct MatchCase {
    const char* specifier;
    const char* version;
    bool matches;
};

void expect_matches(const std::vector<MatchCase>& cases, Prereleases prereleases) {
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.specifier) + " contains " + c.version);
        const auto set = SpecifierSet::parse(c.specifier);
        ASSERT_THAT(set, Succeeds());
        EXPECT_EQ(set->contains(v(c.version), prereleases), c.matches);
    }
}

// PEP 440 "Version specifiers", operator by operator (pre-releases allowed where the
// example is about a pre-release, so the operator and not the policy decides).
TEST(SpecifierTest, FollowsTheSpecsOperatorExamples) {
    expect_matches(
        {
            // Compatible release: ~=2.2 is >=2.2, ==2.*
            {"~=2.2", "2.2", true},
            {"~=2.2", "2.3", true},
            {"~=2.2", "2.9.1", true},
            {"~=2.2", "3.0", false},
            {"~=2.2", "2.1", false},
            {"~=2.2", "2.2.post3", true},
            {"~=1.4.5", "1.4.5", true},
            {"~=1.4.5", "1.4.9", true},
            {"~=1.4.5", "1.5.0", false},
            {"~=1.4.5", "1.4.4", false},
            {"~=2.2.post3", "2.2.post3", true},
            {"~=2.2.post3", "2.2.post2", false},
            {"~=2.2.post3", "2.9", true},
            {"~=2.2.post3", "3.0", false},
            {"~=1.4.5a4", "1.4.5a4", true},
            {"~=1.4.5a4", "1.4.5", true},
            {"~=1.4.5a4", "1.4.9", true},
            {"~=1.4.5a4", "1.4.5a3", false},
            {"~=1.4.5a4", "1.5", false},
            {"~=1.4.5.0", "1.4.5.9", true},
            {"~=1.4.5.0", "1.4.6", false},
            {"~=1!1.0", "1!1.5", true},
            {"~=1!1.0", "1.5", false},
            {"~=2.2", "2.5+local", true},
            // Version matching
            {"==1.1", "1.1", true},
            {"==1.1", "1.1.0", true},
            {"==1.1.0", "1.1", true},
            {"==1.1", "1.1a1", false},
            {"==1.1a1", "1.1a1", true},
            {"==1.1.*", "1.1a1", true},
            {"==1.1.post1", "1.1.post1", true},
            {"==1.1", "1.1.post1", false},
            {"==1.1.*", "1.1.post1", true},
            {"==1.1.*", "1.1", true},
            {"==1.1.*", "1.1.0.0", true},
            {"==1.1.*", "1.10", false},
            {"==1.1.*", "1.2", false},
            {"==1.*", "1", true},
            {"==1.0.*", "1", true},
            {"==1.0.0.*", "1.0", true},
            {"==2.*", "2.0.0.dev1", true},
            {"==0!2.*", "2", true},
            {"==1!2.*", "2", false},
            {"==1.1.*", "1.1+local", true},
            // Local versions: a clause without a label ignores the candidate's label
            {"==1.0", "1.0+local", true},
            {"==1.0+local", "1.0+local", true},
            {"==1.0+local", "1.0", false},
            {"==1.0+local", "1.0+other", false},
            {"==1.0+local.1", "1.0+LOCAL-1", true},
            {"!=1.0", "1.0+local", false},
            {"!=1.0+local", "1.0+local", false},
            {"!=1.0+local", "1.0", true},
            // Version exclusion
            {"!=1.1", "1.1", false},
            {"!=1.1", "1.1.0", false},
            {"!=1.1", "1.1.post1", true},
            {"!=1.1.*", "1.1.post1", false},
            {"!=1.1.*", "1.1.3", false},
            {"!=1.1.*", "1.2", true},
            // Inclusive ordered comparison (local labels ignored)
            {"<=2.0", "2.0", true},
            {"<=2.0", "2.0+local", true},
            {"<=2.0", "2.0.post1", false},
            {">=2.0", "2.0", true},
            {">=2.0", "2.0+local", true},
            {">=2.0", "1.9.99", false},
            {">=2.0", "2.0.post1", true},
            // Exclusive ordered comparison
            {">1.7", "1.7.1", true},
            {">1.7", "1.7.0.post1", false},
            {">1.7", "1.7.post1", false},
            {">1.7", "1.7", false},
            {">1.7", "1.7+local", false},
            {">1.7", "1.7.1+local", true},
            {">1.7.post2", "1.7.1", true},
            {">1.7.post2", "1.7.0.post3", true},
            {">1.7.post2", "1.7.post2", false},
            {">1.7.post2", "1.7.post2+local", false},
            {"<1.7", "1.6", true},
            {"<1.7", "1.7.0rc1", false},
            {"<1.7", "1.7.dev1", false},
            {"<1.7", "1.7", false},
            {"<1.7", "1.6.9+local", true},
            {"<1.7rc1", "1.7a1", true},
            {"<1.7rc1", "1.7.dev1", true},
            {"<1.7rc1", "1.7rc1", false},
            {"<1.7.post1", "1.7", true},
            {"<1.7.post1", "1.7rc1", false},
            // Arbitrary equality: a string comparison
            {"===foobar", "1.0", false},
            {"===1.0", "1.0", true},
            {"===1.0", "1.0.0", false},
            {"===1.0", "1.0+local", false},
            {"===1.0A1", "1.0a1", true},
        },
        Prereleases::allow);
}

TEST(SpecifierTest, CompatibleReleaseIsItsSpelledOutEquivalent) {
    const struct {
        const char* compatible;
        const char* spelled_out;
    } pairs[] = {
        {"~=2.2", ">=2.2, ==2.*"},
        {"~=1.4.5", ">=1.4.5, ==1.4.*"},
        {"~=2.2.post3", ">=2.2.post3, ==2.*"},
        {"~=1.4.5a4", ">=1.4.5a4, ==1.4.*"},
        {"~=2.2.0", ">=2.2.0, ==2.2.*"},
    };
    const std::vector<std::string> candidates = {
        "1.0",   "2.1.9",    "2.2",      "2.2.0",   "2.2.1",   "2.2.post3", "2.2.post4", "2.3",
        "2.9.9", "3.0",      "3.0.dev1", "1.4.4",   "1.4.5a3", "1.4.5a4",   "1.4.5",     "1.4.99",
        "1.5",   "2.2+local", "1.4.5rc1", "2!2.2",
    };
    for (const auto& pair : pairs) {
        const auto a = SpecifierSet::parse(pair.compatible);
        const auto b = SpecifierSet::parse(pair.spelled_out);
        ASSERT_THAT(a, Succeeds());
        ASSERT_THAT(b, Succeeds());
        for (const auto& candidate : candidates) {
            SCOPED_TRACE(std::string(pair.compatible) + " vs " + pair.spelled_out + " on " + candidate);
            EXPECT_EQ(a->contains(v(candidate), Prereleases::allow), b->contains(v(candidate), Prereleases::allow));
            EXPECT_EQ(a->contains(v(candidate)), b->contains(v(candidate)));
        }
    }
}

TEST(SpecifierTest, ExcludesPreReleasesUnlessNamedOrAllowed) {
    const struct {
        const char* specifier;
        const char* version;
        bool by_default;
        bool allowed;
        bool denied;
    } cases[] = {
        {">=1.0", "2.0a1", false, true, false},
        {">=1.0", "2.0.dev1", false, true, false},
        {">=1.0", "2.0", true, true, true},
        {">=1.0a1", "2.0a1", true, true, false},
        {">=1.0.dev1", "2.0.dev3", true, true, false},
        {"==2.0rc1", "2.0rc1", true, true, false},
        {"!=2.0rc1", "2.0rc2", false, true, false},
        {"==2.*", "2.0a1", false, true, false},
        {"", "1.0a1", false, true, false},
        {"", "1.0", true, true, true},
        {">=1.0,<2.0a5", "2.0a1", true, true, false},  // one member names one: the whole set allows
        {"<2.0rc1", "1.0.post1.dev1", true, true, false},
        {"===1.0a1", "1.0a1", true, true, false},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.specifier) + " contains " + c.version);
        const auto set = SpecifierSet::parse(c.specifier);
        ASSERT_THAT(set, Succeeds());
        EXPECT_EQ(set->contains(v(c.version)), c.by_default);
        EXPECT_EQ(set->contains(v(c.version), Prereleases::allow), c.allowed);
        EXPECT_EQ(set->contains(v(c.version), Prereleases::deny), c.denied);
        if (set->specifiers().size() == 1) {
            const auto& one = set->specifiers().front();
            EXPECT_EQ(one.contains(v(c.version)), c.by_default);
            EXPECT_EQ(one.contains(v(c.version), Prereleases::allow), c.allowed);
            EXPECT_EQ(one.contains(v(c.version), Prereleases::deny), c.denied);
        }
    }
}

TEST(SpecifierTest, FilterFallsBackToPreReleasesOnlyWhenNothingElseMatches) {
    const std::vector<Pep440Version> versions = {v("1.0"), v("1.5a1"), v("2.0.dev1"), v("2.0b1")};
    const auto names = [](const std::vector<Pep440Version>& list) {
        std::vector<std::string> out;
        for (const auto& item : list) {
            out.push_back(item.to_string());
        }
        return out;
    };
    const auto ge1 = SpecifierSet::parse(">=1.0");
    const auto ge2 = SpecifierSet::parse(">=1.9");
    const auto ge2b = SpecifierSet::parse(">=2.0b1");
    ASSERT_THAT(ge1, Succeeds());
    ASSERT_THAT(ge2, Succeeds());
    ASSERT_THAT(ge2b, Succeeds());
    EXPECT_EQ(names(ge1->filter(versions)), (std::vector<std::string>{"1.0"}));
    EXPECT_EQ(names(ge1->filter(versions, Prereleases::allow)),
              (std::vector<std::string>{"1.0", "1.5a1", "2.0.dev1", "2.0b1"}));
    EXPECT_EQ(names(ge2->filter(versions)), (std::vector<std::string>{"2.0.dev1", "2.0b1"}));
    EXPECT_TRUE(ge2->filter(versions, Prereleases::deny).empty());
    EXPECT_EQ(names(ge2b->filter(versions)), (std::vector<std::string>{"2.0b1"}));
}

TEST(SpecifierTest, ParsesAndPrintsCanonically) {
    const struct {
        const char* input;
        const char* canonical;
    } cases[] = {
        {">=1.0", ">=1.0"},
        {" >= 1.0 ", ">=1.0"},
        {"==1.0.*", "==1.0.*"},
        {"== 1.0.*", "==1.0.*"},
        {"!=v1.0.*", "!=1.0.*"},
        {"~=1.4.5A4", "~=1.4.5a4"},
        {"<2.0-dev", "<2.0.dev0"},
        {"==1.0+Ubuntu-1", "==1.0+ubuntu.1"},
        {"===Foo-Bar", "===Foo-Bar"},
        {"=== 1.0", "===1.0"},
        {">1!2", ">1!2"},
        {"<=1.0.post1", "<=1.0.post1"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Specifier::parse(c.input);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->to_string(), c.canonical);
        const auto again = Specifier::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(*again, *parsed);
    }
    const auto wildcard = Specifier::parse("==1.2.*");
    ASSERT_THAT(wildcard, Succeeds());
    EXPECT_EQ(wildcard->op(), SpecifierOp::equal);
    EXPECT_TRUE(wildcard->has_wildcard());
    EXPECT_EQ(wildcard->version().to_string(), "1.2");
}

TEST(SpecifierTest, RejectsWhatTheGrammarForbids) {
    const struct {
        const char* input;
        unsigned column;
        const char* problem;
    } cases[] = {
        {"1.0", 1, "comparison operator"},
        {"", 1, "comparison operator"},
        {"=1.0", 1, "comparison operator"},
        {">=", 3, "expected a version"},
        {"~=1", 3, "at least two release numbers"},
        {"~=1.0.*", 6, "`.*` is allowed only with `==` and `!=`"},
        {">=1.0.*", 6, "`.*` is allowed only with `==` and `!=`"},
        {"<1.0+local", 5, "local version label is allowed only with `==` and `!=`"},
        {"~=1.0+local", 6, "local version label"},
        {"==1.0a1.*", 8, "may follow only a release"},
        {"==1.0+abc.*", 10, "may follow only a release"},
        {"==1.*.0", 4, "expected a pre-"},
        {"== 1.0 .*", 7, "unexpected whitespace"},
        {">=1.0 2.0", 7, "expected"},
        {"===a b", 5, "in the `===` operand"},
        {"===", 4, "expected a version"},
        {">=1.x", 4, "unexpected `.`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = Specifier::parse(c.input);
        ASSERT_THAT(parsed, FailsWithId("spec.specifier.invalid"));
        EXPECT_THAT(parsed.error().message, HasSubstr(c.problem));
        EXPECT_THAT(parsed.error().message, HasSubstr("column " + std::to_string(c.column)));
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->column, c.column);
        EXPECT_EQ(parsed.error().arg_value("specifier"), c.input);
    }
}

TEST(SpecifierSetTest, ParsesCommaSeparatedListsWithWhitespace) {
    const struct {
        const char* input;
        std::size_t count;
        const char* canonical;
    } cases[] = {
        {"", 0, ""},
        {"  ", 0, ""},
        {">=1.0", 1, ">=1.0"},
        {">=2.7, !=3.0.*, !=3.1.*, !=3.2.*", 4, "!=3.0.*,!=3.1.*,!=3.2.*,>=2.7"},
        {"<4.0,>=3.9", 2, "<4.0,>=3.9"},
        {" >=3.9 , <4.0 ", 2, "<4.0,>=3.9"},
        {">=1.0,", 1, ">=1.0"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.input);
        const auto parsed = SpecifierSet::parse(c.input);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->specifiers().size(), c.count);
        EXPECT_EQ(parsed->empty(), c.count == 0);
        EXPECT_EQ(parsed->to_string(), c.canonical);
    }
    const auto a = SpecifierSet::parse(">=1, <2");
    const auto b = SpecifierSet::parse("<2,>=1");
    ASSERT_THAT(a, Succeeds());
    ASSERT_THAT(b, Succeeds());
    EXPECT_EQ(*a, *b);
}

TEST(SpecifierSetTest, NamesTheColumnOfABadMemberInTheWholeText) {
    const auto parsed = SpecifierSet::parse(">=1.0, <2.x");
    ASSERT_THAT(parsed, FailsWithId("spec.specifier.invalid"));
    EXPECT_THAT(parsed.error().message, HasSubstr("column 10"));
    EXPECT_EQ(parsed.error().where->column, 10U);
    EXPECT_EQ(parsed.error().where->line_text, ">=1.0, <2.x");
}

TEST(SpecifierSetTest, RequiresEveryMember) {
    expect_matches(
        {
            {">=2.7, !=3.0.*, !=3.1.*", "2.7.18", true},
            {">=2.7, !=3.0.*, !=3.1.*", "3.0.1", false},
            {">=2.7, !=3.0.*, !=3.1.*", "3.2", true},
            {">=3.7,<4.0", "4.0", false},
            {">=3.7,<4.0", "3.12", true},
            {"", "0.0.1", true},
        },
        Prereleases::if_needed);
}

}  // namespace
}  // namespace envsmith::specs
