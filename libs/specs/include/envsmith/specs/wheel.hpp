#pragma once
// Distribution filenames and platform compatibility tags: wheel filenames (PEP 427, PEP 491),
// source distribution filenames (PEP 625 and the legacy form), and the ordered list of tags a
// target interpreter supports (PEP 425, PEP 600 manylinux, PEP 656 musllinux, macOS, Windows),
// in the order pip and packaging prefer them.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep440.hpp"

namespace envsmith::specs {

/// One compatibility tag, e.g. `cp311-cp311-manylinux_2_17_x86_64`.
struct Tag {
    std::string interpreter;  // "cp311", "py3"
    std::string abi;          // "cp311", "abi3", "none"
    std::string platform;     // "manylinux_2_17_x86_64", "any"

    /// `interpreter-abi-platform`.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Tag&, const Tag&) = default;
};

/// A wheel's build tag: a number and an optional text suffix (`1`, `2_abc`). Wheels of the same
/// version sort by it, comparing the number first.
struct BuildTag {
    std::uint64_t number = 0;
    std::string suffix;

    friend bool operator==(const BuildTag&, const BuildTag&) = default;
    friend auto operator<=>(const BuildTag&, const BuildTag&) = default;
};

/// `{distribution}-{version}(-{build tag})?-{python tag}-{abi tag}-{platform tag}.whl`.
struct WheelFilename {
    std::string name;  // as in the filename (`_` stands for `-`)
    Pep440Version version;
    std::optional<BuildTag> build;
    std::vector<std::string> python_tags;    // "py2.py3" gives {"py2", "py3"}
    std::vector<std::string> abi_tags;
    std::vector<std::string> platform_tags;

    /// Parses a wheel filename (no directories). Tag sets may be compressed with `.`; the build
    /// tag must start with a digit; the name must be a valid PEP 508 name and the version a
    /// PEP 440 version. Fails with `spec.wheel_filename.invalid`, a column and the argument
    /// `filename`.
    [[nodiscard]] static core::Result<WheelFilename> parse(std::string_view filename);

    /// PEP 503 name: `Foo_Bar` gives `foo-bar`.
    [[nodiscard]] std::string normalized_name() const;
    /// Every tag of the compressed sets, python tags outermost.
    [[nodiscard]] std::vector<Tag> tags() const;
    /// The filename again, with the version normalised.
    [[nodiscard]] std::string to_string() const;
};

/// `{name}-{version}.tar.gz` or `.zip` (also `.tar.bz2`, `.tar.xz`, `.tgz`, `.tar` from older
/// uploads). Legacy names may contain `-`: the split is at the first `-` after which a valid
/// version follows.
struct SourceDistFilename {
    std::string name;
    Pep440Version version;
    std::string extension;  // ".tar.gz"

    /// Fails with `spec.sdist_filename.invalid`, a column and the argument `filename`.
    [[nodiscard]] static core::Result<SourceDistFilename> parse(std::string_view filename);
    /// PEP 503 name: `Foo_Bar` gives `foo-bar`.
    [[nodiscard]] std::string normalized_name() const;
};

enum class Libc : std::uint8_t { glibc, musl };

/// A `major.minor` pair: a glibc, musl or macOS version.
struct PlatformVersion {
    std::uint32_t major = 0;
    std::uint32_t minor = 0;

    friend bool operator==(const PlatformVersion&, const PlatformVersion&) = default;
    friend auto operator<=>(const PlatformVersion&, const PlatformVersion&) = default;
};

/// The interpreter and platform to find compatible wheels for.
struct TargetSpec {
    std::string python_version = "3.11";  // "X.Y" (a ".Z" is ignored)
    std::string conda_subdir = "linux-64";
    Libc libc = Libc::glibc;                             // Linux only
    PlatformVersion libc_version{2, 17};                 // glibc 2.17, or musl 1.2 with Libc::musl
    std::optional<PlatformVersion> macos_version = std::nullopt;  // default 10.13 (osx-64), 11.0 (osx-arm64)
};

/// The tags a CPython target supports, most preferred first, as packaging's `sys_tags()`
/// generates them: `cpXY-cpXY-<platforms>`, `cpXY-abi3-<platforms>`, `cpXY-none-<platforms>`,
/// `cpXW-abi3-<platforms>` for each older 3.W, `pyXY-none-<platforms>`, `py3-none-<platforms>`,
/// `pyXW-none-<platforms>`, `cpXY-none-any`, `pyXY-none-any`, `py3-none-any`, `pyXW-none-any`.
/// Linux platforms are `manylinux_2_N_<arch>` from the target glibc down to 2.17 (aarch64,
/// ppc64le, s390x, armv7l) or 2.5 (x86_64, i686), each legacy alias (`manylinux2014`,
/// `manylinux2010`, `manylinux1`) right after its PEP 600 name, then `linux_<arch>`; or
/// `musllinux_1_N_<arch>` down to 1.0 then `linux_<arch>`.
class TargetTags {
public:
    /// Fails with `spec.target.invalid` for an unknown subdir or a malformed Python version.
    [[nodiscard]] static core::Result<TargetTags> for_target(const TargetSpec& target);

    [[nodiscard]] const std::vector<Tag>& tags() const noexcept { return m_tags; }
    /// The platform part of the tags in order (`manylinux_2_17_x86_64`, ..., `linux_x86_64`).
    [[nodiscard]] const std::vector<std::string>& platforms() const noexcept { return m_platforms; }

    /// Index of `tag` in `tags()` (lower is better), or nullopt when unsupported.
    [[nodiscard]] std::optional<std::size_t> priority(const Tag& tag) const;
    /// The best index of any of the wheel's tags, or nullopt when the wheel is incompatible.
    [[nodiscard]] std::optional<std::size_t> priority(const WheelFilename& wheel) const;

private:
    std::vector<Tag> m_tags;
    std::vector<std::string> m_platforms;
    std::unordered_map<std::string, std::size_t> m_index;
};

}  // namespace envsmith::specs
