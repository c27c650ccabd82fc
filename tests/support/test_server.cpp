#include "test_server.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#endif

#include <algorithm>
#include <cctype>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace envsmith::test {
namespace {

std::uint16_t port_of(const sockaddr_storage& address) {
    if (address.ss_family == AF_INET) {
        return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
    }
    if (address.ss_family == AF_INET6) {
        return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
    }
    return 0;
}

// cpp-httplib hands handlers no socket, so the connection of a request is found by its
// ports. connect(AF_UNSPEC) on a connected TCP socket makes Linux send a RST and leaves the
// descriptor open, so cpp-httplib's own close stays correct; its later writes fail (EPIPE).
void reset_connection(const httplib::Request& request) {
    for (int fd = 3; fd < 4096; ++fd) {
        sockaddr_storage local{};
        sockaddr_storage peer{};
        socklen_t local_size = sizeof local;
        socklen_t peer_size = sizeof peer;
        if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_size) != 0 ||
            getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_size) != 0) {
            continue;
        }
        if (port_of(local) == request.local_port && port_of(peer) == request.remote_port) {
            const linger abort_on_close{1, 0};
            setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
            sockaddr unspecified{};
            unspecified.sa_family = AF_UNSPEC;
            connect(fd, &unspecified, sizeof unspecified);
            return;
        }
    }
    throw std::runtime_error("test server: the connection to reset was not found");
}

#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
struct KeyDeleter {
    void operator()(EVP_PKEY* key) const noexcept { EVP_PKEY_free(key); }
};
struct CertDeleter {
    void operator()(X509* cert) const noexcept { X509_free(cert); }
};

/// A self-signed P-256 certificate for 127.0.0.1, valid for an hour.
std::unique_ptr<httplib::Server> make_tls_server(std::string& certificate_pem) {
    std::unique_ptr<EVP_PKEY, KeyDeleter> key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
    std::unique_ptr<X509, CertDeleter> cert(X509_new());
    if (!key || !cert) {
        throw std::runtime_error("test server: cannot make a key or certificate");
    }
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
    X509_set_pubkey(cert.get(), key.get());
    auto* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
    X509_set_issuer_name(cert.get(), name);
    // Clients match an IP address against the subjectAltName, not the CN.
    X509_EXTENSION* alt_name =
        X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, "IP:127.0.0.1");
    if (alt_name == nullptr || X509_add_ext(cert.get(), alt_name, -1) == 0) {
        throw std::runtime_error("test server: cannot add the subjectAltName");
    }
    X509_EXTENSION_free(alt_name);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
        throw std::runtime_error("test server: cannot sign the certificate");
    }
    BIO* pem = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(pem, cert.get());
    char* data = nullptr;
    const auto size = BIO_get_mem_data(pem, &data);
    certificate_pem.assign(data, static_cast<std::size_t>(size));
    BIO_free(pem);
    // SSLServer takes its own references to both.
    return std::make_unique<httplib::SSLServer>(cert.get(), key.get());
}
#else
std::unique_ptr<httplib::Server> make_tls_server(std::string& /*certificate_pem*/) {
    throw std::runtime_error("test server: cpp-httplib was built without OpenSSL");
}
#endif

std::string content_type_of(const std::filesystem::path& path) {
    const auto extension = path.extension().string();
    if (extension == ".json") {
        return "application/json";
    }
    if (extension == ".html") {
        return "text/html";
    }
    return "application/octet-stream";
}

/// An IMF-fixdate (RFC 9110 section 5.6.7) for a file time.
std::string http_date(std::filesystem::file_time_type time) {
    const auto system = std::chrono::file_clock::to_sys(time);
    const std::time_t seconds = std::chrono::system_clock::to_time_t(
        std::chrono::time_point_cast<std::chrono::system_clock::duration>(system));
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    char buffer[64];
    const auto size = std::strftime(buffer, sizeof buffer, "%a, %d %b %Y %H:%M:%S GMT", &utc);
    return {buffer, size};
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace

TestServer::TestServer(std::filesystem::path root, Tls tls) : m_root(std::move(root)), m_tls(tls) {
    // A reset connection makes cpp-httplib write to a dead socket; that must not kill the test.
    std::signal(SIGPIPE, SIG_IGN);
    m_server =
        tls == Tls::yes ? make_tls_server(m_certificate_pem) : std::make_unique<httplib::Server>();
    // One request per connection: every request is a fresh accept, as faults expect.
    m_server->set_keep_alive_max_count(1);
    m_server->Get(".*", [this](const httplib::Request& request, httplib::Response& response) {
        const auto fault =
            next_fault(request.path, {request.headers.begin(), request.headers.end()});
        struct InFlight {
            TestServer& server;
            explicit InFlight(TestServer& s) : server(s) {
                const std::lock_guard lock(server.m_mutex);
                server.m_max_in_flight = std::max(server.m_max_in_flight, ++server.m_in_flight);
            }
            ~InFlight() {
                const std::lock_guard lock(server.m_mutex);
                --server.m_in_flight;
            }
            InFlight(const InFlight&) = delete;
            InFlight& operator=(const InFlight&) = delete;
        } in_flight(*this);
        if (fault.delay.count() > 0) {
            std::unique_lock lock(m_mutex);
            m_stopping.wait_for(lock, fault.delay, [this] { return m_stopped; });
        }
        switch (fault.kind) {
            case Fault::Kind::reset: reset_connection(request); return;
            case Fault::Kind::status:
                response.status = fault.status;
                if (!fault.retry_after.empty()) {
                    response.set_header("Retry-After", fault.retry_after);
                }
                response.set_content("injected fault", "text/plain");
                return;
            case Fault::Kind::redirect: response.set_redirect(fault.location); return;
            default: break;
        }
        const auto relative =
            std::filesystem::path(request.path).relative_path().lexically_normal();
        auto file = m_root / relative;
        std::string content_type = content_type_of(file);
        if (request.path.find("..") == std::string::npos && std::filesystem::is_directory(file)) {
            // A simple-index page: JSON when the client asks for PEP 691's type and the folder
            // has index.json, else index.html.
            const bool wants_json = request.get_header_value("Accept").find(
                                        "application/vnd.pypi.simple.v1+json") != std::string::npos;
            if (wants_json && std::filesystem::is_regular_file(file / "index.json")) {
                file /= "index.json";
                content_type = "application/vnd.pypi.simple.v1+json";
            } else {
                file /= "index.html";
                content_type = "text/html";
            }
        }
        if (request.path.find("..") != std::string::npos ||
            !std::filesystem::is_regular_file(file)) {
            response.status = 404;
            response.set_content("not found", "text/plain");
            return;
        }
        auto content = std::make_shared<std::string>(read_file(file));
        // Validators, so that clients can revalidate a cached copy (RFC 9110 section 13).
        const std::string etag =
            "\"" + std::to_string(std::hash<std::string>{}(*content)) + "\"";
        const std::string last_modified = http_date(std::filesystem::last_write_time(file));
        response.set_header("ETag", etag);
        response.set_header("Last-Modified", last_modified);
        if (fault.kind == Fault::Kind::none &&
            (request.get_header_value("If-None-Match") == etag ||
             (!request.has_header("If-None-Match") &&
              request.get_header_value("If-Modified-Since") == last_modified))) {
            response.status = 304;
            return;
        }
        if (fault.kind == Fault::Kind::corrupt) {
            for (auto& byte : *content) {
                byte = static_cast<char>(~byte);
            }
        }
        if (fault.kind == Fault::Kind::stall) {
            response.set_content_provider(
                content->size(), "application/octet-stream",
                [this, content, stall = fault.stall](std::size_t offset, std::size_t /*length*/,
                                                     httplib::DataSink& sink) {
                    if (offset == 0) {
                        sink.write(content->data(), content->size() / 2);
                    }
                    std::unique_lock lock(m_mutex);
                    m_stopping.wait_for(lock, stall, [this] { return m_stopped; });
                    return false;
                });
            return;
        }
        if (fault.kind == Fault::Kind::truncate) {
            response.set_content_provider(
                content->size(), "application/octet-stream",
                [content](std::size_t offset, std::size_t /*length*/, httplib::DataSink& sink) {
                    if (offset == 0) {
                        sink.write(content->data(), content->size() / 2);
                    }
                    return false;  // cpp-httplib closes the connection mid-body
                });
            return;
        }
        // cpp-httplib answers a Range request with 206 and the asked bytes by itself.
        response.set_content(*content, content_type);
    });
    const int port = m_server->bind_to_any_port("127.0.0.1");
    if (port <= 0) {
        throw std::runtime_error("test server: cannot bind 127.0.0.1");
    }
    m_port = static_cast<std::uint16_t>(port);
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
    // stop() before the accept loop runs would be lost; wait until it runs.
    while (!m_server->is_running()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

TestServer::~TestServer() {
    stop();
}

bool TestServer::tls_available() noexcept {
#ifdef CPPHTTPLIB_OPENSSL_SUPPORT
    return true;
#else
    return false;
#endif
}

std::string TestServer::base_url() const {
    return (m_tls == Tls::yes ? "https://127.0.0.1:" : "http://127.0.0.1:") +
           std::to_string(m_port);
}

void TestServer::inject(const std::string& path, const Fault& fault, std::uint32_t times) {
    const std::lock_guard lock(m_mutex);
    auto& queue = m_faults[path];
    for (std::uint32_t i = 0; i < times; ++i) {
        queue.push_back(fault);
    }
}

std::uint32_t TestServer::requests(const std::string& path) const {
    const std::lock_guard lock(m_mutex);
    const auto it = m_requests.find(path);
    return it == m_requests.end() ? 0 : it->second;
}

std::uint32_t TestServer::max_concurrent() const {
    const std::lock_guard lock(m_mutex);
    return m_max_in_flight;
}

std::string TestServer::last_header(const std::string& path, const std::string& name) const {
    const std::lock_guard lock(m_mutex);
    const auto it = m_last_headers.find(path);
    if (it == m_last_headers.end()) {
        return {};
    }
    for (const auto& [key, value] : it->second) {
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(), [](char a, char b) {
                return std::tolower(static_cast<unsigned char>(a)) ==
                       std::tolower(static_cast<unsigned char>(b));
            })) {
            return value;
        }
    }
    return {};
}

Fault TestServer::next_fault(const std::string& path,
                             std::multimap<std::string, std::string> headers) {
    const std::lock_guard lock(m_mutex);
    ++m_requests[path];
    m_last_headers[path] = std::move(headers);
    auto& queue = m_faults[path];
    if (queue.empty()) {
        return {};
    }
    auto fault = queue.front();
    queue.pop_front();
    return fault;
}

void TestServer::stop() {
    {
        const std::lock_guard lock(m_mutex);
        if (m_stopped) {
            return;
        }
        m_stopped = true;
    }
    m_stopping.notify_all();
    m_server->stop();
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

}  // namespace envsmith::test
