#include "envsmith/index/wheel_metadata.hpp"

#include <fmt/format.h>
#include <libdeflate.h>

#include <algorithm>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::index {
namespace {

constexpr std::uint32_t eocd_signature = 0x06054b50;
constexpr std::uint32_t zip64_locator_signature = 0x07064b50;
constexpr std::uint32_t zip64_eocd_signature = 0x06064b50;
constexpr std::uint32_t central_signature = 0x02014b50;
constexpr std::uint32_t local_signature = 0x04034b50;
constexpr std::size_t eocd_size = 22;
constexpr std::size_t zip64_locator_size = 20;
constexpr std::size_t zip64_eocd_size = 56;
constexpr std::size_t central_size = 46;
constexpr std::size_t local_size = 30;
constexpr std::uint64_t max_metadata_bytes = 16U << 20U;
/// The first request asks for this much of the end of the wheel: the EOCD record (22 bytes
/// and a comment of at most 64 KiB) and, for most wheels, the whole central directory and
/// the `.dist-info` members, which wheel builders write last.
constexpr std::uint64_t tail_bytes = 128U << 10U;

std::uint16_t u16(std::string_view bytes, std::size_t at) noexcept {
    return static_cast<std::uint16_t>(
        static_cast<unsigned char>(bytes[at]) |
        (static_cast<unsigned>(static_cast<unsigned char>(bytes[at + 1])) << 8U));
}
std::uint32_t u32(std::string_view bytes, std::size_t at) noexcept {
    return static_cast<std::uint32_t>(u16(bytes, at)) |
           (static_cast<std::uint32_t>(u16(bytes, at + 2)) << 16U);
}
std::uint64_t u64(std::string_view bytes, std::size_t at) noexcept {
    return static_cast<std::uint64_t>(u32(bytes, at)) |
           (static_cast<std::uint64_t>(u32(bytes, at + 4)) << 32U);
}

core::Error wheel_invalid(std::string_view source, std::string problem) {
    const auto url = core::redact_url(source);
    return core::make_error(core::ErrorCode::invalid_input, "index.pypi.wheel_invalid",
                            fmt::format("cannot read the METADATA of wheel `{}`: {}", url, problem))
        .arg("url", url)
        .arg("problem", std::move(problem));
}

/// Random access to the bytes of the wheel, whole or by ranges.
class ByteSource {
public:
    virtual ~ByteSource() = default;
    [[nodiscard]] virtual std::uint64_t size() const = 0;
    /// Exactly `length` bytes at `offset` (the caller keeps within size()).
    virtual core::Result<std::string_view> read(std::uint64_t offset, std::uint64_t length) = 0;
};

class MemorySource final : public ByteSource {
public:
    MemorySource(std::string_view bytes, std::string_view source)
        : m_bytes(bytes), m_source(source) {}
    [[nodiscard]] std::uint64_t size() const override { return m_bytes.size(); }
    core::Result<std::string_view> read(std::uint64_t offset, std::uint64_t length) override {
        if (offset > m_bytes.size() || length > m_bytes.size() - offset) {
            return wheel_invalid(m_source, "the archive is truncated");
        }
        return m_bytes.substr(static_cast<std::size_t>(offset), static_cast<std::size_t>(length));
    }

private:
    std::string_view m_bytes;
    std::string_view m_source;
};

struct Entry {
    std::string name;
    std::uint16_t flags = 0;
    std::uint16_t method = 0;
    std::uint32_t crc = 0;
    std::uint64_t compressed = 0;
    std::uint64_t uncompressed = 0;
    std::uint64_t local_offset = 0;
    std::uint16_t local_hint = 0;  // name + extra length in the central record
};

struct Directory {
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    std::uint64_t entries = 0;
};

core::Result<Directory> find_directory(ByteSource& source, std::string_view name) {
    const auto total = source.size();
    if (total < eocd_size) {
        return wheel_invalid(name, "not a zip archive (too short)");
    }
    const auto tail_length =
        std::min<std::uint64_t>(total, eocd_size + 0xFFFF + zip64_locator_size);
    auto tail = source.read(total - tail_length, tail_length);
    if (!tail)
        return std::move(tail).error();
    const auto bytes = *tail;
    std::size_t at = bytes.size() - eocd_size + 1;
    bool found = false;
    while (at-- > 0) {
        if (u32(bytes, at) == eocd_signature &&
            at + eocd_size + u16(bytes, at + 20) <= bytes.size()) {
            found = true;
            break;
        }
    }
    if (!found) {
        return wheel_invalid(name, "not a zip archive (no end-of-central-directory record)");
    }
    Directory directory;
    directory.entries = u16(bytes, at + 10);
    directory.size = u32(bytes, at + 12);
    directory.offset = u32(bytes, at + 16);
    if (at >= zip64_locator_size &&
        u32(bytes, at - zip64_locator_size) == zip64_locator_signature) {
        const auto record_offset = u64(bytes, at - zip64_locator_size + 8);
        if (record_offset > total - zip64_eocd_size) {
            return wheel_invalid(
                name, "the zip64 end-of-central-directory locator points outside the file");
        }
        auto record = source.read(record_offset, zip64_eocd_size);
        if (!record)
            return std::move(record).error();
        if (u32(*record, 0) != zip64_eocd_signature) {
            return wheel_invalid(
                name, "no zip64 end-of-central-directory record where its locator points");
        }
        directory.entries = u64(*record, 32);
        directory.size = u64(*record, 40);
        directory.offset = u64(*record, 48);
    }
    if (directory.offset > total || directory.size > total - directory.offset) {
        return wheel_invalid(name, "the central directory lies outside the file");
    }
    return directory;
}

/// The top-level `<dir>.dist-info/METADATA` entries.
core::Result<std::vector<Entry>> read_metadata_entries(ByteSource& source,
                                                       const Directory& directory,
                                                       std::string_view name) {
    auto read = source.read(directory.offset, directory.size);
    if (!read)
        return std::move(read).error();
    const auto bytes = *read;
    std::vector<Entry> found;
    std::size_t at = 0;
    for (std::uint64_t i = 0; i < directory.entries; ++i) {
        if (at + central_size > bytes.size() || u32(bytes, at) != central_signature) {
            return wheel_invalid(name,
                                 fmt::format("central directory entry #{} is damaged", i + 1));
        }
        const auto name_length = u16(bytes, at + 28);
        const auto extra_length = u16(bytes, at + 30);
        const auto comment_length = u16(bytes, at + 32);
        const auto next = at + central_size + name_length + extra_length + comment_length;
        if (next > bytes.size()) {
            return wheel_invalid(name,
                                 fmt::format("central directory entry #{} is truncated", i + 1));
        }
        const auto entry_name = bytes.substr(at + central_size, name_length);
        const auto slash = entry_name.find('/');
        if (slash != std::string_view::npos && entry_name.substr(slash) == "/METADATA" &&
            entry_name.substr(0, slash).ends_with(".dist-info")) {
            Entry entry;
            entry.name = std::string(entry_name);
            entry.flags = u16(bytes, at + 8);
            entry.method = u16(bytes, at + 10);
            entry.crc = u32(bytes, at + 16);
            entry.compressed = u32(bytes, at + 20);
            entry.uncompressed = u32(bytes, at + 24);
            entry.local_offset = u32(bytes, at + 42);
            entry.local_hint =
                static_cast<std::uint16_t>(std::min<unsigned>(0xFFFF, name_length + extra_length));
            // Zip64 extended information: the 64-bit values of the fields set to 0xFFFFFFFF,
            // in this order.
            auto extra = bytes.substr(at + central_size + name_length, extra_length);
            while (extra.size() >= 4) {
                const auto id = u16(extra, 0);
                const auto length = u16(extra, 2);
                if (4U + length > extra.size())
                    break;
                if (id == 0x0001) {
                    std::size_t field = 4;
                    auto take = [&](std::uint64_t& value) {
                        if (value == 0xFFFFFFFF && field + 8 <= 4U + length) {
                            value = u64(extra, field);
                            field += 8;
                        }
                    };
                    take(entry.uncompressed);
                    take(entry.compressed);
                    take(entry.local_offset);
                }
                extra.remove_prefix(4U + length);
            }
            found.push_back(std::move(entry));
        }
        at = next;
    }
    return found;
}

core::Result<std::string> extract(ByteSource& source, const Entry& entry,
                                  const Directory& directory, std::string_view name) {
    if ((entry.flags & 1U) != 0) {
        return wheel_invalid(name, fmt::format("`{}` is encrypted", entry.name));
    }
    if (entry.method != 0 && entry.method != 8) {
        return wheel_invalid(
            name, fmt::format("`{}` uses compression method {}, not stored (0) or deflate (8)",
                              entry.name, entry.method));
    }
    if (entry.uncompressed > max_metadata_bytes || entry.compressed > max_metadata_bytes) {
        return wheel_invalid(name, fmt::format("`{}` is larger than 16 MiB", entry.name));
    }
    const auto end = std::min(directory.offset, source.size());
    if (entry.local_offset + local_size > end) {
        return wheel_invalid(
            name, fmt::format("the local header of `{}` lies outside the file", entry.name));
    }
    // One read for the header and the data in the usual case (local name and extra as long as
    // the central ones, plus some slack).
    const auto guess = std::min<std::uint64_t>(
        end - entry.local_offset, local_size + entry.local_hint + 256U + entry.compressed);
    auto header = source.read(entry.local_offset, guess);
    if (!header)
        return std::move(header).error();
    if (u32(*header, 0) != local_signature) {
        return wheel_invalid(name, fmt::format("no local header for `{}`", entry.name));
    }
    const auto data_offset = local_size + u16(*header, 26) + u16(*header, 28);
    std::string_view data;
    if (data_offset + entry.compressed <= header->size()) {
        data = header->substr(data_offset, static_cast<std::size_t>(entry.compressed));
    } else {
        if (entry.local_offset + data_offset + entry.compressed > source.size()) {
            return wheel_invalid(name,
                                 fmt::format("the data of `{}` lies outside the file", entry.name));
        }
        auto more = source.read(entry.local_offset + data_offset, entry.compressed);
        if (!more)
            return std::move(more).error();
        data = *more;
    }
    std::string text;
    if (entry.method == 0) {
        if (entry.compressed != entry.uncompressed) {
            return wheel_invalid(name, fmt::format("stored `{}` has two sizes", entry.name));
        }
        text = std::string(data);
    } else {
        text.resize(static_cast<std::size_t>(entry.uncompressed));
        const std::unique_ptr<libdeflate_decompressor, void (*)(libdeflate_decompressor*)> inflater(
            libdeflate_alloc_decompressor(), libdeflate_free_decompressor);
        if (!inflater) {
            return core::make_error(core::ErrorCode::internal, "index.pypi.out_of_memory",
                                    "cannot allocate a deflate decompressor");
        }
        std::size_t produced = 0;
        const auto status = libdeflate_deflate_decompress(inflater.get(), data.data(), data.size(),
                                                          text.data(), text.size(), &produced);
        if (status != LIBDEFLATE_SUCCESS || produced != text.size()) {
            return wheel_invalid(name, fmt::format("`{}` does not inflate", entry.name));
        }
    }
    if (libdeflate_crc32(0, text.data(), text.size()) != entry.crc) {
        return wheel_invalid(name, fmt::format("`{}` fails its CRC-32 check", entry.name));
    }
    return text;
}

core::Result<std::string> read_metadata(ByteSource& source, const specs::WheelFilename& wheel,
                                        std::string_view name) {
    auto directory = find_directory(source, name);
    if (!directory)
        return std::move(directory).error();
    auto entries = read_metadata_entries(source, *directory, name);
    if (!entries)
        return std::move(entries).error();
    const auto wanted = wheel.normalized_name();
    const Entry* chosen = nullptr;
    for (const auto& entry : *entries) {
        const auto folder = std::string_view(entry.name).substr(0, entry.name.find('/'));
        const auto stem = folder.substr(0, folder.size() - std::string_view(".dist-info").size());
        const auto dash = stem.rfind('-');
        if (dash != std::string_view::npos &&
            specs::normalize_package_name(stem.substr(0, dash)) == wanted) {
            chosen = &entry;
            break;
        }
    }
    if (chosen == nullptr && entries->size() == 1) {
        chosen = &entries->front();
    }
    if (chosen == nullptr) {
        return wheel_invalid(
            name, fmt::format("no `{}-*.dist-info/METADATA` in the archive", wheel.name));
    }
    return extract(source, *chosen, *directory, name);
}

/// `bytes START-END/TOTAL`; false when malformed. `total` is 0 for `*`.
bool parse_content_range(std::string_view text, std::uint64_t& start, std::uint64_t& end,
                         std::uint64_t& total) {
    text = core::trim(text);
    if (!text.starts_with("bytes "))
        return false;
    text.remove_prefix(6);
    const auto dash = text.find('-');
    const auto slash = text.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash)
        return false;
    const auto number = [](std::string_view part, std::uint64_t& value) {
        part = core::trim(part);
        const auto* last = part.data() + part.size();
        const auto [ptr, ec] = std::from_chars(part.data(), last, value);
        return ec == std::errc() && ptr == last;
    };
    total = 0;
    const auto total_text = text.substr(slash + 1);
    return number(text.substr(0, dash), start) &&
           number(text.substr(dash + 1, slash - dash - 1), end) && end >= start &&
           (core::trim(total_text) == "*" || number(total_text, total));
}

/// Ranges over HTTP. Every chunk fetched is kept; a read inside one costs no request.
class RangeSource final : public ByteSource {
public:
    RangeSource(core::Transport& transport, const std::string& url,
                const std::vector<std::pair<std::string, std::string>>& headers)
        : m_transport(transport), m_url(url), m_headers(headers) {}

    /// What the first request learned: the size, or the whole body when Range was ignored.
    struct Start {
        std::uint64_t size = 0;
        std::optional<std::string> whole;
    };

    core::Result<Start> start(std::optional<std::uint64_t> known_size) {
        const std::string range =
            known_size ? fmt::format("bytes={}-{}", *known_size - std::min(*known_size, tail_bytes),
                                     *known_size == 0 ? 0 : *known_size - 1)
                       : fmt::format("bytes=-{}", tail_bytes);
        auto response = send(range);
        if (!response)
            return std::move(response).error();
        Start result;
        if (response->status == 200) {
            result.size = response->body.size();
            result.whole = std::move(response->body);
            return result;
        }
        if (response->status == 416 && known_size.value_or(1) == 0) {
            return wheel_invalid(m_url, "the file is empty");
        }
        if (response->status != 206) {
            return http_status_error(m_url, response->status);
        }
        std::uint64_t first = 0;
        std::uint64_t last = 0;
        std::uint64_t total = 0;
        if (!parse_content_range(response->header("Content-Range"), first, last, total) ||
            total == 0 || last >= total || response->body.size() != last - first + 1) {
            return wheel_invalid(
                m_url, fmt::format("the server's partial answer has a bad Content-Range `{}`",
                                   response->header("Content-Range")));
        }
        m_size = total;
        m_chunks.push_back({first, std::move(response->body)});
        result.size = total;
        return result;
    }

    [[nodiscard]] std::uint64_t size() const override { return m_size; }
    [[nodiscard]] std::uint32_t requests() const noexcept { return m_requests; }

    core::Result<std::string_view> read(std::uint64_t offset, std::uint64_t length) override {
        if (offset > m_size || length > m_size - offset) {
            return wheel_invalid(m_url, "the archive is truncated");
        }
        for (const auto& chunk : m_chunks) {
            if (offset >= chunk.first && offset + length <= chunk.first + chunk.second.size()) {
                return std::string_view(chunk.second)
                    .substr(static_cast<std::size_t>(offset - chunk.first),
                            static_cast<std::size_t>(length));
            }
        }
        if (length == 0)
            return std::string_view();
        auto response = send(fmt::format("bytes={}-{}", offset, offset + length - 1));
        if (!response)
            return std::move(response).error();
        std::string body;
        if (response->status == 206) {
            std::uint64_t first = 0;
            std::uint64_t last = 0;
            std::uint64_t total = 0;
            if (!parse_content_range(response->header("Content-Range"), first, last, total) ||
                first != offset || response->body.size() != length) {
                return wheel_invalid(m_url, "the server answered a different range than asked");
            }
            body = std::move(response->body);
        } else if (response->status == 200 && response->body.size() == m_size) {
            body = response->body.substr(static_cast<std::size_t>(offset),
                                         static_cast<std::size_t>(length));
        } else {
            return http_status_error(m_url, response->status);
        }
        m_chunks.push_back({offset, std::move(body)});
        return std::string_view(m_chunks.back().second);
    }

private:
    core::Result<core::HttpResponse> send(const std::string& range) {
        core::HttpRequest request;
        request.url = m_url;
        request.headers = m_headers;
        request.headers.emplace_back("Range", range);
        // A compressed answer would not be a byte range of the file.
        request.headers.emplace_back("Accept-Encoding", "identity");
        ++m_requests;
        return m_transport.send(request);
    }

    core::Transport& m_transport;
    const std::string& m_url;
    const std::vector<std::pair<std::string, std::string>>& m_headers;
    std::uint64_t m_size = 0;
    std::uint32_t m_requests = 0;
    struct Chunk {
        std::uint64_t first;
        std::string second;
    };
    // A deque: views handed out into a chunk stay valid when more chunks are added.
    std::deque<Chunk> m_chunks;
};

}  // namespace

core::Error http_status_error(std::string_view url, int status) {
    const auto shown = core::redact_url(url);
    auto code = core::ErrorCode::unavailable;
    if (status == 404 || status == 410) {
        code = core::ErrorCode::not_found;
    } else if (status == 401 || status == 403) {
        code = core::ErrorCode::permission_denied;
    }
    return core::make_error(code, "index.pypi.http_status",
                            fmt::format("HTTP {} from `{}`", status, shown))
        .arg("url", shown)
        .arg("status", std::to_string(status));
}

core::Result<std::string> read_wheel_metadata(std::string_view wheel_bytes,
                                              const specs::WheelFilename& wheel,
                                              std::string_view source) {
    MemorySource memory(wheel_bytes, source);
    return read_metadata(memory, wheel, source);
}

core::Result<WheelMetadata> fetch_wheel_metadata(
    core::Transport& transport, const std::string& url, const specs::WheelFilename& wheel,
    std::optional<std::uint64_t> size,
    const std::vector<std::pair<std::string, std::string>>& headers) {
    WheelMetadata result;
    if (url.starts_with("file:")) {
        // libcurl reads file:// ranges but reports no 206; read the file whole.
        core::HttpRequest request;
        request.url = url;
        request.headers = headers;
        auto response = transport.send(request);
        if (!response)
            return std::move(response).error();
        if (response->status != 200)
            return http_status_error(url, response->status);
        auto text = read_wheel_metadata(response->body, wheel, url);
        if (!text)
            return std::move(text).error();
        result.text = std::move(text).value();
        result.mode = WheelFetchMode::whole_file;
        result.whole_file = std::move(response->body);
        result.requests = 1;
        return result;
    }
    RangeSource source(transport, url, headers);
    auto started = source.start(size);
    if (!started)
        return std::move(started).error();
    if (started->whole) {
        auto text = read_wheel_metadata(*started->whole, wheel, url);
        if (!text)
            return std::move(text).error();
        result.text = std::move(text).value();
        result.mode = WheelFetchMode::whole_file;
        result.whole_file = std::move(*started->whole);
        result.requests = source.requests();
        return result;
    }
    auto text = read_metadata(source, wheel, url);
    if (!text)
        return std::move(text).error();
    result.text = std::move(text).value();
    result.requests = source.requests();
    return result;
}

}  // namespace envsmith::index
