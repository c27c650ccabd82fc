// The Bearer flow against the real docker-registry configured for token auth, with a token
// service written here: it checks Basic credentials and signs RS256 JWTs that the registry
// verifies against the issuer's certificate.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "registry_fixture.hpp"
#include "support.hpp"
#include "test_server.hpp"

namespace envsmith::registry {
namespace {

using test::FailsWithId;
using test::Succeeds;

std::string base64url(std::string_view bytes) {
    auto text = core::base64_encode(bytes, core::Base64Alphabet::url_safe);
    while (!text.empty() && text.back() == '=') text.pop_back();
    return text;
}

/// libtrust's key id: base32 of the first 30 bytes of sha256(DER SubjectPublicKeyInfo), in
/// groups of four characters joined by ':'.
std::string libtrust_kid(std::string_view spki_der) {
    const auto digest = core::from_hex(core::sha256(spki_der).hex).value().substr(0, 30);
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    std::string base32;
    std::uint32_t buffer = 0;
    int bits = 0;
    for (const char c : digest) {
        buffer = (buffer << 8U) | static_cast<unsigned char>(c);
        bits += 8;
        while (bits >= 5) {
            base32 += alphabet[(buffer >> static_cast<unsigned>(bits - 5)) & 31U];
            bits -= 5;
        }
    }
    std::string kid;
    for (std::size_t i = 0; i < base32.size(); i += 4) {
        if (!kid.empty()) kid += ':';
        kid += base32.substr(i, 4);
    }
    return kid;
}

class TokenAuthTest : public ::testing::Test {
protected:
    void SetUp() override {
        if (!test::RegistryFixture::available() || ::access("/usr/bin/openssl", X_OK) != 0) {
            GTEST_SKIP() << "docker-registry or openssl is not installed";
        }
        const auto key = (m_keys.path() / "key.pem").string();
        const auto cert = (m_keys.path() / "cert.pem").string();
        const auto command = "/usr/bin/openssl req -x509 -newkey rsa:2048 -nodes -keyout " + key +
                             " -out " + cert + " -days 2 -subj /CN=envsmith-test-issuer >/dev/null 2>&1";
        ASSERT_EQ(std::system(command.c_str()), 0);  // NOLINT(concurrency-mt-unsafe)
        FILE* key_file = std::fopen(key.c_str(), "r");
        ASSERT_NE(key_file, nullptr);
        m_key = PEM_read_PrivateKey(key_file, nullptr, nullptr, nullptr);
        std::fclose(key_file);
        ASSERT_NE(m_key, nullptr);
        unsigned char* der = nullptr;
        const int length = i2d_PUBKEY(m_key, &der);
        ASSERT_GT(length, 0);
        m_kid = libtrust_kid(std::string_view(reinterpret_cast<const char*>(der),
                                              static_cast<std::size_t>(length)));
        OPENSSL_free(der);

        m_tokens.Get("/token", [this](const httplib::Request& request, httplib::Response& response) {
            serve_token(request, response);
        });
        m_token_port = m_tokens.bind_to_any_port("127.0.0.1");
        m_thread = std::thread([this] { m_tokens.listen_after_bind(); });
        while (!m_tokens.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(2));

        const std::string config = "auth:\n  token:\n    realm: http://127.0.0.1:" +
                                   std::to_string(m_token_port) +
                                   "/token\n    service: envsmith-test-registry\n"
                                   "    issuer: envsmith-test-issuer\n    rootcertbundle: " +
                                   cert + "\n";
        m_registry = std::make_unique<test::RegistryFixture>(config);
        ASSERT_TRUE(m_registry->running()) << m_registry->log();
    }
    void TearDown() override {
        m_tokens.stop();
        if (m_thread.joinable()) m_thread.join();
        if (m_key != nullptr) EVP_PKEY_free(m_key);
    }

    std::string sign(const std::string& input) const {
        EVP_MD_CTX* context = EVP_MD_CTX_new();
        std::size_t length = 0;
        EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, m_key);
        EVP_DigestSign(context, nullptr, &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
        std::string signature(length, '\0');
        EVP_DigestSign(context, reinterpret_cast<unsigned char*>(signature.data()), &length,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size());
        EVP_MD_CTX_free(context);
        signature.resize(length);
        return signature;
    }

    void serve_token(const httplib::Request& request, httplib::Response& response) {
        ++m_token_requests;
        const auto authorization = request.get_header_value("Authorization");
        std::string subject;
        if (authorization == "Basic " + core::base64_encode(m_user + ":" + m_password)) {
            subject = m_user;
        } else if (!authorization.empty()) {
            response.status = 401;
            response.set_content(R"({"details":"invalid username/password"})", "application/json");
            return;
        }
        nlohmann::json access = nlohmann::json::array();
        for (std::size_t i = 0; i < request.get_param_value_count("scope"); ++i) {
            const auto scope = request.get_param_value("scope", i);
            const auto parts = core::split(scope, ':');
            if (parts.size() != 3) continue;
            nlohmann::json actions = nlohmann::json::array();
            for (const auto action : core::split(parts[2], ',')) {
                if (action == "pull" || (action == "push" && !subject.empty())) {
                    actions.push_back(std::string(action));
                }
            }
            access.push_back({{"type", std::string(parts[0])},
                              {"name", std::string(parts[1])},
                              {"actions", actions}});
        }
        const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
        const nlohmann::json header = {{"typ", "JWT"}, {"alg", "RS256"}, {"kid", m_kid}};
        const nlohmann::json claims = {{"iss", "envsmith-test-issuer"},
                                       {"sub", subject},
                                       {"aud", request.get_param_value("service")},
                                       {"exp", now + 300},
                                       {"nbf", now - 10},
                                       {"iat", now},
                                       {"jti", std::to_string(m_token_requests)},
                                       {"access", access}};
        const auto input = base64url(header.dump()) + "." + base64url(claims.dump());
        const auto token = input + "." + base64url(sign(input));
        response.set_content(nlohmann::json{{"token", token}, {"expires_in", 300}}.dump(),
                             "application/json");
    }

    test::TempDir m_keys;
    EVP_PKEY* m_key = nullptr;
    std::string m_kid;
    httplib::Server m_tokens;
    std::thread m_thread;
    int m_token_port = 0;
    std::atomic<int> m_token_requests{0};
    const std::string m_user = "builder";
    const std::string m_password = "Tok3n-Server-Pa55";
    std::unique_ptr<test::RegistryFixture> m_registry;
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{testing::quick_options(), m_reporter};
};

TEST_F(TokenAuthTest, PushWithCredentialsThenPullAnonymously) {
    ClientOptions options;
    options.credentials = Credentials{m_user, m_password, "--creds"};
    Client pusher(m_transport, m_reporter, options);
    const auto ref = specs::ImageRef::parse(m_registry->host() + "/tok/app:1").value();
    const auto image = testing::small_image("token");
    const auto pushed = pusher.push(ref, image.push);
    ASSERT_THAT(pushed, Succeeds()) << m_registry->log();
    EXPECT_EQ(pusher.auth_state(m_registry->host()).scheme, AuthScheme::bearer);
    EXPECT_EQ(pusher.auth_state(m_registry->host()).service, "envsmith-test-registry");

    Client anonymous(m_transport, m_reporter, {});
    const auto pulled = anonymous.pull(ref, Platform{});
    ASSERT_THAT(pulled, Succeeds());
    EXPECT_EQ(pulled->layers[1].bytes, image.layers[1].bytes);
    EXPECT_FALSE(anonymous.auth_state(m_registry->host()).with_credentials);

    // An anonymous token carries pull only: the registry refuses the push.
    const auto denied = anonymous.push(specs::ImageRef::parse(m_registry->host() + "/tok/other:1").value(),
                                       testing::small_image("denied").push);
    ASSERT_FALSE(denied.has_value());
    // docker-registry answers 401 again to a token without push.
    EXPECT_EQ(denied.error().message_id, "registry.auth_required");
    EXPECT_THAT(denied.error().message, ::testing::HasSubstr("no credentials were given"));
}

TEST_F(TokenAuthTest, AWrongPasswordIsAuthRequiredAndNeverShown) {
    const std::string wrong = "Wr0ng-Token-Pa55";
    ClientOptions options;
    options.credentials = Credentials{m_user, wrong, "--creds"};
    Client client(m_transport, m_reporter, options);
    const auto ping = client.ping(m_registry->host());
    ASSERT_THAT(ping, FailsWithId("registry.auth_required"));
    testing::expect_no_secret(testing::error_texts(ping.error()), wrong);
    testing::expect_no_secret(m_reporter.all_texts(), wrong);
}

}  // namespace
}  // namespace envsmith::registry
