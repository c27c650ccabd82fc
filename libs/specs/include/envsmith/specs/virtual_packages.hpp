#pragma once
// Conda virtual packages: the records a solver adds for the system it solves for, so that
// packages can depend on the OS, the C library, the macOS or Windows release, the CUDA driver
// and the CPU (`__unix`, `__linux`, `__glibc`, `__osx`, `__win`, `__cuda`, `__archspec`).
// Which packages exist follows the target platform; their versions come from the user's
// `CONDA_OVERRIDE_*` variables, else from the host when the host is the target, else from
// documented defaults. The rules follow conda's virtual package plugins and the draft CEP on
// virtual packages; docs/virtual_packages.md lists them and where this differs.
//
// Pure: the caller detects the host (api::detect_host) and reads the environment.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/match_spec.hpp"

namespace envsmith::specs {

/// What a detector found on the machine it runs on; every field is absent when unknown.
/// Values are raw but trimmed: a kernel release may keep its vendor suffix (`6.1.0-18-amd64`),
/// `virtual_packages` keeps only its leading numeric part.
struct HostFacts {
    std::optional<std::string> linux_kernel;  // `uname -r` on Linux
    std::optional<std::string> glibc;         // `2.36`; absent on musl or a non-Linux host
    std::optional<std::string> osx;           // macOS product version, `14.4`
    std::optional<std::string> cuda;          // newest CUDA the driver supports, `12.4`
    std::optional<std::string> archspec;      // CPU microarchitecture name, `x86_64`, `skylake`
    std::optional<std::string> windows;       // Windows `major.minor.build`, `10.0.22631`

    friend bool operator==(const HostFacts&, const HostFacts&) = default;
};

/// Whether the machine that produced the `HostFacts` is the machine being solved for. When it
/// is not (a lock file for another platform, an image for another architecture), host facts
/// are ignored and the defaults of the target apply.
enum class TargetIsHost : bool { no, yes };

/// The environment variables conda reads, in the order the overrides are documented.
inline constexpr std::string_view conda_override_variables[] = {
    "CONDA_OVERRIDE_LINUX", "CONDA_OVERRIDE_GLIBC", "CONDA_OVERRIDE_OSX",
    "CONDA_OVERRIDE_WIN",   "CONDA_OVERRIDE_CUDA",  "CONDA_OVERRIDE_ARCHSPEC",
};

/// The leading `N.N`, `N.N.N` or `N.N.N.N` of a Linux kernel release, the part conda keeps for
/// `__linux` (`6.1.0-18-amd64` gives `6.1.0`, `5.10-rc1` gives `5.10`); nullopt when the
/// release does not start with at least two numbers separated by a dot.
[[nodiscard]] std::optional<std::string> linux_kernel_version(std::string_view release);

/// Looks up one environment variable; nullopt when it is unset (set but empty is "").
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view)>;

/// The `CONDA_OVERRIDE_*` variables of `conda_override_variables` that `lookup` finds set,
/// name to value, empty values included (an empty value is meaningful: it hides a package).
[[nodiscard]] std::map<std::string, std::string> conda_overrides(const EnvironmentLookup& lookup);

/// The virtual packages of `platform` (a conda subdir: `linux-64`, `linux-aarch64`,
/// `osx-arm64`, `win-64`, ...), sorted by name. Each record has `build_number` 0, build `0`
/// (`__archspec`: the microarchitecture), channel `@` and `subdir` = `platform`.
///
///  - linux-*: `__unix`, `__linux`, `__glibc`, `__archspec`; osx-*: `__unix`, `__osx`,
///    `__archspec`; win-*: `__win`, `__archspec`; any platform: `__cuda` when the driver (on a
///    native target) or `CONDA_OVERRIDE_CUDA` gives a version.
///  - `overrides` maps `CONDA_OVERRIDE_*` names to values (see `conda_overrides`); values are
///    trimmed. An override of a package the platform does not have is ignored. An empty
///    override hides `__glibc`, `__osx`, `__cuda` and `__archspec`; `__linux` and `__win` stay,
///    with version `0`, as in conda. `CONDA_OVERRIDE_LINUX` keeps its leading numeric part
///    (`5.10.0-rc1` gives `5.10.0`), as the kernel release does.
///  - Without an override, a native target takes the host's facts; a foreign target, or a
///    fact the host lacks, takes the defaults: `__linux` 4.18, `__glibc` 2.28 (a native Linux
///    host without glibc has no `__glibc`), `__osx` 10.15 (osx-64) or 11.0 (osx-arm64), `__win`
///    0, `__archspec` the platform's generic CPU (`x86_64`, `aarch64`, `arm64`, `ppc64le`, ...).
///    A host fact that is not a valid version counts as absent.
///
/// Fails with `spec.virtual_package.platform` (argument `platform`) for a platform this does
/// not know, and with `spec.virtual_package.invalid` for an override that is not a conda
/// version (or, for `CONDA_OVERRIDE_ARCHSPEC`, not a build string): located at line 1 and the
/// column of the value, the location's file being the variable's name, with the arguments
/// `variable`, `value`, `package`, `column` and `expected`.
[[nodiscard]] core::Result<std::vector<PackageRecord>> virtual_packages(
    std::string_view platform, const HostFacts& host,
    const std::map<std::string, std::string>& overrides, TargetIsHost target_is_host);

}  // namespace envsmith::specs
