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

}  // namespace envsmith::core
