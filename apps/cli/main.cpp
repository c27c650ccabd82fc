// envsmith: environment definitions to reproducible OCI images, and every failure explained.

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands/commands.hpp"
#include "exit_codes.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
    using namespace envsmith::cli;

    CLI::App app{"envsmith: turn environment definitions into reproducible OCI images, "
                 "and explain every way the build can fail",
                 "envsmith"};
    app.require_subcommand(1);
    app.set_version_flag("-V,--version", std::string(envsmith_version));
    app.footer("Exit codes: 0 ok, 1 findings, 2 usage, 3 invalid input, 4 not found, 5 unavailable, "
               "6 permission denied, 7 conflict, 8 cancelled, 70 internal error.\n"
               "Data goes to stdout, messages to stderr. NO_COLOR turns colour off.");

    GlobalOptions globals;
    globals.output.color = stderr_wants_color();
    app.add_flag_callback(
           "--json", [&globals] { globals.output.format = OutputFormat::json; },
           "Print machine-readable JSON on stdout")
        ->configurable(false);

    app.add_option("--lang", globals.lang,
                   "Language of messages: en, pt-BR, cs, es, it, zh-CN (default: from LC_ALL, "
                   "LC_MESSAGES or LANG)")
        ->configurable(false);

    int exit_code = exit_ok;
    add_show_command(app, globals, exit_code);
    add_doctor_command(app, globals, exit_code);
    add_lint_command(app, globals, exit_code);
    add_check_command(app, globals, exit_code);
    add_lock_command(app, globals, exit_code);
    add_create_command(app, globals, exit_code);
    add_build_command(app, globals, exit_code);
    add_locks_command(app, globals, exit_code);
    add_registry_command(app, globals, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        const int code = app.exit(e);
        return code == 0 ? exit_ok : exit_usage;
    }
    return exit_code;
}
