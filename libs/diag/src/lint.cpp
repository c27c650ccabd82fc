// The lint rules. Each rule prevents one failure of the catalogue (docs/lint.md); a rule that
// cannot read a value (a match spec that does not parse) stays silent, because `show` and the
// build report parse errors themselves.

#include "envsmith/diag/lint.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "envsmith/core/text.hpp"
#include "envsmith/specs/conda_version.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/pep440.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::diag {

namespace {

using Severity = LintSeverity;

const std::vector<LintRule>& rule_table() {
    // Sorted by id. `fixable`: some findings carry a TextEdit that --fix applies.
    static const std::vector<LintRule> rules = {
        {"lint.conda_dependency_unpinned", Severity::warning, "conda.unsatisfiable", false},
        {"lint.distutils_missing", Severity::warning, "python.distutils_missing", true},
        {"lint.dockerfile_too_large", Severity::error, "build.command_failed", false},
        {"lint.env_name_reserved", Severity::error, "build.command_failed", false},
        {"lint.env_name_too_long", Severity::error, "build.command_failed", false},
        {"lint.image_and_build", Severity::error, "build.command_failed", false},
        {"lint.image_latest", Severity::warning, "registry.manifest_unknown", false},
        {"lint.image_ref_backslash", Severity::error, "registry.invalid_reference", true},
        {"lint.image_ref_double_slash", Severity::error, "registry.invalid_reference", true},
        {"lint.image_ref_doubled_host", Severity::error, "registry.invalid_reference", true},
        {"lint.image_ref_invalid", Severity::error, "registry.invalid_reference", false},
        {"lint.image_ref_scheme", Severity::error, "registry.invalid_reference", true},
        {"lint.image_ref_uppercase", Severity::error, "registry.invalid_reference", true},
        {"lint.image_untagged", Severity::warning, "registry.manifest_unknown", false},
        {"lint.index_credentials", Severity::error, "pip.no_matching_distribution", false},
        {"lint.index_http", Severity::warning, "pip.no_matching_distribution", false},
        {"lint.no_channels", Severity::warning, "conda.package_not_found", false},
        {"lint.pip_contradicts_conda", Severity::error, "pip.distutils_uninstall", false},
        {"lint.pip_dependency_unpinned", Severity::warning, "pip.resolver_backtracking", false},
        {"lint.pip_duplicates_conda", Severity::warning, "pip.distutils_uninstall", false},
        {"lint.pip_missing", Severity::warning, "pip.not_in_conda_dependencies", true},
        {"lint.pip_unpinned", Severity::warning, "pip.resolver_backtracking", true},
        {"lint.python_missing", Severity::warning, "pip.requires_python", false},
        {"lint.python_multiple", Severity::error, "conda.unsatisfiable", false},
        {"lint.python_unversioned", Severity::warning, "pip.requires_python", false},
        {"lint.require_hashes_incomplete", Severity::error, "pip.require_hashes_incomplete", false},
        {"lint.require_hashes_unpinned", Severity::error, "pip.require_hashes_incomplete", false},
        {"lint.spark_precache", Severity::warning, "spark.precache_failed", false},
        {"lint.user_managed_with_conda_file", Severity::warning, "python.module_not_found", false},
    };
    return rules;
}

using Args = std::vector<core::MessageArg>;

class Findings {
public:
    void add(std::string_view rule_id, core::SourceLocation where, Args args,
             std::optional<TextEdit> fix = std::nullopt) {
        const auto* rule = find_lint_rule(rule_id);
        if (rule == nullptr) {
            return;  // a typo in a rule id is caught by the tests that cover every rule
        }
        m_findings.push_back(LintFinding{std::string(rule_id), rule->severity, std::move(where),
                                         std::move(args), std::string(rule->prevents), std::move(fix)});
    }
    std::vector<LintFinding> take() {
        std::stable_sort(m_findings.begin(), m_findings.end(), [](const LintFinding& a, const LintFinding& b) {
            return std::tie(a.where.file, a.where.line, a.where.column, a.rule) <
                   std::tie(b.where.file, b.where.line, b.where.column, b.rule);
        });
        return std::move(m_findings);
    }

private:
    std::vector<LintFinding> m_findings;
};

std::uint32_t to_u32(std::size_t value) { return static_cast<std::uint32_t>(std::min<std::size_t>(value, UINT32_MAX)); }

/// The column where `text` starts on the located line: the location's own column, or a little
/// after it when the scalar is quoted. Nullopt when the line does not hold `text` there (a
/// folded or multi-line scalar): then no edit may be computed from it.
std::optional<std::uint32_t> scalar_column(const core::SourceLocation& where, std::string_view text) {
    if (where.column == 0 || text.empty()) {
        return std::nullopt;
    }
    const std::string_view line = where.line_text;
    const auto from = std::size_t{where.column - 1};
    const auto at = line.find(text, from);
    if (at == std::string_view::npos || at > from + 1) {
        return std::nullopt;
    }
    return to_u32(at + 1);
}

/// The location of 1-based `line` in `text`, at the first non-blank column (or `column`).
core::SourceLocation line_location(std::string_view file, std::string_view text, std::uint32_t line,
                                   std::uint32_t column = 0) {
    const core::TextIndex index(file, text);
    if (column == 0) {
        const auto line_text = index.line_text(line);
        const auto first = line_text.find_first_not_of(" \t");
        column = first == std::string_view::npos ? 1 : to_u32(first + 1);
    }
    return index.at(line, column);
}

/// The nearest line at or above `from_line` whose first token is `key:`, or 0.
std::uint32_t find_key_above(std::string_view text, std::uint32_t from_line, std::string_view key) {
    const auto lines = core::split(text, '\n');
    for (auto line = std::min<std::size_t>(from_line, lines.size()); line >= 1; --line) {
        auto content = core::trim_left(lines[line - 1]);
        if (content.starts_with("- ")) {
            content = core::trim_left(content.substr(2));
        }
        if (content.starts_with(key) && content.substr(key.size()).starts_with(":")) {
            return to_u32(line);
        }
    }
    return 0;
}

/// The first line, in order, whose text has `key:` at indentation 0, or 0.
std::uint32_t find_top_level_key(std::string_view text, std::string_view key) {
    const auto lines = core::split(text, '\n');
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].starts_with(key) && lines[i].substr(key.size()).starts_with(":")) {
            return to_u32(i + 1);
        }
    }
    return 0;
}

/// Where `needle` first occurs in `text` at or after line `from_line`, or nullopt.
std::optional<core::SourceLocation> find_text(std::string_view file, std::string_view text,
                                              std::string_view needle, std::uint32_t from_line = 1) {
    const core::TextIndex index(file, text);
    std::size_t offset = 0;
    for (std::uint32_t line = 1; line < from_line; ++line) {
        const auto next = text.find('\n', offset);
        if (next == std::string_view::npos) {
            return std::nullopt;
        }
        offset = next + 1;
    }
    const auto at = text.find(needle, offset);
    if (at == std::string_view::npos) {
        return std::nullopt;
    }
    return index.locate(at);
}

/// The text to insert, on its own line after the located list item, as another item of the
/// same block list (`  - <item>`). Nullopt unless the item is a plain block-list entry.
std::optional<TextEdit> insert_list_item_after(const core::SourceLocation& where, std::string_view item_text,
                                               std::string_view new_item, std::string_view file_text) {
    const auto column = scalar_column(where, item_text);
    if (!column) {
        return std::nullopt;
    }
    const std::string_view line = where.line_text;
    const auto prefix = line.substr(0, *column - 1);
    const auto dash = prefix.find('-');
    if (dash == std::string_view::npos || prefix.find_first_not_of(' ') != dash ||
        core::trim(prefix.substr(dash + 1)).size() > 1) {
        return std::nullopt;  // a flow list, a selector, or a nested structure: no safe edit
    }
    const bool quoted = core::trim(prefix.substr(dash + 1)).size() == 1;
    if (quoted) {
        return std::nullopt;
    }
    // The located line's text has no line break; a CRLF file gets CRLF in the new line too.
    std::size_t line_start = 0;
    for (std::uint32_t n = 1; n < where.line && line_start != std::string_view::npos; ++n) {
        line_start = file_text.find('\n', line_start);
        line_start = line_start == std::string_view::npos ? line_start : line_start + 1;
    }
    const auto line_end = line_start == std::string_view::npos ? line_start : line_start + line.size();
    const bool crlf = line.ends_with('\r') || (line_end < file_text.size() && file_text[line_end] == '\r');
    const auto end = line.ends_with('\r') ? line.size() - 1 : line.size();
    return TextEdit{where.file, where.line, to_u32(end + 1), 0,
                    fmt::format("{}{}{}", crlf ? "\r\n" : "\n", prefix, new_item)};
}

// --- names -----------------------------------------------------------------------------

void lint_name(std::string_view name, const core::SourceLocation& where, bool azureml, Findings& out) {
    if (name.empty()) {
        return;
    }
    const auto lower = core::to_lower(name);
    if (lower == "base" || lower == "root") {
        out.add("lint.env_name_reserved", where, {{"name", std::string(name)}, {"reserved_by", "conda"}});
    } else if (azureml && lower.starts_with("azureml")) {
        out.add("lint.env_name_reserved", where, {{"name", std::string(name)}, {"reserved_by", "Azure ML"}});
    }
    if (name.size() > max_environment_name_length) {
        out.add("lint.env_name_too_long", where,
                {{"name", fmt::format("{}...", name.substr(0, 40))},
                 {"length", std::to_string(name.size())},
                 {"limit", std::to_string(max_environment_name_length)}});
    }
}

// --- image references ------------------------------------------------------------------

/// The reference the user meant when `text` is invalid only in mechanical ways: a scheme, a
/// backslash, doubled slashes, a doubled registry host, uppercase in the name. Empty when the
/// repaired text still does not parse. Safe to apply: the original can never be pulled.
std::string repair_image_reference(std::string_view text) {
    std::string out(core::trim(text));
    if (const auto scheme = out.find("://"); scheme != std::string::npos) {
        out.erase(0, scheme + 3);
    }
    std::replace(out.begin(), out.end(), '\\', '/');
    for (auto at = out.find("//"); at != std::string::npos; at = out.find("//")) {
        out.erase(at, 1);
    }
    while (!out.empty() && out.front() == '/') {
        out.erase(0, 1);
    }
    if (const auto slash = out.find('/'); slash != std::string::npos) {
        const auto host = out.substr(0, slash);
        if (out.compare(slash + 1, host.size() + 1, host + "/") == 0) {
            out.erase(0, slash + 1);
        }
    }
    // Lowercase the name only: tags may hold uppercase letters.
    auto name_end = out.find('@');
    const auto last_slash = out.rfind('/', name_end);
    const auto colon = out.find(':', last_slash == std::string::npos ? 0 : last_slash);
    name_end = std::min(name_end, colon);
    for (std::size_t i = 0; i < std::min(name_end, out.size()); ++i) {
        out[i] = core::ascii_lower(out[i]);
    }
    if (!specs::ImageRef::parse(out)) {
        return {};
    }
    return out;
}

/// Lints one image reference whose text starts at `where` (a location of its first character,
/// or of a quote before it).
void lint_image(std::string_view text, const core::SourceLocation& where, Findings& out) {
    auto parsed = specs::ImageRef::parse(text);
    if (!parsed) {
        auto error = std::move(parsed).error().within(where);
        static const std::map<std::string, std::string, std::less<>> rule_of = {
            {"image_ref.backslash", "lint.image_ref_backslash"},
            {"image_ref.double_slash", "lint.image_ref_double_slash"},
            {"image_ref.doubled_host", "lint.image_ref_doubled_host"},
            {"image_ref.scheme", "lint.image_ref_scheme"},
            {"image_ref.uppercase", "lint.image_ref_uppercase"},
        };
        const auto it = rule_of.find(error.message_id);
        const auto repaired = repair_image_reference(text);
        std::optional<TextEdit> fix;
        const auto column = scalar_column(where, text);
        if (it != rule_of.end() && !repaired.empty() && column) {
            fix = TextEdit{where.file, where.line, *column, text.size(), repaired};
        }
        Args args = {{"reference", std::string(text)}, {"suggestion", repaired.empty() ? "?" : repaired}};
        if (it == rule_of.end()) {
            // The specs message repeats the reference; keep only what is wrong with it.
            const auto prefix = fmt::format("invalid image reference `{}`: ", text);
            args.push_back({"problem", error.message.starts_with(prefix) ? error.message.substr(prefix.size())
                                                                         : error.message});
        }
        out.add(it != rule_of.end() ? std::string_view(it->second) : "lint.image_ref_invalid",
                error.where.value_or(where), std::move(args), std::move(fix));
        return;
    }
    if (!parsed->digest.empty()) {
        return;
    }
    const auto last_slash = text.rfind('/');
    const auto last_part = last_slash == std::string_view::npos ? text : text.substr(last_slash + 1);
    const bool written_tag = last_part.find(':') != std::string_view::npos;
    const auto name = written_tag ? text.substr(0, text.size() - last_part.size() + last_part.find(':')) : text;
    const Args args = {{"reference", std::string(text)}, {"name", std::string(name)}};
    if (!written_tag) {
        out.add("lint.image_untagged", where, args);
    } else if (parsed->tag == "latest") {
        out.add("lint.image_latest", where, args);
    }
}

// --- index URLs ------------------------------------------------------------------------

/// `url` with the password (or a token-only user) replaced by `****`, so that findings never
/// repeat a secret. Empty when the URL has no credentials. `${VAR}` references are not secrets.
std::string masked_credentials(std::string_view url) {
    const auto scheme = url.find("://");
    if (scheme == std::string_view::npos) {
        return {};
    }
    const auto authority_start = scheme + 3;
    const auto authority_end = std::min(url.find('/', authority_start), url.size());
    const auto authority = url.substr(authority_start, authority_end - authority_start);
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
        const auto userinfo = authority.substr(0, at);
        const auto colon = userinfo.find(':');
        const auto secret = colon == std::string_view::npos ? userinfo : userinfo.substr(colon + 1);
        if (secret.empty() || (secret.starts_with("${") && secret.ends_with("}"))) {
            return {};
        }
        const auto shown_user = colon == std::string_view::npos ? std::string_view{} : userinfo.substr(0, colon);
        return fmt::format("{}{}{}****@{}", url.substr(0, authority_start), shown_user,
                           shown_user.empty() ? "" : ":", url.substr(authority_start + at + 1));
    }
    // anaconda.org tokens: https://conda.anaconda.org/t/<token>/<channel>
    const auto token = url.find("/t/", authority_end);
    if (token != std::string_view::npos) {
        const auto token_start = token + 3;
        const auto token_end = std::min(url.find('/', token_start), url.size());
        const auto value = url.substr(token_start, token_end - token_start);
        if (!value.empty() && !value.starts_with("${")) {
            return fmt::format("{}****{}", url.substr(0, token_start), url.substr(token_end));
        }
    }
    return {};
}

/// True for `http://` to a host other than the loopback.
bool is_plain_http(std::string_view url) {
    if (!core::to_lower(url.substr(0, 7)).starts_with("http://")) {
        return false;
    }
    auto host = url.substr(7);
    host = host.substr(0, std::min(host.find('/'), host.size()));
    if (const auto at = host.rfind('@'); at != std::string_view::npos) {
        host = host.substr(at + 1);
    }
    if (host.starts_with("[")) {
        host = host.substr(0, host.find(']') + 1);
    } else {
        host = host.substr(0, std::min(host.find(':'), host.size()));
    }
    return !(host == "localhost" || host.starts_with("127.") || host == "[::1]");
}

void lint_url(std::string_view url, const core::SourceLocation& where, std::string_view option,
              Findings& out) {
    if (const auto masked = masked_credentials(url); !masked.empty()) {
        out.add("lint.index_credentials", where, {{"url", masked}, {"option", std::string(option)}});
    }
    if (is_plain_http(url)) {
        const auto masked = masked_credentials(url);
        out.add("lint.index_http", where,
                {{"url", masked.empty() ? std::string(url) : masked}, {"option", std::string(option)}});
    }
}

// --- pip requirements ------------------------------------------------------------------

struct CondaPackage {
    std::string text;  // as written
    specs::MatchSpec spec;
    core::SourceLocation where;
};

/// Whether a conda spec and a pip requirement for the same package can both hold: decided only
/// where one side names an exact version; otherwise they are taken as compatible.
bool contradicts(const specs::MatchSpec& conda, const specs::Requirement& pip) {
    if (pip.specifiers.empty() || !pip.url.empty()) {
        return false;
    }
    const auto& conda_version = conda.version();
    if (conda_version.is_exact()) {
        const auto version = specs::Pep440Version::parse(conda_version.version().to_string());
        if (version && !pip.specifiers.contains(*version, specs::Prereleases::allow)) {
            return true;
        }
    }
    const auto& clauses = pip.specifiers.specifiers();
    if (clauses.size() == 1 && clauses[0].op() == specs::SpecifierOp::equal && !clauses[0].has_wildcard()) {
        const auto version = specs::CondaVersion::parse(clauses[0].version().to_string());
        if (version && !conda_version.matches_all() && !conda_version.contains(*version)) {
            return true;
        }
    }
    return false;
}

bool pinned_for_hashes(const specs::RequirementEntry& entry) {
    if (entry.form != specs::RequirementForm::named || !entry.requirement) {
        return true;  // a URL or a path names one file
    }
    if (!entry.requirement->url.empty()) {
        return true;
    }
    const auto& clauses = entry.requirement->specifiers.specifiers();
    return clauses.size() == 1 &&
           ((clauses[0].op() == specs::SpecifierOp::equal && !clauses[0].has_wildcard()) ||
            clauses[0].op() == specs::SpecifierOp::arbitrary);
}

void lint_requirements(const specs::RequirementsFile& file, const std::vector<CondaPackage>& conda,
                       Findings& out) {
    std::map<std::string, const CondaPackage*> conda_by_name;
    for (const auto& package : conda) {
        conda_by_name.emplace(specs::normalize_package_name(package.spec.name()), &package);
    }
    std::set<std::string> constrained;
    for (const auto& entry : file.constraints) {
        if (entry.requirement && !entry.requirement->specifiers.empty()) {
            constrained.insert(entry.requirement->normalized_name());
        }
    }
    const bool hash_mode = file.has(specs::RequirementsOptionKind::require_hashes) ||
                           std::any_of(file.requirements.begin(), file.requirements.end(),
                                       [](const auto& e) { return !e.hashes.empty(); });
    for (const auto& entry : file.requirements) {
        const auto url = entry.requirement ? entry.requirement->url : entry.target;
        if (!url.empty()) {
            lint_url(url, entry.location, "requirement", out);
        }
        if (hash_mode && entry.editable == specs::Editable::no) {
            if (entry.hashes.empty()) {
                out.add("lint.require_hashes_incomplete", entry.location, {{"requirement", entry.text}});
            }
            if (!pinned_for_hashes(entry)) {
                out.add("lint.require_hashes_unpinned", entry.location, {{"requirement", entry.text}});
            }
        }
        if (!entry.requirement) {
            continue;
        }
        const auto& requirement = *entry.requirement;
        const auto name = requirement.normalized_name();
        if (requirement.url.empty() && requirement.specifiers.empty() && constrained.count(name) == 0 &&
            !hash_mode) {
            out.add("lint.pip_dependency_unpinned", entry.location, {{"package", requirement.name}});
        }
        if (const auto it = conda_by_name.find(name); it != conda_by_name.end()) {
            const auto& package = *it->second;
            const Args args = {{"package", requirement.name},
                               {"pip_spec", entry.text},
                               {"conda_spec", package.text},
                               {"conda_line", std::to_string(package.where.line)}};
            out.add(contradicts(package.spec, requirement) ? "lint.pip_contradicts_conda"
                                                           : "lint.pip_duplicates_conda",
                    entry.location, args);
        }
    }
    using Kind = specs::RequirementsOptionKind;
    for (const auto& option : file.options) {
        if (option.kind == Kind::index_url || option.kind == Kind::extra_index_url ||
            option.kind == Kind::find_links) {
            lint_url(option.value, option.location, specs::to_string(option.kind), out);
        }
    }
}

// --- conda files -----------------------------------------------------------------------

bool is_block_item(const specs::CondaDependency& dependency) {
    return insert_list_item_after(dependency.location, dependency.text, "x", {}).has_value();
}

void lint_conda(const LintCondaFile& conda, Findings& out) {
    const auto& env = *conda.env;
    std::vector<CondaPackage> packages;
    std::vector<const specs::CondaDependency*> pythons;
    std::vector<std::pair<const specs::CondaDependency*, specs::MatchSpec>> pips;
    const specs::CondaDependency* first_block_item = nullptr;
    bool every_dependency_names_a_channel = !env.dependencies.empty();
    for (const auto& dependency : env.dependencies) {
        auto spec = specs::MatchSpec::parse(dependency.text);
        if (!spec) {
            every_dependency_names_a_channel = false;
            continue;
        }
        if (!spec->channel()) {
            every_dependency_names_a_channel = false;
        }
        if (first_block_item == nullptr && is_block_item(dependency)) {
            first_block_item = &dependency;
        }
        const auto& name = spec->name();
        if (name == "python") {
            pythons.push_back(&dependency);
            if (spec->version().matches_all() && !spec->build() && !spec->url()) {
                out.add("lint.python_unversioned", dependency.location, {{"spec", dependency.text}});
            }
        } else if (name == "pip") {
            pips.emplace_back(&dependency, *spec);
        } else if (spec->version().matches_all() && !spec->build() && !spec->url() && !spec->fn() &&
                   name.find('*') == std::string::npos && !name.starts_with("__")) {
            out.add("lint.conda_dependency_unpinned", dependency.location,
                    {{"package", name}, {"spec", dependency.text}});
        }
        packages.push_back(CondaPackage{dependency.text, std::move(*spec), dependency.location});
    }

    // Python: missing, or more than one for the same platform selector.
    const bool has_dependencies = !env.dependencies.empty() || !env.pip.empty();
    if (pythons.empty() && has_dependencies) {
        const auto first_line = !env.dependencies.empty() ? env.dependencies.front().location.line
                                                          : env.pip.front().location.line;
        const auto key_line = find_key_above(conda.text, first_line, "dependencies");
        out.add("lint.python_missing",
                key_line != 0 ? line_location(conda.file, conda.text, key_line)
                              : (!env.dependencies.empty() ? env.dependencies.front().location
                                                           : env.pip.front().location),
                {});
    }
    for (std::size_t i = 1; i < pythons.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = pythons[j]->selector;
            const auto& b = pythons[i]->selector;
            if (a.empty() || b.empty() || a == b) {
                out.add("lint.python_multiple", pythons[i]->location,
                        {{"spec", pythons[i]->text},
                         {"first", pythons[j]->text},
                         {"first_line", std::to_string(pythons[j]->location.line)}});
                break;
            }
        }
    }

    // pip: needed, and pinned, once there are pip dependencies.
    if (!env.pip.empty()) {
        if (pips.empty()) {
            const auto first = env.pip.front().location;
            const auto pip_line = find_key_above(conda.text, first.line, "pip");
            core::SourceLocation where = first;
            if (pip_line != 0) {
                const auto line_text = core::TextIndex(conda.file, conda.text).line_text(pip_line);
                where = line_location(conda.file, conda.text, pip_line, to_u32(line_text.find("pip") + 1));
            }
            const auto* anchor = !pythons.empty() ? pythons.front() : first_block_item;
            std::optional<TextEdit> fix;
            if (anchor != nullptr) {
                fix = insert_list_item_after(anchor->location, anchor->text,
                                             fmt::format("pip={}", default_pip_version), conda.text);
            }
            out.add("lint.pip_missing", where, {{"version", std::string(default_pip_version)}}, std::move(fix));
        }
        for (const auto& [dependency, spec] : pips) {
            const auto& version = spec.version();
            const bool pinned = version.is_exact() ||
                                (version.kind() == specs::VersionSpec::Kind::leaf &&
                                 version.op() == specs::VersionSpec::Operator::starts_with);
            if (pinned || spec.url() || spec.fn()) {
                continue;
            }
            std::optional<TextEdit> fix;
            const auto column = scalar_column(dependency->location, dependency->text);
            if (version.matches_all() && !spec.build() && column && dependency->text.find('[') == std::string::npos &&
                core::trim(dependency->text) == dependency->text) {
                fix = TextEdit{dependency->location.file, dependency->location.line,
                               to_u32(*column + dependency->text.size()), 0,
                               fmt::format("={}", default_pip_version)};
            }
            out.add("lint.pip_unpinned", dependency->location,
                    {{"spec", dependency->text}, {"version", std::string(default_pip_version)}}, std::move(fix));
        }
    }

    // Channels: none (or only `nodefaults`) leaves the choice to whoever builds.
    const bool no_channels = std::all_of(env.channels.begin(), env.channels.end(),
                                         [](const std::string& c) { return c == "nodefaults"; });
    if (no_channels && !env.dependencies.empty() && !every_dependency_names_a_channel) {
        auto key_line = find_key_above(conda.text, env.dependencies.front().location.line, "channels");
        if (key_line == 0) {
            key_line = find_key_above(conda.text, env.dependencies.front().location.line, "dependencies");
        }
        out.add("lint.no_channels",
                key_line != 0 ? line_location(conda.file, conda.text, key_line) : env.dependencies.front().location,
                {});
    }
    // Channel URLs: credentials and plain http, located by searching the text.
    const auto channels_line = env.dependencies.empty()
                                   ? 1U
                                   : std::max(1U, find_key_above(conda.text, env.dependencies.back().location.line,
                                                                 "channels"));
    for (const auto& channel : env.channels) {
        if (channel.find("://") == std::string::npos) {
            continue;
        }
        auto where = find_text(conda.file, conda.text, channel, channels_line);
        if (!where) {
            where = find_text(conda.file, conda.text, channel);
        }
        lint_url(channel, where.value_or(core::SourceLocation{std::string(conda.file), 1, 1, {}}), "channels",
                 out);
    }

    if (conda.name_matters && !env.name.empty()) {
        const auto line = find_top_level_key(conda.text, "name");
        lint_name(env.name, line != 0 ? line_location(conda.file, conda.text, line)
                                      : core::SourceLocation{std::string(conda.file), 1, 1, {}},
                  /*azureml=*/false, out);
    }

    if (conda.pip != nullptr) {
        lint_requirements(*conda.pip, packages, out);
    }
}

// --- Azure ML --------------------------------------------------------------------------

void lint_azureml(const specs::AzureMlEnvironment& env, std::string_view file, Findings& out) {
    const core::SourceLocation top{std::string(file), 1, 1, {}};
    auto at = [&env, &top](std::string_view key) {
        const auto* where = env.location_of(key);
        return where != nullptr ? *where : top;
    };
    if (env.user_managed_dependencies && env.conda_file) {
        out.add("lint.user_managed_with_conda_file", at("user_managed_dependencies"), {});
    }
    if (env.spark && env.spark->precache_packages && !env.spark->packages.empty()) {
        out.add("lint.spark_precache", at("spark.precache_packages"),
                {{"count", std::to_string(env.spark->packages.size())}, {"package", env.spark->packages.front()}});
    }
    if (!env.image.empty()) {
        lint_image(env.image, at("image"), out);
    }
    lint_name(env.name, at("name"), /*azureml=*/true, out);
}

// --- Dockerfiles -----------------------------------------------------------------------

/// One instruction: its physical lines joined (continuations), and where it starts.
struct Instruction {
    std::string keyword;  // uppercase
    std::string text;     // arguments, continuations joined with spaces
    std::uint32_t first_line = 0;
    std::uint32_t last_line = 0;
};

std::vector<Instruction> dockerfile_instructions(std::string_view text) {
    std::vector<Instruction> out;
    const auto lines = core::split(text, '\n');
    std::optional<Instruction> current;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        auto line = core::trim_right(lines[i]);
        const auto content = core::trim_left(line);
        if (content.starts_with('#') || (content.empty() && current)) {
            continue;  // comments and blank lines inside a continuation are skipped, as BuildKit does
        }
        const bool continues = line.ends_with('\\');
        const auto body = continues ? line.substr(0, line.size() - 1) : line;
        if (!current) {
            const auto trimmed = core::trim_left(body);
            if (trimmed.empty()) {
                continue;
            }
            const auto space = std::min(trimmed.find_first_of(" \t"), trimmed.size());
            current = Instruction{core::to_lower(trimmed.substr(0, space)), std::string(core::trim(trimmed.substr(space))),
                                  to_u32(i + 1), to_u32(i + 1)};
            std::transform(current->keyword.begin(), current->keyword.end(), current->keyword.begin(),
                           [](char c) { return static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c); });
        } else {
            current->text += " ";
            current->text += core::trim(body);
            current->last_line = to_u32(i + 1);
        }
        if (!continues) {
            out.push_back(std::move(*current));
            current.reset();
        }
    }
    if (current) {
        out.push_back(std::move(*current));
    }
    return out;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        const auto start = text.find_first_not_of(" \t;&|()", i);
        if (start == std::string_view::npos) {
            break;
        }
        const auto end = std::min(text.find_first_of(" \t;&|()", start), text.size());
        out.push_back(text.substr(start, end - start));
        i = end;
    }
    return out;
}

/// Whether the system Python of a Debian or Ubuntu base image ships without distutils (Debian
/// splits it into `python3-distutils`; Python 3.12 removed distutils, so newer releases do
/// not need it and have no such package). Nullopt: not a Debian/Ubuntu image, or unknown.
std::optional<bool> system_python_lacks_distutils(const specs::ImageRef& image) {
    const auto slash = image.repository.rfind('/');
    const auto name = slash == std::string::npos ? image.repository : image.repository.substr(slash + 1);
    const auto tag = image.tag;
    if (name == "ubuntu") {
        static constexpr std::array<std::string_view, 8> old_names = {"bionic", "focal",  "jammy",  "kinetic",
                                                                      "lunar",  "mantic", "xenial", "trusty"};
        for (const auto old : old_names) {
            if (tag.starts_with(old)) {
                return true;
            }
        }
        const auto dot = tag.find('.');
        if (dot != std::string::npos && dot > 0 && std::all_of(tag.begin(), tag.begin() + static_cast<long>(dot), core::is_ascii_digit)) {
            return std::stoi(tag.substr(0, dot)) < 24;
        }
        return std::nullopt;
    }
    if (name == "debian") {
        static constexpr std::array<std::string_view, 8> old_names = {"stretch", "buster", "bullseye", "bookworm",
                                                                      "9",       "10",     "11",       "12"};
        for (const auto old : old_names) {
            if (tag == old || tag.starts_with(std::string(old) + "-") || tag.starts_with(std::string(old) + ".")) {
                return true;
            }
        }
        return std::nullopt;
    }
    return std::nullopt;
}

bool runs_pip(std::string_view text) {
    const auto w = words(text);
    for (std::size_t i = 0; i < w.size(); ++i) {
        const auto word = w[i];
        if (word.find("get-pip.py") != std::string_view::npos) {
            return true;
        }
        const bool pip = word == "pip" || word == "pip3" || word.ends_with("/pip") || word.ends_with("/pip3") ||
                         (word.starts_with("pip3.") && word.size() > 5);
        if (pip && i + 1 < w.size() && w[i + 1] == "install") {
            return true;
        }
        if (word == "-m" && i + 1 < w.size() && w[i + 1] == "pip") {
            return true;
        }
    }
    return false;
}

/// The apt package of a system Python that RUN installs (`python3`, `python3.10`), or empty.
std::string_view apt_python_package(std::string_view text) {
    const auto w = words(text);
    bool apt = false;
    for (std::size_t i = 0; i < w.size(); ++i) {
        if ((w[i] == "apt-get" || w[i] == "apt") && i + 1 < w.size() && w[i + 1] == "install") {
            apt = true;
        }
        if (!apt) {
            continue;
        }
        if (w[i] == "python3") {
            return w[i];
        }
        if (w[i].starts_with("python3.") && w[i].size() > 8 &&
            std::all_of(w[i].begin() + 8, w[i].end(), core::is_ascii_digit)) {
            const auto minor = std::stoi(std::string(w[i].substr(8)));
            if (minor < 12) {
                return w[i];
            }
        }
    }
    return {};
}

void lint_dockerfile(const LintDockerfile& dockerfile, Findings& out) {
    const auto file = std::string(dockerfile.file);
    const core::TextIndex index(dockerfile.file, dockerfile.text);
    if (dockerfile.text.size() > max_dockerfile_bytes) {
        out.add("lint.dockerfile_too_large", index.at(1, 1),
                {{"file", file},
                 {"size_kb", std::to_string((dockerfile.text.size() + 1023) / 1024)},
                 {"limit_kb", std::to_string(max_dockerfile_bytes / 1024)}});
    }
    struct Stage {
        std::optional<specs::ImageRef> base;
        std::string base_text;
        std::string python_package;                // from apt-get install
        std::optional<TextEdit> python_edit;       // inserts the distutils package after it
        bool has_distutils = false;
        std::optional<core::SourceLocation> pip_run;
    };
    std::vector<Stage> stages;
    std::set<std::string> stage_names;
    for (const auto& instruction : dockerfile_instructions(dockerfile.text)) {
        if (instruction.keyword == "FROM") {
            auto w = words(instruction.text);
            std::erase_if(w, [](std::string_view word) { return word.starts_with("--"); });
            Stage stage;
            if (!w.empty()) {
                const auto image = w[0];
                stage.base_text = std::string(image);
                const auto line_text = index.line_text(instruction.first_line);
                const auto column = line_text.find(image);
                const auto where = index.at(instruction.first_line,
                                            to_u32(column == std::string_view::npos ? 1 : column + 1));
                const bool variable = image.find('$') != std::string_view::npos;
                if (!variable && image != "scratch" && stage_names.count(core::to_lower(image)) == 0) {
                    lint_image(image, where, out);
                    if (auto parsed = specs::ImageRef::parse(image)) {
                        stage.base = std::move(*parsed);
                    }
                }
                if (w.size() >= 3 && core::iequals(w[1], "as")) {
                    stage_names.insert(core::to_lower(w[2]));
                }
            }
            stages.push_back(std::move(stage));
            continue;
        }
        if (stages.empty() || instruction.keyword != "RUN") {
            continue;
        }
        auto& stage = stages.back();
        if (instruction.text.find("distutils") != std::string::npos ||
            instruction.text.find("python3-pip") != std::string::npos) {
            stage.has_distutils = true;  // Debian's python3-pip depends on python3-distutils
        }
        if (const auto package = apt_python_package(instruction.text); !package.empty() && stage.python_package.empty()) {
            stage.python_package = std::string(package);
            for (auto line = instruction.first_line; line <= instruction.last_line; ++line) {
                const auto text = index.line_text(line);
                for (std::size_t at = text.find(package); at != std::string_view::npos;
                     at = text.find(package, at + 1)) {
                    const auto end = at + package.size();
                    const bool word_start = at == 0 || text[at - 1] == ' ' || text[at - 1] == '\t';
                    const bool word_end = end == text.size() || text[end] == ' ' || text[end] == '\t' ||
                                          text[end] == '\\' || text[end] == ';' || text[end] == '&';
                    if (word_start && word_end) {
                        const auto distutils = package == "python3" ? std::string("python3-distutils")
                                                                    : std::string(package) + "-distutils";
                        stage.python_edit = TextEdit{file, line, to_u32(end + 1), 0, " " + distutils};
                        break;
                    }
                }
                if (stage.python_edit) {
                    break;
                }
            }
        }
        if (!stage.pip_run && runs_pip(instruction.text)) {
            const auto line_text = index.line_text(instruction.first_line);
            const auto pip = line_text.find("pip");
            stage.pip_run = index.at(instruction.first_line,
                                     to_u32(pip == std::string_view::npos ? 1 : pip + 1));
        }
    }
    for (const auto& stage : stages) {
        if (!stage.base || stage.python_package.empty() || stage.has_distutils || !stage.pip_run) {
            continue;
        }
        const bool explicit_minor = stage.python_package != "python3";
        const auto lacks = system_python_lacks_distutils(*stage.base);
        if (!explicit_minor && !lacks.value_or(false)) {
            continue;
        }
        if (explicit_minor && !lacks.has_value() && stage.base->repository.find("ubuntu") == std::string::npos &&
            stage.base->repository.find("debian") == std::string::npos) {
            continue;
        }
        const auto distutils = stage.python_package == "python3" ? std::string("python3-distutils")
                                                                 : stage.python_package + "-distutils";
        out.add("lint.distutils_missing", *stage.pip_run,
                {{"image", stage.base_text}, {"python", stage.python_package}, {"package", distutils}},
                stage.python_edit);
    }
}

/// Moves a location inside the text built from a `pip:` list (line k = entry k) to the entry.
void relocate(core::SourceLocation& where, const specs::EnvironmentYml& env, std::string_view file) {
    if (where.file != file || where.line < 1 || where.line > env.pip.size()) {
        return;
    }
    const auto& entry = env.pip[where.line - 1];
    const auto column = scalar_column(entry.location, entry.text).value_or(entry.location.column);
    where.column = column + (where.column > 0 ? where.column - 1 : 0);
    where.line = entry.location.line;
    where.line_text = entry.location.line_text;
}

}  // namespace

std::string_view to_string(LintSeverity severity) noexcept {
    switch (severity) {
        case LintSeverity::error: return "error";
        case LintSeverity::warning: return "warning";
        case LintSeverity::info: return "info";
    }
    return "error";
}

const std::vector<LintRule>& lint_rules() { return rule_table(); }

const LintRule* find_lint_rule(std::string_view id) {
    const auto& rules = rule_table();
    const auto it = std::lower_bound(rules.begin(), rules.end(), id,
                                     [](const LintRule& rule, std::string_view key) { return rule.id < key; });
    return it != rules.end() && it->id == id ? &*it : nullptr;
}

std::string lint_message_id(std::string_view rule) { return fmt::format("{}.message", rule); }
std::string lint_fix_id(std::string_view rule) { return fmt::format("{}.fix", rule); }

std::vector<LintFinding> lint_definition(const LintInput& input) {
    Findings out;
    if (input.azureml != nullptr) {
        lint_azureml(*input.azureml, input.azureml_file, out);
    }
    if (input.conda && input.conda->env != nullptr) {
        lint_conda(*input.conda, out);
    }
    if (input.requirements != nullptr) {
        lint_requirements(*input.requirements, {}, out);
    }
    if (input.dockerfile) {
        lint_dockerfile(*input.dockerfile, out);
    }
    return out.take();
}

std::optional<LintFinding> finding_from_parse_error(const core::Error& error) {
    if (error.message_id != "azureml.image_and_build") {
        return std::nullopt;
    }
    const auto* rule = find_lint_rule("lint.image_and_build");
    return LintFinding{std::string(rule->id), rule->severity, error.where.value_or(core::SourceLocation{}),
                       {}, std::string(rule->prevents), std::nullopt};
}

core::Result<specs::RequirementsFile> parse_pip_section(const specs::EnvironmentYml& env, std::string_view file,
                                                        const specs::RequirementsContext& context) {
    std::string text;
    for (const auto& entry : env.pip) {
        std::string line = entry.text;
        std::replace(line.begin(), line.end(), '\n', ' ');
        text += line + "\n";
    }
    auto parsed = specs::parse_requirements_txt(text, file, context);
    if (!parsed) {
        core::Error error = std::move(parsed).error();
        if (error.where) {
            relocate(*error.where, env, file);
        }
        return error;
    }
    for (auto* entries : {&parsed->requirements, &parsed->constraints}) {
        for (auto& entry : *entries) {
            relocate(entry.location, env, file);
        }
    }
    for (auto& option : parsed->options) {
        relocate(option.location, env, file);
    }
    return parsed;
}

namespace {

std::string paint(Color color, std::string_view code, std::string_view text) {
    return color == Color::yes ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
}

std::string_view severity_color(LintSeverity severity) {
    switch (severity) {
        case LintSeverity::error: return "1;31";
        case LintSeverity::warning: return "1;33";
        case LintSeverity::info: return "1;34";
    }
    return "1";
}

}  // namespace

std::string render_lint_text(const std::vector<LintFinding>& findings, const Messages& messages,
                             std::string_view path, std::size_t fixed, Color color) {
    std::string out;
    std::size_t counts[3] = {0, 0, 0};
    std::size_t fixable = 0;
    for (const auto& f : findings) {
        ++counts[static_cast<std::size_t>(static_cast<unsigned>(f.severity))];
        if (f.fix) {
            ++fixable;
        }
        out += fmt::format("{}: {}\n",
                           paint(color, severity_color(f.severity), fmt::format("{}[{}]", to_string(f.severity), f.rule)),
                           messages.render(lint_message_id(f.rule), f.args, f.rule));
        const auto& w = f.where;
        const auto gutter = std::max<std::size_t>(std::to_string(w.line).size(), 1);
        out += fmt::format("{:>{}}--> {}:{}:{}\n", "", gutter, w.file.empty() ? "<input>" : w.file, w.line, w.column);
        if (!w.line_text.empty()) {
            std::string line_text = w.line_text;
            if (!line_text.empty() && line_text.back() == '\r') {
                line_text.pop_back();
            }
            out += fmt::format("{:>{}} |\n{} | {}\n{:>{}} | {:>{}}\n", "", gutter, w.line, line_text, "", gutter,
                               "^", w.column == 0 ? 1 : w.column);
        }
        out += fmt::format("{:>{}} = prevents: {}\n", "", gutter, f.prevents);
        out += fmt::format("{}: {}{}\n\n", paint(color, "1;36", "help"),
                           messages.render(lint_fix_id(f.rule), f.args), f.fix ? " [fixable]" : "");
    }
    if (fixed > 0) {
        out += messages.render("lint.fixed", {{"fixed", std::to_string(fixed)}}, "fixed {fixed} finding(s)") + "\n";
    }
    if (findings.empty()) {
        out += messages.render("lint.summary_clean", {{"path", std::string(path)}}, "no findings in `{path}`") + "\n";
    } else {
        out += messages.render("lint.summary",
                               {{"findings", std::to_string(findings.size())},
                                {"errors", std::to_string(counts[0])},
                                {"warnings", std::to_string(counts[1])},
                                {"infos", std::to_string(counts[2])},
                                {"fixable", std::to_string(fixable)}},
                               "{findings} finding(s)") +
               "\n";
    }
    return out;
}

std::string render_lint_json(const std::vector<LintFinding>& findings, const Messages& messages, std::size_t fixed) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : findings) {
        nlohmann::json args = nlohmann::json::object();
        for (const auto& a : f.args) {
            args[a.name] = a.value;
        }
        list.push_back({{"rule", f.rule},
                        {"severity", std::string(to_string(f.severity))},
                        {"file", f.where.file},
                        {"line", f.where.line},
                        {"column", f.where.column},
                        {"message", messages.render(lint_message_id(f.rule), f.args, f.rule)},
                        {"fix", messages.render(lint_fix_id(f.rule), f.args)},
                        {"fixable", f.fix.has_value()},
                        {"prevents", f.prevents},
                        {"args", std::move(args)}});
    }
    return nlohmann::json{{"findings", std::move(list)}, {"fixed", fixed}}.dump(2);
}

}  // namespace envsmith::diag
