#pragma once
// A loopback HTTP(S) server for tests: serves a directory on 127.0.0.1 (an ephemeral port)
// and injects faults per path: a delay, a connection reset, a status (500, 503, 429 with
// Retry-After), a truncated body, wrong bytes. It counts the requests to each path. Each
// test starts its own and the destructor stops it. Needs cpp-httplib (and OpenSSL for TLS).
//
// Like a static file server it sends ETag and Last-Modified and answers 304 to a matching
// If-None-Match (or If-Modified-Since), serves byte ranges (206), and answers a folder path
// with its index.json when the Accept header asks for PEP 691's
// `application/vnd.pypi.simple.v1+json`, else with its index.html.

#include "temp_dir.hpp"
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace envsmith::test {

/// What the server does to one request instead of (or before) serving the file.
struct Fault {
    enum class Kind : std::uint8_t { none, reset, status, truncate, stall, corrupt, redirect };
    Kind kind = Kind::none;
    std::chrono::milliseconds delay{0};  // waited first, whatever the kind
    int status = 0;                      // Kind::status
    std::string retry_after;             // Kind::status: a Retry-After value, if not empty
    std::string location;                // Kind::redirect
    std::chrono::milliseconds stall{0};  // Kind::stall

    /// Waits, then serves normally.
    static Fault delayed(std::chrono::milliseconds by) { return make(Kind::none, by); }
    /// Closes the connection with a TCP reset before any byte of a response.
    static Fault reset() { return make(Kind::reset); }
    static Fault http_status(int code, std::string retry_after_value = {}) {
        auto fault = make(Kind::status);
        fault.status = code;
        fault.retry_after = std::move(retry_after_value);
        return fault;
    }
    /// Announces the full Content-Length, sends half the body, closes.
    static Fault truncate() { return make(Kind::truncate); }
    /// Sends half the body, then nothing for `for_how_long` (or until the server stops),
    /// then closes: a stalled mirror.
    static Fault stalled(std::chrono::milliseconds for_how_long) {
        auto fault = make(Kind::stall);
        fault.stall = for_how_long;
        return fault;
    }
    /// Serves the right length with every byte flipped.
    static Fault corrupt() { return make(Kind::corrupt); }
    /// Answers 302 with this Location.
    static Fault redirect(std::string to) {
        auto fault = make(Kind::redirect);
        fault.location = std::move(to);
        return fault;
    }

private:
    static Fault make(Kind kind, std::chrono::milliseconds delay = {}) {
        Fault fault;
        fault.kind = kind;
        fault.delay = delay;
        return fault;
    }
};

enum class Tls : bool { no, yes };

class TestServer {
public:
    /// Serves `root` (GET and HEAD) on http://127.0.0.1:<port>, or https:// with a
    /// self-signed certificate made at start for `Tls::yes` (throws when `tls_available()`
    /// is false).
    explicit TestServer(std::filesystem::path root, Tls tls = Tls::no);
    ~TestServer();
    TestServer(const TestServer&) = delete;
    TestServer& operator=(const TestServer&) = delete;

    /// Whether this build of cpp-httplib can serve TLS (CPPHTTPLIB_OPENSSL_SUPPORT).
    [[nodiscard]] static bool tls_available() noexcept;

    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }
    /// "http://127.0.0.1:<port>" (or https), without a trailing slash.
    [[nodiscard]] std::string base_url() const;

    /// The next `times` requests to `path` ("/a/b.txt") get `fault`, after any faults
    /// queued before; then the path is served normally again.
    void inject(const std::string& path, const Fault& fault, std::uint32_t times = 1);
    /// How many requests reached `path`.
    [[nodiscard]] std::uint32_t requests(const std::string& path) const;
    /// The most requests that were being handled at the same time.
    [[nodiscard]] std::uint32_t max_concurrent() const;
    /// The server's self-signed certificate in PEM (`Tls::yes`), to use as a CA bundle.
    [[nodiscard]] const std::string& certificate_pem() const noexcept { return m_certificate_pem; }
    /// The value of header `name` in the last request to `path`, or empty.
    [[nodiscard]] std::string last_header(const std::string& path, const std::string& name) const;

    /// Stops accepting, wakes delayed handlers, joins. The destructor calls it.
    void stop();

private:
    Fault next_fault(const std::string& path, std::multimap<std::string, std::string> headers);

    std::filesystem::path m_root;
    Tls m_tls;
    std::string m_certificate_pem;
    std::unique_ptr<httplib::Server> m_server;
    std::thread m_thread;
    std::uint16_t m_port = 0;
    mutable std::mutex m_mutex;
    std::condition_variable m_stopping;
    bool m_stopped = false;
    std::map<std::string, std::deque<Fault>> m_faults;
    std::map<std::string, std::uint32_t> m_requests;
    std::uint32_t m_in_flight = 0;
    std::uint32_t m_max_in_flight = 0;
    std::map<std::string, std::multimap<std::string, std::string>> m_last_headers;
};


}  // namespace envsmith::test
