#include "envsmith/api/local_filesystem.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fmt/format.h>
#include <random>

namespace envsmith::api {

namespace {

core::Error io_error(std::string id, const std::string& what, const std::string& path, int err) {
    const auto code = err == ENOENT   ? core::ErrorCode::not_found
                      : err == EACCES || err == EPERM ? core::ErrorCode::permission_denied
                                                      : core::ErrorCode::unavailable;
    return core::make_error(code, std::move(id),
                            fmt::format("cannot {} `{}`: {}", what, path, std::strerror(err)))
        .arg("path", path)
        .arg("reason", std::strerror(err))
        .arg("action", what);
}

/// Closes a descriptor when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd) : m_fd(fd) {}
    ~Fd() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    [[nodiscard]] int get() const { return m_fd; }
    int release() { return std::exchange(m_fd, -1); }

private:
    int m_fd;
};

}  // namespace

core::Result<std::string> LocalFileSystem::read_file(const std::string& path) {
    Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int err = errno;
        return io_error(err == ENOENT ? "fs.not_found" : "fs.read_failed", "read", path, err);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return io_error("fs.read_failed", "read", path, errno);
    }
    if (S_ISDIR(st.st_mode)) {
        return io_error("fs.read_failed", "read", path, EISDIR);
    }
    std::string content;
    if (st.st_size > 0) {
        content.reserve(static_cast<std::size_t>(st.st_size));
    }
    char buffer[1 << 16];
    while (true) {
        const auto n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return io_error("fs.read_failed", "read", path, errno);
        }
        if (n == 0) {
            break;
        }
        content.append(buffer, static_cast<std::size_t>(n));
    }
    return content;
}

core::Status LocalFileSystem::write_file(const std::string& path, std::string_view content) {
    // Write a sibling temporary file, fsync it, then rename over the target: a reader sees the
    // old content or the new one, and a crash leaves at worst a stray temporary file.
    std::random_device random;
    const auto temp = fmt::format("{}.tmp-{}-{:x}", path, ::getpid(), random());
    {
        Fd fd(::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644));
        if (fd.get() < 0) {
            return io_error("fs.write_failed", "write", path, errno);
        }
        std::size_t done = 0;
        while (done < content.size()) {
            const auto n = ::write(fd.get(), content.data() + done, content.size() - done);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                const int err = errno;
                ::unlink(temp.c_str());
                return io_error("fs.write_failed", "write", path, err);
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd.get()) != 0 || ::close(fd.release()) != 0) {
            const int err = errno;
            ::unlink(temp.c_str());
            return io_error("fs.write_failed", "write", path, err);
        }
    }
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        return io_error("fs.write_failed", "write", path, err);
    }
    return {};
}

core::FileKind LocalFileSystem::kind(const std::string& path) {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        return core::FileKind::missing;
    }
    if (S_ISREG(st.st_mode)) return core::FileKind::regular;
    if (S_ISDIR(st.st_mode)) return core::FileKind::directory;
    if (S_ISLNK(st.st_mode)) return core::FileKind::symlink;
    return core::FileKind::other;
}

core::Result<std::vector<std::string>> LocalFileSystem::list_directory(const std::string& path) {
    std::error_code ec;
    std::vector<std::string> names;
    for (std::filesystem::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        names.push_back(it->path().filename().string());
    }
    if (ec) {
        return io_error("fs.read_failed", "list", path, ec.value());
    }
    std::sort(names.begin(), names.end());
    return names;
}

core::Status LocalFileSystem::create_directories(const std::string& path) {
    std::error_code ec;
    std::filesystem::create_directories(path, ec);
    if (ec) {
        return io_error("fs.write_failed", "create directory", path, ec.value());
    }
    return {};
}

}  // namespace envsmith::api
