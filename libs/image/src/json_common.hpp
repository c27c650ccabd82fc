#pragma once
// Private helpers of the image layer's JSON code (nlohmann_json stays out of public headers).

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"

namespace envsmith::image::detail {

/// `image.json.invalid`: `what` names the document ("manifest", "config", ...).
[[nodiscard]] core::Error json_error(std::string_view what, std::string detail);

/// Compact JSON with sorted keys (nlohmann's object is a std::map) and UTF-8 kept as is.
[[nodiscard]] std::string canonical_dump(const nlohmann::json& value);

[[nodiscard]] nlohmann::json descriptor_json(const Descriptor& descriptor);
[[nodiscard]] core::Result<Descriptor> parse_descriptor(const nlohmann::json& value,
                                                        std::string_view what);

}  // namespace envsmith::image::detail
