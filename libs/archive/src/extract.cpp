#include "envsmith/archive/extract.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <filesystem>
#include <system_error>
#include <utility>

#include "errors.hpp"
#include "reader.hpp"
#include "tree.hpp"

namespace envsmith::archive {
namespace {

namespace stdfs = std::filesystem;

bool has_suffix(std::string_view text, std::string_view suffix) {
    return text.size() > suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

/// Prepares the destination: absent (created with its parents) or an empty directory.
core::Result<detail::UniqueFd> open_destination(const std::string& archive_path,
                                                const std::string& destination) {
    std::error_code error;
    const auto status = stdfs::status(destination, error);
    if (stdfs::exists(status)) {
        if (!stdfs::is_directory(status) || !stdfs::is_empty(destination, error) || error) {
            return detail::destination_error(archive_path, destination);
        }
    } else {
        stdfs::create_directories(destination, error);
        if (error) {
            return detail::io_error(archive_path, {}, destination, error.value());
        }
    }
    detail::UniqueFd root(::open(destination.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root.valid() || ::fchmod(root.get(), 0755) != 0) {
        return detail::io_error(archive_path, {}, destination, errno);
    }
    return root;
}

EntryInfo::Kind kind_of(::archive_entry* entry) {
    if (!detail::entry_hardlink(entry).empty()) {
        return EntryInfo::Kind::hardlink;
    }
    switch (archive_entry_filetype(entry)) {
        case AE_IFREG: return EntryInfo::Kind::file;
        case AE_IFDIR: return EntryInfo::Kind::directory;
        case AE_IFLNK: return EntryInfo::Kind::symlink;
        default: return EntryInfo::Kind::other;
    }
}

}  // namespace

core::Result<ArchiveFormat> format_of(std::string_view file_name) {
    static constexpr std::array<std::pair<std::string_view, ArchiveFormat>, 9> suffixes = {{
        {".conda", ArchiveFormat::conda},
        {".tar.bz2", ArchiveFormat::tar_bz2},
        {".whl", ArchiveFormat::wheel},
        {".zip", ArchiveFormat::zip},
        {".tar", ArchiveFormat::tar},
        {".tar.gz", ArchiveFormat::tar_gz},
        {".tgz", ArchiveFormat::tar_gz},
        {".tar.zst", ArchiveFormat::tar_zst},
        {".tar.xz", ArchiveFormat::tar_xz},
    }};
    for (const auto& [suffix, format] : suffixes) {
        if (has_suffix(file_name, suffix)) {
            return format;
        }
    }
    return detail::format_unknown_error(file_name);
}

core::Result<ExtractSummary> extract(const std::string& archive_path,
                                     const std::string& destination,
                                     const ExtractOptions& options) {
    // The archive must be readable before anything is created.
    struct stat info {};
    if (::stat(archive_path.c_str(), &info) != 0) {
        return detail::open_error(archive_path, errno);
    }
    auto root = open_destination(archive_path, destination);
    if (!root) {
        return std::move(root).error();
    }
    // When `destination` is a symlink to an empty directory, the entries land in that
    // directory: a failure removes it as well as the link.
    std::error_code resolve_error;
    const auto real_destination = stdfs::canonical(destination, resolve_error);
    auto fail = [&](core::Error error) -> core::Result<ExtractSummary> {
        std::error_code ignored;
        if (!resolve_error) {
            stdfs::remove_all(real_destination, ignored);  // never follows symlinks inside
        }
        stdfs::remove_all(destination, ignored);
        return error;
    };

    detail::DestinationTree tree(archive_path, destination, std::move(root).value(), options.limits,
                                 static_cast<std::uint64_t>(info.st_size));
    detail::ReadOptions read_options;
    read_options.want_info = options.conda_parts != CondaParts::pkg_only;
    read_options.want_pkg = options.conda_parts != CondaParts::info_only;
    auto report =
        detail::read_archive(archive_path, read_options,
                             [&tree](::archive* reader, ::archive_entry* entry,
                                     detail::Part /*part*/) -> core::Result<detail::Visit> {
                                 if (auto added = tree.add(reader, entry); !added) {
                                     return std::move(added).error();
                                 }
                                 return detail::Visit::next;
                             });
    if (!report) {
        return fail(std::move(report).error());
    }
    if (detail::is_conda_name(archive_path)) {
        // Every conda package has metadata: its info tar is required unless only pkg is
        // asked for. An info-only package (no pkg tar) is valid.
        if (read_options.want_info && !report->saw_info) {
            return fail(detail::conda_incomplete_error(archive_path, "info"));
        }
        if (options.conda_parts == CondaParts::pkg_only && !report->saw_pkg) {
            return fail(detail::conda_incomplete_error(archive_path, "pkg"));
        }
    }
    return tree.summary();
}

core::Result<std::string> read_entry(const std::string& archive_path, std::string_view entry_path,
                                     std::uint64_t max_bytes) {
    const std::string_view wanted = detail::display_path(entry_path);
    detail::ReadOptions read_options;
    // A .conda keeps info/ in its info tar and everything else in its pkg tar.
    const bool in_info = wanted.substr(0, 5) == "info/";
    read_options.want_info = in_info;
    read_options.want_pkg = !in_info;

    bool found = false;
    std::string content;
    std::string hardlink_target;
    auto report = detail::read_archive(
        archive_path, read_options,
        [&](::archive* reader, ::archive_entry* entry,
            detail::Part /*part*/) -> core::Result<detail::Visit> {
            if (detail::display_path(detail::entry_path(entry)) != wanted) {
                return detail::Visit::next;
            }
            const auto kind = kind_of(entry);
            if (kind == EntryInfo::Kind::hardlink) {
                hardlink_target = std::string(detail::display_path(detail::entry_hardlink(entry)));
                return detail::Visit::stop;
            }
            if (kind != EntryInfo::Kind::file) {
                return detail::Visit::next;
            }
            if (archive_entry_size_is_set(entry) != 0 &&
                static_cast<std::uint64_t>(archive_entry_size(entry)) > max_bytes) {
                return detail::entry_too_large_error(archive_path, wanted, max_bytes);
            }
            content.clear();
            for (;;) {
                const void* block = nullptr;
                std::size_t size = 0;
                la_int64_t offset = 0;
                const int status = archive_read_data_block(reader, &block, &size, &offset);
                if (status == ARCHIVE_EOF) {
                    break;
                }
                if (status != ARCHIVE_OK) {  // WARN here is a bad CRC
                    return detail::corrupt_error(archive_path, wanted,
                                                 detail::reader_error(reader));
                }
                const auto end = static_cast<std::uint64_t>(offset) + size;
                if (end > max_bytes) {
                    return detail::entry_too_large_error(archive_path, wanted, max_bytes);
                }
                if (content.size() < static_cast<std::size_t>(offset)) {
                    content.resize(static_cast<std::size_t>(offset), '\0');  // sparse hole
                }
                content.append(static_cast<const char*>(block), size);
            }
            if (archive_entry_size_is_set(entry) != 0 &&
                content.size() < static_cast<std::uint64_t>(archive_entry_size(entry))) {
                content.resize(static_cast<std::size_t>(archive_entry_size(entry)), '\0');
            }
            found = true;
            return detail::Visit::stop;
        });
    if (!report) {
        return std::move(report).error();
    }
    if (!found && !hardlink_target.empty() && hardlink_target != wanted) {
        // A hardlink shares the data of an earlier entry: read that one instead.
        auto linked = read_entry(archive_path, hardlink_target, max_bytes);
        if (!linked && linked.error().message_id == "archive.entry.not_found") {
            return detail::entry_not_found_error(archive_path, wanted);
        }
        return linked;
    }
    if (!found) {
        return detail::entry_not_found_error(archive_path, wanted);
    }
    return content;
}

core::Result<std::vector<EntryInfo>> list_entries(const std::string& archive_path) {
    std::vector<EntryInfo> info_entries;
    std::vector<EntryInfo> other_entries;
    auto report = detail::read_archive(
        archive_path, detail::ReadOptions{},
        [&](::archive* /*reader*/, ::archive_entry* entry,
            detail::Part part) -> core::Result<detail::Visit> {
            EntryInfo info;
            info.path = std::string(detail::display_path(detail::entry_path(entry)));
            info.kind = kind_of(entry);
            if (info.kind == EntryInfo::Kind::file && archive_entry_size_is_set(entry) != 0 &&
                archive_entry_size(entry) > 0) {
                info.size = static_cast<std::uint64_t>(archive_entry_size(entry));
            }
            if (info.kind == EntryInfo::Kind::symlink) {
                info.link_target = std::string(detail::entry_symlink(entry));
            } else if (info.kind == EntryInfo::Kind::hardlink) {
                info.link_target = std::string(detail::display_path(detail::entry_hardlink(entry)));
            }
            info.mode = static_cast<std::uint32_t>(archive_entry_perm(entry)) & 07777U;
            (part == detail::Part::conda_info ? info_entries : other_entries)
                .push_back(std::move(info));
            return detail::Visit::next;
        });
    if (!report) {
        return std::move(report).error();
    }
    info_entries.insert(info_entries.end(), std::make_move_iterator(other_entries.begin()),
                        std::make_move_iterator(other_entries.end()));
    return info_entries;
}

}  // namespace envsmith::archive
