#include "blob_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "errors.hpp"

namespace envsmith::registry::detail {
namespace {

core::Error unreadable(const std::string& path, const std::string& digest, int error_number) {
    return registry_error("registry.blob_unreadable", {{"digest", digest},
                                                       {"path", path},
                                                       {"problem", std::strerror(error_number)}});
}

/// Closes a descriptor when it goes out of scope.
struct Fd {
    int value = -1;
    explicit Fd(int fd) : value(fd) {}
    ~Fd() {
        if (value >= 0) {
            ::close(value);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
};

}  // namespace

core::Result<std::uint64_t> file_size(const std::string& path, const std::string& digest) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        return unreadable(path, digest, errno);
    }
    if (!S_ISREG(info.st_mode)) {
        return unreadable(path, digest, EINVAL);
    }
    return static_cast<std::uint64_t>(info.st_size);
}

core::Result<core::Digest> sha256_of_file(const std::string& path, const std::string& digest) {
    const Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.value < 0) {
        return unreadable(path, digest, errno);
    }
    core::Hasher hasher(core::DigestAlgorithm::sha256);
    std::vector<char> buffer(1U << 20);
    for (;;) {
        const auto got = ::read(fd.value, buffer.data(), buffer.size());
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got < 0) {
            return unreadable(path, digest, errno);
        }
        if (got == 0) {
            break;
        }
        hasher.update(std::string_view(buffer.data(), static_cast<std::size_t>(got)));
    }
    return hasher.finish();
}

}  // namespace envsmith::registry::detail
