// PEP 508 dependency specifiers and environment markers: a recursive-descent parser over the
// grammar in the spec's "Complete Grammar" section, with packaging's tolerances (any character
// but the quote inside a marker string, a trailing comma in a version list, legacy dotted
// marker names).

#include "envsmith/specs/pep508.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "envsmith/core/text.hpp"
#include "parse_error.hpp"
#include "pep_common.hpp"

namespace envsmith::specs {
namespace {

using detail::Parsed;
using detail::ParseFailure;

constexpr std::size_t max_marker_depth = 64;

[[nodiscard]] bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

[[nodiscard]] bool is_name_separator(char c) noexcept {
    return c == '-' || c == '_' || c == '.';
}

[[nodiscard]] std::string describe_at(std::string_view text, std::size_t pos) {
    if (pos >= text.size()) {
        return "found the end";
    }
    return "found " + detail::describe_byte(text[pos]);
}

struct VariableName {
    std::string_view name;
    MarkerVariable variable;
};

// Canonical names first (to_string uses the first match), then the legacy aliases packaging
// still accepts.
constexpr VariableName marker_variables[] = {
    {"implementation_name", MarkerVariable::implementation_name},
    {"implementation_version", MarkerVariable::implementation_version},
    {"os_name", MarkerVariable::os_name},
    {"platform_machine", MarkerVariable::platform_machine},
    {"platform_python_implementation", MarkerVariable::platform_python_implementation},
    {"platform_release", MarkerVariable::platform_release},
    {"platform_system", MarkerVariable::platform_system},
    {"platform_version", MarkerVariable::platform_version},
    {"python_full_version", MarkerVariable::python_full_version},
    {"python_version", MarkerVariable::python_version},
    {"sys_platform", MarkerVariable::sys_platform},
    {"extra", MarkerVariable::extra},
    {"os.name", MarkerVariable::os_name},
    {"sys.platform", MarkerVariable::sys_platform},
    {"platform.version", MarkerVariable::platform_version},
    {"platform.machine", MarkerVariable::platform_machine},
    {"platform.python_implementation", MarkerVariable::platform_python_implementation},
    {"python_implementation", MarkerVariable::platform_python_implementation},
};

struct OpSpelling {
    std::string_view text;
    MarkerOp op;
};

// Longest first, so `===` is not read as `==`.
constexpr OpSpelling marker_operators[] = {
    {"===", MarkerOp::arbitrary},  {"~=", MarkerOp::compatible}, {"==", MarkerOp::equal},
    {"!=", MarkerOp::not_equal},   {"<=", MarkerOp::less_equal}, {">=", MarkerOp::greater_equal},
    {"<", MarkerOp::less},         {">", MarkerOp::greater},
};

/// Recursive descent over one marker; offsets are absolute in `m_text`.
class MarkerParser {
public:
    MarkerParser(std::string_view text, std::size_t pos) : m_text(text), m_pos(pos) {}

    [[nodiscard]] Parsed<Marker> parse_all() {
        auto marker = parse_or(0);
        if (std::holds_alternative<ParseFailure>(marker)) {
            return marker;
        }
        skip_wsp();
        if (m_pos < m_text.size()) {
            return fail(fmt::format("expected `and`, `or` or the end of the marker, {}", describe_at(m_text, m_pos)));
        }
        return marker;
    }

private:
    [[nodiscard]] ParseFailure fail(std::string problem) const { return ParseFailure{m_pos, std::move(problem)}; }

    void skip_wsp() {
        while (m_pos < m_text.size() && is_wsp(m_text[m_pos])) {
            ++m_pos;
        }
    }

    /// Consumes the keyword when it is next and not followed by a name character.
    [[nodiscard]] bool take_keyword(std::string_view word) {
        if (m_text.substr(m_pos, word.size()) != word) {
            return false;
        }
        const std::size_t after = m_pos + word.size();
        if (after < m_text.size() && (core::is_ascii_alnum(m_text[after]) || m_text[after] == '_' || m_text[after] == '.')) {
            return false;
        }
        m_pos = after;
        return true;
    }

    [[nodiscard]] Parsed<Marker> parse_or(std::size_t depth) {
        std::vector<Marker> children;
        while (true) {
            auto child = parse_and(depth);
            if (auto* failure = std::get_if<ParseFailure>(&child)) {
                return std::move(*failure);
            }
            children.push_back(std::get<Marker>(std::move(child)));
            const std::size_t save = m_pos;
            skip_wsp();
            if (!take_keyword("or")) {
                m_pos = save;
                break;
            }
        }
        return children.size() == 1 ? std::move(children.front()) : Marker::any_of(std::move(children));
    }

    [[nodiscard]] Parsed<Marker> parse_and(std::size_t depth) {
        std::vector<Marker> children;
        while (true) {
            auto child = parse_expr(depth);
            if (auto* failure = std::get_if<ParseFailure>(&child)) {
                return std::move(*failure);
            }
            children.push_back(std::get<Marker>(std::move(child)));
            const std::size_t save = m_pos;
            skip_wsp();
            if (!take_keyword("and")) {
                m_pos = save;
                break;
            }
        }
        return children.size() == 1 ? std::move(children.front()) : Marker::all_of(std::move(children));
    }

    [[nodiscard]] Parsed<Marker> parse_expr(std::size_t depth) {
        skip_wsp();
        if (m_pos < m_text.size() && m_text[m_pos] == '(') {
            if (depth >= max_marker_depth) {
                return fail("markers are nested too deeply");
            }
            ++m_pos;
            auto inner = parse_or(depth + 1);
            if (std::holds_alternative<ParseFailure>(inner)) {
                return inner;
            }
            skip_wsp();
            if (m_pos >= m_text.size() || m_text[m_pos] != ')') {
                return fail(fmt::format("expected `)`, `and` or `or`, {}", describe_at(m_text, m_pos)));
            }
            ++m_pos;
            return inner;
        }
        auto lhs = parse_operand();
        if (auto* failure = std::get_if<ParseFailure>(&lhs)) {
            return std::move(*failure);
        }
        skip_wsp();
        auto op = parse_op();
        if (auto* failure = std::get_if<ParseFailure>(&op)) {
            return std::move(*failure);
        }
        auto rhs = parse_operand();
        if (auto* failure = std::get_if<ParseFailure>(&rhs)) {
            return std::move(*failure);
        }
        return Marker::comparison(std::get<Marker::Operand>(std::move(lhs)), std::get<MarkerOp>(op),
                                  std::get<Marker::Operand>(std::move(rhs)));
    }

    [[nodiscard]] Parsed<Marker::Operand> parse_operand() {
        skip_wsp();
        if (m_pos >= m_text.size()) {
            return fail("expected a marker variable such as `python_version` or a quoted string, found the end");
        }
        const char c = m_text[m_pos];
        if (c == '\'' || c == '"') {
            const std::size_t close = m_text.find(c, m_pos + 1);
            if (close == std::string_view::npos) {
                return fail(fmt::format("unterminated string: expected a closing {}", c));
            }
            Marker::Operand operand;
            operand.literal = std::string(m_text.substr(m_pos + 1, close - m_pos - 1));
            m_pos = close + 1;
            return operand;
        }
        std::size_t end = m_pos;
        while (end < m_text.size() &&
               (core::is_ascii_alnum(m_text[end]) || m_text[end] == '_' || m_text[end] == '.')) {
            ++end;
        }
        const std::string_view word = m_text.substr(m_pos, end - m_pos);
        if (word.empty()) {
            return fail(fmt::format("expected a marker variable such as `python_version` or a quoted string, {}",
                                    describe_at(m_text, m_pos)));
        }
        for (const auto& known : marker_variables) {
            if (known.name == word) {
                Marker::Operand operand;
                operand.is_variable = true;
                operand.variable = known.variable;
                m_pos = end;
                return operand;
            }
        }
        return fail(fmt::format("unknown marker variable `{}`; expected one of python_version, python_full_version, "
                                "os_name, sys_platform, platform_release, platform_system, platform_version, "
                                "platform_machine, platform_python_implementation, implementation_name, "
                                "implementation_version, extra, or a quoted string",
                                word));
    }

    [[nodiscard]] Parsed<MarkerOp> parse_op() {
        if (take_keyword("in")) {
            return MarkerOp::in;
        }
        if (take_keyword("not")) {
            skip_wsp();
            if (take_keyword("in")) {
                return MarkerOp::not_in;
            }
            return fail(fmt::format("expected `in` after `not`, {}", describe_at(m_text, m_pos)));
        }
        for (const auto& spelling : marker_operators) {
            if (m_text.substr(m_pos, spelling.text.size()) == spelling.text) {
                m_pos += spelling.text.size();
                return spelling.op;
            }
        }
        return fail(fmt::format("expected a marker operator (`==`, `!=`, `<`, `<=`, `>`, `>=`, `~=`, `===`, `in`, "
                                "`not in`), {}",
                                describe_at(m_text, m_pos)));
    }

    std::string_view m_text;
    std::size_t m_pos;
};

[[nodiscard]] const std::string& value_of(const MarkerEnvironment& env, MarkerVariable variable) {
    switch (variable) {
        case MarkerVariable::implementation_name: return env.implementation_name;
        case MarkerVariable::implementation_version: return env.implementation_version;
        case MarkerVariable::os_name: return env.os_name;
        case MarkerVariable::platform_machine: return env.platform_machine;
        case MarkerVariable::platform_python_implementation: return env.platform_python_implementation;
        case MarkerVariable::platform_release: return env.platform_release;
        case MarkerVariable::platform_system: return env.platform_system;
        case MarkerVariable::platform_version: return env.platform_version;
        case MarkerVariable::python_full_version: return env.python_full_version;
        case MarkerVariable::python_version: return env.python_version;
        case MarkerVariable::sys_platform: return env.sys_platform;
        case MarkerVariable::extra: break;
    }
    static const std::string empty;
    return empty;
}

/// PEP 508: a comparison is a PEP 440 one when `op rhs` is a valid specifier and `lhs` a
/// valid version; otherwise the operator applies to the strings.
[[nodiscard]] bool compare(std::string_view lhs, MarkerOp op, std::string_view rhs) {
    if (op == MarkerOp::in) {
        return rhs.find(lhs) != std::string_view::npos;
    }
    if (op == MarkerOp::not_in) {
        return rhs.find(lhs) == std::string_view::npos;
    }
    if (op == MarkerOp::arbitrary) {
        return core::iequals(lhs, rhs);
    }
    auto specifier = detail::parse_specifier_set(fmt::format("{}{}", to_string(op), rhs));
    auto version = detail::parse_version(lhs);
    const auto* set = std::get_if<SpecifierSet>(&specifier);
    if (set != nullptr && set->specifiers().size() == 1 && std::holds_alternative<Pep440Version>(version)) {
        return set->contains(std::get<Pep440Version>(version), Prereleases::allow);
    }
    switch (op) {
        case MarkerOp::less: return lhs < rhs;
        case MarkerOp::less_equal: return lhs <= rhs;
        case MarkerOp::equal: return lhs == rhs;
        case MarkerOp::not_equal: return lhs != rhs;
        case MarkerOp::greater_equal: return lhs >= rhs;
        case MarkerOp::greater: return lhs > rhs;
        default: return false;  // `~=` needs versions
    }
}

void append_operand(std::string& out, const Marker::Operand& operand) {
    if (operand.is_variable) {
        out += to_string(operand.variable);
    } else if (operand.literal.find('"') != std::string::npos) {
        out += fmt::format("'{}'", operand.literal);
    } else {
        out += fmt::format("\"{}\"", operand.literal);
    }
}

[[nodiscard]] std::size_t skip_wsp(std::string_view text, std::size_t pos) {
    while (pos < text.size() && is_wsp(text[pos])) {
        ++pos;
    }
    return pos;
}

/// PEP 508 `identifier`: a letter or digit, then letters, digits and `-_.`, ending with a
/// letter or digit. Returns the end, or `pos` when there is none.
[[nodiscard]] std::size_t scan_identifier(std::string_view text, std::size_t pos) {
    if (pos >= text.size() || !core::is_ascii_alnum(text[pos])) {
        return pos;
    }
    std::size_t end = pos + 1;
    std::size_t last_alnum = end;
    while (end < text.size() && (core::is_ascii_alnum(text[end]) || is_name_separator(text[end]))) {
        ++end;
        if (core::is_ascii_alnum(text[end - 1])) {
            last_alnum = end;
        }
    }
    return last_alnum;
}

[[nodiscard]] bool has_url_scheme(std::string_view url) {
    // RFC 3986: scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    if (url.empty() || !core::is_ascii_alpha(url.front())) {
        return false;
    }
    for (std::size_t i = 1; i < url.size(); ++i) {
        const char c = url[i];
        if (c == ':') {
            return i + 1 < url.size();
        }
        if (!core::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return false;
}

[[nodiscard]] Parsed<Requirement> parse_requirement(std::string_view text) {
    Requirement req;
    std::size_t pos = skip_wsp(text, 0);
    const std::size_t name_end = scan_identifier(text, pos);
    if (name_end == pos) {
        return ParseFailure{pos, fmt::format("expected a package name (letters, digits, `-`, `_`, `.`), {}",
                                             describe_at(text, pos))};
    }
    req.name = std::string(text.substr(pos, name_end - pos));
    pos = skip_wsp(text, name_end);

    if (pos < text.size() && text[pos] == '[') {
        pos = skip_wsp(text, pos + 1);
        if (pos < text.size() && text[pos] == ']') {
            ++pos;
        } else {
            while (true) {
                const std::size_t extra_end = scan_identifier(text, pos);
                if (extra_end == pos) {
                    return ParseFailure{pos, fmt::format("expected an extra name, {}", describe_at(text, pos))};
                }
                req.extras.emplace_back(text.substr(pos, extra_end - pos));
                pos = skip_wsp(text, extra_end);
                if (pos < text.size() && text[pos] == ',') {
                    pos = skip_wsp(text, pos + 1);
                    continue;
                }
                if (pos < text.size() && text[pos] == ']') {
                    ++pos;
                    break;
                }
                return ParseFailure{pos, fmt::format("expected `,` or `]` in the extras, {}", describe_at(text, pos))};
            }
        }
        pos = skip_wsp(text, pos);
    }

    bool is_url = false;
    if (pos < text.size() && text[pos] == '@') {
        is_url = true;
        pos = skip_wsp(text, pos + 1);
        std::size_t end = pos;
        while (end < text.size() && !detail::is_space(text[end])) {
            ++end;
        }
        req.url = std::string(text.substr(pos, end - pos));
        if (!has_url_scheme(req.url)) {
            return ParseFailure{pos, fmt::format("expected a URL with a scheme such as `https://` after `@`, {}",
                                                 describe_at(text, pos))};
        }
        pos = skip_wsp(text, end);
    } else if (pos < text.size() && text[pos] == '(') {
        const std::size_t open = pos;
        const std::size_t close = text.find(')', open);
        if (close == std::string_view::npos) {
            return ParseFailure{text.size(), "expected `)` to close the version specifiers"};
        }
        auto set = detail::parse_specifier_set(text.substr(open + 1, close - open - 1));
        if (auto* failure = std::get_if<ParseFailure>(&set)) {
            failure->offset += open + 1;
            return std::move(*failure);
        }
        req.specifiers = std::get<SpecifierSet>(std::move(set));
        pos = skip_wsp(text, close + 1);
    } else if (pos < text.size() && std::string_view("<>=!~").find(text[pos]) != std::string_view::npos) {
        std::size_t end = text.find(';', pos);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        auto set = detail::parse_specifier_set(text.substr(pos, end - pos));
        if (auto* failure = std::get_if<ParseFailure>(&set)) {
            failure->offset += pos;
            return std::move(*failure);
        }
        req.specifiers = std::get<SpecifierSet>(std::move(set));
        pos = end;
    }

    if (pos < text.size() && text[pos] == ';') {
        MarkerParser parser(text, pos + 1);
        auto marker = parser.parse_all();
        if (auto* failure = std::get_if<ParseFailure>(&marker)) {
            return std::move(*failure);
        }
        req.marker = std::get<Marker>(std::move(marker));
        pos = text.size();
    }
    if (pos < text.size()) {
        const std::string_view expected = is_url ? "`;` (after whitespace) or the end after the URL"
                                                 : "`[`, a version specifier, `@`, `;` or the end";
        return ParseFailure{pos, fmt::format("expected {}, {}", expected, describe_at(text, pos))};
    }
    return req;
}

struct SubdirFacts {
    std::string_view subdir;
    std::string_view os_name;
    std::string_view sys_platform;
    std::string_view platform_system;
    std::string_view platform_machine;
};

// What CPython reports on each conda platform (os.name, sys.platform, platform.system(),
// platform.machine()).
constexpr SubdirFacts subdir_facts[] = {
    {"linux-64", "posix", "linux", "Linux", "x86_64"},
    {"linux-32", "posix", "linux", "Linux", "i686"},
    {"linux-aarch64", "posix", "linux", "Linux", "aarch64"},
    {"linux-ppc64le", "posix", "linux", "Linux", "ppc64le"},
    {"linux-s390x", "posix", "linux", "Linux", "s390x"},
    {"linux-armv7l", "posix", "linux", "Linux", "armv7l"},
    {"osx-64", "posix", "darwin", "Darwin", "x86_64"},
    {"osx-arm64", "posix", "darwin", "Darwin", "arm64"},
    {"win-64", "nt", "win32", "Windows", "AMD64"},
    {"win-32", "nt", "win32", "Windows", "x86"},
    {"win-arm64", "nt", "win32", "Windows", "ARM64"},
};

}  // namespace

// ---------------------------------------------------------------------------------------------
// Names

std::string normalize_package_name(std::string_view name) {
    std::string out;
    out.reserve(name.size());
    bool in_separator_run = false;
    for (const char c : name) {
        if (is_name_separator(c)) {
            if (!in_separator_run) {
                out.push_back('-');
            }
            in_separator_run = true;
        } else {
            out.push_back(core::ascii_lower(c));
            in_separator_run = false;
        }
    }
    return out;
}

bool is_valid_package_name(std::string_view name) noexcept {
    return !name.empty() && scan_identifier(name, 0) == name.size();
}

// ---------------------------------------------------------------------------------------------
// MarkerEnvironment

core::Result<MarkerEnvironment> MarkerEnvironment::for_target(std::string_view python_version,
                                                              std::string_view conda_subdir) {
    const SubdirFacts* facts = nullptr;
    for (const auto& candidate : subdir_facts) {
        if (candidate.subdir == conda_subdir) {
            facts = &candidate;
        }
    }
    if (facts == nullptr) {
        return core::make_error(core::ErrorCode::invalid_input, "spec.marker_environment.invalid",
                                fmt::format("unsupported conda platform `{}` for Python markers; expected one of "
                                            "linux-64, linux-32, linux-aarch64, linux-ppc64le, linux-s390x, "
                                            "linux-armv7l, osx-64, osx-arm64, win-64, win-32, win-arm64",
                                            conda_subdir))
            .arg("subdir", std::string(conda_subdir));
    }
    const auto parts = core::split(python_version, '.');
    const bool well_formed =
        (parts.size() == 2 || parts.size() == 3) && std::all_of(parts.begin(), parts.end(), [](std::string_view p) {
            return !p.empty() && p.size() <= 4 && std::all_of(p.begin(), p.end(), core::is_ascii_digit);
        });
    if (!well_formed) {
        return core::make_error(core::ErrorCode::invalid_input, "spec.marker_environment.invalid",
                                fmt::format("invalid Python version `{}`; expected `X.Y` or `X.Y.Z`", python_version))
            .arg("python_version", std::string(python_version));
    }
    MarkerEnvironment env;
    env.python_version = fmt::format("{}.{}", parts[0], parts[1]);
    env.python_full_version =
        parts.size() == 3 ? std::string(python_version) : fmt::format("{}.{}.0", parts[0], parts[1]);
    env.implementation_name = "cpython";
    env.implementation_version = env.python_full_version;
    env.platform_python_implementation = "CPython";
    env.os_name = std::string(facts->os_name);
    env.sys_platform = std::string(facts->sys_platform);
    env.platform_system = std::string(facts->platform_system);
    env.platform_machine = std::string(facts->platform_machine);
    return env;
}

const std::string* MarkerEnvironment::find(std::string_view variable) const noexcept {
    for (const auto& known : marker_variables) {
        if (known.name == variable && known.variable != MarkerVariable::extra) {
            return &value_of(*this, known.variable);
        }
    }
    return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Marker

std::string_view to_string(MarkerVariable variable) noexcept {
    for (const auto& known : marker_variables) {
        if (known.variable == variable) {
            return known.name;
        }
    }
    return "python_version";
}

std::string_view to_string(MarkerOp op) noexcept {
    switch (op) {
        case MarkerOp::in: return "in";
        case MarkerOp::not_in: return "not in";
        default: break;
    }
    for (const auto& spelling : marker_operators) {
        if (spelling.op == op) {
            return spelling.text;
        }
    }
    return "==";
}

core::Result<Marker> Marker::parse(std::string_view text) {
    MarkerParser parser(text, 0);
    auto parsed = parser.parse_all();
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        return detail::parse_error("spec.marker.invalid", "marker", failure->problem, text, failure->offset, "marker");
    }
    return std::get<Marker>(std::move(parsed));
}

Marker Marker::comparison(Operand lhs, MarkerOp op, Operand rhs) {
    Marker m;
    m.m_kind = Kind::comparison;
    m.m_lhs = std::move(lhs);
    m.m_op = op;
    m.m_rhs = std::move(rhs);
    return m;
}

namespace {

// `a and (b and c)` is `a and b and c`: flattening keeps parse(to_string(m)) == m.
Marker flatten_into(Marker::Kind kind, std::vector<Marker> children) {
    std::vector<Marker> flat;
    for (auto& child : children) {
        if (child.kind() == kind) {
            for (const auto& grandchild : child.children()) {
                flat.push_back(grandchild);
            }
        } else {
            flat.push_back(std::move(child));
        }
    }
    return kind == Marker::Kind::all_of ? Marker::all_of(std::move(flat)) : Marker::any_of(std::move(flat));
}

}  // namespace

Marker Marker::all_of(std::vector<Marker> children) {
    const bool nested = std::any_of(children.begin(), children.end(),
                                    [](const Marker& c) { return c.kind() == Kind::all_of; });
    if (nested) {
        return flatten_into(Kind::all_of, std::move(children));
    }
    Marker m;
    m.m_kind = Kind::all_of;
    m.m_children = std::move(children);
    return m;
}

Marker Marker::any_of(std::vector<Marker> children) {
    const bool nested = std::any_of(children.begin(), children.end(),
                                    [](const Marker& c) { return c.kind() == Kind::any_of; });
    if (nested) {
        return flatten_into(Kind::any_of, std::move(children));
    }
    Marker m;
    m.m_kind = Kind::any_of;
    m.m_children = std::move(children);
    return m;
}

bool Marker::evaluate(const MarkerEnvironment& environment, const std::set<std::string>& extras) const {
    if (extras.empty()) {
        return evaluate_one(environment, "");
    }
    return std::any_of(extras.begin(), extras.end(),
                       [&](const std::string& extra) { return evaluate_one(environment, normalize_package_name(extra)); });
}

bool Marker::evaluate_one(const MarkerEnvironment& environment, std::string_view extra) const {
    switch (m_kind) {
        case Kind::all_of:
            return std::all_of(m_children.begin(), m_children.end(),
                               [&](const Marker& c) { return c.evaluate_one(environment, extra); });
        case Kind::any_of:
            return std::any_of(m_children.begin(), m_children.end(),
                               [&](const Marker& c) { return c.evaluate_one(environment, extra); });
        case Kind::comparison: break;
    }
    const bool about_extra = (m_lhs.is_variable && m_lhs.variable == MarkerVariable::extra) ||
                             (m_rhs.is_variable && m_rhs.variable == MarkerVariable::extra);
    const auto resolve = [&](const Operand& operand) -> std::string {
        if (!operand.is_variable) {
            return about_extra ? normalize_package_name(operand.literal) : operand.literal;
        }
        if (operand.variable == MarkerVariable::extra) {
            return std::string(extra);
        }
        return value_of(environment, operand.variable);
    };
    return compare(resolve(m_lhs), m_op, resolve(m_rhs));
}

namespace {

// `or` inside `and` needs parentheses; nothing else does (`and` binds tighter).
enum class Context : std::uint8_t { top_or_any_of, all_of };

void append_marker(std::string& out, const Marker& marker, Context context) {
    switch (marker.kind()) {
        case Marker::Kind::comparison:
            append_operand(out, marker.lhs());
            out += fmt::format(" {} ", specs::to_string(marker.op()));
            append_operand(out, marker.rhs());
            return;
        case Marker::Kind::all_of:
            for (std::size_t i = 0; i < marker.children().size(); ++i) {
                if (i > 0) {
                    out += " and ";
                }
                append_marker(out, marker.children()[i], Context::all_of);
            }
            return;
        case Marker::Kind::any_of: {
            const bool parenthesize = context == Context::all_of;
            if (parenthesize) {
                out.push_back('(');
            }
            for (std::size_t i = 0; i < marker.children().size(); ++i) {
                if (i > 0) {
                    out += " or ";
                }
                append_marker(out, marker.children()[i], Context::top_or_any_of);
            }
            if (parenthesize) {
                out.push_back(')');
            }
            return;
        }
    }
}

}  // namespace

std::string Marker::to_string() const {
    std::string out;
    append_marker(out, *this, Context::top_or_any_of);
    return out;
}

// ---------------------------------------------------------------------------------------------
// Requirement

core::Result<Requirement> Requirement::parse(std::string_view text) {
    auto parsed = parse_requirement(text);
    if (auto* failure = std::get_if<ParseFailure>(&parsed)) {
        return detail::parse_error("spec.requirement.invalid", "requirement", failure->problem, text,
                                   failure->offset, "requirement");
    }
    return std::get<Requirement>(std::move(parsed));
}

std::string Requirement::to_string() const {
    std::string out = name;
    if (!extras.empty()) {
        out += fmt::format("[{}]", core::join(extras, ","));
    }
    if (!url.empty()) {
        out += fmt::format(" @ {}", url);
        if (marker) {
            out.push_back(' ');
        }
    } else {
        out += specifiers.to_string();
    }
    if (marker) {
        out += fmt::format("; {}", marker->to_string());
    }
    return out;
}

}  // namespace envsmith::specs
