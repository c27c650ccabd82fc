// Our own ustar/pax header writer: the format is small (POSIX.1-2001, pax), and writing the
// 512-byte headers ourselves keeps every byte under our control (no host names, no atime or
// ctime records, no PaxHeader names with process ids).

#include "envsmith/archive/tar_writer.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <utility>
#include <vector>

namespace envsmith::archive {

namespace {

constexpr std::size_t block_size = 512;
constexpr std::size_t flush_threshold = 256 * 1024;
// Largest values the ustar octal fields can hold: size has 11 digits, mtime 11 digits.
constexpr std::uint64_t max_octal_11 = 077777777777ULL;

core::Error io_error(const std::string& path, int err) {
    const std::string detail = std::strerror(err);
    return core::make_error(core::ErrorCode::unavailable, "archive.tar.io",
                            fmt::format("cannot read `{}`: {}", path, detail))
        .arg("path", path)
        .arg("detail", detail);
}

/// Writes `value` as zero-padded octal of width-1 digits and a NUL into field[0..width).
void put_octal(char* field, std::size_t width, std::uint64_t value) {
    for (std::size_t i = width - 1; i-- > 0;) {
        field[i] = static_cast<char>('0' + (value & 7U));
        value >>= 3U;
    }
    field[width - 1] = '\0';
}

void put_string(char* field, std::size_t width, std::string_view text) {
    if (!text.empty()) {  // an empty view may have a null data(), which memcpy must not get
        std::memcpy(field, text.data(), std::min(width, text.size()));
    }
}

/// One pax record "<len> key=value\n", where len counts the whole record including itself.
std::string pax_record(std::string_view key, std::string_view value) {
    const std::size_t rest = key.size() + value.size() + 3;  // ' ', '=', '\n'
    std::size_t length = rest + 1;
    while (std::to_string(length).size() + rest != length) {
        length = std::to_string(length).size() + rest;
    }
    return fmt::format("{} {}={}\n", length, key, value);
}

}  // namespace

TarWriter::TarWriter(TarSink sink, std::int64_t mtime_epoch)
    : m_sink(std::move(sink)), m_mtime(mtime_epoch) {
    m_buffer.reserve(flush_threshold + 2 * block_size);
}

core::Status TarWriter::emit(std::string_view bytes) {
    m_buffer.append(bytes);
    if (m_buffer.size() >= flush_threshold) {
        return flush();
    }
    return {};
}

core::Status TarWriter::flush() {
    if (m_buffer.empty()) {
        return {};
    }
    auto status = m_sink(m_buffer);
    m_bytes += m_buffer.size();
    m_buffer.clear();
    return status;
}

core::Status TarWriter::header(std::string_view path, char type, std::uint32_t mode,
                               std::uint64_t size, std::string_view link_target) {
    std::string pax;
    if (path.size() > 100) {
        pax += pax_record("path", path);
    }
    if (link_target.size() > 100) {
        pax += pax_record("linkpath", link_target);
    }
    if (size > max_octal_11) {
        pax += pax_record("size", std::to_string(size));
    }
    if (!pax.empty()) {
        // The extended header's own name is fixed: readers ignore it, and a name derived from
        // the process (as some writers do) would break reproducibility.
        if (auto status = header("PaxHeader", 'x', 0644, pax.size(), {}); !status) {
            return status;
        }
        if (auto status = emit(pax); !status) {
            return status;
        }
        const std::size_t pad = (block_size - pax.size() % block_size) % block_size;
        if (auto status = emit(std::string(pad, '\0')); !status) {
            return status;
        }
    }

    std::array<char, block_size> block{};
    char* h = block.data();
    put_string(h + 0, 100, path.substr(0, 100));
    put_octal(h + 100, 8, mode & 07777U);
    put_octal(h + 108, 8, 0);  // uid
    put_octal(h + 116, 8, 0);  // gid
    put_octal(h + 124, 12, size > max_octal_11 ? 0 : size);
    put_octal(h + 136, 12, static_cast<std::uint64_t>(m_mtime));
    std::memset(h + 148, ' ', 8);  // checksum field counts as spaces while summing
    h[156] = type;
    put_string(h + 157, 100, link_target.substr(0, 100));
    std::memcpy(h + 257, "ustar", 6);  // magic with its NUL
    std::memcpy(h + 263, "00", 2);     // version
    // uname (265) and gname (297) stay empty.
    put_octal(h + 329, 8, 0);  // devmajor
    put_octal(h + 337, 8, 0);  // devminor
    unsigned sum = 0;
    for (const char c : block) {
        sum += static_cast<unsigned char>(c);
    }
    put_octal(h + 148, 7, sum);  // six digits, NUL, then the space left from above
    h[155] = ' ';
    return emit(std::string_view(block.data(), block.size()));
}

core::Status TarWriter::add_directory(std::string_view path, std::uint32_t mode) {
    std::string name(path);
    if (name.empty() || name.back() != '/') {
        name += '/';
    }
    return header(name, '5', mode, 0, {});
}

core::Status TarWriter::add_file_contents(std::string_view path, std::uint32_t mode,
                                          std::string_view contents) {
    if (auto status = header(path, '0', mode, contents.size(), {}); !status) {
        return status;
    }
    if (auto status = emit(contents); !status) {
        return status;
    }
    const std::size_t pad = (block_size - contents.size() % block_size) % block_size;
    return emit(std::string(pad, '\0'));
}

core::Status TarWriter::add_file(std::string_view path, std::uint32_t mode, std::uint64_t size,
                                 const std::string& source_path) {
    const int fd = ::open(source_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) {
        return io_error(source_path, errno);
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (auto status = header(path, '0', mode, size, {}); !status) {
        return status;
    }
    // Read straight into the buffer's tail: one copy less than read() + append().
    std::uint64_t left = size;
    constexpr std::size_t chunk = 128 * 1024;
    while (left > 0) {
        const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(left, chunk));
        const std::size_t old_size = m_buffer.size();
        m_buffer.resize(old_size + want);
        const ssize_t got = ::read(fd, m_buffer.data() + old_size, want);
        if (got < 0) {
            const int err = errno;
            m_buffer.resize(old_size);
            if (err == EINTR) {
                continue;
            }
            return io_error(source_path, err);
        }
        m_buffer.resize(old_size + static_cast<std::size_t>(got));
        if (got == 0) {
            break;
        }
        left -= static_cast<std::uint64_t>(got);
        if (m_buffer.size() >= flush_threshold) {
            if (auto status = flush(); !status) {
                return status;
            }
        }
    }
    char extra = 0;
    if (left != 0 || ::read(fd, &extra, 1) != 0) {
        return core::make_error(
                   core::ErrorCode::conflict, "archive.tar.changed",
                   fmt::format("`{}` changed while it was being archived", source_path))
            .arg("path", source_path);
    }
    const std::size_t pad = static_cast<std::size_t>((block_size - size % block_size) % block_size);
    return emit(std::string(pad, '\0'));
}

core::Status TarWriter::add_symlink(std::string_view path, std::string_view target) {
    return header(path, '2', 0777, 0, target);
}

core::Status TarWriter::add_hardlink(std::string_view path, std::string_view target,
                                     std::uint32_t mode) {
    return header(path, '1', mode, 0, target);
}

core::Status TarWriter::finish() {
    if (auto status = emit(std::string(2 * block_size, '\0')); !status) {
        return status;
    }
    return flush();
}

namespace {

struct TreeEntry {
    std::string archive_path;  // without a trailing "/"
    std::string host_path;
    struct stat st {};
};

/// Collects every entry below `dir` (not `dir` itself), depth first, without following links.
core::Status collect(const std::string& dir, const std::string& prefix,
                     std::vector<TreeEntry>& out) {
    std::error_code ec;
    std::filesystem::directory_iterator it(dir, ec);
    if (ec) {
        return io_error(dir, ec.value());
    }
    for (const auto& item : it) {
        TreeEntry entry;
        entry.host_path = item.path().string();
        const std::string name = item.path().filename().string();
        entry.archive_path = prefix.empty() ? name : prefix + "/" + name;
        if (::lstat(entry.host_path.c_str(), &entry.st) != 0) {
            return io_error(entry.host_path, errno);
        }
        const bool is_dir = S_ISDIR(entry.st.st_mode);
        out.push_back(entry);
        if (is_dir) {
            if (auto status = collect(entry.host_path, entry.archive_path, out); !status) {
                return status;
            }
        }
    }
    return {};
}

}  // namespace

core::Result<TreeTarSummary> write_tree(const std::string& source_dir,
                                        const TreeTarOptions& options, const TarSink& sink) {
    if (options.mtime_epoch < 0 || static_cast<std::uint64_t>(options.mtime_epoch) > max_octal_11) {
        const auto text = std::to_string(options.mtime_epoch);
        return core::make_error(
                   core::ErrorCode::invalid_input, "archive.tar.mtime",
                   fmt::format("mtime {} is outside the range a tar header can hold", text))
            .arg("mtime", text);
    }
    struct stat root {};
    const int stat_rc = ::stat(source_dir.c_str(), &root);
    if (stat_rc != 0 || !S_ISDIR(root.st_mode)) {
        const bool missing = stat_rc != 0 && errno == ENOENT;
        return core::make_error(
                   missing ? core::ErrorCode::not_found : core::ErrorCode::invalid_input,
                   "archive.tar.source", fmt::format("`{}` is not a directory", source_dir))
            .arg("path", source_dir);
    }

    std::string base(options.path_in_archive);
    while (!base.empty() && base.front() == '/') {
        base.erase(0, 1);
    }
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }

    std::vector<TreeEntry> entries;
    if (auto status = collect(source_dir, base, entries); !status) {
        return std::move(status).error();
    }
    std::sort(entries.begin(), entries.end(), [](const TreeEntry& a, const TreeEntry& b) {
        return a.archive_path < b.archive_path;  // std::string compares bytes as unsigned char
    });

    TreeTarSummary summary;
    TarWriter writer(sink, options.mtime_epoch);

    // The parents of the tree inside the archive, then the tree's root itself.
    if (!base.empty()) {
        std::size_t pos = 0;
        while ((pos = base.find('/', pos)) != std::string::npos) {
            if (auto status = writer.add_directory(base.substr(0, pos), 0755); !status) {
                return std::move(status).error();
            }
            ++summary.entries;
            ++pos;
        }
        if (auto status = writer.add_directory(base, root.st_mode); !status) {
            return std::move(status).error();
        }
        ++summary.entries;
    }

    std::map<std::pair<dev_t, ino_t>, std::string> first_link;
    for (const auto& entry : entries) {
        const auto mode = static_cast<std::uint32_t>(entry.st.st_mode);
        core::Status status;
        if (S_ISDIR(entry.st.st_mode)) {
            status = writer.add_directory(entry.archive_path, mode);
        } else if (S_ISLNK(entry.st.st_mode)) {
            std::string target(static_cast<std::size_t>(entry.st.st_size) + 1, '\0');
            const ssize_t got = ::readlink(entry.host_path.c_str(), target.data(), target.size());
            if (got < 0) {
                return io_error(entry.host_path, errno);
            }
            target.resize(static_cast<std::size_t>(got));
            status = writer.add_symlink(entry.archive_path, target);
            ++summary.symlinks;
        } else if (S_ISREG(entry.st.st_mode)) {
            if (entry.st.st_nlink > 1) {
                const auto key = std::make_pair(entry.st.st_dev, entry.st.st_ino);
                const auto [it, inserted] = first_link.emplace(key, entry.archive_path);
                if (!inserted) {
                    status = writer.add_hardlink(entry.archive_path, it->second, mode);
                    ++summary.hardlinks;
                    if (!status) {
                        return std::move(status).error();
                    }
                    ++summary.entries;
                    continue;
                }
            }
            const auto size = static_cast<std::uint64_t>(entry.st.st_size);
            status = writer.add_file(entry.archive_path, mode, size, entry.host_path);
            ++summary.files;
            summary.file_bytes += size;
        } else {
            return core::make_error(core::ErrorCode::invalid_input, "archive.tar.special_file",
                                    fmt::format("`{}` is a device, fifo or socket; a layer "
                                                "holds only files, directories and links",
                                                entry.host_path))
                .arg("path", entry.host_path);
        }
        if (!status) {
            return std::move(status).error();
        }
        ++summary.entries;
    }
    if (auto status = writer.finish(); !status) {
        return std::move(status).error();
    }
    summary.tar_bytes = writer.bytes_written();
    return summary;
}

}  // namespace envsmith::archive
