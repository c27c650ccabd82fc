// PEP 440 versions and specifiers. The parser is a hand-written scanner that accepts exactly
// the language of the spec's "Appendix B: parsing version strings" pattern, which is what its
// normalisation section describes; every optional separator is taken greedily, which gives the
// same result as that pattern's leftmost match.

#include "envsmith/specs/pep440.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "envsmith/core/text.hpp"
#include "parse_error.hpp"
#include "pep_common.hpp"

namespace envsmith::specs {
namespace {

using detail::Parsed;
using detail::ParseFailure;

[[nodiscard]] bool is_separator(char c) noexcept {
    return c == '.' || c == '-' || c == '_';
}

/// Reads the text one byte at a time; reading past the end gives '\0'.
class Cursor {
public:
    explicit Cursor(std::string_view text) : m_text(text) {}

    [[nodiscard]] char peek(std::size_t ahead = 0) const noexcept {
        return m_pos + ahead < m_text.size() ? m_text[m_pos + ahead] : '\0';
    }
    [[nodiscard]] bool at_end() const noexcept { return m_pos >= m_text.size(); }
    [[nodiscard]] std::size_t pos() const noexcept { return m_pos; }
    void set_pos(std::size_t pos) noexcept { m_pos = pos; }
    void advance(std::size_t count = 1) noexcept { m_pos = std::min(m_pos + count, m_text.size()); }

    /// Consumes `word` when the text continues with it, ignoring ASCII case.
    bool take_word(std::string_view word) noexcept {
        if (m_text.size() - m_pos < word.size()) {
            return false;
        }
        if (!core::iequals(m_text.substr(m_pos, word.size()), word)) {
            return false;
        }
        m_pos += word.size();
        return true;
    }

    bool take_separator() noexcept {
        if (is_separator(peek())) {
            ++m_pos;
            return true;
        }
        return false;
    }

    /// Reads a run of digits; nullopt (and nothing consumed) on overflow.
    [[nodiscard]] std::optional<std::uint64_t> take_number() noexcept {
        std::uint64_t value = 0;
        std::size_t pos = m_pos;
        while (pos < m_text.size() && core::is_ascii_digit(m_text[pos])) {
            if (!detail::push_digit(value, m_text[pos])) {
                return std::nullopt;
            }
            ++pos;
        }
        m_pos = pos;
        return value;
    }

private:
    std::string_view m_text;
    std::size_t m_pos = 0;
};

constexpr std::string_view too_large = "a number too large for 64 bits";

struct PreLabel {
    std::string_view spelling;
    PreReleaseKind kind;
};

// Order matters: a longer spelling before its prefix (`alpha` before `a`).
constexpr PreLabel pre_labels[] = {
    {"alpha", PreReleaseKind::alpha},
    {"a", PreReleaseKind::alpha},
    {"beta", PreReleaseKind::beta},
    {"b", PreReleaseKind::beta},
    {"preview", PreReleaseKind::release_candidate},
    {"pre", PreReleaseKind::release_candidate},
    {"c", PreReleaseKind::release_candidate},
    {"rc", PreReleaseKind::release_candidate},
};

constexpr std::string_view post_labels[] = {"post", "rev", "r"};

/// After a pre/post/dev label: an optional separator, then an optional number (0 if absent).
[[nodiscard]] std::optional<std::uint64_t> take_implicit_number(Cursor& cursor) {
    cursor.take_separator();
    if (core::is_ascii_digit(cursor.peek())) {
        return cursor.take_number();
    }
    return std::uint64_t{0};
}

[[nodiscard]] std::string describe_char(char c) {
    return "unexpected " + detail::describe_byte(c);
}

[[nodiscard]] int compare_local(const std::vector<LocalSegment>& a, const std::vector<LocalSegment>& b) {
    const std::size_t common = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < common; ++i) {
        const auto* an = std::get_if<std::uint64_t>(&a[i]);
        const auto* bn = std::get_if<std::uint64_t>(&b[i]);
        if (an != nullptr && bn != nullptr) {
            if (*an != *bn) {
                return *an < *bn ? -1 : 1;
            }
        } else if (an != nullptr) {
            return 1;  // a number sorts after a string
        } else if (bn != nullptr) {
            return -1;
        } else {
            const int c = std::get<std::string>(a[i]).compare(std::get<std::string>(b[i]));
            if (c != 0) {
                return c < 0 ? -1 : 1;
            }
        }
    }
    if (a.size() == b.size()) {
        return 0;
    }
    return a.size() < b.size() ? -1 : 1;
}

/// Key of the pre-release part: a dev-only release sorts before every pre-release of the
/// same release, and a final or post release after all of them.
[[nodiscard]] std::pair<int, std::uint64_t> pre_key(const Pep440Version& v) {
    if (!v.pre() && !v.post() && v.dev()) {
        return {0, 0};
    }
    if (!v.pre()) {
        return {4, 0};
    }
    return {1 + static_cast<int>(v.pre()->kind), v.pre()->number};
}

[[nodiscard]] int compare_versions(const Pep440Version& a, const Pep440Version& b) {
    if (a.epoch() != b.epoch()) {
        return a.epoch() < b.epoch() ? -1 : 1;
    }
    const auto& ra = a.release();
    const auto& rb = b.release();
    for (std::size_t i = 0; i < std::max(ra.size(), rb.size()); ++i) {
        const std::uint64_t x = i < ra.size() ? ra[i] : 0;
        const std::uint64_t y = i < rb.size() ? rb[i] : 0;
        if (x != y) {
            return x < y ? -1 : 1;
        }
    }
    const auto pa = pre_key(a);
    const auto pb = pre_key(b);
    if (pa != pb) {
        return pa < pb ? -1 : 1;
    }
    if (a.post() != b.post()) {
        return a.post() < b.post() ? -1 : 1;  // no post-release sorts first
    }
    if (a.dev() != b.dev()) {
        if (!a.dev()) {
            return 1;  // no dev-release sorts last
        }
        if (!b.dev()) {
            return -1;
        }
        return *a.dev() < *b.dev() ? -1 : 1;
    }
    return compare_local(a.local(), b.local());
}

/// PEP 440 prefix matching: same epoch, and the candidate's release (padded with zeros)
/// starts with `prefix`. Only the release takes part, so `1.1.*` matches `1.1.post1`.
[[nodiscard]] bool release_prefix_matches(const Pep440Version& candidate, std::uint64_t epoch,
                                          std::span<const std::uint64_t> prefix) {
    if (candidate.epoch() != epoch) {
        return false;
    }
    const auto& release = candidate.release();
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const std::uint64_t value = i < release.size() ? release[i] : 0;
        if (value != prefix[i]) {
            return false;
        }
    }
    return true;
}

struct OperatorSpelling {
    std::string_view text;
    SpecifierOp op;
};

// Longest first, so `===` is not read as `==`.
constexpr OperatorSpelling specifier_operators[] = {
    {"===", SpecifierOp::arbitrary},  {"~=", SpecifierOp::compatible},  {"==", SpecifierOp::equal},
    {"!=", SpecifierOp::not_equal},   {"<=", SpecifierOp::less_equal},  {">=", SpecifierOp::greater_equal},
    {"<", SpecifierOp::less},         {">", SpecifierOp::greater},
};

[[nodiscard]] std::size_t skip_spaces(std::string_view text, std::size_t pos) {
    while (pos < text.size() && detail::is_space(text[pos])) {
        ++pos;
    }
    return pos;
}

[[nodiscard]] std::size_t trim_end(std::string_view text, std::size_t begin) {
    std::size_t end = text.size();
    while (end > begin && detail::is_space(text[end - 1])) {
        --end;
    }
    return end;
}

/// One specifier in `text`; offsets in failures are relative to `text`.
[[nodiscard]] Parsed<Specifier> parse_specifier_impl(std::string_view text);

}  // namespace

// ---------------------------------------------------------------------------------------------
// Pep440Version

namespace detail {

Parsed<Pep440Version> parse_version(std::string_view text) {
    Cursor cursor(text);
    cursor.set_pos(skip_spaces(text, 0));
    if (cursor.peek() == 'v' || cursor.peek() == 'V') {
        cursor.advance();
    }
    if (!core::is_ascii_digit(cursor.peek())) {
        return ParseFailure{cursor.pos(), cursor.at_end() ? "expected a release number such as `1.0`, found the end"
                                                          : describe_char(cursor.peek()) +
                                                                "; expected a release number such as `1.0`"};
    }
    std::uint64_t epoch = 0;
    std::vector<std::uint64_t> release;
    std::size_t number_start = cursor.pos();
    auto first = cursor.take_number();
    if (!first) {
        return ParseFailure{number_start, std::string(too_large)};
    }
    if (cursor.peek() == '!') {
        epoch = *first;
        cursor.advance();
        if (!core::is_ascii_digit(cursor.peek())) {
            return ParseFailure{cursor.pos(), "expected a release number after the epoch `!`"};
        }
        number_start = cursor.pos();
        first = cursor.take_number();
        if (!first) {
            return ParseFailure{number_start, std::string(too_large)};
        }
    }
    release.push_back(*first);
    while (cursor.peek() == '.' && core::is_ascii_digit(cursor.peek(1))) {
        cursor.advance();
        number_start = cursor.pos();
        const auto next = cursor.take_number();
        if (!next) {
            return ParseFailure{number_start, std::string(too_large)};
        }
        release.push_back(*next);
    }

    // Pre-release: [-_.]?(alpha|a|beta|b|preview|pre|c|rc)[-_.]?N?
    std::optional<PreRelease> pre;
    {
        const std::size_t save = cursor.pos();
        cursor.take_separator();
        bool found = false;
        for (const auto& label : pre_labels) {
            if (cursor.take_word(label.spelling)) {
                const std::size_t at = cursor.pos();
                const auto number = take_implicit_number(cursor);
                if (!number) {
                    return ParseFailure{at, std::string(too_large)};
                }
                pre = PreRelease{label.kind, *number};
                found = true;
                break;
            }
        }
        if (!found) {
            cursor.set_pos(save);
        }
    }

    // Post-release: -N, or [-_.]?(post|rev|r)[-_.]?N?
    std::optional<std::uint64_t> post;
    if (cursor.peek() == '-' && core::is_ascii_digit(cursor.peek(1))) {
        cursor.advance();
        const std::size_t at = cursor.pos();
        post = cursor.take_number();
        if (!post) {
            return ParseFailure{at, std::string(too_large)};
        }
    } else {
        const std::size_t save = cursor.pos();
        cursor.take_separator();
        bool found = false;
        for (const auto label : post_labels) {
            if (cursor.take_word(label)) {
                const std::size_t at = cursor.pos();
                post = take_implicit_number(cursor);
                if (!post) {
                    return ParseFailure{at, std::string(too_large)};
                }
                found = true;
                break;
            }
        }
        if (!found) {
            cursor.set_pos(save);
        }
    }

    // Developmental release: [-_.]?dev[-_.]?N?
    std::optional<std::uint64_t> dev;
    {
        const std::size_t save = cursor.pos();
        cursor.take_separator();
        if (cursor.take_word("dev")) {
            const std::size_t at = cursor.pos();
            dev = take_implicit_number(cursor);
            if (!dev) {
                return ParseFailure{at, std::string(too_large)};
            }
        } else {
            cursor.set_pos(save);
        }
    }

    // Local label: +[a-z0-9]+([-_.][a-z0-9]+)*
    std::vector<LocalSegment> local;
    if (cursor.peek() == '+') {
        cursor.advance();
        if (!core::is_ascii_alnum(cursor.peek())) {
            return ParseFailure{cursor.pos(), "expected a local version label of letters and digits after `+`"};
        }
        while (true) {
            const std::size_t start = cursor.pos();
            bool all_digits = true;
            std::string segment;
            while (core::is_ascii_alnum(cursor.peek())) {
                all_digits = all_digits && core::is_ascii_digit(cursor.peek());
                segment.push_back(core::ascii_lower(cursor.peek()));
                cursor.advance();
            }
            if (all_digits) {
                std::uint64_t value = 0;
                for (const char c : segment) {
                    if (!detail::push_digit(value, c)) {
                        return ParseFailure{start, std::string(too_large)};
                    }
                }
                local.emplace_back(value);
            } else {
                local.emplace_back(std::move(segment));
            }
            if (is_separator(cursor.peek()) && core::is_ascii_alnum(cursor.peek(1))) {
                cursor.advance();
                continue;
            }
            break;
        }
    }

    cursor.set_pos(skip_spaces(text, cursor.pos()));
    if (!cursor.at_end()) {
        return ParseFailure{cursor.pos(),
                            describe_char(cursor.peek()) +
                                "; expected a pre-, post- or dev-release, a `+local` label or the end"};
    }
    return Pep440Version::from_parts(epoch, std::move(release), pre, post, dev, std::move(local));
}

}  // namespace detail

Pep440Version::Pep440Version() : m_release{0} {}

core::Result<Pep440Version> Pep440Version::parse(std::string_view text) {
    auto parsed = detail::parse_version(text);
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        return detail::parse_error("spec.pep440.invalid", "version", failure->problem, text, failure->offset,
                                   "version");
    }
    return std::get<Pep440Version>(std::move(parsed));
}

Pep440Version Pep440Version::from_parts(std::uint64_t epoch, std::vector<std::uint64_t> release,
                                        std::optional<PreRelease> pre, std::optional<std::uint64_t> post,
                                        std::optional<std::uint64_t> dev, std::vector<LocalSegment> local) {
    Pep440Version v;
    v.m_epoch = epoch;
    v.m_release = std::move(release);
    if (v.m_release.empty()) {
        v.m_release.push_back(0);
    }
    v.m_pre = pre;
    v.m_post = post;
    v.m_dev = dev;
    v.m_local = std::move(local);
    return v;
}

std::string Pep440Version::local_label() const {
    std::string out;
    for (const auto& segment : m_local) {
        if (!out.empty()) {
            out.push_back('.');
        }
        if (const auto* number = std::get_if<std::uint64_t>(&segment)) {
            out += std::to_string(*number);
        } else {
            out += std::get<std::string>(segment);
        }
    }
    return out;
}

std::string Pep440Version::to_string() const {
    std::string out;
    if (m_epoch != 0) {
        out = fmt::format("{}!", m_epoch);
    }
    for (std::size_t i = 0; i < m_release.size(); ++i) {
        if (i > 0) {
            out.push_back('.');
        }
        out += std::to_string(m_release[i]);
    }
    if (m_pre) {
        static constexpr std::string_view pre_names[] = {"a", "b", "rc"};
        out += pre_names[static_cast<std::size_t>(m_pre->kind)];
        out += std::to_string(m_pre->number);
    }
    if (m_post) {
        out += fmt::format(".post{}", *m_post);
    }
    if (m_dev) {
        out += fmt::format(".dev{}", *m_dev);
    }
    if (!m_local.empty()) {
        out.push_back('+');
        out += local_label();
    }
    return out;
}

Pep440Version Pep440Version::public_version() const {
    Pep440Version v = *this;
    v.m_local.clear();
    return v;
}

Pep440Version Pep440Version::base_version() const {
    return from_parts(m_epoch, m_release);
}

bool operator==(const Pep440Version& a, const Pep440Version& b) noexcept {
    return compare_versions(a, b) == 0;
}

std::strong_ordering operator<=>(const Pep440Version& a, const Pep440Version& b) noexcept {
    const int c = compare_versions(a, b);
    if (c == 0) {
        return std::strong_ordering::equal;
    }
    return c < 0 ? std::strong_ordering::less : std::strong_ordering::greater;
}

// ---------------------------------------------------------------------------------------------
// Specifier

std::string_view to_string(SpecifierOp op) noexcept {
    for (const auto& spelling : specifier_operators) {
        if (spelling.op == op) {
            return spelling.text;
        }
    }
    return "==";
}

namespace {

Parsed<Specifier> parse_specifier_impl(std::string_view text) {
    const std::size_t begin = skip_spaces(text, 0);
    const std::string_view rest = text.substr(begin);
    const OperatorSpelling* found = nullptr;
    for (const auto& spelling : specifier_operators) {
        if (rest.starts_with(spelling.text)) {
            found = &spelling;
            break;
        }
    }
    if (found == nullptr) {
        return ParseFailure{begin, rest.empty() ? "expected a comparison operator such as `>=`, found the end"
                                                : describe_char(rest.front()) +
                                                      "; expected a comparison operator such as `>=`, `==` or `~=`"};
    }
    const SpecifierOp op = found->op;
    const std::size_t version_begin = skip_spaces(text, begin + found->text.size());
    const std::size_t version_end = trim_end(text, version_begin);
    const std::string_view version_text = text.substr(version_begin, version_end - version_begin);
    if (version_text.empty()) {
        return ParseFailure{version_begin, fmt::format("expected a version after `{}`", found->text)};
    }

    if (op == SpecifierOp::arbitrary) {
        // PEP 440: `===` compares strings; the clause ends at whitespace, `;` or `)`.
        for (std::size_t i = 0; i < version_text.size(); ++i) {
            const char c = version_text[i];
            if (detail::is_space(c) || c == ';' || c == ')' || c == ',') {
                return ParseFailure{version_begin + i, describe_char(c) + " in the `===` operand"};
            }
        }
        return Specifier::arbitrary(std::string(version_text));
    }

    bool wildcard = false;
    std::string_view version_part = version_text;
    if (version_part.ends_with(".*")) {
        wildcard = true;
        version_part.remove_suffix(2);
        if (!version_part.empty() && detail::is_space(version_part.back())) {
            return ParseFailure{version_begin + version_part.size() - 1, "unexpected whitespace before `.*`"};
        }
        if (op != SpecifierOp::equal && op != SpecifierOp::not_equal) {
            return ParseFailure{version_begin + version_part.size(),
                                fmt::format("`.*` is allowed only with `==` and `!=`, not `{}`", found->text)};
        }
    }
    auto parsed = detail::parse_version(version_part);
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        failure->offset += version_begin;
        return std::move(*failure);
    }
    auto version = std::get<Pep440Version>(std::move(parsed));
    if (wildcard && (version.pre() || version.post() || version.dev() || version.has_local())) {
        return ParseFailure{version_begin + version_part.size(),
                            "`.*` may follow only a release such as `1.2`, not a pre-, post-, dev- or local version"};
    }
    if (version.has_local() && op != SpecifierOp::equal && op != SpecifierOp::not_equal) {
        const auto plus = version_part.find('+');
        return ParseFailure{version_begin + (plus == std::string_view::npos ? 0 : plus),
                            fmt::format("a local version label is allowed only with `==` and `!=`, not `{}`",
                                        found->text)};
    }
    if (op == SpecifierOp::compatible && version.release().size() < 2) {
        return ParseFailure{version_begin, "`~=` needs at least two release numbers, such as `~=1.4`"};
    }
    return Specifier(op, std::move(version), wildcard ? Wildcard::yes : Wildcard::no);
}

}  // namespace

Specifier::Specifier(SpecifierOp op, Pep440Version version, Wildcard wildcard)
    : m_op(op),
      m_version(std::move(version)),
      m_wildcard(wildcard == Wildcard::yes && (op == SpecifierOp::equal || op == SpecifierOp::not_equal)) {
    if (m_wildcard) {
        m_version = m_version.base_version();
    }
    // PEP 440: pre-releases are accepted when the clause names one; `!=` excludes, so never.
    m_names_prerelease = op != SpecifierOp::not_equal && m_version.is_prerelease();
}

Specifier Specifier::arbitrary(std::string text) {
    Specifier s;
    s.m_op = SpecifierOp::arbitrary;
    auto parsed = detail::parse_version(text);
    if (auto* version = std::get_if<Pep440Version>(&parsed)) {
        s.m_version = std::move(*version);
        s.m_names_prerelease = s.m_version.is_prerelease();
    }
    s.m_text = std::move(text);
    return s;
}

core::Result<Specifier> Specifier::parse(std::string_view text) {
    auto parsed = parse_specifier_impl(text);
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        return detail::parse_error("spec.specifier.invalid", "version specifier", failure->problem, text,
                                   failure->offset, "specifier");
    }
    return std::get<Specifier>(std::move(parsed));
}

bool Specifier::contains(const Pep440Version& version, Prereleases prereleases) const {
    const bool allow = prereleases == Prereleases::allow ||
                       (prereleases == Prereleases::if_needed && m_names_prerelease);
    if (version.is_prerelease() && !allow) {
        return false;
    }
    return matches(version);
}

bool Specifier::matches(const Pep440Version& candidate) const {
    const auto& spec = m_version;
    switch (m_op) {
        case SpecifierOp::compatible: {
            // ~=V.N is >=V.N together with ==V.* (the release without its last number).
            const auto& release = spec.release();
            const std::span<const std::uint64_t> prefix(release.data(), release.size() - 1);
            return candidate.public_version() >= spec && release_prefix_matches(candidate, spec.epoch(), prefix);
        }
        case SpecifierOp::equal:
        case SpecifierOp::not_equal: {
            bool equal = false;
            if (m_wildcard) {
                equal = release_prefix_matches(candidate, spec.epoch(), spec.release());
            } else if (spec.has_local()) {
                equal = candidate == spec;
            } else {
                // A clause without a local label ignores the candidate's label.
                equal = candidate.public_version() == spec;
            }
            return m_op == SpecifierOp::equal ? equal : !equal;
        }
        case SpecifierOp::less_equal: return candidate.public_version() <= spec;
        case SpecifierOp::greater_equal: return candidate.public_version() >= spec;
        case SpecifierOp::less:
            // <V excludes pre-releases of V itself unless V is a pre-release.
            if (!(candidate < spec)) {
                return false;
            }
            return spec.is_prerelease() || !candidate.is_prerelease() ||
                   candidate.base_version() != spec.base_version();
        case SpecifierOp::greater:
            // >V excludes post-releases of V unless V is one, and local versions of V.
            if (!(candidate > spec)) {
                return false;
            }
            if (!spec.is_postrelease() && candidate.is_postrelease() &&
                candidate.base_version() == spec.base_version()) {
                return false;
            }
            return !candidate.has_local() || candidate.base_version() != spec.base_version();
        case SpecifierOp::arbitrary: return core::iequals(candidate.to_string(), m_text);
    }
    return false;
}

std::string Specifier::to_string() const {
    if (m_op == SpecifierOp::arbitrary) {
        return "===" + m_text;
    }
    return fmt::format("{}{}{}", specs::to_string(m_op), m_version.to_string(), m_wildcard ? ".*" : "");
}

// ---------------------------------------------------------------------------------------------
// SpecifierSet

namespace detail {

Parsed<SpecifierSet> parse_specifier_set(std::string_view text) {
    std::vector<Specifier> specifiers;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        if (comma == std::string_view::npos) {
            comma = text.size();
        }
        const std::string_view item = text.substr(start, comma - start);
        if (!core::trim(item).empty()) {
            auto parsed = parse_specifier_impl(item);
            if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
                failure->offset += start;
                return std::move(*failure);
            }
            specifiers.push_back(std::get<Specifier>(std::move(parsed)));
        }
        start = comma + 1;
    }
    return SpecifierSet(std::move(specifiers));
}

}  // namespace detail

core::Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
    auto parsed = detail::parse_specifier_set(text);
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        return detail::parse_error("spec.specifier.invalid", "version specifier", failure->problem, text,
                                   failure->offset, "specifier");
    }
    return std::get<SpecifierSet>(std::move(parsed));
}

bool SpecifierSet::names_prerelease() const noexcept {
    return std::any_of(m_specifiers.begin(), m_specifiers.end(),
                       [](const Specifier& s) { return s.names_prerelease(); });
}

bool SpecifierSet::contains(const Pep440Version& version, Prereleases prereleases) const {
    const bool allow = prereleases == Prereleases::allow ||
                       (prereleases == Prereleases::if_needed && names_prerelease());
    if (version.is_prerelease() && !allow) {
        return false;
    }
    return std::all_of(m_specifiers.begin(), m_specifiers.end(),
                       [&](const Specifier& s) { return s.contains(version, Prereleases::allow); });
}

std::vector<Pep440Version> SpecifierSet::filter(std::span<const Pep440Version> versions,
                                                Prereleases prereleases) const {
    std::vector<Pep440Version> finals;
    std::vector<Pep440Version> pres;
    const bool named = names_prerelease();
    for (const auto& version : versions) {
        if (!contains(version, Prereleases::allow)) {
            continue;
        }
        if (version.is_prerelease() && prereleases != Prereleases::allow && !named) {
            pres.push_back(version);
        } else {
            finals.push_back(version);
        }
    }
    if (prereleases == Prereleases::if_needed && finals.empty()) {
        return pres;  // PEP 440: pre-releases count when nothing else satisfies the clause
    }
    if (prereleases == Prereleases::deny) {
        std::erase_if(finals, [](const Pep440Version& v) { return v.is_prerelease(); });
    }
    return finals;
}

std::string SpecifierSet::to_string() const {
    std::vector<std::string> parts;
    parts.reserve(m_specifiers.size());
    for (const auto& s : m_specifiers) {
        parts.push_back(s.to_string());
    }
    std::sort(parts.begin(), parts.end());
    return core::join(parts, ",");
}

}  // namespace envsmith::specs
