#pragma once
// conda's environment.yml: `name`, `prefix`, `channels`, `dependencies` (match specs and a
// nested `- pip:` list) and `variables`. Text in, values out: the caller reads the file.
//
// Dependencies keep their text as written and where they are, so later layers (match spec
// parsing, lint, the solver) can point at the exact line.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// One conda dependency: a match spec as written, e.g. "numpy>=1.20" or "conda-forge::cudf".
struct CondaDependency {
    std::string text;
    /// mamba's `- sel(linux): pkg` platform selector ("linux", "win", "osx", "unix"), or empty.
    /// The consumer keeps the dependency only when the selector matches the target platform.
    std::string selector;
    core::SourceLocation location;  // the scalar's file, line and column

    friend bool operator==(const CondaDependency&, const CondaDependency&) = default;
};

/// One entry of the nested `pip:` list, as written: a PEP 508 requirement, a URL or path, or a
/// pip option line such as `-r requirements.txt` or `--index-url ...` (pip accepts those).
struct PipDependency {
    std::string text;
    core::SourceLocation location;

    friend bool operator==(const PipDependency&, const PipDependency&) = default;
};

struct EnvironmentYml {
    std::string name;                            // empty when absent
    std::string prefix;                          // empty when absent
    std::vector<std::string> channels;           // in priority order
    std::vector<CondaDependency> dependencies;   // in document order, `pip:` entries excluded
    std::vector<PipDependency> pip;              // all `- pip:` lists, concatenated
    std::vector<std::pair<std::string, std::string>> variables;  // in document order
    /// Problems that do not stop parsing (`env.yml.unknown_key`), each with its location.
    std::vector<core::Error> warnings;
};

/// Parses the text of an environment.yml; `file_name` is only used in locations.
///
/// Fails with `invalid_input` and file:line:col on: a YAML syntax error (`yaml.syntax`), an
/// empty document (`env.yml.empty`), a document that is not a mapping (`env.yml.not_mapping`),
/// a duplicate key (`env.yml.duplicate_key`), a value of the wrong type (`env.yml.type`, e.g.
/// "expected a list of strings for `channels`, found a mapping"), an empty dependency
/// (`env.yml.empty_dependency`), and a `dependencies` entry that is neither a string nor
/// `pip: [...]` (`env.yml.bad_dependency`). Unknown top-level keys are warnings.
[[nodiscard]] core::Result<EnvironmentYml> parse_environment_yml(std::string_view text,
                                                                 std::string_view file_name);

}  // namespace envsmith::specs
