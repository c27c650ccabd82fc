#pragma once
// The locks use case (`envsmith locks`): every lock file of envsmith, conda, mamba and Azure ML
// in the usual places, whether its owner is alive, and with `clean` the removal of those no
// live process owns (docs/locks.md).

#include <map>
#include <string>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/install/lock_files.hpp"

namespace envsmith::api {

struct LocksOptions {
    /// More folders to search: prefixes' parents, conda pkgs dirs, environment folders.
    std::vector<std::string> folders;
    std::string cache_dir;  // envsmith's cache; empty: default_cache_dir()
    /// Remove the lock files that are free or stale.
    bool clean = false;
    /// The environment the usual places come from (HOME, CONDA_PKGS_DIRS, CONDA_PREFIX);
    /// `use_process_environment` reads the process's instead.
    std::map<std::string, std::string> environment;
    bool use_process_environment = true;
};

struct LocksReport {
    std::vector<install::LockFile> locks;  // as found, before any removal
    std::vector<std::string> removed;
    std::vector<std::string> searched;  // the folders that exist and were searched
};

[[nodiscard]] core::Result<LocksReport> locks(const LocksOptions& options);

/// The folders searched for `options` (the ones that exist).
[[nodiscard]] install::LockSearch lock_search(const LocksOptions& options);

}  // namespace envsmith::api
