// envsmith check ENV: does every requested package, version and image exist for the target?

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/check.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {
namespace {

/// `text` followed by spaces up to `width` display columns.
std::string pad(std::string_view text, std::size_t width) {
    std::string padded(text);
    const auto used = display_width(text);
    if (used < width) {
        padded.append(width - used, ' ');
    }
    return padded;
}

std::string verdict_word(const diag::Messages& messages, api::CheckVerdict verdict) {
    const auto name = std::string(api::to_string(verdict));
    return messages.render("check.verdict." + name, {}, name);
}

void print_text(const api::CheckReport& report, const diag::Messages& messages) {
    const std::vector<core::MessageArg> header_args = {
        {"file", report.file},
        {"platform", report.platform},
        {"python", report.python},
        {"source", messages.render("check.python_source." + report.python_source, {},
                                   report.python_source)}};
    fmt::print("{}\n", messages.render("check.header", header_args,
                                       "check {file}: {platform}, Python {python} ({source})"));
    std::size_t verdict_width = 0;
    std::size_t request_width = 0;
    for (const auto& item : report.items) {
        verdict_width = std::max(verdict_width, display_width(verdict_word(messages, item.verdict)));
        request_width = std::max(request_width, item.request.size());
    }
    request_width = std::min<std::size_t>(request_width, 32);
    std::map<api::CheckVerdict, std::size_t> counts;
    for (const auto& item : report.items) {
        ++counts[item.verdict];
        fmt::print("  {}  {:<5}  {}  {}\n", pad(verdict_word(messages, item.verdict), verdict_width),
                   item.kind, pad(item.request, request_width),
                   messages.render(item.message_id, item.args, item.message));
    }
    std::string summary;
    for (const auto& [verdict, count] : counts) {
        summary += fmt::format(", {} {}", count, verdict_word(messages, verdict));
    }
    fmt::print("{}\n", messages.render("check.summary",
                                       {{"count", std::to_string(report.items.size())},
                                        {"counts", summary.empty() ? "" : summary.substr(2)}},
                                       "{count} items: {counts}"));
}

void print_json(const api::CheckReport& report, const diag::Messages& messages) {
    nlohmann::json items = nlohmann::json::array();
    std::map<std::string, std::size_t> counts;
    for (const auto& item : report.items) {
        nlohmann::json args = nlohmann::json::object();
        for (const auto& arg : item.args) {
            args[arg.name] = arg.value;
        }
        const auto verdict = std::string(api::to_string(item.verdict));
        ++counts[verdict];
        items.push_back({{"kind", item.kind},
                         {"request", item.request},
                         {"verdict", verdict},
                         {"found", item.found},
                         {"message_id", item.message_id},
                         {"message", messages.render(item.message_id, item.args, item.message)},
                         {"args", std::move(args)},
                         {"close_names", item.close_names},
                         {"versions", item.versions},
                         {"platforms", item.platforms},
                         {"pythons", item.pythons},
                         {"yanked", item.yanked}});
    }
    nlohmann::json warnings = nlohmann::json::array();
    for (const auto& warning : report.warnings) {
        warnings.push_back(nlohmann::json::parse(error_json(warning)));
    }
    const nlohmann::json out = {{"file", report.file},
                                {"platform", report.platform},
                                {"python", report.python},
                                {"python_source", report.python_source},
                                {"items", std::move(items)},
                                {"counts", counts},
                                {"ok", !report.failing()},
                                {"warnings", std::move(warnings)}};
    fmt::print("{}\n", out.dump(2));
}

}  // namespace

void add_check_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::CheckOptions>();
    auto refresh = std::make_shared<bool>(false);
    // Flags land here and override the settings file, which is read when the command runs.
    auto flags = std::make_shared<api::NetworkSettings>();
    auto config = std::make_shared<std::string>();
    auto* cmd = app.add_subcommand(
        "check",
        "Ask the channels and indexes whether every requested package exists for the target, "
        "and say what does when one does not (docs/cli.md)");
    cmd->add_option("ENV", options->path,
                    "Azure ML environment YAML, conda environment.yml or requirements.txt")
        ->required();
    cmd->add_option("--platform", options->platform,
                    "Target conda subdir, e.g. linux-64 (default: the definition's, else this "
                    "machine's)");
    cmd->add_option("--python", options->python,
                    "Target Python X.Y (default: what the conda `python` spec resolves to, else "
                    "3.12)");
    cmd->add_option("--glibc", options->glibc, "Target glibc X.Y for manylinux wheels")
        ->capture_default_str();
    cmd->add_option("--channel-alias", flags->channel_alias,
                    "Base URL that bare channel names resolve under (default: "
                    "https://conda.anaconda.org)");
    cmd->add_option("--index-url", options->index_url,
                    "PyPI simple index to use instead of the definition's (default: the "
                    "definition's, else https://pypi.org/simple)");
    cmd->add_option("--cache-dir", flags->cache_dir,
                    "Where repodata and index pages are cached (default: $ENVSMITH_CACHE_DIR, "
                    "$XDG_CACHE_HOME/envsmith or ~/.cache/envsmith)");
    cmd->add_flag("--offline", flags->offline, "Use only what is cached");
    cmd->add_option("--config", *config,
                    "Settings file: channel alias, mirrors, credentials, cache, CA bundle "
                    "(default: $ENVSMITH_CONFIG, else ~/.config/envsmith/config.yaml when it "
                    "exists; docs/settings.md)");
    cmd->add_flag("--refresh", *refresh, "Revalidate every cached page with the server");
    cmd->footer("Exit status: 0 when every item exists (warnings allowed), 1 when an item is "
                "missing, invalid or could not be checked, 3-70 on errors.");
    cmd->callback([options, refresh, flags, config, &globals, &exit_code] {
        api::LocalFileSystem fs;
        auto network = api::load_network_settings(fs, *config);
        if (!network) {
            exit_code = report_error(globals.output, network.error());
            return;
        }
        options->network = std::move(*network);
        if (!flags->channel_alias.empty()) {
            options->network.channel_alias = flags->channel_alias;
        }
        if (!flags->cache_dir.empty()) {
            options->network.cache_dir = flags->cache_dir;
        }
        options->network.offline = flags->offline;
        if (*refresh) {
            options->network.max_age_s = 0;
        }
        StderrReporter reporter(globals.messages());
        const auto report = api::check(fs, reporter, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        if (globals.output.format == OutputFormat::json) {
            print_json(*report, globals.messages());
        } else {
            report_warnings(globals.output, report->warnings);
            print_text(*report, globals.messages());
        }
        exit_code = report->failing() ? exit_findings : exit_ok;
    });
}

}  // namespace envsmith::cli
