#include "reader.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <locale.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "errors.hpp"

namespace envsmith::archive::detail {
namespace {

// Large reads: the file is read once, sequentially, on every package install.
constexpr std::size_t read_block_bytes = std::size_t{1} << 20;

/// Makes this thread's character type UTF-8 while it lives. libarchive converts entry names to
/// and from the current locale's charset; in the "C" locale names that are not ASCII (a zip's
/// UTF-8 names, pax paths) cannot be converted and come back as nothing. `uselocale` changes
/// only the calling thread, never the process's locale.
class Utf8Names {
public:
    Utf8Names() {
        static const locale_t utf8 =
            ::newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
        if (utf8 != static_cast<locale_t>(nullptr)) {
            m_previous = ::uselocale(utf8);
        }
    }
    Utf8Names(const Utf8Names&) = delete;
    Utf8Names& operator=(const Utf8Names&) = delete;
    ~Utf8Names() {
        if (m_previous != static_cast<locale_t>(nullptr)) {
            ::uselocale(m_previous);
        }
    }

private:
    locale_t m_previous = static_cast<locale_t>(nullptr);
};

struct ReaderFree {
    void operator()(::archive* reader) const noexcept { archive_read_free(reader); }
};
using ReaderPtr = std::unique_ptr<::archive, ReaderFree>;

/// Decompression filters we accept. Not `support_filter_all`: that also registers filters
/// which run external programs (lrzip, lzop, grzip).
void support_filters(::archive* reader) {
    archive_read_support_filter_gzip(reader);
    archive_read_support_filter_bzip2(reader);
    archive_read_support_filter_xz(reader);
    archive_read_support_filter_lzma(reader);
    archive_read_support_filter_zstd(reader);
}

/// The source of an inner (conda) tar: the data of the current entry of the outer zip.
struct InnerSource {
    ::archive* outer = nullptr;
    std::int64_t expected_offset = 0;
};

la_ssize_t read_inner(::archive* inner, void* client_data, const void** buffer) {
    auto* source = static_cast<InnerSource*>(client_data);
    std::size_t size = 0;
    la_int64_t offset = 0;
    const int status = archive_read_data_block(source->outer, buffer, &size, &offset);
    if (status == ARCHIVE_EOF) {
        *buffer = nullptr;
        return 0;
    }
    if (status != ARCHIVE_OK) {  // WARN here is a bad CRC
        archive_set_error(inner, EIO, "%s", reader_error(source->outer).c_str());
        return -1;
    }
    if (offset != source->expected_offset) {  // a zip member is never sparse
        archive_set_error(inner, EIO, "unexpected gap in a zip member");
        return -1;
    }
    source->expected_offset += static_cast<std::int64_t>(size);
    return static_cast<la_ssize_t>(size);
}

/// Calls `visit` for each entry of an opened reader. Returns whether to stop.
core::Result<Visit> visit_entries(::archive* reader, const std::string& path, Part part,
                                  const EntryVisitor& visit) {
    for (;;) {
        ::archive_entry* entry = nullptr;
        const int status = archive_read_next_header(reader, &entry);
        if (status == ARCHIVE_EOF) {
            return Visit::next;
        }
        if (status < ARCHIVE_WARN) {
            return corrupt_error(path, {}, reader_error(reader));
        }
        auto visited = visit(reader, entry, part);
        if (!visited) {
            return std::move(visited).error();
        }
        if (*visited == Visit::stop) {
            return Visit::stop;
        }
    }
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

core::Result<ReadReport> read_conda(const std::string& path, const ReadOptions& options,
                                    ReadReport report, const EntryVisitor& visit) {
    ReaderPtr outer(archive_read_new());
    // The seekable zip reader trusts the central directory, as zip readers should (zip64 too).
    archive_read_support_format_zip_seekable(outer.get());
    if (archive_read_open_filename(outer.get(), path.c_str(), read_block_bytes) != ARCHIVE_OK) {
        return corrupt_error(path, {}, reader_error(outer.get()));
    }
    for (;;) {
        ::archive_entry* entry = nullptr;
        const int status = archive_read_next_header(outer.get(), &entry);
        if (status == ARCHIVE_EOF) {
            break;
        }
        if (status < ARCHIVE_WARN) {
            return corrupt_error(path, {}, reader_error(outer.get()));
        }
        const std::string_view name = entry_path(entry);
        Part part = Part::whole;
        if (starts_with(name, "info-") && ends_with(name, ".tar.zst")) {
            part = Part::conda_info;
        } else if (starts_with(name, "pkg-") && ends_with(name, ".tar.zst")) {
            part = Part::conda_pkg;
        } else {
            continue;  // metadata.json and anything else: not part of the installed tree
        }
        const bool wanted = part == Part::conda_info ? options.want_info : options.want_pkg;
        if (!wanted) {
            continue;
        }
        const std::string member(name);
        InnerSource source{outer.get(), 0};
        ReaderPtr inner(archive_read_new());
        support_filters(inner.get());
        archive_read_support_format_tar(inner.get());
        if (archive_read_open(inner.get(), &source, nullptr, read_inner, nullptr) != ARCHIVE_OK) {
            return corrupt_error(path, member, reader_error(inner.get()));
        }
        auto visited = visit_entries(inner.get(), path, part, visit);
        if (!visited) {
            return std::move(visited).error();
        }
        (part == Part::conda_info ? report.saw_info : report.saw_pkg) = true;
        if (*visited == Visit::stop) {
            return report;
        }
        const bool info_done = report.saw_info || !options.want_info;
        const bool pkg_done = report.saw_pkg || !options.want_pkg;
        if (info_done && pkg_done) {
            break;  // the rest of the zip is not needed
        }
    }
    return report;
}

}  // namespace

bool is_conda_name(std::string_view path) {
    return ends_with(path, ".conda");
}

std::string_view entry_path(::archive_entry* entry) {
    const char* text = archive_entry_pathname_utf8(entry);
    if (text == nullptr) {
        text = archive_entry_pathname(entry);
    }
    return text == nullptr ? std::string_view{} : std::string_view(text);
}

std::string_view entry_symlink(::archive_entry* entry) {
    const char* text = archive_entry_symlink_utf8(entry);
    if (text == nullptr) {
        text = archive_entry_symlink(entry);
    }
    return text == nullptr ? std::string_view{} : std::string_view(text);
}

std::string_view entry_hardlink(::archive_entry* entry) {
    const char* text = archive_entry_hardlink_utf8(entry);
    if (text == nullptr) {
        text = archive_entry_hardlink(entry);
    }
    return text == nullptr ? std::string_view{} : std::string_view(text);
}

std::string reader_error(::archive* reader) {
    const char* text = archive_error_string(reader);
    std::string out = text == nullptr ? std::string("unknown read error") : std::string(text);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) {
        out.pop_back();
    }
    return out;
}

std::string_view display_path(std::string_view path) {
    while (path.size() > 2 && starts_with(path, "./")) {
        path.remove_prefix(2);
    }
    while (path.size() > 1 && path.back() == '/') {
        path.remove_suffix(1);
    }
    return path;
}

core::Result<ReadReport> read_archive(const std::string& path, const ReadOptions& options,
                                      const EntryVisitor& visit) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        return open_error(path, errno);
    }
    if (S_ISDIR(info.st_mode)) {
        return open_error(path, EISDIR);
    }
    const Utf8Names utf8_names;
    ReadReport report;
    report.archive_bytes = static_cast<std::uint64_t>(info.st_size);
    if (is_conda_name(path)) {
        return read_conda(path, options, report, visit);
    }
    ReaderPtr reader(archive_read_new());
    support_filters(reader.get());
    archive_read_support_format_tar(reader.get());
    archive_read_support_format_zip_seekable(reader.get());
    if (archive_read_open_filename(reader.get(), path.c_str(), read_block_bytes) != ARCHIVE_OK) {
        return corrupt_error(path, {}, reader_error(reader.get()));
    }
    auto visited = visit_entries(reader.get(), path, Part::whole, visit);
    if (!visited) {
        return std::move(visited).error();
    }
    return report;
}

}  // namespace envsmith::archive::detail
