#pragma once
// Reads an environment definition from disk, whatever its format, and turns it into the one
// normalised specs::Definition. This is where the files that a definition names (an Azure ML
// `conda_file`, `-r`/`-c` includes, a Docker build context) are read.

#include <map>
#include <string>
#include <vector>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/specs/definition.hpp"

namespace envsmith::api {

struct LoadOptions {
    std::string path;      // the definition file
    std::string platform;  // target conda subdir; empty: the definition's, else the host's
    /// Values for `${VAR}` in requirements files (pip expands only this form).
    std::map<std::string, std::string> environment;
};

struct LoadedDefinition {
    specs::Definition definition;
    core::Digest hash;
    std::vector<core::Error> warnings;  // each with its file, line and column
    std::vector<std::string> files;     // every file read, the definition first
};

/// The conda subdir of the machine envsmith runs on ("linux-64", "linux-aarch64", ...).
[[nodiscard]] std::string host_platform();

/// Loads and normalises a definition. Fails with the first error, located in the file where it
/// is (the definition, its conda file, an included requirements file); nothing is written.
[[nodiscard]] core::Result<LoadedDefinition> load_definition(core::FileSystem& fs,
                                                             const LoadOptions& options);

}  // namespace envsmith::api
