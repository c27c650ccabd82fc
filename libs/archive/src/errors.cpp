#include "errors.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace envsmith::archive::detail {
namespace {

std::string errno_text(int errno_value) {
    return std::strerror(errno_value);  // NOLINT(concurrency-mt-unsafe): glibc's is thread-safe
}

}  // namespace

core::Error format_unknown_error(std::string_view file) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.format.unknown",
                            fmt::format("`{}` is not a known archive type (expected .conda, "
                                        ".tar.bz2, .whl, .zip, .tar, .tar.gz, .tgz, .tar.zst or "
                                        ".tar.xz)",
                                        file))
        .arg("file", std::string(file));
}

core::Error open_error(const std::string& archive, int errno_value) {
    auto detail = errno_text(errno_value);
    return core::make_error(
               errno_value == ENOENT ? core::ErrorCode::not_found : core::ErrorCode::unavailable,
               "archive.open", fmt::format("cannot open `{}`: {}", archive, detail))
        .arg("archive", archive)
        .arg("detail", std::move(detail));
}

core::Error destination_error(const std::string& archive, const std::string& destination) {
    return core::make_error(core::ErrorCode::conflict, "archive.destination.not_empty",
                            fmt::format("cannot extract `{}` into `{}`: it exists and is not an "
                                        "empty directory",
                                        archive, destination))
        .arg("archive", archive)
        .arg("destination", destination);
}

core::Error path_escape_error(const std::string& archive, std::string_view entry) {
    return core::make_error(
               core::ErrorCode::invalid_input, "archive.unsafe.path_escape",
               fmt::format("`{}`: the entry `{}` points outside the destination", archive, entry))
        .arg("archive", archive)
        .arg("entry", std::string(entry));
}

core::Error absolute_path_error(const std::string& archive, std::string_view entry) {
    return core::make_error(
               core::ErrorCode::invalid_input, "archive.unsafe.absolute_path",
               fmt::format("`{}`: the entry `{}` has an absolute path", archive, entry))
        .arg("archive", archive)
        .arg("entry", std::string(entry));
}

core::Error link_escape_error(const std::string& archive, std::string_view entry,
                              std::string_view target) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.unsafe.link_escape",
                            fmt::format("`{}`: the link `{}` -> `{}` points outside the "
                                        "destination",
                                        archive, entry, target))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("target", std::string(target));
}

core::Error through_symlink_error(const std::string& archive, std::string_view entry,
                                  std::string_view link) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.unsafe.through_symlink",
                            fmt::format("`{}`: the entry `{}` would be written through the "
                                        "symbolic link `{}`",
                                        archive, entry, link))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("link", std::string(link));
}

core::Error special_file_error(const std::string& archive, std::string_view entry) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.unsafe.special_file",
                            fmt::format("`{}`: the entry `{}` is a device, FIFO or socket, "
                                        "which is never extracted",
                                        archive, entry))
        .arg("archive", archive)
        .arg("entry", std::string(entry));
}

core::Error bomb_error(const std::string& archive, std::string_view entry, std::string_view limit,
                       std::uint64_t value) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.bomb",
                            fmt::format("`{}`: extracting `{}` exceeds the limit {} = {}", archive,
                                        entry, limit, value))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("limit", std::string(limit))
        .arg("value", std::to_string(value));
}

core::Error corrupt_error(const std::string& archive, std::string_view entry, std::string detail) {
    if (detail.empty()) {
        detail = "unknown read error";
    }
    if (!entry.empty()) {
        detail = fmt::format("at `{}`: {}", entry, detail);
    }
    return core::make_error(core::ErrorCode::invalid_input, "archive.corrupt",
                            fmt::format("`{}` is damaged or truncated: {}", archive, detail))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("detail", std::move(detail));
}

core::Error io_error(const std::string& archive, std::string_view entry, std::string_view path,
                     int errno_value) {
    auto detail = errno_text(errno_value);
    return core::make_error(
               core::ErrorCode::unavailable, "archive.io",
               fmt::format("cannot write `{}` while extracting `{}`: {}", path, archive, detail))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("path", std::string(path))
        .arg("detail", std::move(detail));
}

core::Error conda_incomplete_error(const std::string& archive, std::string_view part) {
    return core::make_error(core::ErrorCode::invalid_input, "archive.conda.incomplete",
                            fmt::format("`{}` is not a complete conda package: its `{}` tar is "
                                        "missing",
                                        archive, part))
        .arg("archive", archive)
        .arg("part", std::string(part));
}

core::Error entry_not_found_error(const std::string& archive, std::string_view entry) {
    return core::make_error(core::ErrorCode::not_found, "archive.entry.not_found",
                            fmt::format("`{}` has no file `{}`", archive, entry))
        .arg("archive", archive)
        .arg("entry", std::string(entry));
}

core::Error entry_too_large_error(const std::string& archive, std::string_view entry,
                                  std::uint64_t max_bytes) {
    return core::make_error(
               core::ErrorCode::invalid_input, "archive.entry.too_large",
               fmt::format("`{}` in `{}` is larger than {} bytes", entry, archive, max_bytes))
        .arg("archive", archive)
        .arg("entry", std::string(entry))
        .arg("max_bytes", std::to_string(max_bytes));
}

}  // namespace envsmith::archive::detail
