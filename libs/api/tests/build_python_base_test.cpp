// envsmith build of a requirements.txt on a Python base image, run under runc: the base is made
// here from the host's /usr/bin/python3.11, the shared libraries ldd names, a trimmed
// /usr/lib/python3.11 and busybox's /bin/sh (image::assemble_image into an OCI layout); the
// built image's environment is a virtual environment over the base's interpreter, and its
// python imports the wheel installed from the demo index over loopback HTTP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "envsmith/api/build.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/image/assemble.hpp"
#include "envsmith/image/layout.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"
#include "shell.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

#ifdef ENVSMITH_DEMO_INDEX_DIR
constexpr const char* base_python = "/usr/bin/python3.11";

using test::read;
using test::run;
using test::have;

/// A root file system with the host's python3.11: the interpreter, the libraries it loads
/// (at the paths ldd gives, dereferenced), the standard library without tests, tools, caches
/// and the static libpython (about 24 MB), and busybox as /bin/sh.
std::string make_python_rootfs(const stdfs::path& root, int& status) {
    const auto r = root.string();
    return run("set -e; R=" + r +
                   "; mkdir -p $R/usr/bin $R/usr/lib $R/bin $R/tmp $R/proc $R/sys $R/dev $R/etc; "
                   "cp /usr/bin/python3.11 $R/usr/bin/; cp /bin/busybox $R/bin/; ln -s busybox $R/bin/sh; "
                   "for lib in $(ldd /usr/bin/python3.11 | grep -o '/[^ ]*'); do "
                   "mkdir -p $R$(dirname $lib); cp -L $lib $R$lib; done; "
                   "tar -C /usr/lib -cf - --exclude=__pycache__ --exclude=python3.11/test --exclude=python3.11/idlelib "
                   "--exclude=python3.11/tkinter --exclude=python3.11/ensurepip --exclude=python3.11/lib2to3 "
                   "--exclude=python3.11/pydoc_data --exclude=python3.11/distutils --exclude='python3.11/config-*' "
                   "--exclude=python3.11/sitecustomize.py --exclude=python3.11/asyncio --exclude=python3.11/unittest "
                   "--exclude=python3.11/multiprocessing --exclude=python3.11/turtledemo "
                   "--exclude=python3.11/dist-packages python3.11 | tar -C $R/usr/lib -xf - 2>&1",
               &status);
}

TEST(BuildOnAPythonBase, ARequirementsFileBecomesAVirtualEnvironmentOverTheBasesPythonAndRunsUnderRunc) {
    if (!stdfs::exists(base_python) || !stdfs::exists("/bin/busybox") || !have("ldd")) {
        GTEST_SKIP() << "/usr/bin/python3.11, busybox-static or ldd is missing";
    }
    if (!have("umoci") || !have("runc")) GTEST_SKIP() << "umoci or runc is not installed";
    if (::geteuid() != 0) GTEST_SKIP() << "runc needs root here";
    test::TempDir dir;
    test::TestServer server{ENVSMITH_DEMO_INDEX_DIR};
    test::RecordingReporter reporter;
    LocalFileSystem fs;

    // The base image, in its own layout.
    const auto rootfs = dir.path() / "rootfs";
    int status = 1;
    const auto made = make_python_rootfs(rootfs, status);
    ASSERT_EQ(status, 0) << made;
    const auto base_layout_dir = (dir.path() / "base").string();
    {
        auto layout = image::Layout::open_or_create(base_layout_dir);
        ASSERT_THAT(layout, test::Succeeds());
        image::AssembleRequest request;
        request.layers.push_back({rootfs.string(), "", "python3.11 copied from the host"});
        request.settings.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
        request.tag = "python3.11";
        ASSERT_THAT(image::assemble_image(*layout, request), test::Succeeds());
    }
    stdfs::remove_all(rootfs);

    // The build: a requirements.txt from the demo index on that base.
    BuildOptions o;
    o.path = (dir.path() / "requirements.txt").string();
    std::ofstream(o.path) << "tomli==2.0.1\n";
    o.oci_layout = (dir.path() / "oci").string();
    o.platform = "linux-64";
    o.envsmith_version = "test";
    o.source_date_epoch = 0;
    o.base = "oci:" + base_layout_dir + ":python3.11";
    // The interpreter is found in the base's layers: /usr/bin/python3.11.
    o.create.lock.python = "3.12";  // the base's interpreter decides
    o.create.lock.network.cache_dir = (dir.path() / "cache").string();
    o.create.lock.network.channel_alias = server.base_url() + "/channel";
    o.create.lock.index_url = server.base_url() + "/simple";
    o.create.lock.network.retries = 0;
    o.create.lock.use_process_overrides = false;
    const auto built = build(fs, reporter, o);
    ASSERT_THAT(built, test::Succeeds());
    ASSERT_TRUE(built->create.has_value());
    EXPECT_EQ(built->create->base_python, base_python);
    EXPECT_EQ(built->create->base_python_version, "3.11");
    // The layer's answer is kept by its digest, so the next build on this base lists nothing.
    std::vector<std::string> answers;
    for (const auto& entry : stdfs::directory_iterator(dir.path() / "cache" / "images" / "python")) {
        answers.push_back(read(entry.path()));
    }
    EXPECT_THAT(answers, ::testing::Contains(std::string(base_python) + "\n"));
    const auto prefix = built->prefix;
    ASSERT_THAT(prefix, ::testing::StartsWith("/opt/envsmith/envs/"));

    const auto bundle = dir.path() / "bundle";
    const auto unpacked =
        run("umoci unpack --image " + o.oci_layout + ":" + built->tag + " " + bundle.string() + " 2>&1", &status);
    ASSERT_EQ(status, 0) << unpacked;
    const auto env_dir = bundle / "rootfs" / prefix.substr(1);
    const auto cfg = read(env_dir / "pyvenv.cfg");
    EXPECT_THAT(cfg, ::testing::HasSubstr("home = /usr/bin\n"));
    EXPECT_THAT(cfg, ::testing::HasSubstr("include-system-site-packages = false\n"));
    EXPECT_THAT(cfg, ::testing::HasSubstr("version = 3.11\n"));
    EXPECT_EQ(stdfs::read_symlink(env_dir / "bin/python"), base_python);
    EXPECT_TRUE(stdfs::exists(env_dir / "lib/python3.11/site-packages/tomli/__init__.py"));

    auto config = nlohmann::json::parse(read(bundle / "config.json"));
    EXPECT_THAT(config["process"]["env"].dump(), ::testing::HasSubstr("PATH=" + prefix + "/bin:"));
    config["process"]["terminal"] = false;
    const std::string id = "envsmith-python-base-test-" + std::to_string(::getpid());
    const auto run_in_bundle = [&](const std::vector<std::string>& args) {
        config["process"]["args"] = args;
        std::ofstream(bundle / "config.json", std::ios::trunc) << config.dump();
        const auto out = run("cd " + bundle.string() + " && timeout 30 runc run " + id + " 2>&1", &status);
        run("runc delete -f " + id + " > /dev/null 2>&1");
        return out;
    };
    // First the base's shell: when that does not run, runc cannot run containers here.
    const auto shell = run_in_bundle({"/bin/sh", "-c", "echo ready"});
    if (status != 0 || shell != "ready\n") GTEST_SKIP() << "runc cannot run containers here: " << shell;

    const auto ran = run_in_bundle(
        {prefix + "/bin/python", "-c", "import sys, tomli; print(tomli.__name__, tomli.__version__, sys.prefix)"});
    EXPECT_EQ(status, 0) << ran;
    EXPECT_EQ(ran, "tomli 2.0.1 " + prefix + "\n");
}
#endif

}  // namespace
}  // namespace envsmith::api
