#pragma once
// The lock use case: solve a definition's conda (and pip) requests for one or more platforms
// and write a conda-lock v1 file with URLs and hashes, so that a build never solves again.
// `--check` compares an existing lock's recorded definition hash with the definition's.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "envsmith/api/network.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/specs/conda_lock.hpp"

namespace envsmith::api {

enum class LockChannelPriority : std::uint8_t { strict, flexible, disabled };

struct LockOptions {
    std::string path;                    // the definition file
    std::vector<std::string> platforms;  // empty: the definition's, else the host's
    std::string output = "conda-lock.yml";
    /// Do not solve; say whether `output` was made from this definition.
    bool check = false;
    /// Do not write the lock file (the solution is still reported).
    bool dry_run = false;
    /// Ignore the packages of an existing lock file at `output`. Without it, a package the
    /// existing lock has is kept at its locked version and build wherever the definition
    /// still allows it (as `uv lock` does without `--upgrade`), so locking again changes
    /// only what the definition's change requires.
    bool upgrade = false;
    LockChannelPriority channel_priority = LockChannelPriority::flexible;
    /// `CONDA_OVERRIDE_*` values (empty map: the process environment's).
    std::map<std::string, std::string> overrides;
    bool use_process_overrides = true;
    /// The target Python for a definition with pip requirements and no conda section.
    std::string python = "3.12";
    /// A PyPI simple index that replaces the definition's `--index-url`; empty: the
    /// definition's, else the settings' default.
    std::string index_url;
    /// conda's `add_pip_as_python_dependency`: `pip` is a dependency of every `python`.
    bool add_pip_as_python_dependency = true;
    std::map<std::string, std::string> environment;  // `${VAR}` values for requirements files
    NetworkSettings network;
};

/// One package of a solution.
struct LockedRecord {
    std::string manager;  // "conda" or "pip"
    std::string name;
    std::string version;
    std::string build;
    std::uint64_t build_number = 0;
    std::string channel;
    std::string subdir;
    std::string fn;
    std::string url;  // redacted
    /// The URL to download from, credentials and tokens kept: never printed or written.
    std::string fetch_url;
    std::string md5;
    std::string sha256;
};

/// One line of an explanation: a catalog id, its arguments, the English text.
struct ExplanationText {
    std::uint32_t depth = 0;
    std::string message_id;
    std::vector<core::MessageArg> args;
    std::string text;
};

struct PlatformLock {
    std::string platform;
    bool solved = false;
    std::vector<LockedRecord> records;        // sorted by manager (conda first), then name
    std::vector<ExplanationText> explanation;  // when not solved
    /// pip requirements the conda packages already satisfy: "numpy (conda 1.26.4)".
    std::vector<std::string> pip_from_conda;
    double load_seconds = 0;
    double solve_seconds = 0;
};

enum class LockFreshness : std::uint8_t { fresh, stale, missing, unreadable };

struct LockReport {
    std::string file;         // the definition
    std::string output;       // the lock file
    std::string content_hash; // the definition's hash, as recorded in the lock
    std::vector<PlatformLock> platforms;
    bool written = false;
    /// `--check`: per platform, whether the lock was made from this definition.
    LockFreshness freshness = LockFreshness::fresh;
    std::vector<std::string> stale_platforms;
    std::vector<core::Error> warnings;
    /// Whether every platform solved (or, with `check`, the lock is fresh).
    [[nodiscard]] bool ok() const noexcept;
};

/// Loads the definition, fetches its channels' repodata for each platform, solves and writes
/// the lock file atomically (only when every platform solved). Fails when the definition
/// cannot be loaded, a channel cannot be fetched, or the lock cannot be written; an
/// unsatisfiable request is a report with explanations, not an error.
[[nodiscard]] core::Result<LockReport> lock(core::FileSystem& fs, core::Transport& transport,
                                            core::Reporter& reporter, const LockOptions& options);
/// The same with the real libcurl transport built from `options.network`.
[[nodiscard]] core::Result<LockReport> lock(core::FileSystem& fs, core::Reporter& reporter,
                                            const LockOptions& options);

}  // namespace envsmith::api
