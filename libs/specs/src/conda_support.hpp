#pragma once
// Private helpers shared by the conda parsers: whitespace as Python's str.strip() sees it (in
// ASCII) and RE2-backed string patterns. Their error shape is in parse_error.hpp.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace re2 {
class RE2;
}

namespace envsmith::specs::detail {

/// Python's `str.isspace()` restricted to ASCII: space, \t \n \v \f \r and \x1c-\x1f.
[[nodiscard]] constexpr bool is_py_space(char c) noexcept {
    return c == ' ' || (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f');
}

/// Offsets of `text` without leading and trailing Python whitespace: [begin, end).
struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
};
[[nodiscard]] Span py_strip(std::string_view text, Span within) noexcept;

/// An exact string, a glob (`*` matches any run) or a regex (`^...$`), conda's rule for
/// string-valued fields. Regexes run on RE2, so matching is linear in the input.
class StringPattern {
public:
    enum class Kind : std::uint8_t { exact, glob, regex };

    /// Classifies `text`: `^...$` is a regex, text with `*` a glob, anything else exact. An
    /// invalid regex fails with RE2's complaint as the error message (callers re-wrap it).
    [[nodiscard]] static core::Result<StringPattern> make(std::string_view text);

    [[nodiscard]] Kind kind() const noexcept { return m_kind; }
    [[nodiscard]] const std::string& text() const noexcept { return m_text; }
    [[nodiscard]] bool matches(std::string_view candidate) const;
    [[nodiscard]] bool matches_all() const noexcept { return m_kind == Kind::glob && m_text == "*"; }

private:
    Kind m_kind = Kind::exact;
    std::string m_text;
    std::shared_ptr<const re2::RE2> m_regex;
};

/// Compiles a regex; fails with RE2's complaint as the error message.
[[nodiscard]] core::Result<std::shared_ptr<const re2::RE2>> compile_regex(const std::string& pattern);
[[nodiscard]] bool regex_full_match(const re2::RE2& regex, std::string_view text);
/// Compiles a glob (`*` matches any run, every other byte itself) into an anchored regex over
/// Latin-1 bytes; fails with `spec.regex.invalid` only if RE2 refuses it (it should not).
[[nodiscard]] core::Result<std::shared_ptr<const re2::RE2>> compile_glob(std::string_view glob);

}  // namespace envsmith::specs::detail
