#include "envsmith/api/check.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <deque>
#include <memory>
#include <set>

#include "check_conda.hpp"
#include "check_pip.hpp"
#include "channels.hpp"
#include "check_support.hpp"
#include "envsmith/api/load_definition.hpp"
#include "envsmith/core/clock.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/index/channel.hpp"
#include "envsmith/index/channel_fetch.hpp"
#include "envsmith/index/http_cache.hpp"
#include "envsmith/index/repodata_cache.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "pypi_lookup.hpp"

namespace envsmith::api {
namespace {

using detail::CondaSubdir;
using detail::set_message;

/// Platforms worth naming when a package is missing for the target.
constexpr std::string_view other_platform_candidates[] = {"linux-64", "linux-aarch64", "osx-64",
                                                          "osx-arm64", "win-64"};

CheckItem image_item(const specs::Definition& definition) {
    CheckItem item;
    item.kind = "image";
    item.request = definition.image;
    auto parsed = specs::ImageRef::parse(definition.image);
    if (!parsed) {
        item.verdict = CheckVerdict::invalid;
        set_message(item, "check.image.invalid", {{"error", parsed.error().describe()}}, "{error}");
        return item;
    }
    item.verdict = CheckVerdict::ok;
    item.found = parsed->to_string();
    set_message(item, "check.image.ok", {{"image", item.found}},
                "valid reference {image}; the registry was not asked");
    return item;
}

/// The conda names a list of specs asks for (plain names only; globs need every record).
std::vector<std::string> spec_names(const std::vector<std::string>& specs) {
    std::set<std::string> names{"python"};
    for (const auto& text : specs) {
        if (auto spec = specs::MatchSpec::parse(text);
            spec && spec->name().find_first_of("*?[]^$") == std::string::npos) {
            names.insert(spec->name());
        }
    }
    return {names.begin(), names.end()};
}

/// What `check` fetched of the conda channels: the repodata must outlive the views.
struct CondaState {
    std::vector<index::Channel> channels;
    std::deque<index::Repodata> storage;
    std::vector<CondaSubdir> target;
    std::vector<std::string> failed_channels;
    bool fetched_others = false;
    std::vector<CondaSubdir> others;
};

class CheckRun {
public:
    CheckRun(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter,
             const CheckOptions& options)
        : m_fs(fs),
          m_transport(transport),
          m_reporter(reporter),
          m_options(options),
          m_cache(options.network.cache_dir.empty() ? default_cache_dir()
                                                    : options.network.cache_dir) {}

    CheckReport run(const LoadedDefinition& loaded) {
        const auto& definition = loaded.definition;
        CheckReport report;
        report.file = m_options.path;
        report.platform = definition.platform;
        report.warnings = loaded.warnings;
        if (!definition.image.empty()) {
            report.items.push_back(image_item(definition));
        }

        if (definition.conda) {
            fetch_conda(*definition.conda, definition.platform, report.items);
        }
        resolve_python(report, definition);
        if (definition.conda) {
            // The exact Python the conda spec resolves to, or the X.Y asked for; a default
            // Python is a guess, and filtering builds by a guess would invent problems.
            auto python = specs::CondaVersion::parse(m_python_full.empty() ? report.python : m_python_full);
            check_conda(*definition.conda, definition.platform, report,
                        python && report.python_source != "default"
                            ? std::optional<specs::CondaVersion>(*python)
                            : std::nullopt);
        }
        if (definition.pip) {
            check_pip(*definition.pip, report);
        }
        return report;
    }

private:
    index::FetchOptions fetch_options(const std::string& platform) const {
        index::FetchOptions fetch;
        fetch.platform = platform;
        fetch.max_age = std::chrono::seconds(m_options.network.max_age_s);
        fetch.offline = m_options.network.offline ? index::Offline::yes : index::Offline::no;
        return fetch;
    }

    void fetch_conda(const specs::CondaSection& conda, const std::string& platform,
                     std::vector<CheckItem>& report_items) {
        const auto config = channel_config(m_options.network);
        const auto texts = channel_texts(conda);
        for (const auto& text : texts) {
            auto expanded = index::expand_channel(text, config);
            if (!expanded) {
                CheckItem item;
                item.kind = "channel";
                item.request = text;
                item.verdict = CheckVerdict::invalid;
                set_message(item, "check.channel.invalid", {{"error", expanded.error().describe()}},
                            "{error}");
                report_items.push_back(std::move(item));
                continue;
            }
            for (auto& channel : *expanded) {
                m_conda.channels.push_back(std::move(channel));
            }
        }
        const auto names = spec_names(conda.dependencies);
        index::ChannelFetcher fetcher(m_transport, m_cache, m_reporter, m_clock, fetch_options(platform));
        // Every channel's subdirs at once, so the requests overlap; when that fails (one
        // channel has no subdir or cannot be reached), channel by channel to say which.
        std::vector<std::pair<const index::Channel*, index::SubdirData>> fetched;
        if (auto all = fetcher.fetch_subdirs(m_conda.channels)) {
            for (auto& data : *all) {
                const auto* channel = &m_conda.channels[static_cast<std::size_t>(
                    std::find(m_conda.channels.begin(), m_conda.channels.end(), data.channel) -
                    m_conda.channels.begin())];
                fetched.emplace_back(channel, std::move(data));
            }
        } else {
            for (const auto& channel : m_conda.channels) {
                auto subdirs = fetcher.fetch_subdirs({channel});
                if (!subdirs) {
                    fail_channel(channel, subdirs.error(), report_items);
                    continue;
                }
                for (auto& data : *subdirs) {
                    fetched.emplace_back(&channel, std::move(data));
                }
            }
        }
        std::set<std::string> failed;
        for (auto& [channel, data] : fetched) {
            if (failed.count(channel->name()) != 0) {
                continue;
            }
            // A sharded subdir: only the shards of the asked names, and the index's name list
            // for suggestions. Otherwise the whole repodata (downloaded whole anyway).
            auto all_names = fetcher.shard_names(data);
            const auto subdir = data.subdir;
            auto repodata = fetcher.load_names(std::move(data), names);
            if (!repodata || !all_names) {
                fail_channel(*channel, repodata ? all_names.error() : repodata.error(), report_items);
                failed.insert(channel->name());
                continue;
            }
            m_conda.storage.push_back(std::move(*repodata));
            m_conda.target.push_back(
                {channel->name(), subdir, &m_conda.storage.back(), std::move(*all_names)});
        }
    }

    void check_conda(const specs::CondaSection& conda, const std::string& platform, CheckReport& report,
                     const std::optional<specs::CondaVersion>& python) {
        const auto names = spec_names(conda.dependencies);
        for (const auto& text : conda.dependencies) {
            auto item = detail::check_conda_dependency(
                text, m_conda.target, [this, &platform, &names] { return other_platforms(platform, names); },
                python);
            if (item.verdict == CheckVerdict::missing && !m_conda.failed_channels.empty()) {
                // What is missing may be on the channel that could not be fetched.
                item.verdict = CheckVerdict::error;
                set_message(item, "check.channel.partial",
                            {{"channel", detail::join_list(m_conda.failed_channels, 3)}},
                            "could not be checked: channel {channel} could not be fetched");
            }
            report.items.push_back(std::move(item));
        }
    }

    void fail_channel(const index::Channel& channel, const core::Error& error,
                      std::vector<CheckItem>& report_items) {
        CheckItem item;
        item.kind = "channel";
        item.request = channel.name();
        item.verdict = CheckVerdict::error;
        set_message(item, "check.channel.unreachable",
                    {{"channel", channel.name()}, {"error", error.describe()}},
                    "could not fetch {channel}: {error}");
        report_items.push_back(std::move(item));
        m_conda.failed_channels.push_back(channel.name());
    }

    /// The other platforms' subdirs of every channel, fetched once, only the asked names.
    std::vector<CondaSubdir> other_platforms(const std::string& platform,
                                             const std::vector<std::string>& names) {
        if (m_conda.fetched_others) {
            return m_conda.others;
        }
        m_conda.fetched_others = true;
        for (const auto subdir : other_platform_candidates) {
            if (subdir == platform) {
                continue;
            }
            // One platform at a time, every channel at once (its noarch is cached already).
            index::ChannelFetcher fetcher(m_transport, m_cache, m_reporter, m_clock,
                                          fetch_options(std::string(subdir)));
            std::vector<std::pair<const index::Channel*, index::SubdirData>> found;
            if (auto all = fetcher.fetch_subdirs(m_conda.channels)) {
                for (auto& data : *all) {
                    if (data.subdir != subdir || data.presence == index::SubdirPresence::absent) {
                        continue;
                    }
                    const auto it = std::find(m_conda.channels.begin(), m_conda.channels.end(),
                                              data.channel);
                    found.emplace_back(&*it, std::move(data));
                }
            } else {
                for (const auto& channel : m_conda.channels) {
                    if (auto data = fetcher.fetch_subdir(channel, subdir);
                        data && data->presence == index::SubdirPresence::present) {
                        found.emplace_back(&channel, std::move(*data));
                    }
                }
            }
            for (auto& [channel, data] : found) {
                auto repodata = fetcher.load_names(std::move(data), names);
                if (!repodata || repodata->size() == 0) {
                    continue;  // best effort: a suggestion, not a verdict
                }
                m_conda.storage.push_back(std::move(*repodata));
                m_conda.others.push_back(
                    {channel->name(), std::string(subdir), &m_conda.storage.back(), {}});
            }
        }
        return m_conda.others;
    }

    void resolve_python(CheckReport& report, const specs::Definition& definition) {
        if (!m_options.python.empty()) {
            report.python = m_options.python;
            report.python_source = "option";
            return;
        }
        if (definition.conda) {
            for (const auto& text : definition.conda->dependencies) {
                auto spec = specs::MatchSpec::parse(text);
                if (!spec || spec->name() != "python") {
                    continue;
                }
                if (auto match = detail::best_conda_match(*spec, m_conda.target)) {
                    const auto& version = match->version.to_string();
                    m_python_full = version;
                    const auto first = version.find('.');
                    const auto second = version.find('.', first + 1);
                    report.python = version.substr(0, second);
                    report.python_source = "conda";
                    return;
                }
            }
        }
        report.python = std::string(default_check_python);
        report.python_source = "default";
    }

    void check_pip(const specs::PipSection& pip, CheckReport& report) {
        auto target = detail::make_pip_target(report.python, report.platform, m_options.glibc, pip.pre);
        if (!target) {
            CheckItem item;
            item.kind = "pip";
            item.request = "--python " + report.python;
            item.verdict = CheckVerdict::invalid;
            set_message(item, "check.pip.target_invalid", {{"error", target.error().describe()}},
                        "{error}");
            report.items.push_back(std::move(item));
            return;
        }
        // The command line's index, else the definition's, else the settings' default.
        auto effective = pip;
        if (effective.index_url.empty() && !effective.no_index) {
            effective.index_url = m_options.network.index_url;
        }
        // Index pages are cached and revalidated like repodata.
        index::CachingTransport pages(
            m_transport, m_cache, m_clock,
            {.max_age = std::chrono::seconds(m_options.network.max_age_s),
             .offline = m_options.network.offline});
        detail::PypiLookup lookup(pages, m_fs, m_reporter, effective, m_options.index_url);
        for (const auto& requirement : pip.requirements) {
            report.items.push_back(detail::check_pip_requirement(
                requirement.requirement, *target,
                [&lookup](const std::string& name) { return lookup.project(name); },
                lookup.index_names(), [&lookup] { return lookup.all_names(); }));
        }
    }

    core::FileSystem& m_fs;
    core::Transport& m_transport;
    core::Reporter& m_reporter;
    const CheckOptions& m_options;
    index::RepodataCache m_cache;
    core::SystemClock m_clock;
    CondaState m_conda;
    std::string m_python_full;  // "3.11.9" when the conda python spec resolved
};

}  // namespace

std::string_view to_string(CheckVerdict verdict) noexcept {
    switch (verdict) {
        case CheckVerdict::ok: return "ok";
        case CheckVerdict::warning: return "warning";
        case CheckVerdict::missing: return "missing";
        case CheckVerdict::invalid: return "invalid";
        case CheckVerdict::skipped: return "skipped";
        case CheckVerdict::error: return "error";
    }
    return "error";
}

bool CheckReport::failing() const noexcept {
    return std::any_of(items.begin(), items.end(), [](const CheckItem& item) {
        return item.verdict == CheckVerdict::missing || item.verdict == CheckVerdict::invalid ||
               item.verdict == CheckVerdict::error;
    });
}

core::Result<CheckReport> check(core::FileSystem& fs, core::Transport& transport,
                                core::Reporter& reporter, const CheckOptions& options) {
    auto loaded = load_definition(fs, {options.path, options.platform, options.environment});
    if (!loaded) {
        return std::move(loaded).error();
    }
    reporter.on_phase_start("index");
    CheckRun run(fs, transport, reporter, options);
    auto report = run.run(*loaded);
    reporter.on_phase_end("index", 0);
    return report;
}

core::Result<CheckReport> check(core::FileSystem& fs, core::Reporter& reporter,
                                const CheckOptions& options) {
    auto transport = make_transport(options.network, reporter);
    return check(fs, *transport, reporter, options);
}

}  // namespace envsmith::api
