// The client against Debian's docker-registry 2.8 on a loopback port (plain HTTP), through the
// real libcurl transport.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/core/encoding.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "support.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;
using testing::CountingTransport;
using testing::small_image;

specs::ImageRef image_ref(const std::string& text) {
    auto parsed = specs::ImageRef::parse(text);
    EXPECT_TRUE(parsed.has_value()) << text;
    return parsed.value();
}

class RegistryClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available()) {
            GTEST_SKIP() << "/usr/bin/docker-registry is not installed";
        }
        m_registry = std::make_unique<test::RegistryFixture>();
        ASSERT_TRUE(m_registry->running()) << m_registry->log();
    }

    std::string host() const { return m_registry->host(); }

    test::RecordingReporter m_reporter;
    net::CurlTransport m_curl{testing::quick_options(), m_reporter};
    CountingTransport m_transport{m_curl};
    std::unique_ptr<test::RegistryFixture> m_registry;
};

TEST_F(RegistryClientTest, PingAnOpenRegistry) {
    Client client(m_transport, m_reporter, {});
    const auto ping = client.ping(host());
    ASSERT_THAT(ping, Succeeds());
    EXPECT_EQ(ping->status, 200);
    EXPECT_EQ(ping->api_version, "registry/2.0");
    EXPECT_EQ(ping->auth.scheme, AuthScheme::none);
    EXPECT_EQ(m_transport.requests.front().url, "http://" + host() + "/v2/");
}

TEST_F(RegistryClientTest, PushThenPullGivesTheSameBytes) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("round-trip");
    const auto target = image_ref(host() + "/test/round:1");
    const auto pushed = client.push(target, image.push);
    ASSERT_THAT(pushed, Succeeds());
    EXPECT_EQ(pushed->blobs_uploaded, 3U);
    EXPECT_EQ(pushed->manifest_digest, core::sha256(image.push.manifest).to_string());
    // Monolithic uploads: POST then PUT with the body, no PATCH.
    EXPECT_EQ(m_transport.count("PATCH"), 0U);
    EXPECT_EQ(m_transport.count("POST"), 3U);
    EXPECT_EQ(m_transport.count("PUT"), 4U);  // three blobs and the manifest

    const auto pulled = client.pull(target, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_FALSE(pulled->index.has_value());
    EXPECT_EQ(pulled->manifest.bytes, image.push.manifest);
    EXPECT_EQ(pulled->manifest.digest, pushed->manifest_digest);
    EXPECT_EQ(pulled->manifest.content.media_type, media_type::oci_manifest);
    EXPECT_EQ(pulled->config.bytes, image.config.bytes);
    ASSERT_EQ(pulled->layers.size(), 2U);
    EXPECT_EQ(pulled->layers[0].bytes, image.layers[0].bytes);
    EXPECT_EQ(pulled->layers[1].bytes, image.layers[1].bytes);

    // By digest as well.
    const auto by_digest = client.get_manifest(image_ref(host() + "/test/round@" + pushed->manifest_digest));
    ASSERT_THAT(by_digest, Succeeds());
    EXPECT_EQ(by_digest->bytes, image.push.manifest);
}

TEST_F(RegistryClientTest, EveryManifestGetAcceptsTheOciAndDockerTypes) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("accept");
    ASSERT_THAT(client.push(image_ref(host() + "/test/accept:1"), image.push), Succeeds());
    m_transport.clear();
    ASSERT_THAT(client.get_manifest(image_ref(host() + "/test/accept:1")), Succeeds());
    ASSERT_EQ(m_transport.requests.size(), 1U);
    std::string accept;
    for (const auto& [name, value] : m_transport.requests[0].headers) {
        if (name == "Accept") accept = value;
    }
    EXPECT_THAT(accept, ::testing::HasSubstr(std::string(media_type::oci_manifest)));
    EXPECT_THAT(accept, ::testing::HasSubstr(std::string(media_type::oci_index)));
    EXPECT_THAT(accept, ::testing::HasSubstr(std::string(media_type::docker_manifest)));
    EXPECT_THAT(accept, ::testing::HasSubstr(std::string(media_type::docker_manifest_list)));
}

TEST_F(RegistryClientTest, DockerSchema2ManifestsRoundTrip) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("docker", "amd64", std::string(media_type::docker_manifest));
    const auto target = image_ref(host() + "/test/docker:1");
    ASSERT_THAT(client.push(target, image.push), Succeeds());
    const auto pulled = client.pull(target, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->manifest.content.media_type, media_type::docker_manifest);
    EXPECT_EQ(pulled->config.bytes, image.config.bytes);
}

TEST_F(RegistryClientTest, ASecondPushSkipsEveryBlob) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("twice");
    const auto target = image_ref(host() + "/test/twice:1");
    ASSERT_THAT(client.push(target, image.push), Succeeds());
    m_transport.clear();
    const auto again = client.push(target, image.push);
    ASSERT_THAT(again, Succeeds());
    EXPECT_EQ(again->blobs_existed, 3U);
    EXPECT_EQ(again->blobs_uploaded, 0U);
    EXPECT_EQ(m_transport.count("HEAD"), 3U);
    EXPECT_EQ(m_transport.count("POST"), 0U);
    EXPECT_EQ(m_transport.count("PATCH"), 0U);
    EXPECT_EQ(m_transport.count("PUT"), 1U);  // the manifest only
}

TEST_F(RegistryClientTest, BlobsAreMountedFromAnotherRepository) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("mount");
    ASSERT_THAT(client.push(image_ref(host() + "/team/base:1"), image.push), Succeeds());
    m_transport.clear();
    const auto mounted = client.push(image_ref(host() + "/team/app:1"), image.push, "team/base");
    ASSERT_THAT(mounted, Succeeds());
    EXPECT_EQ(mounted->blobs_mounted, 3U);
    EXPECT_EQ(mounted->blobs_uploaded, 0U);
    EXPECT_EQ(m_transport.count("POST"), 3U);
    EXPECT_EQ(m_transport.count("PUT"), 1U);  // the manifest only: no blob bytes sent
    for (const auto& request : m_transport.requests) {
        if (request.method == "POST") {
            EXPECT_THAT(request.url, ::testing::HasSubstr("mount=sha256%3A"));
            EXPECT_THAT(request.url, ::testing::HasSubstr("from=team%2Fbase"));
        }
    }
    const auto pulled = client.pull(image_ref(host() + "/team/app:1"), Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->layers[1].bytes, image.layers[1].bytes);
}

TEST_F(RegistryClientTest, AMountTheRegistryRefusesFallsBackToAnUpload) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("no-mount");
    // The source repository does not have the blobs: the registry answers 202, an upload.
    const auto pushed = client.push(image_ref(host() + "/team/fresh:1"), image.push, "team/nothing");
    ASSERT_THAT(pushed, Succeeds());
    EXPECT_EQ(pushed->blobs_mounted, 0U);
    EXPECT_EQ(pushed->blobs_uploaded, 3U);
}

TEST_F(RegistryClientTest, ChunkedUploadsFollowTheNewestLocation) {
    ClientOptions options;
    options.chunk_size_bytes = 256;
    Client client(m_transport, m_reporter, options);
    const auto image = small_image("chunks");
    const auto target = image_ref(host() + "/test/chunks:1");
    const auto pushed = client.push(target, image.push);
    ASSERT_THAT(pushed, Succeeds());
    // layer one: 2 chunks; layer two: 3; the config is larger than 256 bytes too.
    EXPECT_GE(m_transport.count("PATCH"), 5U);
    std::vector<std::string> patch_urls;
    std::vector<std::string> ranges;
    for (const auto& request : m_transport.requests) {
        if (request.method != "PATCH") continue;
        patch_urls.push_back(request.url);
        for (const auto& [name, value] : request.headers) {
            if (name == "Content-Range") ranges.push_back(value);
        }
        EXPECT_LE(request.body.size(), 256U);
    }
    ASSERT_EQ(ranges.size(), patch_urls.size());
    EXPECT_THAT(ranges, ::testing::Contains("0-255"));
    EXPECT_THAT(ranges, ::testing::Contains(
                            "256-" + std::to_string(image.layers[0].bytes.size() - 1)));
    // Each PATCH went to the Location the previous answer gave (the `_state` changes).
    for (std::size_t i = 1; i < patch_urls.size(); ++i) {
        EXPECT_NE(patch_urls[i], patch_urls[i - 1]);
    }
    const auto pulled = client.pull(target, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->layers[0].bytes, image.layers[0].bytes);
    EXPECT_EQ(pulled->layers[1].bytes, image.layers[1].bytes);
    EXPECT_EQ(pulled->config.bytes, image.config.bytes);
}

TEST_F(RegistryClientTest, AnIndexWithTwoPlatformsServesEach) {
    Client client(m_transport, m_reporter, {});
    const auto amd64 = small_image("multi-amd64", "amd64");
    const auto arm64 = small_image("multi-arm64", "arm64");
    const auto repo = image_ref(host() + "/test/multi:1");
    nlohmann::json index = {{"schemaVersion", 2},
                            {"mediaType", media_type::oci_index},
                            {"manifests", nlohmann::json::array()}};
    for (const auto* image : {&amd64, &arm64}) {
        for (const auto& blob : image->push.blobs) {
            ASSERT_THAT(client.push_blob(repo, blob), Succeeds());
        }
        const auto digest = core::sha256(image->push.manifest).to_string();
        ASSERT_THAT(client.put_manifest(repo, digest, media_type::oci_manifest, image->push.manifest),
                    Succeeds());
        nlohmann::json entry = {{"mediaType", media_type::oci_manifest},
                                {"digest", digest},
                                {"size", image->push.manifest.size()},
                                {"platform", {{"os", "linux"},
                                              {"architecture", image == &amd64 ? "amd64" : "arm64"}}}};
        if (image == &arm64) entry["platform"]["variant"] = "v8";
        index["manifests"].push_back(entry);
    }
    const auto index_bytes = index.dump();
    ASSERT_THAT(client.put_manifest(repo, "1", media_type::oci_index, index_bytes), Succeeds());

    const auto pulled_arm = client.pull(repo, Platform{.architecture = "arm64", .os = "linux", .variant = ""});
    ASSERT_THAT(pulled_arm, Succeeds());
    ASSERT_TRUE(pulled_arm->index.has_value());
    EXPECT_EQ(pulled_arm->index->bytes, index_bytes);
    EXPECT_EQ(pulled_arm->manifest.bytes, arm64.push.manifest);
    EXPECT_EQ(pulled_arm->config.bytes, arm64.config.bytes);

    const auto pulled_amd = client.pull(repo, Platform{});
    ASSERT_THAT(pulled_amd, Succeeds());
    EXPECT_EQ(pulled_amd->layers[0].bytes, amd64.layers[0].bytes);

    const auto missing = client.pull(repo, Platform{.architecture = "s390x", .os = "linux", .variant = ""});
    ASSERT_THAT(missing, FailsWithId("registry.platform_unknown"));
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
    EXPECT_EQ(missing.error().arg_value("available"), "linux/amd64, linux/arm64/v8");
}

TEST_F(RegistryClientTest, AnUnknownTagIsManifestUnknown) {
    Client client(m_transport, m_reporter, {});
    ASSERT_THAT(client.push(image_ref(host() + "/test/known:1"), small_image("known").push), Succeeds());
    const auto missing = client.get_manifest(image_ref(host() + "/test/known:2"));
    ASSERT_THAT(missing, FailsWithId("registry.manifest_unknown"));
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
    EXPECT_EQ(missing.error().arg_value("registry"), host());
    EXPECT_EQ(missing.error().arg_value("reference"), "2");
    EXPECT_THAT(missing.error().message, ::testing::HasSubstr("MANIFEST_UNKNOWN"));
    const auto tags = client.list_tags(image_ref(host() + "/test/known:2"));
    ASSERT_THAT(tags, Succeeds());
    EXPECT_EQ(*tags, std::vector<std::string>{"1"});
}

TEST_F(RegistryClientTest, AnUnknownRepositoryIsReportedWithTheRegistrysCode) {
    Client client(m_transport, m_reporter, {});
    // docker-registry 2.8 says MANIFEST_UNKNOWN to the manifest, NAME_UNKNOWN to the tags.
    EXPECT_THAT(client.get_manifest(image_ref(host() + "/never/pushed:1")),
                FailsWithId("registry.manifest_unknown"));
    const auto missing = client.list_tags(image_ref(host() + "/never/pushed:1"));
    ASSERT_THAT(missing, FailsWithId("registry.name_unknown"));
    EXPECT_EQ(missing.error().arg_value("repository"), "never/pushed");
    EXPECT_EQ(missing.error().code, core::ErrorCode::not_found);
}

TEST_F(RegistryClientTest, AnUnknownBlobIsBlobUnknown) {
    Client client(m_transport, m_reporter, {});
    const auto image = small_image("blobs");
    const auto missing = client.get_blob(image_ref(host() + "/test/blobs:1"), image.config.descriptor);
    ASSERT_THAT(missing, FailsWithId("registry.blob_unknown"));
    EXPECT_EQ(missing.error().arg_value("digest"), image.config.descriptor.digest.to_string());
}

TEST_F(RegistryClientTest, WrongSizesAreRefusedBeforeAnythingIsSent) {
    Client client(m_transport, m_reporter, {});
    auto image = small_image("sizes");
    auto manifest = nlohmann::json::parse(image.push.manifest);
    manifest["layers"][1]["size"] = 12;
    image.push.manifest = manifest.dump();
    const auto pushed = client.push(image_ref(host() + "/test/sizes:1"), image.push);
    ASSERT_THAT(pushed, FailsWithId("registry.size_mismatch"));
    EXPECT_EQ(pushed.error().arg_value("expected"), "12");
    EXPECT_EQ(m_transport.requests.size(), 0U);

    auto partial = small_image("partial");
    partial.push.blobs.pop_back();
    ASSERT_THAT(client.push(image_ref(host() + "/test/sizes:2"), partial.push),
                FailsWithId("registry.blob_missing"));
    EXPECT_EQ(m_transport.requests.size(), 0U);
}

TEST_F(RegistryClientTest, ARegistryThatIsNotRunningIsUnreachable) {
    const auto port = m_registry->port();
    m_registry->stop();
    Client client(m_transport, m_reporter, {});
    const auto ping = client.ping("127.0.0.1:" + std::to_string(port));
    ASSERT_THAT(ping, FailsWithId("registry.unreachable"));
    EXPECT_EQ(ping.error().arg_value("cause"), "network.connection_refused");
}

class RegistryAuthTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available() || !test::RegistryFixture::htpasswd_available()) {
            GTEST_SKIP() << "docker-registry or htpasswd is not installed";
        }
        m_registry = std::make_unique<test::RegistryFixture>(
            test::RegistryUser{"testuser", m_password});
        ASSERT_TRUE(m_registry->running()) << m_registry->log();
    }
    ClientOptions with_password(const std::string& password) const {
        ClientOptions options;
        options.credentials = Credentials{"testuser", password, "--creds"};
        return options;
    }

    const std::string m_password = "s3cret-Pa55-word";
    test::RecordingReporter m_reporter;
    net::CurlTransport m_curl{testing::quick_options(), m_reporter};
    CountingTransport m_transport{m_curl};
    std::unique_ptr<test::RegistryFixture> m_registry;
};

TEST_F(RegistryAuthTest, WithoutCredentialsA401IsAuthRequiredWithTheRealm) {
    Client anonymous(m_transport, m_reporter, {});
    const auto ping = anonymous.ping(m_registry->host());
    ASSERT_THAT(ping, Succeeds());
    EXPECT_EQ(ping->status, 401);
    EXPECT_EQ(ping->auth.scheme, AuthScheme::basic);
    EXPECT_EQ(ping->auth.realm, "envsmith-test-realm");

    const auto target = image_ref(m_registry->host() + "/auth/app:1");
    const auto pushed = anonymous.push(target, small_image("auth").push);
    ASSERT_THAT(pushed, FailsWithId("registry.auth_required"));
    EXPECT_EQ(pushed.error().code, core::ErrorCode::permission_denied);
    EXPECT_EQ(pushed.error().arg_value("realm"), "envsmith-test-realm");
    EXPECT_THAT(pushed.error().message, ::testing::HasSubstr("no credentials were given"));
    EXPECT_THAT(pushed.error().hint, ::testing::HasSubstr("--creds"));

    Client logged_in(m_transport, m_reporter, with_password(m_password));
    const auto logged_ping = logged_in.ping(m_registry->host());
    ASSERT_THAT(logged_ping, Succeeds());
    EXPECT_EQ(logged_ping->status, 200);
    EXPECT_EQ(logged_ping->auth.scheme, AuthScheme::basic);
    EXPECT_TRUE(logged_ping->auth.with_credentials);
    const auto image = small_image("auth");
    ASSERT_THAT(logged_in.push(target, image.push), Succeeds());
    const auto pulled = logged_in.pull(target, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->layers[0].bytes, image.layers[0].bytes);
}

TEST_F(RegistryAuthTest, AWrongPasswordIs401AndAppearsNowhere) {
    const std::string wrong = "Wrong-Pa55-xyzzy";
    Client client(m_transport, m_reporter, with_password(wrong));
    const auto ping = client.ping(m_registry->host());
    ASSERT_THAT(ping, FailsWithId("registry.auth_required"));
    EXPECT_THAT(ping.error().message, ::testing::HasSubstr("not accepted"));
    const auto pulled = client.pull(image_ref(m_registry->host() + "/auth/app:1"), Platform{});
    ASSERT_THAT(pulled, FailsWithId("registry.auth_required"));
    const auto pushed = client.push(image_ref(m_registry->host() + "/auth/app:1"), small_image("x").push);
    ASSERT_THAT(pushed, FailsWithId("registry.auth_required"));

    for (const auto* error : {&ping.error(), &pulled.error(), &pushed.error()}) {
        testing::expect_no_secret(testing::error_texts(*error), wrong);
        testing::expect_no_secret(testing::error_texts(*error),
                                  core::base64_encode("testuser:" + wrong));
    }
    testing::expect_no_secret(m_reporter.all_texts(), wrong);
}

}  // namespace
}  // namespace envsmith::registry
