#pragma once
// Reading archives: conda packages (.conda, .tar.bz2), wheels, zips and tar streams (plain, gzip,
// zstd, xz), through libarchive, with safe extraction (no path or link escapes, no special
// files, decompression-bomb limits). The only place envsmith reads archives.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::archive {

enum class ArchiveFormat : std::uint8_t {
    conda,
    tar_bz2,
    wheel,
    zip,
    tar,
    tar_gz,
    tar_zst,
    tar_xz
};

/// The format named by a file name's extension: ".conda", ".tar.bz2", ".whl", ".zip", ".tar",
/// ".tar.gz" or ".tgz", ".tar.zst", ".tar.xz" (case-sensitive, as channels and indexes write
/// them). Fails with `archive.format.unknown` (invalid_input; arg `file`) otherwise.
[[nodiscard]] core::Result<ArchiveFormat> format_of(std::string_view file_name);

/// Decompression-bomb guards. Exceeding any of them fails with `archive.bomb`.
struct ExtractLimits {
    std::uint64_t max_total_bytes = 64ULL << 30;  // sum of the sizes of the entries written
    std::uint64_t max_entry_bytes = 16ULL << 30;  // one entry's size
    std::uint64_t max_entries = 1'000'000;        // entries of all kinds
    /// Uncompressed bytes written / size of the archive file, checked once more than
    /// `ratio_floor_bytes` have been written (small archives compress well and are harmless).
    std::uint64_t max_ratio = 200;
    std::uint64_t ratio_floor_bytes = 256ULL << 20;
};

/// Which halves of a .conda to extract (ignored for other formats).
enum class CondaParts : std::uint8_t { all, info_only, pkg_only };

struct ExtractOptions {
    ExtractLimits limits;
    CondaParts conda_parts = CondaParts::all;
};

struct ExtractSummary {
    std::uint64_t entries = 0;  // entries of every kind written (files, dirs, links)
    std::uint64_t files = 0;    // regular files (hardlinks not counted)
    std::uint64_t bytes = 0;    // bytes of regular files written
};

/// Extracts an archive into `destination`, which is created if missing and must otherwise be
/// an empty directory. The format is detected from the content (libarchive's format and filter
/// detection); a name ending in ".conda" is read as a conda package: the `info-*.tar.zst` and
/// `pkg-*.tar.zst` members of the outer zip are streamed into the tar reader without temporary
/// files (metadata.json is not extracted).
///
/// Safety: entries are created relative to `destination`, never through a symlink (not even
/// one the same archive created earlier); setuid, setgid and sticky bits are dropped, files are
/// written 0644 or 0755 (any execute bit kept), directories 0755. Hardlinks to earlier entries
/// are allowed. A later entry of the same path replaces the earlier one.
///
/// Errors (all with args `entry` where an entry is concerned, and `archive`; docs/archive.md):
/// `archive.open` (not_found when missing, else unavailable), `archive.destination.not_empty`
/// (conflict), `archive.unsafe.path_escape`, `archive.unsafe.absolute_path`,
/// `archive.unsafe.link_escape` (arg `target`), `archive.unsafe.through_symlink` (arg `link`),
/// `archive.unsafe.special_file` (all invalid_input), `archive.bomb` (invalid_input; args
/// `limit`, `value`), `archive.corrupt` (invalid_input; arg `detail`), `archive.io`
/// (unavailable; args `path`, `detail`), `archive.conda.incomplete` (invalid_input; arg `part`:
/// a .conda without its info tar, or without its pkg tar when only pkg is asked for).
/// On any error the destination directory is removed again (also when it existed empty before).
[[nodiscard]] core::Result<ExtractSummary> extract(const std::string& archive_path,
                                                   const std::string& destination,
                                                   const ExtractOptions& options = {});

/// The bytes of one member, e.g. "info/index.json" of a .conda or .tar.bz2 (for a .conda, paths
/// under "info/" are searched in the info tar only, others in the pkg tar only) or
/// "x-1.0.dist-info/METADATA" of a wheel. A leading "./" in member names is ignored; a hardlink
/// reads as the file it links to. Fails with
/// `archive.entry.not_found` (not_found; args `entry`, `archive`) when absent or not a regular
/// file, `archive.entry.too_large` (invalid_input; args `entry`, `archive`, `max_bytes`) when
/// larger than `max_bytes`, `archive.open`, `archive.corrupt`.
[[nodiscard]] core::Result<std::string> read_entry(const std::string& archive_path,
                                                   std::string_view entry_path,
                                                   std::uint64_t max_bytes = 64ULL << 20);

struct EntryInfo {
    enum class Kind : std::uint8_t { file, directory, symlink, hardlink, other };

    std::string path;  // as stored, without a leading "./"
    Kind kind = Kind::other;
    std::uint64_t size = 0;   // regular files: bytes; others 0
    std::string link_target;  // symlinks and hardlinks
    std::uint32_t mode = 0;   // permission bits as stored (07777)
};

/// Every entry of the archive in order. For a .conda, the entries of the info tar then those of
/// the pkg tar (the outer zip's own members are not listed). Fails with `archive.open`,
/// `archive.corrupt`.
[[nodiscard]] core::Result<std::vector<EntryInfo>> list_entries(const std::string& archive_path);

}  // namespace envsmith::archive
