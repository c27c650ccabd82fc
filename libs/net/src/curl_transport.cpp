#include "envsmith/net/curl_transport.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <mutex>
#include <random>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>

#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/net/retry.hpp"

namespace envsmith::net {
namespace {

// libcurl wants one curl_global_init before any handle; it is never undone because other
// code in the process may still use libcurl at exit.
void init_curl_once() {
    static std::once_flag once;
    std::call_once(once, [] {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            throw std::runtime_error("curl_global_init failed");
        }
    });
}

struct EasyDeleter {
    void operator()(CURL* easy) const noexcept { curl_easy_cleanup(easy); }
};
struct SlistDeleter {
    void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
struct MultiDeleter {
    void operator()(CURLM* multi) const noexcept { curl_multi_cleanup(multi); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

/// What one transfer collects through libcurl's callbacks.
struct Transfer {
    core::HttpResponse response;
    core::Reporter* reporter = nullptr;
    std::string display_url;  // redacted
    curl_off_t reported_bytes = -1;
    // Streaming (`send_streaming`): the body goes to the sink, announced once per attempt.
    core::BodySink* sink = nullptr;
    CURL* easy = nullptr;
    bool file_url = false;
    bool announced = false;
    bool aborted = false;  // the sink returned false
    // A body read from a file (`HttpRequest::body_file`): `upload_length` bytes from
    // `upload_offset` of `upload_fd`; `upload_sent` of them are sent so far.
    int upload_fd = -1;
    std::uint64_t upload_offset = 0;
    std::uint64_t upload_length = 0;
    std::uint64_t upload_sent = 0;
    std::string upload_error;  // why the file could not be read; empty: it could
};

/// libcurl's read callback for a file body: the next bytes of the range, read with pread so
/// that a rewind (the seek callback) is only a change of `upload_sent`.
std::size_t on_upload_read(char* buffer, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    if (transfer->upload_fd < 0) {
        return CURL_READFUNC_ABORT;  // open failed; upload_error says why
    }
    const auto left = transfer->upload_length - transfer->upload_sent;
    const auto wanted = std::min<std::uint64_t>(left, static_cast<std::uint64_t>(size) * count);
    std::uint64_t done = 0;
    while (done < wanted) {
        const auto got = ::pread(transfer->upload_fd, buffer + done, wanted - done,
                                 static_cast<off_t>(transfer->upload_offset +
                                                    transfer->upload_sent + done));
        if (got < 0 && errno == EINTR) {
            continue;
        }
        if (got <= 0) {
            transfer->upload_error = got < 0 ? std::strerror(errno) : "the file is shorter than the body";
            return CURL_READFUNC_ABORT;
        }
        done += static_cast<std::uint64_t>(got);
    }
    transfer->upload_sent += done;
    return static_cast<std::size_t>(done);
}

/// libcurl's seek callback: it rewinds a file body to send it again (a redirect, a request
/// repeated on a new connection, an auth round).
int on_upload_seek(void* user, curl_off_t offset, int origin) {
    auto* transfer = static_cast<Transfer*>(user);
    if (origin != SEEK_SET || offset < 0 ||
        static_cast<std::uint64_t>(offset) > transfer->upload_length) {
        return CURL_SEEKFUNC_CANTSEEK;
    }
    transfer->upload_sent = static_cast<std::uint64_t>(offset);
    return CURL_SEEKFUNC_OK;
}

/// Announces the response to the sink once: the status libcurl has so far is the final one
/// (redirect bodies never reach the write callback). A `file://` transfer has no status.
bool announce(Transfer& transfer) {
    if (transfer.announced) {
        return true;
    }
    transfer.announced = true;
    long status = 0;
    curl_easy_getinfo(transfer.easy, CURLINFO_RESPONSE_CODE, &status);
    if (transfer.file_url || status == 0) {
        status = 200;
    }
    if (!transfer.sink->on_response(static_cast<int>(status), transfer.response.headers)) {
        transfer.aborted = true;
        return false;
    }
    return true;
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    if (transfer->sink != nullptr) {
        if (!announce(*transfer) ||
            !transfer->sink->on_body(std::string_view(data, size * count))) {
            transfer->aborted = true;
            return 0;  // CURLE_WRITE_ERROR
        }
        return size * count;
    }
    auto& body = transfer->response.body;
    if (body.empty() && transfer->easy != nullptr) {
        // A body whose length the server announced is reserved whole, with a little spare
        // room (which lets a repodata.json be parsed in place, see Repodata::json_padding),
        // instead of growing by doubling and copying it each time. An absurd length is not
        // trusted; the string then grows as before.
        constexpr curl_off_t max_reserved = curl_off_t{1} << 30;
        constexpr std::size_t spare = 64;
        curl_off_t length = -1;
        if (curl_easy_getinfo(transfer->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) ==
                CURLE_OK &&
            length > 0 && length <= max_reserved) {
            body.reserve(static_cast<std::size_t>(length) + spare);
        }
    }
    body.append(data, size * count);
    return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
    auto* transfer = static_cast<Transfer*>(user);
    const std::string_view line = core::trim(std::string_view(data, size * count));
    if (line.starts_with("HTTP/")) {
        // A new response (after a redirect or a 100 Continue): only the last one counts.
        transfer->response.headers.clear();
        transfer->announced = false;
    } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
        transfer->response.headers.emplace_back(std::string(core::trim(line.substr(0, colon))),
                                                std::string(core::trim(line.substr(colon + 1))));
    }
    return size * count;
}

int on_progress(void* user, curl_off_t download_total, curl_off_t download_now,
                curl_off_t /*up_total*/, curl_off_t /*up_now*/) {
    auto* transfer = static_cast<Transfer*>(user);
    if (download_now != transfer->reported_bytes && download_now > 0) {
        transfer->reported_bytes = download_now;
        transfer->reporter->on_download_progress(
            transfer->display_url, static_cast<std::uint64_t>(download_now),
            static_cast<std::uint64_t>(std::max<curl_off_t>(download_total, 0)));
    }
    return 0;
}

bool is_file_url(std::string_view url) {
    return url.size() >= 5 && core::iequals(url.substr(0, 5), "file:");
}

/// The catalogue id and code of a failed transfer, and whether another attempt may help.
struct Failure {
    core::ErrorCode code = core::ErrorCode::unavailable;
    std::string_view message_id;
    std::string_view what;  // English, completes "GET <url>: ..."
    bool transient = false;
};

bool is_tls_error(CURLcode code) {
    switch (code) {
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CLIENTCERT:
        case CURLE_USE_SSL_FAILED: return true;
        default: return false;
    }
}

Failure classify(CURLcode code, long os_errno, long connect_code, bool through_proxy) {
    using core::ErrorCode;
    if (connect_code != 0 && connect_code != 200) {
        // The proxy answered the CONNECT with something other than 200 (407, 403, 502, ...).
        return {ErrorCode::unavailable, "network.proxy", "the proxy refused the tunnel", false};
    }
    if (is_tls_error(code)) {
        return {ErrorCode::unavailable, "network.tls",
                "the TLS handshake or certificate check failed", false};
    }
    switch (code) {
        case CURLE_COULDNT_RESOLVE_HOST:
            return {ErrorCode::unavailable, "network.dns", "the host name did not resolve", true};
        case CURLE_COULDNT_RESOLVE_PROXY:
            // A proxy host that does not resolve is a proxy setting to fix, not the server's DNS.
            return {ErrorCode::unavailable, "network.proxy", "the proxy host name did not resolve",
                    true};
        case CURLE_PROXY:
            return {ErrorCode::unavailable, "network.proxy", "the proxy failed", false};
        case CURLE_COULDNT_CONNECT:
            if (through_proxy) {
                // libcurl connects to the proxy first; the server is not reached at all.
                return {ErrorCode::unavailable, "network.proxy", "cannot connect to the proxy",
                        true};
            }
            if (os_errno == ETIMEDOUT) {
                return {ErrorCode::unavailable, "network.timeout", "the connection timed out",
                        true};
            }
            return {ErrorCode::unavailable, "network.connection_refused",
                    "the connection was refused", true};
        case CURLE_OPERATION_TIMEDOUT:
            return {ErrorCode::unavailable, "network.timeout", "the transfer timed out", true};
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
            return {ErrorCode::unavailable, "network.timeout",
                    "the connection was reset or closed mid-transfer", true};
        case CURLE_URL_MALFORMAT:
        case CURLE_UNSUPPORTED_PROTOCOL:
            return {ErrorCode::invalid_input, "net.url.invalid",
                    "the URL is malformed or unsupported", false};
        case CURLE_TOO_MANY_REDIRECTS:
            return {ErrorCode::unavailable, "net.redirects", "too many redirects", false};
        default:
            return {ErrorCode::unavailable, "net.transfer.failed", "the transfer failed", false};
    }
}

/// The libcurl state of one attempt. Callbacks point into it, so it lives on the heap and
/// never moves.
struct Handle {
    Easy easy;
    Slist headers;
    Transfer transfer;
    char error_buffer[CURL_ERROR_SIZE] = {};

    Handle() = default;
    Handle(const Handle&) = delete;
    Handle& operator=(const Handle&) = delete;
    ~Handle() {
        if (transfer.upload_fd >= 0) {
            ::close(transfer.upload_fd);
        }
    }
};

/// The outcome of one attempt: a response, or a libcurl failure.
struct Attempt {
    std::optional<core::HttpResponse> response;
    Failure failure;
    std::string detail;  // libcurl's error text, scrubbed
    std::string proxy;   // the proxy in use, redacted; empty for a direct connection
};

std::string environment(const char* name) {
    const char* value = std::getenv(name);  // NOLINT(concurrency-mt-unsafe): read-only use
    return value != nullptr ? value : "";
}

/// The proxy libcurl will use for `url`: `configured` when set, else the environment
/// variables libcurl reads (lower-case `http_proxy` only, for CGI safety), unless `no_proxy`
/// lists the host. Empty: a direct connection.
std::string proxy_for(std::string_view url, const std::optional<std::string>& configured) {
    const auto scheme = core::to_lower(url.substr(0, url.find(':')));
    if (scheme == "file") {
        return {};
    }
    std::string proxy;
    if (configured) {
        proxy = *configured;
    } else {
        proxy = scheme == "https" ? environment("https_proxy") : environment("http_proxy");
        if (proxy.empty() && scheme == "https") {
            proxy = environment("HTTPS_PROXY");
        }
        for (const char* name : {"all_proxy", "ALL_PROXY"}) {
            if (proxy.empty()) {
                proxy = environment(name);
            }
        }
    }
    if (proxy.empty()) {
        return {};
    }
    auto no_proxy = environment("no_proxy");
    if (no_proxy.empty()) {
        no_proxy = environment("NO_PROXY");
    }
    const auto host = core::url_host(url);
    for (auto entry : core::split(no_proxy, ',')) {
        entry = core::trim(entry);
        while (entry.starts_with('.')) {
            entry.remove_prefix(1);
        }
        if (entry == "*") {
            return {};
        }
        const auto name = core::to_lower(entry);
        if (!name.empty() && (host == name || host.ends_with("." + name))) {
            return {};
        }
    }
    return proxy;
}

void check(CURLcode code) {
    // Setting an option only fails on out-of-memory or a libcurl built without a feature we
    // rely on: a bug in the build, not a runtime condition.
    if (code != CURLE_OK) {
        throw std::runtime_error(fmt::format("curl_easy_setopt: {}", curl_easy_strerror(code)));
    }
}

template <typename T>
void set(CURL* easy, CURLoption option, T value) {
    check(curl_easy_setopt(easy, option, value));
}

}  // namespace

struct CurlTransport::State {
    TransportOptions options;
    core::Reporter& reporter;
    std::mutex backoff_mutex;
    Backoff backoff;
    std::vector<std::string> secrets;  // every credential secret, for scrubbing texts

    State(TransportOptions opts, core::Reporter& rep)
        : options(std::move(opts)),
          reporter(rep),
          backoff(std::chrono::milliseconds{options.backoff_base_ms},
                  std::chrono::milliseconds{options.backoff_max_ms},
                  options.jitter_seed ? *options.jitter_seed : std::random_device{}()) {
        for (const auto& credential : options.credentials) {
            secrets.push_back(credential.secret);
            if (credential.scheme == AuthScheme::basic) {
                secrets.push_back(
                    core::base64_encode(credential.username + ":" + credential.secret));
            }
        }
    }

    std::chrono::milliseconds next_backoff(std::uint32_t retry) {
        const std::lock_guard lock(backoff_mutex);
        return backoff.delay(retry);
    }

    void sleep(std::chrono::milliseconds duration) const {
        if (options.sleep) {
            options.sleep(duration);
        } else {
            std::this_thread::sleep_for(duration);
        }
    }

    std::chrono::system_clock::time_point now() const {
        return options.now ? options.now() : std::chrono::system_clock::now();
    }

    const Credential* credential_for(std::string_view url) const {
        const auto host = core::url_host(url);
        for (const auto& credential : options.credentials) {
            if (!host.empty() && core::iequals(credential.host, host)) {
                return &credential;
            }
        }
        return nullptr;
    }

    /// Secrets of this request: the credentials', and the userinfo of the URL and its proxy.
    std::vector<std::string> secrets_of(std::string_view request_url) const {
        auto all = secrets;
        add_userinfo(request_url, all);
        add_userinfo(proxy_for(request_url, options.proxy), all);
        // Longest first, so that a secret containing another is replaced whole.
        std::sort(all.begin(), all.end(),
                  [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
        return all;
    }

    static void add_userinfo(std::string_view url, std::vector<std::string>& all) {
        const auto scheme_end = url.find("://");
        if (scheme_end != std::string_view::npos) {
            const auto rest = url.substr(scheme_end + 3);
            const auto authority = rest.substr(0, rest.find_first_of("/?#"));
            const auto at = authority.rfind('@');
            if (at != std::string_view::npos) {
                const auto userinfo = authority.substr(0, at);
                all.emplace_back(userinfo);
                const auto colon = userinfo.find(':');
                if (colon != std::string_view::npos) {
                    all.emplace_back(userinfo.substr(colon + 1));
                }
            }
        }
    }

    /// A configured easy handle for one attempt at `request`, which must outlive it.
    std::unique_ptr<Handle> prepare(const core::HttpRequest& request,
                                    const std::string& display_url,
                                    core::BodySink* sink = nullptr) const;
    /// What a finished attempt gave.
    Attempt finish(Handle& handle, CURLcode code, const core::HttpRequest& request) const;

    /// After attempt number `retry` (0 for the first): the final result, or how long to
    /// wait before the next attempt (reported as a `net.retry` warning).
    struct Decision {
        std::optional<core::Result<core::HttpResponse>> result;
        std::chrono::milliseconds wait{0};
    };
    Decision decide(const core::HttpRequest& request, const std::string& display_url,
                    Attempt attempt, std::uint32_t retry);
};

std::unique_ptr<Handle> CurlTransport::State::prepare(const core::HttpRequest& request,
                                                      const std::string& display_url,
                                                      core::BodySink* sink) const {
    auto prepared = std::make_unique<Handle>();
    prepared->easy.reset(curl_easy_init());
    if (!prepared->easy) {
        throw std::runtime_error("curl_easy_init failed");
    }
    CURL* handle = prepared->easy.get();
    auto& transfer = prepared->transfer;
    transfer.reporter = &reporter;
    transfer.display_url = display_url;
    transfer.sink = sink;
    transfer.easy = handle;
    transfer.file_url = is_file_url(request.url);
    auto& error_buffer = prepared->error_buffer;

    set(handle, CURLOPT_URL, request.url.c_str());
    set(handle, CURLOPT_PROTOCOLS_STR, "http,https,file");
    set(handle, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    set(handle, CURLOPT_FOLLOWLOCATION, 1L);
    set(handle, CURLOPT_MAXREDIRS, 10L);
    set(handle, CURLOPT_NOSIGNAL, 1L);
    set(handle, CURLOPT_ERRORBUFFER, error_buffer);
    set(handle, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout_ms));
    set(handle, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout_ms));
    set(handle, CURLOPT_LOW_SPEED_LIMIT, static_cast<long>(options.low_speed_limit_bytes_per_s));
    set(handle, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time_s));
    set(handle, CURLOPT_USERAGENT, options.user_agent.c_str());
    if (!options.ca_bundle.empty()) {
        set(handle, CURLOPT_CAINFO, options.ca_bundle.c_str());
    }
    if (!options.netrc_file.empty()) {
        set(handle, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_OPTIONAL));
        set(handle, CURLOPT_NETRC_FILE, options.netrc_file.c_str());
    }
    if (options.proxy) {
        set(handle, CURLOPT_PROXY, options.proxy->c_str());
    }
    set(handle, CURLOPT_WRITEFUNCTION, &on_body);
    set(handle, CURLOPT_WRITEDATA, &transfer);
    set(handle, CURLOPT_HEADERFUNCTION, &on_header);
    set(handle, CURLOPT_HEADERDATA, &transfer);
    set(handle, CURLOPT_XFERINFOFUNCTION, &on_progress);
    set(handle, CURLOPT_XFERINFODATA, &transfer);
    // A streamed body's progress is reported by the sink's owner, who knows the whole size.
    set(handle, CURLOPT_NOPROGRESS, sink != nullptr ? 1L : 0L);

    if (request.method == "HEAD") {
        set(handle, CURLOPT_NOBODY, 1L);
    } else if (request.method != "GET") {
        set(handle, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    }
    if (request.body_file) {
        // Streamed from the file: each attempt opens it again and reads the range from its
        // start, so a retry sends the same bytes.
        const auto& file = *request.body_file;
        transfer.upload_offset = file.offset;
        transfer.upload_length = file.length;
        transfer.upload_fd = ::open(file.path.c_str(), O_RDONLY | O_CLOEXEC);
        if (transfer.upload_fd < 0) {
            transfer.upload_error = std::strerror(errno);
        }
        set(handle, CURLOPT_READFUNCTION, &on_upload_read);
        set(handle, CURLOPT_READDATA, &transfer);
        set(handle, CURLOPT_SEEKFUNCTION, &on_upload_seek);
        set(handle, CURLOPT_SEEKDATA, &transfer);
        if (request.method == "POST") {
            set(handle, CURLOPT_POST, 1L);
            set(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(file.length));
        } else {
            // CURLOPT_UPLOAD makes a PUT; CURLOPT_CUSTOMREQUEST above names PATCH and others.
            set(handle, CURLOPT_UPLOAD, 1L);
            set(handle, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(file.length));
        }
    } else if (!request.body.empty() || request.method == "POST" || request.method == "PUT") {
        set(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
        set(handle, CURLOPT_POSTFIELDS, request.body.data());
    }

    auto& headers = prepared->headers;
    auto add_header = [&headers](const std::string& line) {
        auto* appended = curl_slist_append(headers.get(), line.c_str());
        if (appended == nullptr) {
            throw std::runtime_error("curl_slist_append failed");
        }
        (void)headers.release();  // the same list, now one longer
        headers.reset(appended);
    };
    bool has_authorization = false;
    for (const auto& [name, value] : request.headers) {
        has_authorization = has_authorization || core::iequals(name, "Authorization");
        add_header(name + ": " + value);
    }
    if (const auto* credential = credential_for(request.url); credential && !has_authorization) {
        if (credential->scheme == AuthScheme::bearer) {
            add_header("Authorization: Bearer " + credential->secret);
        } else {
            add_header("Authorization: Basic " +
                       core::base64_encode(credential->username + ":" + credential->secret));
        }
    }
    if (!request.body.empty() || request.body_file) {
        add_header("Expect:");  // no 100-continue round trip
    }
    if (headers) {
        set(handle, CURLOPT_HTTPHEADER, headers.get());
    }
    return prepared;
}

Attempt CurlTransport::State::finish(Handle& prepared, CURLcode code,
                                     const core::HttpRequest& request) const {
    CURL* handle = prepared.easy.get();
    auto& transfer = prepared.transfer;
    const auto& error_buffer = prepared.error_buffer;
    Attempt attempt;
    if (code == CURLE_OK && transfer.sink != nullptr && !announce(transfer)) {
        code = CURLE_WRITE_ERROR;  // an empty body the sink refused
    }
    if (code == CURLE_OK) {
        long status = 0;
        curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &status);
        char* effective = nullptr;
        curl_easy_getinfo(handle, CURLINFO_EFFECTIVE_URL, &effective);
        transfer.response.status = is_file_url(request.url) ? 200 : static_cast<int>(status);
        transfer.response.effective_url = effective != nullptr ? effective : request.url;
        attempt.response = std::move(transfer.response);
        return attempt;
    }
    if (code == CURLE_FILE_COULDNT_READ_FILE && is_file_url(request.url)) {
        // A file:// URL behaves like an HTTP one: a missing file is a 404 value.
        core::HttpResponse missing;
        missing.status = 404;
        missing.effective_url = request.url;
        attempt.response = std::move(missing);
        return attempt;
    }
    long os_errno = 0;
    curl_easy_getinfo(handle, CURLINFO_OS_ERRNO, &os_errno);
    long connect_code = 0;
    curl_easy_getinfo(handle, CURLINFO_HTTP_CONNECTCODE, &connect_code);
    const auto proxy = proxy_for(request.url, options.proxy);
    attempt.failure = classify(code, os_errno, connect_code, !proxy.empty());
    if (code == CURLE_WRITE_ERROR && transfer.aborted) {
        attempt.failure = {core::ErrorCode::cancelled, "net.transfer.aborted",
                           "the receiver stopped the transfer", false};
    }
    if (!transfer.upload_error.empty()) {
        // The request body's file could not be read: another attempt reads it again.
        attempt.failure = {core::ErrorCode::unavailable, "net.transfer.failed",
                           "the transfer failed", false};
        attempt.detail = core::scrub(
            fmt::format("reading `{}`: {}", request.body_file->path, transfer.upload_error),
            secrets_of(request.url));
        return attempt;
    }
    if (!proxy.empty()) {
        attempt.proxy = core::redact_url(proxy);
    }
    const std::string detail = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(code);
    // libcurl's texts name hosts, seldom URLs; should one show the URL, it shows redacted.
    std::string shown = detail;
    const auto redacted = core::redact_url(request.url);
    if (!request.url.empty()) {
        for (auto at = shown.find(request.url); at != std::string::npos;
             at = shown.find(request.url, at + redacted.size())) {
            shown.replace(at, request.url.size(), redacted);
        }
    }
    attempt.detail = core::scrub(shown, secrets_of(request.url));
    return attempt;
}

CurlTransport::CurlTransport(TransportOptions options, core::Reporter& reporter)
    : m_state(std::make_unique<State>(std::move(options), reporter)) {
    init_curl_once();
}

CurlTransport::~CurlTransport() = default;

CurlTransport::State::Decision CurlTransport::State::decide(const core::HttpRequest& request,
                                                            const std::string& display_url,
                                                            Attempt attempt, std::uint32_t retry) {
    const auto max_retries = options.max_retries;
    std::string reason;
    std::chrono::milliseconds wait{0};
    if (attempt.response) {
        const auto status = attempt.response->status;
        if (!is_transient_status(status) || retry >= max_retries) {
            return {std::move(*attempt.response), {}};
        }
        reason = fmt::format("HTTP {}", status);
        const auto retry_after = attempt.response->header("Retry-After");
        if (const auto asked = parse_retry_after(retry_after, now())) {
            if (*asked > std::chrono::milliseconds{options.max_retry_after_ms}) {
                return {std::move(*attempt.response),
                        {}};  // not worth the wait: the caller decides
            }
            wait = *asked;
        } else {
            wait = next_backoff(retry);
        }
    } else {
        const auto& failure = attempt.failure;
        if (!failure.transient || retry >= max_retries) {
            const auto attempts = retry + 1;
            // The optional English tail, kept whole as `suffix` for the catalog templates.
            std::string suffix;
            if (!attempt.proxy.empty()) {
                suffix += fmt::format(" through proxy {}", attempt.proxy);
            }
            if (attempts > 1) {
                suffix += fmt::format(", after {} attempts", attempts);
            }
            auto message = fmt::format("{} {}: {} ({})", request.method, display_url, failure.what,
                                       attempt.detail) +
                           suffix;
            auto error =
                core::make_error(failure.code, std::string(failure.message_id), std::move(message))
                    .arg("host", core::url_host(display_url))
                    .arg("url", display_url)
                    .arg("attempts", std::to_string(attempts))
                    .arg("detail", attempt.detail)
                    .arg("method", request.method)
                    .arg("what", std::string(failure.what))
                    .arg("suffix", suffix);
            if (!attempt.proxy.empty()) {
                error.args.push_back({"proxy", attempt.proxy});
            }
            return {std::move(error), {}};
        }
        reason = attempt.detail;
        wait = next_backoff(retry);
    }
    reporter.on_warning("net.retry",
                        fmt::format("{} {} failed ({}); retry {} of {} in {} ms", request.method,
                                    display_url, reason, retry + 1, max_retries, wait.count()),
                        {{"url", display_url},
                         {"method", request.method},
                         {"reason", reason},
                         {"retry", std::to_string(retry + 1)},
                         {"max_retries", std::to_string(max_retries)},
                         {"delay_ms", std::to_string(wait.count())}});
    return {std::nullopt, wait};
}

core::Result<core::HttpResponse> CurlTransport::send(const core::HttpRequest& request) {
    auto& state = *m_state;
    const auto display_url = core::redact_url(request.url);
    for (std::uint32_t retry = 0;; ++retry) {
        auto handle = state.prepare(request, display_url);
        const auto code = curl_easy_perform(handle->easy.get());
        auto decision =
            state.decide(request, display_url, state.finish(*handle, code, request), retry);
        if (decision.result) {
            return std::move(*decision.result);
        }
        state.sleep(decision.wait);
    }
}

core::Result<core::HttpResponse> CurlTransport::send_streaming(const core::HttpRequest& request,
                                                               core::BodySink& sink) {
    auto& state = *m_state;
    const auto display_url = core::redact_url(request.url);
    for (std::uint32_t retry = 0;; ++retry) {
        auto handle = state.prepare(request, display_url, &sink);
        const auto code = curl_easy_perform(handle->easy.get());
        auto decision =
            state.decide(request, display_url, state.finish(*handle, code, request), retry);
        if (decision.result) {
            return std::move(*decision.result);
        }
        state.sleep(decision.wait);
    }
}

std::vector<core::Result<core::HttpResponse>> CurlTransport::send_all(
    const std::vector<core::HttpRequest>& requests) {
    auto& state = *m_state;
    struct Job {
        std::size_t index = 0;
        std::uint32_t retry = 0;
        std::string display_url;
        std::unique_ptr<Handle> handle;
        std::chrono::milliseconds remaining{0};  // before its next attempt may start
    };
    std::vector<Job> jobs(requests.size());
    std::deque<std::size_t> fresh;     // not started yet, in order
    std::vector<std::size_t> waiting;  // between attempts
    for (std::size_t i = 0; i < requests.size(); ++i) {
        jobs[i].index = i;
        jobs[i].display_url = core::redact_url(requests[i].url);
        fresh.push_back(i);
    }
    std::vector<std::optional<core::Result<core::HttpResponse>>> results(requests.size());

    const std::unique_ptr<CURLM, MultiDeleter> multi(curl_multi_init());
    if (!multi) {
        throw std::runtime_error("curl_multi_init failed");
    }
    const std::size_t cap = std::max<std::uint32_t>(state.options.max_parallel, 1);
    std::size_t running = 0;
    std::size_t done = 0;
    auto start = [&](std::size_t index) {
        auto& job = jobs[index];
        job.handle = state.prepare(requests[index], job.display_url);
        set(job.handle->easy.get(), CURLOPT_PRIVATE, static_cast<void*>(&job));
        if (curl_multi_add_handle(multi.get(), job.handle->easy.get()) != CURLM_OK) {
            throw std::runtime_error("curl_multi_add_handle failed");
        }
        ++running;
    };
    // Waits between attempts run in transfer time while others transfer, and through the
    // sleep hook when nothing else does, so a fake sleep in tests never blocks.
    auto age_waiting = [&](std::chrono::milliseconds elapsed) {
        for (const auto index : waiting) {
            jobs[index].remaining -= std::min(elapsed, jobs[index].remaining);
        }
    };

    while (done < requests.size()) {
        for (auto it = waiting.begin(); it != waiting.end() && running < cap;) {
            if (jobs[*it].remaining.count() <= 0) {
                start(*it);
                it = waiting.erase(it);
            } else {
                ++it;
            }
        }
        while (running < cap && !fresh.empty()) {
            start(fresh.front());
            fresh.pop_front();
        }
        if (running == 0) {
            // Only retries remain, all waiting.
            auto shortest = jobs[waiting.front()].remaining;
            for (const auto index : waiting) {
                shortest = std::min(shortest, jobs[index].remaining);
            }
            state.sleep(shortest);
            age_waiting(shortest);
            continue;
        }
        const auto before = std::chrono::steady_clock::now();
        int still_running = 0;
        curl_multi_perform(multi.get(), &still_running);
        int queued = 0;
        while (CURLMsg* message = curl_multi_info_read(multi.get(), &queued)) {
            if (message->msg != CURLMSG_DONE) {
                continue;
            }
            void* user = nullptr;
            curl_easy_getinfo(message->easy_handle, CURLINFO_PRIVATE, &user);
            const auto code = message->data.result;
            auto& job = *static_cast<Job*>(user);
            curl_multi_remove_handle(multi.get(), job.handle->easy.get());
            --running;
            auto attempt = state.finish(*job.handle, code, requests[job.index]);
            job.handle.reset();
            auto decision =
                state.decide(requests[job.index], job.display_url, std::move(attempt), job.retry);
            if (decision.result) {
                results[job.index] = std::move(decision.result);
                ++done;
            } else {
                ++job.retry;
                job.remaining = decision.wait;
                waiting.push_back(job.index);
            }
        }
        if (running > 0) {
            auto timeout = std::chrono::milliseconds{1000};
            for (const auto index : waiting) {
                timeout = std::min(timeout, jobs[index].remaining);
            }
            curl_multi_poll(multi.get(), nullptr, 0, static_cast<int>(timeout.count()), nullptr);
        }
        age_waiting(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - before));
    }

    std::vector<core::Result<core::HttpResponse>> out;
    out.reserve(requests.size());
    for (auto& result : results) {
        out.push_back(std::move(*result));
    }
    return out;
}

}  // namespace envsmith::net
