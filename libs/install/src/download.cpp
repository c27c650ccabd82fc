#include "envsmith/install/download.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <system_error>
#include <utility>

#include <fmt/format.h>

#include "download_io.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"

namespace envsmith::install {
namespace {

constexpr std::uint64_t progress_step_bytes = 256ULL * 1024;
constexpr std::size_t chunk_bytes = 256ULL * 1024;

/// Both digests of the bytes seen so far.
struct Hashes {
    core::Hasher sha256{core::DigestAlgorithm::sha256};
    core::Hasher md5{core::DigestAlgorithm::md5};

    void update(std::string_view bytes) {
        sha256.update(bytes);
        md5.update(bytes);
    }
};

/// Feeds the first `length` bytes of `fd` to `hashes`.
core::Status hash_prefix(int fd, std::uint64_t length, Hashes& hashes, const std::string& path) {
    std::string buffer(chunk_bytes, '\0');
    std::uint64_t offset = 0;
    while (offset < length) {
        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(length - offset, chunk_bytes));
        const auto got = ::pread(fd, buffer.data(), want, static_cast<off_t>(offset));
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return detail::fs_error("fs.read_failed", path, errno);
        }
        if (got == 0) {
            return detail::fs_error("fs.read_failed", path, EIO);
        }
        hashes.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
        offset += static_cast<std::uint64_t>(got);
    }
    return {};
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
    std::uint64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc{} || ptr != end || text.empty()) {
        return std::nullopt;
    }
    return value;
}

std::string_view header_of(const std::vector<std::pair<std::string, std::string>>& headers,
                           std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (core::iequals(key, name)) {
            return value;
        }
    }
    return {};
}

/// Whether a Content-Range value ("bytes 100-999/1000") starts at `offset`.
bool range_starts_at(std::string_view content_range, std::uint64_t offset) {
    content_range = core::trim(content_range);
    if (!content_range.starts_with("bytes ")) {
        return false;
    }
    const auto rest = core::trim(content_range.substr(6));
    const auto dash = rest.find('-');
    if (dash == std::string_view::npos) {
        return false;
    }
    const auto first = parse_u64(rest.substr(0, dash));
    return first && *first == offset;
}

/// Writes a response body into the partial file, hashing as it goes. Each announced response
/// starts over from the state the file had before the first one: `keep` bytes for a 206 that
/// continues them, nothing for a 200.
class PartSink final : public core::BodySink {
public:
    enum class State : std::uint8_t { idle, writing, ignoring, range_mismatch, io_failed };

    PartSink(int fd, const std::string& path, std::uint64_t keep, std::uint64_t expected_size,
             std::string display_url, core::Reporter& reporter)
        : m_fd(fd),
          m_path(path),
          m_keep(keep),
          m_expected_size(expected_size),
          m_display_url(std::move(display_url)),
          m_reporter(reporter) {}

    bool on_response(int status,
                     const std::vector<std::pair<std::string, std::string>>& headers) override {
        m_status = status;
        const auto length = parse_u64(core::trim(header_of(headers, "Content-Length")));
        if (status == 206 && m_keep > 0 &&
            range_starts_at(header_of(headers, "Content-Range"), m_keep)) {
            m_hashes = Hashes{};
            if (!truncate_to(m_keep)) {
                return false;
            }
            if (auto hashed = hash_prefix(m_fd, m_keep, m_hashes, m_path); !hashed) {
                m_error = std::move(hashed).error();
                m_state = State::io_failed;
                return false;
            }
            m_offset = m_keep;
            m_resumed = true;
            m_total = length ? m_keep + *length : m_expected_size;
        } else if (status == 200) {
            m_hashes = Hashes{};
            if (!truncate_to(0)) {
                return false;
            }
            m_offset = 0;
            m_resumed = false;
            m_total = length ? *length : m_expected_size;
        } else if (status == 206) {
            m_state = State::range_mismatch;  // a range we did not ask for
            return false;
        } else {
            m_state = State::ignoring;  // an error page: the status says enough
            return true;
        }
        m_state = State::writing;
        m_reported = m_offset;
        m_reporter.on_download_progress(m_display_url, m_offset, m_total);
        return true;
    }

    bool on_body(std::string_view bytes) override {
        if (m_state == State::ignoring) {
            return true;
        }
        if (m_state != State::writing) {
            return false;
        }
        std::size_t written = 0;
        while (written < bytes.size()) {
            const auto n = ::pwrite(m_fd, bytes.data() + written, bytes.size() - written,
                                    static_cast<off_t>(m_offset + written));
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                m_error = detail::fs_error("fs.write_failed", m_path, errno);
                m_state = State::io_failed;
                return false;
            }
            written += static_cast<std::size_t>(n);
        }
        m_hashes.update(bytes);
        m_offset += bytes.size();
        if (m_offset - m_reported >= progress_step_bytes) {
            m_reported = m_offset;
            m_reporter.on_download_progress(m_display_url, m_offset, m_total);
        }
        return true;
    }

    /// The last progress event, once the body is complete.
    void report_done() {
        if (m_reported != m_offset) {
            m_reported = m_offset;
            m_reporter.on_download_progress(m_display_url, m_offset, std::max(m_total, m_offset));
        }
    }

    [[nodiscard]] State state() const noexcept { return m_state; }
    [[nodiscard]] int status() const noexcept { return m_status; }
    [[nodiscard]] bool resumed() const noexcept { return m_resumed; }
    [[nodiscard]] std::uint64_t offset() const noexcept { return m_offset; }
    [[nodiscard]] Hashes& hashes() noexcept { return m_hashes; }
    [[nodiscard]] core::Error take_error() { return std::move(m_error); }

private:
    bool truncate_to(std::uint64_t length) {
        if (::ftruncate(m_fd, static_cast<off_t>(length)) != 0) {
            m_error = detail::fs_error("fs.write_failed", m_path, errno);
            m_state = State::io_failed;
            return false;
        }
        return true;
    }

    int m_fd;
    const std::string& m_path;
    std::uint64_t m_keep;
    std::uint64_t m_expected_size;
    std::string m_display_url;
    core::Reporter& m_reporter;
    State m_state = State::idle;
    int m_status = 0;
    bool m_resumed = false;
    std::uint64_t m_offset = 0;
    std::uint64_t m_total = 0;
    std::uint64_t m_reported = 0;
    Hashes m_hashes;
    core::Error m_error;
};

bool is_file_url(std::string_view url) {
    return url.size() >= 7 && core::iequals(url.substr(0, 7), "file://");
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    const char lower = core::ascii_lower(c);
    if (lower >= 'a' && lower <= 'f') {
        return lower - 'a' + 10;
    }
    return -1;
}

/// The local path of a `file://` URL ("file:///a/b%20c" → "/a/b c"; "file://localhost/a").
std::string file_url_path(std::string_view url) {
    auto rest = url.substr(7);
    if (core::iequals(rest.substr(0, 9), "localhost")) {
        rest.remove_prefix(9);
    }
    std::string path;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 &&
            hex_value(rest[i + 2]) >= 0) {
            path += static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2]));
            i += 2;
        } else {
            path += rest[i];
        }
    }
    return path;
}

/// Streams a local file through the sink, as a transport would stream a 200 response.
core::Status read_local(const std::string& path, PartSink& sink) {
    detail::FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        return detail::fs_error(errno == ENOENT ? "fs.not_found" : "fs.read_failed", path, errno);
    }
    struct stat info {};
    const auto length = ::fstat(fd.get(), &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
    if (!sink.on_response(200, {{"Content-Length", std::to_string(length)}})) {
        return sink.take_error();
    }
    std::string buffer(chunk_bytes, '\0');
    for (;;) {
        const auto got = ::read(fd.get(), buffer.data(), buffer.size());
        if (got < 0) {
            if (errno == EINTR) {
                continue;
            }
            return detail::fs_error("fs.read_failed", path, errno);
        }
        if (got == 0) {
            return {};
        }
        if (!sink.on_body(std::string_view(buffer.data(), static_cast<std::size_t>(got)))) {
            return sink.take_error();
        }
    }
}

/// An HTTP status other than 200/206 as an Error, with the ids and texts of net::check_status
/// (the install layer cannot use net; the words must be the same).
core::Error http_error(int status, const std::string& shown_url, const std::string& host) {
    core::ErrorCode code = core::ErrorCode::unavailable;
    std::string_view id = "net.http.unexpected";
    std::string what = fmt::format("unexpected HTTP {}", status);
    if (status == 401) {
        code = core::ErrorCode::permission_denied;
        id = "network.unauthorized";
        what = "HTTP 401: credentials are missing or were not accepted";
    } else if (status == 403) {
        code = core::ErrorCode::permission_denied;
        id = "network.forbidden";
        what = "HTTP 403: access is forbidden";
    } else if (status == 404 || status == 410) {
        code = core::ErrorCode::not_found;
        id = "network.not_found";
        what = fmt::format("HTTP {}: not found", status);
    } else if (status == 408 || status == 429 || (status >= 500 && status < 600)) {
        id = "net.http.unavailable";
        what = fmt::format("HTTP {}: the server is unavailable", status);
    }
    return core::make_error(code, std::string(id), fmt::format("{}: {}", shown_url, what))
        .arg("status", std::to_string(status))
        .arg("host", host)
        .arg("url", shown_url)
        .arg("what", what);
}

/// The first given digest that differs from what was computed, as (expected, actual).
std::optional<std::pair<core::Digest, core::Digest>> first_mismatch(
    const DownloadRequest& request, const core::Digest& sha256, const core::Digest& md5) {
    if (request.sha256 && !(*request.sha256 == sha256)) {
        return std::make_pair(*request.sha256, sha256);
    }
    if (request.md5 && !(*request.md5 == md5)) {
        return std::make_pair(*request.md5, md5);
    }
    return std::nullopt;
}

core::Error mismatch_error(const DownloadRequest& request, const std::string& shown_url,
                           const core::Digest& expected, const core::Digest& actual) {
    const bool conda = package_kind(request.file_name) == PackageKind::conda;
    const std::string name_arg = conda ? "package" : "requirement";
    return core::make_error(
               core::ErrorCode::unavailable, conda ? "conda.verification" : "pip.hash_mismatch",
               fmt::format("`{}` from {} does not match its hash: expected {}, got {}",
                           request.file_name, shown_url, expected.to_string(), actual.to_string()))
        .arg(name_arg, request.file_name)
        .arg("url", shown_url)
        .arg("expected", expected.to_string())
        .arg("actual", actual.to_string())
        .arg("algorithm", std::string(core::algorithm_name(expected.algorithm)));
}

/// What one transfer from one URL gave.
struct Outcome {
    enum class Kind : std::uint8_t { verified, mismatch, failed, fatal, restart };
    Kind kind = Kind::failed;
    core::Error error;      // failed, fatal, mismatch
    bool resumed = false;   // the bytes continued a partial file
    core::Digest sha256;
    core::Digest md5;
    std::uint64_t bytes = 0;
    std::optional<std::pair<core::Digest, core::Digest>> mismatch;
};

Outcome fetch_once(const DownloadRequest& request, const std::string& url, int fd,
                   std::uint64_t keep, core::Transport& transport, core::Reporter& reporter) {
    const auto shown = core::redact_url(url);
    PartSink sink(fd, request.part_path, keep, request.size, shown, reporter);
    Outcome outcome;
    if (is_file_url(url)) {
        if (auto read = read_local(file_url_path(url), sink); !read) {
            outcome.kind = sink.state() == PartSink::State::io_failed ? Outcome::Kind::fatal
                                                                       : Outcome::Kind::failed;
            outcome.error = std::move(read).error();
            return outcome;
        }
    } else {
        core::HttpRequest http{.method = "GET", .url = url, .headers = {}, .body = {}};
        if (keep > 0) {
            http.headers.emplace_back("Range", fmt::format("bytes={}-", keep));
        }
        auto response = transport.send_streaming(http, sink);
        if (sink.state() == PartSink::State::io_failed) {
            outcome.kind = Outcome::Kind::fatal;
            outcome.error = sink.take_error();
            return outcome;
        }
        if (sink.state() == PartSink::State::range_mismatch ||
            (keep > 0 && sink.status() == 416)) {
            outcome.kind = Outcome::Kind::restart;
            return outcome;
        }
        if (!response) {
            outcome.error = std::move(response).error();
            return outcome;
        }
        if (sink.state() != PartSink::State::writing) {
            outcome.error = http_error(response->status, shown, core::url_host(url));
            return outcome;
        }
    }
    if (sink.state() != PartSink::State::writing) {
        outcome.error = detail::fs_error("fs.read_failed", request.part_path, EIO);
        return outcome;
    }
    sink.report_done();
    if (::fsync(fd) != 0) {
        outcome.kind = Outcome::Kind::fatal;
        outcome.error = detail::fs_error("fs.write_failed", request.part_path, errno);
        return outcome;
    }
    outcome.resumed = sink.resumed();
    outcome.bytes = sink.offset();
    outcome.sha256 = sink.hashes().sha256.finish();
    outcome.md5 = sink.hashes().md5.finish();
    outcome.mismatch = first_mismatch(request, outcome.sha256, outcome.md5);
    if (outcome.mismatch) {
        outcome.kind = Outcome::Kind::mismatch;
        outcome.error =
            mismatch_error(request, shown, outcome.mismatch->first, outcome.mismatch->second);
    } else {
        outcome.kind = Outcome::Kind::verified;
    }
    return outcome;
}

std::uint64_t file_size(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 ? static_cast<std::uint64_t>(info.st_size) : 0;
}

}  // namespace

namespace detail {

core::Error fs_error(std::string_view id, const std::string& path, int error_number) {
    const auto reason = std::generic_category().message(error_number);
    const bool reading = id != "fs.write_failed";
    return core::make_error(error_number == ENOENT && reading ? core::ErrorCode::not_found
                                                             : core::ErrorCode::unavailable,
                            std::string(id),
                            fmt::format("cannot {} `{}`: {}", reading ? "read" : "write", path,
                                        reason))
        .arg("path", path)
        .arg("reason", reason);
}

}  // namespace detail

PackageKind package_kind(std::string_view file_name) noexcept {
    return file_name.ends_with(".conda") || file_name.ends_with(".tar.bz2") ? PackageKind::conda
                                                                             : PackageKind::python;
}

core::Result<VerifiedDownload> download_verified(const DownloadRequest& request,
                                                 core::Transport& transport,
                                                 core::Reporter& reporter) {
    if (request.urls.empty()) {
        return core::make_error(core::ErrorCode::invalid_input, "install.download.no_url",
                                fmt::format("`{}` has no URL to download from", request.file_name))
            .arg("package", request.file_name);
    }
    if (!request.sha256 && !request.md5) {
        return core::make_error(
                   core::ErrorCode::invalid_input, "install.download.no_digest",
                   fmt::format("`{}` has no sha256 or md5 to verify its download against",
                               request.file_name))
            .arg("package", request.file_name);
    }
    detail::FileDescriptor fd(
        ::open(request.part_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) {
        return detail::fs_error("fs.write_failed", request.part_path, errno);
    }
    auto discard = [&]() -> core::Status {
        if (::ftruncate(fd.get(), 0) != 0) {
            return detail::fs_error("fs.write_failed", request.part_path, errno);
        }
        return {};
    };

    VerifiedDownload result;
    const auto kept = file_size(fd.get());
    if (request.size > 0 && kept >= request.size) {
        // Complete already (a process stopped between the last byte and the rename), or junk.
        Hashes hashes;
        if (auto hashed = hash_prefix(fd.get(), kept, hashes, request.part_path); !hashed) {
            return std::move(hashed).error();
        }
        result.sha256 = hashes.sha256.finish();
        result.md5 = hashes.md5.finish();
        if (!first_mismatch(request, result.sha256, result.md5)) {
            result.bytes = kept;
            result.resumed_from = kept;
            return result;
        }
        if (auto cleared = discard(); !cleared) {
            return std::move(cleared).error();
        }
    }

    bool mismatch_retried = false;
    bool restarted = false;  // one fresh start after a refused range or a bad resumed file
    std::size_t index = 0;
    while (index < request.urls.size()) {
        const auto& url = request.urls[index];
        const auto keep = file_size(fd.get());
        auto outcome = fetch_once(request, url, fd.get(), keep, transport, reporter);
        ++result.requests;
        switch (outcome.kind) {
            case Outcome::Kind::verified:
                result.sha256 = outcome.sha256;
                result.md5 = outcome.md5;
                result.bytes = outcome.bytes;
                result.url = core::redact_url(url);
                result.resumed_from = outcome.resumed ? keep : 0;
                return result;
            case Outcome::Kind::fatal: return std::move(outcome.error);
            case Outcome::Kind::restart:
            case Outcome::Kind::mismatch: {
                if (auto cleared = discard(); !cleared) {
                    return std::move(cleared).error();
                }
                const bool stale_part =
                    outcome.kind == Outcome::Kind::restart || outcome.resumed;
                if (stale_part && !restarted) {
                    restarted = true;  // the partial file was the problem: same URL, from 0
                    continue;
                }
                if (outcome.kind == Outcome::Kind::restart) {
                    // The server keeps answering a range we did not ask for: next URL.
                    outcome.error = http_error(206, core::redact_url(url), core::url_host(url));
                    break;
                }
                if (mismatch_retried) {
                    // Unverified bytes are not kept, not even for a later resume.
                    fd.reset();
                    ::unlink(request.part_path.c_str());
                    return std::move(outcome.error);
                }
                mismatch_retried = true;
                const auto next = index + 1 < request.urls.size() ? index + 1 : index;
                const auto shown = core::redact_url(url);
                const auto shown_next = core::redact_url(request.urls[next]);
                reporter.on_warning(
                    "install.download.retry_mismatch",
                    fmt::format("{} sent `{}` with {}, expected {}; downloading it again from {}",
                                shown, request.file_name, outcome.mismatch->second.to_string(),
                                outcome.mismatch->first.to_string(), shown_next),
                    {{"url", shown},
                     {"package", request.file_name},
                     {"actual", outcome.mismatch->second.to_string()},
                     {"expected", outcome.mismatch->first.to_string()},
                     {"next", shown_next}});
                index = next;
                continue;
            }
            case Outcome::Kind::failed: break;
        }
        // A failure of this URL: the next one, if any.
        if (index + 1 >= request.urls.size()) {
            return std::move(outcome.error);
        }
        const auto shown = core::redact_url(url);
        const auto shown_next = core::redact_url(request.urls[index + 1]);
        const auto reason = outcome.error.message;
        reporter.on_warning("net.mirror.next",
                            fmt::format("{} failed ({}); trying the next mirror: {}", shown,
                                        reason, shown_next),
                            {{"url", shown}, {"reason", reason}, {"next", shown_next}});
        ++index;
    }
    return core::make_error(core::ErrorCode::internal, "install.download.no_url",
                            fmt::format("`{}` has no URL to download from", request.file_name))
        .arg("package", request.file_name);
}

}  // namespace envsmith::install
