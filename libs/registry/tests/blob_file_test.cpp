// Blobs uploaded straight from their files (Client::push_blob with a BlobFile, and
// push_from_layout): the requests carry core::HttpRequest::body_file ranges and no body, in
// one PUT or in PATCH chunks, against Debian's docker-registry through the real transport.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/image/layout.hpp"
#include "envsmith/image/manifest.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "envsmith/registry/layout_transfer.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "support.hpp"
#include "temp_dir.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;
using testing::CountingTransport;

/// `size` bytes that differ with `seed`.
std::string bytes_of(std::size_t size, std::uint32_t seed) {
    std::string out;
    out.reserve(size + 16);
    for (std::uint32_t i = seed; out.size() < size; ++i) {
        out += std::to_string(i * 2654435761U);
    }
    out.resize(size);
    return out;
}

class BlobFileTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available()) {
            GTEST_SKIP() << "/usr/bin/docker-registry is not installed";
        }
        m_registry = std::make_unique<test::RegistryFixture>();
        ASSERT_TRUE(m_registry->running()) << m_registry->log();
    }

    specs::ImageRef ref(const std::string& repository_and_tag) const {
        return specs::ImageRef::parse(m_registry->host() + "/" + repository_and_tag).value();
    }

    /// A blob file with `bytes` and its descriptor.
    BlobFile file_blob(const std::string& name, const std::string& bytes) const {
        const auto path = m_files.write(name, bytes);
        BlobFile blob;
        blob.descriptor = testing::make_blob(std::string(media_type::oci_layer_gzip), bytes).descriptor;
        blob.path = path.string();
        return blob;
    }

    std::vector<const core::HttpRequest*> requests(const std::string& method) const {
        std::vector<const core::HttpRequest*> out;
        for (const auto& request : m_transport.requests) {
            if (request.method == method) {
                out.push_back(&request);
            }
        }
        return out;
    }

    test::RecordingReporter m_reporter;
    net::CurlTransport m_curl{testing::quick_options(), m_reporter};
    CountingTransport m_transport{m_curl};
    std::unique_ptr<test::RegistryFixture> m_registry;
    test::TempDir m_files;
};

TEST_F(BlobFileTest, AFileIsUploadedFromTheFileInOnePut) {
    Client client(m_transport, m_reporter, {});
    const auto bytes = bytes_of(1'500'000, 1);
    const auto blob = file_blob("layer.bin", bytes);
    const auto target = ref("files/one:1");
    ASSERT_THAT(client.push_blob(target, blob), Succeeds());
    const auto puts = requests("PUT");
    ASSERT_EQ(puts.size(), 1U);
    ASSERT_TRUE(puts[0]->body_file.has_value());
    EXPECT_EQ(puts[0]->body_file->path, blob.path);
    EXPECT_EQ(puts[0]->body_file->offset, 0U);
    EXPECT_EQ(puts[0]->body_file->length, bytes.size());
    EXPECT_TRUE(puts[0]->body.empty());
    EXPECT_EQ(m_transport.count("PATCH"), 0U);

    const auto back = client.get_blob(target, blob.descriptor);
    ASSERT_THAT(back, Succeeds());
    EXPECT_TRUE(*back == bytes);
    // Pushed again: the HEAD finds it.
    m_transport.clear();
    const auto again = client.push_blob(target, blob);
    ASSERT_THAT(again, Succeeds());
    EXPECT_EQ(*again, BlobOutcome::existed);
    EXPECT_EQ(m_transport.requests.size(), 1U);
}

TEST_F(BlobFileTest, ALargerFileGoesInPatchChunksOfTheFile) {
    ClientOptions options;
    options.chunk_size_bytes = 100'000;
    Client client(m_transport, m_reporter, options);
    const auto bytes = bytes_of(350'000, 2);
    const auto blob = file_blob("layer.bin", bytes);
    const auto target = ref("files/chunks:1");
    const auto outcome = client.push_blob(target, blob);
    ASSERT_THAT(outcome, Succeeds());
    EXPECT_EQ(*outcome, BlobOutcome::uploaded);
    const auto patches = requests("PATCH");
    ASSERT_EQ(patches.size(), 4U);
    for (std::size_t i = 0; i < patches.size(); ++i) {
        ASSERT_TRUE(patches[i]->body_file.has_value());
        EXPECT_TRUE(patches[i]->body.empty());
        EXPECT_EQ(patches[i]->body_file->offset, i * 100'000U);
        EXPECT_EQ(patches[i]->body_file->length, i < 3 ? 100'000U : 50'000U);
    }
    const auto puts = requests("PUT");
    ASSERT_EQ(puts.size(), 1U);
    EXPECT_FALSE(puts[0]->body_file.has_value());
    EXPECT_TRUE(puts[0]->body.empty());
    const auto back = client.get_blob(target, blob.descriptor);
    ASSERT_THAT(back, Succeeds());
    EXPECT_TRUE(*back == bytes);
}

TEST_F(BlobFileTest, AFileThatIsNotItsDescriptorIsRefusedBeforeAnUpload) {
    Client client(m_transport, m_reporter, {});
    const auto target = ref("files/bad:1");
    auto blob = file_blob("layer.bin", bytes_of(1000, 3));

    auto longer = blob;
    longer.descriptor.size = 1001;
    const auto wrong_size = client.push_blob(target, longer);
    ASSERT_THAT(wrong_size, FailsWithId("registry.size_mismatch"));
    EXPECT_EQ(wrong_size.error().arg_value("actual"), "1000");
    EXPECT_TRUE(m_transport.requests.empty());

    auto missing = blob;
    missing.path = (m_files.path() / "nope.bin").string();
    const auto unreadable = client.push_blob(target, missing);
    ASSERT_THAT(unreadable, FailsWithId("registry.blob_unreadable"));
    EXPECT_EQ(unreadable.error().arg_value("path"), missing.path);
    EXPECT_TRUE(m_transport.requests.empty());

    // Same size, other bytes: found when hashed, just before the upload would start.
    m_files.write("layer.bin", bytes_of(1000, 4));
    const auto damaged = client.push_blob(target, blob);
    ASSERT_THAT(damaged, FailsWithId("registry.digest_mismatch"));
    EXPECT_EQ(damaged.error().arg_value("expected"), blob.descriptor.digest.to_string());
    EXPECT_EQ(m_transport.count("HEAD"), 1U);
    EXPECT_EQ(m_transport.count("POST"), 0U);
    EXPECT_EQ(m_transport.count("PUT"), 0U);
}

TEST_F(BlobFileTest, ABlobTheRegistryHasIsNotReadAtAll) {
    Client client(m_transport, m_reporter, {});
    const auto target = ref("files/have:1");
    const auto bytes = bytes_of(5000, 5);
    ASSERT_THAT(client.push_blob(target, testing::make_blob(std::string(media_type::oci_layer_gzip), bytes)),
                Succeeds());
    // The file's bytes are wrong, but the registry has the blob by digest: not hashed.
    auto blob = file_blob("stale.bin", bytes_of(5000, 6));
    blob.descriptor = testing::make_blob(std::string(media_type::oci_layer_gzip), bytes).descriptor;
    const auto outcome = client.push_blob(target, blob);
    ASSERT_THAT(outcome, Succeeds());
    EXPECT_EQ(*outcome, BlobOutcome::existed);
}

TEST_F(BlobFileTest, PushFromLayoutSendsTheLayoutsBlobFiles) {
    auto layout = image::Layout::open_or_create((m_files.path() / "layout").string());
    ASSERT_THAT(layout, Succeeds());
    image::Manifest manifest;
    auto config = layout->write_blob(image::media_type::oci_config,
                                     R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})");
    ASSERT_THAT(config, Succeeds());
    manifest.config = *config;
    const auto layer_bytes = bytes_of(260'000, 7);
    auto layer = layout->write_blob(image::media_type::oci_layer_gzip, layer_bytes);
    ASSERT_THAT(layer, Succeeds());
    manifest.layers.push_back(*layer);
    const auto listed = layout->add_manifest(manifest, "v1");
    ASSERT_THAT(listed, Succeeds());

    ClientOptions options;
    options.chunk_size_bytes = 100'000;
    Client client(m_transport, m_reporter, options);
    const auto target = ref("files/layout:v1");
    const auto pushed = push_from_layout(client, *layout, "v1", target);
    ASSERT_THAT(pushed, Succeeds());
    EXPECT_EQ(pushed->manifest_digest, listed->digest.to_string());
    EXPECT_EQ(pushed->blobs_uploaded, 2U);
    const auto layer_path = layout->blob_path(layer->digest);
    std::uint64_t sent = 0;
    for (const auto* patch : requests("PATCH")) {
        ASSERT_TRUE(patch->body_file.has_value());
        EXPECT_EQ(patch->body_file->path, layer_path);
        EXPECT_EQ(patch->body_file->offset, sent);
        sent += patch->body_file->length;
    }
    EXPECT_EQ(sent, layer_bytes.size());
    const auto config_put = requests("PUT");
    ASSERT_FALSE(config_put.empty());
    ASSERT_TRUE(config_put[0]->body_file.has_value());
    EXPECT_EQ(config_put[0]->body_file->path, layout->blob_path(config->digest));

    const auto back = client.get_blob(target, *layer);
    ASSERT_THAT(back, Succeeds());
    EXPECT_TRUE(*back == layer_bytes);

    // A layout missing the blob says so with the layout's error.
    auto other = image::Layout::open_or_create((m_files.path() / "other").string());
    ASSERT_THAT(other, Succeeds());
    ASSERT_THAT(other->write_blob(image::media_type::oci_config,
                                  R"({"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}})"),
                Succeeds());
    ASSERT_THAT(other->add_manifest(manifest, "v1"), Succeeds());
    EXPECT_THAT(push_from_layout(client, *other, "v1", ref("files/other:v1")),
                FailsWithId("image.blob.missing"));
}

}  // namespace
}  // namespace envsmith::registry
