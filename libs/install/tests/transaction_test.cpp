// Prefix transactions on the real disk: atomic replacement, rollback, a SIGKILLed run's
// leftovers cleaned by the next one, and the per-target kernel lock.
#include "envsmith/install/transaction.hpp"

#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

class TransactionTest : public ::testing::Test {
protected:
    void SetUp() override {
        char pattern[] = "/tmp/envsmith-tx-XXXXXX";
        ASSERT_NE(::mkdtemp(pattern), nullptr);
        m_root = pattern;
    }
    void TearDown() override { stdfs::remove_all(m_root); }

    static void write(const stdfs::path& path, const std::string& text) {
        stdfs::create_directories(path.parent_path());
        std::ofstream(path) << text;
    }
    static std::string read(const stdfs::path& path) {
        std::ifstream in(path);
        std::stringstream s;
        s << in.rdbuf();
        return s.str();
    }
    /// Every name in the parent folder, to see leftovers.
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : stdfs::directory_iterator(m_root)) out.push_back(e.path().filename().string());
        std::sort(out.begin(), out.end());
        return out;
    }
    stdfs::path m_root;
};

TEST_F(TransactionTest, CommitPutsTheStagedPrefixAtANewTarget) {
    const auto target = m_root / "env";
    auto tx = PrefixTransaction::begin(target.string());
    ASSERT_TRUE(tx) << tx.error().message;
    EXPECT_FALSE(tx->replaces_existing());
    write(stdfs::path(tx->staging_dir()) / "bin/tool", "new");
    EXPECT_FALSE(stdfs::exists(target));  // nothing at the target before the commit
    ASSERT_TRUE(tx->commit());
    EXPECT_EQ(read(target / "bin/tool"), "new");
    EXPECT_FALSE(stdfs::exists(tx->staging_dir()));
    EXPECT_EQ(names(), (std::vector<std::string>{".env.envsmith-lock", "env"}));
}

TEST_F(TransactionTest, CommitReplacesAnExistingPrefixWhole) {
    const auto target = m_root / "env";
    write(target / "old-only", "old");
    write(target / "shared", "old");
    auto tx = PrefixTransaction::begin(target.string());
    ASSERT_TRUE(tx);
    EXPECT_TRUE(tx->replaces_existing());
    write(stdfs::path(tx->staging_dir()) / "shared", "new");
    ASSERT_TRUE(tx->commit());
    EXPECT_EQ(read(target / "shared"), "new");
    EXPECT_FALSE(stdfs::exists(target / "old-only"));
    EXPECT_EQ(names(), (std::vector<std::string>{".env.envsmith-lock", "env"}));
}

TEST_F(TransactionTest, WithoutCommitTheTargetIsUntouchedAndStagingRemoved) {
    const auto target = m_root / "env";
    write(target / "file", "old");
    std::string staging;
    {
        auto tx = PrefixTransaction::begin(target.string());
        ASSERT_TRUE(tx);
        staging = tx->staging_dir();
        write(stdfs::path(staging) / "file", "half-written");
    }
    EXPECT_EQ(read(target / "file"), "old");
    EXPECT_FALSE(stdfs::exists(staging));
}

TEST_F(TransactionTest, AKilledRunLeavesTheOldPrefixAndTheNextRunCleansUp) {
    const auto target = m_root / "env";
    write(target / "file", "old");
    int ready[2];
    ASSERT_EQ(::pipe(ready), 0);
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto tx = PrefixTransaction::begin(target.string());
        if (tx) {
            std::ofstream(stdfs::path(tx->staging_dir()) / "file") << "half";
        }
        const char byte = tx ? 'y' : 'n';
        [[maybe_unused]] auto n = ::write(ready[1], &byte, 1);
        ::pause();  // killed here, holding the lock, with a staging directory
        ::_exit(0);
    }
    char byte = 0;
    ASSERT_EQ(::read(ready[0], &byte, 1), 1);
    ASSERT_EQ(byte, 'y');
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ::close(ready[0]);
    ::close(ready[1]);

    EXPECT_EQ(read(target / "file"), "old");
    EXPECT_EQ(names().size(), 3U) << "the lock, the prefix and the killed run's staging directory";
    // A leftover of a run killed after its swap, before removing the old prefix.
    write(m_root / ".env.envsmith-old-4242" / "file", "older");

    auto tx = PrefixTransaction::begin(target.string());  // the kernel lock died with the child
    ASSERT_TRUE(tx) << tx.error().message;
    auto seen = names();
    EXPECT_EQ(seen.size(), 3U) << "lock, prefix, this run's staging directory only";
    EXPECT_EQ(std::count(seen.begin(), seen.end(), ".env.envsmith-old-4242"), 0);
}

TEST_F(TransactionTest, ATargetIsLockedWhileATransactionRuns) {
    const auto target = m_root / "env";
    auto tx = PrefixTransaction::begin(target.string());
    ASSERT_TRUE(tx);
    const auto lock = transaction_lock_path(target.string());
    EXPECT_EQ(lock, (m_root / ".env.envsmith-lock").string());
    EXPECT_EQ(read(lock), std::to_string(::getpid()) + "\n");
    // Another open file description cannot take the lock while the transaction lives.
    const int fd = ::open(lock.c_str(), O_RDWR | O_CLOEXEC);
    ASSERT_GE(fd, 0);
    EXPECT_NE(::flock(fd, LOCK_EX | LOCK_NB), 0);
    ASSERT_TRUE(tx->commit());
    {
        const PrefixTransaction released = std::move(*tx);  // destroyed at the end of the scope
    }
    EXPECT_EQ(::flock(fd, LOCK_EX | LOCK_NB), 0);
    ::close(fd);
}

TEST_F(TransactionTest, RefusesAFileAtTheTarget) {
    write(m_root / "env", "a file");
    auto tx = PrefixTransaction::begin((m_root / "env").string());
    ASSERT_FALSE(tx);
    EXPECT_EQ(tx.error().message_id, "install.transaction.not_a_directory");
    EXPECT_FALSE(PrefixTransaction::begin("/"));
}

}  // namespace
}  // namespace envsmith::install
