#include "fault_proxy.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstring>
#include <mutex>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <utility>

namespace envsmith::test {

ProxyFault ProxyFault::http_status(int status, std::string body) {
    ProxyFault fault;
    fault.kind = Kind::http_status;
    fault.status = status;
    fault.body = std::move(body);
    return fault;
}
ProxyFault ProxyFault::reset() { return ProxyFault{}; }
ProxyFault ProxyFault::delay(std::chrono::milliseconds wait) {
    ProxyFault fault;
    fault.kind = Kind::delay;
    fault.wait = wait;
    return fault;
}
ProxyFault ProxyFault::truncate() {
    ProxyFault fault;
    fault.kind = Kind::truncate;
    return fault;
}
ProxyFault ProxyFault::corrupt() {
    ProxyFault fault;
    fault.kind = Kind::corrupt;
    return fault;
}

namespace {

using Headers = std::vector<std::pair<std::string, std::string>>;

constexpr std::size_t max_head_bytes = 1U << 20;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

std::optional<std::string> header(const Headers& headers, std::string_view name) {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return std::nullopt;
}

bool has_token(const Headers& headers, std::string_view name, std::string_view token) {
    const auto value = header(headers, name);
    if (!value) return false;
    std::string lower;
    for (const char c : *value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower.find(token) != std::string::npos;
}

bool send_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const auto sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (sent <= 0) return false;
        bytes.remove_prefix(static_cast<std::size_t>(sent));
    }
    return true;
}

/// Buffered reads from one socket: lines, exact byte counts, or everything until EOF.
class Reader {
public:
    explicit Reader(int fd) : m_fd(fd) {}

    /// Everything up to and including the blank line that ends an HTTP head.
    bool read_head(std::string& head) {
        for (;;) {
            const auto end = m_buffer.find("\r\n\r\n", m_pos);
            if (end != std::string::npos) {
                head = m_buffer.substr(m_pos, end + 4 - m_pos);
                m_pos = end + 4;
                return true;
            }
            if (m_buffer.size() - m_pos > max_head_bytes || !fill()) return false;
        }
    }
    /// One CRLF-terminated line, without the CRLF.
    bool read_line(std::string& line) {
        for (;;) {
            const auto end = m_buffer.find("\r\n", m_pos);
            if (end != std::string::npos) {
                line = m_buffer.substr(m_pos, end - m_pos);
                m_pos = end + 2;
                return true;
            }
            if (m_buffer.size() - m_pos > max_head_bytes || !fill()) return false;
        }
    }
    /// Appends exactly `count` bytes to `out`.
    bool read_exact(std::size_t count, std::string& out) {
        const auto buffered = std::min(count, m_buffer.size() - m_pos);
        out.append(m_buffer, m_pos, buffered);
        m_pos += buffered;
        count -= buffered;
        while (count > 0) {
            if (!fill()) return false;
            const auto take = std::min(count, m_buffer.size() - m_pos);
            out.append(m_buffer, m_pos, take);
            m_pos += take;
            count -= take;
        }
        return true;
    }
    /// Appends everything until the peer closes.
    void read_to_eof(std::string& out) {
        out.append(m_buffer, m_pos, std::string::npos);
        m_pos = m_buffer.size();
        while (fill()) {
            out.append(m_buffer, m_pos, std::string::npos);
            m_pos = m_buffer.size();
        }
    }

private:
    bool fill() {
        if (m_pos == m_buffer.size()) {
            m_buffer.clear();
            m_pos = 0;
        }
        char chunk[64 * 1024];
        const auto got = ::recv(m_fd, chunk, sizeof chunk, 0);
        if (got <= 0) return false;
        m_buffer.append(chunk, static_cast<std::size_t>(got));
        return true;
    }

    int m_fd;
    std::string m_buffer;
    std::size_t m_pos = 0;
};

/// A chunked body (RFC 9112 section 7.1), decoded; trailers are read and dropped.
bool read_chunked(Reader& in, std::string& out) {
    for (;;) {
        std::string line;
        if (!in.read_line(line)) return false;
        std::size_t size = 0;
        try {
            size = std::stoul(line.substr(0, line.find(';')), nullptr, 16);
        } catch (const std::exception&) {
            return false;
        }
        if (size == 0) {
            do {
                if (!in.read_line(line)) return false;
            } while (!line.empty());
            return true;
        }
        if (!in.read_exact(size, out) || !in.read_line(line) || !line.empty()) return false;
    }
}

/// The first line and the headers of a head that `read_head` returned.
bool parse_head(const std::string& head, std::string& first_line, Headers& headers) {
    std::istringstream lines(head);
    std::string line;
    if (!std::getline(lines, line)) return false;
    first_line = std::string(trim(line));
    while (std::getline(lines, line)) {
        const auto text = trim(line);
        if (text.empty()) break;
        const auto colon = text.find(':');
        if (colon == std::string_view::npos) return false;
        headers.emplace_back(std::string(trim(text.substr(0, colon))), std::string(trim(text.substr(colon + 1))));
    }
    return true;
}

/// Reads a message body framed by `headers`: chunked, by Content-Length, or none.
bool read_body(Reader& in, const Headers& headers, std::string& body) {
    if (has_token(headers, "Transfer-Encoding", "chunked")) return read_chunked(in, body);
    if (const auto length = header(headers, "Content-Length")) {
        try {
            return in.read_exact(std::stoull(*length), body);
        } catch (const std::exception&) {
            return false;
        }
    }
    return true;
}

/// Hop-by-hop headers and framing the proxy sets itself.
bool dropped(std::string_view name) {
    for (const std::string_view own : {"Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding",
                                       "Content-Length", "Expect", "TE", "Upgrade"}) {
        if (iequals(name, own)) return true;
    }
    return false;
}

struct Request {
    std::string method;
    std::string target;
    Headers headers;
    std::string body;
    bool has_body = false;  // it came with a Content-Length or chunked
    bool close = false;     // the client asked to close after it
};

struct Response {
    std::string status_line;  // "HTTP/1.1 201 Created"
    int status = 0;
    Headers headers;
    std::string body;
};

int connect_loopback(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::string serialize_head(const std::string& first_line, const Headers& headers) {
    std::string out = first_line + "\r\n";
    for (const auto& [name, value] : headers) out += name + ": " + value + "\r\n";
    return out + "\r\n";
}

}  // namespace

struct FaultProxy::State {
    struct Rule {
        ProxyRule rule;
        std::regex regex;
        std::size_t applied = 0;
        std::size_t matched = 0;
    };

    std::uint16_t upstream_port = 0;
    std::uint16_t port = 0;
    int listen_fd = -1;
    int wake[2] = {-1, -1};
    std::atomic<bool> stopping{false};

    mutable std::mutex mutex;
    std::vector<Rule> rules;
    std::vector<ProxiedRequest> log;
    std::set<int> open_fds;  // client and upstream sockets, shut down by stop()
    std::vector<std::thread> workers;
    std::thread acceptor;

    void track(int fd) {
        const std::lock_guard lock(mutex);
        open_fds.insert(fd);
    }
    void close_fd(int fd) {
        {
            const std::lock_guard lock(mutex);
            open_fds.erase(fd);
        }
        ::close(fd);
    }
    void record(const Request& request, std::string outcome) {
        const std::lock_guard lock(mutex);
        log.push_back({request.method, request.target, std::move(outcome)});
    }

    /// The fault of the first matching rule with applications left; every matching rule counts
    /// the request as matched.
    std::optional<ProxyFault> choose(const Request& request) {
        const std::lock_guard lock(mutex);
        std::optional<ProxyFault> chosen;
        for (auto& rule : rules) {
            if (!rule.rule.method.empty() &&
                ("|" + rule.rule.method + "|").find("|" + request.method + "|") == std::string::npos) {
                continue;
            }
            if (!std::regex_search(request.target, rule.regex)) continue;
            ++rule.matched;
            if (!chosen && (rule.rule.times == ProxyRule::every ||
                            rule.applied < static_cast<std::size_t>(rule.rule.times))) {
                ++rule.applied;
                chosen = rule.rule.fault;
            }
        }
        return chosen;
    }

    void accept_loop(const std::shared_ptr<State>& self) {
        while (!stopping) {
            pollfd fds[2] = {{listen_fd, POLLIN, 0}, {wake[0], POLLIN, 0}};
            if (::poll(fds, 2, -1) < 0) continue;
            if (stopping || (fds[1].revents & POLLIN) != 0) break;
            const int client = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            track(client);
            const std::lock_guard lock(mutex);
            workers.emplace_back([self, client] { self->serve(client); });
        }
    }

    /// Reads one request from the client; false at EOF or on a malformed one.
    bool read_request(Reader& in, int client, Request& request) {
        std::string head;
        std::string first_line;
        if (!in.read_head(head) || !parse_head(head, first_line, request.headers)) return false;
        const auto space = first_line.find(' ');
        const auto last = first_line.rfind(' ');
        if (space == std::string::npos || last == space) return false;
        request.method = first_line.substr(0, space);
        request.target = first_line.substr(space + 1, last - space - 1);
        request.close = has_token(request.headers, "Connection", "close");
        request.has_body = header(request.headers, "Content-Length").has_value() ||
                           has_token(request.headers, "Transfer-Encoding", "chunked");
        // libcurl waits up to a second for this before it sends a large body.
        if (request.has_body && has_token(request.headers, "Expect", "100-continue") &&
            !send_all(client, "HTTP/1.1 100 Continue\r\n\r\n")) {
            return false;
        }
        return read_body(in, request.headers, request.body);
    }

    /// Sends `request` upstream on a new connection (`Connection: close`) and reads the whole
    /// answer; false when the upstream cannot be reached or answers nonsense.
    bool forward(const Request& request, Response& response) {
        const int upstream = connect_loopback(upstream_port);
        if (upstream < 0) return false;
        track(upstream);
        Headers headers;
        for (const auto& [name, value] : request.headers) {
            if (!dropped(name)) headers.emplace_back(name, value);
        }
        if (request.has_body) headers.emplace_back("Content-Length", std::to_string(request.body.size()));
        headers.emplace_back("Connection", "close");
        bool ok = send_all(upstream, serialize_head(request.method + " " + request.target + " HTTP/1.1", headers)) &&
                  send_all(upstream, request.body);
        Reader in(upstream);
        while (ok) {
            std::string head;
            response = Response{};
            ok = in.read_head(head) && parse_head(head, response.status_line, response.headers);
            if (!ok) break;
            const auto space = response.status_line.find(' ');
            try {
                response.status = std::stoi(response.status_line.substr(space + 1, 3));
            } catch (const std::exception&) {
                ok = false;
                break;
            }
            if (response.status >= 100 && response.status < 200) continue;  // interim answers
            if (request.method == "HEAD" || response.status == 204 || response.status == 304) break;
            if (has_token(response.headers, "Transfer-Encoding", "chunked") ||
                header(response.headers, "Content-Length")) {
                ok = read_body(in, response.headers, response.body);
            } else {
                in.read_to_eof(response.body);
            }
            break;
        }
        close_fd(upstream);
        return ok;
    }

    /// The answer as the client gets it: framed by Content-Length (a HEAD keeps the upstream's).
    static std::string client_head(const Request& request, const Response& response, std::size_t length) {
        Headers headers;
        for (const auto& [name, value] : response.headers) {
            if (!dropped(name) || (request.method == "HEAD" && iequals(name, "Content-Length"))) {
                headers.emplace_back(name, value);
            }
        }
        if (request.method != "HEAD") headers.emplace_back("Content-Length", std::to_string(length));
        if (request.close) headers.emplace_back("Connection", "close");
        return serialize_head(response.status_line, headers);
    }

    void pause(std::chrono::milliseconds wait) const {
        const auto until = std::chrono::steady_clock::now() + wait;
        while (!stopping && std::chrono::steady_clock::now() < until) {
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
    }

    /// One client connection: requests one after another (keep-alive) until it closes.
    void serve(int client) {
        Reader in(client);
        while (!stopping) {
            Request request;
            if (!read_request(in, client, request)) break;
            const auto fault = choose(request);
            if (fault && fault->kind == ProxyFault::Kind::reset) {
                // SO_LINGER 0: close() sends a RST, not a FIN ("connection reset by peer").
                const linger abort_close{1, 0};
                ::setsockopt(client, SOL_SOCKET, SO_LINGER, &abort_close, sizeof abort_close);
                record(request, "reset");
                break;
            }
            if (fault && fault->kind == ProxyFault::Kind::http_status) {
                Response injected;
                injected.status_line = "HTTP/1.1 " + std::to_string(fault->status) + " Injected";
                injected.headers.emplace_back("Content-Type", "application/json");
                record(request, "injected " + std::to_string(fault->status));
                if (!send_all(client, client_head(request, injected, fault->body.size()) +
                                          (request.method == "HEAD" ? std::string() : fault->body))) {
                    break;
                }
                if (request.close) break;
                continue;
            }
            std::string prefix;
            if (fault && fault->kind == ProxyFault::Kind::delay) {
                pause(fault->wait);
                prefix = "delayed " + std::to_string(fault->wait.count()) + " ms, ";
            }
            Response response;
            if (!forward(request, response)) {
                response = Response{};
                response.status_line = "HTTP/1.1 502 Bad Gateway";
                response.status = 502;
                record(request, prefix + "upstream failed, 502");
            } else if (fault && fault->kind == ProxyFault::Kind::truncate) {
                // The full length is announced, half of the body is sent, then the end.
                record(request, "truncated " + std::to_string(response.status));
                (void)send_all(client, client_head(request, response, response.body.size()) +
                                           response.body.substr(0, response.body.size() / 2));
                break;
            } else if (fault && fault->kind == ProxyFault::Kind::corrupt && !response.body.empty()) {
                // The same length, one byte in the middle flipped: only a digest check sees it.
                auto& byte = response.body[response.body.size() / 2];
                byte = static_cast<char>(~byte);
                record(request, "corrupted " + std::to_string(response.status));
            } else {
                record(request, prefix + std::to_string(response.status));
            }
            if (!send_all(client, client_head(request, response, response.body.size()) + response.body) ||
                request.close) {
                break;
            }
        }
        close_fd(client);
    }
};

FaultProxy::FaultProxy(std::uint16_t upstream_port) : m_state(std::make_shared<State>()) {
    auto& state = *m_state;
    state.upstream_port = upstream_port;
    if (::pipe2(state.wake, O_CLOEXEC) != 0) return;
    state.listen_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (state.listen_fd < 0) return;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;  // the kernel picks a free port
    socklen_t length = sizeof address;
    if (::bind(state.listen_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
        ::listen(state.listen_fd, 64) != 0 ||
        ::getsockname(state.listen_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        ::close(state.listen_fd);
        state.listen_fd = -1;
        return;
    }
    state.port = ntohs(address.sin_port);
    state.acceptor = std::thread([self = m_state] { self->accept_loop(self); });
}

FaultProxy::~FaultProxy() { stop(); }

bool FaultProxy::running() const noexcept { return m_state->port != 0 && !m_state->stopping; }
std::uint16_t FaultProxy::port() const noexcept { return m_state->port; }
std::string FaultProxy::host() const { return "127.0.0.1:" + std::to_string(m_state->port); }

std::size_t FaultProxy::add_rule(std::string method, std::string pattern, ProxyFault fault, int times) {
    const std::lock_guard lock(m_state->mutex);
    std::regex regex(pattern);  // throws std::regex_error on a bad pattern: a test bug
    m_state->rules.push_back({ProxyRule{std::move(method), std::move(pattern), std::move(fault), times},
                              std::move(regex)});
    return m_state->rules.size() - 1;
}

std::size_t FaultProxy::applied(std::size_t rule) const {
    const std::lock_guard lock(m_state->mutex);
    return rule < m_state->rules.size() ? m_state->rules[rule].applied : 0;
}

std::size_t FaultProxy::matched(std::size_t rule) const {
    const std::lock_guard lock(m_state->mutex);
    return rule < m_state->rules.size() ? m_state->rules[rule].matched : 0;
}

std::vector<ProxiedRequest> FaultProxy::requests() const {
    const std::lock_guard lock(m_state->mutex);
    return m_state->log;
}

std::string FaultProxy::describe() const {
    std::string out;
    for (const auto& request : requests()) {
        out += request.method + " " + request.target + " -> " + request.outcome + "\n";
    }
    return out;
}

void FaultProxy::stop() {
    auto& state = *m_state;
    if (state.stopping.exchange(true)) return;
    if (state.wake[1] >= 0) {
        (void)::write(state.wake[1], "x", 1);
    }
    if (state.acceptor.joinable()) state.acceptor.join();
    std::vector<std::thread> workers;
    {
        const std::lock_guard lock(state.mutex);
        for (const int fd : state.open_fds) ::shutdown(fd, SHUT_RDWR);  // wakes blocked reads
        workers.swap(state.workers);
    }
    for (auto& worker : workers) worker.join();
    if (state.listen_fd >= 0) ::close(state.listen_fd);
    for (const int fd : state.wake) {
        if (fd >= 0) ::close(fd);
    }
    state.listen_fd = -1;
    state.wake[0] = state.wake[1] = -1;
}

}  // namespace envsmith::test
