// The reading side of the archive layer against real packages (conda's zlib, rattler's sparse
// test packages, wheels from pip's and poetry's test data), against Debian's `cph` as a second
// implementation, and against malicious archives built here with libarchive's writer.

#include <archive.h>
#include <archive_entry.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "envsmith/archive/extract.hpp"
#include "matchers.hpp"

namespace envsmith::archive {
namespace {

namespace stdfs = std::filesystem;
using test::FailsWithId;
using test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// ---------------------------------------------------------------------------------------------
// Helpers

std::string slurp(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

/// One node of an extracted tree: kind, permission bits, and content or link target.
struct Node {
    char kind = '?';  // f, d, l
    unsigned mode = 0;
    std::string data;

    friend bool operator==(const Node&, const Node&) = default;
    friend std::ostream& operator<<(std::ostream& out, const Node& node) {
        return out << node.kind << " " << std::oct << node.mode << std::dec << " "
                   << node.data.size() << " bytes";
    }
};

enum class Modes : bool { exact, executable_only };

/// Every path below `root` (never following symlinks) with its node.
std::map<std::string, Node> snapshot(const stdfs::path& root, Modes modes = Modes::exact) {
    std::map<std::string, Node> out;
    for (const auto& item : stdfs::recursive_directory_iterator(root)) {
        struct stat info {};
        EXPECT_EQ(::lstat(item.path().c_str(), &info), 0);
        Node node;
        node.mode = info.st_mode & 07777;
        if (modes == Modes::executable_only) {
            node.mode = (info.st_mode & 0100) != 0 ? 1 : 0;
        }
        if (S_ISLNK(info.st_mode)) {
            node.kind = 'l';
            node.data = stdfs::read_symlink(item.path()).string();
            node.mode = 0;  // symlink permissions mean nothing on Linux
        } else if (S_ISDIR(info.st_mode)) {
            node.kind = 'd';
        } else if (S_ISREG(info.st_mode)) {
            node.kind = 'f';
            node.data = slurp(item.path());
        }
        out.emplace(item.path().lexically_relative(root).string(), std::move(node));
    }
    return out;
}

std::vector<std::string> keys(const std::map<std::string, Node>& tree) {
    std::vector<std::string> out;
    for (const auto& [path, node] : tree) {
        out.push_back(path);
    }
    return out;
}

struct Member {
    enum class Type { file, dir, symlink, hardlink, chardev, fifo };
    std::string path{};
    Type type = Type::file;
    std::string data{};
    std::string link{};
    unsigned perm = 0644;
    std::uint64_t zero_bytes = 0;  // data made of this many zero bytes instead of `data`
};

enum class Filter { none, zstd, gzip };

/// Writes a pax tar with libarchive's writer: the library under test only reads.
void write_tar(const stdfs::path& path, const std::vector<Member>& members,
               Filter filter = Filter::none) {
    ::archive* writer = archive_write_new();
    archive_write_set_format_pax_restricted(writer);
    if (filter == Filter::zstd) {
        archive_write_add_filter_zstd(writer);
    } else if (filter == Filter::gzip) {
        archive_write_add_filter_gzip(writer);
    }
    ASSERT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK);
    const std::string zeros(std::size_t{1} << 20, '\0');
    for (const auto& member : members) {
        ::archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, member.path.c_str());
        archive_entry_set_perm(entry, static_cast<mode_t>(member.perm));
        switch (member.type) {
            case Member::Type::file:
                archive_entry_set_filetype(entry, AE_IFREG);
                archive_entry_set_size(
                    entry, static_cast<la_int64_t>(member.zero_bytes > 0 ? member.zero_bytes
                                                                         : member.data.size()));
                break;
            case Member::Type::dir: archive_entry_set_filetype(entry, AE_IFDIR); break;
            case Member::Type::symlink:
                archive_entry_set_filetype(entry, AE_IFLNK);
                archive_entry_set_symlink(entry, member.link.c_str());
                break;
            case Member::Type::hardlink:
                archive_entry_set_filetype(entry, AE_IFREG);
                archive_entry_set_hardlink(entry, member.link.c_str());
                break;
            case Member::Type::chardev:
                archive_entry_set_filetype(entry, AE_IFCHR);
                archive_entry_set_rdev(entry, makedev(1, 3));
                break;
            case Member::Type::fifo: archive_entry_set_filetype(entry, AE_IFIFO); break;
        }
        ASSERT_EQ(archive_write_header(writer, entry), ARCHIVE_OK) << member.path;
        if (member.type == Member::Type::file) {
            if (member.zero_bytes > 0) {
                for (std::uint64_t done = 0; done < member.zero_bytes; done += zeros.size()) {
                    const auto size =
                        std::min<std::uint64_t>(zeros.size(), member.zero_bytes - done);
                    ASSERT_GT(archive_write_data(writer, zeros.data(), size), 0);
                }
            } else if (!member.data.empty()) {
                ASSERT_EQ(archive_write_data(writer, member.data.data(), member.data.size()),
                          static_cast<la_ssize_t>(member.data.size()));
            }
        }
        archive_entry_free(entry);
    }
    ASSERT_EQ(archive_write_close(writer), ARCHIVE_OK);
    archive_write_free(writer);
}

bool have_cph() {
    return ::access("/usr/bin/cph", X_OK) == 0;
}

/// Extracts with Debian's conda-package-handling; false when cph fails.
bool cph_extract(const std::string& archive, const stdfs::path& destination) {
    const auto command =
        "/usr/bin/cph x '" + archive + "' --dest '" + destination.string() + "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0;  // NOLINT(cert-env33-c): a fixed, quoted command
}

/// A fresh directory under the system's temporary directory, removed with its content.
class ScratchDir {
public:
    ScratchDir() {
        std::string pattern = (stdfs::temp_directory_path() / "envsmith-archive-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) {
            m_path = pattern;
        }
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ignored;
        stdfs::remove_all(m_path, ignored);
    }
    [[nodiscard]] const stdfs::path& path() const noexcept { return m_path; }

private:
    stdfs::path m_path;
};

class ExtractTest : public ::testing::Test {
protected:
    void SetUp() override { ASSERT_FALSE(m_tmp.path().empty()); }
    stdfs::path dest(const std::string& name) const { return m_tmp.path() / name; }
    stdfs::path file(const std::string& name) const { return m_tmp.path() / name; }

    ScratchDir m_tmp;
};

// ---------------------------------------------------------------------------------------------
// Formats

TEST(FormatOfTest, NamesEveryKnownExtension) {
    const std::vector<std::pair<std::string, ArchiveFormat>> cases = {
        {"zlib-1.2.11-h7b6447c_3.conda", ArchiveFormat::conda},
        {"zlib-1.2.11-h7b6447c_3.tar.bz2", ArchiveFormat::tar_bz2},
        {"wheel-0.40.0-py3-none-any.whl", ArchiveFormat::wheel},
        {"x.zip", ArchiveFormat::zip},
        {"layer.tar", ArchiveFormat::tar},
        {"x-1.0.tar.gz", ArchiveFormat::tar_gz},
        {"x-1.0.tgz", ArchiveFormat::tar_gz},
        {"x.tar.zst", ArchiveFormat::tar_zst},
        {"/some/dir/x.tar.xz", ArchiveFormat::tar_xz},
    };
    for (const auto& [name, format] : cases) {
        SCOPED_TRACE(name);
        const auto result = format_of(name);
        ASSERT_THAT(result, Succeeds());
        EXPECT_EQ(*result, format);
    }
    for (const auto* name : {"x.rar", "x.bz2", "tar", "", ".conda.part", "x.TAR.GZ"}) {
        SCOPED_TRACE(name);
        const auto result = format_of(name);
        ASSERT_THAT(result, FailsWithId("archive.format.unknown"));
        EXPECT_EQ(result.error().arg_value("file"), name);
    }
}

// ---------------------------------------------------------------------------------------------
// Real packages

TEST_F(ExtractTest, ZlibCondaAndTarBz2GiveTheSameTree) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto repo = data + "/conda/tests/data/conda_format_repo/linux-64/";
    const auto from_conda = extract(repo + "zlib-1.2.11-h7b6447c_3.conda", dest("conda"));
    ASSERT_THAT(from_conda, Succeeds());
    const auto from_bz2 = extract(repo + "zlib-1.2.11-h7b6447c_3.tar.bz2", dest("bz2"));
    ASSERT_THAT(from_bz2, Succeeds());

    const auto conda_tree = snapshot(dest("conda"));
    const auto bz2_tree = snapshot(dest("bz2"));
    EXPECT_EQ(keys(conda_tree), keys(bz2_tree));
    for (const auto& [path, node] : conda_tree) {
        SCOPED_TRACE(path);
        const auto it = bz2_tree.find(path);
        ASSERT_NE(it, bz2_tree.end());
        EXPECT_EQ(node, it->second);
    }
    // 17 info files, 7 pkg entries; metadata.json of the outer zip is not extracted.
    EXPECT_EQ(from_conda->files, 24U);
    EXPECT_EQ(from_bz2->files, 24U);
    EXPECT_EQ(from_conda->bytes, from_bz2->bytes);
    EXPECT_FALSE(stdfs::exists(dest("conda") / "metadata.json"));
    // Modes: 0666 in the archives becomes 0644, 0777 (bld.bat) 0755, directories 0755.
    EXPECT_EQ(conda_tree.at("lib/libz.so.1.2.11").mode, 0644U);
    EXPECT_EQ(conda_tree.at("info/recipe/bld.bat").mode, 0755U);
    EXPECT_EQ(conda_tree.at("lib/pkgconfig").mode, 0755U);
    EXPECT_EQ(conda_tree.at("lib/libz.so.1.2.11").data.size(), 133384U);
    EXPECT_THAT(conda_tree.at("info/index.json").data, HasSubstr("\"name\": \"zlib\""));
    // The .conda stores lib/libz.so as a symlink with an empty target (the .tar.bz2 has an
    // empty file): both become an empty file.
    EXPECT_EQ(conda_tree.at("lib/libz.so"), (Node{'f', 0644, ""}));
}

TEST_F(ExtractTest, ZlibMatchesCph) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    if (!have_cph()) {
        GTEST_SKIP() << "cph (conda-package-handling) is not installed";
    }
    const auto repo = data + "/conda/tests/data/conda_format_repo/linux-64/";
    // cph 2.0.1 cannot read this .conda (its empty symlink targets stop Python's tarfile), so
    // its tree of the .tar.bz2 is the reference for both of ours.
    ASSERT_TRUE(cph_extract(repo + "zlib-1.2.11-h7b6447c_3.tar.bz2", dest("cph")));
    ASSERT_THAT(extract(repo + "zlib-1.2.11-h7b6447c_3.tar.bz2", dest("bz2")), Succeeds());
    ASSERT_THAT(extract(repo + "zlib-1.2.11-h7b6447c_3.conda", dest("conda")), Succeeds());
    const auto reference = snapshot(dest("cph"), Modes::executable_only);
    EXPECT_EQ(snapshot(dest("bz2"), Modes::executable_only), reference);
    EXPECT_EQ(snapshot(dest("conda"), Modes::executable_only), reference);
}

TEST_F(ExtractTest, RattlerSparsePackagesMatchCph) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    if (!have_cph()) {
        GTEST_SKIP() << "cph (conda-package-handling) is not installed";
    }
    for (const auto* name : {"dotslash-test-1.0.0-0.conda", "sparse-test-1.0.0-0.conda",
                             "symlink-test-1.0.0-0.conda", "zip64-test-1.0.0-0.conda"}) {
        SCOPED_TRACE(name);
        const auto path = data + "/rattler/test-data/sparse/" + name;
        ASSERT_TRUE(cph_extract(path, dest(std::string("cph-") + name)));
        ASSERT_THAT(extract(path, dest(name)), Succeeds());
        EXPECT_EQ(snapshot(dest(name), Modes::executable_only),
                  snapshot(dest(std::string("cph-") + name), Modes::executable_only));
    }
}

TEST_F(ExtractTest, RattlerSparsePackagesHaveTheirFiles) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto dir = data + "/rattler/test-data/sparse/";
    struct Case {
        std::string name;
        std::vector<std::string> paths;
    };
    const std::vector<Case> cases = {
        {"dotslash-test-1.0.0-0.conda", {"info", "info/index.json", "lib", "lib/data.txt"}},
        {"info-only-1.0.0-0.conda", {"info", "info/index.json"}},
        {"sparse-test-1.0.0-0.conda",
         {"bin", "bin/first-file.txt", "info", "info/index.json", "info/paths.json", "lib",
          "lib/blob.bin", "share", "share/last-file.txt"}},
        {"symlink-test-1.0.0-0.conda",
         {"info", "info/index.json", "lib", "lib/libhard.so", "lib/liblink.so",
          "lib/libreal.so.1"}},
        {"zip64-test-1.0.0-0.conda", {"bin", "bin/hello.txt", "info", "info/index.json"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.name);
        ASSERT_THAT(extract(dir + c.name, dest(c.name)), Succeeds());
        EXPECT_EQ(keys(snapshot(dest(c.name))), c.paths);
    }
    EXPECT_EQ(slurp(dest("dotslash-test-1.0.0-0.conda") / "lib/data.txt"), "dot slash payload\n");
    EXPECT_EQ(slurp(dest("zip64-test-1.0.0-0.conda") / "bin/hello.txt"), "zip64 payload\n");
    EXPECT_EQ(stdfs::file_size(dest("sparse-test-1.0.0-0.conda") / "lib/blob.bin"), 150000U);
    EXPECT_EQ(slurp(dest("sparse-test-1.0.0-0.conda") / "share/last-file.txt"),
              "last payload file\n");

    const auto lib = dest("symlink-test-1.0.0-0.conda") / "lib";
    EXPECT_TRUE(stdfs::is_symlink(lib / "liblink.so"));
    EXPECT_EQ(stdfs::read_symlink(lib / "liblink.so"), "libreal.so.1");
    EXPECT_TRUE(stdfs::equivalent(lib / "libhard.so", lib / "libreal.so.1"));  // one inode
    EXPECT_EQ(stdfs::hard_link_count(lib / "libreal.so.1"), 2U);
    EXPECT_EQ(slurp(lib / "liblink.so"), "real library bytes");
}

TEST_F(ExtractTest, CondaPartsSelectTheInfoOrThePkgTar) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto path = data + "/rattler/test-data/sparse/sparse-test-1.0.0-0.conda";
    ExtractOptions info_only;
    info_only.conda_parts = CondaParts::info_only;
    const auto info = extract(path, dest("info"), info_only);
    ASSERT_THAT(info, Succeeds());
    EXPECT_EQ(keys(snapshot(dest("info"))),
              (std::vector<std::string>{"info", "info/index.json", "info/paths.json"}));
    EXPECT_EQ(info->files, 2U);

    ExtractOptions pkg_only;
    pkg_only.conda_parts = CondaParts::pkg_only;
    ASSERT_THAT(extract(path, dest("pkg"), pkg_only), Succeeds());
    EXPECT_EQ(keys(snapshot(dest("pkg"))),
              (std::vector<std::string>{"bin", "bin/first-file.txt", "lib", "lib/blob.bin", "share",
                                        "share/last-file.txt"}));

    // An info-only package has no pkg tar: asking for it fails and leaves nothing.
    const auto missing =
        extract(data + "/rattler/test-data/sparse/info-only-1.0.0-0.conda", dest("none"), pkg_only);
    ASSERT_THAT(missing, FailsWithId("archive.conda.incomplete"));
    EXPECT_EQ(missing.error().arg_value("part"), "pkg");
    EXPECT_FALSE(stdfs::exists(dest("none")));
}

TEST_F(ExtractTest, WheelsExtractAndReadTheirMetadata) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto wheel = data +
                       "/poetry/tests/repositories/fixtures/pypi.org/dists/"
                       "wheel-0.40.0-py3-none-any.whl";
    const auto colander = data + "/pip/tests/data/packages/colander-0.9.9-py2.py3-none-any.whl";

    const auto wheel_summary = extract(wheel, dest("wheel"));
    ASSERT_THAT(wheel_summary, Succeeds());
    EXPECT_EQ(wheel_summary->files, 33U);  // `unzip -l`: 33 files, 201172 bytes
    EXPECT_EQ(wheel_summary->bytes, 201172U);
    const auto colander_summary = extract(colander, dest("colander"));
    ASSERT_THAT(colander_summary, Succeeds());
    EXPECT_EQ(colander_summary->files, 38U);  // `unzip -l`: 38 files, 309897 bytes
    EXPECT_EQ(colander_summary->bytes, 309897U);
    // 0664 in the zip: written 0644.
    EXPECT_EQ(snapshot(dest("colander")).at("colander/compat.py").mode, 0644U);

    const auto metadata = read_entry(wheel, "wheel-0.40.0.dist-info/METADATA");
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->size(), 2051U);
    EXPECT_THAT(*metadata, HasSubstr("Name: wheel\nVersion: 0.40.0\n"));
    EXPECT_EQ(*metadata, slurp(dest("wheel") / "wheel-0.40.0.dist-info/METADATA"));

    const auto colander_metadata = read_entry(colander, "colander-0.9.9.dist-info/METADATA");
    ASSERT_THAT(colander_metadata, Succeeds());
    EXPECT_EQ(colander_metadata->size(), 18887U);
    EXPECT_THAT(*colander_metadata, HasSubstr("Name: colander"));

    const auto listed = list_entries(colander);
    ASSERT_THAT(listed, Succeeds());
    EXPECT_EQ(listed->size(), 38U);
    EXPECT_EQ(listed->front().path, "colander/iso8601.py");
    EXPECT_EQ(listed->front().size, 4347U);
    EXPECT_EQ(listed->front().mode, 0664U);
}

TEST_F(ExtractTest, ReadEntryFindsMembersOfCondaPackages) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto repo = data + "/conda/tests/data/conda_format_repo/linux-64/";
    const auto from_conda = read_entry(repo + "zlib-1.2.11-h7b6447c_3.conda", "info/index.json");
    ASSERT_THAT(from_conda, Succeeds());
    EXPECT_EQ(from_conda->size(), 280U);
    EXPECT_THAT(*from_conda, HasSubstr("\"name\": \"zlib\""));
    const auto from_bz2 = read_entry(repo + "zlib-1.2.11-h7b6447c_3.tar.bz2", "./info/index.json");
    ASSERT_THAT(from_bz2, Succeeds());
    EXPECT_EQ(*from_conda, *from_bz2);

    const auto pc = read_entry(repo + "zlib-1.2.11-h7b6447c_3.conda", "lib/pkgconfig/zlib.pc");
    ASSERT_THAT(pc, Succeeds());
    EXPECT_EQ(pc->size(), 281U);

    // A hardlink reads as the file it links to.
    const auto hard =
        read_entry(data + "/rattler/test-data/sparse/symlink-test-1.0.0-0.conda", "lib/libhard.so");
    ASSERT_THAT(hard, Succeeds());
    EXPECT_EQ(*hard, "real library bytes");

    const auto missing = read_entry(repo + "zlib-1.2.11-h7b6447c_3.conda", "info/nope.json");
    ASSERT_THAT(missing, FailsWithId("archive.entry.not_found"));
    EXPECT_EQ(missing.error().arg_value("entry"), "info/nope.json");
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
    // A directory is no file.
    EXPECT_THAT(read_entry(repo + "zlib-1.2.11-h7b6447c_3.tar.bz2", "lib"),
                FailsWithId("archive.entry.not_found"));

    const auto too_large =
        read_entry(repo + "zlib-1.2.11-h7b6447c_3.conda", "info/index.json", 100);
    ASSERT_THAT(too_large, FailsWithId("archive.entry.too_large"));
    EXPECT_EQ(too_large.error().arg_value("max_bytes"), "100");
}

TEST_F(ExtractTest, ListEntriesGivesInfoThenPkgForConda) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto listed = list_entries(data + "/rattler/test-data/sparse/symlink-test-1.0.0-0.conda");
    ASSERT_THAT(listed, Succeeds());
    ASSERT_EQ(listed->size(), 4U);
    EXPECT_EQ((*listed)[0].path, "info/index.json");
    EXPECT_EQ((*listed)[0].kind, EntryInfo::Kind::file);
    EXPECT_EQ((*listed)[0].size, 77U);
    EXPECT_EQ((*listed)[0].mode, 0644U);
    EXPECT_EQ((*listed)[1].path, "lib/libreal.so.1");
    EXPECT_EQ((*listed)[2].path, "lib/liblink.so");
    EXPECT_EQ((*listed)[2].kind, EntryInfo::Kind::symlink);
    EXPECT_EQ((*listed)[2].link_target, "libreal.so.1");
    EXPECT_EQ((*listed)[3].path, "lib/libhard.so");
    EXPECT_EQ((*listed)[3].kind, EntryInfo::Kind::hardlink);
    EXPECT_EQ((*listed)[3].link_target, "lib/libreal.so.1");

    // "./info/index.json" in the dotslash package is listed without "./".
    const auto dotslash =
        list_entries(data + "/rattler/test-data/sparse/dotslash-test-1.0.0-0.conda");
    ASSERT_THAT(dotslash, Succeeds());
    ASSERT_EQ(dotslash->size(), 2U);
    EXPECT_EQ((*dotslash)[0].path, "info/index.json");
    EXPECT_EQ((*dotslash)[1].path, "lib/data.txt");
}

// ---------------------------------------------------------------------------------------------
// Plain tars, replacement, modes

TEST_F(ExtractTest, CompressedTarsAreDetectedFromTheirContent) {
    const std::vector<Member> members = {
        {.path = "dir", .type = Member::Type::dir, .perm = 0777},
        {.path = "dir/a.txt", .data = "alpha\n"},
        {.path = "dir/run.sh", .data = "#!/bin/sh\n", .perm = 0700},
        {.path = "dir/link", .type = Member::Type::symlink, .link = "a.txt"},
    };
    for (const auto& [name, filter] : std::vector<std::pair<std::string, Filter>>{
             {"x.tar", Filter::none}, {"x.tar.zst", Filter::zstd}, {"x.tar.gz", Filter::gzip}}) {
        SCOPED_TRACE(name);
        write_tar(file(name), members, filter);
        const auto summary = extract(file(name), dest("out-" + name));
        ASSERT_THAT(summary, Succeeds());
        EXPECT_EQ(summary->entries, 4U);
        EXPECT_EQ(summary->files, 2U);
        EXPECT_EQ(summary->bytes, 16U);
        const auto tree = snapshot(dest("out-" + name));
        EXPECT_EQ(tree.at("dir"), (Node{'d', 0755, ""}));
        EXPECT_EQ(tree.at("dir/a.txt"), (Node{'f', 0644, "alpha\n"}));
        EXPECT_EQ(tree.at("dir/run.sh"), (Node{'f', 0755, "#!/bin/sh\n"}));
        EXPECT_EQ(tree.at("dir/link"), (Node{'l', 0, "a.txt"}));
    }
}

TEST_F(ExtractTest, SetuidSetgidStickyAndWriteBitsAreDropped) {
    write_tar(file("modes.tar"), {
                                     {.path = "suid", .data = "x", .perm = 04755},
                                     {.path = "sgid", .data = "x", .perm = 02711},
                                     {.path = "sticky", .type = Member::Type::dir, .perm = 01777},
                                     {.path = "world", .data = "x", .perm = 0666},
                                     {.path = "none", .data = "x", .perm = 0},
                                 });
    ASSERT_THAT(extract(file("modes.tar"), dest("out")), Succeeds());
    const auto tree = snapshot(dest("out"));
    EXPECT_EQ(tree.at("suid").mode, 0755U);
    EXPECT_EQ(tree.at("sgid").mode, 0755U);
    EXPECT_EQ(tree.at("sticky").mode, 0755U);
    EXPECT_EQ(tree.at("world").mode, 0644U);
    EXPECT_EQ(tree.at("none").mode, 0644U);
}

TEST_F(ExtractTest, LaterEntriesReplaceEarlierOnesButNeverThroughASymlink) {
    ASSERT_TRUE(stdfs::create_directory(dest("outside")));
    write_tar(file("replace.tar"),
              {
                  {.path = "a", .data = "first"},
                  {.path = "a", .data = "second"},
                  // A symlink then a file of the same path: the symlink is replaced, its
                  // target (an existing file inside) is left alone.
                  {.path = "target", .data = "target"},
                  {.path = "b", .type = Member::Type::symlink, .link = "target"},
                  {.path = "b", .data = "b is a file now"},
                  // A file where a directory comes later, and a directory where a file does.
                  {.path = "c", .data = "c was a file"},
                  {.path = "c/inner", .data = "inner"},
                  {.path = "d", .type = Member::Type::dir},
                  {.path = "d", .data = "d is a file now"},
                  // Hardlink to an earlier file, "./" and "x/../" spelled paths.
                  {.path = "./e", .type = Member::Type::hardlink, .link = "./target"},
                  {.path = "c/../f", .data = "f"},
              });
    const auto summary = extract(file("replace.tar"), dest("out"));
    ASSERT_THAT(summary, Succeeds());
    const auto tree = snapshot(dest("out"));
    EXPECT_EQ(keys(tree),
              (std::vector<std::string>{"a", "b", "c", "c/inner", "d", "e", "f", "target"}));
    EXPECT_EQ(tree.at("a").data, "second");
    EXPECT_EQ(tree.at("b"), (Node{'f', 0644, "b is a file now"}));
    EXPECT_EQ(tree.at("target").data, "target");
    EXPECT_EQ(tree.at("c").kind, 'd');
    EXPECT_EQ(tree.at("d").data, "d is a file now");
    EXPECT_TRUE(stdfs::equivalent(dest("out") / "e", dest("out") / "target"));
    EXPECT_EQ(summary->entries, 11U);
}

TEST_F(ExtractTest, DestinationMustBeAbsentOrEmpty) {
    write_tar(file("x.tar"), {{.path = "a", .data = "a"}});
    ASSERT_TRUE(stdfs::create_directories(dest("full")));
    std::ofstream(dest("full") / "keep") << "mine";
    const auto result = extract(file("x.tar"), dest("full"));
    ASSERT_THAT(result, FailsWithId("archive.destination.not_empty"));
    EXPECT_EQ(result.error().code, core::ErrorCode::conflict);
    EXPECT_EQ(slurp(dest("full") / "keep"), "mine");  // untouched

    ASSERT_TRUE(stdfs::create_directories(dest("empty")));
    ASSERT_THAT(extract(file("x.tar"), dest("empty")), Succeeds());
    ASSERT_THAT(extract(file("x.tar"), dest("new/nested")), Succeeds());
    EXPECT_EQ(slurp(dest("new/nested") / "a"), "a");

    const auto missing = extract(file("absent.tar"), dest("never"));
    ASSERT_THAT(missing, FailsWithId("archive.open"));
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
    EXPECT_FALSE(stdfs::exists(dest("never")));
}

// ---------------------------------------------------------------------------------------------
// Malicious archives: each refusal has its own id, names the entry, and leaves nothing behind

struct Attack {
    std::string name;
    std::vector<Member> members;
    std::string id;
    std::string entry;
};

TEST_F(ExtractTest, RefusesMaliciousArchivesAndLeavesNothing) {
    const std::vector<Attack> attacks = {
        {"traversal",
         {{.path = "ok", .data = "x"}, {.path = "../evil", .data = "x"}},
         "archive.unsafe.path_escape",
         "../evil"},
        {"deep traversal",
         {{.path = "a/b/../../../evil", .data = "x"}},
         "archive.unsafe.path_escape",
         "a/b/../../../evil"},
        {"absolute",
         {{.path = "/tmp/envsmith-evil", .data = "x"}},
         "archive.unsafe.absolute_path",
         "/tmp/envsmith-evil"},
        {"symlink to /etc then a write through it",
         {{.path = "etc", .type = Member::Type::symlink, .link = "/etc"},
          {.path = "etc/envsmith-evil", .data = "x"}},
         "archive.unsafe.link_escape",
         "etc"},
        {"symlink climbing out",
         {{.path = "a/up", .type = Member::Type::symlink, .link = "../../outside"}},
         "archive.unsafe.link_escape",
         "a/up"},
        {"symlink to a directory inside, then a write through it",
         {{.path = "real", .type = Member::Type::dir},
          {.path = "alias", .type = Member::Type::symlink, .link = "real"},
          {.path = "alias/file", .data = "x"}},
         "archive.unsafe.through_symlink",
         "alias/file"},
        {"hardlink to outside",
         {{.path = "h", .type = Member::Type::hardlink, .link = "../outside/secret"}},
         "archive.unsafe.link_escape",
         "h"},
        {"hardlink to an absolute path",
         {{.path = "h", .type = Member::Type::hardlink, .link = "/etc/passwd"}},
         "archive.unsafe.link_escape",
         "h"},
        {"hardlink to a symlink",
         {{.path = "s", .type = Member::Type::symlink, .link = "."},
          {.path = "d/h", .type = Member::Type::hardlink, .link = "s"}},
         "archive.unsafe.link_escape",
         "d/h"},
        {"character device",
         {{.path = "null", .type = Member::Type::chardev}},
         "archive.unsafe.special_file",
         "null"},
        {"fifo",
         {{.path = "pipe", .type = Member::Type::fifo}},
         "archive.unsafe.special_file",
         "pipe"},
    };
    ASSERT_TRUE(stdfs::create_directories(dest("outside")));
    std::ofstream(dest("outside") / "secret") << "secret";
    for (const auto& attack : attacks) {
        SCOPED_TRACE(attack.name);
        const auto tar = file("attack.tar");
        write_tar(tar, attack.members);
        const auto result = extract(tar, dest("victim/out"));
        ASSERT_THAT(result, FailsWithId(attack.id));
        EXPECT_EQ(result.error().code, core::ErrorCode::invalid_input);
        EXPECT_EQ(result.error().arg_value("entry"), attack.entry);
        EXPECT_EQ(result.error().arg_value("archive"), tar.string());
        EXPECT_FALSE(stdfs::exists(dest("victim/out")));
        stdfs::remove_all(dest("victim"));
    }
    // Nothing was written outside either.
    EXPECT_EQ(keys(snapshot(dest("outside"))), std::vector<std::string>{"secret"});
    EXPECT_EQ(slurp(dest("outside") / "secret"), "secret");
    EXPECT_FALSE(stdfs::exists("/tmp/envsmith-evil"));
    EXPECT_FALSE(stdfs::exists("/etc/envsmith-evil"));
}

TEST_F(ExtractTest, SymlinksInsideTheDestinationAreFine) {
    write_tar(file("links.tar"),
              {
                  {.path = "a/b/c", .data = "c"},
                  {.path = "a/b/up", .type = Member::Type::symlink, .link = "../../top"},
                  {.path = "a/b/dot", .type = Member::Type::symlink, .link = "./c"},
                  {.path = "a/dangling", .type = Member::Type::symlink, .link = "b/none"},
              });
    ASSERT_THAT(extract(file("links.tar"), dest("out")), Succeeds());
    EXPECT_EQ(stdfs::read_symlink(dest("out") / "a/b/up"), "../../top");
    EXPECT_EQ(stdfs::read_symlink(dest("out") / "a/dangling"), "b/none");
}

TEST_F(ExtractTest, BombsStopAtTheirLimit) {
    // 300 MiB of zeros, zstd-compressed to a few kilobytes.
    const auto bomb = file("bomb.tar.zst");
    write_tar(bomb, {{.path = "zeros", .zero_bytes = 300ULL << 20}}, Filter::zstd);
    ASSERT_LT(stdfs::file_size(bomb), 1U << 20);

    struct Case {
        std::string limit;
        ExtractLimits limits;
    };
    ExtractLimits entry_limit;
    entry_limit.max_entry_bytes = 8ULL << 20;
    ExtractLimits total_limit;
    total_limit.max_total_bytes = 8ULL << 20;
    ExtractLimits ratio_limit;  // the declared size passes; the ratio stops the writing
    ratio_limit.ratio_floor_bytes = 4ULL << 20;
    ratio_limit.max_ratio = 100;
    for (const auto& c : std::vector<Case>{{"max_entry_bytes", entry_limit},
                                           {"max_total_bytes", total_limit},
                                           {"max_ratio", ratio_limit}}) {
        SCOPED_TRACE(c.limit);
        ExtractOptions options;
        options.limits = c.limits;
        const auto result = extract(bomb, dest("out"), options);
        ASSERT_THAT(result, FailsWithId("archive.bomb"));
        EXPECT_EQ(result.error().arg_value("limit"), c.limit);
        EXPECT_EQ(result.error().arg_value("entry"), "zeros");
        EXPECT_FALSE(stdfs::exists(dest("out")));
    }

    write_tar(file("many.tar"),
              {{.path = "a", .data = "a"}, {.path = "b", .data = "b"}, {.path = "c", .data = "c"}});
    ExtractOptions few;
    few.limits.max_entries = 2;
    const auto many = extract(file("many.tar"), dest("out"), few);
    ASSERT_THAT(many, FailsWithId("archive.bomb"));
    EXPECT_EQ(many.error().arg_value("limit"), "max_entries");
    EXPECT_EQ(many.error().arg_value("entry"), "c");
    EXPECT_FALSE(stdfs::exists(dest("out")));
}

TEST_F(ExtractTest, TruncatedArchivesAreCorrupt) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto repo = data + "/conda/tests/data/conda_format_repo/linux-64/";
    for (const auto* name : {"zlib-1.2.11-h7b6447c_3.tar.bz2", "zlib-1.2.11-h7b6447c_3.conda"}) {
        SCOPED_TRACE(name);
        const auto whole = slurp(repo + name);
        const auto cut = file(std::string("cut-") + name);
        std::ofstream(cut, std::ios::binary) << whole.substr(0, whole.size() / 2);
        const auto result = extract(cut, dest("out"));
        ASSERT_THAT(result, FailsWithId("archive.corrupt"));
        EXPECT_EQ(result.error().arg_value("archive"), cut.string());
        EXPECT_FALSE(stdfs::exists(dest("out")));
        EXPECT_THAT(list_entries(cut), FailsWithId("archive.corrupt"));
    }
    // A plain tar cut inside a member's data.
    write_tar(file("full.tar"), {{.path = "big", .data = std::string(100000, 'x')}});
    const auto whole = slurp(file("full.tar"));
    std::ofstream(file("cut.tar"), std::ios::binary) << whole.substr(0, 50000);
    const auto result = extract(file("cut.tar"), dest("out"));
    ASSERT_THAT(result, FailsWithId("archive.corrupt"));
    EXPECT_EQ(result.error().arg_value("entry"), "big");
    EXPECT_FALSE(stdfs::exists(dest("out")));

    std::ofstream(file("garbage.tar.gz"), std::ios::binary) << "this is no archive at all";
    EXPECT_THAT(extract(file("garbage.tar.gz"), dest("out")), FailsWithId("archive.corrupt"));
    EXPECT_FALSE(stdfs::exists(dest("out")));

    // A zstd stream with damaged bytes in the middle of its compressed data.
    std::string varied;
    std::uint32_t state = 12345;  // a linear congruential sequence: data zstd cannot squeeze away
    for (int i = 0; i < 200000; ++i) {
        state = state * 1103515245U + 12345U;
        varied += static_cast<char>('a' + (state >> 16) % 26);
    }
    // zstd's own command writes the frame's content checksum, as conda-build's packages have
    // (libarchive's writer does not); without a checksum, damaged literals decode silently and
    // only the package's sha256, checked before extraction, can catch them.
    if (std::system("command -v zstd > /dev/null 2>&1") != 0) GTEST_SKIP() << "the zstd command is not installed";
    write_tar(file("good.tar"), {{.path = "data", .data = varied}});
    ASSERT_EQ(std::system(("zstd -q -f -o '" + file("good.tar.zst").string() + "' '" + file("good.tar").string() + "'").c_str()), 0);
    auto zst = slurp(file("good.tar.zst"));
    ASSERT_GT(zst.size(), 200U);
    for (std::size_t i = zst.size() / 2; i < zst.size() / 2 + 16; ++i) zst[i] = static_cast<char>(~zst[i]);
    std::ofstream(file("damaged.tar.zst"), std::ios::binary) << zst;
    ASSERT_TRUE(extract(file("good.tar.zst"), dest("good")));  // the undamaged one extracts
    EXPECT_THAT(extract(file("damaged.tar.zst"), dest("out")), FailsWithId("archive.corrupt"));
    EXPECT_FALSE(stdfs::exists(dest("out")));
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

/// locale/en/archive.yaml as id -> template (one `id: "text"` per line).
std::map<std::string, std::string> english_templates() {
    std::map<std::string, std::string> out;
    std::ifstream in(std::string(ENVSMITH_SOURCE_DIR) + "/locale/en/archive.yaml");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(": \"");
        if (line.empty() || line.front() == '#' || colon == std::string::npos ||
            line.back() != '"') {
            continue;
        }
        out.emplace(line.substr(0, colon), line.substr(colon + 3, line.size() - colon - 4));
    }
    return out;
}

std::string fill(const std::string& text, const std::vector<core::MessageArg>& args) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto close = text.find('}', i);
        if (text[i] == '{' && close != std::string::npos) {
            const auto name = text.substr(i + 1, close - i - 1);
            const auto it = std::find_if(args.begin(), args.end(),
                                         [&](const auto& arg) { return arg.name == name; });
            out += it == args.end() ? "?" : it->value;
            i = close;
        } else {
            out += text[i];
        }
    }
    return out;
}

TEST_F(ExtractTest, EnglishTextsRebuildTheMessages) {
    const auto templates = english_templates();
    ASSERT_GE(templates.size(), 14U);
    std::vector<core::Error> errors;
    auto keep = [&errors](const auto& result) {
        ASSERT_FALSE(result.has_value());
        errors.push_back(result.error());
    };
    keep(format_of("x.rar"));
    keep(extract(file("absent.tar").string(), dest("a")));
    keep(read_entry(file("absent.tar").string(), "x"));
    write_tar(file("x.tar"), {{.path = "a", .data = "abc"}});
    keep(read_entry(file("x.tar").string(), "b"));
    keep(read_entry(file("x.tar").string(), "a", 1));
    ASSERT_TRUE(stdfs::create_directories(dest("full")));
    std::ofstream(dest("full") / "x") << "x";
    keep(extract(file("x.tar").string(), dest("full")));
    const std::vector<std::vector<Member>> bad = {
        {{.path = "../x", .data = "x"}},
        {{.path = "/x", .data = "x"}},
        {{.path = "l", .type = Member::Type::symlink, .link = "/etc"}},
        {{.path = "d", .type = Member::Type::dir},
         {.path = "l", .type = Member::Type::symlink, .link = "d"},
         {.path = "l/x", .data = "x"}},
        {{.path = "p", .type = Member::Type::fifo}},
        {{.path = "h", .type = Member::Type::hardlink, .link = "missing"}},
    };
    for (const auto& members : bad) {
        write_tar(file("bad.tar"), members);
        keep(extract(file("bad.tar").string(), dest("out")));
    }
    ExtractOptions few;
    few.limits.max_entries = 0;
    keep(extract(file("x.tar").string(), dest("out"), few));
    std::ofstream(file("junk.tar"), std::ios::binary) << "junk";
    keep(extract(file("junk.tar").string(), dest("out")));
    EXPECT_EQ(errors.size(), 14U);
    for (const auto& error : errors) {
        SCOPED_TRACE(error.message_id);
        const auto it = templates.find(error.message_id);
        ASSERT_NE(it, templates.end());
        EXPECT_EQ(fill(it->second, error.args), error.message);
    }
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

enum class ZipMethod { store, deflate };

/// A .conda built here: a zip of `metadata.json` and the given members (name -> bytes).
void write_conda(const stdfs::path& path,
                 const std::vector<std::pair<std::string, std::string>>& members,
                 ZipMethod method = ZipMethod::store) {
    ::archive* writer = archive_write_new();
    archive_write_set_format_zip(writer);
    ASSERT_EQ(
        archive_write_set_options(writer, method == ZipMethod::store ? "zip:compression=store"
                                                                     : "zip:compression=deflate"),
        ARCHIVE_OK);
    ASSERT_EQ(archive_write_open_filename(writer, path.c_str()), ARCHIVE_OK);
    std::vector<std::pair<std::string, std::string>> all = {
        {"metadata.json", R"({"conda_pkg_format_version": 2})"}};
    all.insert(all.end(), members.begin(), members.end());
    for (const auto& [name, bytes] : all) {
        ::archive_entry* entry = archive_entry_new();
        archive_entry_set_pathname(entry, name.c_str());
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_perm(entry, 0644);
        archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
        ASSERT_EQ(archive_write_header(writer, entry), ARCHIVE_OK);
        ASSERT_EQ(archive_write_data(writer, bytes.data(), bytes.size()),
                  static_cast<la_ssize_t>(bytes.size()));
        archive_entry_free(entry);
    }
    ASSERT_EQ(archive_write_close(writer), ARCHIVE_OK);
    archive_write_free(writer);
}

class CondaBuiltHereTest : public ExtractTest {
protected:
    std::string tar_zst(const std::vector<Member>& members) {
        write_tar(file("part.tar.zst"), members, Filter::zstd);
        return slurp(file("part.tar.zst"));
    }
};

TEST_F(CondaBuiltHereTest, StoredAndDeflatedOuterZipsBothStream) {
    const auto info = tar_zst({{.path = "info/index.json", .data = R"({"name": "x"})"}});
    const auto pkg = tar_zst({{.path = "bin/tool", .data = "#!/bin/sh\n", .perm = 0755},
                              {.path = "lib/big", .zero_bytes = 3ULL << 20}});
    for (const auto method : {ZipMethod::store, ZipMethod::deflate}) {
        SCOPED_TRACE(method == ZipMethod::store ? "store" : "deflate");
        const auto conda = file("x-1.0-0.conda");
        // pkg before info, as several real packages have them.
        write_conda(conda, {{"pkg-x-1.0-0.tar.zst", pkg}, {"info-x-1.0-0.tar.zst", info}}, method);
        const auto out = dest(method == ZipMethod::store ? "store" : "deflate");
        const auto summary = extract(conda, out);
        ASSERT_THAT(summary, Succeeds());
        EXPECT_EQ(summary->files, 3U);
        EXPECT_EQ(summary->bytes, 13U + 10U + (3U << 20));
        const auto tree = snapshot(out);
        EXPECT_EQ(keys(tree), (std::vector<std::string>{"bin", "bin/tool", "info",
                                                        "info/index.json", "lib", "lib/big"}));
        EXPECT_EQ(tree.at("bin/tool"), (Node{'f', 0755, "#!/bin/sh\n"}));
        EXPECT_EQ(tree.at("lib/big").data, std::string(3U << 20, '\0'));
        const auto index = read_entry(conda, "info/index.json");
        ASSERT_THAT(index, Succeeds());
        EXPECT_EQ(*index, R"({"name": "x"})");
    }
}

TEST_F(CondaBuiltHereTest, TheInnerTarsGetTheSameChecks) {
    const auto info = tar_zst({{.path = "info/index.json", .data = "{}"}});
    const auto evil = tar_zst({{.path = "lib", .type = Member::Type::symlink, .link = "share"},
                               {.path = "share", .type = Member::Type::dir},
                               {.path = "lib/x", .data = "x"}});
    const auto conda = file("evil-1.0-0.conda");
    write_conda(conda, {{"info-evil-1.0-0.tar.zst", info}, {"pkg-evil-1.0-0.tar.zst", evil}});
    const auto result = extract(conda, dest("out"));
    ASSERT_THAT(result, FailsWithId("archive.unsafe.through_symlink"));
    EXPECT_EQ(result.error().arg_value("entry"), "lib/x");
    EXPECT_EQ(result.error().arg_value("link"), "lib");
    EXPECT_EQ(result.error().arg_value("archive"), conda.string());
    EXPECT_FALSE(stdfs::exists(dest("out")));

    // Without its info tar a .conda is incomplete; a damaged inner tar is corrupt.
    write_conda(file("noinfo-1.0-0.conda"), {{"pkg-noinfo-1.0-0.tar.zst", info}});
    const auto incomplete = extract(file("noinfo-1.0-0.conda"), dest("out"));
    ASSERT_THAT(incomplete, FailsWithId("archive.conda.incomplete"));
    EXPECT_EQ(incomplete.error().arg_value("part"), "info");
    EXPECT_FALSE(stdfs::exists(dest("out")));

    write_conda(file("bad-1.0-0.conda"),
                {{"info-bad-1.0-0.tar.zst", info.substr(0, info.size() / 2)}});
    EXPECT_THAT(extract(file("bad-1.0-0.conda"), dest("out")), FailsWithId("archive.corrupt"));
    EXPECT_FALSE(stdfs::exists(dest("out")));
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

TEST_F(ExtractTest, NonAsciiNamesSurviveTheCLocale) {
    // Written with python3's zipfile (UTF-8 flag) and tarfile (raw UTF-8 bytes in GNU headers):
    // this test process runs in the "C" locale, where libarchive cannot convert such names
    // unless the reader switches the thread to UTF-8.
    const auto script = file("make.py");
    std::ofstream(script)
        << "import io, sys, tarfile, zipfile\n"
           "names = ['donn\\u00e9es/\\u00e9.txt', '\\u4e2d\\u6587.txt']\n"
           "with zipfile.ZipFile(sys.argv[1], 'w') as z:\n"
           "    for n in names: z.writestr(n, n)\n"
           "with tarfile.open(sys.argv[2], 'w', format=tarfile.GNU_FORMAT) as t:\n"
           "    for n in names:\n"
           "        i = tarfile.TarInfo(n); d = n.encode(); i.size = len(d)\n"
           "        t.addfile(i, io.BytesIO(d))\n";
    const auto command = "python3 '" + script.string() + "' '" + file("u.zip").string() + "' '" +
                         file("u.tar").string() + "'";
    if (std::system(command.c_str()) != 0) {  // NOLINT(cert-env33-c): fixed, quoted command
        GTEST_SKIP() << "python3 is not available";
    }
    const std::string e_acute = "\xc3\xa9";
    const std::string zhongwen = "\xe4\xb8\xad\xe6\x96\x87.txt";
    for (const auto* name : {"u.zip", "u.tar"}) {
        SCOPED_TRACE(name);
        const auto out = dest(std::string("out-") + name);
        ASSERT_THAT(extract(file(name), out), Succeeds());
        EXPECT_EQ(keys(snapshot(out)), (std::vector<std::string>{
                                           "donn" + e_acute + "es",
                                           "donn" + e_acute + "es/" + e_acute + ".txt", zhongwen}));
        const auto content = read_entry(file(name), zhongwen);
        ASSERT_THAT(content, Succeeds());
        EXPECT_EQ(*content, zhongwen);
    }
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

TEST_F(ExtractTest, ZipEntriesGetTheSameChecks) {
    // Zips (wheels) written with python3's zipfile: a traversal, an absolute path, a unix
    // symlink (mode in the external attributes) to /etc.
    const auto script = file("make_zips.py");
    std::ofstream(script) << "import sys, zipfile\n"
                             "d = sys.argv[1]\n"
                             "with zipfile.ZipFile(d + '/up.whl', 'w') as z:\n"
                             "    z.writestr('ok.txt', 'ok'); z.writestr('../evil.txt', 'x')\n"
                             "with zipfile.ZipFile(d + '/abs.whl', 'w') as z:\n"
                             "    z.writestr('/tmp/envsmith-evil.txt', 'x')\n"
                             "with zipfile.ZipFile(d + '/link.whl', 'w') as z:\n"
                             "    i = zipfile.ZipInfo('etc'); i.create_system = 3\n"
                             "    i.external_attr = 0o120777 << 16; z.writestr(i, '/etc')\n"
                             "    z.writestr('etc/evil.txt', 'x')\n";
    const auto command = "python3 '" + script.string() + "' '" + m_tmp.path().string() + "'";
    if (std::system(command.c_str()) != 0) {  // NOLINT(cert-env33-c): fixed, quoted command
        GTEST_SKIP() << "python3 is not available";
    }
    struct Case {
        std::string file;
        std::string id;
        std::string entry;
    };
    for (const auto& c : std::vector<Case>{
             {"up.whl", "archive.unsafe.path_escape", "../evil.txt"},
             {"abs.whl", "archive.unsafe.absolute_path", "/tmp/envsmith-evil.txt"},
             {"link.whl", "archive.unsafe.link_escape", "etc"},
         }) {
        SCOPED_TRACE(c.file);
        const auto result = extract(file(c.file), dest("out"));
        ASSERT_THAT(result, FailsWithId(c.id));
        EXPECT_EQ(result.error().arg_value("entry"), c.entry);
        EXPECT_FALSE(stdfs::exists(dest("out")));
    }
    EXPECT_FALSE(stdfs::exists(m_tmp.path().parent_path() / "evil.txt"));
    EXPECT_FALSE(stdfs::exists("/tmp/envsmith-evil.txt"));
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

TEST_F(ExtractTest, WriteFailuresAreIoErrorsNamingThePath) {
    // A name longer than NAME_MAX (255) fails in openat/mkdirat even for root.
    const std::string long_name(300, 'n');
    for (const auto& path : {long_name, "dir/" + long_name + "/file"}) {
        SCOPED_TRACE(path.substr(0, 8));
        write_tar(file("long.tar"), {{.path = "ok", .data = "ok"}, {.path = path, .data = "x"}});
        const auto result = extract(file("long.tar"), dest("out"));
        ASSERT_THAT(result, FailsWithId("archive.io"));
        EXPECT_EQ(result.error().code, core::ErrorCode::unavailable);
        EXPECT_EQ(result.error().arg_value("entry"), path);
        const auto shown = path == long_name ? path : "dir/" + long_name;
        EXPECT_EQ(result.error().arg_value("path"), (dest("out") / shown).string());
        EXPECT_EQ(result.error().arg_value("detail"), "File name too long");
        EXPECT_FALSE(stdfs::exists(dest("out")));
    }
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

TEST_F(ExtractTest, ZipCrcMismatchesAreCorrupt) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    // One bit flipped in the middle of colander/__init__.py's deflate data: inflate still
    // succeeds (`unzip -t` reports "bad CRC"); libarchive reports it as ARCHIVE_WARN (here: the
    // size is wrong), which an extraction must not accept.
    auto bytes = slurp(data + "/pip/tests/data/packages/colander-0.9.9-py2.py3-none-any.whl");
    const std::string name = "colander/__init__.py";
    // Find the local header of `name`: signature, 26 bytes of fields, then the name.
    std::size_t local = std::string::npos;
    for (auto at = bytes.find("PK\x03\x04"); at != std::string::npos;
         at = bytes.find("PK\x03\x04", at + 4)) {
        if (bytes.compare(at + 30, name.size(), name) == 0) {
            local = at;
            break;
        }
    }
    ASSERT_NE(local, std::string::npos);
    auto u16 = [&](std::size_t at) {
        return static_cast<std::size_t>(static_cast<unsigned char>(bytes[at])) |
               static_cast<std::size_t>(static_cast<unsigned char>(bytes[at + 1])) << 8U;
    };
    auto u32 = [&](std::size_t at) { return u16(at) | u16(at + 2) << 16U; };
    const auto data_start = local + 30 + u16(local + 26) + u16(local + 28);
    const auto compressed = u32(local + 18);
    ASSERT_GT(compressed, 1000U);
    bytes[data_start + compressed / 2] =
        static_cast<char>(bytes[data_start + compressed / 2] ^ 0x20);
    const auto flipped = file("flipped-0.9.9-py2.py3-none-any.whl");
    std::ofstream(flipped, std::ios::binary) << bytes;

    const auto result = extract(flipped, dest("out"));
    ASSERT_THAT(result, FailsWithId("archive.corrupt"));
    EXPECT_EQ(result.error().arg_value("entry"), name);
    EXPECT_FALSE(stdfs::exists(dest("out")));
    EXPECT_THAT(read_entry(flipped, name), FailsWithId("archive.corrupt"));
}

}  // namespace
}  // namespace envsmith::archive

namespace envsmith::archive {
namespace {

TEST_F(ExtractTest, AFailureBehindASymlinkedDestinationLeavesNothingEither) {
    ASSERT_TRUE(stdfs::create_directory(dest("real")));
    stdfs::create_directory_symlink(dest("real"), dest("link"));
    write_tar(file("bad.tar"), {{.path = "a/b", .data = "x"}, {.path = "../up", .data = "x"}});
    ASSERT_THAT(extract(file("bad.tar"), dest("link")), FailsWithId("archive.unsafe.path_escape"));
    EXPECT_FALSE(stdfs::exists(dest("real")));
    EXPECT_FALSE(stdfs::exists(stdfs::symlink_status(dest("link"))));

    ASSERT_TRUE(stdfs::create_directory(dest("real")));
    stdfs::create_directory_symlink(dest("real"), dest("link"));
    write_tar(file("good.tar"), {{.path = "a/b", .data = "x"}});
    ASSERT_THAT(extract(file("good.tar"), dest("link")), Succeeds());
    EXPECT_EQ(slurp(dest("real") / "a/b"), "x");
}

}  // namespace
}  // namespace envsmith::archive
