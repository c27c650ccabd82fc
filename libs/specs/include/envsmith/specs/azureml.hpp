#pragma once
// Azure ML CLI v2 environment YAML (https://azuremlschemas.azureedge.net/latest/
// environment.schema.json): `name`, `version`, `description`, `tags`, `image`, `conda_file`
// (a path, or an inline environment.yml mapping), `build` {`path`, `dockerfile_path`},
// `os_type`, `inference_config`, plus envsmith's extensions in the same file (DESIGN.md
// "Inputs" 5): `platform`, `user_managed_dependencies`, `spark`, `environment_variables`,
// `layering`. Unknown keys are warnings, not errors, as Azure ML's own loader treats them.
//
// Also: telling the input formats apart from their text.

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/environment_yml.hpp"

namespace envsmith::specs {

/// `os_type`. Not `linux`: GNU dialects (-std=gnu++20) predefine `linux` as a macro.
enum class OsType : std::uint8_t { linux_os, windows_os };
[[nodiscard]] std::string_view to_string(OsType os) noexcept;

/// `build:` a Docker build context and the Dockerfile inside it.
struct DockerBuild {
    std::string path;                          // the context: a local folder or a URL, as written
    std::string dockerfile_path = "Dockerfile";  // relative to `path`
};

/// `spark:` (envsmith extension).
struct SparkConfig {
    std::vector<std::string> packages;      // Maven coordinates, "group:artifact:version"
    std::vector<std::string> repositories;  // Maven repository URLs
    bool precache_packages = false;
};

/// One layer of the image: the packages (conda or pip names) that go into it.
struct LayerGroup {
    std::string name;  // as written, or "layer-N" (1-based) when the YAML gives a bare list
    std::vector<std::string> packages;
};

/// `layering:` (envsmith extension), in one of two forms:
///  - a strategy name: `layering: single` gives strategy "single" and no groups. The name is
///    kept as written (lowercased); the image layer decides which names it knows.
///  - explicit groups: a list whose entries are either a list of package names or a mapping
///    `{name: cuda, packages: [cudatoolkit, cudnn]}`. That gives strategy "groups"; packages
///    not named in any group go into a last layer of their own.
struct Layering {
    std::string strategy;  // empty when `layering` is absent
    std::vector<LayerGroup> groups;
};

/// `conda_file:` either a path (relative to the YAML file, as written) or inline content.
using CondaFile = std::variant<std::string, EnvironmentYml>;

struct AzureMlEnvironment {
    std::string schema;  // `$schema`, empty when absent
    std::string name;
    std::string version;  // as written: `version: 1` gives "1"
    std::string description;
    std::map<std::string, std::string> tags;
    std::string image;  // as written; parse it with ImageRef::parse, errors at location_of("image")
    std::optional<CondaFile> conda_file;
    std::optional<DockerBuild> build;
    OsType os_type = OsType::linux_os;
    /// `inference_config`, kept opaque: the YAML text of that node, empty when absent.
    std::string inference_config;

    // envsmith extensions
    std::string platform;  // as written, e.g. "linux-64"; empty when absent
    bool user_managed_dependencies = false;
    std::optional<SparkConfig> spark;
    std::map<std::string, std::string> environment_variables;
    Layering layering;

    /// Where each present key's value starts, by dotted key path: "image", "conda_file",
    /// "build", "build.path", "build.dockerfile_path", "platform", "layering", ...
    std::map<std::string, core::SourceLocation, std::less<>> locations;
    /// Problems that do not stop parsing (`azureml.unknown_key`, and the inline conda file's
    /// `env.yml.unknown_key`), each with its location.
    std::vector<core::Error> warnings;

    /// The location of a key's value, or nullptr when the key is absent.
    [[nodiscard]] const core::SourceLocation* location_of(std::string_view key) const;
};

/// Parses the text of an Azure ML environment YAML; `file_name` is only used in locations.
///
/// Fails with `invalid_input` and file:line:col on: a YAML syntax error (`yaml.syntax`), an
/// empty document (`azureml.empty`), a document that is not a mapping (`azureml.not_mapping`),
/// duplicate keys (`azureml.duplicate_key`), values of the wrong type (`azureml.type`), an
/// `os_type` other than linux/windows (`azureml.os_type`), `build` without `path`
/// (`azureml.build_path`), both `image` and `build` (`azureml.image_and_build`, as Azure ML
/// refuses them too), a malformed `layering` (`azureml.layering`), and any error of an inline
/// `conda_file` (its `env.yml.*` ids).
[[nodiscard]] core::Result<AzureMlEnvironment> parse_azureml_environment(std::string_view text,
                                                                         std::string_view file_name);

/// The kinds of input file envsmith reads.
enum class InputKind : std::uint8_t {
    azureml_environment,  // Azure ML CLI v2 environment YAML
    conda_environment,    // conda environment.yml
    requirements_txt,     // pip requirements file
    conda_lock,           // conda-lock v1 (`version: 1`, `metadata`, `package:` list)
    explicit_lock,        // conda `@EXPLICIT` file
    unknown,
};
[[nodiscard]] std::string_view to_string(InputKind kind) noexcept;

/// Tells the input formats apart from their content (the file name is a tie-breaker only):
///  - an `@EXPLICIT` line: explicit_lock;
///  - a YAML mapping with `$schema` naming azureml, or with `image`, `conda_file` or `build`:
///    azureml_environment;
///  - a YAML mapping with `package` (a list) or `metadata`, and `version`: conda_lock;
///  - a YAML mapping with `dependencies` or `channels`: conda_environment;
///  - otherwise text that is not a YAML mapping (or any `.txt`/`.in` file): requirements_txt;
///  - anything else (a YAML mapping with none of those keys): unknown.
/// Never fails.
[[nodiscard]] InputKind detect_input_kind(std::string_view text, std::string_view file_name);

}  // namespace envsmith::specs
