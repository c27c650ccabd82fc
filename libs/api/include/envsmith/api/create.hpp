#pragma once
// The create use case (`envsmith create`): materialise an environment into a prefix. A
// definition is solved first (as `envsmith lock` does, nothing written); a conda-lock file or
// an `@EXPLICIT` file is installed as it is, never solved again. Every package is downloaded
// into the shared package cache and verified against its hash, conda packages are linked and
// wheels installed into a staging directory beside the prefix, and the staging directory
// replaces the prefix in one atomic step (install::PrefixTransaction).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/api/lock.hpp"
#include "envsmith/api/network.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

enum class CreateSource : std::uint8_t { definition, conda_lock, explicit_file };

struct CreateOptions {
    std::string path;    // a definition, a conda-lock file or an @EXPLICIT file
    /// The prefix as the environment will see it: embedded in scripts and text files.
    std::string prefix;
    /// Where the prefix is written on this machine; empty: `prefix`. The image build writes
    /// into a staging root (`<root>/opt/envsmith/envs/<name>`) for prefix `/opt/envsmith/envs/<name>`.
    std::string write_dir;
    std::string platform;  // empty: a lock's only platform, the definition's, else the host's
    /// Solve and report what would be installed; download and change nothing.
    bool dry_run = false;
    /// Run packages' pre-link and post-link scripts (off by default: they run arbitrary code).
    bool run_link_scripts = false;
    /// Copy every file instead of hard-linking from the package cache.
    bool copy_files = false;
    std::uint32_t max_parallel_downloads = 4;
    /// For prefixes that go into images: conda-meta names no host path (package cache) and its
    /// history carries this time (seconds since the epoch) instead of the clock's, so the same
    /// lock gives the same bytes on any machine.
    std::optional<std::int64_t> reproducible_epoch;
    /// The Python a prefix without a conda `python` (a requirements.txt or pip-only definition,
    /// or a lock with wheels only) is a virtual environment over (PEP 405): its absolute path as
    /// the environment sees it at runtime, e.g. `/usr/bin/python3.11`. The prefix gets
    /// `pyvenv.cfg` and `bin/python`, `bin/python3`, `bin/pythonX.Y` links to it, and the
    /// definition is solved for its X.Y. When the prefix is written for this machine
    /// (`write_dir` empty) the interpreter is run once to learn its version; otherwise (an
    /// image) X.Y comes from its file name `pythonX.Y`, else from `lock.python`. Empty: this
    /// machine's `python3` on PATH, resolved to the real file of its base interpreter (through
    /// symbolic links, shims and virtual environments). Unused when conda installs python.
    std::string base_python;
    /// For definitions: the same settings `envsmith lock` takes (channel priority, the Python
    /// of a pip-only definition, index URL, overrides, network).
    LockOptions lock;
};

struct CreatedPackage {
    std::string manager;  // "conda" or "pip"
    std::string name;
    std::string version;
    std::string build;
    std::string url;  // redacted
    std::uint64_t size = 0;
    bool downloaded = false;  // false: taken from the package cache
};

struct PhaseTimes {
    double solve_s = 0;
    double download_s = 0;
    double link_s = 0;  // conda packages
    double pip_s = 0;   // wheels
    double commit_s = 0;
};

struct CreateReport {
    std::string file;
    CreateSource source = CreateSource::definition;
    std::string prefix;
    std::string platform;
    bool dry_run = false;
    /// Whether the request solved; when not, `explanation` says why and nothing was changed.
    bool solved = true;
    std::vector<ExplanationText> explanation;
    std::vector<CreatedPackage> packages;  // conda first, then pip, by name
    std::vector<std::string> pip_from_conda;
    /// A prefix without a conda python: the interpreter it is a virtual environment over and
    /// the version written into its `pyvenv.cfg` (X.Y.Z, or X.Y when it could not be run). Empty
    /// otherwise.
    std::string base_python;
    std::string base_python_version;
    bool replaced_existing = false;
    std::uint64_t downloaded_bytes = 0;
    std::uint64_t cached_packages = 0;
    std::uint64_t prefix_bytes = 0;  // size of the files in the new prefix
    std::uint64_t prefix_files = 0;
    PhaseTimes times;
    std::vector<core::Error> warnings;
};

/// Creates (or replaces) the prefix. Fails when the input cannot be read, a package cannot be
/// downloaded or verified, or linking fails; the prefix is then left as it was. An
/// unsatisfiable definition is a report (`solved == false`), not an error.
[[nodiscard]] core::Result<CreateReport> create(core::FileSystem& fs, core::Transport& transport,
                                                core::Reporter& reporter, const CreateOptions& options);
/// The same with the real libcurl transport built from `options.lock.network`.
[[nodiscard]] core::Result<CreateReport> create(core::FileSystem& fs, core::Reporter& reporter,
                                                const CreateOptions& options);

}  // namespace envsmith::api
