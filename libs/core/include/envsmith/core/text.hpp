#pragma once
// Small string helpers shared by every layer, and the mapping from a byte offset in a text
// to the line and column that error messages show.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

[[nodiscard]] std::string_view trim(std::string_view text) noexcept;
[[nodiscard]] std::string_view trim_left(std::string_view text) noexcept;
[[nodiscard]] std::string_view trim_right(std::string_view text) noexcept;
[[nodiscard]] std::string to_lower(std::string_view text);
[[nodiscard]] bool iequals(std::string_view a, std::string_view b) noexcept;
/// Splits on every occurrence of `separator`; "a,,b" gives {"a", "", "b"}.
[[nodiscard]] std::vector<std::string_view> split(std::string_view text, char separator);
[[nodiscard]] std::string join(const std::vector<std::string>& parts, std::string_view separator);
[[nodiscard]] constexpr bool is_ascii_digit(char c) noexcept { return c >= '0' && c <= '9'; }
[[nodiscard]] constexpr bool is_ascii_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
[[nodiscard]] constexpr bool is_ascii_alnum(char c) noexcept {
    return is_ascii_digit(c) || is_ascii_alpha(c);
}
[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// Levenshtein distance, for "did you mean" suggestions.
[[nodiscard]] std::size_t edit_distance(std::string_view a, std::string_view b);

/// Appends the UTF-8 encoding of `code_point`; a surrogate (U+D800..U+DFFF) or a value above
/// U+10FFFF, which UTF-8 cannot carry, is written as U+FFFD.
void append_utf8(std::string& out, std::uint32_t code_point);

/// Maps byte offsets of one text to 1-based lines and columns. Keeps a view: the text must
/// outlive it.
class TextIndex {
public:
    TextIndex(std::string_view file, std::string_view text);

    /// The location of byte `offset` (clamped to the end of the text).
    [[nodiscard]] SourceLocation locate(std::size_t offset) const;
    /// The location of 1-based `line` and `column`, with that line's text filled in.
    [[nodiscard]] SourceLocation at(std::uint32_t line, std::uint32_t column) const;
    [[nodiscard]] std::string_view line_text(std::uint32_t line) const;
    [[nodiscard]] std::string_view file() const noexcept { return m_file; }
    [[nodiscard]] std::string_view text() const noexcept { return m_text; }

private:
    std::string_view m_file;
    std::string_view m_text;
    std::vector<std::size_t> m_line_starts;
};

}  // namespace envsmith::core
