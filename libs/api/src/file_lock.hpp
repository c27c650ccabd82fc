#pragma once
// An exclusive flock(2) on a lock file, held until destroyed or the process dies (the kernel
// drops it then, so a killed build never leaves a lock that blocks the next one). Private to
// the api layer.

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <functional>
#include <string>

namespace envsmith::api {

class ExclusiveFileLock {
public:
    ExclusiveFileLock() = default;
    ExclusiveFileLock(const ExclusiveFileLock&) = delete;
    ExclusiveFileLock& operator=(const ExclusiveFileLock&) = delete;
    ExclusiveFileLock(ExclusiveFileLock&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    ExclusiveFileLock& operator=(ExclusiveFileLock&& other) noexcept {
        if (this != &other) {
            release();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }
    ~ExclusiveFileLock() { release(); }

    /// Takes the lock on `path` (its directory is created), waiting for another holder;
    /// `on_wait` is called once before waiting. Returns false with errno set when the file
    /// cannot be opened or locked.
    [[nodiscard]] bool acquire(const std::string& path, const std::function<void()>& on_wait = {}) {
        release();
        std::error_code ec;
        std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
        m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (m_fd < 0) return false;
        if (::flock(m_fd, LOCK_EX | LOCK_NB) == 0) return true;
        if (errno != EWOULDBLOCK) return fail();
        if (on_wait) on_wait();
        while (::flock(m_fd, LOCK_EX) != 0) {
            if (errno != EINTR) return fail();
        }
        return true;
    }

    void release() noexcept {
        if (m_fd >= 0) ::close(m_fd);  // closing drops the flock
        m_fd = -1;
    }

private:
    bool fail() {
        const int saved = errno;
        release();
        errno = saved;
        return false;
    }
    int m_fd = -1;
};

}  // namespace envsmith::api
