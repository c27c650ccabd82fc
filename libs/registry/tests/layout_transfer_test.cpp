// Pushing from and pulling into an OCI image layout (libs/image), against docker-registry.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/image/layout.hpp"
#include "envsmith/image/manifest.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/layout_transfer.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace envsmith::registry {
namespace {

using test::Succeeds;

TEST(LayoutTransferTest, ALayoutImageRoundTripsThroughTheRegistryWithItsDigest) {
    if (!test::RegistryFixture::available()) {
        GTEST_SKIP() << "/usr/bin/docker-registry is not installed";
    }
    test::RegistryFixture registry;
    ASSERT_TRUE(registry.running()) << registry.log();
    test::TempDir dir;
    auto source = image::Layout::open_or_create((dir.path() / "source").string());
    ASSERT_THAT(source, Succeeds());
    image::Manifest manifest;
    auto config = source->write_blob(image::media_type::oci_config,
                                     R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})");
    ASSERT_THAT(config, Succeeds());
    manifest.config = *config;
    for (const auto* bytes : {"first layer bytes", "second layer, a little longer"}) {
        auto layer = source->write_blob(image::media_type::oci_layer_gzip, bytes);
        ASSERT_THAT(layer, Succeeds());
        manifest.layers.push_back(*layer);
    }
    const auto listed = source->add_manifest(manifest, "v1");
    ASSERT_THAT(listed, Succeeds());

    test::RecordingReporter reporter;
    net::CurlTransport transport(testing::quick_options(), reporter);
    Client client(transport, reporter, {});
    const auto ref = specs::ImageRef::parse(registry.host() + "/layout/app:v1").value();
    const auto pushed = push_from_layout(client, *source, "v1", ref);
    ASSERT_THAT(pushed, Succeeds());
    EXPECT_EQ(pushed->manifest_digest, listed->digest.to_string());
    EXPECT_EQ(pushed->blobs_uploaded, 3U);

    auto target = image::Layout::open_or_create((dir.path() / "target").string());
    ASSERT_THAT(target, Succeeds());
    const auto pulled = pull_into_layout(client, ref, Platform{}, *target, "copy");
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->digest, listed->digest);
    const auto read_back = target->read_manifest("copy");
    ASSERT_THAT(read_back, Succeeds());
    EXPECT_EQ(read_back->layers, manifest.layers);
    for (const auto& layer : manifest.layers) {
        EXPECT_TRUE(target->has_blob(layer.digest));
    }
}

}  // namespace
}  // namespace envsmith::registry
