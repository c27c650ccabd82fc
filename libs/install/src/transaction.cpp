#include "envsmith/install/transaction.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

constexpr std::string_view staging_marker = ".envsmith-new-";
constexpr std::string_view old_marker = ".envsmith-old-";

/// A failed system call: `id` is install.transaction.<action>_failed, for create, open, lock
/// and replace.
core::Error transaction_error(std::string id, std::string path, std::string_view action, int error_number) {
    const std::string reason = std::strerror(error_number);
    auto message = fmt::format("cannot {} `{}`: {}", action, path, reason);
    return core::make_error(core::ErrorCode::unavailable, std::move(id), std::move(message))
        .arg("path", std::move(path))
        .arg("reason", reason);
}

std::string parent_of(const stdfs::path& target) {
    auto parent = target.parent_path();
    return parent.empty() ? std::string(".") : parent.string();
}

void fsync_dir(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        ::fsync(fd);
        ::close(fd);
    }
}

/// Removes `.<name>.envsmith-new-*` and `.<name>.envsmith-old-*` beside the target: with the
/// target's lock held, no live run owns them.
void remove_leftovers(const stdfs::path& target) {
    const auto name = "." + target.filename().string();
    std::error_code ec;
    for (const auto& entry : stdfs::directory_iterator(parent_of(target), ec)) {
        const auto file = entry.path().filename().string();
        if (file.rfind(name, 0) != 0) continue;
        const auto rest = std::string_view(file).substr(name.size());
        if (rest.rfind(staging_marker, 0) == 0 || rest.rfind(old_marker, 0) == 0) {
            std::error_code ignored;
            stdfs::remove_all(entry.path(), ignored);
        }
    }
}

}  // namespace

std::string transaction_lock_path(const std::string& target) {
    const stdfs::path path = stdfs::path(target).lexically_normal();
    const auto name = path.filename().empty() ? path.parent_path().filename() : path.filename();
    const auto parent = path.filename().empty() ? path.parent_path().parent_path() : path.parent_path();
    return (parent / ("." + name.string() + ".envsmith-lock")).string();
}

core::Result<PrefixTransaction> PrefixTransaction::begin(const std::string& target_text) {
    stdfs::path target = stdfs::path(target_text).lexically_normal();
    if (target.filename().empty()) target = target.parent_path();
    if (target.empty() || target == target.root_path()) {
        return core::make_error(core::ErrorCode::invalid_input, "install.transaction.bad_target",
                                fmt::format("`{}` cannot be a prefix", target_text))
            .arg("path", target_text);
    }
    std::error_code ec;
    stdfs::create_directories(parent_of(target), ec);
    if (ec) return transaction_error("install.transaction.create_failed", parent_of(target), "create", ec.value());

    const auto lock_path = transaction_lock_path(target.string());
    const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return transaction_error("install.transaction.open_failed", lock_path, "open", errno);
    if (::flock(fd, LOCK_EX) != 0) {
        const int error_number = errno;
        ::close(fd);
        return transaction_error("install.transaction.lock_failed", lock_path, "lock", error_number);
    }
    // The owner's PID, for `envsmith locks` (the kernel lock is what counts).
    const auto pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd, 0) == 0) {
        [[maybe_unused]] const auto written = ::pwrite(fd, pid.data(), pid.size(), 0);
    }
    remove_leftovers(target);

    struct stat st {};
    const bool existed = ::lstat(target.c_str(), &st) == 0;
    if (existed && !S_ISDIR(st.st_mode)) {
        ::close(fd);
        return core::make_error(core::ErrorCode::invalid_input, "install.transaction.not_a_directory",
                                fmt::format("`{}` exists and is not a directory", target.string()))
            .arg("path", target.string());
    }
    const auto staging = (target.parent_path() /
                          fmt::format(".{}{}{}", target.filename().string(), staging_marker, ::getpid()))
                             .string();
    if (::mkdir(staging.c_str(), 0755) != 0) {
        const int error_number = errno;
        ::close(fd);
        return transaction_error("install.transaction.create_failed", staging, "create", error_number);
    }
    return PrefixTransaction(target.string(), staging, fd, existed);
}

PrefixTransaction::PrefixTransaction(PrefixTransaction&& other) noexcept
    : m_target(std::move(other.m_target)),
      m_staging(std::move(other.m_staging)),
      m_lock_fd(other.m_lock_fd),
      m_existed(other.m_existed),
      m_committed(other.m_committed) {
    other.m_lock_fd = -1;
    other.m_committed = true;
}

PrefixTransaction::~PrefixTransaction() {
    if (!m_committed && !m_staging.empty()) {
        std::error_code ignored;
        stdfs::remove_all(m_staging, ignored);
    }
    if (m_lock_fd >= 0) ::close(m_lock_fd);  // releases the flock
}

core::Status PrefixTransaction::commit() {
    if (m_committed) {
        return core::make_error(core::ErrorCode::internal, "install.transaction.done",
                                fmt::format("the transaction on `{}` was already committed", m_target))
            .arg("path", m_target);
    }
    const auto parent = parent_of(m_target);
    fsync_dir(m_staging);
    struct stat st {};
    if (::lstat(m_target.c_str(), &st) == 0) {
        // Both exist: swap them in one step; the old prefix ends up at the staging path.
        if (::renameat2(AT_FDCWD, m_staging.c_str(), AT_FDCWD, m_target.c_str(), RENAME_EXCHANGE) != 0) {
            return transaction_error("install.transaction.replace_failed", m_target, "replace", errno);
        }
        m_committed = true;
        fsync_dir(parent);
        // Renamed first, so that a crash during the removal leaves an `old` leftover.
        const auto old = m_staging;
        const auto doomed = stdfs::path(m_target).parent_path() /
                            fmt::format(".{}{}{}", stdfs::path(m_target).filename().string(), old_marker, ::getpid());
        std::error_code ec;
        stdfs::rename(old, doomed, ec);
        stdfs::remove_all(ec ? stdfs::path(old) : doomed, ec);
        return {};
    }
    if (::rename(m_staging.c_str(), m_target.c_str()) != 0) {
        return transaction_error("install.transaction.create_failed", m_target, "create", errno);
    }
    m_committed = true;
    fsync_dir(parent);
    return {};
}

}  // namespace envsmith::install
