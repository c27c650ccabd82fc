// The PyPI provider: extras, markers, requires-python, yanked releases, the pre-release
// policies, local versions, distributions for the target, and explanations.
#include <map>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/solver/explain.hpp"
#include "envsmith/solver/pypi.hpp"
#include "matchers.hpp"

namespace envsmith::solver {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// A release given as text: `deps` are PEP 508 requirements (markers and extras included).
struct R {
    std::string version;
    std::vector<std::string> deps = {};
    std::string requires_python = "";
    bool yanked = false;
    std::vector<std::string> wheel_tags = {"py3-none-any"};
    bool sdist = true;
    std::string yanked_reason = "";
};

class MemorySource final : public PypiSource {
public:
    MemorySource& add(const std::string& name, const std::vector<R>& releases) {
        auto& list = m_releases[specs::normalize_package_name(name)];
        for (const R& r : releases) {
            PypiRelease release;
            release.name = name;
            release.version = specs::Pep440Version::parse(r.version).value();
            for (const auto& d : r.deps)
                release.requires_dist.push_back(specs::Requirement::parse(d).value());
            if (!r.requires_python.empty()) {
                release.requires_python = specs::SpecifierSet::parse(r.requires_python).value();
            }
            release.yanked = r.yanked;
            release.yanked_reason = r.yanked_reason;
            for (const auto& tag : r.wheel_tags)
                release.wheels.push_back(name + "-" + r.version + "-" + tag + ".whl");
            release.has_sdist = r.sdist;
            list.push_back(std::move(release));
        }
        return *this;
    }
    core::Result<std::vector<PypiRelease>> releases(std::string_view normalized_name) override {
        ++calls;
        if (fail) {
            return core::Error{core::ErrorCode::unavailable,
                               "index.unavailable",
                               "the index is down",
                               {},
                               {},
                               {},
                               {}};
        }
        auto it = m_releases.find(std::string(normalized_name));
        if (it == m_releases.end())
            return std::vector<PypiRelease>{};
        return it->second;
    }
    int calls = 0;
    bool fail = false;

private:
    std::map<std::string, std::vector<PypiRelease>> m_releases;
};

// Linux x86_64, CPython 3.12, glibc 2.17.
PypiRequest request(const std::vector<std::string>& requirements,
                    const std::vector<std::string>& constraints = {}) {
    specs::TargetSpec target;
    target.python_version = "3.12";
    target.conda_subdir = "linux-64";
    PypiRequest r = PypiRequest::for_target(target).value();
    for (const auto& t : requirements)
        r.requirements.push_back(specs::Requirement::parse(t).value());
    for (const auto& t : constraints) r.constraints.push_back(specs::Requirement::parse(t).value());
    return r;
}

// `name==version` for each installed project, with `[extras]` when some are active.
std::vector<std::string> solved(MemorySource& source, const PypiRequest& req) {
    auto outcome = solve_pypi(source, req);
    EXPECT_TRUE(outcome) << outcome.error().message;
    if (!outcome)
        return {};
    const auto* solution = std::get_if<PypiSolution>(&outcome.value().result);
    if (solution == nullptr) {
        std::string text;
        for (const auto& line :
             explain(std::get<Unsolvable>(outcome.value().result), *outcome.value().provider)) {
            text += std::string(line.depth * 2, ' ') + line.text + "\n";
        }
        ADD_FAILURE() << "unsolvable:\n" << text;
        return {};
    }
    std::vector<std::string> out;
    for (const auto& p : solution->packages) {
        std::string extras;
        for (const auto& e : p.extras) extras += (extras.empty() ? "" : ",") + e;
        out.push_back(p.name + (extras.empty() ? "" : "[" + extras + "]") +
                      "==" + p.release.version.to_string());
    }
    return out;
}

// The explanation of an unsolvable request, indented two spaces per level.
std::vector<std::string> explained(MemorySource& source, const PypiRequest& req) {
    auto outcome = solve_pypi(source, req);
    EXPECT_TRUE(outcome) << outcome.error().message;
    if (!outcome)
        return {};
    const auto* unsolvable = std::get_if<Unsolvable>(&outcome.value().result);
    if (unsolvable == nullptr) {
        ADD_FAILURE() << "solved, expected unsolvable";
        return {};
    }
    std::vector<std::string> out;
    for (const auto& line : explain(*unsolvable, *outcome.value().provider)) {
        out.push_back(std::string(line.depth * 2, ' ') + line.text);
    }
    return out;
}

// The message id and reason of every excluded candidate of `name`, as the provider gives them.
std::map<std::string, Exclusion> exclusions(MemorySource& source, const PypiRequest& req,
                                            const std::string& name) {
    PypiProvider provider(source, req);
    auto problem = provider.problem();
    EXPECT_TRUE(problem);
    std::map<std::string, Exclusion> out;
    NameId id = 0;
    bool found = false;
    for (const auto& r : problem.value().requirements) {
        for (VersionSetId set : r.any_of) {
            if (provider.display_name(provider.name_of_set(set)) == name) {
                id = provider.name_of_set(set);
                found = true;
            }
        }
    }
    EXPECT_TRUE(found) << name << " is not a root requirement";
    for (SolvableId s : provider.candidates(id)) {
        if (auto e = provider.excluded(s))
            out.emplace(provider.display_solvable(s), *e);
    }
    return out;
}

TEST(PypiProvider, PicksTheHighestVersionAndFollowsDependencies) {
    MemorySource source;
    source.add("A", {{"1.0"}, {"2.0", {"b>=1"}}}).add("b", {{"1.0"}, {"1.5"}, {"0.9"}});
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==2.0", "b==1.5"));
}

TEST(PypiProvider, NormalisesNames) {
    MemorySource source;
    source.add("Typing_Extensions", {{"4.10.0"}});
    EXPECT_THAT(solved(source, request({"typing.extensions"})),
                ElementsAre("typing-extensions==4.10.0"));
}

TEST(PypiProvider, ExtrasAddTheirDependenciesAndPinTheProject) {
    MemorySource source;
    source
        .add("a", {{"1.0", {"b ; extra == 'x'", "c ; extra == 'y'", "d"}},
                   {"2.0", {"b>=2 ; extra == 'x'", "d"}}})
        .add("b", {{"1.0"}})
        .add("c", {{"1.0"}})
        .add("d", {{"1.0"}});
    // a 2.0's extra needs b>=2, which does not exist: a[x] 2.0 and so a 2.0 are out.
    EXPECT_THAT(solved(source, request({"a[x]"})), ElementsAre("a[x]==1.0", "b==1.0", "d==1.0"));
    // Without the extra, nothing of it comes along.
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==2.0", "d==1.0"));
}

TEST(PypiProvider, AMissingExtraIsNotAnError) {
    MemorySource source;
    source.add("a", {{"1.0", {"b ; extra == 'x'"}}, {"2.0"}}).add("b", {{"1.0"}});
    EXPECT_THAT(solved(source, request({"a[x]"})), ElementsAre("a[x]==2.0"));
}

TEST(PypiProvider, ExtrasMayRequireOtherExtrasOfTheSameProject) {
    MemorySource source;
    source.add("a", {{"1.0", {"a[b,c] ; extra == 'all'", "b ; extra == 'b'", "c ; extra == 'c'"}}})
        .add("b", {{"1.0"}})
        .add("c", {{"1.0"}});
    EXPECT_THAT(solved(source, request({"a[all]"})),
                ElementsAre("a[all,b,c]==1.0", "b==1.0", "c==1.0"));
}

TEST(PypiProvider, MarkersAreEvaluatedForTheTarget) {
    MemorySource source;
    source
        .add("a", {{"1.0",
                    {"win ; sys_platform == 'win32'", "lin ; sys_platform == 'linux'",
                     "old ; python_version < '3.9'", "x86 ; platform_machine == 'x86_64'"}}})
        .add("lin", {{"1.0"}})
        .add("x86", {{"1.0"}});
    EXPECT_THAT(solved(source, request({"a", "win ; os_name == 'nt'"})),
                ElementsAre("a==1.0", "lin==1.0", "x86==1.0"));
}

TEST(PypiProvider, RequiresPythonExcludesAReleaseAndSaysWhy) {
    MemorySource source;
    source.add("a", {{"1.0", {}, ">=3.8"}, {"2.0", {}, ">=3.13"}});
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==1.0"));
    const auto excluded = exclusions(source, request({"a"}), "a");
    ASSERT_EQ(excluded.size(), 1U);
    const Exclusion& e = excluded.at("2.0");
    EXPECT_EQ(e.message_id, "solver.excluded.requires_python");
    EXPECT_EQ(e.reason, "it requires Python >=3.13, but the target Python is 3.12.0");
    EXPECT_THAT(explained(source, request({"a>=2"})),
                ElementsAre("The request cannot be satisfied:", "  you asked for a >=2",
                            "    a 2.0 cannot be used: it requires Python >=3.13, but the target "
                            "Python is 3.12.0"));
}

TEST(PypiProvider, RequiresPythonUpperBoundsAreIgnoredByDefault) {
    MemorySource source;
    source.add("a", {{"1.0", {}, ">=3.8,<3.12"}, {"2.0", {}, "==3.11.*"}, {"3.0", {}, "~=3.13"}});
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==2.0"));
    PypiRequest strict = request({"a"});
    strict.options.ignore_requires_python_upper_bounds = false;
    EXPECT_THAT(exclusions(source, strict, "a").size(), 3U);
}

TEST(PypiProvider, RequiresPythonComparesTheFullVersion) {
    MemorySource source;
    source.add("a", {{"1.0", {}, ">=3.12.1"}});
    PypiRequest req = request({"a"});
    req.python_version = specs::Pep440Version::parse("3.12").value();  // 3.12.0
    EXPECT_EQ(exclusions(source, req, "a").size(), 1U);
    req.python_version = specs::Pep440Version::parse("3.12.4").value();
    EXPECT_THAT(solved(source, req), ElementsAre("a==1.0"));
}

TEST(PypiProvider, YankedReleasesNeedAnExactPinInTheRequest) {
    MemorySource source;
    source.add("a", {{"1.0"}, {"2.0", {}, "", true}}).add("b", {{"1.0", {"a==2.0"}}});
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==1.0"));
    EXPECT_THAT(solved(source, request({"a==2.0"})), ElementsAre("a==2.0"));
    EXPECT_THAT(solved(source, request({"a===2.0"})), ElementsAre("a==2.0"));
    EXPECT_THAT(solved(source, request({"b"}, {"a==2.0"})), ElementsAre("a==2.0", "b==1.0"));
    // A range, or an `==` pin from a dependency, is not enough (PEP 592).
    EXPECT_THAT(explained(source, request({"a>1"})),
                ElementsAre("The request cannot be satisfied:", "  you asked for a >1",
                            "    a 2.0 cannot be used: it was yanked; only an exact pin such as "
                            "`a==2.0` selects it"));
    EXPECT_THAT(explained(source, request({"b"})),
                ElementsAre("The request cannot be satisfied:", "  you asked for b",
                            "    b 1.0 requires a ==2.0",
                            "      a 2.0 cannot be used: it was yanked; only an exact pin such as "
                            "`a==2.0` selects it"));
}

TEST(PypiProvider, AYankedReleaseSaysWhyItWasYanked) {
    MemorySource source;
    source.add("a", {{"1.0", {}, "", true, {"py3-none-any"}, true, "broken metadata"}});
    const Exclusion e = exclusions(source, request({"a"}), "a").at("1.0");
    EXPECT_EQ(e.message_id, "solver.excluded.yanked_reason");
    EXPECT_EQ(e.reason,
              "it was yanked (broken metadata); only an exact pin such as `a==1.0` selects it");
}

TEST(PypiProvider, PrereleasesAreAFallbackAfterEveryFinalRelease) {
    MemorySource source;
    source.add("a", {{"1.0"}, {"2.0b1"}, {"0.5"}}).add("only", {{"1.0a1"}, {"1.0a2"}});
    // Final releases first, even when the requirement names a pre-release.
    EXPECT_THAT(solved(source, request({"a"})), ElementsAre("a==1.0"));
    EXPECT_THAT(solved(source, request({"a>=1.0a1"})), ElementsAre("a==1.0"));
    // A pre-release when no final release matches, or when only pre-releases exist.
    EXPECT_THAT(solved(source, request({"a>1"})), ElementsAre("a==2.0b1"));
    EXPECT_THAT(solved(source, request({"only"})), ElementsAre("only==1.0a2"));
}

TEST(PypiProvider, PrereleasesAreAFallbackWhenFinalReleasesConflict) {
    MemorySource source;
    source.add("a", {{"1.0"}, {"2.0"}})
        .add("c", {{"1.0", {"a>=2"}}, {"1.5a1"}, {"2.0b1", {"a>=2"}}});
    EXPECT_THAT(solved(source, request({"a==1.0", "c"})), ElementsAre("a==1.0", "c==1.5a1"));
}

TEST(PypiProvider, OtherPrereleaseModes) {
    MemorySource source;
    source.add("a", {{"1.0"}, {"2.0b1"}}).add("b", {{"1.0", {"a>1"}}});

    PypiRequest allow = request({"a"});
    allow.options.prereleases = PrereleaseMode::allow;
    EXPECT_THAT(solved(source, allow), ElementsAre("a==2.0b1"));

    PypiRequest disallow = request({"a>1"});
    disallow.options.prereleases = PrereleaseMode::disallow;
    EXPECT_THAT(
        explained(source, disallow),
        ElementsAre(
            "The request cannot be satisfied:", "  you asked for a >1",
            "    a 2.0b1 cannot be used: it is a pre-release, and pre-releases are disallowed"));

    // explicit: only names the request itself asks for with a pre-release specifier.
    PypiRequest explicit_only = request({"b"});
    explicit_only.options.prereleases = PrereleaseMode::explicit_only;
    EXPECT_EQ(exclusions(source, request({"a"}), "a").size(), 0U);
    EXPECT_THAT(
        explained(source, explicit_only),
        ElementsAre(
            "The request cannot be satisfied:", "  you asked for b", "    b 1.0 requires a >1",
            "      a 2.0b1 cannot be used: it is a pre-release, and the request does not ask for a "
            "pre-release of `a` (such as `a>=2.0b1`)"));
    explicit_only.requirements.push_back(specs::Requirement::parse("a>=2.0a1").value());
    EXPECT_THAT(solved(source, explicit_only), ElementsAre("a==2.0b1", "b==1.0"));

    // if-necessary-or-explicit: each requirement admits pre-releases only when it names one or
    // when no final release matches it (so `b`'s `a>1` does, but `a<3` next to it does not).
    PypiRequest legacy = request({"b"});
    legacy.options.prereleases = PrereleaseMode::if_necessary_or_explicit;
    EXPECT_THAT(solved(source, legacy), ElementsAre("a==2.0b1", "b==1.0"));
    legacy.requirements.push_back(specs::Requirement::parse("a<3").value());
    EXPECT_THAT(explained(source, legacy),
                ElementsAre("The request cannot be satisfied:", "  you asked for b",
                            "    b 1.0 requires a >1",
                            "      a 2.0b1 conflicts with a 1.0, which is needed too",
                            "  you asked for a <3",
                            "    a 1.0 conflicts with a 2.0b1, which is needed too"));
}

TEST(PypiProvider, LocalVersionsFollowPep440Matching) {
    MemorySource source;
    source.add("a", {{"1.0+bar"}, {"1.0+foo"}, {"0.9"}});
    // `==1.0` and `>=1.0` match local versions of 1.0, the highest label first.
    EXPECT_THAT(solved(source, request({"a==1.0"})), ElementsAre("a==1.0+foo"));
    EXPECT_THAT(solved(source, request({"a>=1.0"})), ElementsAre("a==1.0+foo"));
    EXPECT_THAT(solved(source, request({"a==1.0+bar"})), ElementsAre("a==1.0+bar"));
    // `>1.0` and `<1.0` do not.
    EXPECT_THAT(solved(source, request({"a<1.0"})), ElementsAre("a==0.9"));
    EXPECT_THAT(explained(source, request({"a>1.0"})),
                ElementsAre("The request cannot be satisfied:", "  you asked for a >1.0",
                            "    no version matches a >1.0; only a 1.0+foo | 1.0+bar | 0.9 exists"));
}

TEST(PypiProvider, ReleasesNeedADistributionForTheTarget) {
    MemorySource source;
    source.add("mac", {{"1.0", {}, "", false, {"py3-none-macosx_11_0_arm64"}, false}})
        .add("both",
             {{"1.0", {}, "", false, {"py3-none-any", "cp312-cp312-manylinux_2_17_x86_64"}, false}})
        .add("src", {{"1.0", {}, "", false, {}, true}});
    const auto excluded = exclusions(source, request({"mac"}), "mac");
    ASSERT_EQ(excluded.size(), 1U);
    EXPECT_EQ(excluded.at("1.0").message_id, "solver.excluded.no_wheel");
    EXPECT_EQ(excluded.at("1.0").reason,
              "none of its wheels fits the target (they are tagged py3-none-macosx_11_0_arm64), "
              "and it has no source distribution; it needs a wheel for the target, such as "
              "`cp312-cp312-manylinux_2_17_x86_64`");
    EXPECT_THAT(
        excluded.at("1.0").args,
        ElementsAre(
            std::pair<std::string, std::string>{"wheels", "py3-none-macosx_11_0_arm64"},
            std::pair<std::string, std::string>{"tag", "cp312-cp312-manylinux_2_17_x86_64"}));

    // The most specific compatible wheel is the one to install; an sdist-only release builds.
    auto outcome = solve_pypi(source, request({"both", "src"}));
    ASSERT_TRUE(outcome);
    const auto& packages = std::get<PypiSolution>(outcome.value().result).packages;
    ASSERT_EQ(packages.size(), 2U);
    EXPECT_EQ(packages[0].wheel, "both-1.0-cp312-cp312-manylinux_2_17_x86_64.whl");
    EXPECT_EQ(packages[1].wheel, std::nullopt);

    // Without target tags any wheel fits.
    PypiRequest any = request({"mac"});
    any.tags.reset();
    EXPECT_THAT(solved(source, any), ElementsAre("mac==1.0"));

    // no-build refuses the sdist; no-binary refuses the wheels.
    PypiRequest no_build = request({"src"});
    no_build.options.no_build.names = {"src"};
    EXPECT_EQ(exclusions(source, no_build, "src").at("1.0").message_id,
              "solver.excluded.sdist_no_build");
    PypiRequest no_binary = request({"both"});
    no_binary.options.no_binary.all = true;
    EXPECT_EQ(exclusions(source, no_binary, "both").at("1.0").message_id,
              "solver.excluded.no_binary_no_sdist");
}

TEST(PypiProvider, ConstraintsRestrictWithoutPullingIn) {
    MemorySource source;
    source.add("a", {{"1.0", {"b"}}}).add("b", {{"1.0"}, {"2.0"}}).add("c", {{"1.0"}});
    EXPECT_THAT(solved(source, request({"a"}, {"b<2", "c==1.0"})), ElementsAre("a==1.0", "b==1.0"));
}

TEST(PypiProvider, PreferredVersionsAndResolutionModes) {
    MemorySource source;
    source.add("a", {{"1.0", {"b"}}, {"2.0", {"b"}}, {"3.0", {"b"}}}).add("b", {{"1.0"}, {"2.0"}});
    PypiRequest preferred = request({"a"});
    preferred.options.preferred = {{"A", specs::Pep440Version::parse("2.0").value()}};
    EXPECT_THAT(solved(source, preferred), ElementsAre("a==2.0", "b==2.0"));
    PypiRequest lowest = request({"a"});
    lowest.options.resolution = ResolutionMode::lowest;
    EXPECT_THAT(solved(source, lowest), ElementsAre("a==1.0", "b==1.0"));
    lowest.options.resolution = ResolutionMode::lowest_direct;
    EXPECT_THAT(solved(source, lowest), ElementsAre("a==1.0", "b==2.0"));
}

TEST(PypiProvider, ExplainsAConflictLineByLine) {
    MemorySource source;
    source.add("app", {{"1.0", {"lib>=2", "tool[cli]"}}})
        .add("lib", {{"1.0"}, {"2.0"}, {"2.1", {}, ">=3.13"}})
        .add("tool", {{"1.0", {"lib<2 ; extra == 'cli'"}}, {"2.0", {"lib<1.5 ; extra == 'cli'"}}});
    EXPECT_THAT(
        explained(source, request({"app"})),
        ElementsAre("The request cannot be satisfied:", "  you asked for app",
                    "    app 1.0 requires lib >=2",
                    "      lib 2.1 cannot be used: it requires Python >=3.13, but the target "
                    "Python is 3.12.0",
                    "      lib 2.0 conflicts with lib 1.0, which is needed too",
                    "    app 1.0 requires tool[cli]", "      tool[cli] 2.0 requires lib <1.5",
                    "        lib 1.0 conflicts with lib 2.0, which is needed too",
                    "      tool[cli] 1.0 requires lib <2",
                    "        lib 1.0 conflicts with lib 2.0, which is needed too"));
}

TEST(PypiProvider, UrlRequirementsAreRejected) {
    MemorySource source;
    EXPECT_THAT(solve_pypi(source, request({"a @ https://example.com/a-1.0.tar.gz"})),
                test::FailsWithId("solver.pypi.url_requirement"));
}

TEST(PypiProvider, UrlConstraintsAreRejected) {
    MemorySource source;
    EXPECT_THAT(solve_pypi(source, request({"a"}, {"a @ https://example.com/a-1.0.tar.gz"})),
                test::FailsWithId("solver.pypi.url_constraint"));
}

TEST(PypiProvider, SourceErrorsAreReturned) {
    MemorySource source;
    source.fail = true;
    EXPECT_THAT(solve_pypi(source, request({"a"})), test::FailsWithId("index.unavailable"));
}

TEST(PypiProvider, ARequirementWithAFalseMarkerAsksForNothing) {
    MemorySource source;
    EXPECT_THAT(solved(source, request({"a ; sys_platform == 'win32'"})), IsEmpty());
    EXPECT_EQ(source.calls, 0);
}

}  // namespace
}  // namespace envsmith::solver
