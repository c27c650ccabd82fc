#pragma once
// A small HTTP/1.1 reverse proxy for tests, on 127.0.0.1:<free port>, in front of one upstream
// server on loopback (a docker-registry, usually), that injects faults by rule:
//
//   test::FaultProxy proxy(registry.port());
//   ASSERT_TRUE(proxy.running());
//   const auto put = proxy.add_rule("PUT", "/blobs/uploads/", test::ProxyFault::http_status(500));
//   const auto head = proxy.add_rule("HEAD", "/blobs/sha256:", test::ProxyFault::delay(300), test::ProxyRule::every);
//   ... talk to proxy.host() ...
//   EXPECT_EQ(proxy.applied(put), 1U);
//
// A request is forwarded with its method, path and query, headers (the Host header too, so
// that the registry's absolute `Location` headers name the proxy) and body (by Content-Length
// or chunked; buffered in memory). The upstream answer (by Content-Length, chunked, or until
// close) is read whole and sent back with a Content-Length; client connections are kept alive
// as HTTP/1.1 wants, each on its own thread, and `Expect: 100-continue` is answered by the
// proxy. The first rule (in the order added) that matches a request's method and path and has
// applications left decides its fault:
//   http_status(code, body)  answer `code` with `body` without forwarding;
//   reset                    read the request, then close the connection without an answer;
//   delay(ms)                wait, then forward as usual;
//   truncate                 forward, then send the headers and half of the body and close;
//   corrupt                  forward, then send the answer with one byte of its body changed
//                            (the length and the headers are the registry's).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace envsmith::test {

struct ProxyFault {
    enum class Kind : std::uint8_t { http_status, reset, delay, truncate, corrupt };
    Kind kind = Kind::reset;
    int status = 0;        // http_status
    std::string body;      // http_status
    std::chrono::milliseconds wait{0};  // delay

    [[nodiscard]] static ProxyFault http_status(int status, std::string body = {});
    [[nodiscard]] static ProxyFault reset();
    [[nodiscard]] static ProxyFault delay(std::chrono::milliseconds wait);
    [[nodiscard]] static ProxyFault delay(int milliseconds) { return delay(std::chrono::milliseconds(milliseconds)); }
    [[nodiscard]] static ProxyFault truncate();
    [[nodiscard]] static ProxyFault corrupt();
};

struct ProxyRule {
    static constexpr int every = -1;
    std::string method;   // "GET", "HEAD", ... or several as "GET|HEAD"; empty: any method
    std::string pattern;  // ECMAScript regex searched in the request's path and query
    ProxyFault fault;
    int times = 1;        // how many matching requests get the fault; `every`: all
};

/// One request the proxy saw, for failure messages.
struct ProxiedRequest {
    std::string method;
    std::string target;  // path and query
    std::string outcome;  // "200", "injected 500", "reset", "delayed 300 ms, 200", "truncated 200", "corrupted 200", ...
};

class FaultProxy {
public:
    /// Starts forwarding to 127.0.0.1:`upstream_port`.
    explicit FaultProxy(std::uint16_t upstream_port);
    ~FaultProxy();
    FaultProxy(const FaultProxy&) = delete;
    FaultProxy& operator=(const FaultProxy&) = delete;

    [[nodiscard]] bool running() const noexcept;
    [[nodiscard]] std::uint16_t port() const noexcept;
    /// "127.0.0.1:PORT", as an image reference's registry.
    [[nodiscard]] std::string host() const;

    /// Adds a rule; its index for `applied` and `matched`. `pattern` must be a valid regex.
    std::size_t add_rule(std::string method, std::string pattern, ProxyFault fault, int times = 1);
    /// How many requests got the rule's fault.
    [[nodiscard]] std::size_t applied(std::size_t rule) const;
    /// How many requests matched the rule's method and pattern (with or without a fault left).
    [[nodiscard]] std::size_t matched(std::size_t rule) const;
    /// Every request so far, in the order they arrived.
    [[nodiscard]] std::vector<ProxiedRequest> requests() const;
    /// `requests()` as lines, for a test's failure message.
    [[nodiscard]] std::string describe() const;

    /// Stops accepting, closes every connection and joins the threads. The destructor calls it.
    void stop();

private:
    struct State;
    std::shared_ptr<State> m_state;
};

}  // namespace envsmith::test
