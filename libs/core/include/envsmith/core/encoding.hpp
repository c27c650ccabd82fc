#pragma once
// Hex and base64 (RFC 4648, standard and URL-safe alphabets).

#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

[[nodiscard]] std::string to_hex(std::string_view bytes);
/// Accepts upper and lower case. Fails with `encoding.hex.invalid` on odd length or a non-hex digit.
[[nodiscard]] Result<std::string> from_hex(std::string_view hex);

enum class Base64Alphabet : bool { standard, url_safe };
[[nodiscard]] std::string base64_encode(std::string_view bytes,
                                        Base64Alphabet alphabet = Base64Alphabet::standard);
/// Accepts input with or without `=` padding. Fails with `encoding.base64.invalid`.
[[nodiscard]] Result<std::string> base64_decode(std::string_view text,
                                                Base64Alphabet alphabet = Base64Alphabet::standard);

}  // namespace envsmith::core
