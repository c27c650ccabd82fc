#pragma once
// Lock files of envsmith, conda, mamba and Azure ML, and whether their owners are alive: the
// answer to "Waiting for other Conda operations to finish" (`envsmith locks`, docs/locks.md).
//
// envsmith's own locks are kernel locks (flock) that die with their process: a lock file of
// envsmith is "held" or "free", never stale. conda's older lock files (`.conda_lock-<pid>`,
// `<path>.pid<pid>.conda_lock`) are plain files with the owner's PID in the name; they are
// stale when that process is gone. Other lock files are probed for kernel locks (flock and
// POSIX record locks, whose holder the kernel names) and read for a PID.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::install {

enum class LockKind : std::uint8_t {
    envsmith_cache,   // <cache>/pkgs/locks/<key>.lock
    envsmith_prefix,  // .<name>.envsmith-lock beside a prefix
    conda,            // conda's package-cache or environment lock files
    mamba,            // micromamba/mamba `*.lock` files holding a PID
    azureml,          // ~/.azureml/locks/*
};

enum class LockState : std::uint8_t {
    held,     // a live process holds a kernel lock on it, or its recorded owner is alive
    free,     // an envsmith lock file nobody holds: harmless, removable
    stale,    // its recorded owner is dead and nobody holds it: removable
    unknown,  // no kernel lock and no owner recorded: left alone
};

struct LockFile {
    std::string path;
    LockKind kind = LockKind::conda;
    LockState state = LockState::unknown;
    std::optional<std::int64_t> pid;  // the owner, from the kernel, the name or the content
};

/// Where to look. Folders that do not exist are skipped.
struct LockSearch {
    std::vector<std::string> envsmith_cache_roots;  // package cache roots (install::package_cache_root)
    std::vector<std::string> prefix_parents;        // folders holding prefixes (for .<name>.envsmith-lock)
    std::vector<std::string> conda_dirs;            // conda pkgs dirs and environment folders
    std::vector<std::string> azureml_dirs;          // e.g. ~/.azureml/locks
};

/// Every lock file found, sorted by path, each with its state.
[[nodiscard]] std::vector<LockFile> find_lock_files(const LockSearch& search);

/// Removes a lock file if it is still free or stale when checked again right before the
/// removal (an envsmith lock is flocked by us while it is unlinked). Returns whether it was
/// removed; `install.locks.remove_failed` when the file system refuses.
[[nodiscard]] core::Result<bool> remove_if_unowned(const LockFile& lock);

[[nodiscard]] std::string_view to_string(LockKind kind) noexcept;
[[nodiscard]] std::string_view to_string(LockState state) noexcept;

}  // namespace envsmith::install
