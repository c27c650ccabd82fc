// envsmith create for a prefix without a conda python: a requirements.txt installed over
// loopback HTTP from the demo index becomes a PEP 405 virtual environment over an installed
// interpreter (pyvenv.cfg, bin/python* links), whose Python imports the wheels and whose
// console scripts run; for an image (write_dir set) the version comes from the interpreter's
// name; an interpreter that does not run, or a relative one, is refused before any download.
#include "envsmith/api/create.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "envsmith/api/local_filesystem.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

#ifdef ENVSMITH_DEMO_INDEX_DIR
using test::read;
using test::run;

/// The value of `key = value` in a pyvenv.cfg text, or "<absent>".
std::string cfg_value(const std::string& text, const std::string& key) {
    std::istringstream lines(text);
    for (std::string line; std::getline(lines, line);) {
        if (line.rfind(key + " = ", 0) == 0) return line.substr(key.size() + 3);
    }
    return "<absent>";
}

constexpr const char* system_python = "/usr/bin/python3.11";

class CreateVenvTest : public ::testing::Test {
protected:
    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_dir;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;

    CreateOptions options(const std::string& requirements, const std::string& prefix_name) {
        CreateOptions o;
        o.path = (m_dir.path() / "requirements.txt").string();
        std::ofstream(o.path, std::ios::trunc) << requirements;
        o.prefix = (m_dir.path() / prefix_name).string();
        o.platform = "linux-64";
        o.lock.network.cache_dir = (m_dir.path() / "cache").string();
        o.lock.network.channel_alias = m_server.base_url() + "/channel";
        o.lock.index_url = m_server.base_url() + "/simple";
        o.lock.network.retries = 0;
        o.lock.use_process_overrides = false;
        o.lock.python = "3.12";  // the base interpreter's version must win over this
        return o;
    }
};

TEST_F(CreateVenvTest, ARequirementsFileBecomesAVirtualEnvironmentOverTheNamedPython) {
    if (!stdfs::exists(system_python)) GTEST_SKIP() << system_python << " is not installed";
    auto o = options("tomli==2.0.1\ncolorama\n", "env");
    o.base_python = system_python;
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    const stdfs::path prefix = o.prefix;
    EXPECT_EQ(report->base_python, system_python);
    const auto version = run(std::string(system_python) + " -c 'import platform; print(platform.python_version())'");
    EXPECT_EQ(report->base_python_version + "\n", version);

    const auto cfg = read(prefix / "pyvenv.cfg");
    EXPECT_EQ(cfg_value(cfg, "home"), "/usr/bin");
    EXPECT_EQ(cfg_value(cfg, "include-system-site-packages"), "false");
    EXPECT_EQ(cfg_value(cfg, "version") + "\n", version);
    EXPECT_EQ(cfg_value(cfg, "executable"), system_python);
    for (const char* name : {"python", "python3", "python3.11"}) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(stdfs::is_symlink(prefix / "bin" / name));
        EXPECT_EQ(stdfs::read_symlink(prefix / "bin" / name), system_python);
    }
    // The wheels were chosen for 3.11 (not lock.python's 3.12) and went where 3.11 looks.
    EXPECT_TRUE(stdfs::exists(prefix / "lib/python3.11/site-packages/tomli/__init__.py"));
    EXPECT_FALSE(stdfs::exists(prefix / "lib/python3.12"));

    int status = 1;
    const auto out = run((prefix / "bin/python").string() +
                             " -c 'import sys, tomli, colorama; print(tomli.__version__, sys.prefix, sys.base_prefix, "
                             "any(p.endswith(\"dist-packages\") for p in sys.path))' 2>&1",
                         &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, "2.0.1 " + o.prefix + " /usr False\n");  // isolated from the system's packages
}

TEST_F(CreateVenvTest, WithoutABasePythonTheMachinesPython3IsUsedThroughItsRealPath) {
    int status = 1;
    const auto real = run("python3 -I -c 'import os, sys; print(os.path.realpath(getattr(sys, \"_base_executable\", \"\") "
                          "or sys.executable))' 2>/dev/null",
                          &status);
    if (status != 0 || real.empty()) GTEST_SKIP() << "no python3 on PATH";
    const auto o = options("tomli==2.0.1\n", "env");
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    const stdfs::path prefix = o.prefix;
    EXPECT_EQ(report->base_python + "\n", real);
    EXPECT_EQ(cfg_value(read(prefix / "pyvenv.cfg"), "home"), stdfs::path(report->base_python).parent_path().string());
    const auto out = run((prefix / "bin/python").string() + " -c 'import sys, tomli; print(sys.prefix)' 2>&1", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, o.prefix + "\n");
}

TEST_F(CreateVenvTest, AConsoleScriptOfAWheelRunsTheEnvironmentsPython) {
    if (!stdfs::exists(system_python)) GTEST_SKIP() << system_python << " is not installed";
    // A wheel with a console script, made here, listed on a find-links page with its sha256.
    const auto links = m_dir.path() / "links";
    stdfs::create_directories(links);
    const auto script = m_dir.path() / "make_wheel.py";
    std::ofstream(script) << R"(import base64, hashlib, sys, zipfile
files = {
    "greet/__init__.py": "import sys\ndef main():\n    print('greetings from', sys.prefix)\n",
    "greet-1.0.dist-info/METADATA": "Metadata-Version: 2.1\nName: greet\nVersion: 1.0\n",
    "greet-1.0.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    "greet-1.0.dist-info/entry_points.txt": "[console_scripts]\ngreet = greet:main\n",
}
record = ""
for name, text in files.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
    record += f"{name},sha256={digest},{len(text.encode())}\n"
record += "greet-1.0.dist-info/RECORD,,\n"
path = sys.argv[1] + "/greet-1.0-py3-none-any.whl"
with zipfile.ZipFile(path, "w") as wheel:
    for name, text in files.items():
        wheel.writestr(name, text)
    wheel.writestr("greet-1.0.dist-info/RECORD", record)
sha = hashlib.sha256(open(path, "rb").read()).hexdigest()
open(sys.argv[1] + "/index.html", "w").write(
    f'<html><body><a href="greet-1.0-py3-none-any.whl#sha256={sha}">greet-1.0-py3-none-any.whl</a></body></html>\n')
)";
    int status = 1;
    const auto made = run(std::string(system_python) + " " + script.string() + " " + links.string() + " 2>&1", &status);
    ASSERT_EQ(status, 0) << made;
    test::TestServer links_server{links.string()};
    auto o = options("--no-index\n--find-links " + links_server.base_url() + "/index.html\ngreet==1.0\n", "env");
    o.lock.index_url.clear();
    o.base_python = system_python;
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    const stdfs::path prefix = o.prefix;
    ASSERT_TRUE(stdfs::exists(prefix / "bin/greet"));
    EXPECT_THAT(read(prefix / "bin/greet"), ::testing::StartsWith("#!" + o.prefix + "/bin/python3.11"));
    const auto out = run((prefix / "bin/greet").string() + " 2>&1", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, "greetings from " + o.prefix + "\n");
}

TEST_F(CreateVenvTest, ForAnImageTheVersionComesFromTheInterpretersNameAndNothingRunsIt) {
    auto o = options("tomli==2.0.1\n", "unused");
    o.prefix = "/opt/envsmith/envs/venv-test";
    o.write_dir = (m_dir.path() / "root/opt/envsmith/envs/venv-test").string();
    o.base_python = "/opt/nowhere/bin/python3.10";  // only in the image: never run here
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_EQ(report->base_python_version, "3.10");
    const stdfs::path written = o.write_dir;
    const auto cfg = read(written / "pyvenv.cfg");
    EXPECT_EQ(cfg_value(cfg, "home"), "/opt/nowhere/bin");
    EXPECT_EQ(cfg_value(cfg, "version"), "3.10");
    EXPECT_EQ(stdfs::read_symlink(written / "bin/python3.10"), "/opt/nowhere/bin/python3.10");
    EXPECT_EQ(stdfs::read_symlink(written / "bin/python"), "/opt/nowhere/bin/python3.10");
    EXPECT_TRUE(stdfs::exists(written / "lib/python3.10/site-packages/tomli/__init__.py"));
}

TEST_F(CreateVenvTest, ABaseInterpreterThatDoesNotRunOrIsRelativeIsRefusedBeforeDownloading) {
    auto o = options("tomli==2.0.1\n", "env");
    o.base_python = (m_dir.path() / "no-such/python3.11").string();
    auto report = create(m_fs, m_reporter, o);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message_id, "create.base_python_unusable");
    EXPECT_THAT(report.error().message, ::testing::HasSubstr(o.base_python));
    EXPECT_FALSE(stdfs::exists(o.prefix));
    EXPECT_FALSE(stdfs::exists(m_dir.path() / "cache" / "pkgs"));

    o.base_python = "bin/python3";
    report = create(m_fs, m_reporter, o);
    ASSERT_FALSE(report);
    EXPECT_EQ(report.error().message_id, "create.base_python_not_absolute");
    EXPECT_FALSE(stdfs::exists(o.prefix));
}

TEST_F(CreateVenvTest, ADefinitionWithACondaPythonIsNotAVirtualEnvironment) {
    // A definition with a conda python is unchanged: no pyvenv.cfg, the interpreter is conda's.
    CreateOptions o = options("", "env");
    o.path = (m_dir.path() / "environment.yml").string();
    stdfs::copy_file(std::string(ENVSMITH_DEMO_INDEX_DIR) + "/definitions/environment.yml", o.path);
    o.base_python = "relative/is/never/looked/at";
    const auto report = create(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_TRUE(report->base_python.empty());
    EXPECT_FALSE(stdfs::exists(stdfs::path(o.prefix) / "pyvenv.cfg"));
    EXPECT_FALSE(stdfs::is_symlink(stdfs::path(o.prefix) / "bin/python3.11"));
}
#endif

}  // namespace
}  // namespace envsmith::api
