#include "envsmith/registry/client.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <map>

#include <nlohmann/json.hpp>

#include "blob_file.hpp"
#include "challenge.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "errors.hpp"

namespace envsmith::registry {
namespace {

using Json = nlohmann::json;
using detail::registry_error;

constexpr std::string_view octet_stream = "application/octet-stream";

/// host and port of "host:port", "[v6]:port", "host".
std::pair<std::string, std::string> split_host_port(std::string_view registry) {
    if (registry.starts_with('[')) {
        const auto close = registry.find(']');
        if (close != std::string_view::npos) {
            const auto host = registry.substr(1, close - 1);
            const auto rest = registry.substr(close + 1);
            return {core::to_lower(host),
                    rest.starts_with(':') ? std::string(rest.substr(1)) : std::string()};
        }
    }
    const auto colon = registry.rfind(':');
    if (colon != std::string_view::npos && registry.find(':') == colon) {
        return {core::to_lower(registry.substr(0, colon)), std::string(registry.substr(colon + 1))};
    }
    return {core::to_lower(registry), {}};
}

bool is_ipv4_loopback(std::string_view host) {
    // 127.0.0.0/8: four decimal octets, the first 127.
    const auto parts = core::split(host, '.');
    if (parts.size() != 4 || parts[0] != "127") {
        return false;
    }
    for (const auto part : parts) {
        if (part.empty() || part.size() > 3) {
            return false;
        }
        int value = 0;
        for (const char c : part) {
            if (!core::is_ascii_digit(c)) {
                return false;
            }
            value = value * 10 + (c - '0');
        }
        if (value > 255) {
            return false;
        }
    }
    return true;
}

std::string sha256_of(std::string_view bytes) { return core::sha256(bytes).to_string(); }

/// A blob's body written to an open file as it arrives, hashed on the way. Each attempt of
/// the transport (a retried transfer, the request again after a 401) starts the file over.
/// Bodies of other statuses are kept (up to 64 KiB) for the error message. More bytes than
/// the descriptor's size stop the transfer.
class BlobFileSink final : public core::BodySink {
public:
    BlobFileSink(int fd, std::uint64_t size) : m_fd(fd), m_size(size) {}

    bool on_response(int status,
                     const std::vector<std::pair<std::string, std::string>>&) override {
        m_status = status;
        m_error_body.clear();
        m_written = 0;
        m_too_long = false;
        static_cast<void>(m_hasher.finish());  // a fresh hash for this attempt
        if (status == 200 && (ftruncate(m_fd, 0) != 0 || lseek(m_fd, 0, SEEK_SET) != 0)) {
            m_write_error = std::strerror(errno);
            return false;
        }
        return true;
    }

    bool on_body(std::string_view bytes) override {
        if (m_status != 200) {
            constexpr std::size_t kept = 64 * 1024;
            m_error_body.append(bytes.substr(0, kept - std::min(kept, m_error_body.size())));
            return true;
        }
        if (bytes.size() > m_size - m_written) {
            m_too_long = true;
            return false;
        }
        for (std::size_t done = 0; done < bytes.size();) {
            const auto wrote = ::write(m_fd, bytes.data() + done, bytes.size() - done);
            if (wrote < 0 && errno == EINTR) {
                continue;
            }
            if (wrote <= 0) {
                m_write_error = std::strerror(errno);
                return false;
            }
            done += static_cast<std::size_t>(wrote);
        }
        m_hasher.update(bytes);
        m_written += bytes.size();
        return true;
    }

    [[nodiscard]] std::string digest() { return m_hasher.finish().to_string(); }
    [[nodiscard]] std::uint64_t written() const noexcept { return m_written; }
    [[nodiscard]] bool too_long() const noexcept { return m_too_long; }
    [[nodiscard]] const std::string& write_error() const noexcept { return m_write_error; }
    [[nodiscard]] std::string take_error_body() { return std::move(m_error_body); }

private:
    int m_fd;
    std::uint64_t m_size;
    int m_status = 0;
    std::uint64_t m_written = 0;
    bool m_too_long = false;
    std::string m_write_error;
    std::string m_error_body;
    core::Hasher m_hasher{core::DigestAlgorithm::sha256};
};

std::string with_query(const std::string& url, std::string_view name, std::string_view value) {
    return url + (url.find('?') == std::string::npos ? "?" : "&") + std::string(name) + "=" +
           detail::query_encode(value);
}

bool is_digest(std::string_view reference) { return reference.find(':') != std::string_view::npos; }

struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
};

struct RegistryAuth {
    AuthState state;
    std::map<std::string, Token> tokens;  // by scopes, joined with spaces
};

/// What a request is about, for the errors it may become.
struct Subject {
    std::string registry;
    std::string repository;
    std::string image;      // "registry/repository:tag" or "registry/repository"
    std::string reference;  // a tag or digest (manifests)
    std::string digest;     // blobs
    enum class Kind : std::uint8_t { other, manifest, blob } kind = Kind::other;
};

}  // namespace

bool is_loopback_registry(std::string_view registry) {
    const auto [host, port] = split_host_port(registry);
    return host == "localhost" || host == "::1" || is_ipv4_loopback(host);
}

bool is_insecure_registry(std::string_view registry, const std::vector<std::string>& insecure) {
    if (is_loopback_registry(registry)) {
        return true;
    }
    const auto [host, port] = split_host_port(registry);
    for (const auto& entry : insecure) {
        const auto [entry_host, entry_port] = split_host_port(core::trim(entry));
        if (entry_host == host && (entry_port.empty() || entry_port == port)) {
            return true;
        }
    }
    return false;
}

std::string registry_base_url(std::string_view registry,
                              const std::vector<std::string>& insecure) {
    if (registry == "docker.io" || registry == "index.docker.io") {
        return "https://registry-1.docker.io";
    }
    return (is_insecure_registry(registry, insecure) ? "http://" : "https://") +
           std::string(registry);
}

std::string_view to_string(AuthScheme scheme) noexcept {
    switch (scheme) {
        case AuthScheme::none: return "none";
        case AuthScheme::basic: return "basic";
        case AuthScheme::bearer: return "bearer";
    }
    return "none";
}

struct Client::State {
    core::Transport& transport;
    core::Reporter& reporter;
    ClientOptions options;
    std::map<std::string, RegistryAuth> auth;

    [[nodiscard]] std::string base(std::string_view registry) const {
        return registry_base_url(registry, options.insecure_registries);
    }

    [[nodiscard]] bool has_credentials() const {
        return options.credentials && !options.credentials->username.empty();
    }

    [[nodiscard]] std::string absolute(std::string_view registry, std::string_view location) const {
        if (location.starts_with("http://") || location.starts_with("https://")) {
            return std::string(location);
        }
        if (location.starts_with('/')) {
            return base(registry) + std::string(location);
        }
        return base(registry) + "/" + std::string(location);
    }

    core::Error unreachable(const std::string& registry, const core::Error& cause) {
        auto error = registry_error("registry.unreachable",
                                    {{"registry", registry}, {"detail", cause.message}});
        error.args.push_back({"cause", cause.message_id});
        return error;
    }

    /// Adds the Authorization this client has for the request, when it goes to the registry.
    void authorize(core::HttpRequest& request, const std::string& registry,
                   const std::string& scope_key) {
        if (!request.url.starts_with(base(registry) + "/")) {
            return;  // never send the registry's credentials to another host
        }
        const auto& registry_auth = this->auth[registry];
        if (registry_auth.state.scheme == AuthScheme::basic && has_credentials()) {
            request.headers.emplace_back(
                "Authorization",
                "Basic " + core::base64_encode(options.credentials->username + ":" +
                                               options.credentials->password));
        } else if (registry_auth.state.scheme == AuthScheme::bearer) {
            const auto it = registry_auth.tokens.find(scope_key);
            if (it != registry_auth.tokens.end() && it->second.expires > std::chrono::steady_clock::now()) {
                request.headers.emplace_back("Authorization", "Bearer " + it->second.value);
            }
        }
    }

    /// A token for `scopes` from the Bearer realm; errors never hold the credentials.
    core::Result<Token> fetch_token(const std::string& registry, const std::vector<std::string>& scopes) {
        const auto& state = auth[registry].state;
        core::HttpRequest request;
        request.url = state.realm;
        if (!state.service.empty()) {
            request.url = with_query(request.url, "service", state.service);
        }
        const bool identity_token = has_credentials() && options.credentials->username == "<token>";
        if (identity_token) {
            // OAuth2 refresh-token grant (docker's identity tokens).
            request.method = "POST";
            request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
            request.body = "grant_type=refresh_token&client_id=envsmith&refresh_token=" +
                           detail::query_encode(options.credentials->password);
            if (!state.service.empty()) {
                request.body += "&service=" + detail::query_encode(state.service);
            }
            for (const auto& scope : scopes) {
                request.body += "&scope=" + detail::query_encode(scope);
            }
        } else {
            for (const auto& scope : scopes) {
                request.url = with_query(request.url, "scope", scope);
            }
            if (has_credentials()) {
                request.headers.emplace_back(
                    "Authorization",
                    "Basic " + core::base64_encode(options.credentials->username + ":" +
                                                   options.credentials->password));
            }
        }
        auto response = transport.send(request);
        if (!response) {
            return unreachable(registry, response.error());
        }
        if (response->status == 401 || response->status == 403) {
            auto error = registry_error(
                "registry.auth_required",
                {{"registry", registry},
                 {"image", scopes.empty() ? registry : scopes.front()},
                 {"detail", has_credentials()
                                ? "the token service did not accept the credentials"
                                : "the token service requires credentials; " + how_to_login()}});
            error.args.push_back({"realm", state.realm});
            return std::move(error).with_hint(login_hint(registry));
        }
        if (response->status != 200) {
            const auto body = detail::parse_error_body(response->body);
            return registry_error(
                "registry.token_failed",
                {{"registry", registry},
                 {"status", std::to_string(response->status)},
                 {"detail", body.message.empty() ? std::string("no error message") : body.message}});
        }
        const auto json = Json::parse(response->body, nullptr, false);
        std::string value;
        if (json.is_object()) {
            for (const char* key : {"token", "access_token"}) {
                const auto it = json.find(key);
                if (it != json.end() && it->is_string() && !it->get<std::string>().empty()) {
                    value = it->get<std::string>();
                    break;
                }
            }
        }
        if (value.empty()) {
            return registry_error("registry.token_invalid",
                                  {{"registry", registry},
                                   {"problem", "the answer has no `token` or `access_token`"}});
        }
        // The spec's default lifetime is 60 s; renew a little early.
        std::int64_t lifetime_s = 60;
        if (const auto it = json.find("expires_in"); it != json.end() && it->is_number_integer()) {
            lifetime_s = std::max<std::int64_t>(it->get<std::int64_t>(), 1);
        }
        const auto margin_s = lifetime_s > 30 ? 10 : 0;
        return Token{std::move(value),
                     std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s - margin_s)};
    }

    static std::string how_to_login() {
        return "pass `--creds user:password`, set ENVSMITH_REGISTRY_USER and "
               "ENVSMITH_REGISTRY_PASSWORD, or log in with `docker login`";
    }
    static std::string login_hint(const std::string& registry) {
        return "log in to `" + registry + "` (`docker login " + registry +
               "`), pass `--creds user:password`, or set ENVSMITH_REGISTRY_USER and "
               "ENVSMITH_REGISTRY_PASSWORD";
    }

    /// Sends `request` to `registry` with the auth this client has, and answers one 401
    /// challenge (new Basic credentials, a new or refreshed token) by sending it once more.
    /// Only transport failures and token-service failures are errors here.
    // One request, authorized; a 401 with a challenge is answered once (a token fetched, or
    // basic credentials) and the request sent again. With a sink, the body of each attempt
    // goes to the sink instead of the response.
    core::Result<core::HttpResponse> send(const std::string& registry,
                                          std::vector<std::string> scopes,
                                          core::HttpRequest request,
                                          core::BodySink* sink = nullptr) {
        const auto original_key = core::join(scopes, " ");
        auto scope_key = original_key;
        auto first = request;
        authorize(first, registry, scope_key);
        auto response = sink != nullptr ? transport.send_streaming(first, *sink)
                                        : transport.send(first);
        if (!response) {
            return unreachable(registry, response.error());
        }
        if (response->status != 401) {
            return response;
        }
        const auto challenge = detail::parse_challenge(response->header("WWW-Authenticate"));
        auto& registry_auth = this->auth[registry];
        bool sent_auth = false;
        for (const auto& [name, value] : first.headers) {
            sent_auth = sent_auth || core::iequals(name, "Authorization");
        }
        if (challenge.scheme == "basic") {
            registry_auth.state.scheme = AuthScheme::basic;
            registry_auth.state.realm = challenge.param("realm");
            registry_auth.state.service.clear();
            registry_auth.state.with_credentials = has_credentials();
            if (!has_credentials() || sent_auth) {
                return response;
            }
        } else if (challenge.scheme == "bearer") {
            registry_auth.state.scheme = AuthScheme::bearer;
            registry_auth.state.realm = challenge.param("realm");
            registry_auth.state.service = challenge.param("service");
            registry_auth.state.with_credentials = has_credentials();
            if (const auto asked = challenge.param("scope"); !asked.empty()) {
                for (const auto scope : core::split(asked, ' ')) {
                    if (!scope.empty() &&
                        std::find(scopes.begin(), scopes.end(), scope) == scopes.end()) {
                        scopes.emplace_back(scope);
                    }
                }
            }
            if (registry_auth.state.realm.empty()) {
                return response;
            }
            registry_auth.tokens.erase(scope_key);  // stale, or refused: ask again
            auto token = fetch_token(registry, scopes);
            if (!token) {
                return std::move(token).error();
            }
            scope_key = core::join(scopes, " ");
            registry_auth.tokens[scope_key] = std::move(token).value();
            // Later requests with the original scopes use this token too.
            registry_auth.tokens[original_key] = registry_auth.tokens[scope_key];
        } else if (challenge.scheme.empty()) {
            return response;
        } else {
            return registry_error("registry.challenge_unsupported",
                                  {{"registry", registry}, {"scheme", challenge.scheme}});
        }
        auto second = request;
        authorize(second, registry, scope_key);
        auto retried = sink != nullptr ? transport.send_streaming(second, *sink)
                                       : transport.send(second);
        if (!retried) {
            return unreachable(registry, retried.error());
        }
        return retried;
    }

    /// The error for an HTTP status the caller did not expect.
    core::Error status_error(const core::HttpResponse& response, const core::HttpRequest& request,
                             const Subject& subject) {
        const auto status = response.status;
        const auto url = core::redact_url(request.url);
        const auto body = detail::parse_error_body(response.body);
        const auto detail_text = body.message.empty()
                                     ? (body.code.empty() ? std::string("no error message")
                                                          : body.code)
                                     : (body.code.empty() ? body.message
                                                          : body.code + ": " + body.message);
        if (status == 401) {
            const auto& state = auth[subject.registry].state;
            std::string detail_401 =
                state.with_credentials
                    ? std::string("the credentials were not accepted")
                    : "no credentials were given; " + how_to_login();
            if (!state.realm.empty()) {
                detail_401 += " (realm `" + state.realm + "`)";
            }
            auto error = registry_error("registry.auth_required", {{"registry", subject.registry},
                                                                   {"image", subject.image},
                                                                   {"detail", detail_401}});
            error.args.push_back({"realm", state.realm});
            error.args.push_back({"status", "401"});
            return std::move(error).with_hint(login_hint(subject.registry));
        }
        if (status == 403) {
            auto error = registry_error(
                "registry.access_denied",
                {{"registry", subject.registry},
                 {"image", subject.image},
                 {"status", "403"},
                 {"detail", body.message.empty() ? std::string("requested access to the resource is denied")
                                                 : detail_text}});
            return error;
        }
        if (status == 404) {
            std::string id;
            if (body.code == "MANIFEST_UNKNOWN") {
                id = "registry.manifest_unknown";
            } else if (body.code == "NAME_UNKNOWN") {
                id = "registry.name_unknown";
            } else if (body.code == "BLOB_UNKNOWN" || body.code == "BLOB_UPLOAD_UNKNOWN") {
                id = "registry.blob_unknown";
            } else if (subject.kind == Subject::Kind::manifest) {
                id = "registry.manifest_unknown";
            } else if (subject.kind == Subject::Kind::blob) {
                id = "registry.blob_unknown";
            }
            if (id == "registry.manifest_unknown") {
                return registry_error(id, {{"registry", subject.registry},
                                           {"reference", subject.reference},
                                           {"image", subject.image},
                                           {"detail", detail_text},
                                           {"repository", subject.repository}});
            }
            if (id == "registry.name_unknown") {
                return registry_error(id, {{"registry", subject.registry},
                                           {"repository", subject.repository},
                                           {"detail", detail_text},
                                           {"image", subject.image}});
            }
            if (id == "registry.blob_unknown") {
                return registry_error(id, {{"registry", subject.registry},
                                           {"digest", subject.digest},
                                           {"repository", subject.repository},
                                           {"detail", detail_text}});
            }
        }
        if (status == 429) {
            return registry_error("registry.rate_limited", {{"registry", subject.registry},
                                                            {"method", request.method},
                                                            {"url", url}});
        }
        if (status >= 500) {
            return registry_error("registry.unavailable", {{"registry", subject.registry},
                                                           {"status", std::to_string(status)},
                                                           {"method", request.method},
                                                           {"url", url}});
        }
        if (body.code == "DIGEST_INVALID") {
            return registry_error("registry.digest_invalid", {{"registry", subject.registry},
                                                              {"digest", subject.digest},
                                                              {"detail", detail_text}});
        }
        if (body.code == "MANIFEST_BLOB_UNKNOWN") {
            return registry_error("registry.manifest_blob_unknown",
                                  {{"registry", subject.registry},
                                   {"image", subject.image},
                                   {"detail", detail_text}});
        }
        if (body.code == "NAME_INVALID" || body.code == "TAG_INVALID") {
            return registry_error("registry.invalid_reference", {{"registry", subject.registry},
                                                                 {"image", subject.image},
                                                                 {"detail", detail_text}});
        }
        if (body.code == "MANIFEST_INVALID") {
            return registry_error("registry.manifest_invalid",
                                  {{"image", subject.image}, {"problem", detail_text}});
        }
        return registry_error("registry.http.unexpected", {{"registry", subject.registry},
                                                            {"status", std::to_string(status)},
                                                            {"method", request.method},
                                                            {"url", url},
                                                            {"detail", detail_text}});
    }

    core::Result<FetchedManifest> get_manifest(const specs::ImageRef& ref,
                                               std::string_view reference) {
        Subject subject{ref.registry, ref.repository,
                        ref.name() + (is_digest(reference) ? "@" : ":") + std::string(reference),
                        std::string(reference), {}, Subject::Kind::manifest};
        core::HttpRequest request;
        request.method = "GET";
        request.url = base(ref.registry) + "/v2/" + ref.repository + "/manifests/" +
                      std::string(reference);
        request.headers.emplace_back("Accept", manifest_accept_header());
        auto response = send(ref.registry, {"repository:" + ref.repository + ":pull"}, request);
        if (!response) {
            return std::move(response).error();
        }
        if (response->status != 200) {
            return status_error(*response, request, subject);
        }
        FetchedManifest fetched;
        fetched.bytes = std::move(response->body);
        fetched.digest = sha256_of(fetched.bytes);
        // By digest the bytes must hash to it; by tag the registry's header must agree.
        std::string expected;
        if (is_digest(reference)) {
            expected = std::string(reference);
        } else if (const auto header = response->header("Docker-Content-Digest");
                   header.starts_with("sha256:")) {
            expected = std::string(header);
        }
        if (!expected.empty() && expected != fetched.digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the manifest `" + subject.image + "`"},
                                   {"registry", ref.registry},
                                   {"expected", expected},
                                   {"actual", fetched.digest}});
        }
        auto content =
            parse_manifest(fetched.bytes, response->header("Content-Type"), subject.image);
        if (!content) {
            return std::move(content).error();
        }
        fetched.content = std::move(content).value();
        return fetched;
    }

    core::Result<std::string> get_blob(const specs::ImageRef& ref, const Descriptor& descriptor) {
        const auto digest = descriptor.digest.to_string();
        Subject subject{ref.registry, ref.repository, ref.name(), {}, digest, Subject::Kind::blob};
        core::HttpRequest request;
        request.method = "GET";
        request.url = base(ref.registry) + "/v2/" + ref.repository + "/blobs/" + digest;
        auto response = send(ref.registry, {"repository:" + ref.repository + ":pull"}, request);
        if (!response) {
            return std::move(response).error();
        }
        if (response->status != 200) {
            return status_error(*response, request, subject);
        }
        const auto actual = sha256_of(response->body);
        if (actual != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "blob `" + digest + "` of `" + ref.name() + "`"},
                                   {"registry", ref.registry},
                                   {"expected", digest},
                                   {"actual", actual}});
        }
        if (response->body.size() != descriptor.size) {
            return registry_error("registry.size_mismatch",
                                  {{"digest", digest},
                                   {"expected", std::to_string(descriptor.size)},
                                   {"actual", std::to_string(response->body.size())}});
        }
        return std::move(response->body);
    }

    // get_blob, streamed into `path` (created or truncated) instead of memory.
    core::Status download_blob(const specs::ImageRef& ref, const Descriptor& descriptor,
                               const std::string& path) {
        const auto digest = descriptor.digest.to_string();
        Subject subject{ref.registry, ref.repository, ref.name(), {}, digest, Subject::Kind::blob};
        const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0) {
            return registry_error("registry.write_failed",
                                  {{"path", path}, {"problem", std::strerror(errno)}});
        }
        BlobFileSink sink(fd, descriptor.size);
        core::HttpRequest request;
        request.method = "GET";
        request.url = base(ref.registry) + "/v2/" + ref.repository + "/blobs/" + digest;
        auto response = send(ref.registry, {"repository:" + ref.repository + ":pull"}, request,
                             &sink);
        const bool closed = ::close(fd) == 0;
        const auto fail = [&](core::Error error) -> core::Status {
            ::unlink(path.c_str());
            return error;
        };
        if (!sink.write_error().empty() || (response && !closed)) {
            return fail(registry_error(
                "registry.write_failed",
                {{"path", path},
                 {"problem", sink.write_error().empty() ? std::string("close failed")
                                                        : sink.write_error()}}));
        }
        if (sink.too_long()) {
            return fail(registry_error("registry.size_mismatch",
                                       {{"digest", digest},
                                        {"expected", std::to_string(descriptor.size)},
                                        {"actual", "more than " + std::to_string(descriptor.size)}}));
        }
        if (!response) {
            return fail(std::move(response).error());
        }
        if (response->status != 200) {
            response->body = sink.take_error_body();
            return fail(status_error(*response, request, subject));
        }
        const auto actual = sink.digest();
        if (actual != digest) {
            return fail(registry_error("registry.digest_mismatch",
                                       {{"what", "blob `" + digest + "` of `" + ref.name() + "`"},
                                        {"registry", ref.registry},
                                        {"expected", digest},
                                        {"actual", actual}}));
        }
        if (sink.written() != descriptor.size) {
            return fail(registry_error("registry.size_mismatch",
                                       {{"digest", digest},
                                        {"expected", std::to_string(descriptor.size)},
                                        {"actual", std::to_string(sink.written())}}));
        }
        return {};
    }

    core::Result<bool> has_blob(const specs::ImageRef& ref, std::string_view digest,
                                const std::vector<std::string>& scopes) {
        Subject subject{ref.registry, ref.repository, ref.name(), {}, std::string(digest),
                        Subject::Kind::blob};
        core::HttpRequest request;
        request.method = "HEAD";
        request.url = base(ref.registry) + "/v2/" + ref.repository + "/blobs/" + std::string(digest);
        auto response = send(ref.registry, scopes, request);
        if (!response) {
            return std::move(response).error();
        }
        if (response->status == 200) {
            return true;
        }
        if (response->status == 404) {
            return false;
        }
        return status_error(*response, request, subject);
    }

    /// Where an upload's bytes come from: memory, or a file (read as it is sent).
    struct BlobBody {
        std::string_view bytes;
        const std::string* path = nullptr;

        [[nodiscard]] std::uint64_t size(const Descriptor& descriptor) const {
            return path != nullptr ? descriptor.size : bytes.size();
        }
        /// Puts bytes [offset, offset + length) into `request`.
        void attach(core::HttpRequest& request, std::uint64_t offset, std::uint64_t length) const {
            if (path != nullptr) {
                request.body_file = core::FileBody{*path, offset, length};
            } else {
                request.body = std::string(bytes.substr(offset, length));
            }
        }
    };

    core::Result<BlobOutcome> push_blob(const specs::ImageRef& ref, const Blob& blob,
                                        std::string_view mount_from) {
        const auto digest = blob.descriptor.digest.to_string();
        const auto actual = sha256_of(blob.bytes);
        if (actual != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the blob to push `" + digest + "`"},
                                   {"registry", ref.registry},
                                   {"expected", digest},
                                   {"actual", actual}});
        }
        if (blob.bytes.size() != blob.descriptor.size) {
            return registry_error("registry.size_mismatch",
                                  {{"digest", digest},
                                   {"expected", std::to_string(blob.descriptor.size)},
                                   {"actual", std::to_string(blob.bytes.size())}});
        }
        return upload_blob(ref, blob.descriptor, BlobBody{blob.bytes, nullptr}, mount_from);
    }

    core::Result<BlobOutcome> push_blob(const specs::ImageRef& ref, const BlobFile& blob,
                                        std::string_view mount_from) {
        // The size is checked first (cheap); the digest only when the bytes are to be sent:
        // a blob the registry has or mounts is the registry's, checked by its digest there.
        const auto digest = blob.descriptor.digest.to_string();
        auto size = detail::file_size(blob.path, digest);
        if (!size) {
            return std::move(size).error();
        }
        if (*size != blob.descriptor.size) {
            return registry_error("registry.size_mismatch",
                                  {{"digest", digest},
                                   {"expected", std::to_string(blob.descriptor.size)},
                                   {"actual", std::to_string(*size)}});
        }
        return upload_blob(ref, blob.descriptor, BlobBody{{}, &blob.path}, mount_from);
    }

    core::Result<BlobOutcome> upload_blob(const specs::ImageRef& ref, const Descriptor& descriptor,
                                          const BlobBody& body, std::string_view mount_from) {
        const auto digest = descriptor.digest.to_string();
        std::vector<std::string> scopes = {"repository:" + ref.repository + ":pull,push"};
        if (!mount_from.empty() && mount_from != ref.repository) {
            scopes.push_back("repository:" + std::string(mount_from) + ":pull");
        }
        auto present = has_blob(ref, digest, scopes);
        if (!present) {
            return std::move(present).error();
        }
        if (*present) {
            return BlobOutcome::existed;
        }
        if (body.path != nullptr) {
            // Hashed from the file just before it is sent, in one streaming pass.
            auto actual = detail::sha256_of_file(*body.path, digest);
            if (!actual) {
                return std::move(actual).error();
            }
            if (*actual != descriptor.digest) {
                return registry_error("registry.digest_mismatch",
                                      {{"what", "the blob to push `" + digest + "`"},
                                       {"registry", ref.registry},
                                       {"expected", digest},
                                       {"actual", actual->to_string()}});
            }
        }
        const auto total = body.size(descriptor);
        Subject subject{ref.registry, ref.repository, ref.name(), {}, digest, Subject::Kind::blob};
        core::HttpRequest start;
        start.method = "POST";
        start.url = base(ref.registry) + "/v2/" + ref.repository + "/blobs/uploads/";
        if (!mount_from.empty() && mount_from != ref.repository) {
            start.url = with_query(with_query(start.url, "mount", digest), "from", mount_from);
        }
        auto started = send(ref.registry, scopes, start);
        if (!started) {
            return std::move(started).error();
        }
        if (started->status == 201 && !mount_from.empty()) {
            return BlobOutcome::mounted;
        }
        if (started->status != 202) {
            subject.kind = Subject::Kind::other;
            return status_error(*started, start, subject);
        }
        auto location = std::string(started->header("Location"));
        if (location.empty()) {
            return registry_error("registry.http.unexpected",
                                  {{"registry", ref.registry},
                                   {"status", "202"},
                                   {"method", start.method},
                                   {"url", core::redact_url(start.url)},
                                   {"detail", "the answer has no Location"}});
        }
        location = absolute(ref.registry, location);
        const auto chunk = options.chunk_size_bytes;
        const bool chunked = chunk > 0 && total > chunk;
        if (chunked) {
            for (std::uint64_t offset = 0; offset < total; offset += chunk) {
                const auto length = std::min<std::uint64_t>(chunk, total - offset);
                core::HttpRequest patch;
                patch.method = "PATCH";
                patch.url = location;
                patch.headers.emplace_back("Content-Type", std::string(octet_stream));
                patch.headers.emplace_back(
                    "Content-Range", std::to_string(offset) + "-" + std::to_string(offset + length - 1));
                body.attach(patch, offset, length);
                auto patched = send(ref.registry, scopes, patch);
                if (!patched) {
                    return std::move(patched).error();
                }
                if (patched->status != 202) {
                    return status_error(*patched, patch, subject);
                }
                // The upload state is in the URL and changes with every chunk.
                if (const auto next = patched->header("Location"); !next.empty()) {
                    location = absolute(ref.registry, next);
                }
            }
        }
        core::HttpRequest put;
        put.method = "PUT";
        put.url = with_query(location, "digest", digest);
        put.headers.emplace_back("Content-Type", std::string(octet_stream));
        if (!chunked) {
            body.attach(put, 0, total);
        }
        auto finished = send(ref.registry, scopes, put);
        if (!finished) {
            return std::move(finished).error();
        }
        if (finished->status != 201) {
            return status_error(*finished, put, subject);
        }
        if (const auto header = finished->header("Docker-Content-Digest");
            !header.empty() && header != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the digest the registry computed for the upload"},
                                   {"registry", ref.registry},
                                   {"expected", digest},
                                   {"actual", std::string(header)}});
        }
        return BlobOutcome::uploaded;
    }

    core::Result<std::string> put_manifest(const specs::ImageRef& ref, std::string_view reference,
                                           std::string_view media_type, const std::string& bytes) {
        const auto digest = sha256_of(bytes);
        Subject subject{ref.registry, ref.repository,
                        ref.name() + (is_digest(reference) ? "@" : ":") + std::string(reference),
                        std::string(reference), digest, Subject::Kind::other};
        if (is_digest(reference) && reference != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the manifest to push `" + subject.image + "`"},
                                   {"registry", ref.registry},
                                   {"expected", std::string(reference)},
                                   {"actual", digest}});
        }
        core::HttpRequest request;
        request.method = "PUT";
        request.url = base(ref.registry) + "/v2/" + ref.repository + "/manifests/" +
                      std::string(reference);
        request.headers.emplace_back("Content-Type", std::string(media_type));
        request.body = bytes;
        auto response =
            send(ref.registry, {"repository:" + ref.repository + ":pull,push"}, request);
        if (!response) {
            return std::move(response).error();
        }
        if (response->status != 201 && response->status != 200) {
            return status_error(*response, request, subject);
        }
        const auto header = response->header("Docker-Content-Digest");
        if (!header.empty() && header != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the digest the registry computed for the manifest"},
                                   {"registry", ref.registry},
                                   {"expected", digest},
                                   {"actual", std::string(header)}});
        }
        return digest;
    }
};

Client::Client(core::Transport& transport, core::Reporter& reporter, ClientOptions options)
    : m_state(std::make_unique<State>(State{transport, reporter, std::move(options), {}})) {}

Client::~Client() = default;

core::Result<PingResult> Client::ping(std::string_view registry) {
    const std::string name(registry);
    core::HttpRequest request;
    request.method = "GET";
    request.url = m_state->base(name) + "/v2/";
    auto response = m_state->send(name, {}, request);
    if (!response) {
        return std::move(response).error();
    }
    PingResult result;
    result.status = response->status;
    result.api_version = std::string(response->header("Docker-Distribution-Api-Version"));
    result.auth = auth_state(name);
    if (response->status == 200) {
        return result;
    }
    if (response->status == 401) {
        if (result.auth.with_credentials) {
            Subject subject{name, {}, name, {}, {}, Subject::Kind::other};
            return m_state->status_error(*response, request, subject);
        }
        return result;  // needs credentials; individual repositories may still be public
    }
    Subject subject{name, {}, name, {}, {}, Subject::Kind::other};
    return m_state->status_error(*response, request, subject);
}

AuthState Client::auth_state(std::string_view registry) const {
    const auto it = m_state->auth.find(std::string(registry));
    return it == m_state->auth.end() ? AuthState{} : it->second.state;
}

core::Result<FetchedManifest> Client::get_manifest(const specs::ImageRef& ref) {
    return m_state->get_manifest(ref, ref.digest.empty() ? ref.tag : ref.digest);
}

core::Result<FetchedManifest> Client::get_manifest(const specs::ImageRef& ref,
                                                   std::string_view reference) {
    return m_state->get_manifest(ref, reference);
}

core::Result<std::vector<std::string>> Client::list_tags(const specs::ImageRef& ref) {
    Subject subject{ref.registry, ref.repository, ref.name(), {}, {}, Subject::Kind::other};
    core::HttpRequest request;
    request.method = "GET";
    request.url = m_state->base(ref.registry) + "/v2/" + ref.repository + "/tags/list";
    auto response =
        m_state->send(ref.registry, {"repository:" + ref.repository + ":pull"}, request);
    if (!response) {
        return std::move(response).error();
    }
    if (response->status != 200) {
        return m_state->status_error(*response, request, subject);
    }
    std::vector<std::string> tags;
    const auto json = Json::parse(response->body, nullptr, false);
    if (json.is_object()) {
        if (const auto it = json.find("tags"); it != json.end() && it->is_array()) {
            for (const auto& tag : *it) {
                if (tag.is_string()) {
                    tags.push_back(tag.get<std::string>());
                }
            }
        }
    }
    return tags;
}

core::Result<PulledImage> Client::resolve(const specs::ImageRef& ref, const Platform& platform) {
    auto top = get_manifest(ref);
    if (!top) {
        return std::move(top).error();
    }
    PulledImage image;
    if (!top->content.is_index()) {
        image.manifest = std::move(top).value();
        return image;
    }
    auto entry = select_platform(top->content, platform, ref.to_string());
    if (!entry) {
        return std::move(entry).error();
    }
    auto manifest = m_state->get_manifest(ref, entry->digest.to_string());
    if (!manifest) {
        return std::move(manifest).error();
    }
    if (manifest->content.is_index()) {
        return registry_error("registry.manifest_invalid",
                              {{"image", ref.name() + "@" + entry->digest.to_string()},
                               {"problem", "an index entry for a platform names another index"}});
    }
    image.index = std::move(top).value();
    image.manifest = std::move(manifest).value();
    return image;
}

core::Result<std::string> Client::get_blob(const specs::ImageRef& ref,
                                           const Descriptor& descriptor) {
    return m_state->get_blob(ref, descriptor);
}

core::Status Client::download_blob(const specs::ImageRef& ref, const Descriptor& descriptor,
                                   const std::string& path) {
    auto fetched = m_state->download_blob(ref, descriptor, path);
    const bool corrupted = !fetched && (fetched.error().message_id == "registry.digest_mismatch" ||
                                        fetched.error().message_id == "registry.size_mismatch");
    if (!corrupted) {
        return fetched;
    }
    // HTTP framing cannot see bytes changed in transit (a proxy, a flaky link); the second
    // answer decides.
    const std::vector<core::MessageArg> args = {{"digest", descriptor.digest.to_string()},
                                                {"image", ref.name()},
                                                {"problem", fetched.error().message}};
    m_state->reporter.on_warning("registry.blob_refetch", detail::fill("registry.blob_refetch", args),
                                 args);
    return m_state->download_blob(ref, descriptor, path);
}

core::Result<PulledImage> Client::pull(const specs::ImageRef& ref, const Platform& platform) {
    auto image = resolve(ref, platform);
    if (!image) {
        return std::move(image).error();
    }
    const auto& content = image->manifest.content;
    if (!content.config) {
        return registry_error("registry.manifest_invalid",
                              {{"image", ref.to_string()}, {"problem", "no config"}});
    }
    auto config = m_state->get_blob(ref, *content.config);
    if (!config) {
        return std::move(config).error();
    }
    image->config = Blob{*content.config, std::move(config).value()};
    for (const auto& layer : content.layers) {
        auto bytes = m_state->get_blob(ref, layer);
        if (!bytes) {
            return std::move(bytes).error();
        }
        image->layers.push_back(Blob{layer, std::move(bytes).value()});
    }
    return image;
}

core::Result<bool> Client::has_blob(const specs::ImageRef& ref, std::string_view digest) {
    return m_state->has_blob(ref, digest, {"repository:" + ref.repository + ":pull"});
}

core::Result<BlobOutcome> Client::push_blob(const specs::ImageRef& ref, const Blob& blob,
                                            std::string_view mount_from) {
    return m_state->push_blob(ref, blob, mount_from);
}

core::Result<BlobOutcome> Client::push_blob(const specs::ImageRef& ref, const BlobFile& blob,
                                            std::string_view mount_from) {
    return m_state->push_blob(ref, blob, mount_from);
}

core::Result<std::string> Client::put_manifest(const specs::ImageRef& ref,
                                               std::string_view reference,
                                               std::string_view media_type,
                                               const std::string& bytes) {
    return m_state->put_manifest(ref, reference, media_type, bytes);
}

core::Result<PushResult> Client::push(const specs::ImageRef& ref, const ImageToPush& image,
                                      std::string_view mount_from) {
    const auto source = ref.to_string();
    auto content = parse_manifest(image.manifest, image.manifest_media_type, source);
    if (!content) {
        return std::move(content).error();
    }
    if (content->is_index()) {
        return registry_error("registry.manifest_invalid",
                              {{"image", source},
                               {"problem", "an index: push its manifests with put_manifest"}});
    }
    // The registry accepts wrong sizes, so they are checked here, before anything is sent.
    std::vector<Descriptor> needed;
    needed.push_back(*content->config);
    needed.insert(needed.end(), content->layers.begin(), content->layers.end());
    std::vector<const Blob*> blobs;
    for (const auto& descriptor : needed) {
        const Blob* found = nullptr;
        for (const auto& blob : image.blobs) {
            if (blob.descriptor.digest == descriptor.digest) {
                found = &blob;
            }
        }
        const auto digest = descriptor.digest.to_string();
        if (found == nullptr) {
            return registry_error("registry.blob_missing", {{"digest", digest}});
        }
        if (found->bytes.size() != descriptor.size) {
            return registry_error("registry.size_mismatch",
                                  {{"digest", digest},
                                   {"expected", std::to_string(descriptor.size)},
                                   {"actual", std::to_string(found->bytes.size())}});
        }
        const auto actual = sha256_of(found->bytes);
        if (actual != digest) {
            return registry_error("registry.digest_mismatch",
                                  {{"what", "the blob to push `" + digest + "`"},
                                   {"registry", ref.registry},
                                   {"expected", digest},
                                   {"actual", actual}});
        }
        blobs.push_back(found);
    }
    PushResult result;
    for (const auto* blob : blobs) {
        auto outcome = m_state->push_blob(ref, *blob, mount_from);
        if (!outcome) {
            return std::move(outcome).error();
        }
        switch (*outcome) {
            case BlobOutcome::existed: ++result.blobs_existed; break;
            case BlobOutcome::mounted: ++result.blobs_mounted; break;
            case BlobOutcome::uploaded: ++result.blobs_uploaded; break;
        }
    }
    const auto reference = !ref.tag.empty() ? ref.tag : ref.digest;
    auto digest = m_state->put_manifest(ref, reference, content->media_type, image.manifest);
    if (!digest) {
        return std::move(digest).error();
    }
    result.manifest_digest = std::move(digest).value();
    return result;
}

}  // namespace envsmith::registry
