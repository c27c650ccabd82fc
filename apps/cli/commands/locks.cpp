// envsmith locks [FOLDER...] [--clean]: lock files of envsmith, conda, mamba and Azure ML, with
// their owners and whether they are alive (docs/locks.md).
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "envsmith/api/locks.hpp"
#include "exit_codes.hpp"

namespace envsmith::cli {

void add_locks_command(CLI::App& app, const GlobalOptions& globals, int& exit_code) {
    auto options = std::make_shared<api::LocksOptions>();
    auto* cmd = app.add_subcommand(
        "locks", "List lock files of envsmith, conda, mamba and Azure ML and whether their owners are alive");
    cmd->add_option("FOLDER", options->folders,
                    "More folders to search (prefixes' parents, conda pkgs dirs); the usual places are always searched");
    cmd->add_flag("--clean", options->clean, "Remove the lock files no live process owns (free or stale)");
    cmd->add_option("--cache-dir", options->cache_dir, "envsmith's cache folder (default: $ENVSMITH_CACHE_DIR, else ~/.cache/envsmith)");

    cmd->callback([options, &globals, &exit_code] {
        auto report = api::locks(*options);
        if (!report) {
            exit_code = report_error(globals.output, report.error());
            return;
        }
        std::size_t held = 0, removable = 0, unknown = 0;
        for (const auto& lock : report->locks) {
            held += lock.state == install::LockState::held;
            removable += lock.state == install::LockState::free || lock.state == install::LockState::stale;
            unknown += lock.state == install::LockState::unknown;
        }
        const auto& messages = globals.messages();
        if (globals.output.format == OutputFormat::json) {
            nlohmann::json out = {{"searched", report->searched}, {"removed", report->removed}};
            nlohmann::json list = nlohmann::json::array();
            for (const auto& lock : report->locks) {
                list.push_back({{"path", lock.path},
                                {"kind", std::string(install::to_string(lock.kind))},
                                {"state", std::string(install::to_string(lock.state))},
                                {"pid", lock.pid ? nlohmann::json(*lock.pid) : nlohmann::json(nullptr)}});
            }
            out["locks"] = std::move(list);
            fmt::print("{}\n", out.dump(2));
        } else if (report->locks.empty()) {
            fmt::print("{}\n", messages.render("locks.none", {{"count", std::to_string(report->searched.size())}},
                                               "no lock files found in {count} folders"));
        } else {
            for (const auto& lock : report->locks) {
                fmt::print("{:<8} {:<16} {:>8}  {}\n", install::to_string(lock.state), install::to_string(lock.kind),
                           lock.pid ? std::to_string(*lock.pid) : "-", lock.path);
            }
            fmt::print("{}\n", messages.render("locks.summary",
                                               {{"count", std::to_string(report->locks.size())},
                                                {"held", std::to_string(held)},
                                                {"removable", std::to_string(removable)},
                                                {"unknown", std::to_string(unknown)}},
                                               "{count} lock files: {held} held, {removable} removable (free or "
                                               "stale), {unknown} of unknown owner"));
            if (options->clean) {
                fmt::print("{}\n", messages.render("locks.removed", {{"count", std::to_string(report->removed.size())}},
                                                   "removed {count} lock files"));
            } else if (removable > 0) {
                fmt::print("{}\n", messages.render("locks.hint_clean", {},
                                                   "run `envsmith locks --clean` to remove the free and stale ones"));
            }
        }
        // Findings: stale locks left in place.
        const bool stale_left = !options->clean && std::any_of(report->locks.begin(), report->locks.end(), [](const auto& l) {
            return l.state == install::LockState::stale;
        });
        exit_code = stale_left ? exit_findings : exit_ok;
    });
}

}  // namespace envsmith::cli
