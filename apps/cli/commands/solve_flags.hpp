#pragma once
// The flags `lock` and `create` share: how a definition is solved and where packages come from.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "envsmith/api/lock.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/diag/messages.hpp"

namespace envsmith::cli {

class SolveFlags {
public:
    /// Adds --channel-priority, --python, --index-url, --no-pip-dependency, --channel-alias,
    /// --cache-dir, --offline, --refresh and --config to `cmd`.
    void add_to(CLI::App& cmd, api::LockOptions& options);
    /// Whether --python was given (else `create` targets the host's Python).
    [[nodiscard]] bool python_given() const { return m_python != nullptr && m_python->count() > 0; }
    /// Reads the settings file and applies the flags to `options` (after parsing).
    [[nodiscard]] core::Status apply(core::FileSystem& fs, api::LockOptions& options) const;

private:
    api::NetworkSettings m_network;
    std::string m_config;
    std::string m_priority = "flexible";
    bool m_refresh = false;
    bool m_no_pip = false;
    CLI::Option* m_python = nullptr;
};

/// Prints why a request has no solution, one indented line per step, in the chosen language.
void print_explanation(const std::vector<api::ExplanationText>& lines, const diag::Messages& messages);

}  // namespace envsmith::cli
