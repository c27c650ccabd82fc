// The same package as .conda and as .tar.bz2, extracted with archive::extract and linked with
// link_package, gives the same prefix and the same conda-meta record.

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "install_test_support.hpp"
#include "temp_dir.hpp"
#include "envsmith/archive/extract.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/install/link.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;

#ifdef ENVSMITH_TESTDATA_DIR
const stdfs::path testdata = ENVSMITH_TESTDATA_DIR;
#else
const stdfs::path testdata;
#endif

using test::TempDir;

using test_support::read_all;

/// Every entry below `root` (conda-meta left out) as "kind mode content-or-target".
std::map<std::string, std::string> tree_of(const stdfs::path& root) {
    std::map<std::string, std::string> out;
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
        const auto relative = stdfs::relative(entry.path(), root).generic_string();
        if (relative.starts_with("conda-meta")) {
            continue;
        }
        struct stat st {};
        ::lstat(entry.path().c_str(), &st);
        const auto mode = std::to_string(st.st_mode & 07777);
        if (entry.is_symlink()) {
            out[relative] = "symlink -> " + stdfs::read_symlink(entry.path()).string();
        } else if (entry.is_directory()) {
            out[relative] = "dir " + mode;
        } else {
            out[relative] = "file " + mode + " " + read_all(entry.path());
        }
    }
    return out;
}

struct Linked {
    std::map<std::string, std::string> tree;
    json record;
};

Linked extract_and_link(const stdfs::path& archive, const stdfs::path& work, const std::string& fn) {
    const auto pkg = work / "pkg";
    const auto extracted = archive::extract(archive.string(), pkg.string());
    EXPECT_TRUE(extracted.has_value()) << (extracted ? "" : extracted.error().describe());
    auto info = read_package_record(pkg.string());
    EXPECT_TRUE(info.has_value()) << (info ? "" : info.error().describe());
    if (!extracted || !info) {
        return {};
    }
    info->fn = fn;
    PrefixFiles owners;
    core::NullReporter reporter;
    const auto linked = link_package(pkg.string(), *info, {(work / "prefix").string(), "/opt/envsmith/envs/demo"},
                                     {}, owners, reporter);
    EXPECT_TRUE(linked.has_value()) << (linked ? "" : linked.error().describe());
    if (!linked) {
        return {};
    }
    auto record = json::parse(read_all(linked->record_path));
    record.erase("fn");
    record.erase("extracted_package_dir");
    record.erase("link");
    return {tree_of(work / "prefix"), std::move(record)};
}

TEST(LinkCondaFormatTest, ZlibAsCondaAndTarBz2GivesTheSamePrefix) {
    const auto dir = testdata / "conda/tests/data/conda_format_repo/linux-64";
    if (testdata.empty() || !stdfs::exists(dir / "zlib-1.2.11-h7b6447c_3.conda")) {
        GTEST_SKIP() << "conda test data is not available";
    }
    TempDir tmp;
    stdfs::create_directories(tmp.path() / "conda");
    stdfs::create_directories(tmp.path() / "bz2");
    const auto from_conda = extract_and_link(dir / "zlib-1.2.11-h7b6447c_3.conda", tmp.path() / "conda",
                                             "zlib-1.2.11-h7b6447c_3.conda");
    const auto from_bz2 = extract_and_link(dir / "zlib-1.2.11-h7b6447c_3.tar.bz2", tmp.path() / "bz2",
                                           "zlib-1.2.11-h7b6447c_3.tar.bz2");
    ASSERT_EQ(from_conda.tree.size(), 10U);  // 7 files; include, lib, lib/pkgconfig
    EXPECT_EQ(from_conda.tree, from_bz2.tree);
    EXPECT_EQ(from_conda.record, from_bz2.record);
    EXPECT_NE(from_conda.tree.at("lib/pkgconfig/zlib.pc").find("prefix=/opt/envsmith/envs/demo"), std::string::npos);
    EXPECT_EQ(from_conda.record["files"].size(), 7U);
}

}  // namespace
}  // namespace envsmith::install
