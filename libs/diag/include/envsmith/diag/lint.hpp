#pragma once
// Lint: offline checks of an environment definition against the failure catalogue. Each rule
// prevents one catalogue failure (docs/lint.md has the table) and points at the file, line and
// column that cause it. Pure functions over parsed inputs: the api layer reads the files.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/diag/messages.hpp"
#include "envsmith/specs/azureml.hpp"
#include "envsmith/specs/environment_yml.hpp"
#include "envsmith/specs/requirements_txt.hpp"

namespace envsmith::diag {

enum class LintSeverity : std::uint8_t {
    error,    // the build fails, or fails for some users, as written
    warning,  // the build is likely to fail or not to be reproducible
    info,     // advice; does not change the exit status
};
[[nodiscard]] std::string_view to_string(LintSeverity severity) noexcept;

/// One replacement in one file: `length` bytes starting at `line`:`column` (1-based, bytes)
/// become `replacement`. An insertion has length 0. Edits never span lines.
struct TextEdit {
    std::string file;
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::size_t length = 0;
    std::string replacement;

    friend bool operator==(const TextEdit&, const TextEdit&) = default;
};

/// A rule and what it knows about itself, for `--fix`, docs and tests.
struct LintRule {
    std::string_view id;        // "lint.pip_missing"; messages `<id>.message` and `<id>.fix`
    LintSeverity severity;
    std::string_view prevents;  // a catalogue id, e.g. "pip.not_in_conda_dependencies"
    bool fixable;               // some findings of this rule carry a safe TextEdit
};

/// Every rule, sorted by id.
[[nodiscard]] const std::vector<LintRule>& lint_rules();
/// The rule of `id`, or nullptr.
[[nodiscard]] const LintRule* find_lint_rule(std::string_view id);

struct LintFinding {
    std::string rule;  // "lint.pip_unpinned"
    LintSeverity severity = LintSeverity::warning;
    core::SourceLocation where;
    std::vector<core::MessageArg> args;  // fill `<rule>.message` and `<rule>.fix`
    std::string prevents;                // the catalogue id
    std::optional<TextEdit> fix;         // set when a safe automatic repair exists
};

/// The pip version `--fix` writes when it adds or pins `pip` (the message names it too).
inline constexpr std::string_view default_pip_version = "24.0";
/// Dockerfiles larger than this are refused by Azure ML's image build.
inline constexpr std::size_t max_dockerfile_bytes = 100 * 1024;
/// Longest environment name Azure ML accepts for an asset name.
inline constexpr std::size_t max_environment_name_length = 255;

/// A conda environment file as parsed, with its text (for key lines the parser does not keep).
struct LintCondaFile {
    const specs::EnvironmentYml* env = nullptr;
    std::string_view file;  // display name, as in the locations
    std::string_view text;  // the file's text (for an inline conda file, the Azure ML YAML's)
    /// Its `pip:` section read as a requirements file (parse_pip_section), when it has one.
    const specs::RequirementsFile* pip = nullptr;
    /// False for an Azure ML conda file, whose `name` Azure ML ignores.
    bool name_matters = true;
};

struct LintDockerfile {
    std::string_view file;
    std::string_view text;
};

/// What one definition consists of, parsed. Null / empty members are absent.
struct LintInput {
    const specs::AzureMlEnvironment* azureml = nullptr;
    std::string_view azureml_file;
    std::string_view azureml_text;
    std::optional<LintCondaFile> conda;
    const specs::RequirementsFile* requirements = nullptr;  // a requirements.txt definition
    std::optional<LintDockerfile> dockerfile;
};

/// Runs every rule. Findings are sorted by file, line, column, then rule id. Never fails:
/// a value a rule cannot read (a match spec that does not parse) is skipped by that rule.
[[nodiscard]] std::vector<LintFinding> lint_definition(const LintInput& input);

/// A finding for a parse error that lint reports as a rule instead of failing: Azure ML's
/// `azureml.image_and_build` becomes `lint.image_and_build`. Nullopt for other errors.
[[nodiscard]] std::optional<LintFinding> finding_from_parse_error(const core::Error& error);

/// Reads a conda file's `pip:` list as pip does: a requirements file whose lines are the
/// list's entries. `file` is the conda file's display name; `-r`/`-c` go through `context`.
/// Entries located in the list point at their place in the YAML. Fails as
/// specs::parse_requirements_txt, located the same way.
[[nodiscard]] core::Result<specs::RequirementsFile> parse_pip_section(
    const specs::EnvironmentYml& env, std::string_view file, const specs::RequirementsContext& context);

/// The message ids of a rule: "<rule>.message" and "<rule>.fix".
[[nodiscard]] std::string lint_message_id(std::string_view rule);
[[nodiscard]] std::string lint_fix_id(std::string_view rule);

enum class Color : bool { no, yes };

/// The findings as text, like rustc and ruff: `warning[lint.pip_unpinned]: message`, the
/// location with the line and a caret, `help: fix`; then a summary line. `fixed` counts the
/// edits `--fix` applied (0 without it). `path` names the definition in the summary.
[[nodiscard]] std::string render_lint_text(const std::vector<LintFinding>& findings, const Messages& messages,
                                           std::string_view path, std::size_t fixed, Color color);

/// The findings as a JSON object: {"findings": [{rule, severity, file, line, column, message,
/// fix, fixable, prevents}], "fixed": N}.
[[nodiscard]] std::string render_lint_json(const std::vector<LintFinding>& findings, const Messages& messages,
                                           std::size_t fixed);

}  // namespace envsmith::diag
