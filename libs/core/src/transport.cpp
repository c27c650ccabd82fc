#include "envsmith/core/transport.hpp"

#include "envsmith/core/text.hpp"

namespace envsmith::core {

std::string_view HttpResponse::header(std::string_view name) const noexcept {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

std::vector<Result<HttpResponse>> Transport::send_all(const std::vector<HttpRequest>& requests) {
    std::vector<Result<HttpResponse>> results;
    results.reserve(requests.size());
    for (const auto& request : requests) {
        results.push_back(send(request));
    }
    return results;
}

}  // namespace envsmith::core
