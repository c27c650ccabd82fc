#include "envsmith/api/local_filesystem.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "matchers.hpp"

namespace envsmith::api {
namespace {

class LocalFileSystemTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_root = std::filesystem::temp_directory_path() /
                 ("envsmith-fs-test-" + std::to_string(::getpid()));
        std::filesystem::remove_all(m_root);
        std::filesystem::create_directories(m_root);
    }
    void TearDown() override { std::filesystem::remove_all(m_root); }
    std::string path(const std::string& name) const { return (m_root / name).string(); }

    std::filesystem::path m_root;
    LocalFileSystem m_fs;
};

TEST_F(LocalFileSystemTest, WritesAtomicallyAndReadsBack) {
    ASSERT_THAT(m_fs.write_file(path("a.txt"), "first"), test::Succeeds());
    ASSERT_THAT(m_fs.write_file(path("a.txt"), "second"), test::Succeeds());
    const auto read = m_fs.read_file(path("a.txt"));
    ASSERT_THAT(read, test::Succeeds());
    EXPECT_EQ(*read, "second");
    // No temporary file is left beside the target.
    const auto names = m_fs.list_directory(m_root.string());
    ASSERT_THAT(names, test::Succeeds());
    EXPECT_EQ(*names, std::vector<std::string>{"a.txt"});
}

TEST_F(LocalFileSystemTest, MissingFilesAreNotFound) {
    const auto read = m_fs.read_file(path("nope"));
    EXPECT_THAT(read, test::FailsWith(core::ErrorCode::not_found));
    EXPECT_EQ(read.error().message_id, "fs.not_found");
    EXPECT_EQ(m_fs.kind(path("nope")), core::FileKind::missing);
}

TEST_F(LocalFileSystemTest, KindsAndListing) {
    ASSERT_THAT(m_fs.create_directories(path("d/e")), test::Succeeds());
    ASSERT_THAT(m_fs.write_file(path("d/b"), "x"), test::Succeeds());
    std::filesystem::create_symlink("b", m_root / "d" / "link");
    EXPECT_EQ(m_fs.kind(path("d")), core::FileKind::directory);
    EXPECT_EQ(m_fs.kind(path("d/b")), core::FileKind::regular);
    EXPECT_EQ(m_fs.kind(path("d/link")), core::FileKind::symlink);
    EXPECT_EQ(*m_fs.list_directory(path("d")), (std::vector<std::string>{"b", "e", "link"}));
    EXPECT_THAT(m_fs.read_file(path("d")), test::FailsWithId("fs.read_failed"));
    EXPECT_THAT(m_fs.write_file(path("missing-dir/x"), "y"), test::FailsWithId("fs.write_failed"));
}

}  // namespace
}  // namespace envsmith::api
