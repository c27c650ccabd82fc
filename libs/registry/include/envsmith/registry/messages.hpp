#pragma once
// The English templates of the errors and warnings the registry layer raises. Each error's
// `message` is its template with the named args filled in, so the translations in
// locale/*/registry.yaml (keyed by the same ids) render the same error in other languages.

#include <span>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::registry {

struct MessageTemplate {
    core::ErrorCode code;
    std::string_view id;
    std::string_view text;  // `{name}` placeholders, as in locale/en/registry.yaml
};

/// Every id this layer raises, with its code and English template.
[[nodiscard]] std::span<const MessageTemplate> message_templates() noexcept;

}  // namespace envsmith::registry
