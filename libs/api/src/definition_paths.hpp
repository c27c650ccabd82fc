#pragma once
// Path and platform rules shared by the use cases that read a definition and the files it
// names (load_definition, lint): a file a definition names is relative to the definition.

#include <fmt/format.h>

#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::api::detail {

/// The folder of `path` ("." for a bare file name).
inline std::string parent_directory(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) {
        return ".";
    }
    return slash == 0 ? "/" : path.substr(0, slash);
}

/// `relative` resolved against the folder of `base_file`; absolute paths stay as they are.
inline std::string resolve_beside(const std::string& base_file, std::string_view relative) {
    if (!relative.empty() && relative.front() == '/') {
        return std::string(relative);
    }
    const auto dir = parent_directory(base_file);
    return dir == "." ? std::string(relative) : dir + "/" + std::string(relative);
}

inline bool is_url(std::string_view text) { return text.find("://") != std::string_view::npos; }

/// Whether mamba's `sel(...)` selector keeps a dependency on a target conda subdir. An empty
/// selector, or an unknown target, keeps it.
inline bool selector_matches(std::string_view selector, std::string_view platform) {
    if (selector.empty() || platform.empty()) {
        return true;
    }
    if (selector == "win") return platform.starts_with("win-");
    if (selector == "osx") return platform.starts_with("osx-");
    if (selector == "linux") return platform.starts_with("linux-");
    if (selector == "unix") return platform.starts_with("linux-") || platform.starts_with("osx-");
    return false;
}

/// The error for a lock file handed to a command that reads definitions.
inline core::Error lock_not_definition(const std::string& path, std::string hint) {
    return core::make_error(core::ErrorCode::invalid_input, "definition.lock_not_definition",
                            fmt::format("`{}` is a lock file, not an environment definition", path))
        .arg("path", path)
        .with_hint(std::move(hint));
}

/// The error for a file that is none of the definition formats.
inline core::Error unknown_definition_kind(const std::string& path) {
    return core::make_error(core::ErrorCode::invalid_input, "definition.unknown_kind",
                            fmt::format("cannot tell what kind of definition `{}` is", path))
        .arg("path", path)
        .with_hint("expected an Azure ML environment YAML (`image`, `conda_file` or `build`), a "
                   "conda environment.yml (`dependencies`) or a requirements.txt");
}

}  // namespace envsmith::api::detail
