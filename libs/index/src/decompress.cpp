#include "decompress.hpp"

#include <bzlib.h>
#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <limits>
#include <memory>
#include <utility>

#include "repodata_store.hpp"

namespace envsmith::index::detail {
namespace {

core::Error too_large(std::string_view source, std::uint64_t limit) {
    return core::make_error(
               core::ErrorCode::invalid_input, "index.decompress.too_large",
               fmt::format("`{}` decompresses to more than {} bytes; refusing it", source, limit))
        .arg("source", std::string(source))
        .arg("limit_bytes", std::to_string(limit))
        .with_hint(
            "a server sent a decompression bomb, or the limit "
            "(max_decompressed_bytes) is too small for this channel");
}

core::Error invalid(std::string_view source, Compression format, std::string detail) {
    return core::make_error(core::ErrorCode::invalid_input, "index.decompress.invalid",
                            fmt::format("`{}` is not a valid {} stream: {}", source,
                                        format_name(format), detail))
        .arg("source", std::string(source))
        .arg("format", std::string(format_name(format)))
        .arg("detail", std::move(detail));
}

/// Out of memory, in practice.
core::Error init_failed(Compression format) {
    return core::make_error(core::ErrorCode::internal, "index.decompress.init_failed",
                            fmt::format("cannot initialise the {} decoder", format_name(format)))
        .arg("format", std::string(format_name(format)));
}

struct ZstdFree {
    void operator()(ZSTD_DCtx* context) const noexcept { ZSTD_freeDCtx(context); }
};

core::Result<std::string> decompress_zstd(std::string_view input, std::uint64_t limit,
                                          std::string_view source) {
    const std::unique_ptr<ZSTD_DCtx, ZstdFree> context(ZSTD_createDCtx());
    if (!context) {
        return init_failed(Compression::zstd);
    }
    // The frame header may announce the size; trust it only as a reserve hint, capped.
    std::string output;
    const auto announced = ZSTD_getFrameContentSize(input.data(), input.size());
    if (announced != ZSTD_CONTENTSIZE_UNKNOWN && announced != ZSTD_CONTENTSIZE_ERROR) {
        if (announced > limit) {
            return too_large(source, limit);
        }
        // With the repodata parser's padding, so that it parses the output in place.
        reserve_text(output, static_cast<std::size_t>(announced) + Repodata::json_padding);
    }
    std::string chunk(ZSTD_DStreamOutSize(), '\0');
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    std::size_t last = 0;
    while (in.pos < in.size) {
        ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(context.get(), &out, &in);
        if (ZSTD_isError(last) != 0U) {
            return invalid(source, Compression::zstd, ZSTD_getErrorName(last));
        }
        if (output.size() + out.pos > limit) {
            return too_large(source, limit);
        }
        output.append(chunk.data(), out.pos);
    }
    // Flush what the decoder still holds once every input byte is consumed.
    while (last != 0) {
        ZSTD_outBuffer out{chunk.data(), chunk.size(), 0};
        last = ZSTD_decompressStream(context.get(), &out, &in);
        if (ZSTD_isError(last) != 0U) {
            return invalid(source, Compression::zstd, ZSTD_getErrorName(last));
        }
        if (output.size() + out.pos > limit) {
            return too_large(source, limit);
        }
        output.append(chunk.data(), out.pos);
        if (out.pos == 0) {
            break;  // no progress: the input ended inside a frame
        }
    }
    if (last != 0 || input.empty()) {
        return invalid(source, Compression::zstd, "the stream ends inside a frame");
    }
    return output;
}

core::Result<std::string> decompress_bzip2(std::string_view input, std::uint64_t limit,
                                           std::string_view source) {
    bz_stream stream{};
    if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) {
        return init_failed(Compression::bzip2);
    }
    struct End {
        bz_stream* stream;
        ~End() { BZ2_bzDecompressEnd(stream); }
    } end{&stream};

    std::string output;
    std::string chunk(std::size_t{1} << 16, '\0');
    std::string_view rest = input;
    constexpr std::size_t max_step = std::numeric_limits<unsigned int>::max();
    while (true) {
        if (stream.avail_in == 0 && !rest.empty()) {
            const auto step = std::min(rest.size(), max_step);
            // bzlib's API takes a non-const pointer but never writes through next_in.
            stream.next_in = const_cast<char*>(rest.data());  // NOLINT
            stream.avail_in = static_cast<unsigned int>(step);
            rest.remove_prefix(step);
        }
        stream.next_out = chunk.data();
        stream.avail_out = static_cast<unsigned int>(chunk.size());
        const int status = BZ2_bzDecompress(&stream);
        const auto produced = chunk.size() - stream.avail_out;
        if (status != BZ_OK && status != BZ_STREAM_END) {
            return invalid(source, Compression::bzip2, fmt::format("bzlib error {}", status));
        }
        if (output.size() + produced > limit) {
            return too_large(source, limit);
        }
        output.append(chunk.data(), produced);
        if (status == BZ_STREAM_END) {
            if (stream.avail_in == 0 && rest.empty()) {
                return output;
            }
            // Concatenated streams (pbzip2 writes them): start the next one.
            const auto* next = stream.next_in;
            const auto available = stream.avail_in;
            BZ2_bzDecompressEnd(&stream);
            stream = bz_stream{};
            if (BZ2_bzDecompressInit(&stream, 0, 0) != BZ_OK) {
                return init_failed(Compression::bzip2);
            }
            stream.next_in = const_cast<char*>(next);  // NOLINT
            stream.avail_in = available;
            continue;
        }
        if (produced == 0 && stream.avail_in == 0 && rest.empty()) {
            return invalid(source, Compression::bzip2, "the stream is truncated");
        }
    }
}

}  // namespace

std::string_view format_name(Compression format) noexcept {
    switch (format) {
        case Compression::none: return "uncompressed";
        case Compression::zstd: return "zstd";
        case Compression::bzip2: return "bzip2";
    }
    return "unknown";
}

core::Result<std::string> decompress(std::string_view input, Compression format,
                                     std::uint64_t max_output_bytes, std::string_view source) {
    switch (format) {
        case Compression::zstd: return decompress_zstd(input, max_output_bytes, source);
        case Compression::bzip2: return decompress_bzip2(input, max_output_bytes, source);
        case Compression::none: break;
    }
    if (input.size() > max_output_bytes) {
        return too_large(source, max_output_bytes);
    }
    return std::string(input);
}

core::Result<std::string> decompress(std::string&& input, Compression format,
                                     std::uint64_t max_output_bytes, std::string_view source) {
    if (format != Compression::none) {
        return decompress(std::string_view(input), format, max_output_bytes, source);
    }
    if (input.size() > max_output_bytes) {
        return too_large(source, max_output_bytes);
    }
    return std::move(input);
}

}  // namespace envsmith::index::detail
