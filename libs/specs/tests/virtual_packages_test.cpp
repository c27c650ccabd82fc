// Virtual packages of a target platform: which exist per platform family, where versions come
// from (override, host, default), empty and invalid overrides.

#include "envsmith/specs/virtual_packages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using test::FailsWithId;
using test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

using Overrides = std::map<std::string, std::string>;

/// name -> "version=build", the part of each record that varies.
std::map<std::string, std::string> summary(const std::vector<PackageRecord>& records) {
    std::map<std::string, std::string> out;
    for (const auto& record : records) {
        out[record.name] = record.version.to_string() + "=" + record.build;
    }
    return out;
}

std::map<std::string, std::string> packages(std::string_view platform, const HostFacts& host,
                                            const Overrides& overrides, TargetIsHost native) {
    const auto result = virtual_packages(platform, host, overrides, native);
    EXPECT_THAT(result, Succeeds());
    return result ? summary(*result) : std::map<std::string, std::string>{};
}

/// A host with every fact set, so that a test sees which ones a platform uses.
HostFacts full_host() {
    return HostFacts{.linux_kernel = "6.1.0-18-amd64",
                     .glibc = "2.36",
                     .osx = "14.4",
                     .cuda = "12.4",
                     .archspec = "skylake",
                     .windows = "10.0.22631"};
}

TEST(VirtualPackagesTest, NativeLinuxTakesTheHostFacts) {
    const auto result = virtual_packages("linux-64", full_host(), {}, TargetIsHost::yes);
    ASSERT_THAT(result, Succeeds());
    EXPECT_EQ(summary(*result), (std::map<std::string, std::string>{{"__archspec", "1=skylake"},
                                                                    {"__cuda", "12.4=0"},
                                                                    {"__glibc", "2.36=0"},
                                                                    {"__linux", "6.1.0=0"},
                                                                    {"__unix", "0=0"}}));
    std::vector<std::string> names;
    for (const auto& record : *result) {
        SCOPED_TRACE(record.name);
        names.push_back(record.name);
        EXPECT_EQ(record.build_number, 0U);
        EXPECT_EQ(record.channel, "@");
        EXPECT_EQ(record.subdir, "linux-64");
        const auto reparsed = CondaVersion::parse(record.version.to_string());
        ASSERT_THAT(reparsed, Succeeds());
        EXPECT_EQ(*reparsed, record.version);
    }
    EXPECT_THAT(names, ElementsAre("__archspec", "__cuda", "__glibc", "__linux", "__unix"));
}

TEST(VirtualPackagesTest, NativeMacosAndWindowsTakeTheirOwnFactsOnly) {
    auto host = full_host();
    host.archspec = "m1";
    EXPECT_EQ(
        packages("osx-arm64", host, {}, TargetIsHost::yes),
        (std::map<std::string, std::string>{
            {"__archspec", "1=m1"}, {"__cuda", "12.4=0"}, {"__osx", "14.4=0"}, {"__unix", "0=0"}}));
    host.archspec = "zen3";
    host.cuda.reset();
    EXPECT_EQ(
        packages("win-64", host, {}, TargetIsHost::yes),
        (std::map<std::string, std::string>{{"__archspec", "1=zen3"}, {"__win", "10.0.22631=0"}}));
}

TEST(VirtualPackagesTest, ForeignTargetsTakeTheDefaultsAndIgnoreTheHost) {
    struct Case {
        std::string_view platform;
        std::map<std::string, std::string> expected;
    };
    const Case cases[] = {
        {"linux-64",
         {{"__archspec", "1=x86_64"},
          {"__glibc", "2.28=0"},
          {"__linux", "4.18=0"},
          {"__unix", "0=0"}}},
        {"linux-aarch64",
         {{"__archspec", "1=aarch64"},
          {"__glibc", "2.28=0"},
          {"__linux", "4.18=0"},
          {"__unix", "0=0"}}},
        {"linux-ppc64le",
         {{"__archspec", "1=ppc64le"},
          {"__glibc", "2.28=0"},
          {"__linux", "4.18=0"},
          {"__unix", "0=0"}}},
        {"linux-32",
         {{"__archspec", "1=x86"},
          {"__glibc", "2.28=0"},
          {"__linux", "4.18=0"},
          {"__unix", "0=0"}}},
        {"osx-64", {{"__archspec", "1=x86_64"}, {"__osx", "10.15=0"}, {"__unix", "0=0"}}},
        {"osx-arm64", {{"__archspec", "1=arm64"}, {"__osx", "11.0=0"}, {"__unix", "0=0"}}},
        {"win-64", {{"__archspec", "1=x86_64"}, {"__win", "0=0"}}},
        {"win-arm64", {{"__archspec", "1=arm64"}, {"__win", "0=0"}}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.platform);
        EXPECT_EQ(packages(c.platform, full_host(), {}, TargetIsHost::no), c.expected);
        const auto result = virtual_packages(c.platform, full_host(), {}, TargetIsHost::no);
        ASSERT_THAT(result, Succeeds());
        for (const auto& record : *result) {
            EXPECT_EQ(record.subdir, c.platform);
        }
    }
}

TEST(VirtualPackagesTest, OverridesWinOverHostFactsAndDefaults) {
    const Overrides linux_overrides = {{"CONDA_OVERRIDE_LINUX", "5.15.0-1051-azure"},
                                       {"CONDA_OVERRIDE_GLIBC", "2.17"},
                                       {"CONDA_OVERRIDE_CUDA", "11.8"},
                                       {"CONDA_OVERRIDE_ARCHSPEC", "x86_64_v3"}};
    const std::map<std::string, std::string> expected = {{"__archspec", "1=x86_64_v3"},
                                                         {"__cuda", "11.8=0"},
                                                         {"__glibc", "2.17=0"},
                                                         {"__linux", "5.15.0=0"},
                                                         {"__unix", "0=0"}};
    EXPECT_EQ(packages("linux-64", full_host(), linux_overrides, TargetIsHost::yes), expected);
    EXPECT_EQ(packages("linux-64", full_host(), linux_overrides, TargetIsHost::no), expected);

    EXPECT_EQ(packages("osx-64", full_host(), {{"CONDA_OVERRIDE_OSX", "12.7"}}, TargetIsHost::no)
                  .at("__osx"),
              "12.7=0");
    EXPECT_EQ(
        packages("win-64", full_host(), {{"CONDA_OVERRIDE_WIN", "10.0.19045"}}, TargetIsHost::yes)
            .at("__win"),
        "10.0.19045=0");
    // Values are trimmed, as conda strips CONDA_OVERRIDE_CUDA.
    EXPECT_EQ(packages("linux-64", {}, {{"CONDA_OVERRIDE_GLIBC", " 2.31\n"}}, TargetIsHost::no)
                  .at("__glibc"),
              "2.31=0");
}

TEST(VirtualPackagesTest, AForeignTargetGetsCudaOnlyFromTheOverride) {
    EXPECT_EQ(packages("linux-aarch64", full_host(), {}, TargetIsHost::no).count("__cuda"), 0U);
    EXPECT_EQ(
        packages("linux-aarch64", full_host(), {{"CONDA_OVERRIDE_CUDA", "12.2"}}, TargetIsHost::no)
            .at("__cuda"),
        "12.2=0");
}

TEST(VirtualPackagesTest, OverridesOfPackagesThePlatformLacksAreIgnored) {
    const Overrides all = {{"CONDA_OVERRIDE_LINUX", "5.4"},
                           {"CONDA_OVERRIDE_GLIBC", "2.31"},
                           {"CONDA_OVERRIDE_OSX", "13.0"},
                           {"CONDA_OVERRIDE_WIN", "10.0.1"},
                           {"CONDA_OVERRIDE_UNIX", "7"}};
    EXPECT_EQ(packages("linux-64", {}, all, TargetIsHost::no),
              (std::map<std::string, std::string>{{"__archspec", "1=x86_64"},
                                                  {"__glibc", "2.31=0"},
                                                  {"__linux", "5.4=0"},
                                                  {"__unix", "0=0"}}));
    EXPECT_EQ(packages("osx-arm64", {}, all, TargetIsHost::no),
              (std::map<std::string, std::string>{
                  {"__archspec", "1=arm64"}, {"__osx", "13.0=0"}, {"__unix", "0=0"}}));
    EXPECT_EQ(
        packages("win-64", {}, all, TargetIsHost::no),
        (std::map<std::string, std::string>{{"__archspec", "1=x86_64"}, {"__win", "10.0.1=0"}}));
}

TEST(VirtualPackagesTest, AnEmptyOverrideHidesThePackageButNotTheOperatingSystem) {
    const Overrides empty = {{"CONDA_OVERRIDE_LINUX", ""}, {"CONDA_OVERRIDE_GLIBC", ""},
                             {"CONDA_OVERRIDE_OSX", "  "}, {"CONDA_OVERRIDE_WIN", ""},
                             {"CONDA_OVERRIDE_CUDA", ""},  {"CONDA_OVERRIDE_ARCHSPEC", ""}};
    EXPECT_EQ(packages("linux-64", full_host(), empty, TargetIsHost::yes),
              (std::map<std::string, std::string>{{"__linux", "0=0"}, {"__unix", "0=0"}}));
    EXPECT_EQ(packages("osx-arm64", full_host(), empty, TargetIsHost::yes),
              (std::map<std::string, std::string>{{"__unix", "0=0"}}));
    EXPECT_EQ(packages("win-64", full_host(), empty, TargetIsHost::no),
              (std::map<std::string, std::string>{{"__win", "0=0"}}));
}

TEST(VirtualPackagesTest, KernelReleasesKeepTheirLeadingNumericPart) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"6.1.0-18-amd64", "6.1.0"},    {"5.15.0-1051-azure", "5.15.0"},
        {"6.18.44-fc-v769", "6.18.44"}, {"4.19.112+", "4.19.112"},
        {"5.10.1.2.3", "5.10.1.2"},     {"6.8", "6.8"},
        {"5.10-rc1", "5.10"},           {"3.10.0.", "3.10.0"},
    };
    for (const auto& [release, version] : cases) {
        SCOPED_TRACE(release);
        HostFacts host;
        host.linux_kernel = std::string(release);
        EXPECT_EQ(packages("linux-64", host, {}, TargetIsHost::yes).at("__linux"),
                  std::string(version) + "=0");
        EXPECT_EQ(packages("linux-64", {}, {{"CONDA_OVERRIDE_LINUX", std::string(release)}},
                           TargetIsHost::no)
                      .at("__linux"),
                  std::string(version) + "=0");
    }
}

TEST(VirtualPackagesTest, LinuxKernelVersionIsThePublicFormOfTheSameRule) {
    EXPECT_EQ(linux_kernel_version("6.1.0-18-amd64"), "6.1.0");
    EXPECT_EQ(linux_kernel_version(" 5.10.1.2.3\n"), "5.10.1.2");
    EXPECT_EQ(linux_kernel_version("6"), std::nullopt);
    EXPECT_EQ(linux_kernel_version("v6.1"), std::nullopt);
    EXPECT_EQ(linux_kernel_version(""), std::nullopt);
}

TEST(VirtualPackagesTest, MissingOrUnusableHostFactsFallBack) {
    // A native Linux host without glibc (musl) has no __glibc; a kernel release without a
    // numeric prefix, or a CPU name no build string can hold, falls back to the defaults.
    HostFacts host;
    host.linux_kernel = "unknown";
    host.archspec = "not a name";
    EXPECT_EQ(packages("linux-64", host, {}, TargetIsHost::yes),
              (std::map<std::string, std::string>{
                  {"__archspec", "1=x86_64"}, {"__linux", "4.18=0"}, {"__unix", "0=0"}}));
    host.glibc = "2.x!";
    host.osx = "";
    EXPECT_EQ(packages("linux-64", host, {}, TargetIsHost::yes).count("__glibc"), 0U);
    EXPECT_EQ(packages("osx-64", host, {}, TargetIsHost::yes).at("__osx"), "10.15=0");
}

TEST(VirtualPackagesTest, AnInvalidOverrideIsALocatedError) {
    struct Case {
        std::string variable;
        std::string value;
        std::string package;
        std::uint32_t column;
    };
    const Case cases[] = {
        {"CONDA_OVERRIDE_GLIBC", "2..28", "__glibc", 3},
        {"CONDA_OVERRIDE_GLIBC", "2.28*", "__glibc", 5},
        {"CONDA_OVERRIDE_CUDA", "12.4 beta", "__cuda", 5},
        {"CONDA_OVERRIDE_OSX", "14,4", "__osx", 3},
        {"CONDA_OVERRIDE_WIN", "10/0", "__win", 3},
        {"CONDA_OVERRIDE_LINUX", "abc", "__linux", 1},
        {"CONDA_OVERRIDE_LINUX", "6", "__linux", 2},
        {"CONDA_OVERRIDE_LINUX", "6.x", "__linux", 3},
        {"CONDA_OVERRIDE_ARCHSPEC", "x86 64", "__archspec", 4},
        {"CONDA_OVERRIDE_ARCHSPEC", "a-b", "__archspec", 2},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.variable + "=" + c.value);
        const auto platform = c.package == "__osx"   ? "osx-64"
                              : c.package == "__win" ? "win-64"
                                                     : "linux-64";
        const auto result =
            virtual_packages(platform, full_host(), {{c.variable, c.value}}, TargetIsHost::yes);
        ASSERT_THAT(result, FailsWithId("spec.virtual_package.invalid"));
        const auto& error = result.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        EXPECT_EQ(error.arg_value("variable"), c.variable);
        EXPECT_EQ(error.arg_value("value"), c.value);
        EXPECT_EQ(error.arg_value("package"), c.package);
        EXPECT_EQ(error.arg_value("column"), std::to_string(c.column));
        EXPECT_FALSE(error.arg_value("expected").empty());
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->file, c.variable);
        EXPECT_EQ(error.where->line, 1U);
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.where->line_text, c.value);
        EXPECT_THAT(error.message, HasSubstr(c.variable));
        EXPECT_THAT(error.message, HasSubstr("`" + c.value + "`"));
    }
    const auto result =
        virtual_packages("linux-64", {}, {{"CONDA_OVERRIDE_GLIBC", "2.28*"}}, TargetIsHost::no);
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().message,
              "invalid CONDA_OVERRIDE_GLIBC value `2.28*` for `__glibc` at column 5: expected a "
              "version without `*`");
    EXPECT_EQ(result.error().describe().substr(0, 25), "CONDA_OVERRIDE_GLIBC:1:5:");
    // The override of a package the platform lacks is not checked.
    EXPECT_THAT(
        virtual_packages("osx-64", {}, {{"CONDA_OVERRIDE_GLIBC", "2..28"}}, TargetIsHost::no),
        Succeeds());
}

TEST(VirtualPackagesTest, AnUnknownPlatformIsAnError) {
    for (const auto* platform : {"noarch", "linux", "", "linux-64 ", "freebsd-64", "Linux-64"}) {
        SCOPED_TRACE(platform);
        const auto result = virtual_packages(platform, {}, {}, TargetIsHost::no);
        ASSERT_THAT(result, FailsWithId("spec.virtual_package.platform"));
        EXPECT_EQ(result.error().code, core::ErrorCode::invalid_input);
        EXPECT_EQ(result.error().arg_value("platform"), platform);
    }
    EXPECT_EQ(virtual_packages("noarch", {}, {}, TargetIsHost::no).error().message,
              "no virtual packages for platform `noarch`; expected one of linux-64, linux-32, "
              "linux-aarch64, linux-armv6l, linux-armv7l, linux-ppc64le, linux-ppc64, linux-s390x, "
              "linux-riscv64, osx-64, osx-arm64, win-64, win-32, win-arm64");
}

TEST(VirtualPackagesTest, OverridesAreReadThroughTheLookup) {
    const std::map<std::string, std::string, std::less<>> environment = {
        {"CONDA_OVERRIDE_GLIBC", "2.17"},
        {"CONDA_OVERRIDE_CUDA", ""},
        {"CONDA_OVERRIDE_UNIX", "1"},
        {"PATH", "/usr/bin"}};
    std::vector<std::string> asked;
    const auto overrides =
        conda_overrides([&](std::string_view name) -> std::optional<std::string> {
            asked.emplace_back(name);
            const auto it = environment.find(name);
            return it == environment.end() ? std::nullopt : std::optional<std::string>(it->second);
        });
    EXPECT_EQ(overrides,
              (Overrides{{"CONDA_OVERRIDE_CUDA", ""}, {"CONDA_OVERRIDE_GLIBC", "2.17"}}));
    EXPECT_THAT(
        asked, ElementsAre("CONDA_OVERRIDE_LINUX", "CONDA_OVERRIDE_GLIBC", "CONDA_OVERRIDE_OSX",
                           "CONDA_OVERRIDE_WIN", "CONDA_OVERRIDE_CUDA", "CONDA_OVERRIDE_ARCHSPEC"));
}

}  // namespace
}  // namespace envsmith::specs
