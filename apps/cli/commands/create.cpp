// envsmith create ENV|LOCK -p PREFIX: the environment materialised into a prefix (docs/cli.md).
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/create.hpp"
#include "envsmith/api/host.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "exit_codes.hpp"
#include "solve_flags.hpp"

namespace envsmith::cli {
namespace {

std::string_view to_string(api::CreateSource source) {
    switch (source) {
    case api::CreateSource::definition: return "definition";
    case api::CreateSource::conda_lock: return "conda-lock";
    case api::CreateSource::explicit_file: return "explicit";
    }
    return "definition";
}

std::string human_bytes(std::uint64_t bytes) {
    if (bytes < 1024) return fmt::format("{} B", bytes);
    if (bytes < 1024 * 1024) return fmt::format("{:.1f} KiB", static_cast<double>(bytes) / 1024.0);
    if (bytes < 1024ULL * 1024 * 1024) return fmt::format("{:.1f} MiB", static_cast<double>(bytes) / (1024.0 * 1024.0));
    return fmt::format("{:.2f} GiB", static_cast<double>(bytes) / (1024.0 * 1024.0 * 1024.0));
}

void print_json(const api::CreateReport& report) {
    nlohmann::json out = {{"file", report.file},
                          {"source", std::string(to_string(report.source))},
                          {"prefix", report.prefix},
                          {"platform", report.platform},
                          {"dry_run", report.dry_run},
                          {"status", report.solved ? (report.dry_run ? "planned" : "created") : "unsolvable"},
                          {"replaced_existing", report.replaced_existing},
                          {"downloaded_bytes", report.downloaded_bytes},
                          {"cached_packages", report.cached_packages},
                          {"prefix_bytes", report.prefix_bytes},
                          {"prefix_files", report.prefix_files},
                          {"seconds",
                           {{"solve", report.times.solve_s},
                            {"download", report.times.download_s},
                            {"link", report.times.link_s},
                            {"pip", report.times.pip_s},
                            {"commit", report.times.commit_s}}}};
    nlohmann::json packages = nlohmann::json::array();
    for (const auto& p : report.packages) {
        packages.push_back({{"manager", p.manager}, {"name", p.name}, {"version", p.version}, {"build", p.build},
                            {"url", p.url}, {"size", p.size}, {"downloaded", p.downloaded}});
    }
    out["packages"] = std::move(packages);
    out["pip_from_conda"] = report.pip_from_conda;
    if (!report.base_python.empty()) {
        out["base_python"] = {{"path", report.base_python}, {"version", report.base_python_version}};
    }
    nlohmann::json explanation = nlohmann::json::array();
    for (const auto& line : report.explanation) {
        nlohmann::json args = nlohmann::json::object();
        for (const auto& a : line.args) args[a.name] = a.value;
        explanation.push_back({{"depth", line.depth}, {"message_id", line.message_id}, {"args", args}, {"text", line.text}});
    }
    out["explanation"] = std::move(explanation);
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& warning : report.warnings) warnings.push_back(nlohmann::json::parse(error_json(warning)));
    out["warnings"] = std::move(warnings);
    fmt::print("{}\n", out.dump(2));
}

void print_text(const api::CreateReport& report, const diag::Messages& messages) {
    if (!report.solved) {
        fmt::print("{}:\n", report.platform);
        print_explanation(report.explanation, messages);
        return;
    }
    for (const auto& p : report.packages) {
        const auto from = p.manager == "pip" ? std::string("pip") : p.build;
        if (report.dry_run) {
            fmt::print("  {} {} ({})\n", p.name, p.version, from);
        } else {
            fmt::print("  {} {} ({}) {}{}\n", p.name, p.version, from, human_bytes(p.size),
                       p.downloaded ? "" : ", cached");
        }
    }
    const auto count = std::to_string(report.packages.size());
    if (report.dry_run) {
        fmt::print("{}\n", messages.render("create.summary.dry_run",
                                           {{"count", count}, {"prefix", report.prefix}, {"platform", report.platform}},
                                           "would install {count} packages into {prefix} ({platform})"));
        return;
    }
    fmt::print("{}\n", messages.render("create.summary.done",
                                       {{"count", count},
                                        {"prefix", report.prefix},
                                        {"files", std::to_string(report.prefix_files)},
                                        {"size", human_bytes(report.prefix_bytes)}},
                                       "installed {count} packages into {prefix}: {files} files, {size}"));
    if (!report.base_python.empty()) {
        fmt::print("{}\n", messages.render("create.summary.venv",
                                           {{"python", report.base_python}, {"version", report.base_python_version}},
                                           "a virtual environment over {python} (Python {version})"));
    }
    fmt::print("{}\n", messages.render(
                           "create.summary.times",
                           {{"solve", fmt::format("{:.2f}", report.times.solve_s)},
                            {"download", fmt::format("{:.2f}", report.times.download_s)},
                            {"downloaded", human_bytes(report.downloaded_bytes)},
                            {"cached", std::to_string(report.cached_packages)},
                            {"link", fmt::format("{:.2f}", report.times.link_s)},
                            {"pip", fmt::format("{:.2f}", report.times.pip_s)},
                            {"commit", fmt::format("{:.3f}", report.times.commit_s)}},
                           "solve {solve} s, download {download} s ({downloaded}; {cached} from the cache), link "
                           "{link} s, pip {pip} s, commit {commit} s"));
}

}  // namespace

void add_create_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::CreateOptions>();
    auto flags = std::make_shared<SolveFlags>();
    auto* cmd = app.add_subcommand(
        "create", "Create an environment in a prefix from a definition, a conda-lock file or an @EXPLICIT file");
    cmd->add_option("ENV", options->path,
                    "Definition (solved first), conda-lock file or @EXPLICIT file (installed as it is)")
        ->required();
    cmd->add_option("-p,--prefix", options->prefix, "Absolute path of the environment (replaced when it exists)")
        ->required();
    cmd->add_option("--platform", options->platform,
                    "Target conda subdir (default: a lock's only platform, the definition's, else this machine's)");
    cmd->add_flag("--dry-run", options->dry_run, "Solve and list what would be installed; download nothing");
    cmd->add_flag("--run-link-scripts", options->run_link_scripts,
                  "Run packages' pre-link and post-link scripts (they run arbitrary code; skipped by default)");
    cmd->add_flag("--copy", options->copy_files, "Copy files instead of hard-linking them from the package cache");
    cmd->add_option("--base-python", options->base_python,
                    "Without a conda python: the interpreter the prefix is a virtual environment over (absolute "
                    "path; default: this machine's python3)");
    cmd->add_option("--max-downloads", options->max_parallel_downloads, "Packages downloaded at the same time")
        ->capture_default_str();
    flags->add_to(*cmd, options->lock);

    cmd->callback([options, flags, &globals, &exit_code] {
        api::LocalFileSystem fs;
        if (auto applied = flags->apply(fs, options->lock); !applied) {
            exit_code = report_error(globals.output, applied.error());
            return;
        }
        if (!flags->python_given()) {
            // A definition with pip requirements and no conda Python targets this machine's.
            if (auto host = api::host_python_version(); !host.empty()) options->lock.python = host;
        }
        if (!options->prefix.empty() && options->prefix.front() != '/') {
            options->prefix = std::filesystem::absolute(options->prefix).lexically_normal().string();
        }
        StderrReporter reporter(globals.messages());
        auto report = api::create(fs, reporter, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        if (globals.output.format == OutputFormat::json) {
            print_json(*report);
        } else {
            report_warnings(globals.output, report->warnings);
            print_text(*report, globals.messages());
        }
        exit_code = report->solved ? exit_ok : exit_conflict;
    });
}

}  // namespace envsmith::cli
