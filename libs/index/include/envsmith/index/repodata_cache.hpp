#pragma once
// The on-disk cache of repodata and CEP-16 shards, shared by every envsmith process of a user.
//
// Layout under the root folder:
//   repodata/<sha256(url)[:32]>.body   the decompressed repodata.json or shard index
//   repodata/<sha256(url)[:32]>.json   its state: url (redacted), etag, last_modified,
//                                      fetched_at, variant, content type, body size
//   repodata/<sha256(url)[:32]>.lock   flock(2): shared to read, exclusive to write
//   probes/<sha256(subdir url)[:32]>.json  what a subdir's server lacks (404s) and when
//   shards/<sha256>.msgpack.zst        shards as downloaded, content-addressed
//
// Every file is written to a temporary name and renamed, under the entry's exclusive lock,
// so a reader in another process sees the old entry or the new one. The locks are kernel
// locks that die with their process. A state file that does not parse, or a body whose size
// differs from its state, reads as a missing entry.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::index {

/// What the cache knows about one cached URL.
struct CacheState {
    std::string url;  // redacted: the state file never holds credentials
    std::string etag;
    std::string last_modified;
    std::chrono::system_clock::time_point fetched_at;  // last 200 or 304
    std::string variant;  // "shards", "zst", "bz2" or "json": which file name worked
    std::string content_type;  // the response's Content-Type (index pages); may be empty
    std::uint64_t body_bytes = 0;

    friend bool operator==(const CacheState&, const CacheState&) = default;
};

struct CacheEntry {
    CacheState state;
    std::string body;
};

/// Which repodata files a subdir's server answered 404 for, and when.
struct ProbeMemory {
    std::map<std::string, std::chrono::system_clock::time_point> missing;  // variant -> when
};

class RepodataCache {
public:
    /// Uses (and creates on first write) `root`. Nothing is read until asked.
    explicit RepodataCache(std::filesystem::path root);

    [[nodiscard]] const std::filesystem::path& root() const noexcept { return m_root; }

    /// The entry for `url` under a shared lock; empty when missing or damaged. Fails with
    /// `index.cache.io` (unavailable; args `path`, `detail`) when the folder cannot be read.
    [[nodiscard]] core::Result<std::optional<CacheEntry>> read(std::string_view url) const;
    /// Only the state of `url` (no body read).
    [[nodiscard]] core::Result<std::optional<CacheState>> read_state(std::string_view url) const;
    /// Stores body and state under an exclusive lock; `state.body_bytes` is set from `body`
    /// and `state.url` is redacted. Fails with `index.cache.io`.
    [[nodiscard]] core::Status write(std::string_view url, CacheState state,
                                     std::string_view body) const;
    /// Replaces the state only (after a 304), keeping the body and its size. Fails with
    /// `index.cache.io` when there is no entry.
    [[nodiscard]] core::Status write_state(std::string_view url, CacheState state) const;
    /// Removes the entry (a body that failed to parse).
    [[nodiscard]] core::Status remove(std::string_view url) const;

    [[nodiscard]] ProbeMemory read_probes(std::string_view subdir_url) const;
    [[nodiscard]] core::Status write_probes(std::string_view subdir_url,
                                            const ProbeMemory& memory) const;

    /// A shard by the sha256 (lowercase hex) of its bytes; empty when missing. The bytes are
    /// not re-hashed here: the caller checks them.
    [[nodiscard]] std::optional<std::string> read_shard(std::string_view sha256_hex) const;
    [[nodiscard]] core::Status write_shard(std::string_view sha256_hex,
                                           std::string_view bytes) const;

    /// The file name stem of the entry for `url`: 32 hex digits of its sha256.
    [[nodiscard]] static std::string key(std::string_view url);
    /// Where the entry's body lives (tests damage it on purpose).
    [[nodiscard]] std::filesystem::path body_path(std::string_view url) const;
    [[nodiscard]] std::filesystem::path state_path(std::string_view url) const;

private:
    std::filesystem::path m_root;
};

}  // namespace envsmith::index
