#pragma once
// Conda match specs (conda/models/match_spec.py): the query language for conda packages, e.g.
// `numpy`, `numpy=1.11`, `numpy 1.11.* py27_0`, `numpy>=1.8,<2|1.7`, `numpy==1.11.1=py27_0`,
// `conda-forge/linux-64::numpy[version='>=1.8', build=*_0]`, `*[md5=...]`, a package URL
// `https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312h_0.conda`, or a
// feature `mkl@`. Also the package record a spec is matched against.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/conda_version.hpp"
#include "envsmith/specs/version_spec.hpp"

namespace envsmith::specs {

namespace detail {
class StringPattern;
}

/// One package of a channel, as repodata.json describes it.
struct PackageRecord {
    std::string name;
    CondaVersion version;
    std::string build;
    std::uint64_t build_number = 0;
    std::string channel;  // a name (`conda-forge`) or a URL
    std::string subdir;   // `linux-64`, `noarch`, ...
    std::string fn;       // file name, `numpy-1.26.4-py312h_0.conda`
    std::string url;
    std::string md5;
    std::string sha256;
    std::vector<std::string> track_features;
    std::string license;
    std::vector<std::string> depends;
    std::vector<std::string> constrains;
    std::uint64_t timestamp = 0;  // milliseconds since the Unix epoch; 0 when unknown
    std::string noarch;           // "", "python" or "generic"
};

class MatchSpec {
public:
    /// Matches every package (`*`).
    MatchSpec();

    /// Parses a match spec with conda's rules (see the file comment in match_spec.cpp for the
    /// few deliberate differences). Fails with `spec.match_spec.invalid` naming the column for
    /// empty text, a missing or invalid package name, a malformed `[key=value]` section or an
    /// unknown key, an invalid version, build number or regex, or a package file name that is
    /// not `name-version-build`.
    [[nodiscard]] static core::Result<MatchSpec> parse(std::string_view text);

    /// Whether `record` satisfies every field of this spec.
    [[nodiscard]] bool matches(const PackageRecord& record) const;

    /// The canonical text, as conda's `str(MatchSpec)`: `channel/subdir::name==version=build`
    /// where the fields are exact, the rest in brackets (`[build=py*,version='>=1.2']`).
    /// Unlike conda it keeps `url` (conda drops it when a channel is present), so
    /// `parse(to_string())` always gives an equal spec.
    [[nodiscard]] std::string to_string() const;

    /// Lowercase; `*` or a glob when the spec names no single package.
    [[nodiscard]] const std::string& name() const noexcept { return m_name; }
    [[nodiscard]] const std::optional<std::string>& channel() const noexcept { return m_channel; }
    [[nodiscard]] const std::optional<std::string>& subdir() const noexcept { return m_subdir; }
    /// `*` when the spec has no version.
    [[nodiscard]] const VersionSpec& version() const noexcept { return m_version; }
    [[nodiscard]] const std::optional<std::string>& build() const noexcept { return m_build; }
    [[nodiscard]] const std::optional<BuildNumberSpec>& build_number() const noexcept {
        return m_build_number;
    }
    [[nodiscard]] const std::optional<std::string>& md5() const noexcept { return m_md5; }
    [[nodiscard]] const std::optional<std::string>& sha256() const noexcept { return m_sha256; }
    [[nodiscard]] const std::optional<std::string>& fn() const noexcept { return m_fn; }
    [[nodiscard]] const std::optional<std::string>& url() const noexcept { return m_url; }
    [[nodiscard]] const std::optional<std::string>& license() const noexcept { return m_license; }
    /// Sorted, without duplicates.
    [[nodiscard]] const std::optional<std::vector<std::string>>& track_features() const noexcept {
        return m_track_features;
    }
    /// True when only a single exact name is given (`numpy`).
    [[nodiscard]] bool is_name_only() const noexcept;

    /// Equal when the canonical texts are equal.
    friend bool operator==(const MatchSpec& a, const MatchSpec& b) {
        return a.to_string() == b.to_string();
    }

private:
    friend struct MatchSpecParser;

    std::string m_name = "*";
    std::optional<std::string> m_channel;
    std::optional<std::string> m_subdir;
    VersionSpec m_version;
    bool m_has_version = false;
    std::optional<std::string> m_build;
    std::optional<BuildNumberSpec> m_build_number;
    std::optional<std::string> m_md5;
    std::optional<std::string> m_sha256;
    std::optional<std::string> m_fn;
    std::optional<std::string> m_url;
    std::optional<std::string> m_license;
    std::optional<std::vector<std::string>> m_track_features;
    // Compiled name, channel, build and license patterns (exact, glob or regex).
    std::shared_ptr<const detail::StringPattern> m_name_pattern;
    std::shared_ptr<const detail::StringPattern> m_channel_pattern;
    std::shared_ptr<const detail::StringPattern> m_build_pattern;
    std::shared_ptr<const detail::StringPattern> m_license_pattern;
};

}  // namespace envsmith::specs
