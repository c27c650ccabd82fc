#pragma once
// Python package versions and version specifiers, as PEP 440 and the packaging.python.org
// "Version specifiers" page define them: parsing with every normalisation the spec allows,
// the canonical text, the total order, and the matching rules of `~=`, `==`, `!=`, `<=`,
// `>=`, `<`, `>` and `===`.

#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// The three pre-release phases, in their sort order. Spellings like `alpha`, `c` or
/// `preview` normalise to these.
enum class PreReleaseKind : std::uint8_t { alpha, beta, release_candidate };

struct PreRelease {
    PreReleaseKind kind = PreReleaseKind::alpha;
    std::uint64_t number = 0;

    friend bool operator==(const PreRelease&, const PreRelease&) = default;
};

/// One dot-separated part of a local version label: a number (sorts after any text) or a
/// lowercase alphanumeric string.
using LocalSegment = std::variant<std::uint64_t, std::string>;

/// A PEP 440 version: `[N!]N(.N)*[{a|b|rc}N][.postN][.devN][+local]`.
///
/// Equality and ordering follow PEP 440, not the text: `1.0 == 1.0.0`, and
/// `1.0.dev0 < 1.0a1 < 1.0 < 1.0+local < 1.0.post1`. Numbers must fit in 64 bits.
class Pep440Version {
public:
    /// A version of 0.
    Pep440Version();

    /// Parses any spelling PEP 440's normalisation section allows: any case, surrounding
    /// whitespace, a leading `v`, `-`/`_`/`.` separators, alternate spellings (`alpha`, `beta`,
    /// `c`, `pre`, `preview`, `rev`, `r`), implicit numbers (`1.0a` is `1.0a0`), the implicit
    /// post-release `1.0-1`, and `-`/`_` in local labels. Fails with `spec.pep440.invalid`,
    /// naming the column where the text stops being a version.
    [[nodiscard]] static core::Result<Pep440Version> parse(std::string_view text);

    /// The normalised form, e.g. `1!2.0rc1.post2.dev3+ubuntu.1`. Parsing it gives an equal
    /// version with the same text.
    [[nodiscard]] std::string to_string() const;

    [[nodiscard]] std::uint64_t epoch() const noexcept { return m_epoch; }
    /// At least one number; trailing zeros are kept as written.
    [[nodiscard]] const std::vector<std::uint64_t>& release() const noexcept { return m_release; }
    [[nodiscard]] const std::optional<PreRelease>& pre() const noexcept { return m_pre; }
    [[nodiscard]] std::optional<std::uint64_t> post() const noexcept { return m_post; }
    [[nodiscard]] std::optional<std::uint64_t> dev() const noexcept { return m_dev; }
    /// Empty when the version has no local label.
    [[nodiscard]] const std::vector<LocalSegment>& local() const noexcept { return m_local; }
    /// The local label without `+` (`ubuntu.1`), or empty.
    [[nodiscard]] std::string local_label() const;

    /// True for pre-releases and developmental releases (`1.0a1`, `1.0.dev1`, `1.0.post1.dev1`).
    [[nodiscard]] bool is_prerelease() const noexcept { return m_pre.has_value() || m_dev.has_value(); }
    [[nodiscard]] bool is_postrelease() const noexcept { return m_post.has_value(); }
    [[nodiscard]] bool is_devrelease() const noexcept { return m_dev.has_value(); }
    [[nodiscard]] bool has_local() const noexcept { return !m_local.empty(); }

    /// The same version without its local label.
    [[nodiscard]] Pep440Version public_version() const;
    /// Only the epoch and the release: `1!2.0rc1.post1+x` gives `1!2.0`.
    [[nodiscard]] Pep440Version base_version() const;

    /// Builds a version from its parts; `release` must not be empty (a 0 is used if it is).
    [[nodiscard]] static Pep440Version from_parts(std::uint64_t epoch, std::vector<std::uint64_t> release,
                                                  std::optional<PreRelease> pre = std::nullopt,
                                                  std::optional<std::uint64_t> post = std::nullopt,
                                                  std::optional<std::uint64_t> dev = std::nullopt,
                                                  std::vector<LocalSegment> local = {});

    friend bool operator==(const Pep440Version& a, const Pep440Version& b) noexcept;
    friend std::strong_ordering operator<=>(const Pep440Version& a, const Pep440Version& b) noexcept;

private:
    std::uint64_t m_epoch = 0;
    std::vector<std::uint64_t> m_release;
    std::optional<PreRelease> m_pre;
    std::optional<std::uint64_t> m_post;
    std::optional<std::uint64_t> m_dev;
    std::vector<LocalSegment> m_local;
};

/// Whether a specifier accepts pre-releases (and developmental releases).
enum class Prereleases : std::uint8_t {
    /// PEP 440's default: excluded unless a specifier names a pre-release itself
    /// (`>=1.0b1`); `SpecifierSet::filter` also keeps them when nothing else matches.
    if_needed,
    allow,
    deny,
};

enum class SpecifierOp : std::uint8_t {
    compatible,     // ~=
    equal,          // ==
    not_equal,      // !=
    less_equal,     // <=
    greater_equal,  // >=
    less,           // <
    greater,        // >
    arbitrary,      // ===
};

/// The operator's text, e.g. "~=".
[[nodiscard]] std::string_view to_string(SpecifierOp op) noexcept;

/// Whether an `==`/`!=` clause ends in `.*` (prefix matching).
enum class Wildcard : bool { no, yes };

/// One version clause such as `>=1.2`, `==1.4.*` or `===foobar`.
class Specifier {
public:
    /// `==0`.
    Specifier() = default;
    /// A clause from parts, for `op` other than `arbitrary`; `wildcard` counts for `==`/`!=`
    /// only, where it uses the release of `version` alone.
    Specifier(SpecifierOp op, Pep440Version version, Wildcard wildcard = Wildcard::no);
    /// `===text`.
    [[nodiscard]] static Specifier arbitrary(std::string text);

    /// Parses `<op><version>` with optional whitespace around and between. `.*` is allowed
    /// only after the release of `==`/`!=`, a local label only with `==`/`!=`, and `~=` needs
    /// at least two release numbers. Fails with `spec.specifier.invalid` and a column.
    [[nodiscard]] static core::Result<Specifier> parse(std::string_view text);

    [[nodiscard]] SpecifierOp op() const noexcept { return m_op; }
    /// The version clause; for `===` it is only meaningful when the text parses as a version.
    [[nodiscard]] const Pep440Version& version() const noexcept { return m_version; }
    /// True for `==V.*` and `!=V.*`.
    [[nodiscard]] bool has_wildcard() const noexcept { return m_wildcard; }
    /// The text after `===`, as written.
    [[nodiscard]] const std::string& arbitrary_text() const noexcept { return m_text; }
    /// True when the clause itself names a pre-release (`>=1.0a1`, `==2.0.dev1`), which lets
    /// the default policy accept pre-releases. `!=` never does.
    [[nodiscard]] bool names_prerelease() const noexcept { return m_names_prerelease; }

    /// Whether `version` satisfies the clause under the given pre-release policy.
    [[nodiscard]] bool contains(const Pep440Version& version,
                                Prereleases prereleases = Prereleases::if_needed) const;

    /// Canonical text: the operator followed by the normalised version, e.g. `>=1.0a1`.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const Specifier& a, const Specifier& b) { return a.to_string() == b.to_string(); }

private:
    [[nodiscard]] bool matches(const Pep440Version& candidate) const;

    SpecifierOp m_op = SpecifierOp::equal;
    Pep440Version m_version;
    bool m_wildcard = false;
    bool m_names_prerelease = false;
    std::string m_text;  // the text after `===`
};

/// A conjunction of specifiers, written comma-separated (`>=1.0, !=1.3.*, <2`). Empty
/// matches every final release.
class SpecifierSet {
public:
    SpecifierSet() = default;
    explicit SpecifierSet(std::vector<Specifier> specifiers) : m_specifiers(std::move(specifiers)) {}

    /// Parses comma-separated specifiers with any whitespace; empty items are skipped, so ""
    /// is the empty set. Fails with `spec.specifier.invalid` and the column in `text`.
    [[nodiscard]] static core::Result<SpecifierSet> parse(std::string_view text);

    [[nodiscard]] const std::vector<Specifier>& specifiers() const noexcept { return m_specifiers; }
    [[nodiscard]] bool empty() const noexcept { return m_specifiers.empty(); }
    /// True when any member names a pre-release.
    [[nodiscard]] bool names_prerelease() const noexcept;

    /// Whether every member accepts `version`. With `if_needed`, a pre-release is accepted
    /// only when some member names a pre-release (PEP 440 applies the policy to the whole set).
    [[nodiscard]] bool contains(const Pep440Version& version,
                                Prereleases prereleases = Prereleases::if_needed) const;

    /// The versions the set accepts, in their given order. With `if_needed`, pre-releases are
    /// kept only when a member names one or when no final release matches.
    [[nodiscard]] std::vector<Pep440Version> filter(std::span<const Pep440Version> versions,
                                                    Prereleases prereleases = Prereleases::if_needed) const;

    /// Canonical text: members' canonical texts, sorted, joined with ",". Empty for the empty set.
    [[nodiscard]] std::string to_string() const;

    friend bool operator==(const SpecifierSet& a, const SpecifierSet& b) { return a.to_string() == b.to_string(); }

private:
    std::vector<Specifier> m_specifiers;
};

}  // namespace envsmith::specs
