#pragma once
// Private helpers of the download and the package cache: an owned file descriptor and the
// `fs.*` errors (the ids and words the rest of envsmith uses for file failures).

#include <unistd.h>

#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::install::detail {

/// Closes the descriptor it owns. Closing a lock file's descriptor releases its flock.
class FileDescriptor {
public:
    FileDescriptor() = default;
    explicit FileDescriptor(int fd) noexcept : m_fd(fd) {}
    ~FileDescriptor() { reset(); }
    FileDescriptor(FileDescriptor&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
    FileDescriptor& operator=(FileDescriptor&& other) noexcept {
        if (this != &other) {
            reset();
            m_fd = other.m_fd;
            other.m_fd = -1;
        }
        return *this;
    }
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;

    [[nodiscard]] int get() const noexcept { return m_fd; }
    explicit operator bool() const noexcept { return m_fd >= 0; }
    void reset() noexcept {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }

private:
    int m_fd = -1;
};

/// `fs.read_failed`, `fs.not_found` ("cannot read `{path}`: {reason}") or `fs.write_failed`
/// ("cannot write `{path}`: {reason}") for an errno value.
[[nodiscard]] core::Error fs_error(std::string_view id, const std::string& path, int error_number);

}  // namespace envsmith::install::detail
