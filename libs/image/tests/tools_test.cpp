// Our layouts checked by independent tools: umoci unpacks them, oci-image-tool validates them,
// skopeo reads them; an image built on a busybox base (made with umoci) shows both layers and,
// where runc can run here, runs. Each test skips when its tool is not installed.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <nlohmann/json.hpp>

#include "envsmith/image/assemble.hpp"
#include "envsmith/image/layout.hpp"
#include "image_test_support.hpp"
#include "matchers.hpp"

namespace envsmith::image {
namespace {

using namespace test_support;
using test::Succeeds;
using testing::HasSubstr;

constexpr const char* env_path = "opt/envsmith/envs/demo";

/// `find` listing of a tree: path, permission bits, type, link target, size of files.
std::string tree_listing(const std::string& dir) {
    return run("cd '" + dir +
               "' && find . -printf '%p %m %y %l %s\\n' | grep -v ' d  ' | sort; "
               "cd '" +
               dir + "' && find . -type d -printf '%p %m\\n' | sort");
}

AssembleRequest demo_request(const std::string& env_dir, Compression compression) {
    AssembleRequest request;
    request.layers.push_back({env_dir, env_path, "envsmith: conda environment demo"});
    request.settings.env = {"PATH=/opt/envsmith/envs/demo/bin:/usr/bin:/bin",
                            "CONDA_PREFIX=/opt/envsmith/envs/demo"};
    request.settings.labels = {{"org.envsmith.definition-hash", "sha256:0123"},
                               {"org.opencontainers.image.title", "demo"}};
    request.settings.cmd = std::vector<std::string>{"/opt/envsmith/envs/demo/bin/python"};
    request.settings.working_dir = "/";
    request.compression = compression;
    request.threads = 2;
    request.tag = "demo";
    return request;
}

class ToolsTest : public testing::TestWithParam<Compression> {};

TEST_P(ToolsTest, UmociUnpacksTheInputTreeExactly) {
    if (!have_tool("umoci")) {
        GTEST_SKIP() << "umoci is not installed";
    }
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");
    auto layout = Layout::open_or_create(tmp.path() + "/oci");
    ASSERT_THAT(layout, Succeeds());
    ASSERT_THAT(assemble_image(*layout, demo_request(tmp.path() + "/env", GetParam())), Succeeds());

    const std::string rootless = ::geteuid() == 0 ? "" : " --rootless";
    int status = 1;
    if (GetParam() == Compression::zstd) {
        // umoci 0.4.7 refuses zstd layers ("blob is not correct mediatype"): unpack the one
        // layer with the zstd and GNU tar tools instead, and keep umoci for the config check.
        auto manifest = layout->read_manifest("demo");
        ASSERT_THAT(manifest, Succeeds());
        stdfs::create_directories(tmp.path() + "/bundle/rootfs");
        const auto out = run("zstd -q -dc " + layout->blob_path(manifest->layers[0].digest) +
                                 " | tar -xf - -C " + tmp.path() + "/bundle/rootfs 2>&1",
                             &status);
        ASSERT_EQ(status, 0) << out;
        EXPECT_EQ(tree_listing(tmp.path() + "/bundle/rootfs/" + env_path),
                  tree_listing(tmp.path() + "/env"));
        return;
    }
    const auto out = run("umoci unpack" + rootless + " --image " + tmp.path() + "/oci:demo " +
                             tmp.path() + "/bundle 2>&1",
                         &status);
    ASSERT_EQ(status, 0) << out;
    const std::string unpacked = tmp.path() + "/bundle/rootfs/" + env_path;
    EXPECT_EQ(tree_listing(unpacked), tree_listing(tmp.path() + "/env"));
    EXPECT_EQ(read_file(unpacked + "/lib/libdata.so"),
              read_file(tmp.path() + "/env/lib/libdata.so"));
    struct stat a {
    }, b{};
    ASSERT_EQ(::stat((unpacked + "/lib/libdata.so").c_str(), &a), 0);
    ASSERT_EQ(::stat((unpacked + "/lib/libdata-link.so").c_str(), &b), 0);
    EXPECT_EQ(a.st_ino, b.st_ino);  // the hardlink survived
    EXPECT_EQ(run("stat -c '%a %u %g %Y' " + tmp.path() + "/bundle/rootfs/opt"), "755 0 0 0\n");

    // The runtime config umoci derived from our image config.
    const auto runtime = nlohmann::json::parse(read_file(tmp.path() + "/bundle/config.json"));
    const auto env = runtime["process"]["env"];
    EXPECT_THAT(env.dump(), HasSubstr("CONDA_PREFIX=/opt/envsmith/envs/demo"));
    EXPECT_EQ(runtime["process"]["args"].dump(), R"(["/opt/envsmith/envs/demo/bin/python"])");
}

TEST_P(ToolsTest, OciImageToolValidatesAndSkopeoReadsLabelsAndEnv) {
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");
    auto layout = Layout::open_or_create(tmp.path() + "/oci");
    ASSERT_THAT(layout, Succeeds());
    auto image = assemble_image(*layout, demo_request(tmp.path() + "/env", GetParam()));
    ASSERT_THAT(image, Succeeds());

    if (have_tool("oci-image-tool") && GetParam() == Compression::gzip) {
        // `--type imageLayout` is not implemented by this tool; `--type image` checks a layout.
        // It predates zstd layers (OCI 1.1) and rejects their media type, so gzip only.
        int status = 1;
        const auto out =
            run("oci-image-tool validate --type image " + tmp.path() + "/oci 2>&1", &status);
        EXPECT_EQ(status, 0) << out;
        EXPECT_THAT(out, HasSubstr("Validation succeeded"));
    }
    if (!have_tool("skopeo")) {
        GTEST_SKIP() << "skopeo is not installed";
    }
    int status = 1;
    const auto out = run("skopeo inspect oci:" + tmp.path() + "/oci:demo 2>&1", &status);
    ASSERT_EQ(status, 0) << out;
    const auto inspected = nlohmann::json::parse(out);
    EXPECT_EQ(inspected["Digest"], image->manifest.digest.to_string());
    EXPECT_EQ(inspected["Labels"]["org.envsmith.definition-hash"], "sha256:0123");
    EXPECT_EQ(inspected["Architecture"], "amd64");
    EXPECT_EQ(inspected["Os"], "linux");
    EXPECT_THAT(inspected["Env"].dump(),
                HasSubstr("PATH=/opt/envsmith/envs/demo/bin:/usr/bin:/bin"));
    ASSERT_EQ(inspected["Layers"].size(), 1U);
    EXPECT_EQ(inspected["Layers"][0], image->new_layers[0].descriptor.digest.to_string());
    EXPECT_EQ(inspected["Created"], "1970-01-01T00:00:00Z");
}

INSTANTIATE_TEST_SUITE_P(Compressions, ToolsTest,
                         testing::Values(Compression::gzip, Compression::zstd),
                         [](const auto& param_info) {
                             return std::string(param_info.param == Compression::gzip ? "gzip"
                                                                                      : "zstd");
                         });

/// A busybox base image made by umoci as INFRA.md describes (busybox-static, applet links).
bool make_busybox_base(const std::string& dir, std::string* log) {
    const std::string script =
        "set -e; cd '" + dir +
        "'; mkdir -p bb/bin bb/etc bb/tmp bb/proc bb/sys bb/dev bb/root; "
        "cp /bin/busybox bb/bin/; for a in sh ls cat echo env; do ln -s busybox bb/bin/$a; done; "
        "echo 'root:x:0:0:root:/root:/bin/sh' > bb/etc/passwd; echo 'root:x:0:' > bb/etc/group; "
        "tar --numeric-owner --owner=0 --group=0 -C bb -cf bb.tar .; "
        "umoci init --layout base; umoci new --image base:busybox; "
        "umoci raw add-layer --image base:busybox bb.tar; "
        "umoci config --image base:busybox --config.cmd /bin/sh --config.env PATH=/bin "
        "--config.env LANG=C.UTF-8 --config.label base.label=busybox --architecture amd64 --os "
        "linux; "
        "umoci gc --layout base 2>&1";
    int status = 1;
    *log = run(script + " 2>&1", &status);
    return status == 0;
}

TEST(ToolsBaseTest, LayerOnABusyboxBaseUnpacksWithBothAndRuns) {
    if (!have_tool("umoci") || !stdfs::exists("/bin/busybox")) {
        GTEST_SKIP() << "umoci or busybox-static is not installed";
    }
    TempDir tmp;
    std::string log;
    ASSERT_TRUE(make_busybox_base(tmp.path(), &log)) << log;
    make_env_tree(tmp.path() + "/env");

    auto base = read_base_image(tmp.path() + "/base", "busybox");
    ASSERT_THAT(base, Succeeds());
    ASSERT_EQ(base->manifest.layers.size(), 1U);
    auto layout = Layout::open_or_create(tmp.path() + "/oci");
    ASSERT_THAT(layout, Succeeds());
    auto request = demo_request(tmp.path() + "/env", Compression::gzip);
    request.base = *base;
    request.settings.cmd = std::vector<std::string>{
        "/bin/sh", "-c",
        "echo PREFIX=$CONDA_PREFIX LANG=$LANG; cat /opt/envsmith/envs/demo/conda-meta/history"};
    auto image = assemble_image(*layout, request);
    ASSERT_THAT(image, Succeeds());
    ASSERT_EQ(image->manifest_value.layers.size(), 2U);
    EXPECT_EQ(image->manifest_value.layers[0].digest, base->manifest.layers[0].digest);
    EXPECT_EQ(image->config_value.diff_ids.size(), 2U);
    EXPECT_EQ(image->config_value.env,
              (std::vector<std::string>{"PATH=/opt/envsmith/envs/demo/bin:/usr/bin:/bin",
                                        "LANG=C.UTF-8", "CONDA_PREFIX=/opt/envsmith/envs/demo"}));
    EXPECT_EQ(image->config_value.labels.at("base.label"), "busybox");

    if (have_tool("oci-image-tool")) {
        int status = 1;
        const auto out =
            run("oci-image-tool validate --type image " + tmp.path() + "/oci 2>&1", &status);
        EXPECT_EQ(status, 0) << out;
    }
    int status = 1;
    const std::string rootless = ::geteuid() == 0 ? "" : " --rootless";
    const auto out = run("umoci unpack" + rootless + " --image " + tmp.path() + "/oci:demo " +
                             tmp.path() + "/bundle 2>&1",
                         &status);
    ASSERT_EQ(status, 0) << out;
    EXPECT_TRUE(stdfs::exists(tmp.path() + "/bundle/rootfs/bin/busybox"));
    EXPECT_EQ(stdfs::read_symlink(tmp.path() + "/bundle/rootfs/bin/sh").string(), "busybox");
    EXPECT_EQ(read_file(tmp.path() + "/bundle/rootfs/opt/envsmith/envs/demo/conda-meta/history"),
              "==> 2024 <==\n");

    // Run it, where runc works here (root, cgroups as INFRA.md describes); skip otherwise.
    if (!have_tool("runc") || ::geteuid() != 0) {
        GTEST_SKIP() << "runc is not installed or not root: the image was not run";
    }
    const std::string config_path = tmp.path() + "/bundle/config.json";
    auto runtime = nlohmann::json::parse(read_file(config_path));
    runtime["process"]["terminal"] = false;
    std::ofstream(config_path) << runtime.dump();
    const std::string id = "envsmith-image-test-" + std::to_string(::getpid());
    const auto ran =
        run("cd " + tmp.path() + "/bundle && timeout 20 runc run " + id + " 2>&1", &status);
    run("runc delete -f " + id + " > /dev/null 2>&1");
    if (status != 0 && ran.find("PREFIX=") == std::string::npos) {
        GTEST_SKIP() << "runc cannot run containers here: " << ran;
    }
    EXPECT_EQ(ran, "PREFIX=/opt/envsmith/envs/demo LANG=C.UTF-8\n==> 2024 <==\n");
}

}  // namespace
}  // namespace envsmith::image
