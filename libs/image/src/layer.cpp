// One pass per layer: tar writer -> sha256 (diff_id) -> compressor -> sha256 (blob digest) and
// the blob file. gzip: the tar is cut into fixed-size chunks, each compressed by libdeflate into
// its own gzip member on a worker thread; members are written in order (RFC 1952 allows any
// number of members, and gzip, Go and zlib's gunzip read them as one stream). The chunk size is
// fixed, so the bytes do not depend on the number of threads. zstd: libzstd's multithreaded
// mode, always with at least one worker, since its output does not depend on the number of
// workers (jobs are cut by size), but it differs from the single-threaded mode.

#include "envsmith/image/layer.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <libdeflate.h>
#include <zstd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <deque>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "envsmith/archive/tar_writer.hpp"

namespace envsmith::image {

namespace {

constexpr std::size_t gzip_chunk_bytes = std::size_t{1} << 20;

core::Error compress_error(std::string detail) {
    return core::make_error(core::ErrorCode::internal, "image.compress",
                            fmt::format("compression failed: {}", detail))
        .arg("detail", std::move(detail));
}

core::Error io_error(const std::string& path, const std::string& detail) {
    return core::make_error(core::ErrorCode::unavailable, "image.layout.io",
                            fmt::format("cannot access `{}`: {}", path, detail))
        .arg("path", path)
        .arg("detail", detail);
}

/// The compressed side: hashes and writes to a file descriptor.
class BlobOutput {
public:
    BlobOutput(int fd, std::string path) : m_fd(fd), m_path(std::move(path)) {}

    core::Status write(std::string_view bytes) {
        m_hasher.update(bytes);
        m_size += bytes.size();
        while (!bytes.empty()) {
            const ssize_t n = ::write(m_fd, bytes.data(), bytes.size());
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return io_error(m_path, std::strerror(errno));
            }
            bytes.remove_prefix(static_cast<std::size_t>(n));
        }
        return {};
    }
    [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }
    core::Digest finish() { return m_hasher.finish(); }

private:
    int m_fd;
    std::string m_path;
    core::Hasher m_hasher{core::DigestAlgorithm::sha256};
    std::uint64_t m_size = 0;
};

class Compressor {
public:
    virtual ~Compressor() = default;
    virtual core::Status write(std::string_view bytes) = 0;
    virtual core::Status finish() = 0;
};

class PlainCompressor final : public Compressor {
public:
    explicit PlainCompressor(BlobOutput& out) : m_out(out) {}
    core::Status write(std::string_view bytes) override { return m_out.write(bytes); }
    core::Status finish() override { return {}; }

private:
    BlobOutput& m_out;
};

struct DeflateDeleter {
    void operator()(libdeflate_compressor* c) const { libdeflate_free_compressor(c); }
};
using DeflatePtr = std::unique_ptr<libdeflate_compressor, DeflateDeleter>;

class GzipCompressor final : public Compressor {
public:
    GzipCompressor(BlobOutput& out, int level, unsigned threads) : m_out(out) {
        m_slots = std::max(1U, threads);
        for (unsigned i = 0; i < m_slots; ++i) {
            m_compressors.emplace_back(libdeflate_alloc_compressor(level));
        }
        m_chunk.reserve(gzip_chunk_bytes);
    }
    ~GzipCompressor() override {
        for (auto& job : m_jobs) {
            job.wait();
        }
    }
    GzipCompressor(const GzipCompressor&) = delete;
    GzipCompressor& operator=(const GzipCompressor&) = delete;

    core::Status write(std::string_view bytes) override {
        while (!bytes.empty()) {
            const std::size_t take = std::min(bytes.size(), gzip_chunk_bytes - m_chunk.size());
            m_chunk.append(bytes.substr(0, take));
            bytes.remove_prefix(take);
            if (m_chunk.size() == gzip_chunk_bytes) {
                if (auto status = submit(); !status) {
                    return status;
                }
            }
        }
        return {};
    }

    core::Status finish() override {
        if (!m_chunk.empty() || m_submitted == 0) {
            if (auto status = submit(); !status) {
                return status;
            }
        }
        while (!m_jobs.empty()) {
            if (auto status = drain_one(); !status) {
                return status;
            }
        }
        return {};
    }

private:
    static std::string compress(libdeflate_compressor* compressor, const std::string& input) {
        std::string out(libdeflate_gzip_compress_bound(compressor, input.size()), '\0');
        const std::size_t n = libdeflate_gzip_compress(compressor, input.data(), input.size(),
                                                       out.data(), out.size());
        out.resize(n);  // 0 (failure) gives an empty member, reported by drain_one
        return out;
    }

    core::Status submit() {
        for (auto& compressor : m_compressors) {
            if (!compressor) {
                return compress_error("libdeflate could not allocate a compressor");
            }
        }
        if (m_jobs.size() >= m_slots) {
            if (auto status = drain_one(); !status) {
                return status;
            }
        }
        // Job n uses compressor n % slots: at most `slots` jobs run, and they finish in order
        // of submission, so the compressor of the job `slots` before is free again.
        libdeflate_compressor* compressor = m_compressors[m_submitted % m_slots].get();
        ++m_submitted;
        auto chunk = std::make_shared<std::string>(std::move(m_chunk));
        m_chunk = std::string();
        m_chunk.reserve(gzip_chunk_bytes);
        // Even with one slot the compression runs on a worker: the calling thread meanwhile
        // reads files and hashes the next chunk.
        m_jobs.push_back(std::async(std::launch::async,
                                    [compressor, chunk] { return compress(compressor, *chunk); }));
        return {};
    }

    core::Status drain_one() {
        auto member = m_jobs.front().get();
        m_jobs.pop_front();
        if (member.empty()) {
            return compress_error("libdeflate produced no output");
        }
        return m_out.write(member);
    }

    BlobOutput& m_out;
    unsigned m_slots = 1;
    std::vector<DeflatePtr> m_compressors;
    std::deque<std::future<std::string>> m_jobs;
    std::string m_chunk;
    std::uint64_t m_submitted = 0;
};

class ZstdCompressor final : public Compressor {
public:
    ZstdCompressor(BlobOutput& out, int level, unsigned threads)
        : m_out(out), m_ctx(ZSTD_createCCtx()), m_buffer(ZSTD_CStreamOutSize(), '\0') {
        if (m_ctx == nullptr) {
            m_setup = "cannot create a zstd context";
            return;
        }
        const auto set = [&](ZSTD_cParameter parameter, int value, const char* name) {
            const std::size_t rc = ZSTD_CCtx_setParameter(m_ctx, parameter, value);
            if (ZSTD_isError(rc) != 0U && m_setup.empty()) {
                m_setup = fmt::format("{}: {}", name, ZSTD_getErrorName(rc));
            }
        };
        set(ZSTD_c_compressionLevel, level, "level");
        set(ZSTD_c_checksumFlag, 1, "checksum");
        set(ZSTD_c_nbWorkers, static_cast<int>(std::max(1U, threads)), "workers");
    }
    ~ZstdCompressor() override { ZSTD_freeCCtx(m_ctx); }
    ZstdCompressor(const ZstdCompressor&) = delete;
    ZstdCompressor& operator=(const ZstdCompressor&) = delete;

    core::Status write(std::string_view bytes) override {
        if (!m_setup.empty()) {
            return compress_error(m_setup);
        }
        ZSTD_inBuffer in{bytes.data(), bytes.size(), 0};
        while (in.pos < in.size) {
            if (auto status = step(in, ZSTD_e_continue); !status) {
                return status;
            }
        }
        return {};
    }

    core::Status finish() override {
        if (!m_setup.empty()) {
            return compress_error(m_setup);
        }
        ZSTD_inBuffer in{nullptr, 0, 0};
        while (true) {
            std::size_t left = 0;
            if (auto status = step(in, ZSTD_e_end, &left); !status) {
                return status;
            }
            if (left == 0) {
                return {};
            }
        }
    }

private:
    core::Status step(ZSTD_inBuffer& in, ZSTD_EndDirective mode, std::size_t* left = nullptr) {
        ZSTD_outBuffer out{m_buffer.data(), m_buffer.size(), 0};
        const std::size_t rc = ZSTD_compressStream2(m_ctx, &out, &in, mode);
        if (ZSTD_isError(rc) != 0U) {
            return compress_error(ZSTD_getErrorName(rc));
        }
        if (left != nullptr) {
            *left = rc;
        }
        return m_out.write(std::string_view(m_buffer.data(), out.pos));
    }

    BlobOutput& m_out;
    ZSTD_CCtx* m_ctx;
    std::string m_buffer;
    std::string m_setup;
};

}  // namespace

std::string_view layer_media_type(Compression compression) noexcept {
    switch (compression) {
        case Compression::gzip: return media_type::oci_layer_gzip;
        case Compression::zstd: return media_type::oci_layer_zstd;
        case Compression::none: return media_type::oci_layer_tar;
    }
    return media_type::oci_layer_tar;
}

core::Result<Layer> make_layer_file(const std::string& source_dir, const LayerOptions& options,
                                    const std::string& output_path) {
    const int fd = ::open(output_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return io_error(output_path, std::strerror(errno));
    }
    struct Closer {
        int fd;
        ~Closer() {
            if (fd >= 0) {
                ::close(fd);
            }
        }
    } closer{fd};

    const unsigned threads =
        options.threads != 0 ? options.threads : std::max(1U, std::thread::hardware_concurrency());
    BlobOutput output(fd, output_path);
    std::unique_ptr<Compressor> compressor;
    switch (options.compression) {
        case Compression::gzip:
            compressor = std::make_unique<GzipCompressor>(output, options.gzip_level, threads);
            break;
        case Compression::zstd:
            compressor = std::make_unique<ZstdCompressor>(output, options.zstd_level, threads);
            break;
        case Compression::none: compressor = std::make_unique<PlainCompressor>(output); break;
    }

    core::Hasher diff_hasher(core::DigestAlgorithm::sha256);
    const archive::TarSink sink = [&](std::string_view bytes) -> core::Status {
        diff_hasher.update(bytes);
        return compressor->write(bytes);
    };
    archive::TreeTarOptions tar_options;
    tar_options.path_in_archive = options.path_in_image;
    tar_options.mtime_epoch = options.mtime_epoch;
    auto summary = archive::write_tree(source_dir, tar_options, sink);
    if (!summary) {
        return std::move(summary).error();
    }
    if (auto status = compressor->finish(); !status) {
        return std::move(status).error();
    }
    compressor.reset();
    closer.fd = -1;
    if (::close(fd) != 0) {
        return io_error(output_path, std::strerror(errno));
    }

    Layer layer;
    layer.descriptor.media_type = std::string(layer_media_type(options.compression));
    layer.descriptor.size = output.size();
    layer.descriptor.digest = output.finish();
    layer.diff_id = diff_hasher.finish();
    layer.tar_bytes = summary->tar_bytes;
    layer.entries = summary->entries;
    return layer;
}

core::Result<Layer> make_layer(Layout& layout, const std::string& source_dir,
                               const LayerOptions& options) {
    auto temp = layout.temp_blob_path();
    if (!temp) {
        return std::move(temp).error();
    }
    auto layer = make_layer_file(source_dir, options, *temp);
    if (!layer) {
        ::unlink(temp->c_str());
        return layer;
    }
    if (auto status = layout.commit_blob_file(*temp, layer->descriptor.digest); !status) {
        return std::move(status).error();
    }
    return layer;
}

}  // namespace envsmith::image
