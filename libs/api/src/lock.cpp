// envsmith lock: definition -> channels' repodata -> solve per platform -> conda-lock v1.
#include "envsmith/api/lock.hpp"

#include <algorithm>
#include <chrono>
#include <deque>
#include <optional>
#include <fmt/format.h>

#include "envsmith/api/host.hpp"
#include "envsmith/api/load_definition.hpp"
#include "envsmith/core/clock.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/index/channel.hpp"
#include "envsmith/index/channel_fetch.hpp"
#include "envsmith/index/repodata.hpp"
#include "envsmith/index/repodata_cache.hpp"
#include "envsmith/solver/conda.hpp"
#include "envsmith/solver/explain.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/virtual_packages.hpp"
#include "channels.hpp"
#include "pip_lock.hpp"

namespace envsmith::api {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// The records of the fetched subdirs, by name, for the solver; channel rank = list order.
class IndexCondaSource final : public solver::CondaSource {
public:
    struct Subdir {
        std::string channel;
        std::uint32_t rank = 0;
        index::Repodata repodata;
    };

    void add(std::string channel, std::uint32_t rank, index::Repodata repodata) {
        m_subdirs.push_back({std::move(channel), rank, std::move(repodata)});
    }

    core::Result<std::vector<solver::CondaCandidate>> records(std::string_view name) override {
        std::vector<solver::CondaCandidate> out;
        for (const Subdir& subdir : m_subdirs) {
            for (std::uint32_t index : subdir.repodata.by_name(name)) {
                auto record = index::to_package_record(subdir.repodata, subdir.repodata.records()[index],
                                                       subdir.channel);
                if (!record) {
                    continue;  // a version conda cannot read either; the record is unusable
                }
                out.push_back({std::move(*record), subdir.rank});
            }
        }
        return out;
    }

private:
    std::deque<Subdir> m_subdirs;
};

std::vector<std::string> spec_names(const std::vector<std::string>& specs) {
    std::vector<std::string> names;
    for (const auto& text : specs) {
        if (auto spec = specs::MatchSpec::parse(text); spec && spec->is_name_only() ? true : spec.has_value()) {
            if (std::find(names.begin(), names.end(), spec->name()) == names.end()) {
                names.push_back(spec->name());
            }
        }
    }
    return names;
}

/// `numpy >=1.20` -> ("numpy", ">=1.20"); a bare name gives "*".
std::pair<std::string, std::string> split_dependency(const std::string& text) {
    const auto cut = text.find_first_of(" =<>!~[");
    if (cut == std::string::npos) return {text, "*"};
    std::string rest = text.substr(cut);
    const auto first = rest.find_first_not_of(' ');
    rest = first == std::string::npos ? std::string("*") : rest.substr(first);
    return {text.substr(0, cut), rest};
}

solver::ChannelPriority to_solver(LockChannelPriority priority) {
    switch (priority) {
    case LockChannelPriority::strict: return solver::ChannelPriority::strict;
    case LockChannelPriority::disabled: return solver::ChannelPriority::disabled;
    case LockChannelPriority::flexible: break;
    }
    return solver::ChannelPriority::flexible;
}

class LockRun {
public:
    LockRun(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter, const LockOptions& options)
        : m_fs(fs),
          m_transport(transport),
          m_reporter(reporter),
          m_options(options),
          m_cache(options.network.cache_dir.empty() ? default_cache_dir() : options.network.cache_dir) {}

    core::Result<std::vector<index::Channel>> channels(const specs::CondaSection& conda) const {
        const auto config = channel_config(m_options.network);
        const auto texts = channel_texts(conda);
        std::vector<index::Channel> out;
        for (const auto& text : texts) {
            auto expanded = index::expand_channel(text, config);
            if (!expanded) return std::move(expanded).error();
            for (auto& channel : *expanded) out.push_back(std::move(channel));
        }
        return out;
    }

    /// The conda records of an existing lock for `platform`: preferred when solving again.
    std::vector<specs::PackageRecord> locked_records(const std::string& platform) const {
        std::vector<specs::PackageRecord> out;
        if (!m_previous) return out;
        for (const auto* package : specs::packages_for(*m_previous, platform)) {
            if (package->manager != specs::LockManager::conda || !package->build) continue;
            auto version = specs::CondaVersion::parse(package->version);
            if (!version) continue;
            specs::PackageRecord record;
            record.name = package->name;
            record.version = std::move(*version);
            record.build = *package->build;
            out.push_back(std::move(record));
        }
        return out;
    }

    void set_previous(std::optional<specs::CondaLock> previous) { m_previous = std::move(previous); }

    core::Result<PlatformLock> solve_platform(const specs::Definition& definition,
                                              const std::vector<index::Channel>& channels,
                                              const std::string& platform) {
        PlatformLock result;
        result.platform = platform;
        const auto load_start = Clock::now();
        index::FetchOptions fetch;
        fetch.platform = platform;
        fetch.max_age = std::chrono::seconds(m_options.network.max_age_s);
        fetch.offline = m_options.network.offline ? index::Offline::yes : index::Offline::no;
        index::ChannelFetcher fetcher(m_transport, m_cache, m_reporter, m_clock, fetch);

        static const specs::CondaSection no_conda;
        const specs::CondaSection& conda = definition.conda ? *definition.conda : no_conda;
        auto subdirs = channels.empty() ? core::Result<std::vector<index::SubdirData>>(std::vector<index::SubdirData>{})
                                        : fetcher.fetch_subdirs(channels);
        if (!subdirs) return std::move(subdirs).error();
        std::vector<std::uint32_t> ranks;
        std::vector<std::string> names_of_channel;
        for (const auto& data : *subdirs) {
            const auto it = std::find(channels.begin(), channels.end(), data.channel);
            ranks.push_back(static_cast<std::uint32_t>(it - channels.begin()));
            names_of_channel.push_back(it->name());
        }
        auto names = spec_names(conda.dependencies);
        auto loaded = fetcher.load_closure(std::move(*subdirs), names);
        if (!loaded) return std::move(loaded).error();
        IndexCondaSource source;
        for (std::size_t i = 0; i < loaded->size(); ++i) {
            source.add(names_of_channel[i], ranks[i], std::move((*loaded)[i]));
        }
        result.load_seconds = seconds_since(load_start);

        solver::CondaRequest request;
        for (const auto& text : conda.dependencies) {
            auto spec = specs::MatchSpec::parse(text);
            if (!spec) return std::move(spec).error();
            request.specs.push_back(std::move(*spec));
        }
        request.locked = locked_records(platform);
        request.channel_priority = to_solver(m_options.channel_priority);
        request.add_pip_as_python_dependency = m_options.add_pip_as_python_dependency;
        auto overrides = m_options.use_process_overrides ? conda_overrides_from_process_environment()
                                                         : std::map<std::string, std::string>{};
        for (const auto& [key, value] : m_options.overrides) overrides[key] = value;
        auto virtuals = specs::virtual_packages(platform, detect_host(), overrides,
                                                platform == host_platform() ? specs::TargetIsHost::yes
                                                                            : specs::TargetIsHost::no);
        if (!virtuals) return std::move(virtuals).error();
        request.virtual_packages = std::move(*virtuals);

        m_reporter.on_phase_start("solve");
        const auto solve_start = Clock::now();
        auto outcome = solver::solve_conda(source, request);
        result.solve_seconds = seconds_since(solve_start);
        m_reporter.on_phase_end("solve", static_cast<std::uint64_t>(result.solve_seconds * 1000));
        if (!outcome) return std::move(outcome).error();

        if (const auto* unsolvable = std::get_if<solver::Unsolvable>(&outcome->result)) {
            for (auto& line : solver::explain(*unsolvable, *outcome->provider)) {
                ExplanationText text{line.depth, std::move(line.message_id), {}, std::move(line.text)};
                for (auto& [name, value] : line.args) text.args.push_back({name, value});
                result.explanation.push_back(std::move(text));
            }
            return result;
        }
        result.solved = true;
        std::string python;
        std::string glibc;
        std::map<std::string, std::string> provided;  // Python distributions conda installs
        for (const auto& candidate : std::get<solver::CondaSolution>(outcome->result).records) {
            const auto& r = candidate.record;
            if (r.name == "__glibc") glibc = r.version.to_string();
            if (r.name.rfind("__", 0) == 0) continue;  // virtual packages are not installed
            if (r.name == "python") python = r.version.to_string();
            provided[specs::normalize_package_name(r.name)] = r.version.to_string();
            LockedRecord out;
            out.manager = "conda";
            out.name = r.name;
            out.version = r.version.to_string();
            out.build = r.build;
            out.build_number = r.build_number;
            out.channel = r.channel;
            out.subdir = r.subdir;
            out.fn = r.fn;
            out.url = core::redact_url(r.url);
            out.fetch_url = r.url;
            out.md5 = r.md5;
            out.sha256 = r.sha256;
            m_depends[platform + "\n" + r.name] = r.depends;
            result.records.push_back(std::move(out));
        }
        if (definition.pip && !definition.pip->requirements.empty()) {
            if (glibc.empty()) {
                for (const auto& v : request.virtual_packages) {
                    if (v.name == "__glibc") glibc = v.version.to_string();
                }
            }
            if (python.empty()) {
                if (definition.conda) {
                    // Without a conda python the pip packages would have no interpreter.
                    return core::Error{core::ErrorCode::invalid_input, "lock.pip.no_python",
                                       fmt::format("{} has pip requirements but its conda dependencies do not "
                                                   "install python; add `python` to them",
                                                   m_options.path),
                                       {{"file", m_options.path}}, {}, {}, {}};
                }
                python = m_options.python;
                provided.clear();
            }
            detail::PipLockInput input;
            input.pip = &*definition.pip;
            input.platform = platform;
            input.python = python;
            input.glibc = glibc;
            input.conda_provided = std::move(provided);
            // The command line's index, else the definition's, else the settings' default.
            input.index_url_override = m_options.index_url;
            if (input.index_url_override.empty() && definition.pip->index_url.empty() && !definition.pip->no_index) {
                input.index_url_override = m_options.network.index_url;
            }
            auto pip = detail::lock_pip(m_transport, m_fs, m_reporter, input);
            if (!pip) return std::move(pip).error();
            result.solve_seconds += pip->solve_seconds;
            result.pip_from_conda = std::move(pip->from_conda);
            if (!pip->solved) {
                result.solved = false;
                result.records.clear();
                result.explanation = std::move(pip->explanation);
                return result;
            }
            for (auto& record : pip->records) {
                std::vector<std::string> depends;
                for (const auto& [name, spec] : pip->dependencies[record.name]) {
                    depends.push_back(spec == "*" ? name : name + " " + spec);
                }
                m_depends[platform + "\npip\n" + record.name] = std::move(depends);
                result.records.push_back(std::move(record));
            }
        }
        return result;
    }

    /// The solutions as a conda-lock v1 document.
    specs::CondaLock to_lock(const LoadedDefinition& loaded, const std::vector<index::Channel>& channels,
                             const std::vector<PlatformLock>& platforms) const {
        specs::CondaLock lock;
        for (const auto& channel : channels) lock.metadata.channels.push_back({channel.name(), {}});
        lock.metadata.sources.push_back(m_options.path);
        for (const auto& platform : platforms) {
            lock.metadata.platforms.push_back(platform.platform);
            lock.metadata.content_hash[platform.platform] = loaded.hash.hex;
            for (const auto& record : platform.records) {
                specs::LockedPackage package;
                package.name = record.name;
                package.version = record.version;
                package.manager = record.manager == "pip" ? specs::LockManager::pip : specs::LockManager::conda;
                package.platform = platform.platform;
                package.url = record.url;
                if (!record.md5.empty()) package.md5 = record.md5;
                if (!record.sha256.empty()) package.sha256 = record.sha256;
                if (!record.build.empty()) package.build = record.build;
                const std::string key = platform.platform + (record.manager == "pip" ? "\npip\n" : "\n") + record.name;
                if (auto it = m_depends.find(key); it != m_depends.end()) {
                    for (const auto& text : it->second) {
                        auto [name, spec] = split_dependency(text);
                        auto& slot = package.dependencies[name];
                        slot = slot.empty() || slot == "*" ? spec : slot + "," + spec;
                    }
                }
                lock.packages.push_back(std::move(package));
            }
        }
        return lock;
    }

    core::FileSystem& m_fs;
    core::Transport& m_transport;
    core::Reporter& m_reporter;
    const LockOptions& m_options;
    index::RepodataCache m_cache;
    std::optional<specs::CondaLock> m_previous;  // the lock being replaced, when kept
    core::SystemClock m_clock;
    std::map<std::string, std::vector<std::string>> m_depends;  // "platform\nname" -> depends
};

}  // namespace

bool LockReport::ok() const noexcept {
    if (freshness != LockFreshness::fresh) return false;
    return std::all_of(platforms.begin(), platforms.end(), [](const PlatformLock& p) { return p.solved; });
}

core::Result<LockReport> lock(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter,
                              const LockOptions& options) {
    const std::string first_platform = options.platforms.empty() ? std::string() : options.platforms.front();
    auto loaded = load_definition(fs, {options.path, first_platform, options.environment});
    if (!loaded) return std::move(loaded).error();
    LockReport report;
    report.file = options.path;
    report.output = options.output;
    report.content_hash = loaded->hash.hex;
    report.warnings = loaded->warnings;
    std::vector<std::string> platforms = options.platforms;
    if (platforms.empty()) platforms.push_back(loaded->definition.platform);

    if (options.check) {
        auto text = fs.read_file(options.output);
        if (!text) {
            report.freshness = LockFreshness::missing;
            return report;
        }
        auto existing = specs::CondaLock::parse(*text, options.output);
        if (!existing) {
            report.freshness = LockFreshness::unreadable;
            report.warnings.push_back(std::move(existing).error());
            return report;
        }
        for (const auto& platform : platforms) {
            const auto it = existing->metadata.content_hash.find(platform);
            if (it == existing->metadata.content_hash.end() || it->second != report.content_hash) {
                report.stale_platforms.push_back(platform);
            }
        }
        report.freshness = report.stale_platforms.empty() ? LockFreshness::fresh : LockFreshness::stale;
        return report;
    }

    const specs::Definition& definition = loaded->definition;
    const bool has_pip = definition.pip && !definition.pip->requirements.empty();
    if (!definition.conda && !has_pip) {
        return core::Error{core::ErrorCode::invalid_input, "lock.nothing",
                           fmt::format("{} has no conda or pip dependencies to lock", options.path),
                           {{"file", options.path}}, {}, {}, {}};
    }
    LockRun run(fs, transport, reporter, options);
    if (!options.upgrade && fs.kind(options.output) == core::FileKind::regular) {
        // An unreadable old lock is simply not kept: the new one replaces it.
        if (auto text = fs.read_file(options.output)) {
            if (auto previous = specs::CondaLock::parse(*text, options.output)) run.set_previous(std::move(*previous));
        }
    }
    auto channels = definition.conda ? run.channels(*definition.conda)
                                     : core::Result<std::vector<index::Channel>>(std::vector<index::Channel>{});
    if (!channels) return std::move(channels).error();
    reporter.on_phase_start("index");
    for (const auto& platform : platforms) {
        auto solved = run.solve_platform(definition, *channels, platform);
        if (!solved) return std::move(solved).error();
        report.platforms.push_back(std::move(*solved));
    }
    reporter.on_phase_end("index", 0);
    if (!report.ok() || options.dry_run) return report;
    const specs::CondaLock document = run.to_lock(*loaded, *channels, report.platforms);
    auto written = fs.write_file(options.output, specs::to_yaml(document));
    if (!written) return std::move(written).error();
    report.written = true;
    return report;
}

core::Result<LockReport> lock(core::FileSystem& fs, core::Reporter& reporter, const LockOptions& options) {
    auto transport = make_transport(options.network, reporter);
    return lock(fs, *transport, reporter, options);
}

}  // namespace envsmith::api
