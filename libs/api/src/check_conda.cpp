#include "check_conda.hpp"

#include "check_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "envsmith/core/text.hpp"
#include "envsmith/specs/match_spec.hpp"

namespace envsmith::api::detail {
namespace {

constexpr std::size_t shown_versions = 6;

bool is_plain_name(std::string_view name) {
    return name.find_first_of("*?[]^$") == std::string_view::npos;
}

/// The names in `subdir` that `spec`'s name stands for.
std::vector<std::string_view> names_for(const specs::MatchSpec& spec, const CondaSubdir& subdir) {
    if (is_plain_name(spec.name())) {
        return {std::string_view(spec.name())};
    }
    std::vector<std::string_view> names;
    const auto pattern = specs::MatchSpec::parse(spec.name());
    for (const auto name : subdir.repodata->names()) {
        specs::PackageRecord probe;
        probe.name = std::string(name);
        if (pattern && pattern->matches(probe)) {
            names.push_back(name);
        }
    }
    return names;
}

/// A spec narrowed to one channel (`conda-forge::x`) or subdir (`linux-64::x`) skips others.
bool selects(const specs::MatchSpec& spec, const CondaSubdir& subdir) {
    if (spec.subdir() && *spec.subdir() != subdir.subdir) {
        return false;
    }
    if (spec.channel()) {
        const auto& wanted = *spec.channel();
        auto channel = subdir.channel;
        while (channel.ends_with('/')) {
            channel.pop_back();
        }
        return channel == wanted || channel.ends_with("/" + wanted);
    }
    return true;
}

template <typename Visit>
void for_each_candidate(const specs::MatchSpec& spec, const std::vector<CondaSubdir>& subdirs,
                        Visit&& visit) {
    for (const auto& subdir : subdirs) {
        if (subdir.repodata == nullptr || !selects(spec, subdir)) {
            continue;
        }
        for (const auto name : names_for(spec, subdir)) {
            for (const auto index : subdir.repodata->by_name(name)) {
                visit(subdir, subdir.repodata->records()[index]);
            }
        }
    }
}

std::string channel_list(const std::vector<CondaSubdir>& subdirs) {
    std::vector<std::string> channels;
    for (const auto& subdir : subdirs) {
        if (std::find(channels.begin(), channels.end(), subdir.channel) == channels.end()) {
            channels.push_back(subdir.channel);
        }
    }
    return channels.empty() ? std::string("(no channel)") : join_list(channels, channels.size());
}

}  // namespace

bool serves_python(const std::vector<std::string>& depends, const specs::CondaVersion& python) {
    for (const auto& dependency : depends) {
        auto spec = specs::MatchSpec::parse(dependency);
        if (spec && spec->name() == "python" && !spec->version().contains(python)) {
            return false;
        }
    }
    return true;
}

std::optional<CondaMatch> best_conda_match(const specs::MatchSpec& spec,
                                           const std::vector<CondaSubdir>& subdirs,
                                           const std::optional<specs::CondaVersion>& python) {
    std::optional<CondaMatch> best;
    std::string best_channel;
    for_each_candidate(spec, subdirs, [&](const CondaSubdir& subdir, const index::CondaRecord& record) {
        // Channel order is priority: a later channel never beats an earlier one's match.
        if (best && best_channel != subdir.channel) {
            return;
        }
        auto full = index::to_package_record(*subdir.repodata, record, subdir.channel);
        if (!full || !spec.matches(*full) || (python && !serves_python(full->depends, *python))) {
            return;
        }
        const bool better = !best || full->version > best->version ||
                            (full->version == best->version && record.build_number > best->build_number);
        if (better) {
            best = CondaMatch{subdir.channel, subdir.subdir, std::string(record.name),
                              full->version,  std::string(record.build), record.build_number};
            best_channel = subdir.channel;
        }
    });
    return best;
}

namespace {

/// The Python X.Y versions (2.7, 3.6 to 3.14) that some record matching `spec` serves.
std::vector<std::string> pythons_served(const specs::MatchSpec& spec,
                                        const std::vector<CondaSubdir>& subdirs) {
    std::vector<std::string> pythons;
    std::vector<std::string> candidates{"2.7"};
    for (int minor = 6; minor <= 14; ++minor) {
        candidates.push_back(fmt::format("3.{}", minor));
    }
    for (const auto& candidate : candidates) {
        auto version = specs::CondaVersion::parse(candidate + ".0");
        if (version && best_conda_match(spec, subdirs, *version)) {
            pythons.push_back(candidate);
        }
    }
    return pythons;
}

}  // namespace

CheckItem check_conda_dependency(std::string_view request, const std::vector<CondaSubdir>& target,
                                 const std::function<std::vector<CondaSubdir>()>& other_platforms,
                                 const std::optional<specs::CondaVersion>& python) {
    CheckItem item;
    item.kind = "conda";
    item.request = std::string(request);
    auto parsed = specs::MatchSpec::parse(request);
    if (!parsed) {
        item.verdict = CheckVerdict::invalid;
        set_message(item, "check.conda.invalid", {{"error", parsed.error().describe()}},
                    "{error}");
        return item;
    }
    const auto& spec = *parsed;
    const std::string subdir_name = target.empty() ? std::string() : target.front().subdir;

    // The Python spec itself decides the Python; it is not filtered by it.
    const auto python_filter = spec.name() == "python" ? std::nullopt : python;
    if (const auto match = best_conda_match(spec, target, python_filter)) {
        item.verdict = CheckVerdict::ok;
        item.found = fmt::format("{} {} {} ({}/{})", match->name, match->version.to_string(),
                                 match->build, match->channel, match->subdir);
        set_message(item, "check.conda.ok", {{"found", item.found}}, "{found}");
        return item;
    }
    item.verdict = CheckVerdict::missing;
    if (python_filter && best_conda_match(spec, target)) {
        // It exists, only not for this Python.
        item.pythons = pythons_served(spec, target);
        const auto python_text = python_filter->to_string();
        set_message(item, "check.conda.no_python_build",
                    {{"spec", spec.to_string()},
                     {"python", python_text.substr(0, python_text.rfind('.'))},
                     {"pythons", item.pythons.empty() ? std::string("-")
                                                      : join_list(item.pythons, item.pythons.size())}},
                    "{spec} has no build for Python {python}; its builds are for Python {pythons}");
        return item;
    }

    // What exists under this name for the target, newest first.
    std::map<specs::CondaVersion, std::string, std::greater<>> versions;
    for_each_candidate(spec, target, [&](const CondaSubdir&, const index::CondaRecord& record) {
        if (auto version = specs::CondaVersion::parse(record.version)) {
            versions.emplace(std::move(*version), std::string(record.version));
        }
    });
    for (const auto& [version, text] : versions) {
        item.versions.push_back(text);
    }

    // Other platforms that have a matching record.
    const auto others = other_platforms ? other_platforms() : std::vector<CondaSubdir>{};
    std::set<std::string> platforms;
    for (const auto& other : others) {
        if (best_conda_match(spec, {other})) {
            platforms.insert(other.subdir);
        }
    }
    item.platforms.assign(platforms.begin(), platforms.end());

    const auto channels = channel_list(target);
    if (!item.platforms.empty()) {
        set_message(item, "check.conda.other_platform",
                    {{"spec", spec.to_string()},
                     {"subdir", subdir_name},
                     {"platforms", join_list(item.platforms, item.platforms.size())}},
                    "{spec} is not built for {subdir} (nor noarch); it exists for {platforms}");
        return item;
    }
    if (!item.versions.empty()) {
        set_message(item, "check.conda.no_version",
                    {{"name", spec.name()},
                     {"spec", spec.to_string()},
                     {"versions", join_list(item.versions, shown_versions)}},
                    "{name} exists, but no build matches {spec}; versions there: {versions}");
        return item;
    }
    std::vector<std::string_view> all_names;
    for (const auto& subdir : target) {
        if (subdir.repodata != nullptr) {
            const auto names = subdir.repodata->names();
            all_names.insert(all_names.end(), names.begin(), names.end());
        }
        all_names.insert(all_names.end(), subdir.all_names.begin(), subdir.all_names.end());
    }
    item.close_names = close_names(spec.name(), all_names);
    if (!item.close_names.empty()) {
        set_message(item, "check.conda.unknown_name_suggest",
                    {{"name", spec.name()},
                     {"channels", channels},
                     {"subdir", subdir_name},
                     {"names", join_list(item.close_names, item.close_names.size())}},
                    "no package named {name} on {channels} for {subdir}; did you mean {names}?");
    } else {
        set_message(item, "check.conda.unknown_name",
                    {{"name", spec.name()}, {"channels", channels}, {"subdir", subdir_name}},
                    "no package named {name} on {channels} for {subdir} or noarch");
    }
    return item;
}

}  // namespace envsmith::api::detail
