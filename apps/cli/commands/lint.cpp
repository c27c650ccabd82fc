// envsmith lint ENV: offline checks of a definition against the failure catalogue.

#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/lint.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {

void add_lint_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::LintOptions>();
    auto* cmd = app.add_subcommand(
        "lint", "Check a definition for known causes of build failures, offline (docs/lint.md)");
    cmd->add_option("ENV", options->path,
                    "Azure ML environment YAML, conda environment.yml or requirements.txt")
        ->required();
    cmd->add_flag_callback("--fix", [options] { options->fix = api::ApplyFixes::yes; },
                           "Apply the safe fixes (e.g. add a pinned `pip`) to the files");
    cmd->add_option("--platform", options->platform,
                    "Target conda subdir, e.g. linux-64: `sel(...)` dependencies for other platforms "
                    "are skipped (default: the definition's, else all)");
    cmd->footer("Exit status: 0 when there is no finding at warning or error level, 1 when there "
                "is, 3-70 on errors.");
    cmd->callback([options, &globals, &exit_code] {
        api::LocalFileSystem fs;
        const auto report = api::lint(fs, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        if (globals.output.format == OutputFormat::json) {
            auto out = nlohmann::json::parse(
                diag::render_lint_json(report->findings, globals.messages(), report->fixed));
            nlohmann::json warnings = nlohmann::json::array();
            for (const auto& w : report->warnings) {
                warnings.push_back(nlohmann::json::parse(error_json(w)));
            }
            out["warnings"] = std::move(warnings);
            fmt::print("{}\n", out.dump(2));
        } else {
            report_warnings(globals.output, report->warnings);
            fmt::print("{}", diag::render_lint_text(report->findings, globals.messages(), options->path,
                                                    report->fixed,
                                                    globals.output.color ? diag::Color::yes : diag::Color::no));
        }
        const bool failing = std::any_of(report->findings.begin(), report->findings.end(), [](const auto& f) {
            return f.severity != diag::LintSeverity::info;
        });
        exit_code = failing ? exit_findings : exit_ok;
    });
}

}  // namespace envsmith::cli
