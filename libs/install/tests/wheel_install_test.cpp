// install_wheel with real wheels (poetry's and pip's test fixtures, Debian's own wheels) and
// wheels built here with python3's zipfile; the results are checked with Debian's python3.

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <sys/wait.h>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "envsmith/install/wheel_install.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;
using test::FailsWithId;
using test::read_text;
using test::Succeeds;
using ::testing::Contains;
using ::testing::HasSubstr;

constexpr const char* system_python = "/usr/bin/python3";
constexpr const char* site = "lib/python3.11/site-packages";

class TempDir {
public:
    TempDir() {
        std::string pattern = (stdfs::temp_directory_path() / "envsmith-wheel-test-XXXXXX").string();
        if (::mkdtemp(pattern.data()) != nullptr) {
            m_path = pattern;
        }
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

struct CommandResult {
    int exit_code = -1;
    std::string output;  // stdout and stderr
};

CommandResult run(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buffer{};
    std::size_t got = 0;
    while ((got = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.output.append(buffer.data(), got);
    }
    const int status = ::pclose(pipe);
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

std::string quote(const std::string& text) {
    std::string out = "'";
    for (const char c : text) {
        if (c == '\'') {
            out += "'\\''";
        } else {
            out += c;
        }
    }
    return out + "'";
}

/// A prefix whose write_dir is also where it runs, with bin/python3.11 -> /usr/bin/python3.
WheelTarget runnable_target(const std::string& prefix) {
    stdfs::create_directories(prefix + "/bin");
    stdfs::create_symlink(system_python, prefix + "/bin/python3.11");
    return WheelTarget{prefix, prefix, site, "bin", "include/python3.11", "bin/python3.11"};
}

/// Runs Python code with only the standard library and `site_packages` on sys.path (-I -S keep
/// Debian's dist-packages, which has its own pip and setuptools, out).
CommandResult run_python(const std::string& site_packages, const std::string& code) {
    return run(fmt::format("{} -I -S -c {}", system_python,
                           quote("import sys; sys.path.insert(0, " + nlohmann::json(site_packages).dump() +
                                 ")\nsite = sys.path[0]\n" + code)));
}

constexpr const char* poetry_dists = "poetry/tests/repositories/fixtures/pypi.org/dists/";
constexpr const char* pip_packages = "pip/tests/data/packages/";

/// Builds a wheel with python3's zipfile. `files` go into the wheel and into a RECORD that
/// python's hashlib computes; `tampered` replaces the content written to the zip after RECORD was
/// computed; `unlisted` files go into the zip only; `record` (when set) is the RECORD text.
struct WheelSpec {
    std::string dist_info;
    std::map<std::string, std::string> files;
    std::map<std::string, std::string> tampered;
    std::map<std::string, std::string> unlisted;
    std::optional<std::string> record;
};

constexpr const char* build_wheel_py = R"(
import base64, hashlib, json, sys, zipfile
spec = json.load(open(sys.argv[1]))
rows = []
for name, text in spec["files"].items():
    data = text.encode()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    rows.append(f"{name},sha256={digest},{len(data)}")
rows.append(spec["dist_info"] + "/RECORD,,")
record = spec["record"] if spec["record"] is not None else "\n".join(rows) + "\n"
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    for name, text in spec["files"].items():
        z.writestr(name, spec["tampered"].get(name, text))
    for name, text in spec["unlisted"].items():
        z.writestr(name, text)
    z.writestr(spec["dist_info"] + "/RECORD", record)
)";

std::string build_wheel(const std::string& dir, const std::string& filename, const WheelSpec& spec) {
    const auto spec_path = dir + "/" + filename + ".json";
    nlohmann::json json;
    json["dist_info"] = spec.dist_info;
    json["files"] = spec.files;
    json["tampered"] = spec.tampered;
    json["unlisted"] = spec.unlisted;
    json["record"] = spec.record ? nlohmann::json(*spec.record) : nlohmann::json();
    std::ofstream(spec_path) << json.dump();
    const auto script_path = dir + "/build_wheel.py";
    std::ofstream(script_path) << build_wheel_py;
    const auto out = dir + "/" + filename;
    const auto result = run(fmt::format("{} {} {} {}", system_python, quote(script_path),
                                        quote(spec_path), quote(out)));
    EXPECT_EQ(result.exit_code, 0) << result.output;
    return out;
}

/// A small valid wheel `demo-1.0`: a module, METADATA, WHEEL and whatever `extra` adds.
WheelSpec demo_wheel(std::map<std::string, std::string> extra = {},
                     const std::string& wheel_version = "1.0") {
    WheelSpec spec;
    spec.dist_info = "demo-1.0.dist-info";
    spec.files = {
        {"demo/__init__.py", "def main():\n    print('demo main')\n    return 3\n"},
        {"demo-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n"},
        {"demo-1.0.dist-info/WHEEL",
         "Wheel-Version: " + wheel_version + "\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"},
    };
    for (auto& [name, text] : extra) {
        spec.files[name] = std::move(text);
    }
    return spec;
}

/// RECORD text for a spec's files with correct rows, except the rows `overrides` replaces.
std::string record_text(const WheelSpec& spec, const std::map<std::string, std::string>& overrides) {
    std::string out;
    for (const auto& [name, content] : spec.files) {
        const auto it = overrides.find(name);
        out += it != overrides.end()
                   ? it->second
                   : fmt::format("{},{},{}", name, record_hash(content), content.size());
        out += "\n";
    }
    return out + spec.dist_info + "/RECORD,,\n";
}

std::vector<std::string> files_under(const std::string& root) {
    std::vector<std::string> out;
    if (!stdfs::exists(root)) {
        return out;
    }
    for (const auto& entry : stdfs::recursive_directory_iterator(root)) {
        out.push_back(entry.path().lexically_relative(root).generic_string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

bool is_executable(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_mode & S_IXUSR) != 0;
}

/// Python's importlib.metadata reads the installed dist-info: every RECORD row with a hash
/// matches the file on disk, every file exists, and the count of rows is printed.
std::string check_record_with_python(const std::string& dist) {
    return fmt::format(
        "import base64, hashlib, importlib.metadata as m\n"
        "files = m.files({0})\n"
        "for f in files:\n"
        "    p = f.locate()\n"
        "    data = open(p, 'rb').read()\n"
        "    if f.hash:\n"
        "        assert f.hash.mode == 'sha256', f\n"
        "        h = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()\n"
        "        assert h == f.hash.value, (f, h)\n"
        "        assert f.size == len(data), f\n"
        "print('record ok', len(files), m.version({0}))\n",
        nlohmann::json(dist).dump());
}

class WheelInstallTest : public ::testing::Test {
protected:
    void SetUp() override {
        ASSERT_FALSE(m_tmp.path().empty());
        if (!stdfs::exists(system_python)) {
            GTEST_SKIP() << system_python << " is absent";
        }
    }
    [[nodiscard]] std::string prefix() const { return m_tmp.path() + "/prefix"; }
    [[nodiscard]] std::string site_packages() const { return prefix() + "/" + site; }
    [[nodiscard]] std::string work() const { return m_tmp.path(); }

    TempDir m_tmp;
    test::RecordingReporter m_reporter;
};

TEST_F(WheelInstallTest, PoetryFixtureWheelsImportAndReportTheirVersions) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto target = runnable_target(prefix());
    const auto wheel = install_wheel(data + "/" + poetry_dists + "wheel-0.40.0-py3-none-any.whl",
                                     target, {}, m_reporter);
    ASSERT_THAT(wheel, Succeeds());
    EXPECT_EQ(wheel->name, "wheel");
    EXPECT_EQ(wheel->version, "0.40.0");
    EXPECT_EQ(wheel->dist_info, std::string(site) + "/wheel-0.40.0.dist-info");
    const auto core = install_wheel(data + "/" + poetry_dists + "poetry_core-2.1.3-py3-none-any.whl",
                                    target, {}, m_reporter);
    ASSERT_THAT(core, Succeeds());
    EXPECT_EQ(core->name, "poetry-core");

    const auto imported = run_python(
        site_packages(),
        "import wheel, poetry.core, importlib.metadata as m\n"
        "assert wheel.__file__.startswith(site), wheel.__file__\n"
        "print(m.version('wheel'), m.version('poetry-core'), wheel.__version__)\n");
    EXPECT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_EQ(imported.output, "0.40.0 2.1.3 0.40.0\n");

    for (const auto* dist : {"wheel", "poetry-core"}) {
        const auto checked = run_python(site_packages(), check_record_with_python(dist));
        EXPECT_EQ(checked.exit_code, 0) << checked.output;
        EXPECT_THAT(checked.output, HasSubstr("record ok"));
    }
    // The files list is what RECORD lists, seen from write_dir.
    const auto record = read_text(site_packages() + "/wheel-0.40.0.dist-info/RECORD");
    EXPECT_EQ(static_cast<std::size_t>(std::count(record.begin(), record.end(), '\n')),
              wheel->files.size());
    EXPECT_TRUE(record.starts_with("../../../bin/wheel,sha256=")) << record;
    EXPECT_THAT(record, HasSubstr("wheel-0.40.0.dist-info/RECORD,,\n"));
    EXPECT_THAT(record, HasSubstr("wheel-0.40.0.dist-info/INSTALLER,sha256="));
    EXPECT_EQ(read_text(site_packages() + "/wheel-0.40.0.dist-info/INSTALLER"), "envsmith\n");
    EXPECT_TRUE(stdfs::exists(site_packages() + "/wheel-0.40.0.dist-info/REQUESTED"));
    EXPECT_FALSE(stdfs::exists(site_packages() + "/wheel-0.40.0.dist-info/direct_url.json"));
    // No staging folder is left behind.
    for (const auto& name : files_under(prefix())) {
        EXPECT_EQ(name.find(".envsmith-wheel-"), std::string::npos) << name;
    }
}

TEST_F(WheelInstallTest, ConsoleScriptLauncherRunsWithThePrefixPython) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto target = runnable_target(prefix());
    const auto installed = install_wheel(
        data + "/" + pip_packages + "script.wheel1a-0.1-py2.py3-none-any.whl", target, {}, m_reporter);
    ASSERT_THAT(installed, Succeeds());
    EXPECT_THAT(installed->files, Contains("bin/t1"));
    const auto launcher = prefix() + "/bin/t1";
    EXPECT_TRUE(is_executable(launcher));
    EXPECT_TRUE(read_text(launcher).starts_with("#!" + prefix() + "/bin/python3.11\n"));
    const auto ran = run("PYTHONPATH=" + quote(site_packages()) + " " + quote(launcher));
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_EQ(ran.output, "Hello, world!\n");
}

TEST_F(WheelInstallTest, LauncherExitCodeIsTheFunctionsResultAndLongPrefixesUseSh) {
    // A prefix path longer than 127 bytes: the launcher starts with the /bin/sh prelude.
    const auto long_prefix = work() + "/" + std::string(60, 'a') + "/" + std::string(60, 'b') + "/env";
    const auto target = runnable_target(long_prefix);
    auto spec = demo_wheel({{"demo-1.0.dist-info/entry_points.txt",
                             "[console_scripts]\ndemo = demo:main\n[gui_scripts]\ndemo-gui = demo:main\n"}});
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", spec);
    const auto installed = install_wheel(wheel, target, {}, m_reporter);
    ASSERT_THAT(installed, Succeeds());
    for (const auto* name : {"demo", "demo-gui"}) {
        SCOPED_TRACE(name);
        const auto launcher = long_prefix + "/bin/" + name;
        EXPECT_TRUE(read_text(launcher).starts_with("#!/bin/sh\n'''exec' \"" + long_prefix +
                                                    "/bin/python3.11\""));
        const auto ran = run("PYTHONPATH=" + quote(long_prefix + "/" + site) + " " + quote(launcher));
        EXPECT_EQ(ran.exit_code, 3) << ran.output;
        EXPECT_EQ(ran.output, "demo main\n");
    }
}

TEST_F(WheelInstallTest, ShebangsNameThePrefixPathNotTheWriteDir) {
    const WheelTarget target{prefix(), "/opt/envsmith/envs/demo", site, "bin", "include/python3.11",
                             "bin/python3.11"};
    auto spec = demo_wheel({
        {"demo-1.0.data/scripts/run-demo", "#!python -u\nimport demo\ndemo.main()\n"},
        {"demo-1.0.data/scripts/gui-demo", "#!pythonw\nprint('gui')\n"},
        {"demo-1.0.data/scripts/plain.sh", "#!/bin/sh\necho plain\n"},
        {"demo-1.0.data/headers/demo.h", "int demo(void);\n"},
        {"demo-1.0.data/data/share/demo/readme.txt", "data file\n"},
        {"demo-1.0.data/platlib/demo_ext.py", "X = 1\n"},
        {"demo-1.0.dist-info/entry_points.txt", "[console_scripts]\ndemo = demo:main\n"},
    });
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", spec);
    const auto installed = install_wheel(wheel, target, {}, m_reporter);
    ASSERT_THAT(installed, Succeeds());
    EXPECT_EQ(read_text(prefix() + "/bin/run-demo"),
              "#!/opt/envsmith/envs/demo/bin/python3.11 -u\nimport demo\ndemo.main()\n");
    EXPECT_EQ(read_text(prefix() + "/bin/gui-demo"),
              "#!/opt/envsmith/envs/demo/bin/python3.11\nprint('gui')\n");
    EXPECT_EQ(read_text(prefix() + "/bin/plain.sh"), "#!/bin/sh\necho plain\n");
    EXPECT_TRUE(is_executable(prefix() + "/bin/run-demo"));
    EXPECT_TRUE(is_executable(prefix() + "/bin/plain.sh"));
    EXPECT_TRUE(read_text(prefix() + "/bin/demo").starts_with("#!/opt/envsmith/envs/demo/bin/python3.11\n"));
    EXPECT_EQ(read_text(prefix() + "/include/python3.11/demo/demo.h"), "int demo(void);\n");
    EXPECT_EQ(read_text(prefix() + "/share/demo/readme.txt"), "data file\n");
    EXPECT_EQ(read_text(site_packages() + "/demo_ext.py"), "X = 1\n");
    EXPECT_FALSE(stdfs::exists(site_packages() + "/demo-1.0.data"));
    // RECORD lists the rewritten script with the hash of its new content.
    const auto record = parse_record(read_text(site_packages() + "/demo-1.0.dist-info/RECORD"), "RECORD");
    ASSERT_THAT(record, Succeeds());
    std::map<std::string, RecordEntry> rows;
    for (const auto& row : *record) {
        rows[row.path] = row;
    }
    ASSERT_EQ(rows.count("../../../bin/run-demo"), 1U);
    EXPECT_EQ(rows["../../../bin/run-demo"].hash, record_hash(read_text(prefix() + "/bin/run-demo")));
    EXPECT_EQ(rows.count("../../../include/python3.11/demo/demo.h"), 1U);
    EXPECT_EQ(rows.count("../../../share/demo/readme.txt"), 1U);
    EXPECT_EQ(rows.count("demo_ext.py"), 1U);
    EXPECT_EQ(rows.size(), installed->files.size());
    // `files` is exactly what is on disk (the test's own bin/ aside).
    std::vector<std::string> on_disk;
    for (const auto& name : files_under(prefix())) {
        if (stdfs::is_regular_file(prefix() + "/" + name)) {
            on_disk.push_back(name);
        }
    }
    EXPECT_EQ(on_disk, installed->files);
    // Nothing outside write_dir.
    EXPECT_FALSE(stdfs::exists("/opt/envsmith/envs/demo/bin/demo"));
}

TEST_F(WheelInstallTest, PipFixtureWheelsInstall) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto target = runnable_target(prefix());
    for (const auto* name : {"colander-0.9.9-py2.py3-none-any.whl", "has.script-1.0-py2.py3-none-any.whl",
                             "simple.dist-0.1-py2.py3-none-any.whl"}) {
        SCOPED_TRACE(name);
        ASSERT_THAT(install_wheel(data + "/" + pip_packages + name, target, {}, m_reporter), Succeeds());
    }
    // has.script: a .data/scripts file whose first line is not `#!python` is copied as is.
    EXPECT_EQ(read_text(prefix() + "/bin/script.py"), "#script\n");
    EXPECT_TRUE(is_executable(prefix() + "/bin/script.py"));
    // simple.dist: Wheel-Version 0.1 and a RECORD.jws signature, installed as they are.
    EXPECT_TRUE(stdfs::exists(site_packages() + "/simple.dist-0.1.dist-info/RECORD.jws"));
    const auto imported = run_python(site_packages(),
                                     // colander's __init__ needs translationstring, absent here.
                                     "import simpledist, importlib.metadata as m\n"
                                     "assert m.distribution('colander').locate_file('colander/compat.py').exists()\n"
                                     "print(m.version('colander'), m.version('simple.dist'), "
                                     "m.version('has.script'))\n");
    EXPECT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_EQ(imported.output, "0.9.9 0.1 1.0\n");
    const auto checked =
        run_python(site_packages(), check_record_with_python("colander"));
    EXPECT_EQ(checked.exit_code, 0) << checked.output;
    EXPECT_TRUE(m_reporter.warnings.empty());
}

TEST_F(WheelInstallTest, DebiansPipAndSetuptoolsWheelsInstallAndRun) {
    const std::string wheels = "/usr/share/python-wheels";
    const auto pip_wheel = wheels + "/pip-23.0.1-py3-none-any.whl";
    const auto setuptools_wheel = wheels + "/setuptools-66.1.1-py3-none-any.whl";
    if (!stdfs::exists(pip_wheel) || !stdfs::exists(setuptools_wheel)) {
        GTEST_SKIP() << "Debian's python3-pip-whl / python3-setuptools-whl wheels are absent";
    }
    const auto target = runnable_target(prefix());
    const auto pip = install_wheel(pip_wheel, target, {}, m_reporter);
    ASSERT_THAT(pip, Succeeds());
    ASSERT_THAT(install_wheel(setuptools_wheel, target, {Requested::no, "envsmith", std::nullopt, {}},
                              m_reporter),
                Succeeds());
    EXPECT_FALSE(stdfs::exists(site_packages() + "/setuptools-66.1.1.dist-info/REQUESTED"));
    EXPECT_TRUE(stdfs::exists(site_packages() + "/pip-23.0.1.dist-info/REQUESTED"));
    for (const auto* launcher : {"bin/pip", "bin/pip3", "bin/pip3.11"}) {
        EXPECT_THAT(pip->files, Contains(launcher));
    }
    // pip's own launcher, run with the prefix's python, finds pip in the prefix.
    const auto ran = run("PYTHONPATH=" + quote(site_packages()) + " " + quote(prefix() + "/bin/pip") +
                         " --version");
    EXPECT_EQ(ran.exit_code, 0) << ran.output;
    EXPECT_TRUE(ran.output.starts_with("pip 23.0.1 from " + site_packages() + "/pip")) << ran.output;
    const auto imported = run_python(site_packages(),
                                     "import setuptools, importlib.metadata as m\n"
                                     "assert setuptools.__file__.startswith(site), setuptools.__file__\n"
                                     "print(m.version('setuptools'))\n");
    EXPECT_EQ(imported.exit_code, 0) << imported.output;
    EXPECT_EQ(imported.output, "66.1.1\n");
    for (const auto* dist : {"pip", "setuptools"}) {
        const auto checked = run_python(site_packages(), check_record_with_python(dist));
        EXPECT_EQ(checked.exit_code, 0) << checked.output;
    }
}

TEST_F(WheelInstallTest, WritesDirectUrlAndInstaller) {
    const auto target = runnable_target(prefix());
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel());
    const std::string direct_url = R"({"url": "file:///wheels/demo-1.0-py3-none-any.whl", "archive_info": {}})";
    ASSERT_THAT(install_wheel(wheel, target, {Requested::no, "envsmith 0.1", direct_url, {}}, m_reporter),
                Succeeds());
    EXPECT_EQ(read_text(site_packages() + "/demo-1.0.dist-info/direct_url.json"), direct_url);
    EXPECT_EQ(read_text(site_packages() + "/demo-1.0.dist-info/INSTALLER"), "envsmith 0.1\n");
    EXPECT_FALSE(stdfs::exists(site_packages() + "/demo-1.0.dist-info/REQUESTED"));
    const auto read = run_python(site_packages(),
                                 "import importlib.metadata as m, json\n"
                                 "d = m.distribution('demo')\n"
                                 "print(d.read_text('INSTALLER').strip(), json.loads(d.read_text('direct_url.json'))['url'])\n");
    EXPECT_EQ(read.output, "envsmith 0.1 file:///wheels/demo-1.0-py3-none-any.whl\n");

    for (const auto* bad : {"not json", "[1]", R"({"url": 1})"}) {
        SCOPED_TRACE(bad);
        const auto refused = install_wheel(wheel, target, {Requested::yes, "envsmith", std::string(bad), {}},
                                           m_reporter);
        EXPECT_THAT(refused, FailsWithId("wheel.direct_url.invalid"));
    }
}

/// What a refused wheel must leave behind: the prefix as it was.
void expect_nothing_written(const std::string& prefix) {
    for (const auto& name : files_under(prefix)) {
        EXPECT_TRUE(name == "bin" || name == "bin/python3.11") << name << " was left behind";
    }
}

TEST_F(WheelInstallTest, RefusesAFileWhoseHashDoesNotMatchRecord) {
    const auto target = runnable_target(prefix());
    auto spec = demo_wheel();
    spec.tampered["demo/__init__.py"] = "import os\nos.system('evil')\n";
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", spec);
    const auto refused = install_wheel(wheel, target, {}, m_reporter);
    ASSERT_THAT(refused, FailsWithId("wheel.record.hash_mismatch"));
    EXPECT_EQ(refused.error().arg_value("wheel"), "demo-1.0-py3-none-any.whl");
    EXPECT_EQ(refused.error().arg_value("path"), "demo/__init__.py");
    EXPECT_EQ(refused.error().arg_value("actual"), record_hash("import os\nos.system('evil')\n"));
    expect_nothing_written(prefix());
}

TEST_F(WheelInstallTest, RefusesWheelsRecordDoesNotCover) {
    const auto target = runnable_target(prefix());
    const std::string name = "demo-1.0-py3-none-any.whl";
    struct Case {
        const char* what;
        WheelSpec spec;
        const char* id;
        const char* path;
    };
    auto unlisted = demo_wheel();
    unlisted.unlisted["demo/extra.py"] = "X = 1\n";
    auto no_hash = demo_wheel();
    no_hash.record = "demo/__init__.py,,\ndemo-1.0.dist-info/METADATA,,\n";
    auto md5 = demo_wheel();
    md5.record = record_text(md5, {{"demo/__init__.py", "demo/__init__.py,md5=abc,10"}});
    auto size = demo_wheel();
    size.record = record_text(
        size, {{"demo/__init__.py",
                "demo/__init__.py," + record_hash(size.files["demo/__init__.py"]) + ",999"}});
    auto bad_csv = demo_wheel();
    bad_csv.record = "demo/__init__.py,sha256=x\n";
    auto escape = demo_wheel();
    escape.unlisted["../escaped.py"] = "X = 1\n";
    auto data_escape = demo_wheel();
    data_escape.unlisted["demo-1.0.data/data/../../../escaped"] = "X = 1\n";
    auto scheme = demo_wheel({{"demo-1.0.data/etc/demo.conf", "x\n"}});
    auto newer = demo_wheel({}, "2.0");
    auto bad_entry = demo_wheel({{"demo-1.0.dist-info/entry_points.txt", "[console_scripts]\nx = demo\n"}});
    WheelSpec no_metadata;
    no_metadata.dist_info = "demo-1.0.dist-info";
    no_metadata.files = {{"demo/__init__.py", ""}, {"demo-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\n"}};
    auto other_name = demo_wheel();
    other_name.files["demo-1.0.dist-info/METADATA"] = "Metadata-Version: 2.1\nName: other\nVersion: 1.0\n";
    WheelSpec no_dist_info;
    no_dist_info.dist_info = "other-1.0.dist-info";
    no_dist_info.files = {{"demo/__init__.py", ""}};

    const std::vector<Case> cases{
        {"a file not in RECORD", unlisted, "wheel.record.unlisted", "demo/extra.py"},
        {"a row without hash", no_hash, "wheel.record.no_hash", "demo-1.0.dist-info/METADATA"},
        {"an md5 hash", md5, "wheel.record.unsupported_hash", "demo/__init__.py"},
        {"a wrong size", size, "wheel.record.size_mismatch", "demo/__init__.py"},
        {"a short row", bad_csv, "wheel.record.invalid", ""},
        {"a path out of the wheel", escape, "wheel.path.escapes", "../escaped.py"},
        {"a .data path out of the prefix", data_escape, "wheel.path.escapes", "demo-1.0.data/data/../../../escaped"},
        {"an unknown .data folder", scheme, "wheel.data.unknown_scheme", "demo-1.0.data/etc/demo.conf"},
        {"Wheel-Version 2.0", newer, "wheel.version.unsupported", ""},
        {"an entry point without object", bad_entry, "wheel.entry_points.invalid", ""},
        {"no METADATA", no_metadata, "wheel.file.missing", ""},
        {"METADATA of another project", other_name, "wheel.metadata.mismatch", ""},
        {"no dist-info of this name", no_dist_info, "wheel.dist_info.missing", ""},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.what);
        const auto wheel = build_wheel(work(), name, c.spec);
        const auto refused = install_wheel(wheel, target, {}, m_reporter);
        ASSERT_THAT(refused, FailsWithId(c.id));
        EXPECT_EQ(refused.error().arg_value("wheel"), name);
        EXPECT_EQ(refused.error().arg_value("path"), c.path);
        expect_nothing_written(prefix());
        stdfs::remove(wheel);
    }
}

TEST_F(WheelInstallTest, RefusesSymlinksInTheWheel) {
    const auto target = runnable_target(prefix());
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel());
    // Add a symlink entry (zip external attributes: S_IFLNK | 0777) pointing out of the prefix.
    const auto added = run(fmt::format(
        "{} -c {}", system_python,
        quote("import zipfile\n"
              "z = zipfile.ZipFile(" + nlohmann::json(wheel).dump() + ", 'a')\n"
              "info = zipfile.ZipInfo('demo/link.py')\n"
              "info.external_attr = 0o120777 << 16\n"
              "z.writestr(info, '/etc/passwd')\n"
              "z.close()\n")));
    ASSERT_EQ(added.exit_code, 0) << added.output;
    const auto refused = install_wheel(wheel, target, {}, m_reporter);
    ASSERT_THAT(refused, FailsWithId("wheel.entry.not_regular"));
    EXPECT_EQ(refused.error().arg_value("path"), "demo/link.py");
    expect_nothing_written(prefix());
}

TEST_F(WheelInstallTest, WarnsAboutANewerMinorWheelVersionAndRecordRowsWithoutFiles) {
    const auto target = runnable_target(prefix());
    auto spec = demo_wheel({}, "1.9");
    spec.record = record_text(spec, {}) + "demo/gone.py,sha256=abc,3\n";
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", spec);
    ASSERT_THAT(install_wheel(wheel, target, {}, m_reporter), Succeeds());
    ASSERT_EQ(m_reporter.warnings.size(), 2U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "wheel.version.newer");
    EXPECT_EQ(m_reporter.warnings[0].arg("version"), "1.9");
    EXPECT_EQ(m_reporter.warnings[1].message_id, "wheel.record.entry_without_file");
    EXPECT_EQ(m_reporter.warnings[1].arg("path"), "demo/gone.py");
    EXPECT_FALSE(stdfs::exists(site_packages() + "/demo/gone.py"));
}

TEST_F(WheelInstallTest, AFailureMidwayRemovesWhatTheWheelWroteAndRestoresReplacedFiles) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const auto target = runnable_target(prefix());
    // An older colander/__init__.py is replaced; a folder where compat.py goes stops the
    // install after the dist-info and __init__.py were placed (files are placed in path order).
    stdfs::create_directories(site_packages() + "/colander/compat.py");
    std::ofstream(site_packages() + "/colander/__init__.py") << "old = True\n";
    const auto refused = install_wheel(data + "/" + pip_packages + "colander-0.9.9-py2.py3-none-any.whl",
                                       target, {}, m_reporter);
    ASSERT_THAT(refused, FailsWithId("wheel.io"));
    EXPECT_EQ(refused.error().arg_value("path"), std::string(site) + "/colander/compat.py");
    EXPECT_EQ(read_text(site_packages() + "/colander/__init__.py"), "old = True\n");
    EXPECT_EQ(files_under(site_packages()),
              (std::vector<std::string>{"colander", "colander/__init__.py", "colander/compat.py"}));
    EXPECT_EQ(files_under(prefix()),
              (std::vector<std::string>{"bin", "bin/python3.11", "lib", "lib/python3.11",
                                        "lib/python3.11/site-packages",
                                        "lib/python3.11/site-packages/colander",
                                        "lib/python3.11/site-packages/colander/__init__.py",
                                        "lib/python3.11/site-packages/colander/compat.py"}));
}

TEST_F(WheelInstallTest, ReinstallingReplacesFiles) {
    const auto target = runnable_target(prefix());
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel());
    ASSERT_THAT(install_wheel(wheel, target, {}, m_reporter), Succeeds());
    std::ofstream(site_packages() + "/demo/__init__.py") << "changed\n";
    ASSERT_THAT(install_wheel(wheel, target, {}, m_reporter), Succeeds());
    EXPECT_EQ(read_text(site_packages() + "/demo/__init__.py"),
              "def main():\n    print('demo main')\n    return 3\n");
}

TEST_F(WheelInstallTest, RefusesUnsafeTargets) {
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel());
    const WheelTarget good{prefix(), "/opt/env", site, "bin", "include/python3.11", "bin/python3.11"};
    auto relative_prefix = good;
    relative_prefix.prefix_path = "opt/env";
    auto quoted_prefix = good;
    quoted_prefix.prefix_path = "/opt/\"env";
    auto escaping_site = good;
    escaping_site.site_packages = "../lib";
    auto absolute_scripts = good;
    absolute_scripts.scripts_dir = "/usr/bin";
    for (const auto& target : {relative_prefix, quoted_prefix, escaping_site, absolute_scripts}) {
        EXPECT_THAT(install_wheel(wheel, target, {}, m_reporter), FailsWithId("wheel.target.invalid"));
    }
    EXPECT_FALSE(stdfs::exists(prefix()));
    EXPECT_THAT(install_wheel(work() + "/not-a-wheel.zip", good, {}, m_reporter),
                FailsWithId("spec.wheel_filename.invalid"));
}

/// The English texts in locale/en/install_wheel.yaml, filled with an error's args, give its
/// message (the contract libs/diag/tests/error_ids_test.cpp checks for other layers).
std::map<std::string, std::string> english_texts() {
    std::map<std::string, std::string> texts;
    std::ifstream in(std::string(ENVSMITH_SOURCE_DIR) + "/locale/en/install_wheel.yaml");
    std::string line;
    while (std::getline(in, line)) {
        const auto colon = line.find(": \"");
        if (line.empty() || line[0] == '#' || colon == std::string::npos || line.back() != '"') {
            continue;
        }
        std::string text;
        const auto body = line.substr(colon + 3, line.size() - colon - 4);
        for (std::size_t i = 0; i < body.size(); ++i) {
            if (body[i] == '\\' && i + 1 < body.size()) {
                ++i;
            }
            text += body[i];
        }
        texts[line.substr(0, colon)] = text;
    }
    return texts;
}

std::string fill(std::string text, const std::vector<core::MessageArg>& args) {
    for (const auto& arg : args) {
        const auto placeholder = "{" + arg.name + "}";
        for (auto at = text.find(placeholder); at != std::string::npos;
             at = text.find(placeholder, at + arg.value.size())) {
            text.replace(at, placeholder.size(), arg.value);
        }
    }
    return text;
}

TEST_F(WheelInstallTest, EnglishTextsRebuildTheMessages) {
    const auto texts = english_texts();
    ASSERT_GE(texts.size(), 15U);
    const auto target = runnable_target(prefix());
    std::vector<core::Error> errors;
    auto collect = [&](const auto& result) {
        ASSERT_FALSE(result.has_value());
        errors.push_back(result.error());
    };
    collect(parse_wheel_info("x", "x.whl"));
    collect(parse_record("a,b\n", "x.whl"));
    collect(parse_entry_points("[console_scripts]\nx = y\n", "x.whl"));
    auto bad_target = target;
    bad_target.site_packages = "";
    const auto wheel = build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel());
    collect(install_wheel(wheel, bad_target, {}, m_reporter));
    collect(install_wheel(wheel, target, {Requested::yes, "envsmith", std::string("{}"), {}}, m_reporter));
    auto tampered = demo_wheel();
    tampered.tampered["demo/__init__.py"] = "x";
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", tampered), target, {}, m_reporter));
    auto sized = demo_wheel();
    sized.record = record_text(
        sized, {{"demo/__init__.py",
                 "demo/__init__.py," + record_hash(sized.files["demo/__init__.py"]) + ",1"}});
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", sized), target, {}, m_reporter));
    auto md5 = demo_wheel();
    md5.record = record_text(md5, {{"demo/__init__.py", "demo/__init__.py,md5=x,1"}});
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", md5), target, {}, m_reporter));
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel({}, "3.0")), target, {}, m_reporter));
    auto other = demo_wheel();
    other.files["demo-1.0.dist-info/METADATA"] = "Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n";
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", other), target, {}, m_reporter));
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl",
                                      demo_wheel({{"demo-1.0.data/etc/x", "x"}})),
                          target, {}, m_reporter));
    auto unlisted = demo_wheel();
    unlisted.unlisted["demo/x.py"] = "";
    collect(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", unlisted), target, {}, m_reporter));
    for (const auto& error : errors) {
        SCOPED_TRACE(error.message_id);
        const auto it = texts.find(error.message_id);
        ASSERT_NE(it, texts.end());
        EXPECT_EQ(fill(it->second, error.args), error.message);
    }
    ASSERT_THAT(install_wheel(build_wheel(work(), "demo-1.0-py3-none-any.whl", demo_wheel({}, "1.1")),
                              target, {}, m_reporter),
                Succeeds());
    ASSERT_FALSE(m_reporter.warnings.empty());
    const auto& warning = m_reporter.warnings.back();
    EXPECT_EQ(fill(texts.at(warning.message_id), warning.args), warning.text);
}

}  // namespace
}  // namespace envsmith::install
