#pragma once
// The WWW-Authenticate header of a 401 (RFC 9110 section 11.6.1), as registries send it:
//   Basic realm="x"
//   Bearer realm="https://auth.example/token",service="registry.example",scope="repository:a:pull"

#include <map>
#include <string>
#include <string_view>

namespace envsmith::registry::detail {

struct Challenge {
    std::string scheme;  // lower case: "basic", "bearer", ...; empty when none could be read
    std::map<std::string, std::string> params;  // names in lower case

    [[nodiscard]] std::string param(const std::string& name) const {
        const auto it = params.find(name);
        return it == params.end() ? std::string() : it->second;
    }
};

/// The first challenge of a header value (registries send one).
[[nodiscard]] Challenge parse_challenge(std::string_view header);

/// Percent-encodes a query parameter value (RFC 3986 unreserved characters stay).
[[nodiscard]] std::string query_encode(std::string_view value);

}  // namespace envsmith::registry::detail
