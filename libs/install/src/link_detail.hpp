#pragma once
// Private helpers of the linker: errors whose English text is their catalog template filled
// with their args (locale/en/install_link.yaml holds the same templates).

#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::install::detail {

/// An error whose message is `english` with each `{name}` replaced by that arg's value.
[[nodiscard]] core::Error link_error(core::ErrorCode code, std::string id, std::string_view english,
                                     std::vector<core::MessageArg> args);

/// `install.link.io` for `path`, with `detail` (usually strerror).
[[nodiscard]] core::Error io_error(const std::string& path, const std::string& detail);

/// Fills `{name}` placeholders of `english` from `args` (unknown names stay as they are).
[[nodiscard]] std::string fill(std::string_view english, const std::vector<core::MessageArg>& args);

}  // namespace envsmith::install::detail
