// Layers and layouts: determinism over thread counts and touched inputs, compressed streams
// accepted by gzip and zstd, index.json handling.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/time.h>

#include "envsmith/image/assemble.hpp"
#include "envsmith/image/layer.hpp"
#include "envsmith/image/layout.hpp"
#include "image_test_support.hpp"
#include "matchers.hpp"

namespace envsmith::image {
namespace {

using namespace test_support;
using test::FailsWithId;
using test::Succeeds;

Layer layer_file(const std::string& dir, const std::string& out, Compression compression,
                 unsigned threads, std::int64_t epoch = 0) {
    LayerOptions options;
    options.path_in_image = "opt/envsmith/envs/demo";
    options.compression = compression;
    options.threads = threads;
    options.mtime_epoch = epoch;
    auto layer = make_layer_file(dir, options, out);
    EXPECT_THAT(layer, Succeeds());
    return layer ? *layer : Layer{};
}

std::string sha256_of_file(const std::string& path) {
    return "sha256:" + run("sha256sum " + path + " | cut -d' ' -f1").substr(0, 64);
}

class LayerTest : public testing::TestWithParam<Compression> {};

TEST_P(LayerTest, SameBytesForAnyThreadCountAndAfterTouchingTheInput) {
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");
    const auto one = layer_file(tmp.path() + "/env", tmp.path() + "/l1", GetParam(), 1);
    const auto four = layer_file(tmp.path() + "/env", tmp.path() + "/l4", GetParam(), 4);
    EXPECT_EQ(one.descriptor, four.descriptor);
    EXPECT_EQ(one.diff_id, four.diff_id);
    EXPECT_EQ(read_file(tmp.path() + "/l1"), read_file(tmp.path() + "/l4"));
    // The descriptor describes the file that was written.
    EXPECT_EQ(one.descriptor.digest.to_string(), sha256_of_file(tmp.path() + "/l1"));
    EXPECT_EQ(one.descriptor.size, read_file(tmp.path() + "/l1").size());

    for (const auto& item : stdfs::recursive_directory_iterator(tmp.path() + "/env")) {
        const struct timeval times[2] = {{99999, 0}, {123456789, 0}};
        ::lutimes(item.path().c_str(), times);
    }
    const auto touched = layer_file(tmp.path() + "/env", tmp.path() + "/lt", GetParam(), 2);
    EXPECT_EQ(touched.descriptor, one.descriptor);

    const auto other_epoch =
        layer_file(tmp.path() + "/env", tmp.path() + "/le", GetParam(), 2, 1700000000);
    EXPECT_NE(other_epoch.diff_id, one.diff_id);
    EXPECT_NE(other_epoch.descriptor.digest, one.descriptor.digest);
}

TEST_P(LayerTest, RealToolsDecompressToTheTarOfTheDiffId) {
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");
    const auto layer = layer_file(tmp.path() + "/env", tmp.path() + "/blob", GetParam(), 2);
    const std::string blob = tmp.path() + "/blob";
    std::string cat = "cat " + blob;
    if (GetParam() == Compression::gzip) {
        EXPECT_EQ(layer.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+gzip");
        int status = 1;
        run("gzip -t " + blob, &status);
        EXPECT_EQ(status, 0);
        cat = "gzip -dc " + blob;
    } else if (GetParam() == Compression::zstd) {
        EXPECT_EQ(layer.descriptor.media_type, "application/vnd.oci.image.layer.v1.tar+zstd");
        if (!have_tool("zstd")) {
            GTEST_SKIP() << "zstd is not installed";
        }
        int status = 1;
        run("zstd -q -t " + blob, &status);
        EXPECT_EQ(status, 0);
        cat = "zstd -q -dc " + blob;
    } else {
        EXPECT_EQ(layer.descriptor.digest, layer.diff_id);
    }
    EXPECT_EQ("sha256:" + run(cat + " | sha256sum | cut -d' ' -f1").substr(0, 64),
              layer.diff_id.to_string());
    EXPECT_EQ(run(cat + " | wc -c"), std::to_string(layer.tar_bytes) + "\n");
    const auto listing = run("TZ=UTC " + cat + " | tar --numeric-owner -tvf - | head -3");
    EXPECT_EQ(listing,
              "drwxr-xr-x 0/0               0 1970-01-01 00:00 opt/\n"
              "drwxr-xr-x 0/0               0 1970-01-01 00:00 opt/envsmith/\n"
              "drwxr-xr-x 0/0               0 1970-01-01 00:00 opt/envsmith/envs/\n");
}

INSTANTIATE_TEST_SUITE_P(Compressions, LayerTest,
                         testing::Values(Compression::gzip, Compression::zstd, Compression::none),
                         [](const auto& param_info) {
                             return std::string(param_info.param == Compression::gzip   ? "gzip"
                                                : param_info.param == Compression::zstd ? "zstd"
                                                                                        : "none");
                         });

TEST(LayerTest, GzipOfSeveralChunksIsAMultiMemberStream) {
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");  // 3.5 MB of data: four 1 MiB chunks
    layer_file(tmp.path() + "/env", tmp.path() + "/blob", Compression::gzip, 3);
    const auto bytes = read_file(tmp.path() + "/blob");
    std::size_t members = 0;
    for (std::size_t pos = 0; (pos = bytes.find("\x1f\x8b\x08", pos)) != std::string::npos; ++pos) {
        ++members;
    }
    EXPECT_GE(members, 4U);
}

TEST(LayoutTest, CreatesAValidLayoutAndReplacesTags) {
    TempDir tmp;
    const std::string dir = tmp.path() + "/oci";
    auto layout = Layout::open_or_create(dir);
    ASSERT_THAT(layout, Succeeds());
    EXPECT_EQ(read_file(dir + "/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
    EXPECT_EQ(
        read_file(dir + "/index.json"),
        R"({"manifests":[],"mediaType":"application/vnd.oci.image.index.v1+json","schemaVersion":2})");

    auto config = layout->write_blob(media_type::oci_config, R"({"architecture":"amd64"})");
    ASSERT_THAT(config, Succeeds());
    EXPECT_EQ(read_file(layout->blob_path(config->digest)), R"({"architecture":"amd64"})");
    Manifest manifest;
    manifest.config = *config;
    auto first = layout->add_manifest(manifest, "v1");
    ASSERT_THAT(first, Succeeds());
    manifest.annotations["x"] = "y";
    auto second = layout->add_manifest(manifest, "v1");
    ASSERT_THAT(second, Succeeds());
    auto third = layout->add_manifest(manifest, "v2");
    ASSERT_THAT(third, Succeeds());
    EXPECT_EQ(*layout->tags(), (std::vector<std::string>{"v1", "v2"}));
    EXPECT_EQ(layout->resolve("v1")->digest, second->digest);
    EXPECT_EQ(layout->resolve(second->digest.to_string())->digest, second->digest);
    // A manifest present as a blob but no longer listed still resolves by digest.
    EXPECT_EQ(layout->resolve(first->digest.to_string())->digest, first->digest);
    auto read = layout->read_manifest("v2");
    ASSERT_THAT(read, Succeeds());
    EXPECT_EQ(*read, manifest);

    auto reopened = Layout::open(dir);
    ASSERT_THAT(reopened, Succeeds());
    const auto missing = reopened->resolve("nope");
    ASSERT_THAT(missing, FailsWithId("image.ref.not_found"));
    EXPECT_EQ(missing.error().arg_value("ref"), "nope");
    EXPECT_EQ(missing.error().message, "`nope` is not in the image layout `" + dir + "`");
}

TEST(LayoutTest, ErrorsHaveIds) {
    TempDir tmp;
    EXPECT_THAT(Layout::open(tmp.path() + "/none"), FailsWithId("image.layout.missing"));
    stdfs::create_directories(tmp.path() + "/empty");
    EXPECT_THAT(Layout::open(tmp.path() + "/empty"), FailsWithId("image.layout.invalid"));
    write_file(tmp.path() + "/other/file.txt", "x");
    EXPECT_THAT(Layout::open_or_create(tmp.path() + "/other"), FailsWithId("image.layout.invalid"));
    EXPECT_THAT(Layout::open_or_create(tmp.path() + "/empty"), Succeeds());

    auto layout = Layout::open_or_create(tmp.path() + "/oci");
    ASSERT_THAT(layout, Succeeds());
    auto blob = layout->write_blob(media_type::oci_config, "original");
    ASSERT_THAT(blob, Succeeds());
    EXPECT_THAT(layout->read_blob(blob->digest, 3), FailsWithId("image.blob.too_large"));
    write_file(layout->blob_path(blob->digest), "tampered");
    EXPECT_THAT(layout->read_blob(blob->digest), FailsWithId("image.blob.digest_mismatch"));
    EXPECT_THAT(layout->read_blob(core::sha256("absent")), FailsWithId("image.blob.missing"));

    AssembleRequest request;
    request.tag = "bad tag";
    const auto bad = assemble_image(*layout, request);
    ASSERT_THAT(bad, FailsWithId("image.tag.invalid"));
    EXPECT_EQ(bad.error().arg_value("tag"), "bad tag");

    write_file(tmp.path() + "/oci/index.json", "{");
    EXPECT_THAT(layout->resolve("v1"), FailsWithId("image.json.invalid"));
}

TEST(AssembleTest, SameRequestSameDigestAndEpochChangesIt) {
    TempDir tmp;
    make_env_tree(tmp.path() + "/env");
    AssembleRequest request;
    request.layers.push_back({tmp.path() + "/env", "opt/envsmith/envs/demo", ""});
    request.settings.env = {"PATH=/opt/envsmith/envs/demo/bin:/usr/bin:/bin",
                            "CONDA_PREFIX=/opt/envsmith/envs/demo"};
    request.settings.labels = {{"org.envsmith.definition-hash", "sha256:1234"}};
    request.settings.cmd = std::vector<std::string>{"python"};
    request.tag = "demo";

    std::vector<std::string> digests;
    for (const unsigned threads : {1U, 2U}) {
        auto layout = Layout::open_or_create(tmp.path() + "/oci" + std::to_string(threads));
        ASSERT_THAT(layout, Succeeds());
        request.threads = threads;
        auto image = assemble_image(*layout, request);
        ASSERT_THAT(image, Succeeds());
        digests.push_back(image->manifest.digest.to_string());
        EXPECT_EQ(layout->resolve("demo")->digest, image->manifest.digest);
        auto config = layout->read_config(*layout->read_manifest("demo"));
        ASSERT_THAT(config, Succeeds());
        EXPECT_EQ(config->created, "1970-01-01T00:00:00Z");
        EXPECT_EQ(env_value(config->env, "CONDA_PREFIX"), "/opt/envsmith/envs/demo");
        EXPECT_EQ(config->diff_ids.size(), 1U);
        EXPECT_EQ(config->history.size(), 1U);
    }
    EXPECT_EQ(digests[0], digests[1]);
    EXPECT_EQ(read_file(tmp.path() + "/oci1/index.json"),
              read_file(tmp.path() + "/oci2/index.json"));

    auto layout = Layout::open_or_create(tmp.path() + "/oci1");
    request.settings.created_epoch = 1700000000;
    auto later = assemble_image(*layout, request);
    ASSERT_THAT(later, Succeeds());
    EXPECT_NE(later->manifest.digest.to_string(), digests[0]);
    EXPECT_EQ(*layout->tags(), std::vector<std::string>{"demo"});  // replaced, not added
}

}  // namespace
}  // namespace envsmith::image

namespace envsmith::image {
namespace {

TEST(AssembleTest, BaseWhoseLayersAndDiffIdsDisagreeIsRefused) {
    test_support::TempDir tmp;
    auto layout = Layout::open_or_create(tmp.path() + "/base");
    ASSERT_THAT(layout, test::Succeeds());
    ImageConfig config;  // no diff_ids
    auto config_blob = layout->write_blob(media_type::oci_config, to_json(config));
    auto layer_blob = layout->write_blob(media_type::oci_layer_tar, std::string(1024, '\0'));
    ASSERT_TRUE(config_blob && layer_blob);
    Manifest manifest;
    manifest.config = *config_blob;
    manifest.layers = {*layer_blob};
    ASSERT_THAT(layout->add_manifest(manifest, "broken"), test::Succeeds());
    const auto base = read_base_image(tmp.path() + "/base", "broken");
    ASSERT_THAT(base, test::FailsWithId("image.base.mismatch"));
    EXPECT_EQ(base.error().message, "base image `broken` has 1 layers but 0 diff_ids");
}

}  // namespace
}  // namespace envsmith::image
