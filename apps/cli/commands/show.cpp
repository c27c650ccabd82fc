// envsmith show ENV: the normalised definition and its content hash.

#include <fmt/format.h>

#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/load_definition.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {

namespace {

/// Prints a JSON value as indented YAML-like text: the human form of `show`.
void print_human(const nlohmann::json& value, int indent, std::string& out) {
    const std::string pad(static_cast<std::size_t>(indent), ' ');
    for (const auto& [key, item] : value.items()) {
        if (item.is_object()) {
            if (item.empty()) {
                continue;
            }
            out += fmt::format("{}{}:\n", pad, key);
            print_human(item, indent + 2, out);
        } else if (item.is_array()) {
            if (item.empty()) {
                continue;
            }
            out += fmt::format("{}{}:\n", pad, key);
            for (const auto& element : item) {
                if (element.is_object()) {
                    std::string nested;
                    print_human(element, indent + 4, nested);
                    // "- " replaces the first two spaces of the first nested line
                    nested.replace(static_cast<std::size_t>(indent) + 2, 2, "- ");
                    out += nested;
                } else {
                    out += fmt::format("{}  - {}\n", pad,
                                       element.is_string() ? element.get<std::string>()
                                                           : element.dump());
                }
            }
        } else if (item.is_string()) {
            if (!item.get<std::string>().empty()) {
                out += fmt::format("{}{}: {}\n", pad, key, item.get<std::string>());
            }
        } else if (!(item.is_boolean() && !item.get<bool>())) {  // false flags are noise
            out += fmt::format("{}{}: {}\n", pad, key, item.dump());
        }
    }
}

}  // namespace

void add_show_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::LoadOptions>();
    auto* cmd = app.add_subcommand(
        "show", "Print an environment definition in normalised form, with its content hash");
    cmd->add_option("ENV", options->path,
                    "Azure ML environment YAML, conda environment.yml or requirements.txt")
        ->required();
    cmd->add_option("--platform", options->platform,
                    "Target conda subdir, e.g. linux-64 (default: the definition's, else the host's)");
    cmd->callback([options, &globals, &exit_code] {
        api::LocalFileSystem fs;
        const auto loaded = api::load_definition(fs, *options);
        if (!loaded) {
            exit_code = report_error(globals.output, loaded.error());
            return;
        }
        const auto definition = nlohmann::json::parse(specs::to_display_json(loaded->definition));
        const auto hash = loaded->hash.to_string();
        if (globals.output.format == OutputFormat::json) {
            nlohmann::json warnings = nlohmann::json::array();
            for (const auto& w : loaded->warnings) {
                warnings.push_back(nlohmann::json::parse(error_json(w)));
            }
            const nlohmann::json out = {
                {"definition", definition}, {"hash", hash}, {"warnings", warnings}};
            fmt::print("{}\n", out.dump(2));
        } else {
            report_warnings(globals.output, loaded->warnings);
            std::string text;
            print_human(definition, 0, text);
            fmt::print("{}hash: {}\n", text, hash);
        }
        exit_code = exit_ok;
    });
}

}  // namespace envsmith::cli
