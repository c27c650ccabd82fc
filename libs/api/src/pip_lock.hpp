#pragma once
// The pip half of `lock`: a definition's pip requirements resolved against the PyPI indexes it
// names, for the Python the conda half installs. A requirement that a conda package of the
// solution already satisfies is not installed again; one that the conda package does not
// satisfy is a conflict, explained before anything is installed.
#include <map>
#include <string>
#include <vector>

#include "envsmith/api/lock.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/specs/definition.hpp"

namespace envsmith::api::detail {

struct PipLockInput {
    const specs::PipSection* pip = nullptr;
    std::string platform;  // conda subdir of the target
    std::string python;    // the target Python, "3.11.9" or "3.11"
    std::string glibc;     // "2.28": manylinux wheels up to this glibc fit
    /// Python distributions the conda solution installs: PEP 503 name -> version.
    std::map<std::string, std::string> conda_provided;
    std::string index_url_override;  // replaces the definition's `--index-url` when set
};

struct PipLockOutcome {
    bool solved = false;
    std::vector<LockedRecord> records;  // pip packages only, by name
    /// Per record name: its dependencies for the target (name -> specifier, `*` for any).
    std::map<std::string, std::map<std::string, std::string>> dependencies;
    std::vector<ExplanationText> explanation;  // when not solved
    /// Requirements the conda solution already satisfies: "numpy (conda 1.26.4)".
    std::vector<std::string> from_conda;
    double solve_seconds = 0;
};

/// Resolves `input.pip`'s requirements. Fails when an index cannot be asked, a requirement
/// does not parse or is a URL, or metadata cannot be read; no solution is an outcome.
[[nodiscard]] core::Result<PipLockOutcome> lock_pip(core::Transport& transport, core::FileSystem& fs,
                                                    core::Reporter& reporter, const PipLockInput& input);

}  // namespace envsmith::api::detail
