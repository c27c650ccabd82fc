#pragma once
// The one table of exit codes. Documented in docs/cli.md; stable across releases.

#include "envsmith/core/result.hpp"

namespace envsmith::cli {

enum ExitCode : int {
    exit_ok = 0,
    exit_findings = 1,           // lint/doctor/check found problems; the command itself worked
    exit_usage = 2,              // bad command line
    exit_invalid_input = 3,      // a definition, lock or log could not be read as such
    exit_not_found = 4,          // a file, package or image does not exist
    exit_unavailable = 5,        // network, registry or disk failure; retrying may help
    exit_permission_denied = 6,  // 401/403, file permissions
    exit_conflict = 7,           // no solution, clobbered files, a held lock
    exit_cancelled = 8,          // interrupted
    exit_internal = 70,          // a bug in envsmith (EX_SOFTWARE)
};

[[nodiscard]] constexpr int exit_code_for(core::ErrorCode code) noexcept {
    switch (code) {
        case core::ErrorCode::invalid_input: return exit_invalid_input;
        case core::ErrorCode::not_found: return exit_not_found;
        case core::ErrorCode::unavailable: return exit_unavailable;
        case core::ErrorCode::permission_denied: return exit_permission_denied;
        case core::ErrorCode::conflict: return exit_conflict;
        case core::ErrorCode::cancelled: return exit_cancelled;
        case core::ErrorCode::internal: return exit_internal;
    }
    return exit_internal;
}

}  // namespace envsmith::cli
