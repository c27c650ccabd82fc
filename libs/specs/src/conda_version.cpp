// conda's VersionOrder (conda/models/version.py), re-stated:
//  1. strip whitespace, lowercase; the text must match [*.+!_0-9a-z]+, except that when it has
//     no `_`, each `-` is first turned into `_`;
//  2. split off an epoch at `!` (digits only, default 0) and a local part at `+`;
//  3. split main and local parts into components at `.` and `_`; a single trailing `_` stays
//     glued to the last component (the openssl work-around `1.0.1_` < `1.0.1a`);
//  4. split each component into runs of digits, runs of `*` and runs of anything else; digits
//     become numbers, `post` becomes infinity, `dev` becomes "DEV" (below every lowercase
//     string); a component that does not start with a digit gets a leading 0.
// Comparison walks components and atoms in step, padding the shorter side with 0.

#include "envsmith/specs/conda_version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <utility>

#include "conda_support.hpp"
#include "envsmith/core/text.hpp"
#include "parse_error.hpp"

namespace envsmith::specs {

namespace detail {

Span py_strip(std::string_view text, Span within) noexcept {
    while (within.begin < within.end && is_py_space(text[within.begin])) {
        ++within.begin;
    }
    while (within.end > within.begin && is_py_space(text[within.end - 1])) {
        --within.end;
    }
    return within;
}

}  // namespace detail

namespace {

constexpr std::string_view version_id = "spec.version.invalid";
constexpr std::string_view version_noun = "conda version";

bool is_version_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || core::is_ascii_digit(c) || c == '*' || c == '.' ||
           c == '+' || c == '!' || c == '_';
}

core::Error version_error(std::string_view text, std::size_t offset, std::string_view expected) {
    return detail::syntax_error(version_id, version_noun, text, offset, expected);
}

std::string strip_leading_zeros(std::string_view digits) {
    const auto first = digits.find_first_not_of('0');
    return first == std::string_view::npos ? std::string("0") : std::string(digits.substr(first));
}

// One `.`/`_`-separated piece of the text and where it starts, for error columns.
struct Piece {
    std::string text;
    std::size_t offset = 0;
};

// Splits [begin, end) of `norm` at `.` and `_`.
std::vector<Piece> split_components(const std::string& norm, std::size_t begin, std::size_t end) {
    std::vector<Piece> pieces;
    std::size_t start = begin;
    for (std::size_t i = begin; i <= end; ++i) {
        if (i == end || norm[i] == '.' || norm[i] == '_') {
            pieces.push_back({norm.substr(start, i - start), start});
            start = i + 1;
        }
    }
    return pieces;
}

// Step 4 above. Returns nullopt for an empty piece.
std::optional<VersionComponent> split_atoms(const std::string& piece) {
    if (piece.empty()) {
        return std::nullopt;
    }
    VersionComponent atoms;
    if (!core::is_ascii_digit(piece.front())) {
        atoms.push_back({VersionAtom::Kind::number, "0"});
    }
    std::size_t i = 0;
    while (i < piece.size()) {
        const auto run_kind = [](char c) { return core::is_ascii_digit(c) ? 0 : c == '*' ? 1 : 2; };
        const int kind = run_kind(piece[i]);
        std::size_t j = i + 1;
        while (j < piece.size() && run_kind(piece[j]) == kind) {
            ++j;
        }
        const std::string_view run(piece.data() + i, j - i);
        if (kind == 0) {
            atoms.push_back({VersionAtom::Kind::number, strip_leading_zeros(run)});
        } else if (run == "post") {
            atoms.push_back({VersionAtom::Kind::infinity, "inf"});
        } else if (run == "dev") {
            atoms.push_back({VersionAtom::Kind::text, "DEV"});
        } else {
            atoms.push_back({VersionAtom::Kind::text, std::string(run)});
        }
        i = j;
    }
    return atoms;
}

const VersionAtom& fill_atom() {
    static const VersionAtom zero{VersionAtom::Kind::number, "0"};
    return zero;
}

// Python's comparison of two atoms as conda uses it: strings below numbers, strings by code
// point, numbers numerically with `post` as infinity.
int compare_atoms(const VersionAtom& a, const VersionAtom& b) {
    const bool a_text = a.kind == VersionAtom::Kind::text;
    const bool b_text = b.kind == VersionAtom::Kind::text;
    if (a_text != b_text) {
        return a_text ? -1 : 1;
    }
    if (a_text) {
        const int c = a.value.compare(b.value);
        return (c > 0) - (c < 0);
    }
    const bool a_inf = a.kind == VersionAtom::Kind::infinity;
    const bool b_inf = b.kind == VersionAtom::Kind::infinity;
    if (a_inf || b_inf) {
        return static_cast<int>(a_inf) - static_cast<int>(b_inf);
    }
    if (a.value.size() != b.value.size()) {
        return a.value.size() < b.value.size() ? -1 : 1;
    }
    const int c = a.value.compare(b.value);
    return (c > 0) - (c < 0);
}

int compare_component(const VersionComponent& a, const VersionComponent& b) {
    const std::size_t n = std::max(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto& x = i < a.size() ? a[i] : fill_atom();
        const auto& y = i < b.size() ? b[i] : fill_atom();
        if (const int c = compare_atoms(x, y); c != 0) {
            return c;
        }
    }
    return 0;
}

// Compares the first `limit` components of each list (conda slices both lists), padding with
// empty components.
int compare_components(const std::vector<VersionComponent>& a,
                       const std::vector<VersionComponent>& b,
                       std::size_t limit = static_cast<std::size_t>(-1)) {
    static const VersionComponent empty;
    const std::size_t n = std::min(std::max(a.size(), b.size()), limit);
    for (std::size_t i = 0; i < n; ++i) {
        const auto& x = i < a.size() ? a[i] : empty;
        const auto& y = i < b.size() ? b[i] : empty;
        if (const int c = compare_component(x, y); c != 0) {
            return c;
        }
    }
    return 0;
}

VersionComponent head(const VersionComponent& component, std::size_t n) {
    return VersionComponent(component.begin(),
                            component.begin() + static_cast<std::ptrdiff_t>(
                                                    std::min(n, component.size())));
}

}  // namespace

CondaVersion::CondaVersion()
    : m_text("0"), m_version{{fill_atom()}, {fill_atom()}} {}

core::Result<CondaVersion> CondaVersion::parse(std::string_view text) {
    const auto span = detail::py_strip(text, {0, text.size()});
    if (span.begin == span.end) {
        return version_error(text, span.begin, "expected a version, found nothing");
    }
    std::string norm;
    norm.reserve(span.end - span.begin);
    for (std::size_t i = span.begin; i < span.end; ++i) {
        norm.push_back(core::ascii_lower(text[i]));
    }
    const auto first_invalid = [&norm]() {
        return std::find_if(norm.begin(), norm.end(), [](char c) { return !is_version_char(c); });
    };
    auto bad = first_invalid();
    if (bad != norm.end() && norm.find('-') != std::string::npos &&
        norm.find('_') == std::string::npos) {
        std::replace(norm.begin(), norm.end(), '-', '_');
        bad = first_invalid();
    }
    if (bad != norm.end()) {
        const auto offset = span.begin + static_cast<std::size_t>(bad - norm.begin());
        const bool dash_and_underscore = *bad == '-';
        return version_error(text, offset,
                             dash_and_underscore
                                 ? "expected letters, digits or `.` `_` `+` `!` `*`; `-` is only "
                                   "allowed when the version has no `_`"
                                 : "expected letters, digits or `.` `_` `-` `+` `!` `*`");
    }

    CondaVersion version;
    version.m_text = norm;
    version.m_version.clear();
    const std::size_t base = span.begin;  // offset of norm[0] in text

    // Epoch.
    std::size_t main_begin = 0;
    std::string epoch = "0";
    if (const auto bang = norm.find('!'); bang != std::string::npos) {
        if (const auto second = norm.find('!', bang + 1); second != std::string::npos) {
            return version_error(text, base + second, "expected at most one epoch separator `!`");
        }
        const std::string_view digits(norm.data(), bang);
        if (digits.empty() || !std::all_of(digits.begin(), digits.end(), core::is_ascii_digit)) {
            return version_error(text, base, "expected the epoch before `!` to be an integer");
        }
        epoch = std::string(digits);
        main_begin = bang + 1;
    }
    version.m_version.push_back({{VersionAtom::Kind::number, strip_leading_zeros(epoch)}});

    // Local part.
    std::size_t main_end = norm.size();
    const auto plus = norm.find('+', main_begin);
    if (plus != std::string::npos) {
        if (const auto second = norm.find('+', plus + 1); second != std::string::npos) {
            return version_error(text, base + second,
                                 "expected at most one local version separator `+`");
        }
        main_end = plus;
    }
    if (main_begin == main_end) {
        return version_error(text, base + main_begin,
                             plus != std::string::npos
                                 ? "expected a version before the local version separator `+`"
                                 : "expected a version after the epoch separator `!`");
    }

    // Main part, with the trailing-underscore rule.
    std::vector<Piece> pieces;
    if (norm[main_end - 1] == '_') {
        pieces = split_components(norm, main_begin, main_end - 1);
        pieces.back().text += '_';
    } else {
        pieces = split_components(norm, main_begin, main_end);
    }
    for (const auto& piece : pieces) {
        auto atoms = split_atoms(piece.text);
        if (!atoms) {
            return version_error(text, base + piece.offset,
                                 "expected a version component, found an empty one");
        }
        version.m_version.push_back(std::move(*atoms));
    }
    if (plus != std::string::npos) {
        for (const auto& piece : split_components(norm, plus + 1, norm.size())) {
            auto atoms = split_atoms(piece.text);
            if (!atoms) {
                return version_error(text, base + piece.offset,
                                     "expected a local version component, found an empty one");
            }
            version.m_local.push_back(std::move(*atoms));
        }
    }
    return version;
}

std::string CondaVersion::structure() const {
    std::string out = "[";
    for (std::size_t i = 0; i < m_version.size(); ++i) {
        out += i == 0 ? "[" : ", [";
        for (std::size_t j = 0; j < m_version[i].size(); ++j) {
            const auto& atom = m_version[i][j];
            if (j != 0) {
                out += ", ";
            }
            if (atom.kind == VersionAtom::Kind::text) {
                out += '\'';
                out += atom.value;
                out += '\'';
            } else {
                out += atom.value;  // digits, or "inf" for `post`
            }
        }
        out += ']';
    }
    out += ']';
    return out;
}

bool CondaVersion::starts_with(const CondaVersion& prefix) const {
    const std::vector<VersionComponent>* mine = &m_version;
    const std::vector<VersionComponent>* theirs = &prefix.m_version;
    if (prefix.has_local()) {
        if (compare_components(m_version, prefix.m_version) != 0) {
            return false;
        }
        mine = &m_local;
        theirs = &prefix.m_local;
    }
    // All but the last component of the prefix must be equal.
    const std::size_t last = theirs->size() - 1;
    if (compare_components(*mine, *theirs, last) != 0) {
        return false;
    }
    static const VersionComponent empty;
    const VersionComponent& own = mine->size() > last ? (*mine)[last] : empty;
    const VersionComponent& want = (*theirs)[last];
    // All but the last atom of that component must be equal.
    const std::size_t last_atom = want.size() - 1;
    if (compare_component(head(own, last_atom), head(want, last_atom)) != 0) {
        return false;
    }
    const VersionAtom& candidate = own.size() > last_atom ? own[last_atom] : fill_atom();
    const VersionAtom& wanted = want[last_atom];
    if (wanted.kind == VersionAtom::Kind::text) {
        return candidate.kind == VersionAtom::Kind::text &&
               std::string_view(candidate.value).substr(0, wanted.value.size()) == wanted.value;
    }
    return compare_atoms(candidate, wanted) == 0;
}

bool CondaVersion::compatible_with(const CondaVersion& base) const {
    const auto dot = base.m_text.rfind('.');
    if (dot == std::string::npos || *this < base) {
        return false;
    }
    const auto prefix = parse(std::string_view(base.m_text).substr(0, dot));
    return prefix.has_value() && starts_with(*prefix);
}

std::weak_ordering operator<=>(const CondaVersion& a, const CondaVersion& b) {
    int c = compare_components(a.m_version, b.m_version);
    if (c == 0) {
        c = compare_components(a.m_local, b.m_local);
    }
    return c < 0 ? std::weak_ordering::less
                 : c > 0 ? std::weak_ordering::greater : std::weak_ordering::equivalent;
}

bool operator==(const CondaVersion& a, const CondaVersion& b) {
    return (a <=> b) == 0;
}

}  // namespace envsmith::specs
