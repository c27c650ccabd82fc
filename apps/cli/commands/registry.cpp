// envsmith registry check REF: parse, reach, authenticate, find the image for a platform.
#include <fmt/format.h>

#include <memory>
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

void print_text(const api::RegistryCheckReport& r) {
    fmt::print("reference   {} ({})\n", r.normalised, r.familiar);
    fmt::print("endpoint    {}{}\n", r.endpoint, r.plain_http ? " (plain HTTP)" : "");
    fmt::print("reachable   {}{}\n", r.reachable ? "yes" : "no",
               r.api_version.empty() ? "" : fmt::format(" ({})", r.api_version));
    fmt::print("auth        {}{}\n", r.auth_scheme,
               r.with_credentials ? fmt::format(", credentials from {}", r.credentials_source) : "");
    if (r.reachable) {
        fmt::print("manifest    {}\n", r.manifest_exists ? fmt::format("{} ({})", r.manifest_digest, r.media_type) : "missing");
    }
    if (r.is_index) {
        std::string list;
        for (const auto& p : r.platforms) list += (list.empty() ? "" : ", ") + p;
        fmt::print("platforms   {}\n", list);
        fmt::print("{:<11} {}\n", r.platform, r.platform_found.value_or(false) ? "found " + r.platform_digest : "not in the index");
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
        print_text(*report);
        exit_code = report->ok() ? exit_ok : report_error(globals.output, *report->failure);
    });
}

}  // namespace envsmith::cli
