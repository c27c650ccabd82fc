#pragma once
// Helpers shared by the PEP 440, PEP 508 and wheel parsers: where and why a parse stopped
// (turned into errors by parse_error.hpp), and small character tests.

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep440.hpp"

namespace envsmith::specs::detail {

/// Where and why a parse stopped; `offset` is relative to the text the parser was given.
/// The public `parse` functions turn it into a `core::Error`; nested parsers shift `offset`.
struct ParseFailure {
    std::size_t offset = 0;
    std::string problem;  // "expected a release number such as `1.0`"
};

template <typename T>
using Parsed = std::variant<T, ParseFailure>;

/// PEP 440 version, the whole of `text` (surrounding whitespace allowed).
[[nodiscard]] Parsed<Pep440Version> parse_version(std::string_view text);
/// Comma-separated specifiers, the whole of `text`.
[[nodiscard]] Parsed<SpecifierSet> parse_specifier_set(std::string_view text);

/// Whitespace for the PEP 440 and PEP 508 parsers: space, \t, \n, \v, \f, \r (Python's
/// `str.isspace` also counts \x1c-\x1f; see `is_py_space` for the conda parsers).
[[nodiscard]] constexpr bool is_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

/// A byte for an error message: "`c`" when printable ASCII, otherwise "byte 0x1b".
[[nodiscard]] inline std::string describe_byte(char c) {
    if (c > ' ' && c < 127) {
        return fmt::format("`{}`", c);
    }
    return fmt::format("byte 0x{:02x}", static_cast<unsigned>(static_cast<unsigned char>(c)));
}

/// Adds one decimal digit to `value`; false on 64-bit overflow.
[[nodiscard]] constexpr bool push_digit(std::uint64_t& value, char digit) noexcept {
    const auto d = static_cast<std::uint64_t>(digit - '0');
    if (value > (std::numeric_limits<std::uint64_t>::max() - d) / 10) {
        return false;
    }
    value = value * 10 + d;
    return true;
}

}  // namespace envsmith::specs::detail
