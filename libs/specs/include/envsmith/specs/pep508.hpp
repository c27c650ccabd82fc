#pragma once
// PEP 508 dependency specifiers (`name[extra]>=1.0; python_version < "3.11"`), their
// environment markers, and PEP 503 name normalisation.

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep440.hpp"

namespace envsmith::specs {

/// PEP 503 normalisation: lowercase, and every run of `-`, `_` and `.` becomes one `-`.
/// `Foo.Bar__baz` gives `foo-bar-baz`.
[[nodiscard]] std::string normalize_package_name(std::string_view name);

/// True for a valid PEP 508 name: ASCII letters and digits, with `-`, `_` or `.` allowed
/// inside but not at either end.
[[nodiscard]] bool is_valid_package_name(std::string_view name) noexcept;

/// The values marker expressions are evaluated against (PEP 508 "Environment Markers").
struct MarkerEnvironment {
    std::string implementation_name;             // "cpython"
    std::string implementation_version;          // "3.11.4"
    std::string os_name;                         // "posix", "nt"
    std::string platform_machine;                // "x86_64", "aarch64", "arm64", "AMD64"
    std::string platform_python_implementation;  // "CPython"
    std::string platform_release;                // uname release; empty when unknown
    std::string platform_system;                 // "Linux", "Darwin", "Windows"
    std::string platform_version;                // uname version; empty when unknown
    std::string python_full_version;             // "3.11.4"
    std::string python_version;                  // "3.11"
    std::string sys_platform;                    // "linux", "darwin", "win32"

    /// CPython values for a conda target. `python_version` is "X.Y" (then the full version is
    /// "X.Y.0") or "X.Y.Z"; `conda_subdir` is one of linux-64, linux-32, linux-aarch64,
    /// linux-ppc64le, linux-s390x, linux-armv7l, osx-64, osx-arm64, win-64, win-32, win-arm64.
    /// `platform_release` and `platform_version` stay empty. Fails with
    /// `spec.marker_environment.invalid` for another subdir or a malformed Python version.
    [[nodiscard]] static core::Result<MarkerEnvironment> for_target(std::string_view python_version,
                                                                    std::string_view conda_subdir);

    /// The value of a marker variable by its canonical name, or nullptr for an unknown name
    /// (and for `extra`, which the caller supplies).
    [[nodiscard]] const std::string* find(std::string_view variable) const noexcept;
};

/// The marker variables; the legacy dotted spellings (`os.name`, `sys.platform`,
/// `platform.machine`, `platform.version`, `platform.python_implementation`,
/// `python_implementation`) parse as aliases and print canonically.
enum class MarkerVariable : std::uint8_t {
    implementation_name,
    implementation_version,
    os_name,
    platform_machine,
    platform_python_implementation,
    platform_release,
    platform_system,
    platform_version,
    python_full_version,
    python_version,
    sys_platform,
    extra,
};

[[nodiscard]] std::string_view to_string(MarkerVariable variable) noexcept;

enum class MarkerOp : std::uint8_t {
    less_equal,
    less,
    not_equal,
    equal,
    greater_equal,
    greater,
    compatible,
    arbitrary,
    in,
    not_in,
};

[[nodiscard]] std::string_view to_string(MarkerOp op) noexcept;

/// An environment marker as an expression tree. A leaf compares two operands, each a
/// variable or a quoted string; inner nodes are `and`/`or` over two or more children.
class Marker {
public:
    struct Operand {
        bool is_variable = false;
        MarkerVariable variable = MarkerVariable::python_version;
        std::string literal;  // when !is_variable

        /// Variables compare by variable, strings by text.
        friend bool operator==(const Operand& a, const Operand& b) noexcept {
            if (a.is_variable != b.is_variable) {
                return false;
            }
            return a.is_variable ? a.variable == b.variable : a.literal == b.literal;
        }
    };
    enum class Kind : std::uint8_t { comparison, all_of, any_of };

    /// Parses a marker expression (the text after `;`), e.g.
    /// `python_version < "3.8" and (sys_platform == 'win32' or extra == "dev")`. `and` binds
    /// tighter than `or`. Fails with `spec.marker.invalid` and a column.
    [[nodiscard]] static core::Result<Marker> parse(std::string_view text);

    [[nodiscard]] static Marker comparison(Operand lhs, MarkerOp op, Operand rhs);
    [[nodiscard]] static Marker all_of(std::vector<Marker> children);
    [[nodiscard]] static Marker any_of(std::vector<Marker> children);

    [[nodiscard]] Kind kind() const noexcept { return m_kind; }
    [[nodiscard]] const Operand& lhs() const noexcept { return m_lhs; }
    [[nodiscard]] MarkerOp op() const noexcept { return m_op; }
    [[nodiscard]] const Operand& rhs() const noexcept { return m_rhs; }
    [[nodiscard]] const std::vector<Marker>& children() const noexcept { return m_children; }

    /// Evaluates the marker. A comparison uses PEP 440 when its operator and right side form a
    /// valid specifier and its left side is a valid version (pre-releases allowed), and plain
    /// string comparison otherwise (`in` is a substring test; `~=` on non-versions is false).
    /// `extra` is compared after name normalisation; the marker is true when it holds for any
    /// one of `extras`, or for the empty extra when `extras` is empty (pip's rule).
    [[nodiscard]] bool evaluate(const MarkerEnvironment& environment,
                                const std::set<std::string>& extras = {}) const;

    /// Canonical text: canonical variable names, double-quoted strings (single quotes when the
    /// string holds a `"`), single spaces, parentheses only where precedence needs them.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Marker&, const Marker&) = default;

private:
    [[nodiscard]] bool evaluate_one(const MarkerEnvironment& environment, std::string_view extra) const;

    Kind m_kind = Kind::comparison;
    Operand m_lhs;
    MarkerOp m_op = MarkerOp::equal;
    Operand m_rhs;
    std::vector<Marker> m_children;
};

/// A PEP 508 dependency specifier: `name [extras] (versions | @ url) [; marker]`.
struct Requirement {
    std::string name;                 // as written
    std::vector<std::string> extras;  // as written, in order
    SpecifierSet specifiers;          // empty for URL requirements
    std::string url;                  // empty unless `name @ url`
    std::optional<Marker> marker;

    /// Parses one requirement. Leading and trailing spaces and tabs are ignored; version
    /// specifiers may be in parentheses; a URL needs a scheme (`https:`, `file:`, `git+ssh:`)
    /// and whitespace before a following `;`. Every failure, including one inside the version
    /// specifiers or the marker, has the id `spec.requirement.invalid`, names the column in
    /// `text` and carries `text` as the argument `requirement`.
    [[nodiscard]] static core::Result<Requirement> parse(std::string_view text);

    /// PEP 503 normalised name.
    [[nodiscard]] std::string normalized_name() const { return normalize_package_name(name); }

    /// Canonical text, e.g. `name[a,b]<2,>=1.0; python_version < "3.8"` or
    /// `name @ https://x/y.whl ; os_name == "nt"`: extras in their written order, specifiers
    /// sorted, the marker canonical. Parsing it gives an equal requirement.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Requirement&, const Requirement&) = default;
};

}  // namespace envsmith::specs
