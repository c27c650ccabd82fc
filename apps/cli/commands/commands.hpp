#pragma once
// Each command adds itself to the app: parse options into a struct, call api, render.

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "../render.hpp"
#include "envsmith/diag/messages.hpp"

namespace envsmith::cli {

/// Options every command shares; filled by the top-level parser before a command runs.
class GlobalOptions {
public:
    /// Points `output.messages` at `messages()`, so errors print in the chosen language.
    GlobalOptions();
    GlobalOptions(const GlobalOptions&) = delete;
    GlobalOptions& operator=(const GlobalOptions&) = delete;

    Output output;
    std::string lang;  // --lang; empty: from LC_ALL / LC_MESSAGES / LANG

    /// The message catalogs of the chosen language (English where a text is missing).
    [[nodiscard]] const diag::Messages& messages() const;

private:
    mutable std::unique_ptr<diag::Messages> m_messages;
};

void add_create_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_locks_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_registry_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_build_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_show_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_doctor_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_lint_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_check_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);
void add_lock_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);

}  // namespace envsmith::cli
