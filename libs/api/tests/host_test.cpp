// Host detection on the machine the tests run on. Expectations come from the system calls
// themselves (uname, confstr, gnu_get_libc_version, dlopen), not from constants, so the tests
// hold on any Linux machine and fail when detection disagrees with the system.

#include "envsmith/api/host.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <gnu/libc-version.h>
#endif

#include <algorithm>
#include <cstdlib>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "envsmith/core/text.hpp"
#include "envsmith/specs/conda_version.hpp"
#include "matchers.hpp"

namespace envsmith::api {
namespace {

using test::Succeeds;

struct utsname uname_or_fail() {
    struct utsname names {};
    EXPECT_EQ(::uname(&names), 0);
    return names;
}

bool only_digits_and_dots(const std::string& text) {
    return !text.empty() && std::all_of(text.begin(), text.end(),
                                        [](char c) { return core::is_ascii_digit(c) || c == '.'; });
}

TEST(HostTest, GlibcIsWhatConfstrAndTheLibraryReport) {
#if !defined(_CS_GNU_LIBC_VERSION)
    GTEST_SKIP() << "no _CS_GNU_LIBC_VERSION on this system";
#else
    const auto facts = detect_host();
    char buffer[128] = {};
    if (::confstr(_CS_GNU_LIBC_VERSION, buffer, sizeof(buffer)) == 0) {
        EXPECT_EQ(facts.glibc, std::nullopt) << "confstr knows no glibc here";
        return;
    }
    const std::string answer = buffer;  // "glibc 2.36"
    ASSERT_TRUE(answer.starts_with("glibc ")) << answer;
    ASSERT_TRUE(facts.glibc.has_value());
    EXPECT_EQ(*facts.glibc, answer.substr(6));
#if defined(__GLIBC__)
    EXPECT_EQ(*facts.glibc, std::string(::gnu_get_libc_version()));
#endif
    EXPECT_TRUE(only_digits_and_dots(*facts.glibc)) << *facts.glibc;
#endif
}

TEST(HostTest, KernelVersionIsTheNumericStartOfTheRelease) {
    const auto names = uname_or_fail();
    if (std::string(names.sysname) != "Linux") {
        GTEST_SKIP() << "not Linux";
    }
    const std::string release = names.release;
    const auto facts = detect_host();
    ASSERT_TRUE(facts.linux_kernel.has_value()) << release;
    const std::string& version = *facts.linux_kernel;
    EXPECT_TRUE(release.starts_with(version)) << version << " / " << release;
    EXPECT_TRUE(only_digits_and_dots(version)) << version;
    EXPECT_NE(version.find('.'), std::string::npos) << version;
    EXPECT_FALSE(version.ends_with('.')) << version;
    // Nothing numeric is cut off: the release goes on with neither a digit nor `.digit`.
    const std::string rest = release.substr(version.size());
    EXPECT_FALSE(!rest.empty() && core::is_ascii_digit(rest[0])) << release;
    EXPECT_THAT(specs::CondaVersion::parse(version), Succeeds());
}

TEST(HostTest, PlatformFollowsTheMachineName) {
    const auto names = uname_or_fail();
    const std::string system = names.sysname;
    const std::string machine = names.machine;
    // The test's own table for the Linux machines CI runs on (host_platform assumes Linux).
    const std::map<std::pair<std::string, std::string>, std::string> expected = {
        {{"Linux", "x86_64"}, "linux-64"},
        {{"Linux", "aarch64"}, "linux-aarch64"},
        {{"Linux", "ppc64le"}, "linux-ppc64le"}};
    const auto it = expected.find({system, machine});
    if (it == expected.end()) {
        GTEST_SKIP() << "no expectation for " << system << " " << machine;
    }
    EXPECT_EQ(host_platform(), it->second);
}

TEST(HostTest, ArchspecFallsBackToTheMachineName) {
    const auto names = uname_or_fail();
    const std::string machine = names.machine;
    const auto facts = detect_host();
    ASSERT_TRUE(facts.archspec.has_value());
    if (machine == "x86_64" || machine == "aarch64" || machine == "ppc64le" || machine == "s390x") {
        EXPECT_EQ(*facts.archspec, machine);
    }
}

TEST(HostTest, CudaOnlyWithTheDriverLibrary) {
    void* library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    const auto facts = detect_host();
    if (library == nullptr) {
        EXPECT_EQ(facts.cuda, std::nullopt) << "no libcuda.so.1, yet a CUDA version was found";
        return;
    }
    if (facts.cuda) {  // the driver may be present without a usable GPU
        EXPECT_TRUE(only_digits_and_dots(*facts.cuda)) << *facts.cuda;
        EXPECT_EQ(std::count(facts.cuda->begin(), facts.cuda->end(), '.'), 1) << *facts.cuda;
    }
}

TEST(HostTest, TheDetectedFactsMakeTheNativeVirtualPackages) {
    const auto facts = detect_host();
    const auto platform = host_platform();
    const auto records = specs::virtual_packages(platform, facts, {}, specs::TargetIsHost::yes);
    ASSERT_THAT(records, Succeeds());
    std::map<std::string, std::string> versions;
    for (const auto& record : *records) {
        versions[record.name] = record.version.to_string();
        EXPECT_EQ(record.subdir, platform);
    }
    if (platform.starts_with("linux-")) {
        EXPECT_EQ(versions.count("__unix"), 1U);
        ASSERT_TRUE(facts.linux_kernel.has_value());
        EXPECT_EQ(versions["__linux"], *facts.linux_kernel);
        if (facts.glibc) {
            EXPECT_EQ(versions["__glibc"], *facts.glibc);
        }
    }
}

/// Sets environment variables for one test and restores them afterwards.
class ScopedEnvironment {
public:
    ScopedEnvironment() {
        for (const auto name : specs::conda_override_variables) {
            const std::string key(name);
            if (const char* value = std::getenv(key.c_str())) {
                m_saved[key] = value;
            }
            ::unsetenv(key.c_str());
        }
    }
    ~ScopedEnvironment() {
        for (const auto name : specs::conda_override_variables) {
            const std::string key(name);
            const auto it = m_saved.find(key);
            if (it == m_saved.end()) {
                ::unsetenv(key.c_str());
            } else {
                ::setenv(key.c_str(), it->second.c_str(), 1);
            }
        }
    }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;

private:
    std::map<std::string, std::string> m_saved;
};

TEST(HostTest, OverridesComeFromTheProcessEnvironment) {
    const ScopedEnvironment scope;
    EXPECT_TRUE(conda_overrides_from_process_environment().empty());
    ::setenv("CONDA_OVERRIDE_GLIBC", "2.17", 1);
    ::setenv("CONDA_OVERRIDE_CUDA", "", 1);
    ::setenv("CONDA_OVERRIDE_UNIX", "1", 1);  // not a variable conda reads
    EXPECT_EQ(conda_overrides_from_process_environment(),
              (std::map<std::string, std::string>{{"CONDA_OVERRIDE_CUDA", ""},
                                                  {"CONDA_OVERRIDE_GLIBC", "2.17"}}));
    ::unsetenv("CONDA_OVERRIDE_UNIX");
}

TEST(HostPython, IsTheMajorAndMinorOfPython3OnThePath) {
    if (std::system("command -v python3 > /dev/null 2>&1") != 0) GTEST_SKIP() << "no python3 on PATH";
    const auto version = host_python_version();
    EXPECT_THAT(version, ::testing::MatchesRegex("3\\.[0-9]+"));
}

}  // namespace
}  // namespace envsmith::api
