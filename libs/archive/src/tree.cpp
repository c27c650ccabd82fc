#include "tree.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "errors.hpp"
#include "reader.hpp"

namespace envsmith::archive::detail {
namespace {

constexpr int dir_flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
constexpr mode_t dir_mode = 0755;

std::string join(const std::vector<std::string>& components, std::size_t count) {
    std::string out;
    for (std::size_t i = 0; i < count; ++i) {
        if (i > 0) {
            out += '/';
        }
        out += components[i];
    }
    return out;
}

/// Regular files are 0644, or 0755 when the archive gives any execute bit: setuid, setgid,
/// sticky and group/other write bits are never kept.
mode_t file_mode(::archive_entry* entry) {
    return (archive_entry_perm(entry) & 0111) != 0 ? 0755 : 0644;
}

bool write_all(int fd, const void* data, std::size_t size) {
    const auto* bytes = static_cast<const char*>(data);
    while (size > 0) {
        const auto written = ::write(fd, bytes, size);
        if (written < 0) {
            if (errno == EINTR) {
                continue;
            }
            return false;
        }
        bytes += written;
        size -= static_cast<std::size_t>(written);
    }
    return true;
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        close();
        m_fd = std::exchange(other.m_fd, -1);
    }
    return *this;
}

UniqueFd::~UniqueFd() {
    close();
}

int UniqueFd::close() noexcept {
    if (m_fd < 0) {
        return 0;
    }
    const int result = ::close(std::exchange(m_fd, -1));
    return result == 0 ? 0 : errno;
}

PathCheck split_member_path(std::string_view path, std::vector<std::string>& out) {
    out.clear();
    if (!path.empty() && path.front() == '/') {
        return PathCheck::absolute;
    }
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        const auto part = path.substr(start, end - start);
        if (part == "..") {
            if (out.empty()) {
                return PathCheck::escapes;
            }
            out.pop_back();
        } else if (!part.empty() && part != ".") {
            out.emplace_back(part);
        }
        start = end + 1;
    }
    return PathCheck::inside;
}

bool symlink_stays_inside(const std::vector<std::string>& link_components,
                          std::string_view target) {
    if (target.empty() || target.front() == '/') {
        return false;
    }
    // The link's directory is the starting point; ".." may climb up to the root, not above.
    std::size_t depth = link_components.empty() ? 0 : link_components.size() - 1;
    std::size_t start = 0;
    while (start <= target.size()) {
        auto end = target.find('/', start);
        if (end == std::string_view::npos) {
            end = target.size();
        }
        const auto part = target.substr(start, end - start);
        if (part == "..") {
            if (depth == 0) {
                return false;
            }
            --depth;
        } else if (!part.empty() && part != ".") {
            ++depth;
        }
        start = end + 1;
    }
    return true;
}

DestinationTree::DestinationTree(std::string archive_path, std::string destination, UniqueFd root,
                                 ExtractLimits limits, std::uint64_t archive_bytes)
    : m_archive(std::move(archive_path)),
      m_destination(std::move(destination)),
      m_root(std::move(root)),
      m_limits(limits),
      m_archive_bytes(archive_bytes) {}

core::Error DestinationTree::io_failure(std::string_view entry, std::string_view relative) const {
    const int error = errno;  // read first: building the path may change errno
    const auto shown =
        relative == "." ? m_destination : m_destination + "/" + std::string(relative);
    return io_error(m_archive, entry, shown, error);
}

core::Error DestinationTree::io_failure(std::string_view entry,
                                        const std::vector<std::string>& components,
                                        std::size_t count) const {
    const int error = errno;
    auto relative = join(components, count);
    errno = error;
    return io_failure(entry, relative);
}

core::Result<int> DestinationTree::open_directory(const std::vector<std::string>& components,
                                                  std::size_t count, std::string_view entry) {
    std::size_t common = 0;
    while (common < m_open.size() && common < count && m_open[common].name == components[common]) {
        ++common;
    }
    m_open.resize(common);  // closes the directories of the previous path that differ
    int fd = common == 0 ? m_root.get() : m_open[common - 1].fd.get();
    for (std::size_t i = common; i < count; ++i) {
        const auto& name = components[i];
        UniqueFd next(::openat(fd, name.c_str(), dir_flags));
        if (!next.valid()) {
            const int error = errno;
            if (error == ELOOP || error == ENOTDIR) {
                struct stat info {};
                if (::fstatat(fd, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
                    S_ISLNK(info.st_mode)) {
                    return through_symlink_error(m_archive, entry, join(components, i + 1));
                }
                // A file of an earlier entry where this one needs a directory: replaced, as
                // a later entry replaces an earlier one.
                if (::unlinkat(fd, name.c_str(), 0) != 0) {
                    return io_failure(entry, components, i + 1);
                }
            } else if (error != ENOENT) {
                errno = error;
                return io_failure(entry, components, i + 1);
            }
            if (::mkdirat(fd, name.c_str(), dir_mode) != 0 && errno != EEXIST) {
                return io_failure(entry, components, i + 1);
            }
            next = UniqueFd(::openat(fd, name.c_str(), dir_flags));
            if (!next.valid() || ::fchmod(next.get(), dir_mode) != 0) {  // not masked by umask
                return io_failure(entry, components, i + 1);
            }
        }
        fd = next.get();
        m_open.push_back({name, std::move(next)});
    }
    return fd;
}

core::Result<UniqueFd> DestinationTree::find_directory(const std::vector<std::string>& components,
                                                       std::size_t count, std::string_view entry) {
    UniqueFd current(::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0));
    if (!current.valid()) {
        return io_failure(entry, ".");
    }
    for (std::size_t i = 0; i < count; ++i) {
        UniqueFd next(::openat(current.get(), components[i].c_str(), dir_flags));
        if (!next.valid()) {
            const int error = errno;
            if (error == ELOOP) {
                return through_symlink_error(m_archive, entry, join(components, i + 1));
            }
            if (error == ENOENT || error == ENOTDIR) {
                return UniqueFd();
            }
            errno = error;
            return io_failure(entry, components, i + 1);
        }
        current = std::move(next);
    }
    return current;
}

core::Status DestinationTree::remove_existing(int parent, const std::string& name,
                                              std::size_t depth, std::string_view entry) {
    struct stat info {};
    if (::fstatat(parent, name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) {
            return {};
        }
        return io_failure(entry, entry);
    }
    if (S_ISDIR(info.st_mode)) {
        // Cached descriptors below `parent` may name this directory: forget them first.
        if (m_open.size() > depth) {
            m_open.resize(depth);
        }
        if (::unlinkat(parent, name.c_str(), AT_REMOVEDIR) != 0) {
            return io_failure(entry, entry);
        }
        return {};
    }
    if (::unlinkat(parent, name.c_str(), 0) != 0) {
        return io_failure(entry, entry);
    }
    return {};
}

core::Status DestinationTree::add(::archive* reader, ::archive_entry* entry) {
    const std::string_view path = display_path(entry_path(entry));
    if (++m_seen > m_limits.max_entries) {
        return bomb_error(m_archive, path, "max_entries", m_limits.max_entries);
    }
    if (path.empty()) {
        return corrupt_error(m_archive, {}, "an entry has no path");
    }
    std::vector<std::string> components;
    switch (split_member_path(path, components)) {
        case PathCheck::absolute: return absolute_path_error(m_archive, path);
        case PathCheck::escapes: return path_escape_error(m_archive, path);
        case PathCheck::inside: break;
    }

    const std::string_view hardlink = entry_hardlink(entry);
    if (!hardlink.empty()) {
        return add_hardlink(components, path, hardlink);
    }
    switch (archive_entry_filetype(entry)) {
        case AE_IFDIR: return add_directory(components, path);
        case AE_IFREG: return add_file(reader, entry, components, path);
        case AE_IFLNK: {
            const std::string_view target = entry_symlink(entry);
            if (target.empty()) {
                // No system can create a symlink to "": some converted .conda files carry
                // such entries where the .tar.bz2 of the same package has an empty file.
                return add_file(reader, entry, components, path);
            }
            return add_symlink(components, path, target);
        }
        default: return special_file_error(m_archive, path);
    }
}

core::Status DestinationTree::add_directory(const std::vector<std::string>& components,
                                            std::string_view entry) {
    ++m_summary.entries;
    if (components.empty()) {
        return {};  // "./": the destination itself
    }
    const std::size_t depth = components.size() - 1;
    auto parent = open_directory(components, depth, entry);
    if (!parent) {
        return std::move(parent).error();
    }
    struct stat info {};
    if (::fstatat(*parent, components.back().c_str(), &info, AT_SYMLINK_NOFOLLOW) == 0 &&
        !S_ISDIR(info.st_mode)) {
        // A file or symlink of an earlier entry: the directory replaces it (never followed).
        if (::unlinkat(*parent, components.back().c_str(), 0) != 0) {
            return io_failure(entry, entry);
        }
    }
    auto made = open_directory(components, components.size(), entry);
    if (!made) {
        return std::move(made).error();
    }
    return {};
}

core::Status DestinationTree::add_file(::archive* reader, ::archive_entry* entry,
                                       const std::vector<std::string>& components,
                                       std::string_view path) {
    if (components.empty()) {
        return path_escape_error(m_archive, path);  // a file in place of the destination
    }
    const std::uint64_t declared =
        archive_entry_size_is_set(entry) != 0 && archive_entry_size(entry) > 0
            ? static_cast<std::uint64_t>(archive_entry_size(entry))
            : 0;
    if (declared > m_limits.max_entry_bytes) {
        return bomb_error(m_archive, path, "max_entry_bytes", m_limits.max_entry_bytes);
    }
    if (m_summary.bytes + declared > m_limits.max_total_bytes) {
        return bomb_error(m_archive, path, "max_total_bytes", m_limits.max_total_bytes);
    }
    const std::size_t depth = components.size() - 1;
    auto parent = open_directory(components, depth, path);
    if (!parent) {
        return std::move(parent).error();
    }
    const auto& name = components.back();
    constexpr int file_flags = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
    UniqueFd file(::openat(*parent, name.c_str(), file_flags, 0600));
    if (!file.valid() && errno == EEXIST) {
        // A later entry of the same path replaces the earlier one; O_EXCL with O_NOFOLLOW
        // guarantees the new file is ours, never a symlink's target.
        if (auto removed = remove_existing(*parent, name, depth, path); !removed) {
            return removed;
        }
        file = UniqueFd(::openat(*parent, name.c_str(), file_flags, 0600));
    }
    if (!file.valid() || ::fchmod(file.get(), file_mode(entry)) != 0) {
        return io_failure(path, path);
    }

    std::uint64_t position = 0;
    for (;;) {
        const void* block = nullptr;
        std::size_t size = 0;
        la_int64_t offset = 0;
        const int status = archive_read_data_block(reader, &block, &size, &offset);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status != ARCHIVE_OK) {  // ARCHIVE_WARN: a zip member's CRC does not match
            return corrupt_error(m_archive, path, reader_error(reader));
        }
        const auto at = static_cast<std::uint64_t>(offset);
        if (at < position) {
            return corrupt_error(m_archive, path, "data blocks out of order");
        }
        if (at > position) {  // a hole of a sparse entry
            if (::lseek(file.get(), static_cast<off_t>(at), SEEK_SET) < 0) {
                return io_failure(path, path);
            }
        }
        const std::uint64_t end = at + size;
        if (end > m_limits.max_entry_bytes) {
            return bomb_error(m_archive, path, "max_entry_bytes", m_limits.max_entry_bytes);
        }
        const std::uint64_t total = m_summary.bytes + end;
        if (total > m_limits.max_total_bytes) {
            return bomb_error(m_archive, path, "max_total_bytes", m_limits.max_total_bytes);
        }
        if (total > m_limits.ratio_floor_bytes &&
            total / (m_archive_bytes == 0 ? 1 : m_archive_bytes) > m_limits.max_ratio) {
            return bomb_error(m_archive, path, "max_ratio", m_limits.max_ratio);
        }
        if (!write_all(file.get(), block, size)) {
            return io_failure(path, path);
        }
        position = end;
    }
    if (declared > position) {  // a sparse entry ending in a hole
        if (::ftruncate(file.get(), static_cast<off_t>(declared)) != 0) {
            return io_failure(path, path);
        }
        position = declared;
    }
    if (const int error = file.close(); error != 0) {
        errno = error;
        return io_failure(path, path);
    }
    ++m_summary.entries;
    ++m_summary.files;
    m_summary.bytes += position;
    return {};
}

core::Status DestinationTree::add_symlink(const std::vector<std::string>& components,
                                          std::string_view entry, std::string_view target) {
    if (components.empty() || !symlink_stays_inside(components, target)) {
        return link_escape_error(m_archive, entry, target);
    }
    const std::size_t depth = components.size() - 1;
    auto parent = open_directory(components, depth, entry);
    if (!parent) {
        return std::move(parent).error();
    }
    const std::string target_text(target);
    const auto& name = components.back();
    if (::symlinkat(target_text.c_str(), *parent, name.c_str()) != 0) {
        if (errno != EEXIST) {
            return io_failure(entry, entry);
        }
        if (auto removed = remove_existing(*parent, name, depth, entry); !removed) {
            return removed;
        }
        if (::symlinkat(target_text.c_str(), *parent, name.c_str()) != 0) {
            return io_failure(entry, entry);
        }
    }
    ++m_summary.entries;
    return {};
}

core::Status DestinationTree::add_hardlink(const std::vector<std::string>& components,
                                           std::string_view entry, std::string_view target) {
    std::vector<std::string> target_components;
    if (split_member_path(display_path(target), target_components) != PathCheck::inside ||
        target_components.empty() || components.empty()) {
        return link_escape_error(m_archive, entry, target);
    }
    if (target_components == components) {
        ++m_summary.entries;  // a link to itself: the file is already there
        return {};
    }
    auto target_parent = find_directory(target_components, target_components.size() - 1, entry);
    if (!target_parent) {
        return std::move(target_parent).error();
    }
    struct stat info {};
    const auto& target_name = target_components.back();
    if (!target_parent->valid() ||
        ::fstatat(target_parent->get(), target_name.c_str(), &info, AT_SYMLINK_NOFOLLOW) != 0) {
        return corrupt_error(m_archive, entry, "the hardlink's target is not an earlier entry");
    }
    if (!S_ISREG(info.st_mode)) {
        // A hardlink to a symlink would move a relative target to another directory.
        return link_escape_error(m_archive, entry, target);
    }
    const std::size_t depth = components.size() - 1;
    auto parent = open_directory(components, depth, entry);
    if (!parent) {
        return std::move(parent).error();
    }
    const auto& name = components.back();
    if (::linkat(target_parent->get(), target_name.c_str(), *parent, name.c_str(), 0) != 0) {
        if (errno != EEXIST) {
            return io_failure(entry, entry);
        }
        if (auto removed = remove_existing(*parent, name, depth, entry); !removed) {
            return removed;
        }
        if (::linkat(target_parent->get(), target_name.c_str(), *parent, name.c_str(), 0) != 0) {
            return io_failure(entry, entry);
        }
    }
    ++m_summary.entries;
    return {};
}

}  // namespace envsmith::archive::detail
