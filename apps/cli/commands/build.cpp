// envsmith build ENV --oci-layout DIR: the image of a definition or lock, daemonless (docs/cli.md).
#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/build.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "exit_codes.hpp"
#include "solve_flags.hpp"
#include "version.hpp"

namespace envsmith::cli {

void add_build_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::BuildOptions>();
    auto flags = std::make_shared<SolveFlags>();
    auto* cmd = app.add_subcommand("build", "Build the OCI image of a definition or lock, without a Docker daemon");
    cmd->add_option("ENV", options->path, "Definition, conda-lock file or @EXPLICIT file")->required();
    cmd->add_option("--oci-layout", options->oci_layout, "OCI image layout to write the image to");
    cmd->add_option("--push", options->push,
                    "Registry repository[:tag] to push to (tag default: envsmith_<content hash>); reused when there");
    cmd->add_option("--creds", options->creds, "USER:PASSWORD for the registry (else $ENVSMITH_REGISTRY_USER/_PASSWORD, docker config)");
    cmd->add_option("--insecure-registry", options->insecure_registries, "HOST[:PORT] reached over plain HTTP (repeatable)");
    cmd->add_option("--docker-config", options->docker_config, "Docker config file (default $DOCKER_CONFIG or ~/.docker/config.json)");
    cmd->add_option("--tag", options->tag, "Tag in the layout (default: envsmith_<content hash>)");
    cmd->add_option("--base", options->base, "Base image: scratch, oci:DIR:TAG or a registry reference (default: the definition's image:, else scratch)");
    cmd->add_option("--base-python", options->create.base_python,
                    "The base image's interpreter a pip-only environment runs on (default: found in the base)");
    cmd->add_option("--engine", options->engine,
                    "For a definition with a Docker build context: buildah, podman or docker (default: the first installed)");
    cmd->add_option("--platform", options->platform, "Target conda subdir (default: the definition's, else this machine's)");
    cmd->add_option("--log-dir", options->log_dir, "Where 20_image_build_log.txt and build.json go (default: <layout>.build)");
    cmd->add_flag("--zstd", options->zstd, "Compress the layer with zstd instead of gzip");
    cmd->add_flag("--force", options->force, "Build even when the layout has this definition's image");
    flags->add_to(*cmd, options->create.lock);

    cmd->callback([options, flags, &globals, &exit_code] {
        api::LocalFileSystem fs;
        if (auto applied = flags->apply(fs, options->create.lock); !applied) {
            exit_code = report_error(globals.output, applied.error());
            return;
        }
        options->envsmith_version = envsmith_version;
        StderrReporter reporter(globals.messages());
        auto report = api::build(fs, reporter, *options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        const auto& messages = globals.messages();
        if (globals.output.format == OutputFormat::json) {
            nlohmann::json phases = nlohmann::json::object();
            for (const auto& [name, seconds] : report->phases) phases[name] = seconds;
            const nlohmann::json out = {{"status", report->status},       {"content_hash", report->content_hash},
                                        {"tag", report->tag},             {"image_digest", report->image_digest},
                                        {"oci_layout", report->oci_layout}, {"prefix", report->prefix},
                                        {"pushed_to", report->pushed_to},
                                        {"log", report->log_path},        {"build_json", report->build_json_path},
                                        {"phases", phases}};
            fmt::print("{}\n", out.dump(2));
        } else {
            const std::vector<core::MessageArg> args = {
                {"tag", report->tag},
                {"digest", report->image_digest},
                {"layout", report->status == "reused" && !report->pushed_to.empty() ? report->pushed_to
                                                                                     : report->oci_layout}};
            if (report->status == "reused") {
                fmt::print("{}\n", messages.render("build.reused", args, "reused {tag} ({digest}): {layout} has this definition's image"));
            } else if (report->status == "used") {
                fmt::print("{}\n", messages.render("build.used", args,
                                                  "used {tag} ({digest}) as it is in {layout}: the definition manages its own dependencies"));
            } else {
                fmt::print("{}\n", messages.render("build.built", args, "built {tag} ({digest}) in {layout}"));
            }
            if (!report->pushed_to.empty()) {
                fmt::print("{}\n", messages.render("build.pushed", {{"ref", report->pushed_to}}, "in the registry as {ref}"));
            }
            fmt::print("{}\n", messages.render("build.log", {{"log", report->log_path}}, "build log: {log}"));
        }
        exit_code = exit_ok;
    });
}

}  // namespace envsmith::cli
