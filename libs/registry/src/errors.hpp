#pragma once
// Builds the layer's errors from the template table in errors.cpp.

#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::registry::detail {

/// The error `id` (which must be in the table), its message filled from `args`.
[[nodiscard]] core::Error registry_error(std::string_view id, std::vector<core::MessageArg> args);

/// The English text of `id` filled with `args` (for warnings).
[[nodiscard]] std::string fill(std::string_view id, const std::vector<core::MessageArg>& args);

/// What the registry said in its JSON error body (`{"errors":[{"code","message"}]}`): the
/// first error's code and message, empty when the body is not such a document.
struct RegistryErrorBody {
    std::string code;
    std::string message;
};
[[nodiscard]] RegistryErrorBody parse_error_body(std::string_view body);

}  // namespace envsmith::registry::detail
