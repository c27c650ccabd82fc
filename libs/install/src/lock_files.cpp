#include "envsmith/install/lock_files.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

bool process_alive(std::int64_t pid) {
    if (pid <= 0) return false;
    return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::optional<std::int64_t> parse_pid(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\t')) text.remove_prefix(1);
    std::int64_t pid = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), pid);
    if (error != std::errc{} || end == text.data() || pid <= 0) return std::nullopt;
    return pid;
}

/// The PID at the start of a small file's content, if any.
std::optional<std::int64_t> pid_in_content(const std::string& path) {
    std::ifstream in(path);
    std::string head(64, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    return parse_pid(head);
}

/// Whether a process holds a kernel lock on the file (flock, or a POSIX record lock whose
/// holder the kernel names in `holder`).
bool kernel_locked(const std::string& path, std::optional<std::int64_t>& holder) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return false;
    bool held = false;
    struct flock probe {};
    probe.l_type = F_WRLCK;
    probe.l_whence = SEEK_SET;
    if (::fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK) {
        held = true;
        holder = probe.l_pid;
    }
    if (!held) {
        if (::flock(fd, LOCK_SH | LOCK_NB) != 0) {
            held = errno == EWOULDBLOCK;
        } else {
            ::flock(fd, LOCK_UN);
        }
    }
    ::close(fd);
    return held;
}

LockFile classify(const std::string& path, LockKind kind, std::optional<std::int64_t> named_pid) {
    LockFile lock{path, kind, LockState::unknown, named_pid};
    std::optional<std::int64_t> holder;
    if (kernel_locked(path, holder)) {
        lock.state = LockState::held;
        if (holder) lock.pid = holder;
        else if (!lock.pid) lock.pid = pid_in_content(path);
        return lock;
    }
    if (kind == LockKind::envsmith_cache || kind == LockKind::envsmith_prefix) {
        if (!lock.pid) lock.pid = pid_in_content(path);
        lock.state = LockState::free;  // our locks are only ever kernel locks
        return lock;
    }
    if (!lock.pid) lock.pid = pid_in_content(path);
    if (lock.pid) lock.state = process_alive(*lock.pid) ? LockState::held : LockState::stale;
    return lock;
}

/// conda 4.2 `.conda_lock-<pid>`, conda 4.3+ `<anything>.pid<pid>.conda_lock`.
std::optional<std::optional<std::int64_t>> conda_lock_name(std::string_view name) {
    constexpr std::string_view old_prefix = ".conda_lock-";
    if (name.rfind(old_prefix, 0) == 0) return parse_pid(name.substr(old_prefix.size()));
    constexpr std::string_view suffix = ".conda_lock";
    if (name.size() > suffix.size() && name.substr(name.size() - suffix.size()) == suffix) {
        const auto stem = name.substr(0, name.size() - suffix.size());
        const auto at = stem.rfind(".pid");
        if (at != std::string_view::npos) return parse_pid(stem.substr(at + 4));
        return std::optional<std::int64_t>{};
    }
    return std::nullopt;
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

}  // namespace

std::vector<LockFile> find_lock_files(const LockSearch& search) {
    std::vector<LockFile> out;
    std::error_code ec;
    for (const auto& root : search.envsmith_cache_roots) {
        for (const auto& e : stdfs::directory_iterator(stdfs::path(root) / "locks", ec)) {
            if (ends_with(e.path().filename().string(), ".lock")) {
                out.push_back(classify(e.path().string(), LockKind::envsmith_cache, std::nullopt));
            }
        }
    }
    for (const auto& dir : search.prefix_parents) {
        for (const auto& e : stdfs::directory_iterator(dir, ec)) {
            const auto name = e.path().filename().string();
            if (name.size() > 1 && name.front() == '.' && ends_with(name, ".envsmith-lock")) {
                out.push_back(classify(e.path().string(), LockKind::envsmith_prefix, std::nullopt));
            }
        }
    }
    for (const auto& dir : search.conda_dirs) {
        for (const auto& e : stdfs::directory_iterator(dir, ec)) {
            const auto name = e.path().filename().string();
            if (auto pid = conda_lock_name(name)) {
                out.push_back(classify(e.path().string(), LockKind::conda, *pid));
            } else if (ends_with(name, ".lock") && e.is_regular_file(ec)) {
                out.push_back(classify(e.path().string(), LockKind::mamba, std::nullopt));
            }
        }
    }
    for (const auto& dir : search.azureml_dirs) {
        for (const auto& e : stdfs::directory_iterator(dir, ec)) {
            if (e.is_regular_file(ec)) out.push_back(classify(e.path().string(), LockKind::azureml, std::nullopt));
        }
    }
    std::sort(out.begin(), out.end(), [](const LockFile& a, const LockFile& b) { return a.path < b.path; });
    out.erase(std::unique(out.begin(), out.end(), [](const LockFile& a, const LockFile& b) { return a.path == b.path; }),
              out.end());
    return out;
}

core::Result<bool> remove_if_unowned(const LockFile& lock) {
    const auto again = classify(lock.path, lock.kind, lock.kind == LockKind::conda ? lock.pid : std::nullopt);
    if (again.state != LockState::free && again.state != LockState::stale) return false;
    // Hold the lock ourselves while unlinking, so that no envsmith takes it in between.
    const int fd = ::open(lock.path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false;
    }
    const bool removed = ::unlink(lock.path.c_str()) == 0;
    const int error_number = errno;
    if (fd >= 0) ::close(fd);
    if (!removed && error_number != ENOENT) {
        const std::string reason = std::strerror(error_number);
        return core::make_error(core::ErrorCode::unavailable, "install.locks.remove_failed",
                                fmt::format("cannot remove `{}`: {}", lock.path, reason))
            .arg("path", lock.path)
            .arg("reason", reason);
    }
    return removed;
}

std::string_view to_string(LockKind kind) noexcept {
    switch (kind) {
    case LockKind::envsmith_cache: return "envsmith-cache";
    case LockKind::envsmith_prefix: return "envsmith-prefix";
    case LockKind::conda: return "conda";
    case LockKind::mamba: return "mamba";
    case LockKind::azureml: return "azureml";
    }
    return "conda";
}

std::string_view to_string(LockState state) noexcept {
    switch (state) {
    case LockState::held: return "held";
    case LockState::free: return "free";
    case LockState::stale: return "stale";
    case LockState::unknown: return "unknown";
    }
    return "unknown";
}

}  // namespace envsmith::install
