#pragma once
// The lint use case: read a definition and the files it names (an Azure ML `conda_file`, the
// Dockerfile of a build context, `-r`/`-c` includes) through the FileSystem port, run the
// lint rules of diag, and with `--fix` apply their safe edits.

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/diag/lint.hpp"

namespace envsmith::api {

enum class ApplyFixes : bool { no, yes };

struct LintOptions {
    std::string path;  // the definition file
    /// Target conda subdir: dependencies whose `sel(...)` does not match it are not linted.
    /// Empty: the definition's `platform`, else every dependency counts.
    std::string platform;
    ApplyFixes fix = ApplyFixes::no;
    /// Values for `${VAR}` in requirements files.
    std::map<std::string, std::string> environment;
};

struct LintReport {
    /// After `--fix`, the findings that remain. Sorted by file, line, column, rule.
    std::vector<diag::LintFinding> findings;
    std::vector<core::Error> warnings;  // the parsers' warnings (unknown keys), located
    std::vector<std::string> files;     // every file read, the definition first
    std::size_t fixed = 0;              // edits applied by `--fix`
    std::vector<std::string> fixed_files;
};

/// Lints a definition. Fails like `load_definition` when a file cannot be read or does not
/// parse (the error names its file, line and column), except for what lint reports as findings
/// (an invalid image reference, `image` together with `build`).
///
/// With ApplyFixes::yes, the safe edits are applied in memory, every file is parsed and linted
/// again from the edited text, and only then written, each file atomically; if the edited
/// definition does not parse, nothing is written and the call fails with `lint.fix_broke_parse`
/// (the parse error as context). A failed write restores the files already written.
[[nodiscard]] core::Result<LintReport> lint(core::FileSystem& fs, const LintOptions& options);

}  // namespace envsmith::api
