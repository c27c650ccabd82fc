#pragma once
// Each command adds itself to the app: parse options into a struct, call api, render.

#include <CLI/CLI.hpp>

#include "../render.hpp"

namespace envsmith::cli {

/// Options every command shares; filled by the top-level parser before a command runs.
struct GlobalOptions {
    Output output;
};

void add_show_command(CLI::App& app, const GlobalOptions& globals, int& exit_code);

}  // namespace envsmith::cli
