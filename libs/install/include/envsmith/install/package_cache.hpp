#pragma once
// The package cache: downloaded archives stored by their sha256, and the extracted trees of
// conda packages, shared by every envsmith process and run on the machine. docs/package-cache.md
// describes the layout, the locking and the verification.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/archive/extract.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::install {

/// Whether a package's extracted tree is wanted besides its archive. `automatic`: yes for conda
/// packages (".conda", ".tar.bz2"), no for anything else (wheels are installed from the archive).
enum class Extract : std::uint8_t { automatic, no, yes };

/// One package to fetch: where from and what its bytes must hash to.
struct PackageSource {
    std::string url;
    std::vector<std::string> mirrors;  // full URLs of the same file, tried after `url`
    std::string file_name;             // empty: the last path segment of `url`
    std::optional<core::Digest> sha256;
    std::optional<core::Digest> md5;   // used when sha256 is absent; checked too when both are
    std::uint64_t size = 0;            // bytes; 0: unknown
    Extract extract = Extract::automatic;
};

/// A package present in the cache, verified.
struct CachedPackage {
    std::string archive_path;   // <root>/sha256/<hex><ext>; never written again once there
    std::string extracted_dir;  // <root>/extracted/<hex>; empty when not extracted
    core::Digest sha256;
    std::uint64_t size = 0;
    bool downloaded = false;  // false: the archive was in the cache already
};

/// Whether an archive already in the cache is hashed again before it is used.
enum class VerifyCached : bool { no, yes };

struct FetchOptions {
    std::uint32_t max_parallel = 4;  // packages downloaded (and extracted) at the same time
    VerifyCached verify_cached = VerifyCached::no;
    archive::ExtractOptions extract;
};

/// The package cache folder under envsmith's cache folder: `<cache_dir>/pkgs`.
[[nodiscard]] std::string package_cache_root(std::string_view cache_dir);

/// A package cache rooted at a folder. Every write is a temporary file or folder renamed into
/// place, and every entry is changed only under an exclusive flock of its lock file, so any
/// number of threads and processes may fetch into one cache; a killed process leaves no lock
/// behind (the kernel drops it) and at most a `.part` file the next fetch continues.
class PackageCache {
public:
    /// Opens the cache at `root`, creating its folders. Fails with `install.cache.io`
    /// (unavailable; args `path`, `detail`) when they cannot be created.
    static core::Result<PackageCache> open(std::string root);

    [[nodiscard]] const std::string& root() const noexcept { return m_root; }

    /// Fetches each source: a cache hit costs no request; otherwise the archive is downloaded
    /// (resuming a partial download), verified against its digests and renamed into the cache
    /// (see `download_verified` for mirrors, retries and errors); when extraction is wanted,
    /// the archive is extracted into a temporary folder renamed into place. At most
    /// `options.max_parallel` packages are worked on at once; the reporter's calls are
    /// serialised (one at a time, from worker threads). Returns one result per source, in
    /// order. Errors of a source: those of `download_verified`, `install.cache.io`, the
    /// archive layer's extraction errors; a source with only an md5 is keyed by it until its
    /// sha256 is known.
    [[nodiscard]] std::vector<core::Result<CachedPackage>> fetch(
        const std::vector<PackageSource>& sources, core::Transport& transport,
        core::Reporter& reporter, const FetchOptions& options = {}) const;

    /// The cached package of `source` if its archive (and, when wanted, its extracted tree) is
    /// present; no lock, no network, no hashing. Needs the source's sha256.
    [[nodiscard]] std::optional<CachedPackage> find(const PackageSource& source) const;

    /// Where the archive of this digest with this file name's extension is (or would be).
    [[nodiscard]] std::string archive_path(const core::Digest& sha256,
                                           std::string_view file_name) const;
    /// Where the extracted tree of this digest is (or would be).
    [[nodiscard]] std::string extracted_path(const core::Digest& sha256) const;

private:
    explicit PackageCache(std::string root) : m_root(std::move(root)) {}
    std::string m_root;
};

}  // namespace envsmith::install
