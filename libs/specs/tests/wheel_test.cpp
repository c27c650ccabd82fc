// Wheel and sdist filenames (PEP 427, PEP 625) and the supported-tag order of a target
// (PEP 425, PEP 600, PEP 656), with the real distribution files in ../shared/testdata.

#include "envsmith/specs/wheel.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::testing::HasSubstr;
using test::FailsWithId;
using test::Succeeds;

std::vector<std::string> tag_strings(const std::vector<Tag>& tags) {
    std::vector<std::string> out;
    for (const auto& tag : tags) {
        out.push_back(tag.to_string());
    }
    return out;
}

std::size_t index_of(const std::vector<std::string>& list, const std::string& item) {
    const auto it = std::find(list.begin(), list.end(), item);
    EXPECT_NE(it, list.end()) << item;
    return static_cast<std::size_t>(it - list.begin());
}

TargetTags target(TargetSpec spec) {
    auto tags = TargetTags::for_target(spec);
    EXPECT_THAT(tags, Succeeds());
    return tags ? *tags : TargetTags();
}

TEST(WheelFilenameTest, ParsesNamesVersionsBuildTagsAndCompressedTagSets) {
    const struct {
        const char* filename;
        const char* name;
        const char* normalized;
        const char* version;
        std::optional<BuildTag> build;
        std::vector<std::string> tags;
    } cases[] = {
        {"basic_package-0.1.0-py3-none-any.whl", "basic_package", "basic-package", "0.1.0", std::nullopt,
         {"py3-none-any"}},
        {"build_tag-1.0.0-3-py2.py3-none-any.whl", "build_tag", "build-tag", "1.0.0", BuildTag{3, ""},
         {"py2-none-any", "py3-none-any"}},
        {"simplewheel-2.0-1-py2.py3-none-any.whl", "simplewheel", "simplewheel", "2.0", BuildTag{1, ""},
         {"py2-none-any", "py3-none-any"}},
        {"pkg-1.0-12abc-py3-none-any.whl", "pkg", "pkg", "1.0", BuildTag{12, "abc"}, {"py3-none-any"}},
        {"simple.dist-0.1-py1-none-invalid.whl", "simple.dist", "simple-dist", "0.1", std::nullopt,
         {"py1-none-invalid"}},
        {"multi_abi_package-1.0.0-cp314-cp314t.abi3-manylinux_2_17_x86_64.whl", "multi_abi_package",
         "multi-abi-package", "1.0.0", std::nullopt,
         {"cp314-cp314t-manylinux_2_17_x86_64", "cp314-abi3-manylinux_2_17_x86_64"}},
        {"tqdm-4.66.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl", "tqdm", "tqdm",
         "4.66.1", std::nullopt,
         {"py3-none-manylinux_2_12_x86_64", "py3-none-manylinux2010_x86_64", "py3-none-musllinux_1_1_x86_64"}},
        {"Pillow-10.0.0-cp311-cp311-win_AMD64.whl", "Pillow", "pillow", "10.0.0", std::nullopt,
         {"cp311-cp311-win_amd64"}},
        {"pkg_prerelease-1.0a1-py3-none-any.whl", "pkg_prerelease", "pkg-prerelease", "1.0a1", std::nullopt,
         {"py3-none-any"}},
        {"torch-2.1.0+cu118-cp311-cp311-linux_x86_64.whl", "torch", "torch", "2.1.0+cu118", std::nullopt,
         {"cp311-cp311-linux_x86_64"}},
        {"pkg-1.0_post1-py3-none-any.whl", "pkg", "pkg", "1.0.post1", std::nullopt, {"py3-none-any"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.filename);
        const auto parsed = WheelFilename::parse(c.filename);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->name, c.name);
        EXPECT_EQ(parsed->normalized_name(), c.normalized);
        EXPECT_EQ(parsed->version.to_string(), c.version);
        EXPECT_EQ(parsed->build, c.build);
        EXPECT_EQ(tag_strings(parsed->tags()), c.tags);
        const auto again = WheelFilename::parse(parsed->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(again->to_string(), parsed->to_string());
    }
}

TEST(WheelFilenameTest, RejectsMalformedNamesAndNamesTheColumn) {
    const struct {
        const char* filename;
        unsigned column;
        const char* problem;
    } cases[] = {
        {"pkg-1.0-py3-none-any.tar.gz", 28, "`.whl` extension"},
        {"pkg-1.0-py3-none.whl", 17, "too few"},
        {"pkg-1.0-1-py3-none-any-x.whl", 23, "too many"},
        {"pkg-1.0-abc-py3-none-any.whl", 9, "build tag starting with a digit"},
        {"invalid_version-2010i-py3-none-any.whl", 21, "unexpected `i`"},
        {"pkg-1.x-py3-none-any.whl", 6, "unexpected `.`"},
        {"-1.0-py3-none-any.whl", 1, "distribution name"},
        {"p@g-1.0-py3-none-any.whl", 2, "distribution name"},
        {"pkg-1.0-py3..py2-none-any.whl", 13, "expected a python tag"},
        {"pkg-1.0-py3-none-any+x.whl", 21, "in the platform tag"},
        {"pkg-1.0-py3--any.whl", 13, "expected a abi tag"},
        {".whl", 1, "too few"},
        {"", 1, "`.whl` extension"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.filename);
        const auto parsed = WheelFilename::parse(c.filename);
        ASSERT_THAT(parsed, FailsWithId("spec.wheel_filename.invalid"));
        EXPECT_THAT(parsed.error().message, HasSubstr(c.problem));
        EXPECT_THAT(parsed.error().message, HasSubstr("column " + std::to_string(c.column)));
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->column, c.column);
        EXPECT_EQ(parsed.error().arg_value("filename"), c.filename);
    }
}

TEST(SourceDistFilenameTest, SplitsNameAndVersion) {
    const struct {
        const char* filename;
        const char* name;
        const char* version;
        const char* extension;
    } cases[] = {
        {"basic_package-0.1.0.tar.gz", "basic_package", "0.1.0", ".tar.gz"},
        {"python-dateutil-2.8.2.tar.gz", "python-dateutil", "2.8.2", ".tar.gz"},
        {"foo-1.0-1.zip", "foo", "1.0.post1", ".zip"},
        {"Foo.Bar-2.0rc1.tar.bz2", "Foo.Bar", "2.0rc1", ".tar.bz2"},
        {"tqdm-999.0.0.tar.gz", "tqdm", "999.0.0", ".tar.gz"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.filename);
        const auto parsed = SourceDistFilename::parse(c.filename);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(parsed->name, c.name);
        EXPECT_EQ(parsed->version.to_string(), c.version);
        EXPECT_EQ(parsed->extension, c.extension);
    }
    EXPECT_THAT(SourceDistFilename::parse("foo-1.0.rar"), FailsWithId("spec.sdist_filename.invalid"));
    const auto bad = SourceDistFilename::parse("foo-1.x.tar.gz");
    ASSERT_THAT(bad, FailsWithId("spec.sdist_filename.invalid"));
    EXPECT_THAT(bad.error().message, HasSubstr("column 6"));
    EXPECT_THAT(SourceDistFilename::parse("foo.tar.gz"), FailsWithId("spec.sdist_filename.invalid"));
}

// --- Tags ------------------------------------------------------------------------------

TEST(TargetTagsTest, OrdersManylinuxPlatformsPerPep600WithLegacyAliases) {
    const auto tags = target({.python_version = "3.11", .conda_subdir = "linux-64"});
    std::vector<std::string> expected_platforms = {"manylinux_2_17_x86_64", "manylinux2014_x86_64"};
    for (int minor = 16; minor >= 5; --minor) {
        expected_platforms.push_back("manylinux_2_" + std::to_string(minor) + "_x86_64");
        if (minor == 12) {
            expected_platforms.push_back("manylinux2010_x86_64");
        }
        if (minor == 5) {
            expected_platforms.push_back("manylinux1_x86_64");
        }
    }
    expected_platforms.push_back("linux_x86_64");
    EXPECT_EQ(tags.platforms(), expected_platforms);

    const auto all = tag_strings(tags.tags());
    ASSERT_FALSE(all.empty());
    EXPECT_EQ(all.front(), "cp311-cp311-manylinux_2_17_x86_64");
    EXPECT_EQ(all[1], "cp311-cp311-manylinux2014_x86_64");
    const std::size_t block = expected_platforms.size();
    // The end of the cp311-cp311 block: the oldest manylinux, its alias, then linux_x86_64.
    EXPECT_EQ(all[block - 3], "cp311-cp311-manylinux_2_5_x86_64");
    EXPECT_EQ(all[block - 2], "cp311-cp311-manylinux1_x86_64");
    EXPECT_EQ(all[block - 1], "cp311-cp311-linux_x86_64");
    EXPECT_EQ(all[block], "cp311-abi3-manylinux_2_17_x86_64");
    EXPECT_EQ(all[2 * block], "cp311-none-manylinux_2_17_x86_64");
    EXPECT_EQ(all[3 * block], "cp310-abi3-manylinux_2_17_x86_64");
    // abi3 for every older CPython 3.x down to 3.2, then the generic py tags.
    EXPECT_EQ(all[(3 + 9) * block - 1], "cp32-abi3-linux_x86_64");
    EXPECT_EQ(all[(3 + 9) * block], "py311-none-manylinux_2_17_x86_64");
    EXPECT_EQ(all[(3 + 10) * block], "py3-none-manylinux_2_17_x86_64");
    EXPECT_EQ(all[(3 + 11) * block], "py310-none-manylinux_2_17_x86_64");
    // packaging's compatible_tags: cpXY-none-any, then pyXY, py3, pyXW... with platform any.
    const std::size_t any = index_of(all, "cp311-none-any");
    EXPECT_EQ(any, (3 + 9 + 13) * block);
    EXPECT_EQ(all[any + 1], "py311-none-any");
    EXPECT_EQ(all[any + 2], "py3-none-any");
    EXPECT_EQ(all[any + 3], "py310-none-any");
    EXPECT_EQ(all.back(), "py30-none-any");
    EXPECT_EQ(all.size(), any + 3 + 11);
    // No duplicates.
    auto sorted = all;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());
}

TEST(TargetTagsTest, BuildsPlatformListsForEveryKindOfTarget) {
    const struct {
        TargetSpec spec;
        std::vector<std::string> platforms;
    } cases[] = {
        {{.python_version = "3.12", .conda_subdir = "linux-aarch64"},
         {"manylinux_2_17_aarch64", "manylinux2014_aarch64", "linux_aarch64"}},
        {{.python_version = "3.12", .conda_subdir = "linux-aarch64", .libc_version = {2, 19}},
         {"manylinux_2_19_aarch64", "manylinux_2_18_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64",
          "linux_aarch64"}},
        {{.python_version = "3.12", .conda_subdir = "linux-ppc64le", .libc_version = {2, 16}}, {"linux_ppc64le"}},
        {{.python_version = "3.12", .conda_subdir = "linux-64", .libc_version = {2, 5}},
         {"manylinux_2_5_x86_64", "manylinux1_x86_64", "linux_x86_64"}},
        {{.python_version = "3.12", .conda_subdir = "linux-64", .libc = Libc::musl, .libc_version = {1, 2}},
         {"musllinux_1_2_x86_64", "musllinux_1_1_x86_64", "musllinux_1_0_x86_64", "linux_x86_64"}},
        {{.python_version = "3.12", .conda_subdir = "win-64"}, {"win_amd64"}},
        {{.python_version = "3.12", .conda_subdir = "win-32"}, {"win32"}},
        {{.python_version = "3.12", .conda_subdir = "osx-64", .macos_version = PlatformVersion{10, 5}},
         {"macosx_10_5_x86_64", "macosx_10_5_intel", "macosx_10_5_fat64", "macosx_10_5_fat32",
          "macosx_10_5_universal2", "macosx_10_5_universal", "macosx_10_4_x86_64", "macosx_10_4_intel",
          "macosx_10_4_fat64", "macosx_10_4_fat32", "macosx_10_4_universal2", "macosx_10_4_universal"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.spec.conda_subdir);
        EXPECT_EQ(target(c.spec).platforms(), c.platforms);
    }
}

TEST(TargetTagsTest, OrdersMacosPlatformsLikePackaging) {
    const auto arm = target({.python_version = "3.11", .conda_subdir = "osx-arm64"}).platforms();
    ASSERT_GE(arm.size(), 3U);
    EXPECT_EQ(arm[0], "macosx_11_0_arm64");
    EXPECT_EQ(arm[1], "macosx_11_0_universal2");
    EXPECT_EQ(arm[2], "macosx_10_16_universal2");
    EXPECT_EQ(arm.back(), "macosx_10_4_universal2");
    EXPECT_EQ(arm.size(), 2U + 13U);

    const auto arm14 =
        target({.python_version = "3.11", .conda_subdir = "osx-arm64", .macos_version = PlatformVersion{14, 2}})
            .platforms();
    EXPECT_EQ(arm14[0], "macosx_14_0_arm64");
    EXPECT_EQ(arm14[2], "macosx_13_0_arm64");
    EXPECT_EQ(arm14[6], "macosx_11_0_arm64");

    const auto intel = target({.python_version = "3.11", .conda_subdir = "osx-64"}).platforms();
    EXPECT_EQ(intel[0], "macosx_10_13_x86_64");
    EXPECT_EQ(intel[5], "macosx_10_13_universal");
    EXPECT_EQ(intel[6], "macosx_10_12_x86_64");
    EXPECT_EQ(intel.back(), "macosx_10_4_universal");
}

TEST(TargetTagsTest, UsesTheMAbiFlagBeforePython38) {
    const auto all = tag_strings(target({.python_version = "3.7", .conda_subdir = "win-64"}).tags());
    EXPECT_EQ(all.front(), "cp37-cp37m-win_amd64");
    EXPECT_EQ(all[1], "cp37-abi3-win_amd64");
    EXPECT_EQ(all[2], "cp37-none-win_amd64");
    EXPECT_EQ(all[3], "cp36-abi3-win_amd64");
}

TEST(TargetTagsTest, RejectsUnknownTargets) {
    EXPECT_THAT(TargetTags::for_target({.python_version = "3", .conda_subdir = "linux-64"}),
                FailsWithId("spec.target.invalid"));
    EXPECT_THAT(TargetTags::for_target({.python_version = "3.11", .conda_subdir = "noarch"}),
                FailsWithId("spec.target.invalid"));
    EXPECT_THAT(TargetTags::for_target({.python_version = "3.11", .conda_subdir = "linux-64", .libc_version = {3, 1}}),
                FailsWithId("spec.target.invalid"));
}

TEST(TargetTagsTest, RanksWheelsByTheirBestTag) {
    const auto linux = target({.python_version = "3.11", .conda_subdir = "linux-64"});
    const auto windows = target({.python_version = "3.11", .conda_subdir = "win-64"});
    const auto rank = [](const TargetTags& tags, const char* filename) {
        const auto wheel = WheelFilename::parse(filename);
        EXPECT_THAT(wheel, Succeeds()) << filename;
        return wheel ? tags.priority(*wheel) : std::nullopt;
    };
    const auto native = rank(linux, "x-1.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
    const auto old_native = rank(linux, "x-1.0-cp311-cp311-manylinux1_x86_64.whl");
    const auto abi3 = rank(linux, "abi3_package-1.0.0-cp37-abi3-manylinux_2_17_x86_64.whl");
    const auto pure_platform = rank(linux, "tqdm-4.66.1-py3-none-manylinux_2_12_x86_64.manylinux2010_x86_64.musllinux_1_1_x86_64.whl");
    const auto local_build = rank(linux, "maturin-2.0.0-py3-none-linux_x86_64.whl");
    const auto pure = rank(linux, "basic_package-0.1.0-py3-none-any.whl");
    const auto pure_both = rank(linux, "build_tag-1.0.0-1-py2.py3-none-any.whl");
    ASSERT_TRUE(native && old_native && abi3 && pure_platform && local_build && pure && pure_both);
    EXPECT_EQ(*native, 0U);
    EXPECT_LT(*native, *old_native);
    EXPECT_LT(*old_native, *abi3);
    EXPECT_LT(*abi3, *pure_platform);
    EXPECT_LT(*pure_platform, *local_build);
    EXPECT_LT(*local_build, *pure);
    EXPECT_EQ(*pure, *pure_both);
    EXPECT_EQ(*pure_platform, *linux.priority(Tag{"py3", "none", "manylinux_2_12_x86_64"}));

    EXPECT_FALSE(rank(linux, "cpython_package-1.0.0-cp314-cp314-manylinux_2_17_x86_64.whl"));
    EXPECT_FALSE(rank(linux, "multi_abi_package-1.0.0-cp314-cp314t.abi3-manylinux_2_17_x86_64.whl"));
    EXPECT_FALSE(rank(linux, "wheel_tag_test-0.1.0-py3-none-win_amd64.whl"));
    EXPECT_FALSE(rank(linux, "x-1.0-cp311-cp311-manylinux_2_28_x86_64.whl"));
    EXPECT_FALSE(rank(linux, "x-1.0-cp311-cp311-musllinux_1_1_x86_64.whl"));
    EXPECT_FALSE(rank(linux, "simple.dist-0.1-py1-none-invalid.whl"));
    EXPECT_FALSE(rank(linux, "simplewheel-2.0-py3-fakeabi-fakeplat.whl"));
    EXPECT_TRUE(rank(windows, "wheel_tag_test-0.1.0-py3-none-win_amd64.whl"));
    EXPECT_TRUE(rank(windows, "Pillow-10.0.0-cp311-cp311-win_AMD64.whl"));
    EXPECT_FALSE(rank(windows, "abi3_package-1.0.0-cp37-abi3-manylinux_2_17_x86_64.whl"));
}

// --- Real files --------------------------------------------------------------------------

std::vector<std::string> files_in(const std::string& dir) {
    std::vector<std::string> names;
    if (!std::filesystem::exists(dir)) {
        return names;
    }
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        names.push_back(entry.path().filename().string());
    }
    std::sort(names.begin(), names.end());
    return names;
}

TEST(WheelConformanceTest, ParsesTheRealWheelAndSdistFilesInTestdata) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    std::size_t wheels = 0;
    std::size_t sdists = 0;
    for (const char* sub : {"/uv/test/links", "/pip/tests/data/packages", "/poetry/tests/repositories/fixtures/pypi.org/dists"}) {
        for (const auto& name : files_in(dir + sub)) {
            SCOPED_TRACE(name);
            if (name.ends_with(".whl")) {
                const auto parsed = WheelFilename::parse(name);
                if (name == "invalid_version-2010i-py3-none-any.whl") {
                    // pip keeps it to test that an invalid version is skipped.
                    EXPECT_THAT(parsed, FailsWithId("spec.wheel_filename.invalid"));
                    continue;
                }
                ASSERT_THAT(parsed, Succeeds());
                EXPECT_FALSE(parsed->tags().empty());
                ++wheels;
            } else if (name.ends_with(".tar.gz") || name.ends_with(".zip") || name.ends_with(".tar.bz2")) {
                const auto parsed = SourceDistFilename::parse(name);
                ASSERT_THAT(parsed, Succeeds());
                ++sdists;
            }
        }
    }
    EXPECT_GE(wheels, 30U);
    EXPECT_GE(sdists, 4U);
}

TEST(WheelConformanceTest, ParsesEveryFilenameInPyPiJsonFixtures) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = std::filesystem::path(dir) / "poetry/tests/repositories/fixtures/pypi.org/json";
    ASSERT_TRUE(std::filesystem::exists(root));
    std::size_t wheels = 0;
    std::size_t sdists = 0;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        if (!entry.is_regular_file() || entry.path().extension() != ".json") {
            continue;
        }
        const auto json = nlohmann::json::parse(test::read_text(entry.path().string()), nullptr, false);
        ASSERT_FALSE(json.is_discarded());
        for (const char* key : {"files", "urls"}) {
            if (!json.contains(key)) {
                continue;
            }
            for (const auto& file : json[key]) {
                const auto name = file.value("filename", std::string());
                SCOPED_TRACE(entry.path().string() + ": " + name);
                if (file.value("packagetype", std::string()) == "bdist_dumb" || name.ends_with(".linux-x86_64.tar.gz")) {
                    continue;  // a `setup.py bdist_dumb` archive, neither wheel nor sdist
                }
                // poetry's deliberately broken fixtures: an unescaped `-` in the name (PEP 427
                // forbids it) and versions `.9` and `unknown`.
                if (name.starts_with("isort-metadata-") || name == "invalid_version_package-.9-cp27-cp27m-win32.whl") {
                    EXPECT_THAT(WheelFilename::parse(name), FailsWithId("spec.wheel_filename.invalid"));
                } else if (name == "six_unknown_version-unknown.tar.gz") {
                    EXPECT_THAT(SourceDistFilename::parse(name), FailsWithId("spec.sdist_filename.invalid"));
                } else if (name.ends_with(".whl")) {
                    ASSERT_THAT(WheelFilename::parse(name), Succeeds());
                    ++wheels;
                } else if (name.ends_with(".tar.gz") || name.ends_with(".zip")) {
                    ASSERT_THAT(SourceDistFilename::parse(name), Succeeds());
                    ++sdists;
                }
            }
        }
    }
    EXPECT_GT(wheels, 20U);
    EXPECT_GT(sdists, 20U);
}

}  // namespace
}  // namespace envsmith::specs
