// envsmith doctor LOG: the root cause of a failed build, and what to do about it.

#include <fmt/format.h>

#include <memory>

#include "commands.hpp"
#include "envsmith/api/doctor.hpp"
#include "envsmith/diag/render.hpp"
#include "exit_codes.hpp"
#include "version.hpp"

namespace envsmith::cli {

namespace {
struct DoctorCommand {
    api::DoctorOptions options;
    bool sarif = false;
};
}  // namespace

void add_doctor_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto command = std::make_shared<DoctorCommand>();
    auto* cmd = app.add_subcommand(
        "doctor",
        "Find the root cause of a failed build in its log (docker, BuildKit, conda, mamba, pip, "
        "Azure ML) and say how to fix it");
    cmd->add_option("LOG", command->options.path, "The build log; `-` or nothing reads standard input");
    cmd->add_flag("--sarif", command->sarif, "Print SARIF 2.1.0 for CI annotations instead of text");
    cmd->footer("Exit status: 0 when no known failure was found, 1 when one was, 3-70 on errors.");
    cmd->callback([command, &globals, &exit_code] {
        const auto report = api::diagnose_log(command->options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        const diag::RenderOptions render{command->options.path == "-" ? "<stdin>" : command->options.path,
                                         globals.output.color, envsmith_version};
        const auto& d = report->diagnosis;
        if (command->sarif) {
            fmt::print("{}\n", diag::render_sarif(d, globals.messages(), render));
        } else if (globals.output.format == OutputFormat::json) {
            fmt::print("{}\n", diag::render_json(d, globals.messages(), render));
        } else {
            fmt::print("{}", diag::render_text(d, globals.messages(), render));
        }
        exit_code = d.root() != nullptr ? exit_findings : exit_ok;
    });
}

}  // namespace envsmith::cli
