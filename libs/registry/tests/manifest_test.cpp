// Platforms, manifest parsing and the plain-HTTP rule.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <type_traits>

#include "envsmith/registry/client.hpp"
#include "envsmith/registry/manifest.hpp"
#include "matchers.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;

// The registry speaks in the image layer's types.
static_assert(std::is_same_v<Platform, image::Platform>);
static_assert(std::is_same_v<Descriptor, image::Descriptor>);

Platform platform(std::string os, std::string architecture, std::string variant = {}) {
    return Platform{.architecture = std::move(architecture), .os = std::move(os),
                    .variant = std::move(variant)};
}

TEST(PlatformTest, ParsesAndPrints) {
    for (const auto* text : {"linux/amd64", "linux/arm64/v8", "windows/amd64"}) {
        const auto parsed = parse_platform(text);
        ASSERT_THAT(parsed, Succeeds());
        EXPECT_EQ(to_string(*parsed), text);
    }
    EXPECT_EQ(parse_platform("Linux/ARM64/V8").value(), platform("linux", "arm64", "v8"));
    EXPECT_THAT(parse_platform("linux/"), FailsWithId("registry.platform_invalid"));
    EXPECT_THAT(parse_platform("a/b/c/d"), FailsWithId("registry.platform_invalid"));
}

TEST(PlatformTest, Arm64WithoutVariantIsV8) {
    EXPECT_TRUE(platform_matches(platform("linux", "arm64"), platform("linux", "arm64", "v8")));
    EXPECT_TRUE(platform_matches(platform("linux", "arm64", "v8"), platform("linux", "arm64")));
    EXPECT_FALSE(platform_matches(platform("linux", "arm", "v6"), platform("linux", "arm", "v7")));
    EXPECT_TRUE(platform_matches(platform("linux", "arm", "v7"), platform("linux", "arm")));
    EXPECT_FALSE(platform_matches(platform("linux", "amd64"), platform("windows", "amd64")));
}

TEST(ManifestTest, ADockerManifestListSelectsTheVariantAskedFor) {
    const std::string list = R"({"schemaVersion":2,
      "mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
      "manifests":[
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":10,
         "digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111",
         "platform":{"architecture":"arm","os":"linux","variant":"v6"}},
        {"mediaType":"application/vnd.docker.distribution.manifest.v2+json","size":11,
         "digest":"sha256:2222222222222222222222222222222222222222222222222222222222222222",
         "platform":{"architecture":"arm","os":"linux","variant":"v7"}}]})";
    const auto content = parse_manifest(list, "", "x");
    ASSERT_THAT(content, Succeeds());
    EXPECT_TRUE(content->is_index());
    const auto v7 = select_platform(*content, platform("linux", "arm", "v7"), "x");
    ASSERT_THAT(v7, Succeeds());
    EXPECT_EQ(v7->size, 11U);
    const auto amd64 = select_platform(*content, {}, "x");
    ASSERT_THAT(amd64, FailsWithId("registry.platform_unknown"));
    EXPECT_EQ(amd64.error().arg_value("available"), "linux/arm/v6, linux/arm/v7");
}

TEST(ManifestTest, TheContentTypeNamesAManifestWithoutMediaType) {
    const std::string manifest = R"({"schemaVersion":2,
      "config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":2,
        "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
      "layers":[]})";
    const auto content =
        parse_manifest(manifest, "application/vnd.oci.image.manifest.v1+json; charset=utf-8", "x");
    ASSERT_THAT(content, Succeeds());
    EXPECT_EQ(content->media_type, media_type::oci_manifest);
    EXPECT_EQ(content->config->size, 2U);
    EXPECT_THAT(parse_manifest("{\"schemaVersion\":2,\"config\":{}}", "", "x"),
                FailsWithId("registry.manifest_invalid"));
    EXPECT_THAT(parse_manifest("not json", "", "x"), FailsWithId("registry.manifest_invalid"));
}

TEST(ManifestTest, ParsingIsTheImageLayersAndItsProblemsKeepTheirDetail) {
    const std::string manifest = R"({"schemaVersion":2,
      "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
      "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":2,
        "digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"},
      "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":7,
        "digest":"sha256:1111111111111111111111111111111111111111111111111111111111111111",
        "annotations":{"a":"b"}}],
      "annotations":{"org.example":"yes"}})";
    const auto content = parse_manifest(manifest, "", "img");
    ASSERT_THAT(content, Succeeds());
    const auto expected = image::parse_manifest(manifest);
    ASSERT_THAT(expected, Succeeds());
    EXPECT_EQ(content->to_manifest(), *expected);
    EXPECT_EQ(content->layers[0].annotations.at("a"), "b");

    const auto no_layers = parse_manifest(
        R"({"schemaVersion":2,"config":{"size":2,"digest":"sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"}})",
        "", "img");
    ASSERT_THAT(no_layers, FailsWithId("registry.manifest_invalid"));
    EXPECT_EQ(no_layers.error().arg_value("image"), "img");
    EXPECT_EQ(no_layers.error().arg_value("problem"), "no `layers` array");
    EXPECT_EQ(no_layers.error().message, "the manifest of `img` is not valid: no `layers` array");

    const auto bad_digest = parse_manifest(
        R"({"schemaVersion":2,"manifests":[{"size":1,"digest":"sha256:abc"}]})", "", "idx");
    ASSERT_THAT(bad_digest, FailsWithId("registry.manifest_invalid"));
    EXPECT_EQ(bad_digest.error().arg_value("problem"), "unsupported digest `sha256:abc`");
    EXPECT_THAT(parse_manifest(R"({"schemaVersion":2,"mediaType":"text/plain"})", "", "x"),
                FailsWithId("registry.manifest_invalid"));
}

TEST(InsecureRegistryTest, LoopbackAndListedRegistriesArePlainHttp) {
    const std::vector<std::string> none;
    EXPECT_EQ(registry_base_url("127.0.0.1:5000", none), "http://127.0.0.1:5000");
    EXPECT_EQ(registry_base_url("127.8.9.10", none), "http://127.8.9.10");
    EXPECT_EQ(registry_base_url("localhost:5000", none), "http://localhost:5000");
    EXPECT_EQ(registry_base_url("[::1]:5000", none), "http://[::1]:5000");
    EXPECT_EQ(registry_base_url("docker.io", none), "https://registry-1.docker.io");
    EXPECT_EQ(registry_base_url("myacr.azurecr.io", none), "https://myacr.azurecr.io");
    EXPECT_EQ(registry_base_url("128.0.0.1:5000", none), "https://128.0.0.1:5000");
    EXPECT_EQ(registry_base_url("127.0.0.1.example.com", none), "https://127.0.0.1.example.com");
    EXPECT_EQ(registry_base_url("localhost.example.com", none), "https://localhost.example.com");

    const std::vector<std::string> insecure = {"build.lan:5000", "mirror.lan"};
    EXPECT_EQ(registry_base_url("build.lan:5000", insecure), "http://build.lan:5000");
    EXPECT_EQ(registry_base_url("build.lan:5001", insecure), "https://build.lan:5001");
    EXPECT_EQ(registry_base_url("build.lan", insecure), "https://build.lan");
    EXPECT_EQ(registry_base_url("mirror.lan:8080", insecure), "http://mirror.lan:8080");
    EXPECT_EQ(registry_base_url("MIRROR.lan", insecure), "http://MIRROR.lan");
    EXPECT_EQ(registry_base_url("other.lan", insecure), "https://other.lan");
}

}  // namespace
}  // namespace envsmith::registry
