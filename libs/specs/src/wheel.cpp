// Wheel and sdist filenames, and the supported-tag list of a target. The tag order follows
// packaging.tags (what pip uses): the first matching tag in that list decides a wheel's rank.

#include "envsmith/specs/wheel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "envsmith/core/text.hpp"
#include "envsmith/specs/pep508.hpp"
#include "parse_error.hpp"
#include "pep_common.hpp"

namespace envsmith::specs {
namespace {

using detail::ParseFailure;

constexpr std::string_view wheel_shape = "{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl";

[[nodiscard]] core::Error wheel_error(std::string_view filename, const ParseFailure& failure) {
    return detail::parse_error("spec.wheel_filename.invalid", "wheel filename", failure.problem, filename,
                               failure.offset, "filename");
}

/// A compressed tag set such as `py2.py3`: non-empty parts of letters, digits and `_`.
[[nodiscard]] std::variant<std::vector<std::string>, ParseFailure> split_tag_set(std::string_view text,
                                                                                 std::size_t offset,
                                                                                 std::string_view what) {
    std::vector<std::string> tags;
    std::size_t start = 0;
    while (true) {
        std::size_t dot = text.find('.', start);
        if (dot == std::string_view::npos) {
            dot = text.size();
        }
        const std::string_view part = text.substr(start, dot - start);
        if (part.empty()) {
            return ParseFailure{offset + start, fmt::format("expected a {} tag", what)};
        }
        for (std::size_t i = 0; i < part.size(); ++i) {
            if (!core::is_ascii_alnum(part[i]) && part[i] != '_') {
                return ParseFailure{offset + start + i,
                                    fmt::format("unexpected {} in the {} tag; expected letters, digits or `_`",
                                                detail::describe_byte(part[i]), what)};
            }
        }
        tags.emplace_back(part);
        if (dot == text.size()) {
            return tags;
        }
        start = dot + 1;
    }
}

[[nodiscard]] std::optional<ParseFailure> check_version_text(std::string_view text, std::size_t offset) {
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (detail::is_space(text[i])) {
            return ParseFailure{offset + i, "unexpected whitespace in the version"};
        }
    }
    return std::nullopt;
}

// --- target platforms ---------------------------------------------------------------------

struct SubdirPlatform {
    std::string_view subdir;
    std::string_view os;    // "linux", "osx", "win"
    std::string_view arch;  // wheel spelling: x86_64, aarch64, arm64, win_amd64, ...
};

constexpr SubdirPlatform subdir_platforms[] = {
    {"linux-64", "linux", "x86_64"},    {"linux-32", "linux", "i686"},        {"linux-aarch64", "linux", "aarch64"},
    {"linux-ppc64le", "linux", "ppc64le"}, {"linux-s390x", "linux", "s390x"}, {"linux-armv7l", "linux", "armv7l"},
    {"osx-64", "osx", "x86_64"},        {"osx-arm64", "osx", "arm64"},       {"win-64", "win", "win_amd64"},
    {"win-32", "win", "win32"},         {"win-arm64", "win", "win_arm64"},
};

/// PEP 600 names plus the legacy aliases at their glibc versions (PEP 513, 571, 599).
void add_manylinux(std::vector<std::string>& out, std::string_view arch, PlatformVersion glibc) {
    // The oldest glibc with a manylinux tag: 2.5 on x86, 2.17 (manylinux2014) elsewhere.
    const bool x86 = arch == "x86_64" || arch == "i686";
    const std::uint32_t oldest_minor = x86 ? 5 : 17;
    if (glibc.major != 2) {
        return;
    }
    for (std::uint32_t minor = glibc.minor + 1; minor-- > oldest_minor;) {
        out.push_back(fmt::format("manylinux_2_{}_{}", minor, arch));
        if (minor == 17) {
            constexpr std::array<std::string_view, 7> manylinux2014_arches = {"x86_64", "i686",    "aarch64", "armv7l",
                                                                       "ppc64",  "ppc64le", "s390x"};
            if (std::find(manylinux2014_arches.begin(), manylinux2014_arches.end(), arch) != manylinux2014_arches.end()) {
                out.push_back(fmt::format("manylinux2014_{}", arch));
            }
        } else if (minor == 12 && x86) {
            out.push_back(fmt::format("manylinux2010_{}", arch));
        } else if (minor == 5 && x86) {
            out.push_back(fmt::format("manylinux1_{}", arch));
        }
    }
}

/// The binary formats a macOS version runs, per packaging's `_mac_binary_formats`.
[[nodiscard]] std::vector<std::string_view> mac_binary_formats(PlatformVersion version, std::string_view arch) {
    std::vector<std::string_view> formats = {arch};
    if (arch == "x86_64") {
        if (version < PlatformVersion{10, 4}) {
            return {};
        }
        formats.insert(formats.end(), {"intel", "fat64", "fat32"});
    }
    if (arch == "arm64" || arch == "x86_64") {
        formats.push_back("universal2");
    }
    if (arch == "x86_64") {
        formats.push_back("universal");
    }
    return formats;
}

void add_macos(std::vector<std::string>& out, std::string_view arch, PlatformVersion version) {
    const auto emit = [&](PlatformVersion compat) {
        for (const auto format : mac_binary_formats(compat, arch)) {
            out.push_back(fmt::format("macosx_{}_{}_{}", compat.major, compat.minor, format));
        }
    };
    if (version.major == 10) {
        // Before macOS 11 each yearly release bumped the minor number.
        for (std::uint32_t minor = version.minor + 1; minor-- > 0;) {
            emit({10, minor});
        }
        return;
    }
    if (version.major < 10) {
        return;
    }
    // From macOS 11 the major number moves; each runs binaries built for older majors.
    for (std::uint32_t major = version.major; major > 10; --major) {
        emit({major, 0});
    }
    // x86_64 runs everything back to 10.4; arm64 runs only the universal2 builds of 10.x.
    for (std::uint32_t minor = 16; minor > 3; --minor) {
        if (arch == "x86_64") {
            emit({10, minor});
        } else {
            out.push_back(fmt::format("macosx_10_{}_universal2", minor));
        }
    }
}

[[nodiscard]] std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_python(std::string_view text) {
    const auto parts = core::split(text, '.');
    if (parts.size() < 2 || parts.size() > 3) {
        return std::nullopt;
    }
    std::array<std::uint32_t, 2> numbers{};
    for (std::size_t i = 0; i < 2; ++i) {
        if (parts[i].empty() || parts[i].size() > 3 ||
            !std::all_of(parts[i].begin(), parts[i].end(), core::is_ascii_digit)) {
            return std::nullopt;
        }
        numbers[i] = static_cast<std::uint32_t>(std::stoul(std::string(parts[i])));
    }
    if (parts.size() == 3 &&
        (parts[2].empty() || !std::all_of(parts[2].begin(), parts[2].end(), core::is_ascii_digit))) {
        return std::nullopt;
    }
    return std::pair{numbers[0], numbers[1]};
}

[[nodiscard]] core::Error target_error(std::string message, std::string arg_name, std::string value) {
    return core::make_error(core::ErrorCode::invalid_input, "spec.target.invalid", std::move(message))
        .arg(std::move(arg_name), std::move(value));
}

}  // namespace

// ---------------------------------------------------------------------------------------------

std::string Tag::to_string() const {
    return fmt::format("{}-{}-{}", interpreter, abi, platform);
}

core::Result<WheelFilename> WheelFilename::parse(std::string_view filename) {
    if (!filename.ends_with(".whl")) {
        return wheel_error(filename, {filename.size(), fmt::format("expected the `.whl` extension of {}", wheel_shape)});
    }
    const std::string_view stem = filename.substr(0, filename.size() - 4);
    std::vector<std::size_t> starts = {0};
    for (std::size_t i = 0; i < stem.size(); ++i) {
        if (stem[i] == '-') {
            if (starts.size() == 6) {
                return wheel_error(filename, {i, fmt::format("too many `-` separated parts; expected {}", wheel_shape)});
            }
            starts.push_back(i + 1);
        }
    }
    if (starts.size() < 5) {
        return wheel_error(filename, {stem.size(), fmt::format("too few `-` separated parts; expected {}", wheel_shape)});
    }
    const auto part = [&](std::size_t index) {
        const std::size_t end = index + 1 < starts.size() ? starts[index + 1] - 1 : stem.size();
        return stem.substr(starts[index], end - starts[index]);
    };

    WheelFilename wheel;
    const std::string_view name = part(0);
    if (!is_valid_package_name(name)) {
        std::size_t bad = 0;
        while (bad < name.size() && (core::is_ascii_alnum(name[bad]) || name[bad] == '_' || name[bad] == '.')) {
            ++bad;
        }
        if (bad == name.size() && !name.empty()) {
            bad = core::is_ascii_alnum(name.front()) ? name.size() - 1 : 0;
        }
        return wheel_error(filename, {bad, "expected a distribution name of letters, digits, `_` and `.`"});
    }
    wheel.name = std::string(name);

    const std::string_view version_text = part(1);
    if (auto bad = check_version_text(version_text, starts[1])) {
        return wheel_error(filename, *bad);
    }
    auto version = detail::parse_version(version_text);
    if (auto* failure = std::get_if<ParseFailure>(&version)) {
        failure->offset += starts[1];
        return wheel_error(filename, *failure);
    }
    wheel.version = std::get<Pep440Version>(std::move(version));

    std::size_t tag_index = 2;
    if (starts.size() == 6) {
        const std::string_view build = part(2);
        if (build.empty() || !core::is_ascii_digit(build.front())) {
            return wheel_error(filename, {starts[2], "expected a build tag starting with a digit"});
        }
        BuildTag tag;
        std::size_t i = 0;
        while (i < build.size() && core::is_ascii_digit(build[i])) {
            if (!detail::push_digit(tag.number, build[i])) {
                return wheel_error(filename, {starts[2], "a build number too large for 64 bits"});
            }
            ++i;
        }
        tag.suffix = std::string(build.substr(i));
        wheel.build = std::move(tag);
        tag_index = 3;
    }

    const std::string_view what[] = {"python", "abi", "platform"};
    std::vector<std::string>* targets[] = {&wheel.python_tags, &wheel.abi_tags, &wheel.platform_tags};
    for (std::size_t k = 0; k < 3; ++k) {
        auto tags = split_tag_set(part(tag_index + k), starts[tag_index + k], what[k]);
        if (auto* failure = std::get_if<ParseFailure>(&tags)) {
            return wheel_error(filename, *failure);
        }
        *targets[k] = std::get<std::vector<std::string>>(std::move(tags));
    }
    return wheel;
}

std::string WheelFilename::normalized_name() const {
    return normalize_package_name(name);
}

std::vector<Tag> WheelFilename::tags() const {
    std::vector<Tag> out;
    out.reserve(python_tags.size() * abi_tags.size() * platform_tags.size());
    for (const auto& python : python_tags) {
        for (const auto& abi : abi_tags) {
            for (const auto& platform : platform_tags) {
                out.push_back({core::to_lower(python), core::to_lower(abi), core::to_lower(platform)});
            }
        }
    }
    return out;
}

std::string WheelFilename::to_string() const {
    std::string build_part;
    if (build) {
        build_part = fmt::format("-{}{}", build->number, build->suffix);
    }
    // PEP 427: `-` in the version is escaped as `_`; the normal form has no `-`.
    return fmt::format("{}-{}{}-{}-{}-{}.whl", name, version.to_string(), build_part, core::join(python_tags, "."),
                       core::join(abi_tags, "."), core::join(platform_tags, "."));
}

core::Result<SourceDistFilename> SourceDistFilename::parse(std::string_view filename) {
    static constexpr std::string_view sdist_extensions[] = {".tar.gz", ".zip", ".tar.bz2", ".tar.xz", ".tgz", ".tar"};
    const auto fail = [&](std::size_t offset, std::string problem) -> core::Error {
        return detail::parse_error("spec.sdist_filename.invalid", "source distribution filename", problem, filename,
                                   offset, "filename");
    };
    std::string_view extension;
    for (const auto candidate : sdist_extensions) {
        if (filename.size() > candidate.size() &&
            core::iequals(filename.substr(filename.size() - candidate.size()), candidate)) {
            extension = candidate;
            break;
        }
    }
    if (extension.empty()) {
        return fail(filename.size(), "expected `.tar.gz` or `.zip` (or `.tar.bz2`, `.tar.xz`, `.tgz`, `.tar`)");
    }
    const std::string_view stem = filename.substr(0, filename.size() - extension.size());
    ParseFailure last{stem.size(), "expected `{name}-{version}`"};
    for (std::size_t dash = stem.find('-'); dash != std::string_view::npos; dash = stem.find('-', dash + 1)) {
        const std::string_view name = stem.substr(0, dash);
        if (!is_valid_package_name(name)) {
            last = ParseFailure{0, "expected a distribution name of letters, digits, `-`, `_` and `.`"};
            continue;
        }
        const std::string_view version_text = stem.substr(dash + 1);
        if (auto bad = check_version_text(version_text, dash + 1)) {
            last = *bad;
            continue;
        }
        auto version = detail::parse_version(version_text);
        if (auto* failure = std::get_if<ParseFailure>(&version)) {
            last = ParseFailure{failure->offset + dash + 1, failure->problem};
            continue;
        }
        SourceDistFilename sdist;
        sdist.name = std::string(name);
        sdist.version = std::get<Pep440Version>(std::move(version));
        sdist.extension = std::string(extension);
        return sdist;
    }
    return fail(last.offset, last.problem);
}

std::string SourceDistFilename::normalized_name() const {
    return normalize_package_name(name);
}

// ---------------------------------------------------------------------------------------------

core::Result<TargetTags> TargetTags::for_target(const TargetSpec& target) {
    const auto python = parse_python(target.python_version);
    if (!python) {
        return target_error(fmt::format("invalid Python version `{}`; expected `X.Y` such as `3.11`",
                                        target.python_version),
                            "python_version", target.python_version);
    }
    const SubdirPlatform* platform = nullptr;
    for (const auto& candidate : subdir_platforms) {
        if (candidate.subdir == target.conda_subdir) {
            platform = &candidate;
        }
    }
    if (platform == nullptr) {
        return target_error(fmt::format("no wheel platform for conda subdir `{}`; expected one of linux-64, linux-32, "
                                        "linux-aarch64, linux-ppc64le, linux-s390x, linux-armv7l, osx-64, osx-arm64, "
                                        "win-64, win-32, win-arm64",
                                        target.conda_subdir),
                            "subdir", target.conda_subdir);
    }

    TargetTags result;
    auto& platforms = result.m_platforms;
    if (platform->os == "linux") {
        if (target.libc == Libc::glibc) {
            if (target.libc_version.major != 2) {
                return target_error(fmt::format("unsupported glibc version {}.{}; expected 2.N",
                                                target.libc_version.major, target.libc_version.minor),
                                    "glibc", fmt::format("{}.{}", target.libc_version.major, target.libc_version.minor));
            }
            add_manylinux(platforms, platform->arch, target.libc_version);
        } else {
            // PEP 656: musllinux_1_N for every minor from the target's down to 0.
            for (std::uint32_t minor = target.libc_version.minor + 1; minor-- > 0;) {
                platforms.push_back(fmt::format("musllinux_{}_{}_{}", target.libc_version.major, minor, platform->arch));
            }
        }
        platforms.push_back(fmt::format("linux_{}", platform->arch));
    } else if (platform->os == "osx") {
        const PlatformVersion fallback = platform->arch == "arm64" ? PlatformVersion{11, 0} : PlatformVersion{10, 13};
        add_macos(platforms, platform->arch, target.macos_version.value_or(fallback));
    } else {
        platforms.emplace_back(platform->arch);
    }

    const auto [major, minor] = *python;
    const std::string interpreter = fmt::format("cp{}{}", major, minor);
    // CPython before 3.8 built with pymalloc has the `m` ABI flag.
    const std::string abi = std::pair{major, minor} < std::pair{3U, 8U} ? interpreter + "m" : interpreter;
    const bool abi3 = std::pair{major, minor} >= std::pair{3U, 2U};
    auto& tags = result.m_tags;
    const auto add_all = [&](const std::string& i, const std::string& a) {
        for (const auto& p : platforms) {
            tags.push_back({i, a, p});
        }
    };
    add_all(interpreter, abi);
    if (abi3) {
        add_all(interpreter, "abi3");
    }
    add_all(interpreter, "none");
    if (abi3) {
        for (std::uint32_t older = minor; older-- > 2;) {
            add_all(fmt::format("cp{}{}", major, older), "abi3");
        }
    }
    // pyXY, pyX, then pyXW for every older minor.
    std::vector<std::string> generic = {fmt::format("py{}{}", major, minor), fmt::format("py{}", major)};
    for (std::uint32_t older = minor; older-- > 0;) {
        generic.push_back(fmt::format("py{}{}", major, older));
    }
    for (const auto& g : generic) {
        add_all(g, "none");
    }
    tags.push_back({interpreter, "none", "any"});
    for (const auto& g : generic) {
        tags.push_back({g, "none", "any"});
    }
    for (std::size_t i = 0; i < tags.size(); ++i) {
        result.m_index.emplace(tags[i].to_string(), i);
    }
    return result;
}

std::optional<std::size_t> TargetTags::priority(const Tag& tag) const {
    const auto it = m_index.find(tag.to_string());
    if (it == m_index.end()) {
        return std::nullopt;
    }
    return it->second;
}

std::optional<std::size_t> TargetTags::priority(const WheelFilename& wheel) const {
    std::optional<std::size_t> best;
    for (const auto& tag : wheel.tags()) {
        const auto p = priority(tag);
        if (p && (!best || *p < *best)) {
            best = p;
        }
    }
    return best;
}

}  // namespace envsmith::specs
