// envsmith lock ENV: solve conda (and pip) together and write a conda-lock v1 file.

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "solve_flags.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/api/lock.hpp"
#include "envsmith/core/reporter.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {
namespace {

std::string_view to_string(api::LockFreshness freshness) {
    switch (freshness) {
    case api::LockFreshness::fresh: return "fresh";
    case api::LockFreshness::stale: return "stale";
    case api::LockFreshness::missing: return "missing";
    case api::LockFreshness::unreadable: return "unreadable";
    }
    return "unreadable";
}

void print_json(const api::LockReport& report, const diag::Messages& messages, bool check) {
    nlohmann::json out = {{"file", report.file}, {"output", report.output},
                          {"content_hash", report.content_hash}, {"written", report.written}};
    if (check) {
        out["freshness"] = std::string(to_string(report.freshness));
        out["stale_platforms"] = report.stale_platforms;
    }
    nlohmann::json platforms = nlohmann::json::object();
    for (const auto& p : report.platforms) {
        nlohmann::json entry;
        entry["status"] = p.solved ? "solved" : "unsolvable";
        entry["timings"] = {{"load_s", p.load_seconds}, {"solve_s", p.solve_seconds}};
        entry["pip_from_conda"] = p.pip_from_conda;
        if (p.solved) {
            nlohmann::json packages = nlohmann::json::array();
            for (const auto& r : p.records) {
                packages.push_back({{"manager", r.manager}, {"name", r.name}, {"version", r.version},
                                    {"build", r.build}, {"build_number", r.build_number},
                                    {"channel", r.channel}, {"subdir", r.subdir}, {"fn", r.fn},
                                    {"url", r.url}, {"md5", r.md5}, {"sha256", r.sha256}});
            }
            entry["packages"] = std::move(packages);
        } else {
            nlohmann::json lines = nlohmann::json::array();
            nlohmann::json detail = nlohmann::json::array();
            for (const auto& line : p.explanation) {
                const auto text = messages.render(line.message_id, line.args, line.text);
                lines.push_back(std::string(line.depth * 2, ' ') + text);
                nlohmann::json args = nlohmann::json::object();
                for (const auto& arg : line.args) args[arg.name] = arg.value;
                detail.push_back({{"depth", line.depth}, {"message_id", line.message_id},
                                  {"args", std::move(args)}, {"message", text}});
            }
            entry["explanation"] = std::move(lines);
            entry["explanation_detail"] = std::move(detail);
        }
        platforms[p.platform] = std::move(entry);
    }
    out["platforms"] = std::move(platforms);
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& warning : report.warnings) warnings.push_back(nlohmann::json::parse(error_json(warning)));
    out["warnings"] = std::move(warnings);
    fmt::print("{}\n", out.dump(2));
}

void print_text(const api::LockReport& report, const diag::Messages& messages) {
    for (const auto& p : report.platforms) {
        if (!p.solved) {
            fmt::print("{}:\n", p.platform);
            print_explanation(p.explanation, messages);
            continue;
        }
        fmt::print("{}\n", messages.render("lock.platform.solved",
                                           {{"platform", p.platform},
                                            {"count", std::to_string(p.records.size())}},
                                           "{platform}: {count} packages"));
        for (const auto& r : p.records) {
            if (r.manager == "pip") {
                fmt::print("  {} {} (pip)\n", r.name, r.version);
            } else {
                fmt::print("  {} {} {} ({})\n", r.name, r.version, r.build, r.channel);
            }
        }
        if (!p.pip_from_conda.empty()) {
            std::string list;
            for (const auto& item : p.pip_from_conda) list += (list.empty() ? "" : ", ") + item;
            fmt::print("{}\n", messages.render("lock.pip.from_conda", {{"packages", list}},
                                               "  from conda, not installed again by pip: {packages}"));
        }
    }
    if (report.written) {
        fmt::print("{}\n", messages.render("lock.written", {{"output", report.output}}, "wrote {output}"));
    }
}

}  // namespace

void add_lock_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::LockOptions>();
    auto flags = std::make_shared<SolveFlags>();
    auto* cmd = app.add_subcommand(
        "lock", "Solve the definition's packages and write a conda-lock v1 file (docs/cli.md)");
    cmd->add_option("ENV", options->path,
                    "Azure ML environment YAML, conda environment.yml or requirements.txt")
        ->required();
    cmd->add_option("-o,--output", options->output, "Lock file to write")->capture_default_str();
    cmd->add_option("--platform", options->platforms,
                    "Target conda subdir; repeat for several (default: the definition's, else this "
                    "machine's)");
    cmd->add_flag("--check", options->check,
                  "Do not solve: exit 0 if the lock file was made from this definition, 1 if not");
    cmd->add_flag("--dry-run", options->dry_run, "Solve and report, but write nothing");
    cmd->add_flag("--upgrade", options->upgrade,
                  "Solve afresh; without it, conda packages of an existing lock file keep their versions "
                  "where the definition allows");
    flags->add_to(*cmd, *options);

    cmd->callback([options, flags, &globals, &exit_code] {
        api::LocalFileSystem fs;
        if (auto applied = flags->apply(fs, *options); !applied) {
            exit_code = report_error(globals.output, applied.error());
            return;
        }
        StderrReporter reporter(globals.messages());
        auto report = api::lock(fs, reporter, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        const bool json = globals.output.format == OutputFormat::json;
        if (json) {
            print_json(*report, globals.messages(), options->check);
        } else if (options->check) {
            const auto state = std::string(to_string(report->freshness));
            fmt::print("{}\n", globals.messages().render(
                                   "lock.check." + state, {{"output", options->output}, {"file", options->path}},
                                   "{output}: " + state));
        } else {
            report_warnings(globals.output, report->warnings);
            print_text(*report, globals.messages());
        }
        if (options->check) {
            exit_code = report->freshness == api::LockFreshness::fresh ? exit_ok : exit_findings;
        } else {
            exit_code = report->ok() ? exit_ok : exit_conflict;
        }
    });
}

}  // namespace envsmith::cli
