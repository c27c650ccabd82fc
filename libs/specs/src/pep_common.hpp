#pragma once
// Helpers shared by the PEP 440, PEP 508 and wheel parsers: the shape every parse error has,
// and small character tests.

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

/// An `invalid_input` error for byte `offset` of `text`: the message reads
/// "invalid <noun> `<text>`: <problem> at column <offset + 1>", the location is line 1 of
/// `text`, and `text` is also the named argument `arg_name`.
[[nodiscard]] inline core::Error parse_error(std::string message_id, std::string_view noun,
                                             std::string_view problem, std::string_view text,
                                             std::size_t offset, std::string arg_name) {
    if (offset > text.size()) {
        offset = text.size();
    }
    const auto column = static_cast<std::uint32_t>(offset + 1);
    auto message = fmt::format("invalid {} `{}`: {} at column {}", noun, text, problem, column);
    return core::make_error(core::ErrorCode::invalid_input, std::move(message_id), std::move(message))
        .at(core::SourceLocation{"", 1, column, std::string(text)})
        .arg(std::move(arg_name), std::string(text));
}

/// Python's `str.isspace` for ASCII: space, \t, \n, \v, \f, \r.
[[nodiscard]] constexpr bool is_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r');
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
