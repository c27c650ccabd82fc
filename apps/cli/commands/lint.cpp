// placeholder: envsmith lint
#include "commands.hpp"
namespace envsmith::cli {
void add_lint_command(CLI::App&, const GlobalOptions&, int&) {}
}  // namespace envsmith::cli
