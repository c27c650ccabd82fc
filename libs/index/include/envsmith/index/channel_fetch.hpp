#pragma once
// Fetching a channel's repodata in every form a server may offer, through the Transport port,
// with the on-disk cache: CEP-16 shards, repodata.json.zst, .bz2, plain repodata.json.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/clock.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/index/channel.hpp"
#include "envsmith/index/repodata.hpp"
#include "envsmith/index/repodata_cache.hpp"

namespace envsmith::index {

/// The forms of a subdir's repodata, in the order they are probed.
enum class RepodataVariant : std::uint8_t { shards, zst, bz2, json };

/// "shards", "zst", "bz2", "json": the names used in the cache state and in messages.
[[nodiscard]] std::string_view variant_name(RepodataVariant variant) noexcept;
/// The file under the subdir: `repodata_shards.msgpack.zst`, `repodata.json.zst`, ...
[[nodiscard]] std::string_view variant_file(RepodataVariant variant) noexcept;

enum class UseShards : bool { no, yes };
enum class Offline : bool { no, yes };

struct FetchOptions {
    /// The target platform; each channel is fetched for it and for `noarch`.
    std::string platform = "linux-64";
    /// Probe `repodata_shards.msgpack.zst` first (CEP-16).
    UseShards shards = UseShards::yes;
    /// A cached entry younger than this is used without asking the server; 0: always
    /// revalidate (If-None-Match / If-Modified-Since).
    std::chrono::seconds max_age{600};
    /// Use the cache only; a missing entry is `index.cache.offline_missing`.
    Offline offline = Offline::no;
    /// Refuse a repodata or shard that decompresses to more (a decompression bomb).
    std::uint64_t max_decompressed_bytes = std::uint64_t{4} << 30;
    /// How long a 404 for one form is remembered, so later runs do not probe it again.
    std::chrono::hours probe_memory{24 * 7};
};

enum class SubdirPresence : bool { absent, present };
/// Where the body came from: a 200, a 304 with the cached body, or the cache alone.
enum class BodySource : std::uint8_t { network, revalidated, cache };

/// One subdir of one channel as fetched. An absent subdir (every form answered 404) has an
/// empty body: a channel may serve only noarch/.
struct SubdirData {
    Channel channel;
    std::string subdir;
    SubdirPresence presence = SubdirPresence::absent;
    RepodataVariant variant = RepodataVariant::json;
    /// The file fetched, under the mirror that answered. May carry credentials.
    std::string url;
    /// Its folder, ending in '/'. May carry credentials.
    std::string subdir_url;
    /// Decompressed: repodata.json for zst/bz2/json, the msgpack shard index for shards.
    std::string body;
    BodySource source = BodySource::network;
    /// The URLs (redacted) that answered 404 before the form that worked, or every URL tried
    /// for an absent subdir.
    std::vector<std::string> tried_urls;
};

/// One CEP-16 shard as fetched, checked against the index's sha256 and decompressed.
struct Shard {
    std::string name;
    std::string sha256;  // lowercase hex of the compressed file
    std::string url;
    std::string msgpack;  // decompressed
    BodySource source = BodySource::network;
};

/// Fetches repodata for channels. Every reference must outlive the fetcher. Not thread-safe;
/// several fetchers (and processes) may share one cache folder.
///
/// Errors (each with args `channel`, `subdir` where they apply and a redacted `url`):
///
/// - `index.channel.not_found` (not_found): no subdir of a channel exists; arg `urls`, the
///   URLs tried
/// - `index.fetch.denied` (permission_denied): 401 or 403; arg `status`
/// - `index.fetch.http` (unavailable): another status no mirror recovered from; arg `status`
/// - `index.cache.offline_missing` (unavailable): offline and nothing cached;
///   `index.shards.offline_missing` (unavailable, arg `name`): the same for a shard
/// - `index.shards.not_sharded` (internal): `fetch_shards` on a subdir without shard index
/// - `index.cache.io` (unavailable): the cache folder cannot be used
/// - `index.decompress.too_large`, `index.decompress.invalid` (invalid_input): a
///   decompression bomb, a corrupt or truncated stream
/// - `index.shards.invalid` (invalid_input): a shard index or shard that does not decode
/// - `index.shards.hash_mismatch` (unavailable): a shard whose sha256 differs from the
///   index's; args `name`, `expected`, `actual`
/// - `network.*`, `net.*`: transport failures, passed on with context
///
/// Warnings: `net.mirror.next` when a mirror fails and the next is tried (args `url`,
/// `reason`, `next`); `index.cache.damaged` when a cached body does not parse and is fetched
/// again (args `channel`, `subdir`). `fetch_subdirs` reports the phase `index` (start, end),
/// and log lines (phase `index`) say where each subdir and shard batch came from.
class ChannelFetcher {
public:
    ChannelFetcher(core::Transport& transport, const RepodataCache& cache, core::Reporter& reporter,
                   const core::Clock& clock, FetchOptions options);

    /// The platform subdir (the channel's own `platform()` when its URL named one, else
    /// `options.platform`) and `noarch` of every channel, all requests overlapping through
    /// `Transport::send_all`. One SubdirData per channel and subdir, in channel order,
    /// platform first. A channel with no subdir at all fails the whole call.
    [[nodiscard]] core::Result<std::vector<SubdirData>> fetch_subdirs(
        const std::vector<Channel>& channels);

    /// One subdir of one channel. An absent subdir is not an error here.
    [[nodiscard]] core::Result<SubdirData> fetch_subdir(const Channel& channel,
                                                        std::string_view subdir);

    /// The shards of `names` (names the index lacks are skipped), fetched in parallel, each
    /// checked against the sha256 in the index, cached by that hash. `data` must hold a
    /// shard index (`variant == shards`).
    [[nodiscard]] core::Result<std::vector<Shard>> fetch_shards(
        const SubdirData& data, const std::vector<std::string>& names);

    /// The whole repodata of a subdir: parsed repodata.json, or every shard of a sharded one.
    /// An absent subdir gives an empty Repodata. A cached body that fails to parse is dropped
    /// and fetched again once.
    [[nodiscard]] core::Result<Repodata> load(SubdirData data);

    /// The records of `names` only: for a sharded subdir only their shards are fetched; for
    /// repodata.json the whole file is parsed (it was downloaded whole anyway).
    [[nodiscard]] core::Result<Repodata> load_names(SubdirData data,
                                                    const std::vector<std::string>& names);

    /// The records of `names` and of everything they depend on, transitively, for several
    /// subdirs at once (a solve's channels x subdirs): for sharded subdirs, each round fetches
    /// the shards of the names that the previous round's records depend on, for every subdir
    /// in one `send_all` (a dependency found in one subdir is looked up in all of them);
    /// other subdirs are parsed whole. One Repodata per subdir, in order.
    [[nodiscard]] core::Result<std::vector<Repodata>> load_closure(
        std::vector<SubdirData> subdirs, const std::vector<std::string>& names);

    /// Every package name a sharded subdir's index lists, sorted, without fetching a shard
    /// (for suggestions); empty for the other forms, whose `load` has them all.
    [[nodiscard]] core::Result<std::vector<std::string>> shard_names(const SubdirData& data) const;
    /// `fetch_subdir` then `load_names`.
    [[nodiscard]] core::Result<Repodata> fetch_names(const Channel& channel,
                                                     std::string_view subdir,
                                                     const std::vector<std::string>& names);

private:
    core::Transport& m_transport;
    const RepodataCache& m_cache;
    core::Reporter& m_reporter;
    const core::Clock& m_clock;
    FetchOptions m_options;
};

}  // namespace envsmith::index
