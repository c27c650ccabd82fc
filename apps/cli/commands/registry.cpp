// envsmith registry check REF: parse, reach, authenticate, find the image for a platform.
#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/api/registry_check.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {
namespace {

void print_json(const api::RegistryCheckReport& r) {
    nlohmann::json out = {{"input", r.input},
                          {"normalised", r.normalised},
                          {"familiar", r.familiar},
                          {"registry", r.registry},
                          {"repository", r.repository},
                          {"tag", r.tag},
                          {"digest", r.digest},
                          {"endpoint", r.endpoint},
                          {"plain_http", r.plain_http},
                          {"reachable", r.reachable},
                          {"auth_scheme", r.auth_scheme},
                          {"with_credentials", r.with_credentials},
                          {"credentials_source", r.credentials_source},
                          {"realm", r.realm},
                          {"manifest_exists", r.manifest_exists},
                          {"manifest_digest", r.manifest_digest},
                          {"media_type", r.media_type},
                          {"is_index", r.is_index},
                          {"platforms", r.platforms},
                          {"platform", r.platform},
                          {"tags", r.tags},
                          {"ok", r.ok()}};
    out["platform_found"] = r.platform_found ? nlohmann::json(*r.platform_found) : nlohmann::json(nullptr);
    out["failure"] = r.failure ? nlohmann::json::parse(error_json(*r.failure)) : nlohmann::json(nullptr);
    fmt::print("{}\n", out.dump(2));
}

/// The report as labelled lines. Labels and words come from locale/*/registry.yaml
/// (`registry.check.*`); values (names, digests, media types) are printed as they are.
void print_text(const api::RegistryCheckReport& r, const diag::Messages& messages) {
    const auto text = [&messages](const std::string& id, const std::vector<core::MessageArg>& args,
                                  std::string_view english) {
        return messages.render("registry.check." + id, args, english);
    };
    struct Line {
        std::string label;
        std::string value;
    };
    std::vector<Line> lines;
    auto add = [&lines](std::string label, std::string value) {
        lines.push_back(Line{std::move(label), std::move(value)});
    };
    add(text("label.reference", {}, "reference"),
        text("reference", {{"normalised", r.normalised}, {"familiar", r.familiar}},
             "{normalised} ({familiar})"));
    std::string endpoint = r.endpoint;
    if (r.plain_http) {
        endpoint = text("endpoint_plain_http", {{"endpoint", r.endpoint}}, "{endpoint} (plain HTTP)");
    }
    add(text("label.endpoint", {}, "endpoint"), endpoint);
    std::string reachable = text(r.reachable ? "yes" : "no", {}, r.reachable ? "yes" : "no");
    if (!r.api_version.empty()) {
        reachable += " (" + r.api_version + ")";
    }
    add(text("label.reachable", {}, "reachable"), reachable);
    std::string auth = r.auth_scheme;
    if (r.with_credentials) {
        auth = text("auth_with_credentials",
                    {{"scheme", r.auth_scheme}, {"source", r.credentials_source}},
                    "{scheme}, credentials from {source}");
    }
    add(text("label.auth", {}, "auth"), auth);
    if (r.reachable) {
        std::string manifest = text("manifest_missing", {}, "missing");
        if (r.manifest_exists) {
            manifest = text("manifest_found",
                            {{"digest", r.manifest_digest}, {"media_type", r.media_type}},
                            "{digest} ({media_type})");
        }
        add(text("label.manifest", {}, "manifest"), manifest);
    }
    if (r.is_index) {
        std::string list;
        for (const auto& p : r.platforms) {
            list += (list.empty() ? "" : ", ") + p;
        }
        add(text("label.platforms", {}, "platforms"), list);
        // The platform asked for is the label of its own line.
        std::string found = text("platform_missing", {}, "not in the index");
        if (r.platform_found.value_or(false)) {
            found = text("platform_found", {{"digest", r.platform_digest}}, "found {digest}");
        }
        add(r.platform, found);
    }
    std::size_t width = 11;
    for (const auto& line : lines) {
        width = std::max(width, display_width(line.label));
    }
    for (const auto& line : lines) {
        fmt::print("{}{} {}\n", line.label, std::string(width - display_width(line.label), ' '),
                   line.value);
    }
}

}  // namespace

void add_registry_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto* registry = app.add_subcommand("registry", "Talk to OCI registries");
    registry->require_subcommand(1);
    auto options = std::make_shared<api::RegistryCheckOptions>();
    auto config = std::make_shared<std::string>();
    auto* cmd = registry->add_subcommand(
        "check", "Check an image reference: syntax, reachability, authentication, existence for a platform");
    cmd->add_option("REF", options->reference, "Image reference, e.g. `mcr.microsoft.com/azureml/base:latest`")->required();
    cmd->add_option("--platform", options->platform, "os/architecture[/variant]")->capture_default_str();
    cmd->add_option("--creds", options->creds, "USER:PASSWORD (else $ENVSMITH_REGISTRY_USER/_PASSWORD, ~/.docker/config.json)");
    cmd->add_option("--insecure-registry", options->insecure_registries, "HOST[:PORT] to reach over plain HTTP (repeatable)");
    cmd->add_option("--docker-config", options->docker_config, "Docker config file (default $DOCKER_CONFIG or ~/.docker/config.json)");
    cmd->add_option("--config", *config, "Settings file (default: $ENVSMITH_CONFIG, else ~/.config/envsmith/config.yaml)");
    cmd->callback([options, config, &globals, &exit_code] {
        api::LocalFileSystem fs;
        auto network = api::load_network_settings(fs, *config);
        if (!network) {
            exit_code = report_error(globals.output, network.error());
            return;
        }
        options->network = std::move(*network);
        StderrReporter reporter(globals.messages());
        auto report = api::registry_check(fs, reporter, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        if (globals.output.format == OutputFormat::json) {
            print_json(*report);
            exit_code = report->ok() ? exit_ok : exit_findings;
            return;
        }
        print_text(*report, globals.messages());
        exit_code = report->ok() ? exit_ok : report_error(globals.output, *report->failure);
    });
}

}  // namespace envsmith::cli
