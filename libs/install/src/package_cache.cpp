#include "envsmith/install/package_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <system_error>
#include <thread>
#include <utility>

#include <fmt/format.h>

#include "download_io.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/install/download.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

/// The extensions kept on cached archives, longest first so ".tar.bz2" wins over ".bz2".
constexpr std::array<std::string_view, 9> known_extensions = {
    ".tar.bz2", ".tar.gz", ".tar.zst", ".tar.xz", ".conda", ".whl", ".zip", ".tgz", ".tar"};

std::string extension_of(std::string_view file_name) {
    for (const auto extension : known_extensions) {
        if (file_name.ends_with(extension)) {
            return std::string(extension);
        }
    }
    return {};
}

/// The last path segment of a URL, without query or fragment.
std::string file_name_of(std::string_view url) {
    url = url.substr(0, url.find_first_of("?#"));
    const auto slash = url.rfind('/');
    return std::string(slash == std::string_view::npos ? url : url.substr(slash + 1));
}

core::Error cache_io_error(const std::string& path, const std::string& detail) {
    return core::make_error(core::ErrorCode::unavailable, "install.cache.io",
                            fmt::format("cannot use the package cache at `{}`: {}", path, detail))
        .arg("path", path)
        .arg("detail", detail);
}

core::Error cache_io_error(const std::string& path, const std::error_code& error) {
    return cache_io_error(path, error.message());
}

/// A digest whose hex is safe to use as a file name (lowercase hex of the right length).
core::Status check_digest(const core::Digest& digest) {
    const bool hex_only = std::all_of(digest.hex.begin(), digest.hex.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
    });
    if (hex_only && digest.hex.size() == hex_length(digest.algorithm)) {
        return {};
    }
    const auto text = digest.to_string();
    return core::make_error(
               core::ErrorCode::invalid_input, "digest.invalid",
               fmt::format("invalid digest `{}`: expected {} lowercase hex digits", text,
                           hex_length(digest.algorithm)))
        .arg("digest", text)
        .arg("problem", fmt::format("expected {} lowercase hex digits", hex_length(digest.algorithm)));
}

/// Forwards events to a reporter one at a time: workers call it from several threads.
class SerialReporter final : public core::Reporter {
public:
    explicit SerialReporter(core::Reporter& inner) : m_inner(inner) {}
    void on_phase_start(std::string_view phase) override {
        const std::lock_guard lock(m_mutex);
        m_inner.on_phase_start(phase);
    }
    void on_phase_end(std::string_view phase, std::uint64_t elapsed_ms) override {
        const std::lock_guard lock(m_mutex);
        m_inner.on_phase_end(phase, elapsed_ms);
    }
    void on_download_progress(std::string_view url, std::uint64_t done_bytes,
                              std::uint64_t total_bytes) override {
        const std::lock_guard lock(m_mutex);
        m_inner.on_download_progress(url, done_bytes, total_bytes);
    }
    void on_warning(std::string_view message_id, std::string_view text,
                    const std::vector<core::MessageArg>& args) override {
        const std::lock_guard lock(m_mutex);
        m_inner.on_warning(message_id, text, args);
    }
    void on_log_line(std::string_view phase, std::string_view text) override {
        const std::lock_guard lock(m_mutex);
        m_inner.on_log_line(phase, text);
    }

private:
    core::Reporter& m_inner;
    std::mutex m_mutex;
};

/// Takes the exclusive flock of an entry's lock file; held until the descriptor is closed.
/// Lock files are never deleted: removing one while another process waits on it would let two
/// processes hold "the" lock of one entry.
core::Result<detail::FileDescriptor> lock_entry(const std::string& lock_path,
                                                const std::string& file_name,
                                                core::Reporter& reporter) {
    detail::FileDescriptor fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
    if (!fd) {
        return cache_io_error(lock_path, std::error_code(errno, std::generic_category()));
    }
    if (::flock(fd.get(), LOCK_EX | LOCK_NB) == 0) {
        return fd;
    }
    if (errno != EWOULDBLOCK && errno != EINTR) {
        return cache_io_error(lock_path, std::error_code(errno, std::generic_category()));
    }
    reporter.on_warning(
        "install.cache.waiting",
        fmt::format("waiting for another envsmith process to finish `{}` in the package cache",
                    file_name),
        {{"package", file_name}, {"path", lock_path}});
    while (::flock(fd.get(), LOCK_EX) != 0) {
        if (errno != EINTR) {
            return cache_io_error(lock_path, std::error_code(errno, std::generic_category()));
        }
    }
    return fd;
}

/// Writes `content` to `path` through a temporary file in the same folder renamed over it.
core::Status write_atomically(const std::string& temp_path, const std::string& path,
                              std::string_view content) {
    {
        std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.flush();
        if (!out) {
            return cache_io_error(temp_path, "cannot write the file");
        }
    }
    std::error_code error;
    stdfs::rename(temp_path, path, error);
    if (error) {
        return cache_io_error(path, error);
    }
    return {};
}

std::optional<core::Digest> read_md5_index(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string line;
    std::getline(in, line);
    auto parsed = core::Digest::parse(line);
    if (!parsed || parsed->algorithm != core::DigestAlgorithm::sha256) {
        return std::nullopt;
    }
    return *parsed;
}

/// The sha256 and md5 of a file, or an Error.
core::Result<std::pair<core::Digest, core::Digest>> hash_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return detail::fs_error("fs.read_failed", path, errno != 0 ? errno : EIO);
    }
    core::Hasher sha256(core::DigestAlgorithm::sha256);
    core::Hasher md5(core::DigestAlgorithm::md5);
    std::string buffer(256ULL * 1024, '\0');
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        sha256.update(std::string_view(buffer.data(), got));
        md5.update(std::string_view(buffer.data(), got));
    }
    if (in.bad()) {
        return detail::fs_error("fs.read_failed", path, EIO);
    }
    return std::make_pair(sha256.finish(), md5.finish());
}

bool wants_extract(const PackageSource& source, std::string_view file_name) {
    switch (source.extract) {
        case Extract::yes: return true;
        case Extract::no: return false;
        case Extract::automatic: return package_kind(file_name) == PackageKind::conda;
    }
    return false;
}

/// Fetches one source into the cache; see PackageCache::fetch.
class EntryFetch {
public:
    EntryFetch(const PackageCache& cache, const PackageSource& source, core::Transport& transport,
               core::Reporter& reporter, const FetchOptions& options)
        : m_cache(cache),
          m_source(source),
          m_transport(transport),
          m_reporter(reporter),
          m_options(options),
          m_file_name(source.file_name.empty() ? file_name_of(source.url) : source.file_name),
          m_extension(extension_of(m_file_name)) {}

    core::Result<CachedPackage> run() {
        auto fetched = fetch();
        if (!fetched) {
            return std::move(fetched).error().with_context(
                fmt::format("fetching `{}` into the package cache", m_file_name));
        }
        return fetched;
    }

private:
    std::string path(std::string_view folder, std::string_view name) const {
        return fmt::format("{}/{}/{}", m_cache.root(), folder, name);
    }

    core::Result<CachedPackage> fetch() {
        std::string key;
        if (m_source.sha256) {
            if (auto ok = check_digest(*m_source.sha256); !ok) {
                return std::move(ok).error();
            }
            key = m_source.sha256->hex;
        } else if (m_source.md5) {
            if (auto ok = check_digest(*m_source.md5); !ok) {
                return std::move(ok).error();
            }
            key = "md5-" + m_source.md5->hex;
        } else {
            // download_verified names the problem before touching anything.
            return download({}).error();
        }
        auto lock = lock_entry(path("locks", key + ".lock"), m_file_name, m_reporter);
        if (!lock) {
            return std::move(lock).error();
        }

        CachedPackage package;
        std::optional<core::Digest> sha256 = m_source.sha256;
        if (!sha256) {
            sha256 = read_md5_index(path("md5", m_source.md5->hex));
        }
        bool present = false;
        if (sha256) {
            auto checked = check_present(*sha256);
            if (!checked) {
                return std::move(checked).error();
            }
            present = *checked;
        }
        if (present) {
            package.sha256 = *sha256;
        } else {
            auto downloaded = download(path("partial", key + m_extension + ".part"));
            if (!downloaded) {
                return std::move(downloaded).error();
            }
            package.sha256 = downloaded->sha256;
            package.downloaded = true;
            std::error_code error;
            stdfs::rename(path("partial", key + m_extension + ".part"),
                          m_cache.archive_path(package.sha256, m_file_name), error);
            if (error) {
                return cache_io_error(m_cache.archive_path(package.sha256, m_file_name), error);
            }
            if (!m_source.sha256) {
                auto indexed = write_atomically(path("tmp", key + ".md5"),
                                                path("md5", m_source.md5->hex),
                                                package.sha256.to_string() + "\n");
                if (!indexed) {
                    return std::move(indexed).error();
                }
            }
        }
        package.archive_path = m_cache.archive_path(package.sha256, m_file_name);
        std::error_code error;
        const auto size = stdfs::file_size(package.archive_path, error);
        package.size = error ? 0 : static_cast<std::uint64_t>(size);
        if (wants_extract(m_source, m_file_name)) {
            // Keyed by md5 so far: the extracted tree belongs to the sha256's entry.
            std::optional<core::Result<detail::FileDescriptor>> sha_lock;
            if (key != package.sha256.hex) {
                sha_lock.emplace(
                    lock_entry(path("locks", package.sha256.hex + ".lock"), m_file_name, m_reporter));
                if (!*sha_lock) {
                    return std::move(*sha_lock).error();
                }
            }
            auto extracted = extract(package);
            if (!extracted) {
                return std::move(extracted).error();
            }
            package.extracted_dir = *extracted;
        }
        return package;
    }

    /// Whether the archive of `sha256` is in the cache and usable. A file of the wrong size, or
    /// (VerifyCached::yes) with the wrong digests, is removed with a warning.
    core::Result<bool> check_present(const core::Digest& sha256) {
        const auto archive = m_cache.archive_path(sha256, m_file_name);
        std::error_code error;
        const auto size = stdfs::file_size(archive, error);
        if (error) {
            return false;  // absent
        }
        bool good = m_source.size == 0 || size == m_source.size;
        if (good && m_options.verify_cached == VerifyCached::yes) {
            auto digests = hash_file(archive);
            if (!digests) {
                return std::move(digests).error();
            }
            good = digests->first == sha256 && (!m_source.md5 || digests->second == *m_source.md5);
        }
        if (good) {
            return true;
        }
        m_reporter.on_warning(
            "install.cache.corrupt",
            fmt::format("the cached `{}` is damaged (`{}`); downloading it again", m_file_name,
                        archive),
            {{"package", m_file_name}, {"path", archive}});
        stdfs::remove(archive, error);
        stdfs::remove_all(m_cache.extracted_path(sha256), error);
        return false;
    }

    core::Result<VerifiedDownload> download(std::string part_path) {
        DownloadRequest request;
        if (!m_source.url.empty()) {
            request.urls.push_back(m_source.url);
        }
        request.urls.insert(request.urls.end(), m_source.mirrors.begin(), m_source.mirrors.end());
        request.file_name = m_file_name;
        request.sha256 = m_source.sha256;
        request.md5 = m_source.md5;
        request.size = m_source.size;
        request.part_path = std::move(part_path);
        return download_verified(request, m_transport, m_reporter);
    }

    /// The extracted tree, made from the verified archive when absent: extracted into a
    /// temporary folder (a fixed name, used only under the entry's lock, so a leftover is from
    /// a killed process and is removed first) and renamed into place.
    core::Result<std::string> extract(const CachedPackage& package) {
        const auto destination = m_cache.extracted_path(package.sha256);
        std::error_code error;
        if (stdfs::is_directory(destination, error)) {
            return destination;
        }
        const auto temp = path("tmp", package.sha256.hex + ".extract");
        stdfs::remove_all(temp, error);
        if (error) {
            return cache_io_error(temp, error);
        }
        auto extracted = archive::extract(package.archive_path, temp, m_options.extract);
        if (!extracted) {
            stdfs::remove_all(temp, error);
            return std::move(extracted).error();
        }
        stdfs::rename(temp, destination, error);
        if (error) {
            stdfs::remove_all(temp, error);
            return cache_io_error(destination, error);
        }
        return destination;
    }

    const PackageCache& m_cache;
    const PackageSource& m_source;
    core::Transport& m_transport;
    core::Reporter& m_reporter;
    const FetchOptions& m_options;
    std::string m_file_name;
    std::string m_extension;
};

}  // namespace

std::string package_cache_root(std::string_view cache_dir) {
    return fmt::format("{}/pkgs", cache_dir);
}

core::Result<PackageCache> PackageCache::open(std::string root) {
    while (root.size() > 1 && root.back() == '/') {
        root.pop_back();
    }
    for (const auto* folder : {"sha256", "md5", "extracted", "partial", "locks", "tmp"}) {
        std::error_code error;
        const auto path = fmt::format("{}/{}", root, folder);
        stdfs::create_directories(path, error);
        if (error) {
            return cache_io_error(path, error);
        }
    }
    return PackageCache(std::move(root));
}

std::string PackageCache::archive_path(const core::Digest& sha256,
                                       std::string_view file_name) const {
    return fmt::format("{}/sha256/{}{}", m_root, sha256.hex, extension_of(file_name));
}

std::string PackageCache::extracted_path(const core::Digest& sha256) const {
    return fmt::format("{}/extracted/{}", m_root, sha256.hex);
}

std::optional<CachedPackage> PackageCache::find(const PackageSource& source) const {
    if (!source.sha256 || !check_digest(*source.sha256)) {
        return std::nullopt;
    }
    const auto file_name = source.file_name.empty() ? file_name_of(source.url) : source.file_name;
    CachedPackage package;
    package.sha256 = *source.sha256;
    package.archive_path = archive_path(package.sha256, file_name);
    std::error_code error;
    package.size = stdfs::file_size(package.archive_path, error);
    if (error) {
        return std::nullopt;
    }
    if (wants_extract(source, file_name)) {
        package.extracted_dir = extracted_path(package.sha256);
        if (!stdfs::is_directory(package.extracted_dir, error)) {
            return std::nullopt;
        }
    }
    return package;
}

std::vector<core::Result<CachedPackage>> PackageCache::fetch(
    const std::vector<PackageSource>& sources, core::Transport& transport,
    core::Reporter& reporter, const FetchOptions& options) const {
    std::vector<std::optional<core::Result<CachedPackage>>> slots(sources.size());
    SerialReporter serial(reporter);
    std::atomic<std::size_t> next{0};
    auto work = [&] {
        for (auto index = next++; index < sources.size(); index = next++) {
            slots[index].emplace(
                EntryFetch(*this, sources[index], transport, serial, options).run());
        }
    };
    const auto workers = std::min<std::size_t>(std::max<std::uint32_t>(options.max_parallel, 1),
                                               sources.size());
    std::vector<std::thread> threads;
    threads.reserve(workers > 0 ? workers - 1 : 0);
    for (std::size_t i = 1; i < workers; ++i) {
        threads.emplace_back(work);
    }
    work();  // the calling thread is one of the workers
    for (auto& thread : threads) {
        thread.join();
    }
    std::vector<core::Result<CachedPackage>> results;
    results.reserve(sources.size());
    for (auto& slot : slots) {
        results.push_back(std::move(*slot));
    }
    return results;
}

}  // namespace envsmith::install
