// conda's VersionSpec (conda/models/version.py), re-stated.
//
// Expressions: conda wraps the text in parentheses and splits it into tokens: a regex (optional
// whitespace, `^`, anything but `$`, then `$`), an operator (optional whitespace, then one of
// `(` `)` `|` `,`), or a run of anything else. A shunting-yard pass builds the tree; `,` binds
// tighter than `|`, and nested nodes of the same kind are merged.
//
// Leaves, after stripping whitespace:
//   `^...$`                    regex on the version text
//   `op V` (=, ==, !=, <, <=, >, >=, ~=; no space after op and none inside V)
//                              `.*` after V: `=`/`>=` drop it, `!=` means "does not start
//                              with V", `~=` is an error, the rest ignore it
//   `*`                        anything
//   `*` before the last char   glob on the version text (`1.*.3`)
//   trailing `*`               `1.2*` and `1.2.*` mean "starts with 1.2"
//   anything else              equal to that version (so `1.2` matches `1.2.0`)
//
// Differences from conda, all for inputs conda mishandles: text after a complete expression
// (`(1.2)(1.3)`, which conda silently reads as `1.2`) is an error; globs may only hold version
// characters; nesting is capped at 200 parentheses.

#include "envsmith/specs/version_spec.hpp"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

#include "conda_support.hpp"
#include "envsmith/core/text.hpp"
#include "parse_error.hpp"

namespace envsmith::specs {

namespace detail {

core::Result<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto regex = std::make_shared<const re2::RE2>(pattern, options);
    if (!regex->ok()) {
        return core::make_error(core::ErrorCode::invalid_input, "spec.regex.invalid",
                                fmt::format("expected a regular expression RE2 accepts ({})",
                                            regex->error()))
            .arg("pattern", pattern)
            .arg("problem", regex->error());
    }
    return std::shared_ptr<const re2::RE2>(std::move(regex));
}

bool regex_full_match(const re2::RE2& regex, std::string_view text) {
    // conda uses Python's re.match on a `^...$` pattern; PartialMatch honours those anchors.
    return RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), regex);
}

core::Result<std::shared_ptr<const re2::RE2>> compile_glob(std::string_view glob) {
    std::string rx = "^(?:";
    for (const char c : glob) {
        if (c == '*') {
            rx += ".*";
        } else if (core::is_ascii_alnum(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80) {
            rx += c;
        } else if (c == '\0') {
            rx += "\\x00";
        } else {
            rx += '\\';
            rx += c;
        }
    }
    rx += ")$";
    RE2::Options options;
    options.set_log_errors(false);
    options.set_encoding(RE2::Options::EncodingLatin1);
    auto regex = std::make_shared<const re2::RE2>(rx, options);
    if (!regex->ok()) {
        return core::make_error(core::ErrorCode::invalid_input, "spec.regex.invalid",
                                fmt::format("expected a glob ({})", regex->error()))
            .arg("glob", std::string(glob))
            .arg("reason", regex->error());
    }
    return std::shared_ptr<const re2::RE2>(std::move(regex));
}

core::Result<StringPattern> StringPattern::make(std::string_view text) {
    StringPattern pattern;
    pattern.m_text = std::string(text);
    if (text.size() >= 2 && text.front() == '^' && text.back() == '$') {
        pattern.m_kind = Kind::regex;
        auto regex = compile_regex(pattern.m_text);
        if (!regex) {
            return std::move(regex).error();
        }
        pattern.m_regex = std::move(*regex);
    } else if (text.find('*') != std::string_view::npos) {
        pattern.m_kind = Kind::glob;
        auto regex = compile_glob(text);
        if (!regex) {
            return std::move(regex).error();
        }
        pattern.m_regex = std::move(*regex);
    }
    return pattern;
}

bool StringPattern::matches(std::string_view candidate) const {
    if (m_kind == Kind::exact) {
        return candidate == m_text;
    }
    return regex_full_match(*m_regex, candidate);
}

}  // namespace detail

namespace {

constexpr std::string_view spec_id = "spec.version_spec.invalid";
constexpr std::string_view spec_noun = "version spec";
constexpr std::size_t max_depth = 200;

using Op = VersionSpec::Operator;

struct OperatorName {
    std::string_view text;
    Op op;
};

// Two-character operators first: conda's regex backtracks to the longest operator that is not
// followed by another operator character.
constexpr OperatorName operator_names[] = {
    {"==", Op::equal},      {"!=", Op::not_equal}, {"<=", Op::less_equal},
    {">=", Op::greater_equal}, {"~=", Op::compatible}, {"=", Op::starts_with},
    {"<", Op::less},        {">", Op::greater},
};

bool is_operator_start(char c) noexcept {
    return c == '=' || c == '<' || c == '>' || c == '!' || c == '~';
}

// The first entry of `table` (entries with `text`, longest spellings first) that starts
// `text`, or nullptr.
template <typename Entry, std::size_t size>
const Entry* find_operator(std::string_view text, const Entry (&table)[size]) {
    for (const auto& entry : table) {
        if (text.substr(0, entry.text.size()) == entry.text) {
            return &entry;
        }
    }
    return nullptr;
}

std::string_view operator_text(Op op) {
    switch (op) {
        case Op::equal: return "==";
        case Op::not_equal: return "!=";
        case Op::less: return "<";
        case Op::less_equal: return "<=";
        case Op::greater: return ">";
        case Op::greater_equal: return ">=";
        case Op::starts_with: return "=";
        case Op::not_starts_with: return "!=";
        case Op::compatible: return "~=";
        case Op::any:
        case Op::glob:
        case Op::regex: break;
    }
    return "";
}

// A version operand as printed inside a spec. A version whose text ends in `.*` would be read
// back as a prefix, so its last `.` becomes the equivalent `_` (`1.*` and `1_*` are the same
// version).
std::string render_operand(const CondaVersion& version) {
    std::string text = version.to_string();
    if (text.size() >= 2 && text.compare(text.size() - 2, 2, ".*") == 0) {
        text[text.size() - 2] = '_';
    }
    return text;
}

// conda reads text that starts with `^` or ends with `$` as a regex.
bool looks_like_regex(std::string_view stripped) noexcept {
    return stripped.front() == '^' || stripped.back() == '$';
}

// A regex operand: `span` of `text`, stripped and not empty, must be `^...$` and compile.
// Errors name `message_id` and `noun`, like the rest of the caller's errors.
core::Result<std::shared_ptr<const re2::RE2>> regex_operand(std::string_view text,
                                                            detail::Span span,
                                                            std::string_view message_id,
                                                            std::string_view noun) {
    const std::string_view body = text.substr(span.begin, span.end - span.begin);
    if (body.front() != '^') {
        return detail::syntax_error(message_id, noun, text, span.begin,
                                    "expected a regex to start with `^`");
    }
    if (body.size() < 2 || body.back() != '$') {
        return detail::syntax_error(message_id, noun, text, span.end,
                                    "expected a regex to end with `$`");
    }
    auto regex = detail::compile_regex(std::string(body));
    if (!regex) {
        return detail::syntax_error(message_id, noun, text, span.begin, regex.error().message);
    }
    return regex;
}

bool is_glob_char(char c) noexcept {
    return core::is_ascii_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+' ||
           c == '!' || c == '*';
}

}  // namespace

// Builds VersionSpec values; a friend so the parse stays out of the public header.
struct VersionSpecParser {
    std::string_view text;

    core::Error fail(std::size_t offset, std::string_view expected) const {
        return detail::syntax_error(spec_id, spec_noun, text, offset, expected);
    }

    // An operand version. conda's VersionOrder keeps `*` as a string atom that sorts below
    // every other string, so `>=5.9*` (seen in real repodata) is a valid bound.
    core::Result<CondaVersion> version_at(std::size_t begin, std::size_t end) const {
        auto version = CondaVersion::parse(text.substr(begin, end - begin));
        if (!version) {
            const auto& error = version.error();
            const std::size_t inner = error.where ? error.where->column - 1 : 0;
            return fail(begin + inner, error.arg_value("expected"));
        }
        return version;
    }

    core::Result<VersionSpec> leaf(detail::Span span) const {
        span = detail::py_strip(text, span);
        if (span.begin == span.end) {
            return fail(span.begin, "expected a version constraint, found nothing");
        }
        const std::string_view leaf_text = text.substr(span.begin, span.end - span.begin);
        VersionSpec spec;
        spec.m_kind = VersionSpec::Kind::leaf;

        if (looks_like_regex(leaf_text)) {
            auto regex = regex_operand(text, span, spec_id, spec_noun);
            if (!regex) {
                return std::move(regex).error();
            }
            spec.m_op = Op::regex;
            spec.m_pattern = std::string(leaf_text);
            spec.m_regex = std::move(*regex);
            return spec;
        }

        if (is_operator_start(leaf_text.front())) {
            const OperatorName* found = find_operator(leaf_text, operator_names);
            if (found == nullptr) {
                return fail(span.begin, "expected an operator: `==` `!=` `<` `<=` `>` `>=` `~=` `=`");
            }
            std::size_t begin = span.begin + found->text.size();
            if (begin < span.end && is_operator_start(text[begin])) {
                return fail(begin, "expected a version after the operator, found another operator");
            }
            if (begin == span.end) {
                return fail(begin, "expected a version after the operator");
            }
            for (std::size_t i = begin; i < span.end; ++i) {
                if (detail::is_py_space(text[i])) {
                    return fail(i, "expected no whitespace after the operator or in the version");
                }
            }
            std::size_t end = span.end;
            Op op = found->op;
            if (end - begin >= 2 && text.substr(end - 2, 2) == ".*") {
                if (op == Op::compatible) {
                    return fail(end - 2, "expected no `.*` after `~=`");
                }
                if (op == Op::not_equal) {
                    op = Op::not_starts_with;
                }
                end -= 2;
            }
            auto version = version_at(begin, end);
            if (!version) {
                return std::move(version).error();
            }
            spec.m_op = op;
            spec.m_version = std::move(*version);
            if (op == Op::compatible) {
                // conda drops the last `.`-separated piece of the normalised text.
                const auto& operand = spec.m_version.to_string();
                const auto dot = operand.rfind('.');
                if (dot == std::string::npos) {
                    return fail(begin, "expected a version with a `.` after `~=`");
                }
                auto prefix = CondaVersion::parse(std::string_view(operand).substr(0, dot));
                if (!prefix) {
                    return fail(begin, "expected a version with a valid prefix after `~=`");
                }
                spec.m_compatible_prefix = std::move(*prefix);
            }
            return spec;
        }

        if (leaf_text == "*") {
            spec.m_op = Op::any;
            return spec;
        }

        const auto last_non_star = leaf_text.find_last_not_of('*');
        if (last_non_star != std::string_view::npos &&
            leaf_text.substr(0, last_non_star + 1).find('*') != std::string_view::npos) {
            for (std::size_t i = 0; i < leaf_text.size(); ++i) {
                if (!is_glob_char(leaf_text[i])) {
                    return fail(span.begin + i,
                                "expected only version characters and `*` in a version glob");
                }
            }
            const std::string lowered = core::to_lower(leaf_text);
            auto regex = detail::compile_glob(lowered);
            if (!regex) {  // cannot happen: only version characters and `*` reach here
                return fail(span.begin, regex.error().message);
            }
            spec.m_op = Op::glob;
            spec.m_pattern = lowered;
            spec.m_regex = std::move(*regex);
            return spec;
        }

        if (leaf_text.back() == '*') {
            // `1.2*` reads as `1.2.*`; then trailing `*` and `.` go: conda's rstrip("*").rstrip(".").
            std::string rewritten(leaf_text);
            if (rewritten.compare(rewritten.size() - 2, 2, ".*") != 0) {
                rewritten.pop_back();
                rewritten += ".*";
            }
            std::size_t keep = rewritten.find_last_not_of('*');
            keep = keep == std::string::npos ? 0 : keep + 1;
            while (keep > 0 && rewritten[keep - 1] == '.') {
                --keep;
            }
            if (keep == 0) {
                return fail(span.begin, "expected a version before `.*`");
            }
            // `keep` never reaches past the original text: the rewrite only replaces its end.
            auto version = version_at(span.begin, span.begin + std::min(keep, leaf_text.size()));
            if (!version) {
                return std::move(version).error();
            }
            spec.m_op = Op::starts_with;
            spec.m_version = std::move(*version);
            return spec;
        }

        auto version = version_at(span.begin, span.end);
        if (!version) {
            return std::move(version).error();
        }
        spec.m_op = Op::equal;
        spec.m_version = std::move(*version);
        return spec;
    }

    // Joins two nodes with `,` (all_of) or `|` (any_of), merging nodes of the same kind.
    static VersionSpec join(VersionSpec left, VersionSpec right, VersionSpec::Kind kind) {
        VersionSpec node;
        node.m_kind = kind;
        for (auto* side : {&left, &right}) {
            if (side->m_kind == kind) {
                for (auto& child : side->m_children) {
                    node.m_children.push_back(std::move(child));
                }
            } else {
                node.m_children.push_back(std::move(*side));
            }
        }
        return node;
    }

    struct Pending {
        char op;             // '(' ',' '|'
        std::size_t offset;  // where it is in the text; for the implicit outer '(' = 0
    };

    core::Result<VersionSpec> expression() const {
        std::vector<VersionSpec> output;
        std::vector<Pending> stack{{'(', 0}};
        std::size_t depth = 0;
        std::size_t binary_operators = 0;  // `,` and `|` on the stack

        // Pops operators down to (not including) one in `stop`.
        const auto apply = [&](std::string_view stop) -> core::Status {
            while (!stack.empty() && stop.find(stack.back().op) == std::string_view::npos) {
                const Pending top = stack.back();
                if (output.size() < 2) {
                    return fail(top.offset, fmt::format("expected a version constraint on both "
                                                        "sides of `{}`",
                                                        top.op));
                }
                stack.pop_back();
                --binary_operators;
                VersionSpec right = std::move(output.back());
                output.pop_back();
                VersionSpec left = std::move(output.back());
                output.pop_back();
                output.push_back(join(std::move(left), std::move(right),
                                      top.op == ',' ? VersionSpec::Kind::all_of
                                                    : VersionSpec::Kind::any_of));
            }
            return {};
        };
        // Checks that a new operand starts a fresh slot: conda would drop all but the first
        // of two adjacent operands.
        const auto expect_operand_slot = [&](std::size_t offset) -> core::Status {
            if (output.size() > binary_operators) {
                return fail(offset, "expected `,` or `|` between version constraints");
            }
            return {};
        };

        std::size_t pos = 0;
        const std::size_t n = text.size();
        while (pos < n) {
            std::size_t q = pos;
            while (q < n && detail::is_py_space(text[q])) {
                ++q;
            }
            if (q < n && text[q] == '^') {
                if (const auto dollar = text.find('$', q + 1); dollar != std::string_view::npos) {
                    if (auto status = expect_operand_slot(q); !status) {
                        return std::move(status).error();
                    }
                    auto spec = leaf({q, dollar + 1});
                    if (!spec) {
                        return std::move(spec).error();
                    }
                    output.push_back(std::move(*spec));
                    pos = dollar + 1;
                    continue;
                }
            }
            if (q < n && (text[q] == '(' || text[q] == ')' || text[q] == '|' || text[q] == ',')) {
                const char c = text[q];
                if (c == '|') {
                    if (auto status = apply("("); !status) {
                        return std::move(status).error();
                    }
                    stack.push_back({'|', q});
                    ++binary_operators;
                } else if (c == ',') {
                    if (auto status = apply("|("); !status) {
                        return std::move(status).error();
                    }
                    stack.push_back({',', q});
                    ++binary_operators;
                } else if (c == '(') {
                    if (auto status = expect_operand_slot(q); !status) {
                        return std::move(status).error();
                    }
                    if (++depth > max_depth) {
                        return fail(q, "expected at most 200 nested parentheses");
                    }
                    stack.push_back({'(', q});
                } else {
                    if (auto status = apply("("); !status) {
                        return std::move(status).error();
                    }
                    if (stack.size() <= 1) {
                        return fail(q, "expected `(` before this `)`");
                    }
                    stack.pop_back();
                    --depth;
                }
                pos = q + 1;
                continue;
            }
            std::size_t end = pos;
            while (end < n && text[end] != '(' && text[end] != ')' && text[end] != '|' &&
                   text[end] != ',') {
                ++end;
            }
            if (auto status = expect_operand_slot(q); !status) {
                return std::move(status).error();
            }
            auto spec = leaf({pos, end});
            if (!spec) {
                return std::move(spec).error();
            }
            output.push_back(std::move(*spec));
            pos = end;
        }
        // The implicit closing parenthesis.
        if (auto status = apply("("); !status) {
            return std::move(status).error();
        }
        if (stack.size() != 1) {
            return fail(stack.back().offset, "expected a `)` to close this `(`");
        }
        if (output.empty()) {
            return fail(detail::py_strip(text, {0, n}).begin, "expected a version constraint");
        }
        return std::move(output.front());
    }
};

core::Result<VersionSpec> VersionSpec::parse(std::string_view text) {
    return VersionSpecParser{text}.expression();
}

bool VersionSpec::contains(const CondaVersion& version) const {
    switch (m_kind) {
        case Kind::all_of:
            return std::all_of(m_children.begin(), m_children.end(),
                               [&](const VersionSpec& child) { return child.contains(version); });
        case Kind::any_of:
            return std::any_of(m_children.begin(), m_children.end(),
                               [&](const VersionSpec& child) { return child.contains(version); });
        case Kind::leaf: break;
    }
    switch (m_op) {
        case Op::any: return true;
        case Op::equal: return version == m_version;
        case Op::not_equal: return version != m_version;
        case Op::less: return version < m_version;
        case Op::less_equal: return version <= m_version;
        case Op::greater: return version > m_version;
        case Op::greater_equal: return version >= m_version;
        case Op::starts_with: return version.starts_with(m_version);
        case Op::not_starts_with: return !version.starts_with(m_version);
        case Op::compatible:
            return version >= m_version && version.starts_with(m_compatible_prefix);
        case Op::glob:
        case Op::regex: return m_regex && detail::regex_full_match(*m_regex, version.to_string());
    }
    return false;
}

std::string VersionSpec::to_string() const {
    if (m_kind != Kind::leaf) {
        std::string out;
        for (const auto& child : m_children) {
            if (!out.empty()) {
                out += m_kind == Kind::all_of ? ',' : '|';
            }
            if (m_kind == Kind::all_of && child.m_kind == Kind::any_of) {
                out += '(' + child.to_string() + ')';
            } else {
                out += child.to_string();
            }
        }
        return out;
    }
    switch (m_op) {
        case Op::any: return "*";
        case Op::glob:
        case Op::regex: return m_pattern;
        case Op::starts_with:
            // `1.2*.*` would read back as a glob, so operands with `*` use `=`.
            if (m_version.to_string().find('*') == std::string::npos) {
                return m_version.to_string() + ".*";
            }
            return "=" + render_operand(m_version);
        case Op::not_starts_with: return "!=" + render_operand(m_version) + ".*";
        default: return std::string(operator_text(m_op)) + render_operand(m_version);
    }
}

// ---------------------------------------------------------------------------------------------

namespace {

constexpr std::string_view build_number_id = "spec.build_number.invalid";
constexpr std::string_view build_number_noun = "build number spec";

}  // namespace

core::Result<BuildNumberSpec> BuildNumberSpec::parse(std::string_view text) {
    const auto fail = [text](std::size_t offset, std::string_view expected) {
        return detail::syntax_error(build_number_id, build_number_noun, text, offset, expected);
    };
    const auto span = detail::py_strip(text, {0, text.size()});
    if (span.begin == span.end) {
        return fail(span.begin, "expected a build number, found nothing");
    }
    const std::string_view body = text.substr(span.begin, span.end - span.begin);
    BuildNumberSpec spec;
    if (body == "*") {
        return spec;
    }
    if (looks_like_regex(body)) {
        auto regex = regex_operand(text, span, build_number_id, build_number_noun);
        if (!regex) {
            return std::move(regex).error();
        }
        spec.m_op = Operator::regex;
        spec.m_pattern = std::string(body);
        spec.m_regex = std::move(*regex);
        return spec;
    }
    std::size_t begin = span.begin;
    spec.m_op = Operator::equal;
    if (is_operator_start(body.front())) {
        struct Name {
            std::string_view text;
            Operator op;
        };
        static constexpr Name names[] = {
            {"==", Operator::equal},         {"!=", Operator::not_equal},
            {"<=", Operator::less_equal},    {">=", Operator::greater_equal},
            {"=", Operator::equal},          {"<", Operator::less},
            {">", Operator::greater},
        };
        const Name* found = find_operator(body, names);
        if (found == nullptr) {
            return fail(span.begin, "expected an operator: `==` `!=` `<` `<=` `>` `>=` `=`");
        }
        spec.m_op = found->op;
        begin += found->text.size();
    }
    if (begin == span.end) {
        return fail(begin, "expected a build number after the operator");
    }
    const char* first = text.data() + begin;
    const char* last = text.data() + span.end;
    if (!core::is_ascii_digit(*first)) {
        return fail(begin, "expected a non-negative integer build number");
    }
    const auto [ptr, ec] = std::from_chars(first, last, spec.m_number);
    if (ec == std::errc::result_out_of_range) {
        return fail(begin, "expected a build number below 2^64");
    }
    if (ptr != last) {
        return fail(begin + static_cast<std::size_t>(ptr - first),
                    "expected only digits in the build number");
    }
    return spec;
}

bool BuildNumberSpec::contains(std::uint64_t build_number) const {
    switch (m_op) {
        case Operator::any: return true;
        case Operator::equal: return build_number == m_number;
        case Operator::not_equal: return build_number != m_number;
        case Operator::less: return build_number < m_number;
        case Operator::less_equal: return build_number <= m_number;
        case Operator::greater: return build_number > m_number;
        case Operator::greater_equal: return build_number >= m_number;
        case Operator::regex:
            return m_regex && detail::regex_full_match(*m_regex, std::to_string(build_number));
    }
    return false;
}

std::string BuildNumberSpec::to_string() const {
    const auto number = std::to_string(m_number);
    switch (m_op) {
        case Operator::any: return "*";
        case Operator::equal: return number;
        case Operator::not_equal: return "!=" + number;
        case Operator::less: return "<" + number;
        case Operator::less_equal: return "<=" + number;
        case Operator::greater: return ">" + number;
        case Operator::greater_equal: return ">=" + number;
        case Operator::regex: return m_pattern;
    }
    return number;
}

}  // namespace envsmith::specs
