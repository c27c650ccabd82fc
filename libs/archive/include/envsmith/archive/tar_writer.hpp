#pragma once
// Writing deterministic tar streams (POSIX ustar headers, pax extended headers for what ustar
// cannot hold) for image layers. The same tree gives the same bytes on any machine: entries are
// sorted by path bytes, every mtime is one fixed epoch, uid/gid are 0, user and group names are
// empty, and no atime, ctime, xattrs, device numbers or other host metadata are written.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::archive {

/// Receives the tar stream in order, in pieces of any size. A failing status stops the writer,
/// which returns that error unchanged.
using TarSink = std::function<core::Status(std::string_view bytes)>;

/// Writes tar entries one by one to a sink. Entry paths are relative ("opt/x", no leading "/"
/// or "./"); directories get a trailing "/" in the stream. The caller decides the order; the
/// writer only encodes. Long paths and link targets (over 100 bytes) and sizes of 8 GiB or more
/// go into a pax extended header written just before the entry.
class TarWriter {
public:
    /// `mtime_epoch` (seconds since 1970, >= 0) is written as the mtime of every entry.
    TarWriter(TarSink sink, std::int64_t mtime_epoch);

    core::Status add_directory(std::string_view path, std::uint32_t mode);
    /// A regular file whose bytes are read from `source_path`, which must have exactly `size`
    /// bytes (`archive.tar.changed` otherwise: the file changed while it was being written).
    core::Status add_file(std::string_view path, std::uint32_t mode, std::uint64_t size,
                          const std::string& source_path);
    /// A regular file with the given contents.
    core::Status add_file_contents(std::string_view path, std::uint32_t mode,
                                   std::string_view contents);
    core::Status add_symlink(std::string_view path, std::string_view target);
    /// A hardlink to an entry written earlier (`target` is that entry's path in the stream);
    /// `mode` is the shared file's mode (readers ignore it, listings show it).
    core::Status add_hardlink(std::string_view path, std::string_view target, std::uint32_t mode);
    /// Writes the end-of-archive marker (two zero blocks) and flushes. Call once, last.
    core::Status finish();

    /// Bytes handed to the sink so far.
    [[nodiscard]] std::uint64_t bytes_written() const noexcept { return m_bytes; }

private:
    core::Status header(std::string_view path, char type, std::uint32_t mode, std::uint64_t size,
                        std::string_view link_target);
    core::Status emit(std::string_view bytes);
    core::Status flush();

    TarSink m_sink;
    std::int64_t m_mtime;
    std::string m_buffer;
    std::uint64_t m_bytes = 0;
};

struct TreeTarOptions {
    /// Where the tree goes inside the archive, e.g. "opt/envsmith/envs/demo" (a leading "/" is
    /// dropped). Its parent directories are written as entries with mode 0755; the tree's root
    /// gets the mode of `source_dir`. Empty: the tree's contents go to the archive root and
    /// the root itself is not an entry.
    std::string path_in_archive;
    /// The mtime of every entry, e.g. SOURCE_DATE_EPOCH as given by the caller.
    std::int64_t mtime_epoch = 0;
};

struct TreeTarSummary {
    std::uint64_t entries = 0;  // every kind, including the parent directories
    std::uint64_t files = 0;    // regular files (hardlinks not counted)
    std::uint64_t hardlinks = 0;
    std::uint64_t symlinks = 0;
    std::uint64_t file_bytes = 0;  // bytes of regular files
    std::uint64_t tar_bytes = 0;   // bytes of the whole stream
};

/// Writes the directory tree `source_dir` as a tar stream to `sink`. Entries are sorted by the
/// bytes of their archive path (so a directory precedes its contents); modes keep their
/// permission bits (07777); symlinks are stored as symlinks with their target unchanged; a
/// file with several links inside the tree is stored once, under its first path in that order,
/// and its other paths become hardlink entries to it.
///
/// Errors: `archive.tar.source` (not_found or invalid_input; arg `path`: the source is missing
/// or not a directory), `archive.tar.io` (unavailable; args `path`, `detail`),
/// `archive.tar.special_file` (invalid_input; arg `path`: a device, fifo or socket),
/// `archive.tar.changed` (conflict; arg `path`), `archive.tar.mtime` (invalid_input; arg
/// `mtime`: negative or too large), and any error of the sink.
[[nodiscard]] core::Result<TreeTarSummary> write_tree(const std::string& source_dir,
                                                      const TreeTarOptions& options,
                                                      const TarSink& sink);

}  // namespace envsmith::archive
