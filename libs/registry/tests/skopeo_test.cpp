// Cross-checks with independent tools: skopeo reads what this client pushed, and this client
// pulls what skopeo pushed from an OCI layout made by umoci.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <array>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace envsmith::registry {
namespace {

using test::Succeeds;

struct Run {
    int status = -1;
    std::string output;
};

/// Runs a shell command; its exit status and its stdout and stderr together.
Run run(const std::string& command) {
    Run result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buffer{};
    std::size_t n = 0;
    while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
        result.output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

class SkopeoTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available() || ::access("/usr/bin/skopeo", X_OK) != 0) {
            GTEST_SKIP() << "docker-registry or skopeo is not installed";
        }
        m_registry = std::make_unique<test::RegistryFixture>();
        ASSERT_TRUE(m_registry->running()) << m_registry->log();
    }
    std::string skopeo(const std::string& args) const {
        return "/usr/bin/skopeo --insecure-policy " + args;
    }

    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{testing::quick_options(), m_reporter};
    std::unique_ptr<test::RegistryFixture> m_registry;
};

TEST_F(SkopeoTest, SkopeoReadsWhatThisClientPushed) {
    Client client(m_transport, m_reporter, {});
    const auto image = testing::small_image("for-skopeo");
    const auto target = specs::ImageRef::parse(m_registry->host() + "/cross/ours:1").value();
    const auto pushed = client.push(target, image.push);
    ASSERT_THAT(pushed, Succeeds());

    const auto inspect =
        run(skopeo("inspect --tls-verify=false docker://" + m_registry->host() + "/cross/ours:1"));
    ASSERT_EQ(inspect.status, 0) << inspect.output;
    const auto json = nlohmann::json::parse(inspect.output);
    EXPECT_EQ(json["Digest"], pushed->manifest_digest);
    EXPECT_EQ(json["Architecture"], "amd64");
    EXPECT_EQ(json["Labels"]["seed"], "for-skopeo");
    ASSERT_EQ(json["Layers"].size(), 2U);
    EXPECT_EQ(json["Layers"][0], image.layers[0].descriptor.digest.to_string());
    EXPECT_EQ(json["Layers"][1], image.layers[1].descriptor.digest.to_string());

    const auto raw = run(skopeo("inspect --raw --tls-verify=false docker://" + m_registry->host() +
                                "/cross/ours:1"));
    ASSERT_EQ(raw.status, 0) << raw.output;
    EXPECT_EQ(raw.output, image.push.manifest);
}

TEST_F(SkopeoTest, ThisClientPullsWhatSkopeoPushedFromAnUmociLayout) {
    if (::access("/usr/bin/umoci", X_OK) != 0) {
        GTEST_SKIP() << "umoci is not installed";
    }
    test::TempDir dir;
    const auto root = dir.path().string();
    dir.write("rootfs/etc/hello.txt", "hello from umoci\n");
    dir.write("rootfs/bin/tool", "#!/bin/sh\necho tool\n");
    const auto steps = std::vector<std::string>{
        "tar --numeric-owner --owner=0 --group=0 -C " + root + "/rootfs -cf " + root + "/layer.tar .",
        "umoci init --layout " + root + "/oci",
        "umoci new --image " + root + "/oci:img",
        "umoci raw add-layer --image " + root + "/oci:img " + root + "/layer.tar",
        "umoci config --image " + root + "/oci:img --config.cmd /bin/sh --architecture amd64 --os linux",
        skopeo("copy --dest-tls-verify=false oci:" + root + "/oci:img docker://" + m_registry->host() +
               "/cross/theirs:1"),
    };
    for (const auto& step : steps) {
        const auto result = run(step);
        ASSERT_EQ(result.status, 0) << step << "\n" << result.output;
    }
    const auto raw = run(skopeo("inspect --raw --tls-verify=false docker://" + m_registry->host() +
                                "/cross/theirs:1"));
    ASSERT_EQ(raw.status, 0) << raw.output;

    Client client(m_transport, m_reporter, {});
    const auto ref = specs::ImageRef::parse(m_registry->host() + "/cross/theirs:1").value();
    const auto pulled = client.pull(ref, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->manifest.bytes, raw.output);
    EXPECT_EQ(pulled->manifest.content.media_type, media_type::oci_manifest);
    ASSERT_EQ(pulled->layers.size(), 1U);
    EXPECT_EQ(pulled->layers[0].descriptor.media_type, media_type::oci_layer_gzip);
    const auto config = nlohmann::json::parse(pulled->config.bytes);
    EXPECT_EQ(config["architecture"], "amd64");
    EXPECT_EQ(config["config"]["Cmd"][0], "/bin/sh");

    // The layer is the gzip of the tar umoci was given: write it out and list it.
    dir.write("pulled.tar.gz", pulled->layers[0].bytes);
    const auto listing = run("tar -tzf " + root + "/pulled.tar.gz");
    ASSERT_EQ(listing.status, 0) << listing.output;
    EXPECT_THAT(listing.output, ::testing::HasSubstr("etc/hello.txt"));
}

}  // namespace
}  // namespace envsmith::registry
