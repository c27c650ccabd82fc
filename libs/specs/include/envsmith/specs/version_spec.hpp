#pragma once
// Conda version constraints (conda's `VersionSpec` and `BuildNumberMatch`,
// conda/models/version.py): `1.2` (exactly 1.2, so also 1.2.0), `==1.2`, `!=1.2`, `<`, `<=`,
// `>`, `>=`, `~=1.2` (compatible release), `=1.2` and `1.2.*` / `1.2*` (starts with 1.2),
// `!=1.2.*` (does not start with 1.2), `*` (anything), globs such as `1.*.3`, regexes
// `^1\.[0-9]+$`, joined with `,` (and) and `|` (or), `,` binding tighter, with parentheses.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/conda_version.hpp"

namespace re2 {
class RE2;
}

namespace envsmith::specs {

class VersionSpec {
public:
    enum class Kind : std::uint8_t { leaf, all_of, any_of };
    enum class Operator : std::uint8_t {
        any,              // `*`
        equal,            // `1.2`, `==1.2`
        not_equal,        // `!=1.2`
        less,             // `<1.2`
        less_equal,       // `<=1.2`
        greater,          // `>1.2`
        greater_equal,    // `>=1.2`, also `>=1.2.*`
        starts_with,      // `=1.2`, `1.2.*`, `1.2*`
        not_starts_with,  // `!=1.2.*`
        compatible,       // `~=1.2`
        glob,             // `1.*.3`: matched against the version's normalised text
        regex,            // `^...$`: matched against the version's normalised text
    };

    /// Matches every version.
    VersionSpec() = default;

    /// Parses a version constraint with conda's grammar. Fails with `spec.version_spec.invalid`
    /// naming the column for empty text or an empty side of `,`/`|`, unbalanced parentheses,
    /// an unknown or malformed operator (`<>1`, `<= 1`, `~=1.*`, `~=1`), `.*` after `~=`, an
    /// invalid version operand, a regex that is not `^...$` or that RE2 rejects, a glob with
    /// characters other than version characters, or nesting deeper than 200 parentheses.
    [[nodiscard]] static core::Result<VersionSpec> parse(std::string_view text);

    /// Whether `version` satisfies the constraint, by conda's version order (so `1.2` contains
    /// `1.2.0`); globs and regexes match the version's normalised text.
    [[nodiscard]] bool contains(const CondaVersion& version) const;

    /// A canonical text: `parse(to_string())` gives a spec with the same `to_string()` and the
    /// same matches. Exact versions print as `==1.2`, prefixes as `1.2.*`, `|` inside `,` is
    /// parenthesised.
    [[nodiscard]] std::string to_string() const;

    [[nodiscard]] Kind kind() const noexcept { return m_kind; }
    /// For leaves.
    [[nodiscard]] Operator op() const noexcept { return m_op; }
    /// For leaves with a version operand.
    [[nodiscard]] const CondaVersion& version() const noexcept { return m_version; }
    /// For `,` and `|` nodes: at least two, never of the node's own kind.
    [[nodiscard]] const std::vector<VersionSpec>& children() const noexcept { return m_children; }
    /// True for `*`.
    [[nodiscard]] bool matches_all() const noexcept {
        return m_kind == Kind::leaf && m_op == Operator::any;
    }
    /// True for an exact version (`1.2`, `==1.2`): conda prints the build outside brackets then.
    [[nodiscard]] bool is_exact() const noexcept {
        return m_kind == Kind::leaf && m_op == Operator::equal;
    }

    friend bool operator==(const VersionSpec& a, const VersionSpec& b) {
        return a.to_string() == b.to_string();
    }

private:
    friend struct VersionSpecParser;

    Kind m_kind = Kind::leaf;
    Operator m_op = Operator::any;
    CondaVersion m_version;
    CondaVersion m_compatible_prefix;      // `~=`: the operand without its last `.` piece
    std::string m_pattern;                 // glob or regex text
    std::shared_ptr<const re2::RE2> m_regex;
    std::vector<VersionSpec> m_children;
};

/// Build number constraints: `3`, `==3`, `=3`, `!=3`, `<3`, `<=3`, `>3`, `>=3`, `*`, or a regex
/// `^...$` matched against the decimal text. Operands are non-negative integers (conda also
/// allows version strings there, which never mean anything for an integer build number).
class BuildNumberSpec {
public:
    enum class Operator : std::uint8_t {
        any, equal, not_equal, less, less_equal, greater, greater_equal, regex };

    /// Matches every build number.
    BuildNumberSpec() = default;

    /// Fails with `spec.build_number.invalid` naming the column for empty text, an unknown
    /// operator, an operand that is not a non-negative 64-bit integer, or a bad regex.
    [[nodiscard]] static core::Result<BuildNumberSpec> parse(std::string_view text);

    /// Whether `build_number` satisfies the constraint; a regex matches its decimal text.
    [[nodiscard]] bool contains(std::uint64_t build_number) const;
    /// `3`, `!=3`, `>=2`, `*`, `^...$`; round-trips through `parse`.
    [[nodiscard]] std::string to_string() const;
    [[nodiscard]] Operator op() const noexcept { return m_op; }
    [[nodiscard]] std::uint64_t number() const noexcept { return m_number; }

    friend bool operator==(const BuildNumberSpec& a, const BuildNumberSpec& b) {
        return a.to_string() == b.to_string();
    }

private:
    Operator m_op = Operator::any;
    std::uint64_t m_number = 0;
    std::string m_pattern;
    std::shared_ptr<const re2::RE2> m_regex;
};

}  // namespace envsmith::specs
