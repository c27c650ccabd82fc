// The Bearer token flow and corrupted blobs, against loopback fakes: a registry and a token
// service written here with cpp-httplib, and tests/support's TestServer serving files.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <httplib.h>

#include "envsmith/core/encoding.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"
#include "recording_reporter.hpp"
#include "shell.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;

/// A cpp-httplib server on 127.0.0.1 and an ephemeral port, run on its own thread.
class LoopbackServer {
public:
    LoopbackServer() = default;
    ~LoopbackServer() { stop(); }
    LoopbackServer(const LoopbackServer&) = delete;
    LoopbackServer& operator=(const LoopbackServer&) = delete;
    httplib::Server& server() { return m_server; }
    void start() {
        m_port = m_server.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_server.listen_after_bind(); });
        while (!m_server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    void stop() {
        m_server.stop();
        if (m_thread.joinable()) m_thread.join();
    }
    [[nodiscard]] std::string host() const { return "127.0.0.1:" + std::to_string(m_port); }
    [[nodiscard]] std::string url() const { return "http://" + host(); }

private:
    httplib::Server m_server;
    std::thread m_thread;
    int m_port = 0;
};

/// A registry that wants Bearer tokens from a token service, which hands out anonymous pull
/// tokens and, for `user`/`password`, pull-and-push tokens.
class BearerFlowTest : public ::testing::Test {
protected:
    void SetUp() override {
        const auto image = testing::small_image("bearer");
        m_manifest = image.push.manifest;
        m_tokens.server().Get("/token", [this](const httplib::Request& request, httplib::Response& response) {
            const std::lock_guard lock(m_mutex);
            ++m_token_requests;
            m_last_scope = request.get_param_value("scope");
            m_last_service = request.get_param_value("service");
            const auto authorization = request.get_header_value("Authorization");
            std::string token;
            if (authorization.empty()) {
                token = "anonymous-" + std::to_string(m_token_requests);
            } else if (authorization == "Basic " + core::base64_encode(m_user + ":" + m_password)) {
                token = "user-" + std::to_string(m_token_requests);
            } else {
                response.status = 401;
                response.set_content(R"({"details":"invalid username/password"})", "application/json");
                return;
            }
            m_valid.insert(token);
            response.set_content(R"({"token":")" + token + R"(","expires_in":300})", "application/json");
        });
        m_tokens.start();
        auto challenge = [this](httplib::Response& response, const std::string& scope) {
            response.status = 401;
            std::string value = "Bearer realm=\"" + m_tokens.url() + "/token\",service=\"fake-registry\"";
            if (!scope.empty()) value += ",scope=\"" + scope + "\"";
            response.set_header("WWW-Authenticate", value);
            response.set_content(R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})",
                                 "application/json");
        };
        auto token_of = [this](const httplib::Request& request) -> std::string {
            const auto authorization = request.get_header_value("Authorization");
            if (!authorization.starts_with("Bearer ")) return {};
            const auto token = authorization.substr(7);
            const std::lock_guard lock(m_mutex);
            return m_valid.count(token) != 0 ? token : std::string();
        };
        m_registry.server().Get("/v2/", [=](const httplib::Request& request, httplib::Response& response) {
            if (token_of(request).empty()) return challenge(response, "");
            response.set_content("{}", "application/json");
        });
        m_registry.server().Get("/v2/team/app/manifests/1",
                                [=, this](const httplib::Request& request, httplib::Response& response) {
            if (token_of(request).empty()) return challenge(response, "repository:team/app:pull");
            response.set_content(m_manifest, std::string(media_type::oci_manifest));
        });
        m_registry.start();
    }

    test::RecordingReporter m_reporter;
    net::CurlTransport m_curl{testing::quick_options(), m_reporter};
    testing::CountingTransport m_transport{m_curl};
    LoopbackServer m_tokens;
    LoopbackServer m_registry;
    std::mutex m_mutex;
    std::set<std::string> m_valid;
    int m_token_requests = 0;
    std::string m_last_scope;
    std::string m_last_service;
    std::string m_manifest;
    const std::string m_user = "robot";
    const std::string m_password = "t0ken-Pa55";

    specs::ImageRef app() const { return specs::ImageRef::parse(m_registry.host() + "/team/app:1").value(); }
};

TEST_F(BearerFlowTest, AnAnonymousTokenForThePullScopeIsFetchedOnceAndCached) {
    Client client(m_transport, m_reporter, {});
    const auto first = client.get_manifest(app());
    ASSERT_THAT(first, Succeeds());
    EXPECT_EQ(first->bytes, m_manifest);
    EXPECT_EQ(m_token_requests, 1);
    EXPECT_EQ(m_last_scope, "repository:team/app:pull");
    EXPECT_EQ(m_last_service, "fake-registry");
    const auto state = client.auth_state(m_registry.host());
    EXPECT_EQ(state.scheme, AuthScheme::bearer);
    EXPECT_FALSE(state.with_credentials);
    EXPECT_EQ(state.realm, m_tokens.url() + "/token");
    EXPECT_EQ(state.service, "fake-registry");

    m_transport.clear();
    ASSERT_THAT(client.get_manifest(app()), Succeeds());
    EXPECT_EQ(m_token_requests, 1);        // the cached token was used
    EXPECT_EQ(m_transport.requests.size(), 1U);  // and sent right away: no 401 first
}

TEST_F(BearerFlowTest, CredentialsAreSentToTheTokenServiceOnly) {
    ClientOptions options;
    options.credentials = Credentials{m_user, m_password, "--creds"};
    Client client(m_transport, m_reporter, options);
    const auto ping = client.ping(m_registry.host());
    ASSERT_THAT(ping, Succeeds());
    EXPECT_EQ(ping->status, 200);
    EXPECT_EQ(ping->auth.scheme, AuthScheme::bearer);
    EXPECT_TRUE(ping->auth.with_credentials);
    ASSERT_THAT(client.get_manifest(app()), Succeeds());
    EXPECT_EQ(m_token_requests, 2);  // the registry scope, then the repository's
    for (const auto& request : m_transport.requests) {
        for (const auto& [name, value] : request.headers) {
            if (name != "Authorization") continue;
            if (request.url.starts_with(m_registry.url())) {
                EXPECT_THAT(value, ::testing::StartsWith("Bearer user-"));
            } else {
                EXPECT_THAT(value, ::testing::StartsWith("Basic "));
            }
        }
    }
}

TEST_F(BearerFlowTest, ARevokedTokenIsRefreshedOnce) {
    Client client(m_transport, m_reporter, {});
    ASSERT_THAT(client.get_manifest(app()), Succeeds());
    {
        const std::lock_guard lock(m_mutex);
        m_valid.clear();  // the registry no longer accepts the cached token
    }
    const auto again = client.get_manifest(app());
    ASSERT_THAT(again, Succeeds());
    EXPECT_EQ(m_token_requests, 2);
}

TEST_F(BearerFlowTest, AWrongPasswordAtTheTokenServiceIsAuthRequiredWithoutTheSecret) {
    const std::string wrong = "Not-The-Pa55word";
    ClientOptions options;
    options.credentials = Credentials{m_user, wrong, "--creds"};
    Client client(m_transport, m_reporter, options);
    const auto manifest = client.get_manifest(app());
    ASSERT_THAT(manifest, FailsWithId("registry.auth_required"));
    EXPECT_EQ(manifest.error().code, core::ErrorCode::permission_denied);
    EXPECT_THAT(manifest.error().message, ::testing::HasSubstr("did not accept the credentials"));
    EXPECT_EQ(manifest.error().arg_value("realm"), m_tokens.url() + "/token");
    testing::expect_no_secret(testing::error_texts(manifest.error()), wrong);
    testing::expect_no_secret(testing::error_texts(manifest.error()),
                              core::base64_encode(m_user + ":" + wrong));
    testing::expect_no_secret(m_reporter.all_texts(), wrong);
}

/// `image` laid out as a registry's files (test/img:1) in a folder served by a TestServer,
/// and a client over the real transport that reaches it.
struct ServedImage {
    explicit ServedImage(testing::SmallImage small,
                         net::TransportOptions options = testing::quick_options())
        : image(std::move(small)), transport(std::move(options), reporter) {
        root.write("v2/test/img/manifests/1", image.push.manifest);
        for (const auto& blob : image.push.blobs) {
            root.write("v2/test/img/blobs/" + blob.descriptor.digest.to_string(), blob.bytes);
        }
        server.emplace(root.path());
        ref = specs::ImageRef::parse("127.0.0.1:" + std::to_string(server->port()) + "/test/img:1")
                  .value();
    }
    [[nodiscard]] std::string blob_path(const Descriptor& descriptor) const {
        return "/v2/test/img/blobs/" + descriptor.digest.to_string();
    }

    testing::SmallImage image;
    test::TempDir root;
    std::optional<test::TestServer> server;
    test::RecordingReporter reporter;
    net::CurlTransport transport;
    Client client{transport, reporter, {}};
    specs::ImageRef ref;
};

TEST(CorruptBlobTest, ABlobThatDoesNotMatchItsDigestIsRefused) {
    ServedImage served(testing::small_image("corrupt"));
    const auto& image = served.image;
    auto& client = served.client;
    auto& server = *served.server;
    auto& root = served.root;
    const auto& ref = served.ref;

    // Served as stored: the pull works and checks out.
    const auto pulled = client.pull(ref, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->layers[1].bytes, image.layers[1].bytes);

    // The same length with every byte flipped.
    const auto path = "/v2/test/img/blobs/" + image.layers[1].descriptor.digest.to_string();
    server.inject(path, test::Fault::corrupt(), 1);
    const auto corrupt = client.pull(ref, Platform{});
    ASSERT_THAT(corrupt, FailsWithId("registry.digest_mismatch"));
    EXPECT_EQ(corrupt.error().arg_value("expected"), image.layers[1].descriptor.digest.to_string());
    EXPECT_NE(corrupt.error().arg_value("actual"), image.layers[1].descriptor.digest.to_string());

    // A manifest asked for by a digest it does not have.
    const auto by_digest = specs::ImageRef::parse(
        "127.0.0.1:" + std::to_string(server.port()) + "/test/img@" + image.layers[0].descriptor.digest.to_string());
    root.write("v2/test/img/manifests/" + image.layers[0].descriptor.digest.to_string(), image.push.manifest);
    ASSERT_TRUE(by_digest.has_value());
    EXPECT_THAT(client.get_manifest(*by_digest), FailsWithId("registry.digest_mismatch"));

}

// download_blob streams into a file: the bytes as served when they check out, and no file at
// all when they do not, whatever went wrong. A blob that arrives changed is fetched once more.
TEST(DownloadBlobTest, TheFileIsTheBlobOrNothing) {
    auto options = testing::quick_options();
    options.max_retries = 0;  // each fault reaches the client as it is
    ServedImage image(testing::small_image("download"), options);
    test::TempDir out;
    auto& client = image.client;
    auto& server = *image.server;
    auto& reporter = image.reporter;
    const auto& ref = image.ref;
    const auto& layer = image.image.layers[1];
    const auto served = image.blob_path(layer.descriptor);
    const auto target = out.str("layer");

    ASSERT_THAT(client.download_blob(ref, layer.descriptor, target), Succeeds());
    EXPECT_EQ(test::read(target), layer.bytes);

    // A file that is there already is replaced, not appended to.
    ASSERT_THAT(client.download_blob(ref, layer.descriptor, target), Succeeds());
    EXPECT_EQ(test::read(target), layer.bytes);

    const auto fails_without_file = [&](const Descriptor& descriptor, const char* id) {
        SCOPED_TRACE(id);
        EXPECT_THAT(client.download_blob(ref, descriptor, target), FailsWithId(id));
        EXPECT_FALSE(std::filesystem::exists(target));
    };
    // Changed bytes once: fetched again, with a warning, and then the file is right.
    server.inject(served, test::Fault::corrupt(), 1);
    ASSERT_THAT(client.download_blob(ref, layer.descriptor, target), Succeeds());
    EXPECT_EQ(test::read(target), layer.bytes);
    ASSERT_EQ(reporter.warnings.size(), 1U);
    EXPECT_EQ(reporter.warnings[0].message_id, "registry.blob_refetch");
    EXPECT_EQ(reporter.warnings[0].arg("digest"), layer.descriptor.digest.to_string());
    // Changed twice: the second answer decides.
    server.inject(served, test::Fault::corrupt(), 2);
    fails_without_file(layer.descriptor, "registry.digest_mismatch");
    EXPECT_EQ(reporter.warnings.size(), 2U);
    server.inject(served, test::Fault::truncate(), 1);
    EXPECT_FALSE(client.download_blob(ref, layer.descriptor, target));
    EXPECT_FALSE(std::filesystem::exists(target));
    // The registry sends more than the descriptor says: the transfer is cut off there.
    auto shorter = layer.descriptor;
    shorter.size = layer.bytes.size() / 2;
    fails_without_file(shorter, "registry.size_mismatch");
    auto unknown = layer.descriptor;
    unknown.digest = core::sha256("not in this repository");
    fails_without_file(unknown, "registry.blob_unknown");
    // A directory that cannot hold the file.
    EXPECT_THAT(client.download_blob(ref, layer.descriptor, out.str("missing/dir/layer")),
                FailsWithId("registry.write_failed"));
}

}  // namespace
}  // namespace envsmith::registry

namespace envsmith::registry {
namespace {

TEST(RetryTest, TheTransportRetries429And5xxAndTheClientDoesNotRetryAgain) {
    test::TempDir root;
    const auto image = testing::small_image("retry");
    root.write("v2/test/img/manifests/1", image.push.manifest);
    test::TestServer server(root.path());
    test::RecordingReporter reporter;
    auto options = testing::quick_options();
    options.max_retries = 2;
    net::CurlTransport transport(options, reporter);
    Client client(transport, reporter, {});
    const auto ref =
        specs::ImageRef::parse("127.0.0.1:" + std::to_string(server.port()) + "/test/img:1").value();
    const std::string path = "/v2/test/img/manifests/1";

    server.inject(path, test::Fault::http_status(429), 3);
    const auto limited = client.get_manifest(ref);
    ASSERT_THAT(limited, FailsWithId("registry.rate_limited"));
    EXPECT_EQ(limited.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(server.requests(path), 3U);  // the first attempt and the transport's 2 retries

    server.inject(path, test::Fault::http_status(503), 3);
    const auto unavailable = client.get_manifest(ref);
    ASSERT_THAT(unavailable, FailsWithId("registry.unavailable"));
    EXPECT_EQ(unavailable.error().arg_value("status"), "503");
    EXPECT_EQ(server.requests(path), 6U);

    // A transient failure the transport's retry overcomes is invisible to the client.
    server.inject(path, test::Fault::http_status(502), 1);
    ASSERT_THAT(client.get_manifest(ref), Succeeds());
    EXPECT_EQ(server.requests(path), 8U);
}

}  // namespace
}  // namespace envsmith::registry
