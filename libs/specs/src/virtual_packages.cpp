// Conda virtual packages for a target platform. Which packages exist and which variables count
// follow conda's plugins (conda/plugins/virtual_packages/*.py) and the draft CEP "Virtual
// packages"; the defaults for a foreign target are ours (docs/virtual_packages.md says why).

#include "envsmith/specs/virtual_packages.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <utility>
#include <variant>

#include "envsmith/core/text.hpp"

namespace envsmith::specs {
namespace {

enum class OsFamily : std::uint8_t { gnu_linux, macos, windows };

struct PlatformFacts {
    std::string_view subdir;
    OsFamily os;
    // archspec's generic name for the CPU of the subdir, used when the host's CPU does not
    // apply. As conda does, the subdir's own architecture name is kept (`arm64`, not
    // `aarch64`), except for the numeric x86 ones.
    std::string_view generic_cpu;
};

constexpr PlatformFacts known_platforms[] = {
    {"linux-64", OsFamily::gnu_linux, "x86_64"},
    {"linux-32", OsFamily::gnu_linux, "x86"},
    {"linux-aarch64", OsFamily::gnu_linux, "aarch64"},
    {"linux-armv6l", OsFamily::gnu_linux, "armv6l"},
    {"linux-armv7l", OsFamily::gnu_linux, "armv7l"},
    {"linux-ppc64le", OsFamily::gnu_linux, "ppc64le"},
    {"linux-ppc64", OsFamily::gnu_linux, "ppc64"},
    {"linux-s390x", OsFamily::gnu_linux, "s390x"},
    {"linux-riscv64", OsFamily::gnu_linux, "riscv64"},
    {"osx-64", OsFamily::macos, "x86_64"},
    {"osx-arm64", OsFamily::macos, "arm64"},
    {"win-64", OsFamily::windows, "x86_64"},
    {"win-32", OsFamily::windows, "x86"},
    {"win-arm64", OsFamily::windows, "arm64"},
};

// Defaults for a foreign target. 4.18 and 2.28 are the kernel and glibc of RHEL 8 and its
// rebuilds, old enough for most machines a Linux environment is built for; 11.0 is the first
// macOS for Apple silicon and 10.15 a conservative floor for Intel Macs.
constexpr std::string_view default_linux = "4.18";
constexpr std::string_view default_glibc = "2.28";
constexpr std::string_view default_osx_x86_64 = "10.15";
constexpr std::string_view default_osx_arm64 = "11.0";
constexpr std::string_view default_windows = "0";

[[nodiscard]] const PlatformFacts* find_platform(std::string_view subdir) {
    const auto it = std::find_if(std::begin(known_platforms), std::end(known_platforms),
                                 [&](const PlatformFacts& p) { return p.subdir == subdir; });
    return it == std::end(known_platforms) ? nullptr : &*it;
}

[[nodiscard]] core::Error invalid_override(std::string_view variable, std::string_view package,
                                           std::string_view value, std::size_t offset,
                                           std::string_view expected) {
    const auto column = static_cast<std::uint32_t>(std::min(offset, value.size()) + 1);
    return core::make_error(core::ErrorCode::invalid_input, "spec.virtual_package.invalid",
                            fmt::format("invalid {} value `{}` for `{}` at column {}: {}", variable,
                                        value, package, column, expected))
        .at(core::SourceLocation{std::string(variable), 1, column, std::string(value)})
        .arg("variable", std::string(variable))
        .arg("value", std::string(value))
        .arg("package", std::string(package))
        .arg("column", std::to_string(column))
        .arg("expected", std::string(expected))
        .with_hint(fmt::format("unset {} to use the detected or default value", variable));
}

/// The leading `N.N`, `N.N.N` or `N.N.N.N` of a kernel release (conda keeps the same part of
/// `platform.release()`: `6.1.0-18-amd64` gives `6.1.0`), or the offset where it stops short.
[[nodiscard]] std::variant<std::string_view, std::size_t> kernel_prefix(std::string_view text) {
    std::size_t i = 0;
    auto digits = [&] {
        const std::size_t start = i;
        while (i < text.size() && core::is_ascii_digit(text[i])) {
            ++i;
        }
        return i > start;
    };
    if (!digits()) {
        return i;
    }
    if (i >= text.size() || text[i] != '.') {
        return i;
    }
    ++i;
    if (!digits()) {
        return i;
    }
    for (int extra = 0; extra < 2; ++extra) {
        if (i + 1 < text.size() && text[i] == '.' && core::is_ascii_digit(text[i + 1])) {
            ++i;
            digits();
        }
    }
    return text.substr(0, i);
}

/// A version a record may carry: a conda version without the `*` of a pattern.
[[nodiscard]] std::variant<CondaVersion, std::pair<std::size_t, std::string>> record_version(
    std::string_view text) {
    if (const auto star = text.find('*'); star != std::string_view::npos) {
        return std::pair<std::size_t, std::string>{star, "expected a version without `*`"};
    }
    auto parsed = CondaVersion::parse(text);
    if (!parsed) {
        const auto& error = parsed.error();
        const std::size_t column = error.where ? error.where->column : 1;
        return std::pair<std::size_t, std::string>{column > 0 ? column - 1 : 0,
                                                   std::string(error.arg_value("expected"))};
    }
    return std::move(parsed).value();
}

/// The column of the first byte that cannot be in a build string, or nullopt.
[[nodiscard]] std::optional<std::size_t> bad_build_char(std::string_view build) {
    for (std::size_t i = 0; i < build.size(); ++i) {
        const char c = build[i];
        if (!core::is_ascii_alnum(c) && c != '_' && c != '.' && c != '+') {
            return i;
        }
    }
    return std::nullopt;
}

enum class WhenEmpty : std::uint8_t { hide, version_zero };
enum class Shape : std::uint8_t { version, kernel_release };

/// Where one version-carrying package gets its version.
struct VersionRule {
    std::string_view package;
    std::string_view variable;
    Shape shape = Shape::version;
    WhenEmpty when_empty = WhenEmpty::hide;
    std::optional<std::string> host_value;     // only for a native target
    std::optional<std::string_view> fallback;  // nullopt: no package without a value
};

[[nodiscard]] std::optional<std::string> find_override(
    const std::map<std::string, std::string>& overrides, std::string_view variable) {
    const auto it = overrides.find(std::string(variable));
    if (it == overrides.end()) {
        return std::nullopt;
    }
    return std::string(core::trim(it->second));
}

/// The text as a record version, or nullopt when it is not one.
[[nodiscard]] std::optional<CondaVersion> lenient_version(std::string_view text, Shape shape) {
    text = core::trim(text);
    if (shape == Shape::kernel_release) {
        const auto prefix = kernel_prefix(text);
        if (!std::holds_alternative<std::string_view>(prefix)) {
            return std::nullopt;
        }
        text = std::get<std::string_view>(prefix);
    }
    auto version = record_version(text);
    if (!std::holds_alternative<CondaVersion>(version)) {
        return std::nullopt;
    }
    return std::get<CondaVersion>(std::move(version));
}

/// The package's version, nullopt when the package is left out.
[[nodiscard]] core::Result<std::optional<CondaVersion>> resolve(
    const VersionRule& rule, const std::map<std::string, std::string>& overrides) {
    if (const auto value = find_override(overrides, rule.variable)) {
        if (value->empty()) {
            if (rule.when_empty == WhenEmpty::hide) {
                return std::optional<CondaVersion>{};
            }
            return std::optional<CondaVersion>{CondaVersion()};
        }
        std::string_view text = *value;
        if (rule.shape == Shape::kernel_release) {
            const auto prefix = kernel_prefix(text);
            if (const auto* offset = std::get_if<std::size_t>(&prefix)) {
                return invalid_override(rule.variable, rule.package, text, *offset,
                                        "expected a kernel version such as `6.1.0`");
            }
            text = std::get<std::string_view>(prefix);
        }
        auto version = record_version(text);
        if (auto* failure = std::get_if<std::pair<std::size_t, std::string>>(&version)) {
            return invalid_override(rule.variable, rule.package, *value, failure->first,
                                    failure->second);
        }
        return std::optional<CondaVersion>{std::get<CondaVersion>(std::move(version))};
    }
    if (rule.host_value) {
        if (auto version = lenient_version(*rule.host_value, rule.shape)) {
            return std::optional<CondaVersion>{std::move(*version)};
        }
    }
    if (rule.fallback) {
        return std::optional<CondaVersion>{CondaVersion::parse(*rule.fallback).value()};
    }
    return std::optional<CondaVersion>{};
}

[[nodiscard]] PackageRecord make_record(std::string_view name, CondaVersion version,
                                        std::string build, std::string_view subdir) {
    PackageRecord record;
    record.name = std::string(name);
    record.version = std::move(version);
    record.build = std::move(build);
    record.build_number = 0;
    // conda's channel name for records no channel provides. (Built from a char: GCC 12 at -O2
    // takes the assignment of a one-letter literal here for an overlapping copy, -Wrestrict.)
    record.channel = std::string(1, '@');
    record.subdir = std::string(subdir);
    return record;
}

}  // namespace

std::optional<std::string> linux_kernel_version(std::string_view release) {
    const auto prefix = kernel_prefix(core::trim(release));
    if (const auto* text = std::get_if<std::string_view>(&prefix)) {
        return std::string(*text);
    }
    return std::nullopt;
}

std::map<std::string, std::string> conda_overrides(const EnvironmentLookup& lookup) {
    std::map<std::string, std::string> out;
    for (const auto variable : conda_override_variables) {
        if (auto value = lookup(variable)) {
            out.emplace(std::string(variable), std::move(*value));
        }
    }
    return out;
}

core::Result<std::vector<PackageRecord>> virtual_packages(
    std::string_view platform, const HostFacts& host,
    const std::map<std::string, std::string>& overrides, TargetIsHost target_is_host) {
    const PlatformFacts* target = find_platform(platform);
    if (target == nullptr) {
        return core::make_error(
                   core::ErrorCode::invalid_input, "spec.virtual_package.platform",
                   fmt::format("no virtual packages for platform `{}`; expected one of linux-64, "
                               "linux-32, linux-aarch64, linux-armv6l, linux-armv7l, "
                               "linux-ppc64le, linux-ppc64, linux-s390x, linux-riscv64, osx-64, "
                               "osx-arm64, win-64, win-32, win-arm64",
                               platform))
            .arg("platform", std::string(platform));
    }
    const bool native = target_is_host == TargetIsHost::yes;
    auto from_host = [&](const std::optional<std::string>& fact) -> std::optional<std::string> {
        return native ? fact : std::nullopt;
    };

    std::vector<PackageRecord> records;
    auto add_versioned = [&](const VersionRule& rule) -> core::Status {
        auto version = resolve(rule, overrides);
        if (!version) {
            return std::move(version).error();
        }
        if (version->has_value()) {
            records.push_back(make_record(rule.package, std::move(**version), "0", platform));
        }
        return {};
    };

    std::vector<VersionRule> rules;
    switch (target->os) {
        case OsFamily::gnu_linux:
            rules.push_back({.package = "__linux",
                             .variable = "CONDA_OVERRIDE_LINUX",
                             .shape = Shape::kernel_release,
                             .when_empty = WhenEmpty::version_zero,
                             .host_value = from_host(host.linux_kernel),
                             .fallback = default_linux});
            // On a native target without glibc (musl) there is no `__glibc`: glibc packages
            // would not run there.
            rules.push_back({.package = "__glibc",
                             .variable = "CONDA_OVERRIDE_GLIBC",
                             .shape = Shape::version,
                             .when_empty = WhenEmpty::hide,
                             .host_value = from_host(host.glibc),
                             .fallback = native ? std::nullopt
                                                : std::optional<std::string_view>(default_glibc)});
            break;
        case OsFamily::macos:
            rules.push_back({.package = "__osx",
                             .variable = "CONDA_OVERRIDE_OSX",
                             .shape = Shape::version,
                             .when_empty = WhenEmpty::hide,
                             .host_value = from_host(host.osx),
                             .fallback = target->subdir == "osx-arm64" ? default_osx_arm64
                                                                       : default_osx_x86_64});
            break;
        case OsFamily::windows:
            rules.push_back({.package = "__win",
                             .variable = "CONDA_OVERRIDE_WIN",
                             .shape = Shape::version,
                             .when_empty = WhenEmpty::version_zero,
                             .host_value = from_host(host.windows),
                             .fallback = default_windows});
            break;
    }
    // The driver of the host serves only a native target; a foreign one gets `__cuda` from
    // CONDA_OVERRIDE_CUDA alone.
    rules.push_back({.package = "__cuda",
                     .variable = "CONDA_OVERRIDE_CUDA",
                     .shape = Shape::version,
                     .when_empty = WhenEmpty::hide,
                     .host_value = from_host(host.cuda),
                     .fallback = std::nullopt});
    for (const auto& rule : rules) {
        if (auto status = add_versioned(rule); !status) {
            return std::move(status).error();
        }
    }

    if (target->os != OsFamily::windows) {
        records.push_back(make_record("__unix", CondaVersion(), "0", platform));
    }

    // `__archspec`: version 1, the CPU in the build string.
    constexpr std::string_view archspec_variable = "CONDA_OVERRIDE_ARCHSPEC";
    std::optional<std::string> cpu;
    if (const auto value = find_override(overrides, archspec_variable)) {
        if (!value->empty()) {
            if (const auto bad = bad_build_char(*value)) {
                return invalid_override(archspec_variable, "__archspec", *value, *bad,
                                        "expected a build string of letters, digits, `_`, `.` "
                                        "or `+`");
            }
            cpu = *value;
        }
    } else {
        cpu = std::string(target->generic_cpu);
        if (const auto detected = from_host(host.archspec)) {
            const auto trimmed = core::trim(*detected);
            if (!trimmed.empty() && !bad_build_char(trimmed)) {
                cpu = std::string(trimmed);
            }
        }
    }
    if (cpu) {
        records.push_back(
            make_record("__archspec", CondaVersion::parse("1").value(), std::move(*cpu), platform));
    }

    std::sort(records.begin(), records.end(),
              [](const PackageRecord& a, const PackageRecord& b) { return a.name < b.name; });
    return records;
}

}  // namespace envsmith::specs
