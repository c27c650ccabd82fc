// Deterministic tar streams: read back with libarchive and with GNU tar.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "envsmith/archive/tar_writer.hpp"
#include "matchers.hpp"

namespace envsmith::archive {
namespace {

namespace stdfs = std::filesystem;
using test::FailsWithId;
using test::Succeeds;

class TempDir {
public:
    TempDir() {
        std::string pattern = (stdfs::temp_directory_path() / "tarw-XXXXXX").string();
        m_path = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
    stdfs::create_directories(stdfs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), mode);
}

/// A tree with the cases that matter: nested dirs, modes, a symlink, a hardlink pair, a long
/// path, and names whose byte order differs from a depth-first walk ("a-b" vs "a/x").
void make_tree(const std::string& root) {
    write_file(root + "/bin/tool", "#!/bin/sh\necho hi\n", 0755);
    write_file(root + "/a/x", "x\n");
    write_file(root + "/a-b", "ab\n");
    write_file(root + "/lib/libz.so.1.2", std::string(3000, 'z'));
    ::symlink("libz.so.1.2", (root + "/lib/libz.so.1").c_str());
    ::link((root + "/bin/tool").c_str(), (root + "/bin/tool-again").c_str());
    const std::string deep = root + "/share/" + std::string(60, 'd') + "/" + std::string(70, 'e');
    write_file(deep + "/file.txt", "deep\n");
    ::chmod((root + "/a").c_str(), 0700);
}

std::string tar_of(const std::string& dir, const TreeTarOptions& options) {
    std::string out;
    auto summary = write_tree(dir, options, [&](std::string_view bytes) -> core::Status {
        out.append(bytes);
        return {};
    });
    EXPECT_THAT(summary, Succeeds());
    if (summary) {
        EXPECT_EQ(summary->tar_bytes, out.size());
    }
    return out;
}

struct ReadEntry {
    std::string path;
    char type = '?';
    unsigned mode = 0;
    std::int64_t mtime = -1;
    std::int64_t uid = -1;
    std::int64_t gid = -1;
    std::string uname;
    std::string link;
    std::int64_t size = 0;
    bool has_atime = false;
};

std::vector<ReadEntry> read_tar(const std::string& bytes) {
    std::vector<ReadEntry> out;
    struct archive* a = archive_read_new();
    archive_read_support_format_tar(a);
    EXPECT_EQ(archive_read_open_memory(a, bytes.data(), bytes.size()), ARCHIVE_OK);
    struct archive_entry* entry = nullptr;
    while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
        ReadEntry e;
        e.path = archive_entry_pathname(entry);
        const auto type = archive_entry_filetype(entry);
        e.type = type == AE_IFDIR ? 'd' : type == AE_IFLNK ? 'l' : 'f';
        if (archive_entry_hardlink(entry) != nullptr) {
            e.type = 'h';
            e.link = archive_entry_hardlink(entry);
        } else if (type == AE_IFLNK) {
            e.link = archive_entry_symlink(entry);
        }
        e.mode = archive_entry_perm(entry);
        e.mtime = archive_entry_mtime(entry);
        e.uid = archive_entry_uid(entry);
        e.gid = archive_entry_gid(entry);
        e.uname = archive_entry_uname(entry) != nullptr ? archive_entry_uname(entry) : "";
        e.size = archive_entry_size(entry);
        e.has_atime = archive_entry_atime_is_set(entry) != 0;
        out.push_back(e);
    }
    archive_read_free(a);
    return out;
}

std::string run(const std::string& command) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return out;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        out.append(buffer, n);
    }
    ::pclose(pipe);
    return out;
}

TEST(TarWriterTest, EntriesAreSortedWithParentsAndFixedMetadata) {
    TempDir tmp;
    make_tree(tmp.path() + "/tree");
    TreeTarOptions options;
    options.path_in_archive = "/opt/envsmith/envs/demo";
    options.mtime_epoch = 1700000000;
    const auto entries = read_tar(tar_of(tmp.path() + "/tree", options));

    std::vector<std::string> paths;
    for (const auto& e : entries) {
        paths.push_back(e.path);
        EXPECT_EQ(e.mtime, 1700000000) << e.path;
        EXPECT_EQ(e.uid, 0) << e.path;
        EXPECT_EQ(e.gid, 0) << e.path;
        EXPECT_EQ(e.uname, "") << e.path;
        EXPECT_FALSE(e.has_atime) << e.path;
    }
    const std::string p = "opt/envsmith/envs/demo/";
    const std::string deep = p + "share/" + std::string(60, 'd') + "/" + std::string(70, 'e');
    EXPECT_THAT(paths, testing::ElementsAre("opt/", "opt/envsmith/", "opt/envsmith/envs/", p,
                                            p + "a/", p + "a-b", p + "a/x", p + "bin/",
                                            p + "bin/tool", p + "bin/tool-again", p + "lib/",
                                            p + "lib/libz.so.1", p + "lib/libz.so.1.2",
                                            p + "share/", p + "share/" + std::string(60, 'd') + "/",
                                            deep + "/", deep + "/file.txt"));
    // Whole paths in byte order: "a" (a prefix) first, then "a-b" before "a/x" since '-'
    // (0x2d) < '/' (0x2f); a directory still precedes its contents.
    const auto find = [&](const std::string& path) {
        for (const auto& e : entries) {
            if (e.path == path) {
                return e;
            }
        }
        return ReadEntry{};
    };
    EXPECT_EQ(find(p + "a/").mode, 0700U);
    EXPECT_EQ(find(p + "bin/tool").mode, 0755U);
    EXPECT_EQ(find(p + "a/x").mode, 0644U);
    EXPECT_EQ(find("opt/").mode, 0755U);
    EXPECT_EQ(find(p + "lib/libz.so.1").type, 'l');
    EXPECT_EQ(find(p + "lib/libz.so.1").link, "libz.so.1.2");
    EXPECT_EQ(find(p + "bin/tool-again").type, 'h');
    EXPECT_EQ(find(p + "bin/tool-again").link, p + "bin/tool");
    EXPECT_EQ(find(p + "lib/libz.so.1.2").size, 3000);
    EXPECT_EQ(find(deep + "/file.txt").type, 'f');
}

TEST(TarWriterTest, SameTreeGivesSameBytesAfterTouchingItAndDifferentBytesForAnotherEpoch) {
    TempDir tmp;
    make_tree(tmp.path() + "/tree");
    const auto first = tar_of(tmp.path() + "/tree", {});
    // New mtimes and atimes on every file and directory.
    for (const auto& item : stdfs::recursive_directory_iterator(tmp.path() + "/tree")) {
        const struct timeval times[2] = {{1234567, 0}, {7654321, 0}};
        ::lutimes(item.path().c_str(), times);
    }
    EXPECT_EQ(tar_of(tmp.path() + "/tree", {}), first);
    TreeTarOptions later;
    later.mtime_epoch = 86400;
    EXPECT_NE(tar_of(tmp.path() + "/tree", later), first);
}

TEST(TarWriterTest, GnuTarListsRootOwnershipAndTheFixedTime) {
    if (std::system("tar --version > /dev/null 2>&1") != 0) {
        GTEST_SKIP() << "GNU tar is not installed";
    }
    TempDir tmp;
    make_tree(tmp.path() + "/tree");
    TreeTarOptions options;
    options.path_in_archive = "opt/env";
    options.mtime_epoch = 86400 * 365;
    const auto bytes = tar_of(tmp.path() + "/tree", options);
    std::ofstream(tmp.path() + "/out.tar", std::ios::binary) << bytes;
    const auto listing = run("TZ=UTC tar --numeric-owner -tvf " + tmp.path() + "/out.tar 2>&1");
    EXPECT_THAT(listing, testing::HasSubstr("-rwxr-xr-x 0/0              18 1971-01-01 00:00 "
                                            "opt/env/bin/tool\n"));
    EXPECT_THAT(listing, testing::HasSubstr("hrwxr-xr-x 0/0               0 1971-01-01 00:00 "
                                            "opt/env/bin/tool-again link to opt/env/bin/tool"));
    EXPECT_THAT(listing, testing::HasSubstr("opt/env/lib/libz.so.1 -> libz.so.1.2"));
    EXPECT_THAT(listing, testing::HasSubstr(std::string(70, 'e') + "/file.txt"));
    EXPECT_THAT(listing, testing::Not(testing::HasSubstr("warning")));
    // Extracting gives the same tree back.
    stdfs::create_directories(tmp.path() + "/x");
    ASSERT_EQ(std::system(("tar -xf " + tmp.path() + "/out.tar -C " + tmp.path() + "/x").c_str()),
              0);
    EXPECT_EQ(run("cd " + tmp.path() + "/tree && find . -printf '%p %m %y %l\\n' | sort"),
              run("cd " + tmp.path() + "/x/opt/env && find . -printf '%p %m %y %l\\n' | sort"));
    struct stat st {};
    ASSERT_EQ(::stat((tmp.path() + "/x/opt/env/bin/tool-again").c_str(), &st), 0);
    EXPECT_EQ(st.st_nlink, 2U);
}

TEST(TarWriterTest, EmptyPathInArchivePutsContentsAtTheRoot) {
    TempDir tmp;
    write_file(tmp.path() + "/tree/etc/hosts", "127.0.0.1 localhost\n");
    const auto entries = read_tar(tar_of(tmp.path() + "/tree", {}));
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].path, "etc/");
    EXPECT_EQ(entries[1].path, "etc/hosts");
}

TEST(TarWriterTest, LongLinkTargetsGoToPaxHeaders) {
    std::string out;
    TarWriter writer(
        [&](std::string_view b) -> core::Status {
            out.append(b);
            return {};
        },
        0);
    const std::string target = "../" + std::string(150, 't');
    ASSERT_THAT(writer.add_symlink("l", target), Succeeds());
    ASSERT_THAT(writer.add_file_contents("f", 0600, "abc"), Succeeds());
    ASSERT_THAT(writer.finish(), Succeeds());
    EXPECT_EQ(out.size() % 512, 0U);
    const auto entries = read_tar(out);
    ASSERT_EQ(entries.size(), 2U);
    EXPECT_EQ(entries[0].link, target);
    EXPECT_EQ(entries[1].mode, 0600U);
    EXPECT_EQ(entries[1].size, 3);
}

TEST(TarWriterTest, ErrorsHaveIds) {
    TempDir tmp;
    const auto ignore = [](std::string_view) -> core::Status { return {}; };
    EXPECT_THAT(write_tree(tmp.path() + "/missing", {}, ignore), FailsWithId("archive.tar.source"));
    write_file(tmp.path() + "/plain", "x");
    EXPECT_THAT(write_tree(tmp.path() + "/plain", {}, ignore), FailsWithId("archive.tar.source"));

    stdfs::create_directories(tmp.path() + "/tree");
    ::mkfifo((tmp.path() + "/tree/fifo").c_str(), 0644);
    const auto fifo = write_tree(tmp.path() + "/tree", {}, ignore);
    ASSERT_THAT(fifo, FailsWithId("archive.tar.special_file"));
    EXPECT_EQ(fifo.error().arg_value("path"), tmp.path() + "/tree/fifo");

    ::unlink((tmp.path() + "/tree/fifo").c_str());
    TreeTarOptions negative;
    negative.mtime_epoch = -1;
    EXPECT_THAT(write_tree(tmp.path() + "/tree", negative, ignore),
                FailsWithId("archive.tar.mtime"));

    write_file(tmp.path() + "/tree/big", std::string(600000, 'b'));
    const auto failing = [](std::string_view) -> core::Status {
        return core::make_error(core::ErrorCode::cancelled, "test.sink", "sink refused");
    };
    EXPECT_THAT(write_tree(tmp.path() + "/tree", {}, failing), FailsWithId("test.sink"));
}

TEST(TarWriterTest, FileThatChangedOrVanishedIsAnError) {
    TempDir tmp;
    write_file(tmp.path() + "/five", "12345");
    TarWriter writer([](std::string_view) -> core::Status { return {}; }, 0);
    const auto grew = writer.add_file("five", 0644, 3, tmp.path() + "/five");
    ASSERT_THAT(grew, FailsWithId("archive.tar.changed"));
    EXPECT_EQ(grew.error().message, "`" + tmp.path() + "/five` changed while it was being archived");
    EXPECT_THAT(writer.add_file("five", 0644, 9, tmp.path() + "/five"),
                FailsWithId("archive.tar.changed"));
    const auto gone = writer.add_file("gone", 0644, 1, tmp.path() + "/gone");
    ASSERT_THAT(gone, FailsWithId("archive.tar.io"));
    EXPECT_EQ(gone.error().arg_value("path"), tmp.path() + "/gone");
}

}  // namespace
}  // namespace envsmith::archive
