#pragma once
// Shared by the channel, fetch, cache and shard tests: compressed fixtures, a settable clock,
// the real libcurl transport set up so that no test waits or leaves loopback.

#include <bzlib.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>

#include "envsmith/core/clock.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::index::testing {

inline std::string zstd_compress(const std::string& bytes, int level = 3) {
    std::string out(ZSTD_compressBound(bytes.size()), '\0');
    const auto size = ZSTD_compress(out.data(), out.size(), bytes.data(), bytes.size(), level);
    if (ZSTD_isError(size) != 0U) {
        throw std::runtime_error("zstd failed");
    }
    out.resize(size);
    return out;
}

inline std::string bzip2_compress(const std::string& bytes) {
    auto size = static_cast<unsigned int>(bytes.size() + bytes.size() / 100 + 600);
    std::string out(size, '\0');
    std::string in = bytes;
    if (BZ2_bzBuffToBuffCompress(out.data(), &size, in.data(), static_cast<unsigned int>(in.size()),
                                 9, 0, 0) != BZ_OK) {
        throw std::runtime_error("bzip2 failed");
    }
    out.resize(size);
    return out;
}

inline std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// A clock the test moves by hand.
class FakeClock final : public core::Clock {
public:
    [[nodiscard]] std::chrono::system_clock::time_point now() const override { return m_now; }
    [[nodiscard]] std::chrono::steady_clock::time_point steady_now() const override {
        return std::chrono::steady_clock::time_point(m_now.time_since_epoch());
    }
    void advance(std::chrono::seconds by) { m_now += by; }

private:
    std::chrono::system_clock::time_point m_now =
        std::chrono::system_clock::from_time_t(1'750'000'000);
};

/// CurlTransport options for loopback tests: no proxy, short timeouts, no real sleeps.
inline net::TransportOptions quick_transport_options() {
    net::TransportOptions options;
    options.connect_timeout_ms = 2000;
    options.total_timeout_ms = 10'000;
    options.max_retries = 2;
    options.backoff_base_ms = 10;
    options.backoff_max_ms = 20;
    options.jitter_seed = 1;
    options.proxy = "";
    options.sleep = [](std::chrono::milliseconds) {};
    options.now = [] { return std::chrono::system_clock::from_time_t(1'750'000'000); };
    return options;
}

}  // namespace envsmith::index::testing
