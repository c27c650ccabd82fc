// Linking extracted conda packages into a prefix: real packages from the shared test data
// (extracted with Debian's `cph`), synthetic packages for placeholders, scripts and clobbers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "temp_dir.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/install/link.hpp"
#include "envsmith/install/prefix_placeholder.hpp"
#include "envsmith/install/prefix_record.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

#ifdef ENVSMITH_TESTDATA_DIR
const stdfs::path testdata = ENVSMITH_TESTDATA_DIR;
#else
const stdfs::path testdata;
#endif

class Recorder final : public core::Reporter {
public:
    struct Warning {
        std::string id;
        std::string text;
        std::vector<core::MessageArg> args;
        [[nodiscard]] std::string arg(std::string_view name) const {
            for (const auto& a : args) {
                if (a.name == name) {
                    return a.value;
                }
            }
            return {};
        }
    };
    void on_warning(std::string_view id, std::string_view text,
                    const std::vector<core::MessageArg>& args) override {
        warnings.push_back({std::string(id), std::string(text), args});
    }
    void on_log_line(std::string_view phase, std::string_view text) override {
        log.push_back(std::string(phase) + ": " + std::string(text));
    }
    std::vector<Warning> warnings;
    std::vector<std::string> log;
};

using test::TempDir;

std::string slurp(const stdfs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

void spit(const stdfs::path& path, std::string_view content, stdfs::perms perms = stdfs::perms(0644)) {
    stdfs::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
    stdfs::permissions(path, perms);
}

struct stat stat_of(const stdfs::path& path) {
    struct stat st {};
    EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
    return st;
}

/// Extracts a conda package with Debian's conda-package-handling.
bool cph_extract(const stdfs::path& archive, const stdfs::path& destination) {
    const auto command = "cph x '" + archive.string() + "' --dest '" + destination.string() + "' >/dev/null 2>&1";
    return std::system(command.c_str()) == 0 && stdfs::exists(destination / "info" / "index.json");
}

#define REQUIRE_TESTDATA(relative)                                                       \
    if (testdata.empty() || !stdfs::exists(testdata / (relative))) {                     \
        GTEST_SKIP() << "test data " << (relative) << " is not available";              \
    }

/// A package directory with info/index.json and info/paths.json from `paths`.
stdfs::path make_package(const stdfs::path& dir, const std::string& name, const json& paths,
                         const json& extra_index = json::object()) {
    json index = {{"name", name}, {"version", "1.0"}, {"build", "0"}, {"build_number", 0},
                  {"subdir", "linux-64"}, {"depends", json::array()}};
    index.update(extra_index);
    spit(dir / "info" / "index.json", index.dump());
    spit(dir / "info" / "paths.json", json({{"paths_version", 1}, {"paths", paths}}).dump());
    return dir;
}

LinkOptions with_spec(std::string spec) {
    LinkOptions options;
    options.requested_spec = std::move(spec);
    return options;
}
LinkOptions with_mode(LinkMode mode) {
    LinkOptions options;
    options.mode = mode;
    return options;
}
LinkOptions with_clobber(ClobberPolicy policy) {
    LinkOptions options;
    options.clobber = policy;
    return options;
}
LinkOptions with_scripts(LinkScripts scripts) {
    LinkOptions options;
    options.scripts = scripts;
    return options;
}
LinkOptions with_python() {
    LinkOptions options;
    options.python = PythonTarget{"3.11", "lib/python3.11/site-packages", "bin/python3.11"};
    return options;
}

/// The English template of `id` in locale/en/install_link.yaml, or "" when it is not there.
std::string english_template(std::string_view id) {
#ifdef ENVSMITH_SOURCE_DIR
    std::ifstream in(stdfs::path(ENVSMITH_SOURCE_DIR) / "locale/en/install_link.yaml");
    std::string line;
    const auto key = std::string(id) + ": \"";
    while (std::getline(in, line)) {
        if (line.starts_with(key) && line.ends_with("\"")) {
            return line.substr(key.size(), line.size() - key.size() - 1);
        }
    }
#endif
    return {};
}

std::string fill_args(const std::string& text, const std::vector<core::MessageArg>& args) {
    std::string out = text;
    for (const auto& arg : args) {
        const auto placeholder = "{" + arg.name + "}";
        for (auto pos = out.find(placeholder); pos != std::string::npos; pos = out.find(placeholder, pos + arg.value.size())) {
            out.replace(pos, placeholder.size(), arg.value);
        }
    }
    return out;
}

/// The catalog's English text filled with the args is the message (what diag relies on).
void expect_catalog_text(std::string_view id, const std::string& message, const std::vector<core::MessageArg>& args) {
    const auto text = english_template(id);
    ASSERT_FALSE(text.empty()) << id << " has no English text";
    EXPECT_EQ(fill_args(text, args), message) << id;
}
void expect_catalog_text(const core::Error& error) {
    expect_catalog_text(error.message_id, error.message, error.args);
}

PackageRecordInfo record_for(const stdfs::path& package_dir) {
    auto record = read_package_record(package_dir.string());
    EXPECT_TRUE(record.has_value()) << (record ? "" : record.error().describe());
    return record ? *record : PackageRecordInfo{};
}

// ---------------------------------------------------------------------------------------------
// Placeholder replacement as functions

TEST(PrefixPlaceholderTest, TextReplacesEveryOccurrence) {
    EXPECT_EQ(replace_prefix_text("a=/build/p\nb=/build/p/lib:/build/p/bin\n", "/build/p", "/opt/env"),
              "a=/opt/env\nb=/opt/env/lib:/opt/env/bin\n");
}

TEST(PrefixPlaceholderTest, LongShebangBecomesUsrBinEnv) {
    const std::string long_prefix = "/opt/" + std::string(130, 'x');
    const auto out = replace_prefix_text("#!/build/p/bin/python3.11 -E\nprint('/build/p')\n", "/build/p", long_prefix);
    EXPECT_EQ(out, "#!/usr/bin/env python3.11 -E\nprint('" + long_prefix + "')\n");
    // At the limit it is kept: "#!" + interpreter is exactly 127 bytes.
    const std::string fits = "/" + std::string(127 - 2 - 1 - 7, 'y');
    const auto kept = replace_prefix_text("#!/P/bin/sh\n", "/P", fits.substr(0, fits.size() - 7));
    EXPECT_EQ(kept.find("#!/usr/bin/env"), std::string::npos);
    EXPECT_EQ(shorten_long_shebang("#!/a\\ b/bin/python\n"), "#!/usr/bin/env python\n");
    EXPECT_EQ(shorten_long_shebang("no shebang " + long_prefix), "no shebang " + long_prefix);
}

TEST(PrefixPlaceholderTest, BinaryKeepsTheLengthAndPadsEachCString) {
    using namespace std::string_literals;
    const auto input = "\x7f" "ELF\0/build/placeholder/lib:/build/placeholder/x\0tail/build/placeholder"s;
    const auto out = replace_prefix_binary(input, "/build/placeholder", "/opt/e", "lib/x.so");
    ASSERT_TRUE(out.has_value());
    EXPECT_EQ(out->size(), input.size());
    // Both occurrences inside the first C string are replaced, 2 x 12 bytes of padding follow.
    EXPECT_EQ(*out, "\x7f" "ELF\0/opt/e/lib:/opt/e/x"s + std::string(24, '\0') + "\0tail/build/placeholder"s);
}

TEST(PrefixPlaceholderTest, BinaryRefusesALongerPrefix) {
    using namespace std::string_literals;
    const auto out = replace_prefix_binary("x/short\0"s, "/short", "/much/longer/prefix", "lib/libx.so");
    ASSERT_FALSE(out.has_value());
    EXPECT_EQ(out.error().message_id, "install.link.prefix_too_long");
    expect_catalog_text(out.error());
    EXPECT_EQ(out.error().arg_value("path"), "lib/libx.so");
    EXPECT_THAT(out.error().message, HasSubstr("/much/longer/prefix"));
    // No placeholder in the file: nothing to refuse.
    EXPECT_TRUE(replace_prefix_binary("nothing here\0"s, "/short", "/much/longer/prefix", "x").has_value());
}

// ---------------------------------------------------------------------------------------------
// Real packages

TEST(LinkTest, ZlibTarBz2HardlinksPlainFilesAndRewritesThePkgConfigFile) {
    REQUIRE_TESTDATA("conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2");
    TempDir tmp;
    const auto pkg = tmp.path() / "pkgs" / "zlib-1.2.11-h7b6447c_3";
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/conda_format_repo/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2", pkg));
    auto info = record_for(pkg);
    info.channel = "https://repo.anaconda.com/pkgs/main";
    info.url = info.channel + "/linux-64/zlib-1.2.11-h7b6447c_3.tar.bz2";
    info.fn = "zlib-1.2.11-h7b6447c_3.tar.bz2";
    const PrefixTarget target{tmp.str("stage"), "/opt/envsmith/envs/demo"};
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), info, target, with_spec("zlib"), owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();

    const auto stage = tmp.path() / "stage";
    // Plain files share the inode with the package directory (same file system here).
    EXPECT_EQ(stat_of(stage / "lib/libz.so.1.2.11").st_ino, stat_of(pkg / "lib/libz.so.1.2.11").st_ino);
    EXPECT_EQ(stat_of(stage / "include/zlib.h").st_ino, stat_of(pkg / "include/zlib.h").st_ino);
    // The placeholder file is a new file with the image's prefix in it.
    EXPECT_NE(stat_of(stage / "lib/pkgconfig/zlib.pc").st_ino, stat_of(pkg / "lib/pkgconfig/zlib.pc").st_ino);
    const auto pc = slurp(stage / "lib/pkgconfig/zlib.pc");
    EXPECT_THAT(pc, HasSubstr("prefix=/opt/envsmith/envs/demo\n"));
    EXPECT_THAT(pc, Not(HasSubstr("anaconda1anaconda2anaconda3")));
    EXPECT_THAT(slurp(pkg / "lib/pkgconfig/zlib.pc"), HasSubstr("/opt/anaconda1anaconda2anaconda3"));
    // The two "softlinks" of this test package are empty regular files: copied, not linked.
    EXPECT_EQ(linked->hardlinked, 4U);
    EXPECT_EQ(linked->copied, 2U);
    EXPECT_EQ(linked->rewritten, 1U);
    EXPECT_EQ(owners.size(), 7U);
    EXPECT_TRUE(reporter.warnings.empty());

    ASSERT_EQ(linked->record_path, (stage / "conda-meta/zlib-1.2.11-h7b6447c_3.json").string());
    const auto record = json::parse(slurp(linked->record_path));
    EXPECT_EQ(record["name"], "zlib");
    EXPECT_EQ(record["build_number"], 3);
    EXPECT_EQ(record["depends"], json::array({"libgcc-ng >=7.3.0"}));
    EXPECT_EQ(record["requested_spec"], "zlib");
    EXPECT_EQ(record["link"]["type"], 1);
    EXPECT_EQ(record["link"]["source"], pkg.string());
    EXPECT_EQ(record["extracted_package_dir"], pkg.string());
    EXPECT_EQ(record["files"], json::array({"include/zconf.h", "include/zlib.h", "lib/libz.a", "lib/libz.so",
                                            "lib/libz.so.1", "lib/libz.so.1.2.11", "lib/pkgconfig/zlib.pc"}));
    const auto& paths = record["paths_data"]["paths"];
    ASSERT_EQ(paths.size(), 7U);
    EXPECT_EQ(record["paths_data"]["paths_version"], 1);
    const auto& pc_entry = paths[6];
    EXPECT_EQ(pc_entry["_path"], "lib/pkgconfig/zlib.pc");
    EXPECT_EQ(pc_entry["file_mode"], "text");
    EXPECT_EQ(pc_entry["prefix_placeholder"], "/opt/anaconda1anaconda2anaconda3");
    EXPECT_EQ(pc_entry["sha256"], "5613df6f1a56c1c3e0c2aa3da9284b51de9682882a6a9ba7af68a07745cb3aac");
    EXPECT_EQ(pc_entry["sha256_in_prefix"], core::sha256(pc).hex);
    EXPECT_EQ(pc_entry["size_in_bytes"], pc.size());
    EXPECT_EQ(paths[3]["path_type"], "softlink");
}

TEST(LinkTest, CopyModeWritesNewFilesWithTheSameModeBits) {
    REQUIRE_TESTDATA("conda/tests/data/test-recipes/noarch/small-executable-1.0-0.conda");
    TempDir tmp;
    const auto pkg = tmp.path() / "small-executable-1.0-0";
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/small-executable-1.0-0.conda", pkg));
    const PrefixTarget target{tmp.str("prefix"), tmp.str("prefix")};
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), target, with_mode(LinkMode::copy), owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    const auto prefix = tmp.path() / "prefix";
    EXPECT_EQ(linked->hardlinked, 0U);
    EXPECT_EQ(linked->copied, 5U);
    EXPECT_NE(stat_of(prefix / "bin/small").st_ino, stat_of(pkg / "bin/small").st_ino);
    EXPECT_EQ(stat_of(prefix / "bin/small").st_mode & 07777, stat_of(pkg / "bin/small").st_mode & 07777);
    EXPECT_NE(stat_of(prefix / "bin/small").st_mode & 0111, 0U);
    EXPECT_EQ(slurp(prefix / "bin/small"), slurp(pkg / "bin/small"));
    EXPECT_EQ(json::parse(slurp(linked->record_path))["link"]["type"], 3);
}

TEST(LinkTest, ClobberIsReportedAndTheLaterPackageWins) {
    REQUIRE_TESTDATA("conda/tests/data/test-recipes/noarch/clobber-a-1.0-0.conda");
    TempDir tmp;
    const auto a = tmp.path() / "clobber-a-1.0-0";
    const auto b = tmp.path() / "clobber-b-1.0-0";
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/clobber-a-1.0-0.conda", a));
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/clobber-b-1.0-0.conda", b));
    const PrefixTarget target{tmp.str("prefix"), tmp.str("prefix")};
    PrefixFiles owners;
    Recorder reporter;
    ASSERT_TRUE(link_package(a.string(), record_for(a), target, {}, owners, reporter).has_value());
    EXPECT_TRUE(reporter.warnings.empty());
    const auto second = link_package(b.string(), record_for(b), target, {}, owners, reporter);
    ASSERT_TRUE(second.has_value()) << second.error().describe();
    ASSERT_EQ(reporter.warnings.size(), 1U);
    const auto& warning = reporter.warnings[0];
    EXPECT_EQ(warning.id, "conda.clobber");
    expect_catalog_text(warning.id, warning.text, warning.args);
    EXPECT_EQ(warning.arg("path"), "bin/clobber-test-file");
    EXPECT_EQ(warning.arg("package"), "clobber-b-1.0-0");
    EXPECT_EQ(warning.arg("owner"), "clobber-a-1.0-0");
    EXPECT_EQ(warning.text, "`clobber-b-1.0-0` and `clobber-a-1.0-0` both install `bin/clobber-test-file`");
    EXPECT_EQ(second->clobbered, std::vector<std::string>{"bin/clobber-test-file"});
    EXPECT_EQ(slurp(tmp.path() / "prefix/bin/clobber-test-file"), slurp(b / "bin/clobber-test-file"));
    ASSERT_NE(owners.owner("bin/clobber-test-file"), nullptr);
    EXPECT_EQ(*owners.owner("bin/clobber-test-file"), "clobber-b-1.0-0");
    // The package directory of `a` was not written through the replaced hardlink.
    EXPECT_THAT(slurp(a / "bin/clobber-test-file"), HasSubstr("clobber-a"));
}

TEST(LinkTest, ClobberIsAnErrorWhenTheOptionSaysSo) {
    REQUIRE_TESTDATA("conda/tests/data/test-recipes/noarch/clobber-a-1.0-0.conda");
    TempDir tmp;
    const auto a = tmp.path() / "clobber-a-1.0-0";
    const auto b = tmp.path() / "clobber-b-1.0-0";
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/clobber-a-1.0-0.conda", a));
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/clobber-b-1.0-0.conda", b));
    const PrefixTarget target{tmp.str("prefix"), tmp.str("prefix")};
    PrefixFiles owners;
    Recorder reporter;
    const auto strict = with_clobber(ClobberPolicy::error);
    ASSERT_TRUE(link_package(a.string(), record_for(a), target, strict, owners, reporter).has_value());
    const auto second = link_package(b.string(), record_for(b), target, strict, owners, reporter);
    ASSERT_FALSE(second.has_value());
    EXPECT_EQ(second.error().message_id, "conda.clobber");
    expect_catalog_text(second.error());
    EXPECT_EQ(second.error().code, core::ErrorCode::conflict);
    EXPECT_EQ(second.error().arg_value("owner"), "clobber-a-1.0-0");
    EXPECT_THAT(slurp(tmp.path() / "prefix/bin/clobber-test-file"), HasSubstr("clobber-a"));
    EXPECT_EQ(*owners.owner("bin/clobber-test-file"), "clobber-a-1.0-0");
    EXPECT_FALSE(stdfs::exists(tmp.path() / "prefix/conda-meta/clobber-b-1.0-0.json"));
}

TEST(LinkTest, NoarchPythonGoesToSitePackagesAndNeedsAPython) {
    REQUIRE_TESTDATA("conda/tests/data/test-recipes/noarch/sample_noarch_python-1.0-py_0.conda");
    TempDir tmp;
    const auto pkg = tmp.path() / "sample_noarch_python-1.0-py_0";
    ASSERT_TRUE(cph_extract(testdata / "conda/tests/data/test-recipes/noarch/sample_noarch_python-1.0-py_0.conda", pkg));
    const PrefixTarget target{tmp.str("prefix"), "/opt/env"};
    PrefixFiles owners;
    Recorder reporter;
    const auto without = link_package(pkg.string(), record_for(pkg), target, {}, owners, reporter);
    ASSERT_FALSE(without.has_value());
    EXPECT_EQ(without.error().message_id, "install.link.noarch_python_without_python");
    expect_catalog_text(without.error());
    EXPECT_EQ(without.error().arg_value("package"), "sample_noarch_python-1.0-py_0");

    const auto options = with_python();
    const auto linked = link_package(pkg.string(), record_for(pkg), target, options, owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    EXPECT_TRUE(stdfs::exists(tmp.path() / "prefix/lib/python3.11/site-packages/sample.py"));
    EXPECT_FALSE(stdfs::exists(tmp.path() / "prefix/site-packages"));
    const auto record = json::parse(slurp(linked->record_path));
    EXPECT_EQ(record["files"], json::array({"lib/python3.11/site-packages/sample.py"}));
    EXPECT_EQ(record["noarch"], "python");
    EXPECT_EQ(record["package_type"], "noarch_python");
}

TEST(LinkTest, NoarchEntryPointsAreLaunchersForThePrefixPython) {
    TempDir tmp;
    const auto pkg = make_package(tmp.path() / "hello-1.0-py_0", "hello",
                                  json::array({{{"_path", "site-packages/hellomod/__init__.py"}, {"path_type", "hardlink"}},
                                               {{"_path", "python-scripts/hello-raw"}, {"path_type", "hardlink"}}}),
                                  {{"noarch", "python"}});
    spit(pkg / "site-packages/hellomod/__init__.py", "def main():\n    print('hello from hellomod')\n    return 3\n");
    spit(pkg / "python-scripts/hello-raw", "#!/bin/sh\necho raw\n", stdfs::perms(0755));
    spit(pkg / "info/link.json",
         R"({"noarch": {"type": "python", "entry_points": ["hello = hellomod:main"]}, "package_metadata_version": 1})");
    const auto prefix = tmp.path() / "prefix";
    const PrefixTarget target{prefix.string(), prefix.string()};
    const auto options = with_python();
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), target, options, owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    EXPECT_EQ(linked->generated, 1U);
    const auto launcher = slurp(prefix / "bin/hello");
    EXPECT_TRUE(launcher.starts_with("#!" + prefix.string() + "/bin/python3.11\n")) << launcher;
    EXPECT_NE(stat_of(prefix / "bin/hello").st_mode & 0111, 0U);
    EXPECT_TRUE(stdfs::exists(prefix / "bin/hello-raw"));

    // The launcher really runs: the prefix's python is the system one here.
    if (stdfs::exists("/usr/bin/python3")) {
        stdfs::create_symlink("/usr/bin/python3", prefix / "bin/python3.11");
        const auto command = "PYTHONPATH='" + (prefix / "lib/python3.11/site-packages").string() + "' '" +
                             (prefix / "bin/hello").string() + "' > '" + (tmp.path() / "out.txt").string() + "'";
        const int status = std::system(command.c_str());
        EXPECT_TRUE(WIFEXITED(status));
        EXPECT_EQ(WEXITSTATUS(status), 3);
        EXPECT_EQ(slurp(tmp.path() / "out.txt"), "hello from hellomod\n");
    }
    const auto record = json::parse(slurp(linked->record_path));
    EXPECT_EQ(record["files"], json::array({"bin/hello", "bin/hello-raw", "lib/python3.11/site-packages/hellomod/__init__.py"}));
    EXPECT_EQ(record["paths_data"]["paths"][0]["path_type"], "unix_python_entry_point");
    EXPECT_EQ(record["paths_data"]["paths"][0]["sha256_in_prefix"], core::sha256(launcher).hex);

    // A prefix too long for a shebang gets /usr/bin/env.
    TempDir other;
    const std::string deep = "/opt/" + std::string(140, 'd');
    PrefixFiles other_owners;
    const auto long_linked = link_package(pkg.string(), record_for(pkg), {other.str("p"), deep}, options, other_owners, reporter);
    ASSERT_TRUE(long_linked.has_value()) << long_linked.error().describe();
    EXPECT_TRUE(slurp(other.path() / "p/bin/hello").starts_with("#!/usr/bin/env python3.11\n"));
}

TEST(LinkTest, BadEntryPointIsAnError) {
    TempDir tmp;
    const auto pkg = make_package(tmp.path() / "bad-1.0-py_0", "bad", json::array(), {{"noarch", "python"}});
    spit(pkg / "info/link.json", R"({"noarch": {"type": "python", "entry_points": ["../evil = x:y"]}})");
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), tmp.str("p")},
                                     with_python(),
                                     owners, reporter);
    ASSERT_FALSE(linked.has_value());
    EXPECT_EQ(linked.error().message_id, "install.link.entry_point_invalid");
    expect_catalog_text(linked.error());
    EXPECT_EQ(linked.error().arg_value("entry_point"), "../evil = x:y");
}

/// A package whose files carry the placeholders of conda-22.9.0's paths.json, in text mode and
/// in binary mode.
class CondaPlaceholderTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto source = testdata / "rattler/test-data/conda-22.9.0-py38haa244fe_2-paths.json";
        if (testdata.empty() || !stdfs::exists(source)) {
            GTEST_SKIP() << "rattler test data is not available";
        }
        const auto paths = json::parse(slurp(source));
        json entries = json::array();
        for (const auto& entry : paths["paths"]) {
            if (!entry.contains("prefix_placeholder")) {
                continue;
            }
            const auto ph = entry["prefix_placeholder"].get<std::string>();
            const auto path = entry["_path"].get<std::string>();
            spit(pkg / path, "#!" + ph + "/python.exe\nA=" + ph + "\nB=" + ph + "/x\n");
            entries.push_back(entry);
            texts.emplace_back(path, ph);
        }
        ASSERT_EQ(texts.size(), 7U);
        placeholder = texts.front().second;  // D:/bld/conda_1667595064120/_h_env
        binary = std::string("\x7f" "ELF\0\0", 6) + placeholder + "/lib" + std::string(1, '\0') + "end";
        spit(pkg / "Lib/site-packages/conda/_native.so", binary, stdfs::perms(0755));
        entries.push_back({{"_path", "Lib/site-packages/conda/_native.so"}, {"path_type", "hardlink"},
                           {"file_mode", "binary"}, {"prefix_placeholder", placeholder}});
        make_package(pkg, "conda", entries);
    }

    TempDir tmp;
    stdfs::path pkg = tmp.path() / "conda-22.9.0-py38haa244fe_2";
    std::vector<std::pair<std::string, std::string>> texts;
    std::string placeholder;
    std::string binary;
};

TEST_F(CondaPlaceholderTest, TextAndBinaryFilesGetTheTargetPrefix) {
    const std::string prefix = "/opt/envsmith/envs/demo";
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("stage"), prefix}, {}, owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    EXPECT_EQ(linked->rewritten, 8U);
    for (const auto& [path, ph] : texts) {
        SCOPED_TRACE(path);
        EXPECT_EQ(slurp(tmp.path() / "stage" / path), "#!" + prefix + "/python.exe\nA=" + prefix + "\nB=" + prefix + "/x\n");
        EXPECT_NE(stat_of(tmp.path() / "stage" / path).st_ino, stat_of(pkg / path).st_ino);
    }
    const auto out = slurp(tmp.path() / "stage/Lib/site-packages/conda/_native.so");
    ASSERT_EQ(out.size(), binary.size());
    const auto expected = std::string("\x7f" "ELF\0\0", 6) + prefix + "/lib" +
                          std::string(placeholder.size() - prefix.size() + 1, '\0') + "end";
    EXPECT_EQ(out, expected);
    EXPECT_EQ(stat_of(tmp.path() / "stage/Lib/site-packages/conda/_native.so").st_mode & 0777, 0755U);
    // The package directory keeps its placeholders.
    EXPECT_EQ(slurp(pkg / "Lib/site-packages/conda/_native.so"), binary);
}

TEST_F(CondaPlaceholderTest, APrefixLongerThanTheBinaryPlaceholderIsRefused) {
    const std::string prefix = "/opt/envsmith/envs/a-prefix-longer-than-the-build-placeholder";
    ASSERT_GT(prefix.size(), placeholder.size());
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("stage"), prefix}, {}, owners, reporter);
    ASSERT_FALSE(linked.has_value());
    EXPECT_EQ(linked.error().message_id, "install.link.prefix_too_long");
    expect_catalog_text(linked.error());
    EXPECT_EQ(linked.error().arg_value("path"), "Lib/site-packages/conda/_native.so");
    EXPECT_EQ(linked.error().arg_value("placeholder"), placeholder);
    EXPECT_EQ(linked.error().arg_value("prefix"), prefix);
}

// ---------------------------------------------------------------------------------------------
// Link scripts

TEST(LinkScriptsTest, SkippedScriptsAreWarnings) {
    REQUIRE_TESTDATA("rattler/test-data/link-scripts/link-scripts-0.1.0-h4616a5c_0.conda");
    TempDir tmp;
    const auto pkg = tmp.path() / "link-scripts-0.1.0-h4616a5c_0";
    ASSERT_TRUE(cph_extract(testdata / "rattler/test-data/link-scripts/link-scripts-0.1.0-h4616a5c_0.conda", pkg));
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), tmp.str("p")}, {}, owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    ASSERT_EQ(reporter.warnings.size(), 1U);
    EXPECT_EQ(reporter.warnings[0].id, "install.link.script_skipped");
    expect_catalog_text(reporter.warnings[0].id, reporter.warnings[0].text, reporter.warnings[0].args);
    EXPECT_EQ(reporter.warnings[0].arg("script"), ".link-scripts-post-link.sh");
    EXPECT_EQ(reporter.warnings[0].arg("package"), "link-scripts-0.1.0-h4616a5c_0");
    EXPECT_FALSE(stdfs::exists(tmp.path() / "p/i-was-post-linked"));
    EXPECT_TRUE(stdfs::exists(tmp.path() / "p/bin/.link-scripts-post-link.sh"));
}

TEST(LinkScriptsTest, PostLinkRunsWithThePrefixWhenAsked) {
    REQUIRE_TESTDATA("rattler/test-data/link-scripts/link-scripts-0.1.0-h4616a5c_0.conda");
    TempDir tmp;
    const auto pkg = tmp.path() / "link-scripts-0.1.0-h4616a5c_0";
    ASSERT_TRUE(cph_extract(testdata / "rattler/test-data/link-scripts/link-scripts-0.1.0-h4616a5c_0.conda", pkg));
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), "/opt/env"},
                                     with_scripts(LinkScripts::run), owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    EXPECT_TRUE(reporter.warnings.empty());
    EXPECT_TRUE(stdfs::exists(tmp.path() / "p/i-was-post-linked"));
    EXPECT_EQ(slurp(tmp.path() / "p/.messages.txt"), "This is a post-link script that just ran for the recipe package.\n");
}

TEST(LinkScriptsTest, ScriptsSeeThePackageVariablesAndFailuresAreErrors) {
    TempDir tmp;
    const auto pkg = make_package(tmp.path() / "scripted-1.0-0", "scripted",
                                  json::array({{{"_path", "bin/.scripted-post-link.sh"}, {"path_type", "hardlink"}}}),
                                  {{"build_number", 7}});
    spit(pkg / "bin/.scripted-pre-link.sh", "echo \"pre $PKG_NAME $PKG_VERSION $PKG_BUILDNUM\"\n");
    spit(pkg / "bin/.scripted-post-link.sh", "echo \"post in $PREFIX\"\necho oops >&2\nexit 3\n");
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), "/opt/env"},
                                     with_scripts(LinkScripts::run), owners, reporter);
    ASSERT_FALSE(linked.has_value());
    EXPECT_EQ(linked.error().message_id, "install.link.script_failed");
    expect_catalog_text(linked.error());
    EXPECT_EQ(linked.error().arg_value("script"), ".scripted-post-link.sh");
    EXPECT_EQ(linked.error().arg_value("status"), "exit code 3");
    EXPECT_EQ(linked.error().code, core::ErrorCode::invalid_input);
    EXPECT_EQ(reporter.log, (std::vector<std::string>{"install: pre scripted 1.0 7",
                                                      "install: post in " + tmp.str("p"), "install: oops"}));
    EXPECT_FALSE(stdfs::exists(tmp.path() / "p/conda-meta/scripted-1.0-0.json"));
}

// ---------------------------------------------------------------------------------------------
// Metadata

TEST(LinkMetadataTest, OldPackagesUseFilesHasPrefixAndNoLink) {
    TempDir tmp;
    const auto pkg = tmp.path() / "old-1.0-0";
    spit(pkg / "info/index.json", R"({"name": "old", "version": "1.0", "build": "0", "build_number": 0})");
    spit(pkg / "info/files", "bin/tool\netc/old.conf\nshare/data.bin\nshare/plain.txt\nlib/libold.so\n");
    spit(pkg / "info/has_prefix",
         "etc/old.conf\n\"/build/with space\" text bin/tool\n/build/pfx_placeholder binary share/data.bin\n");
    spit(pkg / "info/no_link", "share/plain.txt\n");
    spit(pkg / "bin/tool", "#!/build/with space/bin/python\nrun\n", stdfs::perms(0755));
    spit(pkg / "etc/old.conf", "root=/opt/anaconda1anaconda2anaconda3/etc\n");
    spit(pkg / "share/data.bin", std::string("/build/pfx_placeholder/share\0", 30));
    spit(pkg / "share/plain.txt", "plain\n");
    spit(pkg / "lib/libold.so.1", "elf");
    stdfs::create_symlink("libold.so.1", pkg / "lib/libold.so");

    const auto contents = read_package_contents(pkg.string());
    ASSERT_TRUE(contents.has_value()) << contents.error().describe();
    ASSERT_EQ(contents->paths.size(), 5U);
    EXPECT_EQ(contents->paths[0].prefix_placeholder, "/build/with space");
    EXPECT_EQ(contents->paths[1].prefix_placeholder, "/opt/anaconda1anaconda2anaconda3");
    EXPECT_EQ(contents->paths[1].file_mode, FileMode::text);
    EXPECT_EQ(contents->paths[2].file_mode, FileMode::binary);
    EXPECT_TRUE(contents->paths[3].no_link);
    EXPECT_EQ(contents->paths[4].type, PathType::softlink);

    const std::string prefix = "/opt/e";
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), prefix}, {}, owners, reporter);
    ASSERT_TRUE(linked.has_value()) << linked.error().describe();
    const auto p = tmp.path() / "p";
    EXPECT_EQ(slurp(p / "bin/tool"), "#!/opt/e/bin/python\nrun\n");
    EXPECT_EQ(slurp(p / "etc/old.conf"), "root=/opt/e/etc\n");
    EXPECT_EQ(slurp(p / "share/data.bin"), std::string("/opt/e/share", 12) + std::string(18, '\0'));
    EXPECT_NE(stat_of(p / "share/plain.txt").st_ino, stat_of(pkg / "share/plain.txt").st_ino);  // no_link
    EXPECT_TRUE(stdfs::is_symlink(p / "lib/libold.so"));
    EXPECT_EQ(stdfs::read_symlink(p / "lib/libold.so"), "libold.so.1");
    EXPECT_EQ(linked->symlinks, 1U);
    const auto record = json::parse(slurp(linked->record_path));
    EXPECT_EQ(record["paths_data"]["paths"][4]["sha256"], core::sha256("plain\n").hex);
    EXPECT_EQ(record["paths_data"]["paths"][4]["no_link"], true);
}

TEST(LinkMetadataTest, PathsLeavingThePrefixAreRefused) {
    TempDir tmp;
    for (const auto* bad : {"../escape", "/etc/passwd", "a/../../b"}) {
        SCOPED_TRACE(bad);
        const auto pkg = make_package(tmp.path() / "evil", "evil", json::array({{{"_path", bad}}}));
        const auto contents = read_package_contents(pkg.string());
        ASSERT_FALSE(contents.has_value());
        EXPECT_EQ(contents.error().message_id, "install.link.unsafe_path");
        expect_catalog_text(contents.error());
        EXPECT_EQ(contents.error().arg_value("path"), bad);
    }
}

TEST(LinkMetadataTest, MissingAndBrokenMetadataAreErrors) {
    TempDir tmp;
    stdfs::create_directories(tmp.path() / "empty/info");
    const auto missing = read_package_contents(tmp.str("empty"));
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().message_id, "install.link.metadata_missing");
    expect_catalog_text(missing.error());
    spit(tmp.path() / "broken/info/paths.json", "{\"paths\": [");
    const auto broken = read_package_contents(tmp.str("broken"));
    ASSERT_FALSE(broken.has_value());
    EXPECT_EQ(broken.error().message_id, "install.link.metadata_invalid");
    expect_catalog_text(broken.error());
    const auto no_index = read_package_record(tmp.str("empty"));
    ASSERT_FALSE(no_index.has_value());
    EXPECT_EQ(no_index.error().message_id, "install.link.metadata_missing");
    expect_catalog_text(no_index.error());
    // A file listed but absent from the package directory.
    const auto pkg = make_package(tmp.path() / "hollow", "hollow", json::array({{{"_path", "bin/x"}}}));
    PrefixFiles owners;
    Recorder reporter;
    const auto linked = link_package(pkg.string(), record_for(pkg), {tmp.str("p"), tmp.str("p")}, {}, owners, reporter);
    ASSERT_FALSE(linked.has_value());
    EXPECT_EQ(linked.error().message_id, "install.link.source_missing");
    expect_catalog_text(linked.error());
}

}  // namespace
}  // namespace envsmith::install
