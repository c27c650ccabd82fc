// Lock files and their owners: kernel locks held by a live process, conda's PID-named files
// whose process is gone, envsmith's free lock files, and removal of only the unowned ones.
#include "envsmith/install/lock_files.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "envsmith/install/transaction.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

class LockFilesTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/envsmith-locks-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        m_root = pattern;
    }
    void TearDown() override { stdfs::remove_all(m_root); }

    /// A PID that belonged to a process that has exited.
    static pid_t dead_pid() {
        const pid_t child = ::fork();
        if (child == 0) ::_exit(0);
        ::waitpid(child, nullptr, 0);
        return child;
    }
    static void touch(const stdfs::path& path, const std::string& content = {}) {
        stdfs::create_directories(path.parent_path());
        std::ofstream(path) << content;
    }
    const LockFile* find(const std::vector<LockFile>& all, const stdfs::path& path) {
        for (const auto& l : all) {
            if (l.path == path.string()) return &l;
        }
        return nullptr;
    }
    stdfs::path m_root;
};

TEST_F(LockFilesTest, ClassifiesEachKindOfLock) {
    const auto pkgs = m_root / "conda/pkgs";
    const auto dead = dead_pid();
    touch(pkgs / (".conda_lock-" + std::to_string(dead)));                 // conda 4.2, owner gone
    touch(pkgs / (".conda_lock-" + std::to_string(::getpid())));    // conda 4.2, owner alive (us)
    touch(pkgs / ("urls.txt.pid" + std::to_string(dead) + ".conda_lock"));  // conda 4.3+
    touch(pkgs / "mystery.lock");                                    // no owner recorded
    touch(m_root / "azureml/locks/azureml_conda_lock", std::to_string(dead) + "\n");
    touch(m_root / "cache/locks/abc.lock");                          // envsmith cache, nobody holds it
    // An envsmith prefix lock held by a live transaction.
    auto tx = PrefixTransaction::begin((m_root / "envs/demo").string());
    ASSERT_TRUE(tx);

    LockSearch search;
    search.envsmith_cache_roots = {(m_root / "cache").string()};
    search.prefix_parents = {(m_root / "envs").string()};
    search.conda_dirs = {pkgs.string(), (m_root / "missing").string()};
    search.azureml_dirs = {(m_root / "azureml/locks").string()};
    const auto all = find_lock_files(search);
    ASSERT_EQ(all.size(), 7U);

    const auto* old_conda = find(all, pkgs / (".conda_lock-" + std::to_string(dead)));
    ASSERT_NE(old_conda, nullptr);
    EXPECT_EQ(old_conda->kind, LockKind::conda);
    EXPECT_EQ(old_conda->state, LockState::stale);
    EXPECT_EQ(old_conda->pid, dead);
    EXPECT_EQ(find(all, pkgs / (".conda_lock-" + std::to_string(::getpid())))->state, LockState::held);
    EXPECT_EQ(find(all, pkgs / ("urls.txt.pid" + std::to_string(dead) + ".conda_lock"))->state, LockState::stale);
    EXPECT_EQ(find(all, pkgs / "mystery.lock")->state, LockState::unknown);
    const auto* azure = find(all, m_root / "azureml/locks/azureml_conda_lock");
    EXPECT_EQ(azure->kind, LockKind::azureml);
    EXPECT_EQ(azure->state, LockState::stale);
    EXPECT_EQ(find(all, m_root / "cache/locks/abc.lock")->state, LockState::free);
    const auto* prefix = find(all, m_root / "envs/.demo.envsmith-lock");
    ASSERT_NE(prefix, nullptr);
    EXPECT_EQ(prefix->kind, LockKind::envsmith_prefix);
    EXPECT_EQ(prefix->state, LockState::held);
    EXPECT_EQ(prefix->pid, ::getpid());
}

TEST_F(LockFilesTest, APosixRecordLockNamesItsHolder) {
    const auto path = m_root / "pkgs/held.lock";
    touch(path);
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    if (child == 0) {
        const int fd = ::open(path.c_str(), O_RDWR);
        struct flock lock {};
        lock.l_type = F_WRLCK;
        lock.l_whence = SEEK_SET;
        const char ok = ::fcntl(fd, F_SETLK, &lock) == 0 ? 'y' : 'n';
        [[maybe_unused]] auto n = ::write(ready[1], &ok, 1);
        ::pause();
        ::_exit(0);
    }
    char ok = 0;
    ASSERT_EQ(::read(ready[0], &ok, 1), 1);
    ASSERT_EQ(ok, 'y');
    LockSearch search;
    search.conda_dirs = {(m_root / "pkgs").string()};
    const auto all = find_lock_files(search);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);
    ASSERT_EQ(all.size(), 1U);
    EXPECT_EQ(all[0].state, LockState::held);
    EXPECT_EQ(all[0].pid, child);
    // The holder died with its lock: now nobody owns the file.
    EXPECT_EQ(find_lock_files(search)[0].state, LockState::unknown);
}

TEST_F(LockFilesTest, OnlyUnownedLocksAreRemoved) {
    const auto pkgs = m_root / "pkgs";
    const auto dead = dead_pid();
    touch(pkgs / (".conda_lock-" + std::to_string(dead)));
    touch(pkgs / (".conda_lock-" + std::to_string(::getpid())));
    touch(pkgs / "mystery.lock");
    LockSearch search;
    search.conda_dirs = {pkgs.string()};
    int removed = 0;
    for (const auto& lock : find_lock_files(search)) {
        auto result = remove_if_unowned(lock);
        ASSERT_TRUE(result);
        removed += *result ? 1 : 0;
    }
    EXPECT_EQ(removed, 1);
    EXPECT_FALSE(stdfs::exists(pkgs / (".conda_lock-" + std::to_string(dead))));
    EXPECT_TRUE(stdfs::exists(pkgs / (".conda_lock-" + std::to_string(::getpid()))));
    EXPECT_TRUE(stdfs::exists(pkgs / "mystery.lock"));
}

}  // namespace
}  // namespace envsmith::install
