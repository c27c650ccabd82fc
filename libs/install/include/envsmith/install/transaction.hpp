#pragma once
// Prefix transactions: a new prefix is built in a staging directory beside the target and
// swapped in with one atomic rename (Linux renameat2 RENAME_EXCHANGE when a prefix exists).
// A crash (even SIGKILL) at any moment leaves the old prefix or the new one at the target,
// never a mixture; what a crashed run leaves beside it is removed by the next transaction.
// One transaction per target at a time: an flock on `.<name>.envsmith-lock` beside the target,
// which dies with its process, so it can never go stale.

#include <string>

#include "envsmith/core/result.hpp"

namespace envsmith::install {

class PrefixTransaction {
public:
    /// Takes the target's lock (waiting for another envsmith on the same target, and telling
    /// `on_wait` once when it has to), removes leftovers of crashed runs, and creates an empty
    /// staging directory. Fails with `install.transaction.*` errors.
    [[nodiscard]] static core::Result<PrefixTransaction> begin(const std::string& target);

    PrefixTransaction(PrefixTransaction&& other) noexcept;
    PrefixTransaction& operator=(PrefixTransaction&&) = delete;
    PrefixTransaction(const PrefixTransaction&) = delete;
    PrefixTransaction& operator=(const PrefixTransaction&) = delete;
    /// Without commit(): the staging directory is removed and the target is untouched.
    ~PrefixTransaction();

    /// Where the new prefix is built.
    [[nodiscard]] const std::string& staging_dir() const noexcept { return m_staging; }
    [[nodiscard]] const std::string& target() const noexcept { return m_target; }
    /// Whether the target existed when the transaction began (it is replaced by commit()).
    [[nodiscard]] bool replaces_existing() const noexcept { return m_existed; }

    /// Puts the staging directory at the target atomically, then removes the old prefix.
    [[nodiscard]] core::Status commit();

private:
    PrefixTransaction(std::string target, std::string staging, int lock_fd, bool existed)
        : m_target(std::move(target)), m_staging(std::move(staging)), m_lock_fd(lock_fd), m_existed(existed) {}
    std::string m_target;
    std::string m_staging;
    int m_lock_fd = -1;
    bool m_existed = false;
    bool m_committed = false;
};

/// The lock file a transaction on `target` holds (for `envsmith locks`).
[[nodiscard]] std::string transaction_lock_path(const std::string& target);

}  // namespace envsmith::install
