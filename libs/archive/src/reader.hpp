#pragma once
// Walks the entries of an archive with libarchive. A .conda is a zip whose info and pkg members
// are zstd tars: each is read by a second libarchive reader fed straight from the outer zip
// entry's data blocks (no temporary file, no copy for stored members).

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

struct archive;
struct archive_entry;

namespace envsmith::archive::detail {

/// Which stream an entry comes from.
enum class Part : std::uint8_t { whole, conda_info, conda_pkg };

enum class Visit : std::uint8_t { next, stop };

/// Called for every entry; may read the entry's data from `reader`.
using EntryVisitor =
    std::function<core::Result<Visit>(::archive* reader, ::archive_entry* entry, Part part)>;

struct ReadReport {
    std::uint64_t archive_bytes = 0;  // size of the archive file
    bool saw_info = false;            // .conda: the info tar was read
    bool saw_pkg = false;             // .conda: the pkg tar was read
};

struct ReadOptions {
    bool want_info = true;  // .conda: read the info tar
    bool want_pkg = true;   // .conda: read the pkg tar
};

/// True when the file name says .conda (the outer zip is then unpacked).
[[nodiscard]] bool is_conda_name(std::string_view path);

/// Reads `path` (a .conda by name, otherwise tar in any of gzip/bzip2/xz/zstd or none, or zip)
/// and calls `visit` for each entry until it returns `Visit::stop` or an error (returned as is).
/// Read errors become `archive.corrupt`; a missing file `archive.open`.
[[nodiscard]] core::Result<ReadReport> read_archive(const std::string& path,
                                                    const ReadOptions& options,
                                                    const EntryVisitor& visit);

/// The entry's path as UTF-8 when libarchive can give it, else its raw bytes; empty if none.
[[nodiscard]] std::string_view entry_path(::archive_entry* entry);
/// Symlink target (empty when none).
[[nodiscard]] std::string_view entry_symlink(::archive_entry* entry);
/// Hardlink target (empty when none).
[[nodiscard]] std::string_view entry_hardlink(::archive_entry* entry);
/// libarchive's last error text for `reader`.
[[nodiscard]] std::string reader_error(::archive* reader);

/// An archive member path without its leading "./" (and without trailing "/").
[[nodiscard]] std::string_view display_path(std::string_view path);

}  // namespace envsmith::archive::detail
