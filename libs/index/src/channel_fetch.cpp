#include "envsmith/index/channel_fetch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "decompress.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/mirrors.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "shards.hpp"

namespace envsmith::index {
namespace {

using std::chrono::system_clock;

constexpr std::string_view log_phase = "index";

detail::Compression compression_of(RepodataVariant variant) {
    switch (variant) {
        case RepodataVariant::shards:
        case RepodataVariant::zst: return detail::Compression::zstd;
        case RepodataVariant::bz2: return detail::Compression::bzip2;
        case RepodataVariant::json: break;
    }
    return detail::Compression::none;
}

/// Whether another mirror of the same content could answer (as core::send_with_mirrors).
bool worth_next_mirror(int status) {
    return status == 408 || status == 429 || status >= 500;
}

/// The cache key of one form of one subdir: under the channel's own URL, whichever mirror
/// served it (mirrors hold the same files).
std::string canonical_url(const Channel& channel, std::string_view subdir,
                          RepodataVariant variant) {
    return core::join_url(channel.base_url(), fmt::format("{}/{}", subdir, variant_file(variant)));
}

std::string subdir_key(const Channel& channel, std::string_view subdir) {
    return core::join_url(channel.base_url(), std::string(subdir) + "/");
}

core::Error with_place(core::Error error, const Channel& channel, std::string_view subdir,
                       std::string_view url) {
    if (error.arg_value("channel").empty()) {
        error.args.push_back({"channel", channel.name()});
    }
    if (error.arg_value("subdir").empty()) {
        error.args.push_back({"subdir", std::string(subdir)});
    }
    if (error.arg_value("url").empty() && !url.empty()) {
        error.args.push_back({"url", core::redact_url(url)});
    }
    return error;
}

core::Error http_error(int status, const Channel& channel, std::string_view subdir,
                       std::string_view url) {
    const auto shown = core::redact_url(url);
    const bool denied = status == 401 || status == 403;
    auto error = core::make_error(
        denied ? core::ErrorCode::permission_denied : core::ErrorCode::unavailable,
        denied ? "index.fetch.denied" : "index.fetch.http",
        fmt::format("HTTP {} fetching `{}` of channel `{}`", status, shown, channel.name()));
    error.args.push_back({"status", std::to_string(status)});
    if (denied) {
        error.hint = "the channel needs credentials, or a token that is not valid any more";
    }
    return with_place(std::move(error), channel, subdir, url);
}

/// One subdir being fetched: which form and which mirror it is at.
struct Task {
    const Channel* channel = nullptr;
    std::string subdir;
    std::vector<RepodataVariant> variants;
    std::size_t variant_index = 0;
    std::size_t mirror_index = 0;
    std::optional<CacheState> cached;  // the state of the current form, for conditional GETs
    bool unconditional = false;        // the cached body was unusable: ask for the whole file
    std::vector<std::string> tried;    // redacted URLs that answered 404
    ProbeMemory probes;
    bool probes_changed = false;
    bool known_absent = false;  // every form is remembered as missing
    bool local = false;         // a file:// channel
    std::optional<SubdirData> result;
    std::optional<core::Error> error;

    [[nodiscard]] bool pending() const { return !result && !error; }
    [[nodiscard]] RepodataVariant variant() const { return variants[variant_index]; }
    [[nodiscard]] std::string url() const {
        return core::join_url(channel->mirrors()[mirror_index],
                              fmt::format("{}/{}", subdir, variant_file(variant())));
    }
    [[nodiscard]] std::string folder_url() const {
        return core::join_url(channel->mirrors()[mirror_index], subdir + "/");
    }
    [[nodiscard]] SubdirData make(SubdirPresence presence, std::string body,
                                  BodySource source) const {
        SubdirData data;
        data.channel = *channel;
        data.subdir = subdir;
        data.presence = presence;
        data.variant = variant();
        data.url = url();
        data.subdir_url = folder_url();
        data.body = std::move(body);
        data.source = source;
        return data;
    }
};

std::string describe_source(BodySource source) {
    switch (source) {
        case BodySource::network: return "downloaded";
        case BodySource::revalidated: return "not modified, cached copy used";
        case BodySource::cache: return "from the cache";
    }
    return {};
}

}  // namespace

std::string_view variant_name(RepodataVariant variant) noexcept {
    switch (variant) {
        case RepodataVariant::shards: return "shards";
        case RepodataVariant::zst: return "zst";
        case RepodataVariant::bz2: return "bz2";
        case RepodataVariant::json: return "json";
    }
    return "json";
}

std::string_view variant_file(RepodataVariant variant) noexcept {
    switch (variant) {
        case RepodataVariant::shards: return "repodata_shards.msgpack.zst";
        case RepodataVariant::zst: return "repodata.json.zst";
        case RepodataVariant::bz2: return "repodata.json.bz2";
        case RepodataVariant::json: return "repodata.json";
    }
    return "repodata.json";
}

ChannelFetcher::ChannelFetcher(core::Transport& transport, const RepodataCache& cache,
                               core::Reporter& reporter, const core::Clock& clock,
                               FetchOptions options)
    : m_transport(transport),
      m_cache(cache),
      m_reporter(reporter),
      m_clock(clock),
      m_options(std::move(options)) {}

namespace {

struct Context {
    core::Transport& transport;
    const RepodataCache& cache;
    core::Reporter& reporter;
    const core::Clock& clock;
    const FetchOptions& options;
};

/// Fetches each (channel, subdir) of `wanted`, overlapping the requests. One SubdirData per
/// entry, in order; an absent subdir is a value; the first error (in order) fails the call.
core::Result<std::vector<SubdirData>> fetch_many(
    const Context& context, const std::vector<std::pair<const Channel*, std::string>>& wanted) {
    const auto& cache = context.cache;
    const auto& options = context.options;
    auto& reporter = context.reporter;
    auto& transport = context.transport;
    const auto now = context.clock.now();

    std::vector<Task> tasks;
    for (const auto& [channel, subdir] : wanted) {
        Task task;
        task.channel = channel;
        task.subdir = subdir;
        // A local channel is read afresh each time: reading it costs nothing and it may
        // change at any moment (a `conda index` run), so neither age nor 404s are trusted.
        task.local = channel->mirrors().front().starts_with("file://");
        if (!task.local) {
            task.probes = cache.read_probes(subdir_key(*channel, subdir));
        }
        for (const auto variant : {RepodataVariant::shards, RepodataVariant::zst,
                                   RepodataVariant::bz2, RepodataVariant::json}) {
            if (variant == RepodataVariant::shards && options.shards == UseShards::no) {
                continue;
            }
            const auto missing = task.probes.missing.find(std::string(variant_name(variant)));
            if (missing != task.probes.missing.end() &&
                now - missing->second < options.probe_memory) {
                continue;  // this server lacked it recently
            }
            task.variants.push_back(variant);
        }
        if (task.variants.empty()) {
            // Every form answered 404 recently: the subdir is absent. Online, one request
            // checks whether it appeared; offline, that memory is the answer.
            task.known_absent = true;
            task.variants.push_back(RepodataVariant::json);
        }
        tasks.push_back(std::move(task));
    }

    // Without the network: a fresh entry (or any entry, offline) is the answer.
    for (auto& task : tasks) {
        for (std::size_t i = 0; i < task.variants.size(); ++i) {
            const auto key = canonical_url(*task.channel, task.subdir, task.variants[i]);
            auto state = cache.read_state(key);
            if (!state) {
                task.error = with_place(std::move(state).error(), *task.channel, task.subdir, key);
                break;
            }
            if (!*state) {
                continue;
            }
            const auto age = now - (*state)->fetched_at;
            const bool fresh = !task.local && options.max_age.count() > 0 &&
                               age >= system_clock::duration{} && age < options.max_age;
            if (fresh || options.offline == Offline::yes) {
                auto entry = cache.read(key);
                if (entry && *entry) {
                    task.variant_index = i;
                    task.result = task.make(SubdirPresence::present, std::move((*entry)->body),
                                            BodySource::cache);
                    break;
                }
            }
            if (options.offline == Offline::no) {
                // Probe from the first form not known to be missing: a form whose memory
                // expired is tried again before the cached one is revalidated.
                task.variant_index = 0;
                if (i == 0) {
                    task.cached = std::move(*state);
                }
                break;
            }
        }
        if (task.pending() && options.offline == Offline::yes && task.known_absent) {
            task.result = task.make(SubdirPresence::absent, {}, BodySource::cache);
        }
        if (task.pending() && options.offline == Offline::yes) {
            task.error = with_place(
                core::make_error(core::ErrorCode::unavailable, "index.cache.offline_missing",
                                 fmt::format("offline, and the cache has no repodata for `{}/{}`",
                                             task.channel->name(), task.subdir))
                    .with_hint("run once with the network, or leave offline mode"),
                *task.channel, task.subdir, {});
        }
    }

    while (std::any_of(tasks.begin(), tasks.end(), [](const Task& t) { return t.pending(); })) {
        std::vector<Task*> round;
        std::vector<core::HttpRequest> requests;
        for (auto& task : tasks) {
            if (!task.pending()) {
                continue;
            }
            core::HttpRequest request{
                .method = "GET", .url = task.url(), .headers = {}, .body = {}};
            if (task.cached && !task.unconditional) {
                if (!task.cached->etag.empty()) {
                    request.headers.emplace_back("If-None-Match", task.cached->etag);
                }
                if (!task.cached->last_modified.empty()) {
                    request.headers.emplace_back("If-Modified-Since", task.cached->last_modified);
                }
            }
            round.push_back(&task);
            requests.push_back(std::move(request));
        }
        auto responses = transport.send_all(requests);

        for (std::size_t i = 0; i < round.size(); ++i) {
            auto& task = *round[i];
            auto& response = responses[i];
            const auto url = requests[i].url;
            const auto key = canonical_url(*task.channel, task.subdir, task.variant());

            const bool failed = !response || worth_next_mirror(response->status);
            if (failed) {
                if (task.mirror_index + 1 < task.channel->mirrors().size()) {
                    const auto reason = response ? fmt::format("HTTP {}", response->status)
                                                 : response.error().message;
                    const auto shown = core::redact_url(url);
                    ++task.mirror_index;
                    const auto next = core::redact_url(task.url());
                    reporter.on_warning("net.mirror.next",
                                        fmt::format("{} failed ({}); trying the next mirror: {}",
                                                    shown, reason, next),
                                        {{"url", shown}, {"reason", reason}, {"next", next}});
                    continue;
                }
                if (!response) {
                    task.error =
                        with_place(std::move(response).error().with_context(fmt::format(
                                       "fetching {} of channel `{}`", variant_file(task.variant()),
                                       task.channel->name())),
                                   *task.channel, task.subdir, url);
                } else {
                    task.error = http_error(response->status, *task.channel, task.subdir, url);
                }
                continue;
            }

            const int status = response->status;
            if ((status == 200 || status == 304) &&
                task.probes.missing.erase(std::string(variant_name(task.variant()))) > 0) {
                task.probes_changed = true;  // it is back
            }
            if (status == 404 || status == 410) {
                task.tried.push_back(core::redact_url(url));
                task.probes.missing[std::string(variant_name(task.variant()))] = now;
                task.probes_changed = true;
                task.cached.reset();
                task.unconditional = false;
                if (task.variant_index + 1 < task.variants.size()) {
                    ++task.variant_index;
                    const auto next_key = canonical_url(*task.channel, task.subdir, task.variant());
                    auto state = cache.read_state(next_key);
                    if (state && *state) {
                        task.cached = std::move(*state);
                    }
                } else {
                    task.result = task.make(SubdirPresence::absent, {}, BodySource::network);
                }
                continue;
            }
            if (status == 304 && task.cached && !task.unconditional) {
                auto entry = cache.read(key);
                if (!entry || !*entry) {
                    task.unconditional = true;  // the cached body is gone or damaged
                    continue;
                }
                auto state = std::move((*entry)->state);
                state.fetched_at = now;
                if (const auto etag = response->header("etag"); !etag.empty()) {
                    state.etag = std::string(etag);
                }
                if (auto written = cache.write_state(key, std::move(state)); !written) {
                    task.error =
                        with_place(std::move(written).error(), *task.channel, task.subdir, key);
                    continue;
                }
                task.result = task.make(SubdirPresence::present, std::move((*entry)->body),
                                        BodySource::revalidated);
                continue;
            }
            if (status != 200) {
                task.error = http_error(status, *task.channel, task.subdir, url);
                continue;
            }
            auto body = detail::decompress(std::move(response->body), compression_of(task.variant()),
                                           options.max_decompressed_bytes, core::redact_url(url));
            if (!body) {
                task.error = with_place(std::move(body).error(), *task.channel, task.subdir, url);
                continue;
            }
            CacheState state;
            state.etag = std::string(response->header("etag"));
            state.last_modified = std::string(response->header("last-modified"));
            state.fetched_at = now;
            state.variant = std::string(variant_name(task.variant()));
            if (auto written = cache.write(key, state, *body); !written) {
                task.error =
                    with_place(std::move(written).error(), *task.channel, task.subdir, key);
                continue;
            }
            task.result = task.make(SubdirPresence::present, std::move(*body), BodySource::network);
        }
    }

    for (auto& task : tasks) {
        if (task.probes_changed && task.result && !task.local) {
            // A cache that cannot be written costs requests next time, nothing else.
            (void)cache.write_probes(subdir_key(*task.channel, task.subdir), task.probes);
        }
    }

    std::vector<SubdirData> out;
    for (auto& task : tasks) {
        if (task.error) {
            return std::move(*task.error);
        }
    }
    for (auto& task : tasks) {
        auto& result = *task.result;
        result.tried_urls = std::move(task.tried);
        reporter.on_log_line(
            log_phase, result.presence == SubdirPresence::present
                           ? fmt::format("{}/{}: {} ({}, {} bytes)", result.channel.name(),
                                         result.subdir, variant_file(result.variant),
                                         describe_source(result.source), result.body.size())
                           : fmt::format("{}/{}: absent", result.channel.name(), result.subdir));
        out.push_back(std::move(result));
    }
    return out;
}

}  // namespace

core::Result<std::vector<SubdirData>> ChannelFetcher::fetch_subdirs(
    const std::vector<Channel>& channels) {
    const auto started = m_clock.steady_now();
    m_reporter.on_phase_start(log_phase);
    struct PhaseEnd {
        core::Reporter& reporter;
        const core::Clock& clock;
        std::chrono::steady_clock::time_point started;
        ~PhaseEnd() {
            const auto elapsed =
                std::chrono::duration_cast<std::chrono::milliseconds>(clock.steady_now() - started);
            reporter.on_phase_end(log_phase, static_cast<std::uint64_t>(elapsed.count()));
        }
    } phase_end{m_reporter, m_clock, started};
    std::vector<std::pair<const Channel*, std::string>> wanted;
    for (const auto& channel : channels) {
        const auto platform = channel.platform().value_or(m_options.platform);
        wanted.emplace_back(&channel, platform);
        if (platform != "noarch") {
            wanted.emplace_back(&channel, "noarch");
        }
    }
    auto fetched = fetch_many({m_transport, m_cache, m_reporter, m_clock, m_options}, wanted);
    if (!fetched) {
        return std::move(fetched).error();
    }
    for (std::size_t i = 0; i < wanted.size();) {
        std::size_t end = i;
        bool any_present = false;
        std::vector<std::string> tried;
        for (; end < wanted.size() && wanted[end].first == wanted[i].first; ++end) {
            const auto& data = (*fetched)[end];
            any_present = any_present || data.presence == SubdirPresence::present;
            tried.insert(tried.end(), data.tried_urls.begin(), data.tried_urls.end());
        }
        if (!any_present) {
            const auto& channel = *wanted[i].first;
            const auto urls = core::join(tried, ", ");
            return core::make_error(core::ErrorCode::not_found, "index.channel.not_found",
                                    fmt::format("channel `{}` not found: no repodata at {}",
                                                channel.name(), urls))
                .arg("channel", channel.name())
                .arg("url", channel.display_url())
                .arg("urls", urls)
                .with_hint(
                    "check the channel's name (and the channel_alias or mirrors it resolves "
                    "with); a channel has a noarch/ or a platform subdir with repodata.json");
        }
        i = end;
    }
    return fetched;
}

core::Result<SubdirData> ChannelFetcher::fetch_subdir(const Channel& channel,
                                                      std::string_view subdir) {
    auto fetched = fetch_many({m_transport, m_cache, m_reporter, m_clock, m_options},
                              {{&channel, std::string(subdir)}});
    if (!fetched) {
        return std::move(fetched).error();
    }
    return std::move(fetched->front());
}

namespace {

/// The shards of some names of one sharded subdir.
struct ShardJob {
    const SubdirData* data = nullptr;
    const detail::ShardIndex* index = nullptr;
    std::vector<std::string> names;
    std::vector<Shard> shards;  // filled by fetch_shard_batch
};

/// Fetches the shards of every job in one send_all (cached ones from the cache), checks each
/// against its hash, caches the new ones, and decompresses them all.
core::Status fetch_shard_batch(const Context& context, std::vector<ShardJob>& jobs) {
    struct Wanted {
        std::size_t job;
        std::size_t shard;
        std::vector<std::string> urls;  // the shard under each mirror, in order
        std::size_t at = 0;
    };
    std::vector<Wanted> to_fetch;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
        auto& job = jobs[j];
        std::set<std::string> seen;
        for (const auto& name : job.names) {
            const auto it = job.index->shards.find(name);
            if (it == job.index->shards.end() || !seen.insert(name).second) {
                continue;
            }
            Shard shard;
            shard.name = name;
            shard.sha256 = it->second;
            shard.url = job.index->shards_base_url + it->second + ".msgpack.zst";
            if (auto cached = context.cache.read_shard(shard.sha256);
                cached && core::sha256(*cached).hex == shard.sha256) {
                shard.msgpack = std::move(*cached);  // still compressed; decoded below
                shard.source = BodySource::cache;
            } else {
                Wanted wanted{j, job.shards.size(), {shard.url}, 0};
                // Shards under the subdir folder exist under every mirror of the channel.
                if (shard.url.starts_with(job.data->subdir_url)) {
                    const auto rest = shard.url.substr(job.data->subdir_url.size());
                    for (const auto& mirror : job.data->channel.mirrors()) {
                        const auto folder = core::join_url(mirror, job.data->subdir + "/");
                        if (folder != job.data->subdir_url) {
                            wanted.urls.push_back(folder + rest);
                        }
                    }
                }
                to_fetch.push_back(std::move(wanted));
            }
            job.shards.push_back(std::move(shard));
        }
    }

    if (context.options.offline == Offline::yes && !to_fetch.empty()) {
        const auto& data = *jobs[to_fetch.front().job].data;
        const auto& shard = jobs[to_fetch.front().job].shards[to_fetch.front().shard];
        return with_place(
            core::make_error(core::ErrorCode::unavailable, "index.shards.offline_missing",
                             fmt::format("offline, and the cache has no shard of `{}` in `{}/{}`",
                                         shard.name, data.channel.name(), data.subdir))
                .arg("name", shard.name)
                .with_hint("run once with the network, or leave offline mode"),
            data.channel, data.subdir, shard.url);
    }
    // Rounds: every shard still wanted goes out in one send_all; a failure that another
    // mirror could answer moves that shard to its next mirror for the next round.
    std::vector<std::optional<core::Result<core::HttpResponse>>> responses(to_fetch.size());
    std::vector<std::size_t> pending(to_fetch.size());
    for (std::size_t k = 0; k < pending.size(); ++k) pending[k] = k;
    while (!pending.empty()) {
        std::vector<core::HttpRequest> requests;
        for (const auto k : pending) {
            requests.push_back({.method = "GET",
                                .url = to_fetch[k].urls[to_fetch[k].at],
                                .headers = {},
                                .body = {}});
        }
        auto answers = context.transport.send_all(requests);
        std::vector<std::size_t> again;
        for (std::size_t r = 0; r < pending.size(); ++r) {
            auto& wanted = to_fetch[pending[r]];
            auto& answer = answers[r];
            const bool failed = !answer || worth_next_mirror(answer->status);
            if (failed && wanted.at + 1 < wanted.urls.size()) {
                const auto reason =
                    answer ? fmt::format("HTTP {}", answer->status) : answer.error().message;
                const auto shown = core::redact_url(wanted.urls[wanted.at]);
                const auto next = core::redact_url(wanted.urls[wanted.at + 1]);
                context.reporter.on_warning(
                    "net.mirror.next",
                    fmt::format("{} failed ({}); trying the next mirror: {}", shown, reason, next),
                    {{"url", shown}, {"reason", reason}, {"next", next}});
                ++wanted.at;
                again.push_back(pending[r]);
                continue;
            }
            responses[pending[r]] = std::move(answer);
        }
        pending = std::move(again);
    }

    for (std::size_t k = 0; k < to_fetch.size(); ++k) {
        const auto& data = *jobs[to_fetch[k].job].data;
        auto& shard = jobs[to_fetch[k].job].shards[to_fetch[k].shard];
        shard.url = to_fetch[k].urls[to_fetch[k].at];
        auto& response = *responses[k];
        if (!response) {
            return with_place(std::move(response).error().with_context(
                                  fmt::format("fetching the shard of `{}`", shard.name)),
                              data.channel, data.subdir, shard.url);
        }
        if (response->status != 200) {
            return http_error(response->status, data.channel, data.subdir, shard.url);
        }
        const auto actual = core::sha256(response->body).hex;
        if (actual != shard.sha256) {
            const auto shown = core::redact_url(shard.url);
            return with_place(
                core::make_error(core::ErrorCode::unavailable, "index.shards.hash_mismatch",
                                 fmt::format("the shard of `{}` at `{}` has sha256 {}, the "
                                             "shard index says {}",
                                             shard.name, shown, actual, shard.sha256))
                    .arg("name", shard.name)
                    .arg("expected", shard.sha256)
                    .arg("actual", actual)
                    .with_hint("the server or a proxy serves damaged or stale files; try again "
                               "later or another mirror"),
                data.channel, data.subdir, shard.url);
        }
        if (auto written = context.cache.write_shard(shard.sha256, response->body); !written) {
            return with_place(std::move(written).error(), data.channel, data.subdir, shard.url);
        }
        shard.msgpack = std::move(response->body);
    }
    for (auto& job : jobs) {
        std::size_t downloaded = 0;
        for (auto& shard : job.shards) {
            auto decoded = detail::decompress(shard.msgpack, detail::Compression::zstd,
                                              context.options.max_decompressed_bytes,
                                              core::redact_url(shard.url));
            if (!decoded) {
                return with_place(std::move(decoded).error(), job.data->channel, job.data->subdir,
                                  shard.url);
            }
            shard.msgpack = std::move(*decoded);
            downloaded += shard.source == BodySource::network ? 1 : 0;
        }
        context.reporter.on_log_line(
            log_phase, fmt::format("{}/{}: {} shards ({} downloaded)", job.data->channel.name(),
                                   job.data->subdir, job.shards.size(), downloaded));
    }
    return {};
}

core::Error not_sharded(const SubdirData& data) {
    return with_place(
        core::make_error(core::ErrorCode::internal, "index.shards.not_sharded",
                         fmt::format("`{}/{}` was not fetched as a CEP-16 shard index",
                                     data.channel.name(), data.subdir)),
        data.channel, data.subdir, {});
}

core::Result<Repodata> build_from_shards(const SubdirData& data, const detail::ShardIndex& index,
                                         const std::vector<Shard>& shards) {
    RepodataInfo info;
    info.subdir = index.subdir.empty() ? data.subdir : index.subdir;
    info.base_url = index.base_url;
    info.repodata_version = index.base_url.empty() ? 1 : 2;
    RepodataBuilder builder(std::move(info), data.subdir_url);
    for (const auto& shard : shards) {
        if (auto added =
                detail::add_shard_records(shard.msgpack, builder, core::redact_url(shard.url));
            !added) {
            return with_place(std::move(added).error(), data.channel, data.subdir, shard.url);
        }
    }
    return std::move(builder).finish();
}

}  // namespace

core::Result<std::vector<Shard>> ChannelFetcher::fetch_shards(
    const SubdirData& data, const std::vector<std::string>& names) {
    if (data.variant != RepodataVariant::shards || data.presence != SubdirPresence::present) {
        return not_sharded(data);
    }
    auto index = detail::parse_shard_index(data.body, data.url, core::redact_url(data.url));
    if (!index) {
        return with_place(std::move(index).error(), data.channel, data.subdir, data.url);
    }
    std::vector<ShardJob> jobs(1);
    jobs[0].data = &data;
    jobs[0].index = &*index;
    jobs[0].names = names;
    if (auto fetched =
            fetch_shard_batch({m_transport, m_cache, m_reporter, m_clock, m_options}, jobs);
        !fetched) {
        return std::move(fetched).error();
    }
    return std::move(jobs[0].shards);
}

core::Result<std::vector<Repodata>> ChannelFetcher::load_closure(
    std::vector<SubdirData> subdirs, const std::vector<std::string>& names) {
    const Context context{m_transport, m_cache, m_reporter, m_clock, m_options};
    std::vector<std::optional<detail::ShardIndex>> indices(subdirs.size());
    std::vector<std::vector<Shard>> shards(subdirs.size());
    for (std::size_t i = 0; i < subdirs.size(); ++i) {
        const auto& data = subdirs[i];
        if (data.presence == SubdirPresence::present && data.variant == RepodataVariant::shards) {
            auto index = detail::parse_shard_index(data.body, data.url, core::redact_url(data.url));
            if (!index) {
                return with_place(std::move(index).error(), data.channel, data.subdir, data.url);
            }
            indices[i] = std::move(*index);
        }
    }
    // Breadth first: each round fetches, for every sharded subdir at once, the shards of the
    // names that the previous round's records depend on.
    std::set<std::string> asked;
    std::vector<std::string> next(names.begin(), names.end());
    while (!next.empty()) {
        std::vector<std::string> round;
        for (auto& name : next) {
            if (asked.insert(name).second) {
                round.push_back(std::move(name));
            }
        }
        next.clear();
        std::vector<ShardJob> jobs;
        for (std::size_t i = 0; i < subdirs.size(); ++i) {
            if (indices[i]) {
                jobs.push_back({&subdirs[i], &*indices[i], round, {}});
            }
        }
        if (round.empty() || jobs.empty()) {
            break;
        }
        if (auto fetched = fetch_shard_batch(context, jobs); !fetched) {
            return std::move(fetched).error();
        }
        for (auto& job : jobs) {
            const auto i = static_cast<std::size_t>(job.data - subdirs.data());
            for (auto& shard : job.shards) {
                auto depends = detail::dependency_names(shard.msgpack, core::redact_url(shard.url));
                if (!depends) {
                    return with_place(std::move(depends).error(), job.data->channel,
                                      job.data->subdir, shard.url);
                }
                next.insert(next.end(), depends->begin(), depends->end());
                shards[i].push_back(std::move(shard));
            }
        }
    }
    std::vector<Repodata> out;
    out.reserve(subdirs.size());
    for (std::size_t i = 0; i < subdirs.size(); ++i) {
        auto repodata = indices[i] ? build_from_shards(subdirs[i], *indices[i], shards[i])
                                   : load(std::move(subdirs[i]));
        if (!repodata) {
            return std::move(repodata).error();
        }
        out.push_back(std::move(*repodata));
    }
    return out;
}

core::Result<Repodata> ChannelFetcher::load_names(SubdirData data,
                                                  const std::vector<std::string>& names) {
    if (data.presence == SubdirPresence::absent) {
        return Repodata();
    }
    if (data.variant != RepodataVariant::shards) {
        return load(std::move(data));
    }
    auto index = detail::parse_shard_index(data.body, data.url, core::redact_url(data.url));
    if (!index) {
        return with_place(std::move(index).error(), data.channel, data.subdir, data.url);
    }
    auto shards = fetch_shards(data, names);
    if (!shards) {
        return std::move(shards).error();
    }
    return build_from_shards(data, *index, *shards);
}

core::Result<std::vector<std::string>> ChannelFetcher::shard_names(const SubdirData& data) const {
    std::vector<std::string> names;
    if (data.presence == SubdirPresence::absent || data.variant != RepodataVariant::shards) {
        return names;
    }
    auto index = detail::parse_shard_index(data.body, data.url, core::redact_url(data.url));
    if (!index) {
        return with_place(std::move(index).error(), data.channel, data.subdir, data.url);
    }
    for (const auto& [name, hash] : index->shards) {
        names.push_back(name);  // a std::map: already sorted
    }
    return names;
}

core::Result<Repodata> ChannelFetcher::load(SubdirData data) {
    if (data.presence == SubdirPresence::absent) {
        return Repodata();
    }
    if (data.variant == RepodataVariant::shards) {
        auto index = detail::parse_shard_index(data.body, data.url, core::redact_url(data.url));
        if (!index) {
            return with_place(std::move(index).error(), data.channel, data.subdir, data.url);
        }
        std::vector<std::string> all;
        all.reserve(index->shards.size());
        for (const auto& [name, hash] : index->shards) {
            all.push_back(name);
        }
        return load_names(std::move(data), all);
    }
    ParseOptions options;
    options.source = core::redact_url(data.url);
    options.subdir = data.subdir;
    options.subdir_url = data.subdir_url;
    const auto source = data.source;
    const auto channel = data.channel;
    const auto subdir = data.subdir;
    auto parsed = Repodata::parse(std::move(data.body), options);
    if (parsed || source == BodySource::network) {
        return parsed;
    }
    // A cached body that does not parse: drop it and fetch the subdir again, once.
    m_reporter.on_warning("index.cache.damaged",
                          fmt::format("the cached repodata of `{}/{}` does not parse; fetching "
                                      "it again",
                                      channel.name(), subdir),
                          {{"channel", channel.name()}, {"subdir", subdir}});
    (void)m_cache.remove(canonical_url(channel, subdir, data.variant));
    auto again = fetch_subdir(channel, subdir);
    if (!again) {
        return std::move(again).error();
    }
    if (again->source != BodySource::network) {
        return parsed;  // the first error: nothing new came
    }
    return load(std::move(*again));
}

core::Result<Repodata> ChannelFetcher::fetch_names(const Channel& channel, std::string_view subdir,
                                                   const std::vector<std::string>& names) {
    auto data = fetch_subdir(channel, subdir);
    if (!data) {
        return std::move(data).error();
    }
    return load_names(std::move(*data), names);
}

}  // namespace envsmith::index
