#include "envsmith/specs/requirements_txt.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/text.hpp"

namespace envsmith::specs {

namespace {

// A logical line: physical lines joined at trailing backslashes. `origin[i]` is the byte
// offset in the file of `text[i]`, so every error points at the physical line and column.
struct LogicalLine {
    std::string text;
    std::vector<std::size_t> origin;

    void append(std::string_view part, std::size_t offset) {
        text += part;
        for (std::size_t i = 0; i < part.size(); ++i) {
            origin.push_back(offset + i);
        }
    }
};

constexpr bool is_blank(char c) noexcept { return c == ' ' || c == '\t' || c == '\f' || c == '\v'; }

/// pip's COMMENT_RE `(^|\s+)#.*$`: the offset where the comment (with the whitespace before
/// it) starts, or npos.
std::size_t comment_start(std::string_view line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '#' && (i == 0 || is_blank(line[i - 1]))) {
            std::size_t start = i;
            while (start > 0 && is_blank(line[start - 1])) {
                --start;
            }
            return start;
        }
    }
    return std::string_view::npos;
}

/// pip's join_lines: a line ending in `\` continues on the next one, unless it is a comment.
std::vector<LogicalLine> logical_lines(std::string_view text) {
    std::vector<LogicalLine> out;
    std::size_t offset = 0;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        offset = 3;
    }
    LogicalLine pending;
    bool continuing = false;
    while (offset <= text.size()) {
        auto end = text.find('\n', offset);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        auto line = text.substr(offset, end - offset);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        // pip's COMMENT_RE.match: the line's first non-blank byte is `#`.
        const auto first = line.find_first_not_of(" \t\f\v");
        const bool whole_comment = first != std::string_view::npos && line[first] == '#';
        if (line.empty() || line.back() != '\\' || whole_comment) {
            if (continuing) {
                if (whole_comment) {
                    pending.append(" ", offset);  // keeps the comment a comment after joining
                }
                pending.append(line, offset);
                out.push_back(std::move(pending));
                pending = LogicalLine{};
                continuing = false;
            } else {
                LogicalLine single;
                single.append(line, offset);
                out.push_back(std::move(single));
            }
        } else {
            auto body = line;
            while (!body.empty() && body.back() == '\\') {
                body.remove_suffix(1);
            }
            pending.append(body, offset);
            continuing = true;
        }
        if (end == text.size()) {
            break;
        }
        offset = end + 1;
    }
    if (continuing) {
        out.push_back(std::move(pending));
    }
    return out;
}

/// pip's expand_env_variables: only `${NAME}` with NAME in [A-Z0-9_]+; unknown names stay.
void expand_variables(LogicalLine& line,
                      const std::map<std::string, std::string, std::less<>>& environment) {
    if (line.text.find("${") == std::string::npos || environment.empty()) {
        return;
    }
    LogicalLine out;
    std::size_t i = 0;
    while (i < line.text.size()) {
        if (line.text.compare(i, 2, "${") == 0) {
            std::size_t j = i + 2;
            while (j < line.text.size() &&
                   (core::is_ascii_digit(line.text[j]) || line.text[j] == '_' ||
                    (line.text[j] >= 'A' && line.text[j] <= 'Z'))) {
                ++j;
            }
            if (j > i + 2 && j < line.text.size() && line.text[j] == '}') {
                const auto name = std::string_view(line.text).substr(i + 2, j - i - 2);
                if (const auto it = environment.find(name); it != environment.end()) {
                    for (const char c : it->second) {
                        out.text.push_back(c);
                        out.origin.push_back(line.origin[i]);
                    }
                    i = j + 1;
                    continue;
                }
            }
        }
        out.text.push_back(line.text[i]);
        out.origin.push_back(line.origin[i]);
        ++i;
    }
    line = std::move(out);
}

struct OptionSpec {
    std::string_view long_name;
    std::string_view short_name;
    bool takes_value = false;
    // Global options carry their kind; per-requirement ones and -e/-r/-c are handled apart.
    std::optional<RequirementsOptionKind> kind;
};

constexpr std::string_view opt_editable = "--editable";
constexpr std::string_view opt_hash = "--hash";
constexpr std::string_view opt_config = "--config-settings";
constexpr std::string_view opt_global = "--global-option";

const std::vector<OptionSpec>& option_specs() {
    using K = RequirementsOptionKind;
    static const std::vector<OptionSpec> specs = {
        {"--index-url", "-i", true, K::index_url},
        {"--extra-index-url", "", true, K::extra_index_url},
        {"--find-links", "-f", true, K::find_links},
        {"--no-index", "", false, K::no_index},
        {"--pre", "", false, K::pre},
        {"--trusted-host", "", true, K::trusted_host},
        {"--prefer-binary", "", false, K::prefer_binary},
        {"--only-binary", "", true, K::only_binary},
        {"--no-binary", "", true, K::no_binary},
        {"--require-hashes", "", false, K::require_hashes},
        {"--use-feature", "", true, K::use_feature},
        {"--requirement", "-r", true, K::requirement},
        {"--constraint", "-c", true, K::constraint},
        {opt_editable, "-e", true, std::nullopt},
        {opt_hash, "", true, std::nullopt},
        {opt_config, "-C", true, std::nullopt},
        {opt_global, "", true, std::nullopt},
    };
    return specs;
}

bool is_per_requirement(std::string_view long_name) {
    return long_name == opt_hash || long_name == opt_config || long_name == opt_global;
}

/// One option with its value, and where each is in the logical line.
struct ParsedOption {
    const OptionSpec* spec = nullptr;
    std::string value;
    std::size_t option_pos = 0;
    std::size_t value_pos = 0;
};

bool has_url_scheme(std::string_view text) {
    if (text.empty() || !core::is_ascii_alpha(text.front())) {
        return false;
    }
    std::size_t i = 1;
    while (i < text.size() && (core::is_ascii_alnum(text[i]) || text[i] == '+' ||
                               text[i] == '.' || text[i] == '-')) {
        ++i;
    }
    if (i >= text.size() || text[i] != ':') {
        return false;
    }
    const auto scheme = core::to_lower(text.substr(0, i));
    return text.substr(i + 1, 2) == "//" || scheme == "file";
}

bool is_archive_name(std::string_view text) {
    static constexpr std::array<std::string_view, 9> suffixes = {
        ".whl", ".zip", ".tar.gz", ".tgz", ".tar.bz2", ".tbz", ".tar.xz", ".txz", ".tar"};
    const auto lower = core::to_lower(text);
    return std::any_of(suffixes.begin(), suffixes.end(), [&](std::string_view suffix) {
        return lower.size() > suffix.size() &&
               std::string_view(lower).substr(lower.size() - suffix.size()) == suffix;
    });
}

RequirementForm classify(std::string_view text) {
    if (has_url_scheme(text)) {
        return RequirementForm::url;
    }
    std::size_t i = 0;
    while (i < text.size() && (core::is_ascii_alnum(text[i]) || text[i] == '.' ||
                               text[i] == '_' || text[i] == '-')) {
        ++i;
    }
    const auto identifier = text.substr(0, i);
    if (is_archive_name(identifier) && i == text.size()) {
        return RequirementForm::path;  // a wheel or sdist file name
    }
    const bool path_like = text.front() == '.' || text.front() == '/' || text.front() == '\\' ||
                           text.front() == '~' ||
                           (text.size() > 2 && core::is_ascii_alpha(text[0]) && text[1] == ':' &&
                            (text[2] == '\\' || text[2] == '/'));
    if (path_like) {
        return RequirementForm::path;
    }
    if (!identifier.empty()) {
        const auto rest = core::trim_left(text.substr(i));
        if (rest.empty() || std::string_view("[(;@<>=!~").find(rest.front()) !=
                                std::string_view::npos) {
            return RequirementForm::named;
        }
    }
    const auto before_at = text.substr(0, text.find('@'));
    if (before_at.find_first_of("/\\") != std::string_view::npos || is_archive_name(text)) {
        return RequirementForm::path;
    }
    return RequirementForm::named;  // let PEP 508 say what is wrong
}

bool valid_hash(std::string_view value) {
    const auto colon = value.find(':');
    if (colon == std::string_view::npos) {
        return false;
    }
    const auto algorithm = value.substr(0, colon);
    const auto hex = value.substr(colon + 1);
    static constexpr std::array<std::string_view, 6> algorithms = {
        "md5", "sha1", "sha224", "sha256", "sha384", "sha512"};
    if (std::find(algorithms.begin(), algorithms.end(), algorithm) == algorithms.end()) {
        return false;
    }
    return !hex.empty() && std::all_of(hex.begin(), hex.end(), [](char c) {
        return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

std::string join_path(std::string_view including_file, std::string_view target) {
    if (target.empty() || target.front() == '/' || has_url_scheme(target) ||
        (target.size() > 2 && target[1] == ':' && (target[2] == '\\' || target[2] == '/'))) {
        return std::string(target);
    }
    const auto slash = including_file.find_last_of("/\\");
    if (slash == std::string_view::npos) {
        return std::string(target);
    }
    return fmt::format("{}/{}", including_file.substr(0, slash), target);
}

class Parser {
public:
    Parser(const RequirementsContext& context, RequirementsFile& out)
        : m_context(context), m_out(out) {}

    core::Status parse_file(std::string_view text, std::string_view file_name,
                            bool as_constraints) {
        m_stack.emplace_back(file_name);
        m_out.files.emplace_back(file_name);
        const core::TextIndex index(file_name, text);
        for (auto& line : logical_lines(text)) {
            if (auto status = parse_line(line, index, as_constraints); !status) {
                return status;
            }
        }
        m_stack.pop_back();
        return {};
    }

private:
    struct LineScope {
        const LogicalLine& line;
        const core::TextIndex& index;

        [[nodiscard]] core::SourceLocation at(std::size_t pos) const {
            if (line.origin.empty()) {
                return index.locate(0);
            }
            return index.locate(line.origin[std::min(pos, line.origin.size() - 1)]);
        }
        [[nodiscard]] core::Error error(std::size_t pos, std::string id,
                                        std::string message) const {
            return core::make_error(core::ErrorCode::invalid_input, std::move(id),
                                    std::move(message))
                .at(at(pos));
        }
    };

    core::Status parse_line(LogicalLine& line, const core::TextIndex& index, bool as_constraints) {
        if (const auto comment = comment_start(line.text); comment != std::string::npos) {
            line.text.resize(comment);
            line.origin.resize(comment);
        }
        expand_variables(line, m_context.environment);
        const std::string_view text = line.text;
        const auto first = text.find_first_not_of(" \t\f\v");
        if (first == std::string_view::npos) {
            return {};
        }
        const LineScope scope{line, index};
        // pip's break_args_options: arguments up to the first token starting with `-`.
        std::size_t options_at = text.size();
        std::size_t pos = first;
        while (pos < text.size()) {
            if (text[pos] == '-' && (pos == 0 || is_blank(text[pos - 1]))) {
                options_at = pos;
                break;
            }
            ++pos;
        }
        if (options_at > first) {
            const auto args = core::trim_right(text.substr(first, options_at - first));
            RequirementEntry entry;
            if (auto status = make_requirement(args, first, scope, entry); !status) {
                return status;
            }
            if (auto status = parse_requirement_options(options_at, scope, entry); !status) {
                return status;
            }
            (as_constraints ? m_out.constraints : m_out.requirements).push_back(std::move(entry));
            return {};
        }
        return parse_global_options(first, scope, as_constraints);
    }

    core::Status make_requirement(std::string_view args, std::size_t at, const LineScope& scope,
                                  RequirementEntry& entry) {
        entry.text = args;
        entry.location = scope.at(at);
        entry.form = classify(args);
        if (entry.form == RequirementForm::named) {
            auto parsed = Requirement::parse(args);
            if (!parsed) {
                return std::move(parsed).error().within(entry.location);
            }
            entry.requirement = std::move(*parsed);
            return {};
        }
        // URL and path forms: a marker follows ` ;` (pip and uv need the whitespace, as `;`
        // may be part of a URL or path).
        std::string_view target = args;
        if (const auto semi = args.find(';'); semi != std::string_view::npos) {
            if (semi == 0 || !is_blank(args[semi - 1])) {
                return scope
                    .error(at + semi, "requirements.marker_whitespace",
                           fmt::format("`;` right after the {} `{}`; a marker needs whitespace "
                                       "before `;`",
                                       to_string(entry.form), args.substr(0, semi)))
                    .arg("form", std::string(to_string(entry.form)))
                    .arg("target", std::string(args.substr(0, semi)))
                    .with_hint(fmt::format("write `{} ;{}`", args.substr(0, semi),
                                           args.substr(semi + 1)));
            }
            target = core::trim_right(args.substr(0, semi));
            entry.marker = core::trim(args.substr(semi + 1));
            auto marker = Marker::parse(entry.marker);
            if (!marker) {
                const auto marker_at = at + semi + 1 +
                                       (args.substr(semi + 1).size() -
                                        core::trim_left(args.substr(semi + 1)).size());
                return std::move(marker).error().within(scope.at(marker_at));
            }
        }
        if (entry.form == RequirementForm::path) {
            if (const auto hash = target.find('#'); hash != std::string_view::npos) {
                return scope
                    .error(at + hash, "requirements.comment_whitespace",
                           fmt::format("`#` inside the path `{}`", target))
                    .arg("path", std::string(target))
                    .with_hint("a comment needs whitespace before `#`");
            }
        }
        entry.target = target;
        return {};
    }

    /// Tokens of the options part: whitespace-separated, with simple shell quoting.
    struct Token {
        std::string text;
        std::size_t pos = 0;
    };

    static std::vector<Token> tokenize(std::string_view text, std::size_t from) {
        std::vector<Token> tokens;
        std::size_t i = from;
        while (i < text.size()) {
            while (i < text.size() && is_blank(text[i])) {
                ++i;
            }
            if (i >= text.size()) {
                break;
            }
            Token token;
            token.pos = i;
            while (i < text.size() && !is_blank(text[i])) {
                const char c = text[i];
                if (c == '"' || c == '\'') {
                    const auto close = text.find(c, i + 1);
                    if (close != std::string_view::npos) {
                        token.text += text.substr(i + 1, close - i - 1);
                        i = close + 1;
                        continue;
                    }
                }
                token.text.push_back(c);
                ++i;
            }
            tokens.push_back(std::move(token));
        }
        return tokens;
    }

    static const OptionSpec* find_spec(std::string_view name) {
        for (const auto& spec : option_specs()) {
            if (spec.long_name == name || (!spec.short_name.empty() && spec.short_name == name)) {
                return &spec;
            }
        }
        return nullptr;
    }

    static core::Error unknown_option(const LineScope& scope, std::size_t pos,
                                      std::string_view name) {
        auto err = scope.error(pos, "requirements.unknown_option",
                               fmt::format("unknown option `{}` in a requirements file", name))
                       .arg("option", std::string(name));
        std::string_view best;
        std::size_t best_distance = 4;
        for (const auto& spec : option_specs()) {
            const auto distance = core::edit_distance(name, spec.long_name);
            if (distance < best_distance) {
                best_distance = distance;
                best = spec.long_name;
            }
        }
        if (!best.empty()) {
            return std::move(err).with_hint(fmt::format("did you mean `{}`?", best));
        }
        return err;
    }

    /// Reads one option at tokens[i] (advancing i past its value).
    static core::Result<ParsedOption> read_option(const std::vector<Token>& tokens,
                                                  std::size_t& i, const LineScope& scope) {
        const auto& token = tokens[i];
        std::string_view name = token.text;
        std::optional<std::string> attached;
        std::size_t value_pos = token.pos;
        if (name.substr(0, 2) == "--") {
            if (const auto eq = name.find('='); eq != std::string_view::npos) {
                attached = std::string(name.substr(eq + 1));
                value_pos = token.pos + eq + 1;
                name = name.substr(0, eq);
            }
        } else if (name.size() > 2) {
            attached = std::string(name.substr(2));
            value_pos = token.pos + 2;
            name = name.substr(0, 2);
        }
        const auto* spec = find_spec(name);
        if (spec == nullptr) {
            return unknown_option(scope, token.pos, name);
        }
        ParsedOption option{spec, {}, token.pos, token.pos};
        ++i;
        if (!spec->takes_value) {
            if (attached) {
                return scope.error(value_pos, "requirements.unexpected_value",
                                   fmt::format("option `{}` takes no value", spec->long_name))
                    .arg("option", std::string(spec->long_name));
            }
            return option;
        }
        if (attached) {
            option.value = std::move(*attached);
            option.value_pos = value_pos;
        } else if (i < tokens.size()) {
            option.value = tokens[i].text;
            option.value_pos = tokens[i].pos;
            ++i;
        }
        if (core::trim(option.value).empty()) {
            return scope
                .error(token.pos, "requirements.missing_value",
                       fmt::format("option `{}` needs a value", spec->long_name))
                .arg("option", std::string(spec->long_name));
        }
        return option;
    }

    core::Status parse_requirement_options(std::size_t from, const LineScope& scope,
                                           RequirementEntry& entry) {
        const auto tokens = tokenize(scope.line.text, from);
        std::size_t i = 0;
        while (i < tokens.size()) {
            if (tokens[i].text.empty() || tokens[i].text.front() != '-') {
                return scope.error(tokens[i].pos, "requirements.unexpected_text",
                                   fmt::format("unexpected `{}` after the options of a "
                                               "requirement",
                                               tokens[i].text))
                    .arg("text", tokens[i].text);
            }
            auto option = read_option(tokens, i, scope);
            if (!option) {
                return std::move(option).error();
            }
            const auto long_name = option->spec->long_name;
            if (!is_per_requirement(long_name)) {
                return scope
                    .error(option->option_pos, "requirements.option_on_requirement",
                           fmt::format("option `{}` is not allowed on a requirement line",
                                       long_name))
                    .arg("option", std::string(long_name))
                    .with_hint("put global options on a line of their own; a requirement line "
                               "takes only `--hash`, `--config-settings` and `--global-option`");
            }
            if (long_name == opt_hash) {
                if (!valid_hash(option->value)) {
                    return scope
                        .error(option->value_pos, "requirements.bad_hash",
                               fmt::format("invalid hash `{}`; expected `algorithm:hex`",
                                           option->value))
                        .arg("hash", option->value)
                        .with_hint("write `--hash=sha256:<64 hex digits>`");
                }
                entry.hashes.push_back(std::move(option->value));
            } else {
                entry.install_options.emplace_back(std::string(long_name),
                                                   std::move(option->value));
            }
        }
        return {};
    }

    core::Status parse_global_options(std::size_t from, const LineScope& scope,
                                      bool as_constraints) {
        const auto tokens = tokenize(scope.line.text, from);
        std::size_t i = 0;
        while (i < tokens.size()) {
            const auto& token = tokens[i];
            if (token.text.empty() || token.text.front() != '-') {
                return scope
                    .error(token.pos, "requirements.unexpected_text",
                           fmt::format("unexpected `{}` after an option", token.text))
                    .arg("text", token.text)
                    .with_hint("put each requirement and each option on its own line");
            }
            const std::string_view name = token.text;
            const bool editable = name.starts_with("-e") || name == opt_editable ||
                                  name.starts_with("--editable=");
            if (editable) {
                return parse_editable(token, scope, as_constraints);
            }
            auto option = read_option(tokens, i, scope);
            if (!option) {
                return std::move(option).error();
            }
            const auto& spec = *option->spec;
            if (!spec.kind) {
                return scope
                    .error(option->option_pos, "requirements.option_without_requirement",
                           fmt::format("option `{}` belongs on a requirement line",
                                       spec.long_name))
                    .arg("option", std::string(spec.long_name))
                    .with_hint(fmt::format("write it after the requirement: `pkg==1.0 {}=...`",
                                           spec.long_name));
            }
            if (*spec.kind == RequirementsOptionKind::requirement ||
                *spec.kind == RequirementsOptionKind::constraint) {
                const bool constraint =
                    as_constraints || *spec.kind == RequirementsOptionKind::constraint;
                if (auto status = include(*option, scope, constraint); !status) {
                    return status;
                }
            }
            m_out.options.push_back(RequirementsOption{*spec.kind, std::move(option->value),
                                                       scope.at(option->option_pos)});
        }
        return {};
    }

    core::Status parse_editable(const Token& token, const LineScope& scope, bool as_constraints) {
        const std::string_view text = scope.line.text;
        std::size_t value_at = token.pos;
        if (token.text.starts_with("-e")) {
            value_at += 2;
        } else {
            value_at += opt_editable.size();
        }
        if (value_at < text.size() && text[value_at] == '=') {
            ++value_at;
        }
        while (value_at < text.size() && is_blank(text[value_at])) {
            ++value_at;
        }
        const auto value = core::trim_right(text.substr(std::min(value_at, text.size())));
        if (value.empty()) {
            return scope.error(token.pos, "requirements.missing_value",
                               "option `--editable` needs a path or URL")
                .arg("option", "--editable");
        }
        RequirementEntry entry;
        entry.editable = Editable::yes;
        entry.text = value;
        entry.location = scope.at(value_at);
        entry.form = has_url_scheme(value) ? RequirementForm::url : RequirementForm::path;
        if (auto status = make_editable_target(value, value_at, scope, entry); !status) {
            return status;
        }
        (as_constraints ? m_out.constraints : m_out.requirements).push_back(std::move(entry));
        return {};
    }

    core::Status make_editable_target(std::string_view value, std::size_t at,
                                      const LineScope& scope, RequirementEntry& entry) {
        const auto form = entry.form;
        auto status = make_requirement(value, at, scope, entry);
        entry.form = form;  // an editable is never a named requirement
        entry.requirement.reset();
        if (!status) {
            return status;
        }
        if (entry.target.empty()) {
            entry.target = value;
        }
        return {};
    }

    core::Status include(const ParsedOption& option, const LineScope& scope, bool constraint) {
        const auto& including = m_stack.back();
        const auto where = scope.at(option.value_pos);
        if (!m_context.load_include) {
            return scope
                .error(option.value_pos, "requirements.include_unsupported",
                       fmt::format("cannot read `{}` here: includes are not available",
                                   option.value))
                .arg("file", option.value);
        }
        const auto name = join_path(including, option.value);
        if (std::find(m_stack.begin(), m_stack.end(), name) != m_stack.end()) {
            std::string chain;
            for (const auto& file : m_stack) {
                chain += fmt::format("`{}` -> ", file);
            }
            chain += fmt::format("`{}`", name);
            return scope
                .error(option.value_pos, "requirements.include_cycle",
                       fmt::format("include cycle: {}", chain))
                .arg("file", name)
                .arg("chain", chain)
                .with_hint("remove one of the `-r`/`-c` lines that close the cycle");
        }
        if (m_stack.size() > m_context.max_include_depth) {
            return scope
                .error(option.value_pos, "requirements.include_depth",
                       fmt::format("includes nest deeper than {} files at `{}`",
                                   m_context.max_include_depth, name))
                .arg("file", name)
                .arg("max_depth", std::to_string(m_context.max_include_depth));
        }
        auto loaded = m_context.load_include(including, option.value);
        if (!loaded) {
            auto err = std::move(loaded).error().with_context(fmt::format(
                "reading `{}` included from {}:{}", option.value, where.file, where.line));
            if (!err.where) {
                err.where = where;
            }
            return err;
        }
        const std::string content = std::move(*loaded);
        return parse_file(content, name, constraint);
    }

    const RequirementsContext& m_context;
    RequirementsFile& m_out;
    std::vector<std::string> m_stack;
};

}  // namespace

std::string_view to_string(RequirementForm form) noexcept {
    switch (form) {
        case RequirementForm::named: return "requirement";
        case RequirementForm::url: return "URL";
        case RequirementForm::path: return "path";
    }
    return "requirement";
}

std::string_view to_string(RequirementsOptionKind kind) noexcept {
    for (const auto& spec : option_specs()) {
        if (spec.kind == kind) {
            return spec.long_name;
        }
    }
    return "";
}

std::string RequirementsFile::index_url() const {
    std::string out;
    for (const auto& option : options) {
        if (option.kind == RequirementsOptionKind::index_url) {
            out = option.value;
        }
    }
    return out;
}

std::vector<std::string> RequirementsFile::values(RequirementsOptionKind kind) const {
    std::vector<std::string> out;
    for (const auto& option : options) {
        if (option.kind == kind) {
            out.push_back(option.value);
        }
    }
    return out;
}

bool RequirementsFile::has(RequirementsOptionKind kind) const {
    return std::any_of(options.begin(), options.end(),
                       [kind](const RequirementsOption& option) { return option.kind == kind; });
}

core::Result<RequirementsFile> parse_requirements_txt(std::string_view text,
                                                      std::string_view file_name,
                                                      const RequirementsContext& context) {
    RequirementsFile out;
    Parser parser(context, out);
    try {
        if (auto status = parser.parse_file(text, file_name, false); !status) {
            return std::move(status).error();
        }
    } catch (const std::exception& e) {
        return core::make_error(core::ErrorCode::internal, "requirements.internal",
                                fmt::format("unexpected failure reading `{}`: {}", file_name,
                                            e.what()))
            .arg("file", std::string(file_name))
            .arg("problem", e.what());
    }
    return out;
}

}  // namespace envsmith::specs
