#pragma once
// Writes archive entries below one destination directory, safely: every entry is created
// relative to a directory file descriptor reached component by component with O_NOFOLLOW, so
// no path, symlink or hardlink, however crafted, makes a write land outside the destination.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/archive/extract.hpp"
#include "envsmith/core/result.hpp"

struct archive;
struct archive_entry;

namespace envsmith::archive::detail {

/// An owned file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) noexcept : m_fd(fd) {}
    UniqueFd(UniqueFd&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd();

    [[nodiscard]] int get() const noexcept { return m_fd; }
    [[nodiscard]] bool valid() const noexcept { return m_fd >= 0; }
    /// Closes now and reports close(2)'s errno (0 when fine).
    int close() noexcept;

private:
    int m_fd = -1;
};

/// How a member path relates to the destination.
enum class PathCheck : std::uint8_t { inside, absolute, escapes };

/// Splits a member path into components, resolving "." and ".." lexically. An absolute path or
/// one whose ".." climbs above the root is refused. The root itself gives no components.
[[nodiscard]] PathCheck split_member_path(std::string_view path, std::vector<std::string>& out);

/// Whether a symlink at `link_components` with relative `target` stays inside the root.
[[nodiscard]] bool symlink_stays_inside(const std::vector<std::string>& link_components,
                                        std::string_view target);

class DestinationTree {
public:
    /// `root` is the destination directory (named `destination` in errors), opened;
    /// `archive_bytes` the archive's file size (for the ratio limit).
    DestinationTree(std::string archive_path, std::string destination, UniqueFd root,
                    ExtractLimits limits, std::uint64_t archive_bytes);

    /// Creates one entry, reading its data from `reader`.
    [[nodiscard]] core::Status add(::archive* reader, ::archive_entry* entry);

    [[nodiscard]] const ExtractSummary& summary() const noexcept { return m_summary; }

private:
    struct Component {
        std::string name;
        UniqueFd fd;
    };

    /// The directory made of the first `count` components, created where missing (and a
    /// non-directory in the way replaced) when `create`; a symlink in the way is refused.
    /// Returns -1 when missing and not `create`. The fd belongs to the cache.
    core::Result<int> open_directory(const std::vector<std::string>& components, std::size_t count,
                                     std::string_view entry);
    /// The same without the cache and without creating: an owned fd, invalid when missing.
    core::Result<UniqueFd> find_directory(const std::vector<std::string>& components,
                                          std::size_t count, std::string_view entry);
    /// Removes whatever `name` is in `parent` (nothing if absent). A directory must be empty.
    core::Status remove_existing(int parent, const std::string& name, std::size_t depth,
                                 std::string_view entry);

    core::Status add_directory(const std::vector<std::string>& components, std::string_view entry);
    core::Status add_file(::archive* reader, ::archive_entry* entry,
                          const std::vector<std::string>& components, std::string_view path);
    core::Status add_symlink(const std::vector<std::string>& components, std::string_view entry,
                             std::string_view target);
    core::Status add_hardlink(const std::vector<std::string>& components, std::string_view entry,
                              std::string_view target);

    /// `archive.io` for `relative` below the destination, with the current errno.
    [[nodiscard]] core::Error io_failure(std::string_view entry, std::string_view relative) const;
    /// The same for the directory made of the first `count` components.
    [[nodiscard]] core::Error io_failure(std::string_view entry,
                                         const std::vector<std::string>& components,
                                         std::size_t count) const;

    std::string m_archive;
    std::string m_destination;
    UniqueFd m_root;
    ExtractLimits m_limits;
    std::uint64_t m_archive_bytes = 0;
    std::uint64_t m_seen = 0;  // entries of every kind, skipped ones included
    ExtractSummary m_summary;
    std::vector<Component> m_open;  // the directories of the last path, outermost first
};

}  // namespace envsmith::archive::detail
