#pragma once
// The error every one-line parser of this layer returns (conda versions and specs, PEP 440 and
// PEP 508 text, wheel and sdist file names, image references): `invalid_input`, located at
// line 1, column N of the text it was given, without a file name, so that a caller reading a
// file re-anchors it with `Error::within`. N is the byte offset + 1, clamped to one past the
// end of the text.
//
// Two wordings, both seen by users (and golden files), so both are kept:
//  - the conda parsers: "invalid <noun> `<text>` at column N: <expected>";
//  - the others:        "invalid <noun> `<text>`: <problem> at column N".

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::specs::detail {

/// The 1-based column of byte `offset` of `text`, at most one past its end.
[[nodiscard]] inline std::uint32_t column_of(std::string_view text, std::size_t offset) noexcept {
    return static_cast<std::uint32_t>(std::min(offset, text.size()) + 1);
}

/// An `invalid_input` error with `message`, at line 1, `column` of `text`.
[[nodiscard]] inline core::Error located_error(std::string message_id, std::string message,
                                               std::string_view text, std::uint32_t column) {
    return core::make_error(core::ErrorCode::invalid_input, std::move(message_id),
                            std::move(message))
        .at(core::SourceLocation{"", 1, column, std::string(text)});
}

/// The conda parsers' error: "invalid <noun> `<text>` at column N: <expected>", with `spec`
/// (the text), `column` and `expected` as named arguments.
[[nodiscard]] inline core::Error syntax_error(std::string_view message_id, std::string_view noun,
                                              std::string_view text, std::size_t offset,
                                              std::string_view expected) {
    const auto column = column_of(text, offset);
    return located_error(std::string(message_id),
                         fmt::format("invalid {} `{}` at column {}: {}", noun, text, column,
                                     expected),
                         text, column)
        .arg("spec", std::string(text))
        .arg("column", std::to_string(column))
        .arg("expected", std::string(expected));
}

/// The other parsers' error: "invalid <noun> `<text>`: <problem> at column N", with the text
/// as the named argument `arg_name`, and `problem` and `column`.
[[nodiscard]] inline core::Error parse_error(std::string message_id, std::string_view noun,
                                             std::string_view problem, std::string_view text,
                                             std::size_t offset, std::string arg_name) {
    const auto column = column_of(text, offset);
    return located_error(std::move(message_id),
                         fmt::format("invalid {} `{}`: {} at column {}", noun, text, problem,
                                     column),
                         text, column)
        .arg(std::move(arg_name), std::string(text))
        .arg("problem", std::string(problem))
        .arg("column", std::to_string(column));
}

}  // namespace envsmith::specs::detail
