#pragma once
// Helpers the download and package-cache tests share.

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "envsmith/net/curl_transport.hpp"

namespace envsmith::install::test_support {

inline std::string read_all(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

/// A libcurl transport for loopback tests: short timeouts, two quick retries, no proxy, no sleep.
inline net::TransportOptions quick_options() {
    net::TransportOptions options;
    options.connect_timeout_ms = 2000;
    options.total_timeout_ms = 10'000;
    options.max_retries = 2;
    options.backoff_base_ms = 10;
    options.backoff_max_ms = 20;
    options.jitter_seed = 1;
    options.proxy = "";
    options.sleep = [](std::chrono::milliseconds) {};
    return options;
}

}  // namespace envsmith::install::test_support
