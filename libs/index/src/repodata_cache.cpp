#include "envsmith/index/repodata_cache.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>
#include <thread>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/index/repodata.hpp"

namespace envsmith::index {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::system_clock;

core::Error io_error(const fs::path& path, std::string detail) {
    return core::make_error(
               core::ErrorCode::unavailable, "index.cache.io",
               fmt::format("cannot use the repodata cache at `{}`: {}", path.string(), detail))
        .arg("path", path.string())
        .arg("detail", std::move(detail));
}

/// An flock(2) on a lock file, released when destroyed (or when the process dies).
class FileLock {
public:
    enum class Mode : bool { shared, exclusive };

    static core::Result<FileLock> acquire(const fs::path& path, Mode mode) {
        const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
            return io_error(path, std::strerror(errno));
        }
        FileLock lock(fd);
        const int operation = mode == Mode::shared ? LOCK_SH : LOCK_EX;
        while (::flock(fd, operation) != 0) {
            if (errno != EINTR) {
                return io_error(path, std::strerror(errno));
            }
        }
        return lock;
    }

    FileLock(FileLock&& other) noexcept : m_fd(std::exchange(other.m_fd, -1)) {}
    FileLock& operator=(FileLock&&) = delete;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock() {
        if (m_fd >= 0) {
            ::close(m_fd);  // closing the descriptor releases the flock
        }
    }

private:
    explicit FileLock(int fd) : m_fd(fd) {}
    int m_fd = -1;
};

// A body is read into a buffer made for the repodata parser (its padding, huge pages for a
// large text), so parsing it needs no copy.
std::optional<std::string> read_whole(const fs::path& path, bool for_parser = false) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    in.seekg(0, std::ios::end);
    const auto size = in.tellg();
    if (size < 0) {
        return std::nullopt;
    }
    std::string content = for_parser ? make_repodata_buffer(static_cast<std::size_t>(size))
                                     : std::string(static_cast<std::size_t>(size), '\0');
    in.seekg(0);
    in.read(content.data(), static_cast<std::streamsize>(content.size()));
    if (!in) {
        return std::nullopt;
    }
    return content;
}

/// Writes `content` to a unique temporary file beside `path`, then renames it over `path`.
core::Status write_atomically(const fs::path& path, std::string_view content) {
    static std::atomic<std::uint64_t> counter{0};
    const auto temp =
        path.string() + fmt::format(".tmp.{}.{}.{}", ::getpid(),
                                    std::hash<std::thread::id>{}(std::this_thread::get_id()),
                                    counter.fetch_add(1));
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out.write(content.data(), static_cast<std::streamsize>(content.size()));
        out.close();
        if (!out) {
            std::error_code ignored;
            fs::remove(temp, ignored);
            return io_error(path, "writing failed");
        }
    }
    std::error_code error;
    fs::rename(temp, path, error);
    if (error) {
        fs::remove(temp, error);
        return io_error(path, error.message());
    }
    return {};
}

std::int64_t to_ms(system_clock::time_point time) {
    return std::chrono::duration_cast<milliseconds>(time.time_since_epoch()).count();
}

system_clock::time_point from_ms(std::int64_t ms) {
    return system_clock::time_point(
        std::chrono::duration_cast<system_clock::duration>(milliseconds(ms)));
}

std::string state_to_json(const CacheState& state) {
    const nlohmann::json json = {{"url", state.url},
                                 {"etag", state.etag},
                                 {"last_modified", state.last_modified},
                                 {"fetched_at_ms", to_ms(state.fetched_at)},
                                 {"variant", state.variant},
                                 {"content_type", state.content_type},
                                 {"body_bytes", state.body_bytes}};
    return json.dump(2) + "\n";
}

std::optional<CacheState> state_from_json(std::string_view text) {
    const auto json = nlohmann::json::parse(text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return std::nullopt;
    }
    try {
        CacheState state;
        state.url = json.at("url").get<std::string>();
        state.etag = json.at("etag").get<std::string>();
        state.last_modified = json.at("last_modified").get<std::string>();
        state.fetched_at = from_ms(json.at("fetched_at_ms").get<std::int64_t>());
        state.variant = json.at("variant").get<std::string>();
        state.body_bytes = json.at("body_bytes").get<std::uint64_t>();
        state.content_type = json.value("content_type", std::string());
        return state;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;  // a damaged state reads as a missing entry
    }
}

core::Status ensure_folder(const fs::path& folder) {
    std::error_code error;
    fs::create_directories(folder, error);
    if (error) {
        return io_error(folder, error.message());
    }
    return {};
}

}  // namespace

RepodataCache::RepodataCache(std::filesystem::path root) : m_root(std::move(root)) {}

std::string RepodataCache::key(std::string_view url) {
    return core::sha256(url).hex.substr(0, 32);
}

std::filesystem::path RepodataCache::body_path(std::string_view url) const {
    return m_root / "repodata" / (key(url) + ".body");
}

std::filesystem::path RepodataCache::state_path(std::string_view url) const {
    return m_root / "repodata" / (key(url) + ".json");
}

namespace {

/// The entry of `url` under a shared lock: its state, and its body when `with_body` (a body
/// whose size differs from the state's reads as a missing entry).
core::Result<std::optional<CacheEntry>> read_entry(const RepodataCache& cache,
                                                   std::string_view url, bool with_body) {
    const auto state_file = cache.state_path(url);
    std::error_code error;
    if (!fs::exists(state_file, error)) {
        return std::optional<CacheEntry>{};
    }
    auto lock = FileLock::acquire(cache.root() / "repodata" / (RepodataCache::key(url) + ".lock"),
                                  FileLock::Mode::shared);
    if (!lock) {
        return std::move(lock).error();
    }
    const auto text = read_whole(state_file);
    if (!text) {
        return std::optional<CacheEntry>{};
    }
    auto state = state_from_json(*text);
    if (!state) {
        return std::optional<CacheEntry>{};
    }
    if (!with_body) {
        return std::optional<CacheEntry>(CacheEntry{std::move(*state), {}});
    }
    auto body = read_whole(cache.body_path(url), true);
    if (!body || body->size() != state->body_bytes) {
        return std::optional<CacheEntry>{};
    }
    return std::optional<CacheEntry>(CacheEntry{std::move(*state), std::move(*body)});
}

}  // namespace

core::Result<std::optional<CacheState>> RepodataCache::read_state(std::string_view url) const {
    auto entry = read_entry(*this, url, false);
    if (!entry) {
        return std::move(entry).error();
    }
    if (!*entry) {
        return std::optional<CacheState>{};
    }
    return std::optional<CacheState>(std::move((*entry)->state));
}

core::Result<std::optional<CacheEntry>> RepodataCache::read(std::string_view url) const {
    return read_entry(*this, url, true);
}

core::Status RepodataCache::write(std::string_view url, CacheState state,
                                  std::string_view body) const {
    const auto folder = m_root / "repodata";
    if (auto made = ensure_folder(folder); !made) {
        return made;
    }
    auto lock = FileLock::acquire(folder / (key(url) + ".lock"), FileLock::Mode::exclusive);
    if (!lock) {
        return std::move(lock).error();
    }
    state.url = core::redact_url(url);
    state.body_bytes = body.size();
    // Body first: a reader that takes its shared lock after we release ours sees both new
    // files, and one racing a crash between the renames sees a size mismatch (a miss).
    if (auto written = write_atomically(body_path(url), body); !written) {
        return written;
    }
    return write_atomically(state_path(url), state_to_json(state));
}

core::Status RepodataCache::write_state(std::string_view url, CacheState state) const {
    const auto folder = m_root / "repodata";
    if (auto made = ensure_folder(folder); !made) {
        return made;
    }
    auto lock = FileLock::acquire(folder / (key(url) + ".lock"), FileLock::Mode::exclusive);
    if (!lock) {
        return std::move(lock).error();
    }
    state.url = core::redact_url(url);
    // The body stays: so does its size.
    const auto current = read_whole(state_path(url));
    const auto current_state = current ? state_from_json(*current) : std::nullopt;
    if (!current_state) {
        return io_error(state_path(url), "no entry to update");
    }
    state.body_bytes = current_state->body_bytes;
    return write_atomically(state_path(url), state_to_json(state));
}

core::Status RepodataCache::remove(std::string_view url) const {
    const auto folder = m_root / "repodata";
    std::error_code error;
    if (!fs::exists(folder, error)) {
        return {};
    }
    auto lock = FileLock::acquire(folder / (key(url) + ".lock"), FileLock::Mode::exclusive);
    if (!lock) {
        return std::move(lock).error();
    }
    fs::remove(state_path(url), error);
    fs::remove(body_path(url), error);
    return {};
}

ProbeMemory RepodataCache::read_probes(std::string_view subdir_url) const {
    ProbeMemory memory;
    const auto text = read_whole(m_root / "probes" / (key(subdir_url) + ".json"));
    if (!text) {
        return memory;
    }
    const auto json = nlohmann::json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("missing") ||
        !json["missing"].is_object()) {
        return memory;
    }
    for (const auto& [variant, when] : json["missing"].items()) {
        if (when.is_number_integer()) {
            memory.missing[variant] = from_ms(when.get<std::int64_t>());
        }
    }
    return memory;
}

core::Status RepodataCache::write_probes(std::string_view subdir_url,
                                         const ProbeMemory& memory) const {
    const auto folder = m_root / "probes";
    if (auto made = ensure_folder(folder); !made) {
        return made;
    }
    nlohmann::json missing = nlohmann::json::object();
    for (const auto& [variant, when] : memory.missing) {
        missing[variant] = to_ms(when);
    }
    const nlohmann::json json = {{"url", core::redact_url(subdir_url)}, {"missing", missing}};
    // One small file, replaced whole by rename: readers need no lock.
    return write_atomically(folder / (key(subdir_url) + ".json"), json.dump(2) + "\n");
}

std::optional<std::string> RepodataCache::read_shard(std::string_view sha256_hex) const {
    return read_whole(m_root / "shards" / (std::string(sha256_hex) + ".msgpack.zst"));
}

core::Status RepodataCache::write_shard(std::string_view sha256_hex, std::string_view bytes) const {
    const auto folder = m_root / "shards";
    if (auto made = ensure_folder(folder); !made) {
        return made;
    }
    // Content-addressed: concurrent writers write the same bytes, and rename is atomic.
    return write_atomically(folder / (std::string(sha256_hex) + ".msgpack.zst"), bytes);
}

}  // namespace envsmith::index
