#include "check_pip.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "check_conda.hpp"
#include "check_support.hpp"

namespace envsmith::api::detail {
namespace {

constexpr std::size_t shown_versions = 6;
constexpr std::size_t shown_platforms = 4;

/// Whether the requirement pins an exact version (`==1.2`, `===x`): PEP 592 lets such a pin
/// select a yanked release.
bool pins_exactly(const specs::SpecifierSet& set) {
    return std::any_of(set.specifiers().begin(), set.specifiers().end(), [](const auto& s) {
        const auto text = s.to_string();
        return (text.starts_with("==") && !text.ends_with(".*")) || text.starts_with("===");
    });
}

/// "3.9" for `cp39`/`py39`, "3" for `py3`; empty for tags that name no CPython version.
std::string python_of_tag(std::string_view tag) {
    if (!(tag.starts_with("cp") || tag.starts_with("py")) || tag.size() < 3) {
        return {};
    }
    const auto digits = tag.substr(2);
    if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return {};
    }
    if (digits.size() == 1) {
        return std::string(digits);
    }
    return fmt::format("{}.{}", digits.substr(0, 1), digits.substr(1));
}

bool fits_python(const PipFile& file, const PipTarget& target) {
    if (!file.requires_python) {
        return true;
    }
    auto python = specs::Pep440Version::parse(target.python);
    return !python || file.requires_python->contains(*python, specs::Prereleases::allow);
}

struct VersionFiles {
    std::vector<const PipFile*> files;
    bool all_yanked = true;
};

}  // namespace

core::Result<PipTarget> make_pip_target(const std::string& python, const std::string& platform,
                                        const std::string& glibc, bool pre) {
    auto markers = specs::MarkerEnvironment::for_target(python, platform);
    if (!markers) {
        return std::move(markers).error();
    }
    specs::TargetSpec spec;
    spec.python_version = python;
    spec.conda_subdir = platform;
    const auto dot = glibc.find('.');
    if (dot == std::string::npos) {
        return core::make_error(core::ErrorCode::invalid_input, "check.glibc.invalid",
                                fmt::format("glibc version {} is not X.Y", glibc))
            .arg("glibc", glibc);
    }
    try {
        spec.libc_version = {static_cast<std::uint32_t>(std::stoul(glibc.substr(0, dot))),
                             static_cast<std::uint32_t>(std::stoul(glibc.substr(dot + 1)))};
    } catch (const std::exception&) {
        return core::make_error(core::ErrorCode::invalid_input, "check.glibc.invalid",
                                fmt::format("glibc version {} is not X.Y", glibc))
            .arg("glibc", glibc);
    }
    auto tags = specs::TargetTags::for_target(spec);
    if (!tags) {
        return std::move(tags).error();
    }
    return PipTarget{python, platform, std::move(*markers), std::move(*tags), pre};
}

CheckItem check_pip_requirement(std::string_view request, const PipTarget& target,
                                const PipLookup& lookup, std::string_view index_names,
                                const PipNames& all_names) {
    CheckItem item;
    item.kind = "pip";
    item.request = std::string(request);
    auto parsed = specs::Requirement::parse(request);
    if (!parsed) {
        // A path or an archive URL on its own line is not a PEP 508 requirement.
        item.verdict = CheckVerdict::skipped;
        set_message(item, "check.pip.not_a_name", {},
                    "not a named requirement (a path or URL): not checked");
        return item;
    }
    const auto& requirement = *parsed;
    if (!requirement.url.empty()) {
        item.verdict = CheckVerdict::skipped;
        set_message(item, "check.pip.direct_url", {{"name", requirement.name}},
                    "{name} comes from a direct URL: not checked");
        return item;
    }
    if (requirement.marker && !requirement.marker->evaluate(target.markers)) {
        item.verdict = CheckVerdict::skipped;
        set_message(item, "check.pip.marker_false",
                    {{"marker", requirement.marker->to_string()},
                     {"python", target.python},
                     {"platform", target.platform}},
                    "its marker `{marker}` is false for Python {python} on {platform}");
        return item;
    }
    const auto name = specs::normalize_package_name(requirement.name);
    auto project = lookup(name);
    if (!project) {
        item.verdict = CheckVerdict::error;
        set_message(item, "check.pip.unreachable",
                    {{"name", name}, {"error", project.error().describe()}},
                    "could not ask the index about {name}: {error}");
        return item;
    }
    if (!project->has_value()) {
        item.verdict = CheckVerdict::missing;
        if (all_names) {
            const auto names = all_names();
            item.close_names = close_names(name, {names.begin(), names.end()});
        }
        if (!item.close_names.empty()) {
            set_message(item, "check.pip.no_project_suggest",
                        {{"name", name},
                         {"indexes", std::string(index_names)},
                         {"names", join_list(item.close_names, item.close_names.size())}},
                        "no project named {name} on {indexes}; did you mean {names}?");
        } else {
            set_message(item, "check.pip.no_project",
                        {{"name", name}, {"indexes", std::string(index_names)}},
                        "no project named {name} on {indexes}");
        }
        return item;
    }

    // Files by version, newest first.
    std::map<specs::Pep440Version, VersionFiles, std::greater<>> by_version;
    for (const auto& file : (*project)->files) {
        auto& entry = by_version[file.version];
        entry.files.push_back(&file);
        entry.all_yanked = entry.all_yanked && file.yanked;
    }
    std::vector<specs::Pep440Version> all_versions;
    for (const auto& [version, files] : by_version) {
        if (!files.all_yanked) {
            all_versions.push_back(version);
        }
    }
    const auto prereleases = target.pre ? specs::Prereleases::allow : specs::Prereleases::if_needed;
    const bool exact = pins_exactly(requirement.specifiers);
    std::vector<specs::Pep440Version> candidates;
    {
        std::vector<specs::Pep440Version> pool;
        for (const auto& [version, files] : by_version) {
            if (!files.all_yanked || exact) {
                pool.push_back(version);
            }
        }
        candidates = requirement.specifiers.filter(pool, prereleases);
    }
    const auto spec_text = requirement.specifiers.empty() ? std::string("any version")
                                                          : requirement.specifiers.to_string();
    if (candidates.empty()) {
        item.verdict = CheckVerdict::missing;
        for (const auto& [version, files] : by_version) {
            if (files.all_yanked && requirement.specifiers.contains(version, specs::Prereleases::allow)) {
                item.yanked.push_back(version.to_string());
            }
        }
        for (std::size_t i = 0; i < all_versions.size() && i < 20; ++i) {
            item.versions.push_back(all_versions[i].to_string());
        }
        if (!item.yanked.empty()) {
            set_message(item, "check.pip.only_yanked",
                        {{"name", name}, {"spec", spec_text}, {"yanked", join_list(item.yanked, shown_versions)}},
                        "every release of {name} matching {spec} was yanked: {yanked}");
        } else if (item.versions.empty()) {
            set_message(item, "check.pip.no_release", {{"name", name}},
                        "{name} has no release with a usable version");
        } else {
            set_message(item, "check.pip.no_version",
                        {{"name", name}, {"spec", spec_text}, {"versions", join_list(item.versions, shown_versions)}},
                        "no release of {name} matches {spec}; releases: {versions}");
        }
        return item;
    }

    // The newest matching version with a distribution for the target.
    const PipFile* sdist_fallback = nullptr;
    for (const auto& version : candidates) {
        const PipFile* best_wheel = nullptr;
        std::size_t best_priority = 0;
        const PipFile* sdist = nullptr;
        for (const auto* file : by_version[version].files) {
            if ((file->yanked && !exact) || !fits_python(*file, target)) {
                continue;
            }
            if (!file->wheel) {
                sdist = sdist == nullptr ? file : sdist;
                continue;
            }
            const auto priority = target.tags.priority(*file->wheel);
            if (priority && (best_wheel == nullptr || *priority < best_priority)) {
                best_wheel = file;
                best_priority = *priority;
            }
        }
        if (best_wheel != nullptr) {
            item.found = fmt::format("{} {} ({})", name, version.to_string(), best_wheel->filename);
            if (sdist_fallback != nullptr) {
                // A newer version exists only as an sdist: pip would build that one.
                item.verdict = CheckVerdict::warning;
                item.found = fmt::format("{} {} ({})", name, sdist_fallback->version.to_string(),
                                         sdist_fallback->filename);
                set_message(item, "check.pip.sdist_only",
                            {{"name", name},
                             {"version", sdist_fallback->version.to_string()},
                             {"wheel_version", version.to_string()}},
                            "{name} {version} has only a source distribution for this target: it "
                            "will be built from source (the newest with a wheel is {wheel_version})");
                return item;
            }
            item.verdict = CheckVerdict::ok;
            set_message(item, "check.pip.ok", {{"found", item.found}}, "{found}");
            return item;
        }
        if (sdist != nullptr && sdist_fallback == nullptr) {
            sdist_fallback = sdist;
        }
    }
    if (sdist_fallback != nullptr) {
        item.verdict = CheckVerdict::warning;
        item.found = fmt::format("{} {} ({})", name, sdist_fallback->version.to_string(),
                                 sdist_fallback->filename);
        set_message(item, "check.pip.sdist_only_no_wheel",
                    {{"name", name}, {"version", sdist_fallback->version.to_string()}},
                    "{name} {version} has only a source distribution for this target: it will be "
                    "built from source");
        return item;
    }

    // Nothing fits: say which Pythons and platforms the newest matching version serves.
    item.verdict = CheckVerdict::missing;
    const auto& newest = candidates.front();
    std::set<std::string> pythons;
    std::set<std::string> platforms;
    std::string requires_python;
    for (const auto* file : by_version[newest].files) {
        if (file->requires_python && !fits_python(*file, target)) {
            requires_python = file->requires_python->to_string();
        }
        if (!file->wheel) {
            continue;
        }
        for (const auto& tag : file->wheel->python_tags) {
            if (auto python = python_of_tag(tag); !python.empty()) {
                pythons.insert(python);
            }
        }
        for (const auto& platform : file->wheel->platform_tags) {
            platforms.insert(platform);
        }
    }
    item.pythons.assign(pythons.begin(), pythons.end());
    item.platforms.assign(platforms.begin(), platforms.end());
    if (!requires_python.empty()) {
        set_message(item, "check.pip.requires_python",
                    {{"name", name},
                     {"version", newest.to_string()},
                     {"requires_python", requires_python},
                     {"python", target.python}},
                    "{name} {version} requires Python {requires_python}, not {python}");
        return item;
    }
    set_message(item, "check.pip.no_distribution",
                {{"name", name},
                 {"version", newest.to_string()},
                 {"python", target.python},
                 {"platform", target.platform},
                 {"pythons", item.pythons.empty() ? std::string("-") : join_list(item.pythons, 12)},
                 {"platforms", item.platforms.empty() ? std::string("-")
                                                      : join_list(item.platforms, shown_platforms)}},
                "no distribution of {name} {version} fits Python {python} on {platform}; wheels "
                "exist for Python {pythons} on {platforms}");
    return item;
}

}  // namespace envsmith::api::detail
