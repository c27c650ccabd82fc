#include "envsmith/api/doctor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fmt/format.h>
#include <vector>

namespace envsmith::api {

namespace {

core::Error read_error(const std::string& path, int err) {
    return core::make_error(err == ENOENT ? core::ErrorCode::not_found : core::ErrorCode::unavailable,
                            err == ENOENT ? "fs.not_found" : "fs.read_failed",
                            fmt::format("cannot read `{}`: {}", path, std::strerror(err)))
        .arg("path", path)
        .arg("reason", std::strerror(err));
}

}  // namespace

core::Result<DoctorReport> diagnose_log(const DoctorOptions& options) {
    auto catalog = diag::FailureCatalog::load_builtin();
    if (!catalog) {
        return std::move(catalog).error();
    }
    auto doctor = diag::Doctor::create(std::move(*catalog));
    if (!doctor) {
        return std::move(doctor).error();
    }
    const bool from_stdin = options.path == "-";
    const int fd = from_stdin ? STDIN_FILENO : ::open(options.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return read_error(options.path, errno);
    }
    auto session = doctor->start();
    std::vector<char> buffer(1 << 20);
    while (true) {
        const auto n = ::read(fd, buffer.data(), buffer.size());
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int err = errno;
            if (!from_stdin) {
                ::close(fd);
            }
            return read_error(options.path, err);
        }
        if (n == 0) {
            break;
        }
        session.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
    if (!from_stdin) {
        ::close(fd);
    }
    auto diagnosis = session.finish();
    return DoctorReport{std::move(*doctor), std::move(diagnosis)};
}

}  // namespace envsmith::api
