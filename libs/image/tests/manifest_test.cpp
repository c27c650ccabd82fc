// Canonical JSON of manifests, indexes and configs; parsing of both OCI and Docker documents.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/image/config.hpp"
#include "envsmith/image/manifest.hpp"
#include "matchers.hpp"

namespace envsmith::image {
namespace {

using test::FailsWithId;
using test::Succeeds;
using testing::HasSubstr;

core::Digest digest_of(std::string_view text) {
    return core::sha256(text);
}

TEST(ManifestTest, CanonicalJsonHasSortedKeysAndNoWhitespace) {
    Manifest manifest;
    manifest.config = describe_bytes(media_type::oci_config, "{}");
    Descriptor layer;
    layer.media_type = std::string(media_type::oci_layer_gzip);
    layer.digest = digest_of("layer");
    layer.size = 42;
    manifest.layers.push_back(layer);
    const auto json = to_json(manifest);
    EXPECT_EQ(
        json,
        "{\"config\":{\"digest\":\"sha256:"
        "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a\","
        "\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"size\":2},"
        "\"layers\":[{\"digest\":\"" +
            layer.digest.to_string() +
            "\",\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"size\":42}],"
            "\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"schemaVersion\":2}");
    auto parsed = parse_manifest(json);
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(*parsed, manifest);
    EXPECT_EQ(to_json(*parsed), json);
}

TEST(ManifestTest, ReadsDockerSchema2AndIndexesWithPlatforms) {
    const std::string docker = R"({
      "schemaVersion": 2,
      "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
      "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": 7023,
                 "digest": "sha256:b5b2b2c507a0944348e0303114d8d93aaaa081732b86451d9bce1f432a537bc7"},
      "layers": [{"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 32654,
                  "digest": "sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"}]})";
    auto manifest = parse_manifest(docker);
    ASSERT_THAT(manifest, Succeeds());
    EXPECT_EQ(manifest->media_type, media_type::docker_manifest);
    EXPECT_EQ(manifest->config.size, 7023U);
    ASSERT_EQ(manifest->layers.size(), 1U);
    EXPECT_EQ(media_type::to_oci_layer(manifest->layers[0].media_type), media_type::oci_layer_gzip);

    const std::string index = R"({"schemaVersion":2,"manifests":[
      {"mediaType":"application/vnd.oci.image.manifest.v1+json","size":7,
       "digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f",
       "platform":{"architecture":"arm64","os":"linux","variant":"v8"},
       "annotations":{"org.opencontainers.image.ref.name":"v1"}}]})";
    auto parsed = parse_index(index);
    ASSERT_THAT(parsed, Succeeds());
    ASSERT_EQ(parsed->manifests.size(), 1U);
    ASSERT_TRUE(parsed->manifests[0].platform.has_value());
    EXPECT_EQ(parsed->manifests[0].platform->variant, "v8");
    EXPECT_EQ(parsed->manifests[0].annotations.at(std::string(ref_name_annotation)), "v1");
    EXPECT_THAT(to_json(*parsed),
                HasSubstr(R"("platform":{"architecture":"arm64","os":"linux","variant":"v8"})"));
}

TEST(ManifestTest, RejectsWhatIsNotAManifest) {
    const auto cases = {
        std::string("not json"),
        std::string("[]"),
        std::string(R"({"schemaVersion":1})"),
        std::string(R"({"schemaVersion":2,"config":{"digest":"sha256:zz","size":1},"layers":[]})"),
        std::string(
            R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","config":{},"layers":[]})"),
        std::string(
            R"({"schemaVersion":2,"config":{"digest":"sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f","size":-1},"layers":[]})")};
    for (const auto& text : cases) {
        SCOPED_TRACE(text);
        const auto parsed = parse_manifest(text);
        ASSERT_THAT(parsed, FailsWithId("image.json.invalid"));
        EXPECT_EQ(parsed.error().arg_value("what"), "image manifest");
        EXPECT_EQ(parsed.error().message,
                  "invalid image manifest: " + std::string(parsed.error().arg_value("detail")));
    }
}

TEST(ConfigTest, CanonicalJsonRoundTripsAndOmitsEmptyFields) {
    ImageConfig config;
    config.created = rfc3339_utc(0);
    config.env = {"PATH=/opt/env/bin:/usr/bin", "CONDA_PREFIX=/opt/env"};
    config.cmd = {"python"};
    config.labels = {{"org.envsmith.definition", "sha256:abc"}, {"a", "b"}};
    config.working_dir = "/work";
    config.diff_ids = {digest_of("x")};
    config.history = {{config.created, "envsmith layer /opt/env", "", "", false}};
    const auto json = to_json(config);
    EXPECT_EQ(
        json,
        R"({"architecture":"amd64","config":{"Cmd":["python"],"Env":["PATH=/opt/env/bin:/usr/bin","CONDA_PREFIX=/opt/env"],)"
        R"("Labels":{"a":"b","org.envsmith.definition":"sha256:abc"},"WorkingDir":"/work"},)"
        R"("created":"1970-01-01T00:00:00Z","history":[{"created":"1970-01-01T00:00:00Z","created_by":"envsmith layer /opt/env"}],)"
        R"("os":"linux","rootfs":{"diff_ids":[")" +
            digest_of("x").to_string() + R"("],"type":"layers"}})");
    auto parsed = parse_config(json);
    ASSERT_THAT(parsed, Succeeds());
    EXPECT_EQ(*parsed, config);
}

TEST(ConfigTest, ReadsADockerConfigAndDropsUnknownFields) {
    const std::string docker = R"js({"architecture":"amd64","os":"linux","docker_version":"20.10",
      "config":{"Hostname":"","Env":["PATH=/usr/bin"],"Cmd":["/bin/sh"],"ExposedPorts":{"80/tcp":{}},
                "Labels":null,"Volumes":{"/data":{}}},
      "container_config":{"Cmd":["/bin/sh","-c","#(nop)"]},
      "rootfs":{"type":"layers","diff_ids":["sha256:e692418e4cbaf90ca69d05a66403747baa33ee08806650b51fab815ad7fc331f"]},
      "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD file","empty_layer":false},
                 {"created_by":"CMD","empty_layer":true}]})js";
    auto config = parse_config(docker);
    ASSERT_THAT(config, Succeeds());
    EXPECT_EQ(config->env, std::vector<std::string>{"PATH=/usr/bin"});
    EXPECT_EQ(config->exposed_ports, std::set<std::string>{"80/tcp"});
    EXPECT_EQ(config->volumes, std::set<std::string>{"/data"});
    ASSERT_EQ(config->history.size(), 2U);
    EXPECT_TRUE(config->history[1].empty_layer);
    EXPECT_THAT(to_json(*config), testing::Not(HasSubstr("docker_version")));

    EXPECT_THAT(parse_config(R"({"os":"linux","rootfs":{"diff_ids":[]}})"),
                FailsWithId("image.json.invalid"));
    EXPECT_THAT(parse_config(R"({"architecture":"amd64","os":"linux"})"),
                FailsWithId("image.json.invalid"));
    EXPECT_THAT(
        parse_config(R"({"architecture":"amd64","os":"linux","rootfs":{"diff_ids":["md5:x"]}})"),
        FailsWithId("image.json.invalid"));
}

TEST(ConfigTest, MergeEnvReplacesInPlaceAndAppendsNewKeys) {
    const std::vector<std::string> base = {"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "WEIRD"};
    const auto merged =
        merge_env(base, {"CONDA_PREFIX=/opt/env", "PATH=/opt/env/bin:/usr/bin:/bin"});
    EXPECT_EQ(merged, (std::vector<std::string>{"PATH=/opt/env/bin:/usr/bin:/bin", "LANG=C.UTF-8",
                                                "WEIRD", "CONDA_PREFIX=/opt/env"}));
    EXPECT_EQ(env_value(merged, "PATH"), "/opt/env/bin:/usr/bin:/bin");
    EXPECT_EQ(env_value(merged, "PAT"), std::nullopt);
    EXPECT_EQ(rfc3339_utc(1700000000), "2023-11-14T22:13:20Z");

    EXPECT_EQ(conda_prefix_env("/opt/envsmith/envs/demo/", base),
              (std::vector<std::string>{"PATH=/opt/envsmith/envs/demo/bin:/usr/bin:/bin",
                                        "CONDA_PREFIX=/opt/envsmith/envs/demo"}));
    EXPECT_EQ(conda_prefix_env("/opt/env", {})[0],
              "PATH=/opt/env/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

}  // namespace
}  // namespace envsmith::image
