// conda-meta records and history: the JSON has the shape conda, mamba and rattler read, and a
// real Python reads a linked prefix back the way conda's PrefixData does.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "install_test_support.hpp"
#include "temp_dir.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/install/link.hpp"
#include "envsmith/install/prefix_record.hpp"

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

/// The reference shape: the keys and value types of the conda-meta records conda (4.x to 24.x)
/// writes, here for a zlib from defaults. The shared test data has no conda-meta file, so this
/// one is written by hand; its values are illustrative, only the keys and types matter.
constexpr const char* conda_written_record = R"({
  "build": "h5eee18b_0",
  "build_number": 0,
  "channel": "https://repo.anaconda.com/pkgs/main/linux-64",
  "constrains": [],
  "depends": ["libgcc-ng >=11.2.0"],
  "extracted_package_dir": "/opt/conda/pkgs/zlib-1.2.13-h5eee18b_0",
  "files": ["include/zconf.h", "lib/libz.so", "lib/pkgconfig/zlib.pc"],
  "fn": "zlib-1.2.13-h5eee18b_0.conda",
  "license": "Zlib",
  "license_family": "Other",
  "link": {"source": "/opt/conda/pkgs/zlib-1.2.13-h5eee18b_0", "type": 1},
  "md5": "333e31fb1fb2b1dfb2ba9bd3f1e05d35",
  "name": "zlib",
  "package_tarball_full_path": "/opt/conda/pkgs/zlib-1.2.13-h5eee18b_0.conda",
  "paths_data": {
    "paths": [
      {"_path": "include/zconf.h", "path_type": "hardlink",
       "sha256": "77304005ceb5f0d03ad4c37eb8386a10866e4ceeb204f7c3b6599834c7319541",
       "sha256_in_prefix": "77304005ceb5f0d03ad4c37eb8386a10866e4ceeb204f7c3b6599834c7319541",
       "size_in_bytes": 16262},
      {"_path": "lib/libz.so", "path_type": "softlink",
       "sha256": "79aa69435cd17d98c25fbe1ac03aa6681b6edee04a5fb04c141ab1effcaa3c3f",
       "size_in_bytes": 133384},
      {"_path": "lib/pkgconfig/zlib.pc", "file_mode": "text", "path_type": "hardlink",
       "prefix_placeholder": "/croot/zlib_1714514696000/_h_env_placehold_placehold_placehold_placehold_placehold",
       "sha256": "5613df6f1a56c1c3e0c2aa3da9284b51de9682882a6a9ba7af68a07745cb3aac",
       "sha256_in_prefix": "e9a1b4fbcbc2e0e6e5c5c8a3d4b1c7e0f6a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5",
       "size_in_bytes": 281}
    ],
    "paths_version": 1
  },
  "requested_spec": "zlib",
  "sha256": "8e8eb8c8b7a6a2e2e4ab1a5b8f4f8d7c9a6e1f0d3c2b1a09f8e7d6c5b4a39281",
  "size": 113585,
  "subdir": "linux-64",
  "timestamp": 1714514801000,
  "url": "https://repo.anaconda.com/pkgs/main/linux-64/zlib-1.2.13-h5eee18b_0.conda",
  "version": "1.2.13"
})";

/// Every key of `reference` is in `actual` with a value of the same JSON type, recursively
/// (arrays: their first elements).
void expect_same_shape(const json& reference, const json& actual, const std::string& where) {
    ASSERT_EQ(reference.type_name(), actual.type_name()) << where;
    if (reference.is_object()) {
        for (const auto& [key, value] : reference.items()) {
            SCOPED_TRACE(where + "." + key);
            ASSERT_TRUE(actual.contains(key)) << "missing key " << where << "." << key;
            // Numbers: conda writes unsigned and signed integers alike.
            if (value.is_number_integer() && actual[key].is_number_integer()) {
                continue;
            }
            expect_same_shape(value, actual[key], where + "." + key);
        }
    } else if (reference.is_array() && !reference.empty() && !actual.empty()) {
        expect_same_shape(reference.front(), actual.front(), where + "[0]");
    }
}

PrefixRecord sample_record() {
    PrefixRecord record;
    record.package.name = "zlib";
    record.package.version = "1.2.11";
    record.package.build = "h7b6447c_3";
    record.package.build_number = 3;
    record.package.channel = "https://repo.anaconda.com/pkgs/main/linux-64";
    record.package.subdir = "linux-64";
    record.package.url = "https://repo.anaconda.com/pkgs/main/linux-64/zlib-1.2.11-h7b6447c_3.conda";
    record.package.fn = "zlib-1.2.11-h7b6447c_3.conda";
    record.package.md5 = "0123456789abcdef0123456789abcdef";
    record.package.sha256 = std::string(64, 'a');
    record.package.size = 103314;
    record.package.depends = {"libgcc-ng >=7.3.0"};
    record.package.license = "zlib";
    record.package.license_family = "Other";
    record.package.timestamp = 1542814864621;
    record.package.package_tarball_full_path = "/cache/zlib-1.2.11-h7b6447c_3.conda";
    record.extracted_package_dir = "/cache/zlib-1.2.11-h7b6447c_3";
    record.requested_spec = "zlib";
    record.link_type = RecordedLinkType::hardlink;
    record.paths = {
        {"include/zconf.h", "hardlink", std::string(64, 'b'), std::string(64, 'b'), 16262, "", "", false},
        {"lib/libz.so", "softlink", std::string(64, 'c'), "", 133384, "", "", false},
        {"lib/pkgconfig/zlib.pc", "hardlink", std::string(64, 'd'), std::string(64, 'e'), 281, "text",
         "/opt/anaconda1anaconda2anaconda3", false},
    };
    return record;
}

TEST(PrefixRecordTest, HasTheKeysAndTypesOfCondaRecords) {
    const auto reference = json::parse(conda_written_record);
    const auto ours = json::parse(prefix_record_json(sample_record()));
    expect_same_shape(reference, ours, "record");
    // Nothing beyond what conda writes, except the noarch keys (absent here).
    for (const auto& [key, value] : ours.items()) {
        EXPECT_TRUE(reference.contains(key)) << "unexpected key " << key;
    }
    EXPECT_EQ(ours["files"], json::array({"include/zconf.h", "lib/libz.so", "lib/pkgconfig/zlib.pc"}));
    EXPECT_EQ(ours["link"], json({{"source", "/cache/zlib-1.2.11-h7b6447c_3"}, {"type", 1}}));
    EXPECT_FALSE(ours["paths_data"]["paths"][1].contains("sha256_in_prefix"));
    EXPECT_FALSE(ours["paths_data"]["paths"][0].contains("file_mode"));
}

TEST(PrefixRecordTest, EmptyHashesAreLeftOutAndNoarchIsNamed) {
    auto record = sample_record();
    record.package.md5.clear();
    record.package.sha256.clear();
    record.package.noarch = "python";
    const auto ours = json::parse(prefix_record_json(record));
    EXPECT_FALSE(ours.contains("md5"));
    EXPECT_FALSE(ours.contains("sha256"));
    EXPECT_EQ(ours["noarch"], "python");
    EXPECT_EQ(ours["package_type"], "noarch_python");
}

TEST(PrefixRecordTest, HistoryGetsOneRevisionPerCall) {
    TempDir tmp;
    const auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1700000000));
    auto zlib = sample_record().package;
    PackageRecordInfo local;
    local.name = "tool";
    local.version = "1.0";
    local.build = "0";
    ASSERT_TRUE(append_history(tmp.path().string(), {zlib, local}, "envsmith create -p /opt/env", when).has_value());
    ASSERT_TRUE(append_history(tmp.path().string(), {}, "envsmith create again", when + std::chrono::hours(1)).has_value());
    EXPECT_EQ(read_all(tmp.path() / "conda-meta/history"),
              "==> 2023-11-14 22:13:20 <==\n"
              "# cmd: envsmith create -p /opt/env\n"
              "+https://repo.anaconda.com/pkgs/main/linux-64::zlib-1.2.11-h7b6447c_3\n"
              "+tool-1.0-0\n"
              "==> 2023-11-14 23:13:20 <==\n"
              "# cmd: envsmith create again\n");
}

TEST(PrefixRecordTest, WriteFailsWithAnIoErrorWhereCondaMetaCannotBeMade) {
    TempDir tmp;
    std::ofstream(tmp.path() / "conda-meta") << "a file, not a directory";
    const auto written = write_prefix_record(tmp.path().string(), sample_record());
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().message_id, "install.link.io");
}

TEST(PrefixRecordTest, PrefixFilesAreSeededFromCondaMetaRecords) {
    TempDir tmp;
    const auto empty = PrefixFiles::from_prefix(tmp.path().string());
    ASSERT_TRUE(empty.has_value());
    EXPECT_EQ(empty->size(), 0U);
    ASSERT_TRUE(write_prefix_record(tmp.path().string(), sample_record()).has_value());
    const auto seeded = PrefixFiles::from_prefix(tmp.path().string());
    ASSERT_TRUE(seeded.has_value()) << seeded.error().describe();
    EXPECT_EQ(seeded->size(), 3U);
    ASSERT_NE(seeded->owner("lib/libz.so"), nullptr);
    EXPECT_EQ(*seeded->owner("lib/libz.so"), "zlib-1.2.11-h7b6447c_3");
    std::ofstream(tmp.path() / "conda-meta/broken-1-0.json") << "{";
    const auto broken = PrefixFiles::from_prefix(tmp.path().string());
    ASSERT_FALSE(broken.has_value());
    EXPECT_EQ(broken.error().message_id, "install.link.metadata_invalid");
}

/// Reads a prefix the way conda's PrefixData does (conda-meta/*.json named after
/// name-version-build, every listed file present) and prints "name version build files" lines.
constexpr const char* python_reader = R"(
import glob, json, os, sys
prefix = sys.argv[1]
assert os.path.isfile(os.path.join(prefix, "conda-meta", "history")), "no history: not an environment"
for path in sorted(glob.glob(os.path.join(prefix, "conda-meta", "*.json"))):
    with open(path) as f:
        record = json.load(f)
    stem = os.path.basename(path)[:-5]
    assert stem == "%s-%s-%s" % (record["name"], record["version"], record["build"]), stem
    assert record["files"] == [p["_path"] for p in record["paths_data"]["paths"]]
    assert record["paths_data"]["paths_version"] == 1
    assert record["link"]["type"] in (1, 2, 3, 4)
    for p in record["paths_data"]["paths"]:
        assert os.path.lexists(os.path.join(prefix, p["_path"])), p["_path"]
        if "sha256_in_prefix" in p and p["path_type"] != "softlink":
            import hashlib
            with open(os.path.join(prefix, p["_path"]), "rb") as f:
                assert hashlib.sha256(f.read()).hexdigest() == p["sha256_in_prefix"], p["_path"]
    print(record["name"], record["version"], record["build"], len(record["files"]))
)";

TEST(PrefixRecordTest, PythonReadsTheLinkedPrefixBack) {
    const auto archive = testdata / "conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2";
    if (testdata.empty() || !stdfs::exists(archive) || !stdfs::exists("/usr/bin/python3")) {
        GTEST_SKIP() << "test data or python3 not available";
    }
    TempDir tmp;
    const auto pkg = tmp.path() / "pkgs/zlib-1.2.11-h7b6447c_3";
    const auto extract = "cph x '" + archive.string() + "' --dest '" + pkg.string() + "' >/dev/null 2>&1";
    ASSERT_EQ(std::system(extract.c_str()), 0);
    auto info = read_package_record(pkg.string());
    ASSERT_TRUE(info.has_value());
    const auto prefix = tmp.path() / "prefix";
    PrefixFiles owners;
    core::NullReporter reporter;
    const auto linked = link_package(pkg.string(), *info, {prefix.string(), "/opt/envsmith/envs/demo"}, {},
                                     owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    ASSERT_TRUE(append_history(prefix.string(), {*info}, "envsmith create", std::chrono::system_clock::now()).has_value());
    std::ofstream(tmp.path() / "reader.py") << python_reader;
    const auto command = "python3 '" + (tmp.path() / "reader.py").string() + "' '" + prefix.string() + "' > '" +
                         (tmp.path() / "out.txt").string() + "' 2>&1";
    const int status = std::system(command.c_str());
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << read_all(tmp.path() / "out.txt");
    EXPECT_EQ(read_all(tmp.path() / "out.txt"), "zlib 1.2.11 h7b6447c_3 7\n");
}

}  // namespace
}  // namespace envsmith::install
