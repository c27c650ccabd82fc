// Host detection for the virtual packages: uname(2), confstr(3), sysctl on macOS and the CUDA
// driver through dlopen. Every probe is best effort and never fails the caller.

#include "envsmith/api/host.hpp"

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/text.hpp"

#if !defined(_WIN32)
#include <dlfcn.h>
#include <sys/utsname.h>
#include <unistd.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#include <sys/types.h>
#endif

namespace envsmith::api {
namespace {

#if !defined(_WIN32)

struct Uname {
    std::string system;   // "Linux", "Darwin"
    std::string release;  // "6.1.0-18-amd64"
    std::string machine;  // "x86_64", "aarch64", "arm64"
};

[[nodiscard]] std::optional<Uname> read_uname() {
    struct utsname names {};
    if (::uname(&names) != 0) {
        return std::nullopt;
    }
    return Uname{names.sysname, names.release, names.machine};
}

[[nodiscard]] bool is_x86_32(std::string_view machine) {
    return machine.size() == 4 && machine[0] == 'i' && machine.substr(2) == "86" &&
           machine[1] >= '3' && machine[1] <= '6';
}

[[nodiscard]] std::optional<std::string> glibc_version() {
#if defined(_CS_GNU_LIBC_VERSION)
    const std::size_t size = ::confstr(_CS_GNU_LIBC_VERSION, nullptr, 0);
    if (size == 0) {
        return std::nullopt;  // not glibc (musl defines the name but has no value)
    }
    std::vector<char> buffer(size);
    if (::confstr(_CS_GNU_LIBC_VERSION, buffer.data(), buffer.size()) == 0) {
        return std::nullopt;
    }
    constexpr std::string_view prefix = "glibc ";
    const std::string_view text(buffer.data());
    if (!text.starts_with(prefix)) {
        return std::nullopt;
    }
    return std::string(core::trim(text.substr(prefix.size())));
#else
    return std::nullopt;
#endif
}

[[nodiscard]] std::optional<std::string> macos_version() {
#if defined(__APPLE__)
    char buffer[64] = {};
    std::size_t size = sizeof(buffer);
    if (::sysctlbyname("kern.osproductversion", buffer, &size, nullptr, 0) != 0 || size == 0) {
        return std::nullopt;
    }
    return std::string(core::trim(std::string_view(buffer)));
#else
    return std::nullopt;
#endif
}

/// The CUDA driver API's version as `major.minor`, from libcuda without its headers: the two
/// entry points are plain C functions returning a CUresult (0 is success).
[[nodiscard]] std::optional<std::string> cuda_driver_version() {
#if defined(__linux__)
    void* library = ::dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
    if (library == nullptr) {
        return std::nullopt;
    }
    using CuInit = int (*)(unsigned int);
    using CuDriverGetVersion = int (*)(int*);
    auto* init = reinterpret_cast<CuInit>(::dlsym(library, "cuInit"));
    auto* driver_version =
        reinterpret_cast<CuDriverGetVersion>(::dlsym(library, "cuDriverGetVersion"));
    if (init == nullptr || driver_version == nullptr) {
        ::dlclose(library);
        return std::nullopt;
    }
    // After cuInit the driver may have started threads and registered exit handlers that live
    // in the library, so it is never unloaded from here on.
    if (init(0) != 0) {
        return std::nullopt;
    }
    int version = 0;
    if (driver_version(&version) != 0 || version <= 0) {
        return std::nullopt;
    }
    // 12040 is CUDA 12.4: major * 1000 + minor * 10.
    return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
#else
    return std::nullopt;
#endif
}

/// archspec's generic name for a uname(2) machine.
[[nodiscard]] std::string archspec_name(const Uname& host) {
    if (is_x86_32(host.machine)) {
        return "x86";
    }
    if (host.machine == "amd64") {
        return "x86_64";
    }
    if (host.machine == "arm64" && host.system == "Linux") {
        return "aarch64";
    }
    return core::to_lower(host.machine);
}

#endif  // !_WIN32

}  // namespace

specs::HostFacts detect_host() {
    specs::HostFacts facts;
#if !defined(_WIN32)
    const auto host = read_uname();
    if (host && host->system == "Linux") {
        facts.linux_kernel = specs::linux_kernel_version(host->release);
        facts.glibc = glibc_version();
    }
    if (host && host->system == "Darwin") {
        facts.osx = macos_version();
    }
    facts.cuda = cuda_driver_version();
    if (host && !host->machine.empty()) {
        facts.archspec = archspec_name(*host);
    }
#endif
    return facts;
}

std::string host_platform() {
#if defined(_WIN32)
#if defined(_M_ARM64)
    return "win-arm64";
#elif defined(_WIN64)
    return "win-64";
#else
    return "win-32";
#endif
#else
    const auto host = read_uname();
    if (!host) {
        return "unknown";
    }
    const std::string_view machine = host->machine;
    if (host->system == "Linux") {
        if (machine == "x86_64") {
            return "linux-64";
        }
        if (is_x86_32(machine)) {
            return "linux-32";
        }
        if (machine == "aarch64" || machine == "arm64") {
            return "linux-aarch64";
        }
        for (const std::string_view same :
             {"armv6l", "armv7l", "ppc64le", "ppc64", "s390x", "riscv64"}) {
            if (machine == same) {
                return "linux-" + std::string(same);
            }
        }
    }
    if (host->system == "Darwin") {
        if (machine == "x86_64") {
            return "osx-64";
        }
        if (machine == "arm64") {
            return "osx-arm64";
        }
    }
    return core::to_lower(host->system) + "-" + core::to_lower(machine);
#endif
}

std::map<std::string, std::string> conda_overrides_from_process_environment() {
    return specs::conda_overrides([](std::string_view name) -> std::optional<std::string> {
        const char* value = std::getenv(std::string(name).c_str());
        if (value == nullptr) {
            return std::nullopt;
        }
        return std::string(value);
    });
}

std::string host_python_version() {
    FILE* pipe = ::popen("python3 -c 'import sys; print(\"%d.%d\" % sys.version_info[:2])' 2>/dev/null", "r");
    if (pipe == nullptr) return {};
    char buffer[32] = {};
    const auto n = std::fread(buffer, 1, sizeof buffer - 1, pipe);
    ::pclose(pipe);
    std::string out(buffer, n);
    while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
    const auto dot = out.find('.');
    if (dot == std::string::npos || dot == 0 || out.find_first_not_of("0123456789.") != std::string::npos) return {};
    return out;
}

}  // namespace envsmith::api
