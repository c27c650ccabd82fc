#pragma once
// Turns the bytes of a build log, fed in chunks of any size, into numbered lines cleaned of
// what real logs carry around the text: CRLF, carriage-return progress redraws, ANSI escapes,
// timestamp prefixes (ISO 8601, Azure ML `2024-10-15T00:33:45:`, GitHub Actions), BuildKit
// `#12 3.456 ` prefixes. Memory stays bounded whatever the input: a line longer than
// `max_line_bytes` is cut (the rest is skipped up to the next newline).

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace envsmith::diag {

/// Removes the decorations from one raw line (without its '\n').
[[nodiscard]] std::string normalize_log_line(std::string_view raw);

class LogLineSplitter {
public:
    /// One cleaned line.
    struct Line {
        std::uint64_t number = 0;  // 1-based
        std::string_view text;     // normalised, trailing whitespace removed
        /// The width the raw line had on a terminal (bytes without CR and ANSI escapes,
        /// timestamps kept): a line exactly as wide as a terminal was probably wrapped.
        std::size_t width = 0;
        /// How much whitespace followed `text`; a wrapped line's text continues after it.
        std::size_t trailing_spaces = 0;
    };
    using Sink = std::function<void(const Line& line)>;

    explicit LogLineSplitter(Sink sink, std::size_t max_line_bytes = 16 * 1024);

    void feed(std::string_view bytes);
    /// Flushes a last line without a trailing newline.
    void finish();

    [[nodiscard]] std::uint64_t lines() const noexcept { return m_line; }
    [[nodiscard]] std::uint64_t bytes() const noexcept { return m_bytes; }

private:
    void emit();

    Sink m_sink;
    std::size_t m_max_line_bytes;
    std::string m_pending;
    bool m_truncated = false;
    std::uint64_t m_line = 0;
    std::uint64_t m_bytes = 0;
};

}  // namespace envsmith::diag
