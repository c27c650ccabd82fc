#include "envsmith/diag/log_lines.hpp"

#include <algorithm>

#include "envsmith/core/text.hpp"

namespace envsmith::diag {

namespace {

using core::is_ascii_digit;

/// Removes ANSI escape sequences: CSI (`ESC [ ... final`), OSC (`ESC ] ... BEL` or `ESC \`),
/// and two-byte escapes.
std::string strip_ansi(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c != '\x1b') {
            out.push_back(c);
            continue;
        }
        if (i + 1 >= text.size()) {
            break;
        }
        const char kind = text[i + 1];
        if (kind == '[') {
            std::size_t j = i + 2;
            while (j < text.size() && !(text[j] >= '@' && text[j] <= '~')) {
                ++j;
            }
            i = j;  // the final byte
        } else if (kind == ']') {
            std::size_t j = i + 2;
            while (j < text.size() && text[j] != '\x07' &&
                   !(text[j] == '\x1b' && j + 1 < text.size() && text[j + 1] == '\\')) {
                ++j;
            }
            i = (j < text.size() && text[j] == '\x1b') ? j + 1 : j;
        } else {
            i += 1;
        }
    }
    return out;
}

std::size_t digits(std::string_view text, std::size_t at) {
    std::size_t n = 0;
    while (at + n < text.size() && is_ascii_digit(text[at + n])) {
        ++n;
    }
    return n;
}

/// Length of an ISO-8601-like timestamp prefix (with the separator after it), or 0.
/// `2024-10-15T00:33:45.123Z `, `2024-10-15 00:33:45,123 `, Azure's `2024-10-15T00:33:45: `.
std::size_t timestamp_prefix(std::string_view t) {
    if (t.size() < 19 || digits(t, 0) != 4 || t[4] != '-' || digits(t, 5) != 2 || t[7] != '-' ||
        digits(t, 8) != 2 || (t[10] != 'T' && t[10] != ' ') || digits(t, 11) != 2 || t[13] != ':' ||
        digits(t, 14) != 2 || t[16] != ':' || digits(t, 17) != 2) {
        return 0;
    }
    std::size_t i = 19;
    if (i < t.size() && (t[i] == '.' || t[i] == ',')) {
        i += 1 + digits(t, i + 1);
    }
    if (i < t.size() && t[i] == 'Z') {
        ++i;
    } else if (i + 5 < t.size() + 1 && i < t.size() && (t[i] == '+' || t[i] == '-') &&
               digits(t, i + 1) == 2) {
        i += 3;
        if (i < t.size() && t[i] == ':') ++i;
        i += digits(t, i);
    }
    if (i < t.size() && t[i] == ':') {
        ++i;  // Azure ML: `2024-10-15T00:33:45: text`
    }
    if (i < t.size() && t[i] == ' ') {
        while (i < t.size() && t[i] == ' ') ++i;
        return i;
    }
    return i == t.size() ? i : 0;
}

/// Length of a BuildKit prefix `#12 ` or `#12 3.456 `, or 0.
std::size_t buildkit_prefix(std::string_view t) {
    if (t.empty() || t[0] != '#') {
        return 0;
    }
    const std::size_t n = digits(t, 1);
    if (n == 0 || 1 + n >= t.size() || t[1 + n] != ' ') {
        return 0;
    }
    std::size_t i = 2 + n;
    const std::size_t seconds = digits(t, i);
    if (seconds > 0 && i + seconds < t.size() && t[i + seconds] == '.') {
        const std::size_t fraction = digits(t, i + seconds + 1);
        const std::size_t end = i + seconds + 1 + fraction;
        if (fraction > 0 && end < t.size() && t[end] == ' ') {
            return end + 1;
        }
    }
    return i;
}

}  // namespace

namespace {

/// What a terminal would show of a raw line: after the last CR, without ANSI escapes.
std::string visible_text(std::string_view raw) {
    while (!raw.empty() && raw.back() == '\r') {
        raw.remove_suffix(1);
    }
    if (const auto cr = raw.rfind('\r'); cr != std::string_view::npos) {
        raw.remove_prefix(cr + 1);
    }
    return raw.find('\x1b') == std::string_view::npos ? std::string(raw) : strip_ansi(raw);
}

/// The text after the prefixes, trailing whitespace kept.
std::string_view strip_prefixes(std::string_view view) {
    // Prefixes nest (a timestamped CI log of a BuildKit build): strip until none is left.
    for (int round = 0; round < 4; ++round) {
        const std::size_t cut = std::max(timestamp_prefix(view), buildkit_prefix(view));
        if (cut == 0) {
            break;
        }
        view.remove_prefix(cut);
    }
    return view;
}

}  // namespace

std::string normalize_log_line(std::string_view raw) {
    return std::string(core::trim_right(strip_prefixes(visible_text(raw))));
}

LogLineSplitter::LogLineSplitter(Sink sink, std::size_t max_line_bytes)
    : m_sink(std::move(sink)), m_max_line_bytes(max_line_bytes) {}

void LogLineSplitter::feed(std::string_view bytes) {
    m_bytes += bytes.size();
    while (!bytes.empty()) {
        const auto newline = bytes.find('\n');
        const auto piece = bytes.substr(0, newline);
        if (!m_truncated) {
            const auto room = m_max_line_bytes - m_pending.size();
            if (piece.size() > room) {
                m_pending.append(piece.substr(0, room));
                m_truncated = true;
            } else {
                m_pending.append(piece);
            }
        }
        if (newline == std::string_view::npos) {
            return;
        }
        emit();
        bytes.remove_prefix(newline + 1);
    }
}

void LogLineSplitter::finish() {
    if (!m_pending.empty() || m_truncated) {
        emit();
    }
}

void LogLineSplitter::emit() {
    ++m_line;
    const auto visible = visible_text(m_pending);
    const auto stripped = strip_prefixes(visible);
    const auto text = core::trim_right(stripped);
    m_sink(Line{m_line, text, visible.size(), stripped.size() - text.size()});
    m_pending.clear();
    m_truncated = false;
}

}  // namespace envsmith::diag
