// repodata.json (conda's channel index of one subdir) into a compact, read-only Repodata.
//
// The parse is one pass of a cursor over the caller's bytes, following RFC 8259's grammar:
// no tree and no token index is built first, so the only memory written is the records
// themselves. The text is checked to be UTF-8 up front (simdjson's validator); strings are
// then views into it: a string's end is found sixteen bytes at a time, and only a string
// that holds a backslash is unescaped and copied into the Store's arena. Records go straight
// into one vector; depends, constrains and track_features go into a list arena whose blocks
// never move, so every span stays valid. Interning is left to RepodataBuilder: here the views
// cost no memory beyond the text itself. Fields envsmith does not read are still checked
// against the grammar as they are passed over.
//
// conda's rules followed here (conda/core/subdir_data.py, conda/models/records.py, CEP-15):
//  - `packages` and `packages.conda` both hold records keyed by file name; when `x.tar.bz2`
//    and `x.conda` both exist only the `.conda` record is kept (conda's `use_only_tar_bz2`
//    false, the default);
//  - `noarch: true` is the old spelling of `noarch: generic`;
//  - timestamps up to 253402300799 (9999-12-31 in seconds) are seconds and are scaled to ms;
//  - `track_features` is one string separated by commas and/or spaces;
//  - `info.base_url` (CEP-15) replaces the subdir URL for downloads, relative to that URL;
//  - `null` reads as absent for every field (conda-forge's older exports write
//    `"depends": null`).

#include "envsmith/index/repodata.hpp"

#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <bit>
#include <charconv>
#include <mutex>
#include <cstdint>
#include <cstring>
#include <new>
#include <utility>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "envsmith/core/text.hpp"
#include "repodata_store.hpp"

namespace envsmith::index {

// The reader's 16-byte loads past a string's end stay inside the padding.
static_assert(Repodata::json_padding >= 16, "the reader reads up to 15 bytes past the text");

struct Repodata::Impl {
    detail::Store store;
    // names() sorts on first use: most callers (the solver, lock) only look names up, and
    // sorting 25,000 names was 5% of a conda-forge-size parse.
    std::once_flag names_sorted;
};

struct RepodataBuilder::Impl {
    detail::Store store;
    detail::ViewTable interned;  // every string copied so far, by content
    std::vector<std::string_view> scratch;
    std::string subdir_url;

    std::string_view intern(std::string_view text) {
        if (text.empty()) {
            return {};
        }
        if (const auto* index = interned.find(text)) {
            return pool[*index];
        }
        const auto copy = store.strings.copy(text);
        interned.insert(copy, static_cast<std::uint32_t>(pool.size()));
        pool.push_back(copy);
        return copy;
    }
    std::vector<std::string_view> pool;
};

namespace {

constexpr std::string_view invalid_id = "index.repodata.invalid";
// conda: a timestamp above 253402300799 (9999-12-31T23:59:59 in seconds) is already in ms.
constexpr std::uint64_t max_seconds_timestamp = 253402300799ULL;
// Objects and arrays nested deeper than this (only possible in fields that are skipped) are
// refused rather than walked with unbounded recursion.
constexpr int max_depth = 1024;

bool ends_with(std::string_view text, std::string_view suffix) noexcept {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool has_upper(std::string_view text) noexcept {
    return std::any_of(text.begin(), text.end(), [](char c) { return c >= 'A' && c <= 'Z'; });
}

std::string lowercase(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return out;
}

// The first byte at or after `p` that ends a run of plain string characters: '"', '\\' or a
// control character (below 0x20, which JSON wants escaped). The text is followed by zeroed
// padding, so the scan always stops, at the latest on the first padding byte; it reads at
// most 15 bytes past that byte, which the padding covers.
const char* find_string_special(const char* p) noexcept {
#if defined(__SSE2__)
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i backslashes = _mm_set1_epi8('\\');
    const __m128i controls = _mm_set1_epi8(0x1F);
    for (;;) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i is_control = _mm_cmpeq_epi8(_mm_min_epu8(chunk, controls), chunk);
        const __m128i hits = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quotes), _mm_cmpeq_epi8(chunk, backslashes)),
            is_control);
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
        if (mask != 0) {
            return p + std::countr_zero(mask);
        }
        p += 16;
    }
#else
    while (*p != '"' && *p != '\\' && static_cast<unsigned char>(*p) >= 0x20) {
        ++p;
    }
    return p;
#endif
}

[[maybe_unused]] bool is_space(char c) noexcept {
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

// The offset of the first byte that is not part of well-formed UTF-8 (RFC 3629: no overlong
// forms, no surrogates, nothing above U+10FFFF). Only called once the fast check has failed.
std::size_t first_invalid_utf8(std::string_view text) noexcept {
    const auto* s = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t n = text.size();
    std::size_t i = 0;
    while (i < n) {
        const unsigned c = s[i];
        std::size_t length = 0;
        unsigned low = 0x80;
        unsigned high = 0xBF;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF) {
            length = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            length = 3;
            low = c == 0xE0 ? 0xA0 : 0x80;
            high = c == 0xED ? 0x9F : 0xBF;
        } else if (c >= 0xF0 && c <= 0xF4) {
            length = 4;
            low = c == 0xF0 ? 0x90 : 0x80;
            high = c == 0xF4 ? 0x8F : 0xBF;
        } else {
            return i;
        }
        if (i + length > n || s[i + 1] < low || s[i + 1] > high) {
            return i;
        }
        for (std::size_t k = 2; k < length; ++k) {
            if (s[i + k] < 0x80 || s[i + k] > 0xBF) {
                return i;
            }
        }
        i += length;
    }
    return n;
}

enum class Field : std::uint8_t {
    unknown,
    name,
    version,
    build,
    build_number,
    depends,
    constrains,
    md5,
    sha256,
    license,
    noarch,
    size,
    timestamp,
    subdir,
    track_features,
};

// `key == literal` for a key already known to have the literal's length; a constant-size
// memcmp compiles to a few loads, where string_view's operator== calls memcmp.
template <std::size_t N>
bool is(std::string_view key, const char (&literal)[N]) noexcept {
    return std::memcmp(key.data(), literal, N - 1) == 0;
}

Field field_of(std::string_view key) noexcept {
    switch (key.size()) {
        case 3: return is(key, "md5") ? Field::md5 : Field::unknown;
        case 4:
            if (is(key, "name")) {
                return Field::name;
            }
            return is(key, "size") ? Field::size : Field::unknown;
        case 5: return is(key, "build") ? Field::build : Field::unknown;
        case 6:
            if (is(key, "sha256")) {
                return Field::sha256;
            }
            if (is(key, "subdir")) {
                return Field::subdir;
            }
            return is(key, "noarch") ? Field::noarch : Field::unknown;
        case 7:
            if (is(key, "version")) {
                return Field::version;
            }
            if (is(key, "depends")) {
                return Field::depends;
            }
            return is(key, "license") ? Field::license : Field::unknown;
        case 9: return is(key, "timestamp") ? Field::timestamp : Field::unknown;
        case 10: return is(key, "constrains") ? Field::constrains : Field::unknown;
        case 12: return is(key, "build_number") ? Field::build_number : Field::unknown;
        case 14: return is(key, "track_features") ? Field::track_features : Field::unknown;
        default: return Field::unknown;
    }
}

std::string_view field_name(Field field) noexcept {
    switch (field) {
        case Field::name: return "name";
        case Field::version: return "version";
        case Field::build: return "build";
        case Field::build_number: return "build_number";
        case Field::depends: return "depends";
        case Field::constrains: return "constrains";
        case Field::md5: return "md5";
        case Field::sha256: return "sha256";
        case Field::license: return "license";
        case Field::noarch: return "noarch";
        case Field::size: return "size";
        case Field::timestamp: return "timestamp";
        case Field::subdir: return "subdir";
        case Field::track_features: return "track_features";
        case Field::unknown: break;
    }
    return "?";
}

// Splits a `track_features` string at commas and spaces, dropping empty pieces.
void split_features(std::string_view text, std::vector<std::string_view>& out) {
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || text[i] == ' ')) {
            ++i;
        }
        const std::size_t start = i;
        while (i < text.size() && text[i] != ',' && text[i] != ' ') {
            ++i;
        }
        if (i > start) {
            out.push_back(text.substr(start, i - start));
        }
    }
}

// How many of the eight bytes in `word` (loaded little-endian from the text) are ASCII
// digits before the first one that is not. A byte is a digit when its high nibble is 3 and
// adding 6 leaves it so ('0'..'9' are 0x30..0x39). A carry out of a byte only reaches the
// bytes after it, which do not matter once a non-digit is found.
inline unsigned leading_digits(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t high_nibbles = 0xF0F0F0F0F0F0F0F0ULL;
    const std::uint64_t checked =
        (word & high_nibbles) | (((word + 6 * ones) & high_nibbles) >> 4);
    const std::uint64_t wrong = checked ^ (0x33 * ones);
    return wrong == 0 ? 8U : static_cast<unsigned>(std::countr_zero(wrong)) / 8;
}

// The value of eight ASCII digits loaded little-endian (the first digit in the low byte):
// pairs, then quads, then the whole, each step one multiply.
inline std::uint64_t eight_digits(std::uint64_t word) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    std::uint64_t v = word - '0' * ones;                                  // digits d0..d7
    v = (v * 10 + (v >> 8)) & 0x00FF00FF00FF00FFULL;                     // 10*d0+d1, ...
    v = (v * 100 + (v >> 16)) & 0x0000FFFF0000FFFFULL;                   // four digits each
    return (v * 10000 + (v >> 32)) & 0xFFFFFFFFULL;                      // all eight
}

// A run of at most 19 decimal digits at `p` (any more might not fit in 64 bits): its value
// and its end. Returns nullptr when the run is longer. Reads eight bytes at a time, which
// the zeroed padding after the text allows.
inline const char* read_digits(const char* p, std::uint64_t& out) noexcept {
    static constexpr std::uint64_t scale[9] = {1,      10,      100,      1000,     10000,
                                               100000, 1000000, 10000000, 100000000};
    constexpr std::uint64_t zeros = 0x3030303030303030ULL;
    std::uint64_t value = 0;
    unsigned total = 0;
    for (;;) {
        std::uint64_t word = 0;
        std::memcpy(&word, p, sizeof word);
        if constexpr (std::endian::native != std::endian::little) {
            word = __builtin_bswap64(word);
        }
        const unsigned count = leading_digits(word);
        if (total + count > 19) {
            return nullptr;
        }
        if (count > 0) {
            // Keep the `count` digits in the high bytes, with '0's in front of them.
            const unsigned shift = 8 * (8 - count);
            const std::uint64_t aligned =
                shift == 0 ? word : (word << shift) | (zeros >> (64 - shift));
            value = value * scale[count] + eight_digits(aligned);
            total += count;
            p += count;
        }
        if (count < 8) {
            out = value;
            return p;
        }
    }
}

// Whitespace between tokens, from `p`. Most calls find none, or the one space after a ':';
// the newline and indentation (conda-index writes `indent=2`) before a member or element
// are passed sixteen bytes at a time. The zeroed padding after the text stops the scan.
[[gnu::noinline]] const char* skip_blank_run(const char* p) noexcept {
#if defined(__SSE2__)
    const __m128i spaces = _mm_set1_epi8(' ');
    const __m128i newlines = _mm_set1_epi8('\n');
    for (;;) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const auto blank = static_cast<unsigned>(_mm_movemask_epi8(
            _mm_or_si128(_mm_cmpeq_epi8(chunk, spaces), _mm_cmpeq_epi8(chunk, newlines))));
        const int run = std::countr_zero(~blank);  // 16 or more when all sixteen are blank
        if (run >= 16) {
            p += 16;
            continue;
        }
        p += run;
        if (*p != '\t' && *p != '\r') {
            return p;
        }
        ++p;
    }
#else
    while (is_space(*p)) {
        ++p;
    }
    return p;
#endif
}

[[gnu::always_inline]] inline const char* skip_blank(const char* p) noexcept {
    const auto c = static_cast<unsigned char>(*p);
    if (c > ' ') {
        return p;
    }
#if defined(__SSE2__)
    // The usual shapes, without a call: the space after a ':', or a newline and fewer than
    // sixteen spaces of indentation.
    if (c == ' ' || c == '\n') {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 1));
        const auto spaces =
            static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(chunk, _mm_set1_epi8(' '))));
        const auto run = static_cast<unsigned>(std::countr_zero(~spaces));
        if (run < 16 && static_cast<unsigned char>(p[1 + run]) > ' ') {
            return p + 1 + run;
        }
    }
#endif
    return skip_blank_run(p);
}

// One pass over the text with a cursor: every byte is looked at once, by the code that
// knows what it must be (RFC 8259's grammar), and nothing else is built but the records.
// The caller guarantees zeroed padding after the text (a zero byte is never valid where the
// reader looks, so it stops there) and that the text is UTF-8.
class Reader {
public:
    Reader(detail::Store& store, const ParseOptions& options, std::string_view text)
        : m_store(store),
          m_options(options),
          m_text(text),
          m_p(text.data()),
          m_end(text.data() + text.size()) {}

    bool read() {
        skip_space();
        if (*m_p != '{') {
            return *m_p == '[' || *m_p == '"' || *m_p == '-' || is_digit(*m_p) || *m_p == 't' ||
                           *m_p == 'f' || *m_p == 'n'
                       ? fail(m_p, "the top level is not an object", {})
                       : malformed("expected a JSON object");
        }
        ++m_p;
        Step step = first('}');
        for (; step == Step::more; step = next('}')) {
            std::string_view key;
            if (!read_key(key)) {
                return false;
            }
            bool ok = true;
            if (key == "packages" || key == "packages.conda") {
                ok = read_packages();
            } else if (key == "info") {
                ok = read_info();
            } else if (key == "removed") {
                ok = read_removed();
            } else if (key == "repodata_version") {
                std::uint64_t version = 0;
                ok = read_uint(version, "repodata_version", {});
                if (ok && version > 0) {
                    m_store.info.repodata_version =
                        static_cast<std::uint32_t>(std::min<std::uint64_t>(version, UINT32_MAX));
                }
            } else {
                ok = skip_value(1);
            }
            if (!ok) {
                return false;
            }
        }
        if (step == Step::error) {
            return false;
        }
        skip_space();
        if (m_p != m_end) {
            return fail(m_p, "unexpected text after the top-level object", {});
        }
        return true;
    }

    core::Error take_error() { return std::move(m_error); }

    static core::Error invalid_repodata(const std::string& source, std::string_view text,
                                        std::size_t offset, std::string_view reason,
                                        std::string_view fn) {
        const std::string shown = source.empty() ? std::string("<repodata>") : source;
        std::string message =
            fn.empty()
                ? fmt::format("`{}` is not valid repodata at byte {}: {}", shown, offset, reason)
                : fmt::format("`{}` is not valid repodata: package `{}` (byte {}): {}", shown, fn,
                              offset, reason);
        auto error = core::make_error(core::ErrorCode::invalid_input, std::string(invalid_id),
                                      std::move(message))
                         .arg("source", shown)
                         .arg("offset", std::to_string(offset))
                         .arg("reason", std::string(reason));
        if (!fn.empty()) {
            error.args.push_back({"fn", std::string(fn)});
        }
        // Line and column for the caret display; a very long line (minified JSON) is not
        // copied.
        offset = std::min(offset, text.size());
        const std::size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;
        std::size_t line_end = text.find('\n', offset);
        if (line_end == std::string_view::npos) {
            line_end = text.size();
        }
        core::SourceLocation where;
        where.file = shown;
        where.line = static_cast<std::uint32_t>(
            1 +
            std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(line_start), '\n'));
        where.column = static_cast<std::uint32_t>(offset - line_start + 1);
        if (line_end - line_start <= 400) {
            where.line_text = std::string(text.substr(line_start, line_end - line_start));
        }
        return std::move(error).at(std::move(where));
    }

private:
    // --- errors ---

    bool fail(const char* where, std::string_view reason, std::string_view fn) {
        const auto offset = where > m_end ? m_text.size()
                                          : static_cast<std::size_t>(where - m_text.data());
        m_error = invalid_repodata(m_options.source, m_text, offset, reason, fn);
        return false;
    }

    // A grammar error at the cursor: says what was expected and what was found.
    bool malformed(std::string_view expected) {
        std::string found;
        if (m_p >= m_end) {
            found = "the end of the text";
        } else if (const auto byte = static_cast<unsigned char>(*m_p); byte < 0x20 || byte >= 0x7F) {
            // A control, or the first byte of a non-ASCII character (kept out of the message,
            // which must stay UTF-8).
            found = fmt::format("byte 0x{:02x}", byte);
        } else {
            found = fmt::format("`{}`", *m_p);
        }
        return fail(m_p, fmt::format("malformed JSON ({}, found {})", expected, found), m_fn);
    }

    bool fail_type(const char* where, std::string_view field, std::string_view expected,
                   std::string_view fn) {
        return fail(where, fmt::format("`{}` must be {}", field, expected), fn);
    }

    // --- structure ---

    void skip_space() noexcept { m_p = skip_blank(m_p); }

    // Walking an object's members or an array's elements: `first` just after the opening
    // bracket, `next` after each member; `more` leaves the cursor on the next one.
    enum class Step : std::uint8_t { more, closed, error };

    [[gnu::always_inline]] Step first(char close) noexcept {
        const char* p = skip_blank(m_p);
        if (*p == close) {
            m_p = p + 1;
            return Step::closed;
        }
        m_p = p;
        return Step::more;
    }

    [[gnu::always_inline]] Step next(char close) {
        const char* p = skip_blank(m_p);
        if (*p == ',') {
            m_p = skip_blank(p + 1);
            return Step::more;
        }
        if (*p == close) {
            m_p = p + 1;
            return Step::closed;
        }
        m_p = p;
        malformed(close == '}' ? "expected `,` or `}` after a member"
                               : "expected `,` or `]` after an element");
        return Step::error;
    }

    // A member's key and the ':' after it; the cursor is then on the value.
    [[gnu::always_inline]] bool read_key(std::string_view& key) {
        if (*m_p != '"') {
            return malformed("expected a string key");
        }
        if (!read_string_token(key)) {
            return false;
        }
        const char* p = skip_blank(m_p);
        if (*p != ':') {
            m_p = p;
            return malformed("expected `:` after a key");
        }
        m_p = skip_blank(p + 1);
        return true;
    }

    // The string at the cursor ('"'): a view into the text, or (when it has escapes) a copy
    // in the Store's arena. The cursor moves past the closing quote.
    [[gnu::always_inline]] bool read_string_token(std::string_view& out) {
        const char* start = m_p + 1;
        const char* stop = find_string_special(start);
        if (*stop == '"') {
            out = std::string_view(start, static_cast<std::size_t>(stop - start));
            m_p = stop + 1;
            return true;
        }
        if (*stop != '\\') {
            return bad_string_byte(stop);
        }
        m_unescaped.assign(start, stop);
        if (!unescape_rest(stop)) {
            return false;
        }
        out = m_store.strings.copy(m_unescaped);
        return true;
    }

    // Continues a string from its first backslash into m_unescaped.
    bool unescape_rest(const char* p) {
        for (;;) {
            if (*p == '"') {
                m_p = p + 1;
                return true;
            }
            if (*p != '\\') {
                return bad_string_byte(p);
            }
            const char* escape = p;
            switch (p[1]) {
                case '"': m_unescaped += '"'; break;
                case '\\': m_unescaped += '\\'; break;
                case '/': m_unescaped += '/'; break;
                case 'b': m_unescaped += '\b'; break;
                case 'f': m_unescaped += '\f'; break;
                case 'n': m_unescaped += '\n'; break;
                case 'r': m_unescaped += '\r'; break;
                case 't': m_unescaped += '\t'; break;
                case 'u': {
                    std::uint32_t code = 0;
                    if (!read_hex4(p + 2, code)) {
                        return fail(escape, "malformed JSON (`\\u` needs four hex digits)", m_fn);
                    }
                    p += 4;
                    if (code >= 0xD800 && code <= 0xDBFF) {
                        std::uint32_t low = 0;
                        if (p[2] != '\\' || p[3] != 'u' || !read_hex4(p + 4, low) ||
                            low < 0xDC00 || low > 0xDFFF) {
                            return fail(escape, "malformed JSON (a lone UTF-16 surrogate)", m_fn);
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                        p += 6;
                    } else if (code >= 0xDC00 && code <= 0xDFFF) {
                        return fail(escape, "malformed JSON (a lone UTF-16 surrogate)", m_fn);
                    }
                    core::append_utf8(m_unescaped, code);
                    break;
                }
                default:
                    return fail(escape, "malformed JSON (an unknown escape in a string)", m_fn);
            }
            p += 2;
            const char* stop = find_string_special(p);
            m_unescaped.append(p, stop);
            p = stop;
        }
    }

    static bool read_hex4(const char* p, std::uint32_t& out) noexcept {
        std::uint32_t value = 0;
        for (int i = 0; i < 4; ++i) {
            const int digit = hex_value(p[i]);
            if (digit < 0) {
                return false;
            }
            value = value * 16 + static_cast<std::uint32_t>(digit);
        }
        out = value;
        return true;
    }

    bool bad_string_byte(const char* p) {
        if (p >= m_end) {
            m_p = m_end;
            return fail(m_end, "malformed JSON (a string is not closed)", m_fn);
        }
        return fail(p, "malformed JSON (a control character in a string must be escaped)", m_fn);
    }

    // A number's extent at the cursor, checked against the grammar:
    // -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
    bool scan_number(const char*& end, bool& integral) {
        const char* p = m_p;
        if (*p == '-') {
            ++p;
        }
        if (*p == '0') {
            ++p;
        } else if (*p >= '1' && *p <= '9') {
            while (is_digit(*p)) {
                ++p;
            }
        } else {
            m_p = p;
            return malformed("expected a digit");
        }
        integral = true;
        if (*p == '.') {
            integral = false;
            ++p;
            if (!is_digit(*p)) {
                m_p = p;
                return malformed("expected a digit after `.`");
            }
            while (is_digit(*p)) {
                ++p;
            }
        }
        if (*p == 'e' || *p == 'E') {
            integral = false;
            ++p;
            if (*p == '+' || *p == '-') {
                ++p;
            }
            if (!is_digit(*p)) {
                m_p = p;
                return malformed("expected a digit in the exponent");
            }
            while (is_digit(*p)) {
                ++p;
            }
        }
        end = p;
        return true;
    }

    bool read_literal(std::string_view word) {
        if (std::memcmp(m_p, word.data(), word.size()) != 0) {
            return malformed("expected a JSON value");
        }
        m_p += word.size();
        return true;
    }

    // Any JSON value, checked and passed over (fields envsmith does not read).
    bool skip_value(int depth) {
        switch (*m_p) {
            case '"': {
                const char* start = m_p + 1;
                const char* stop = find_string_special(start);
                if (*stop == '"') {
                    m_p = stop + 1;
                    return true;
                }
                if (*stop != '\\') {
                    return bad_string_byte(stop);
                }
                m_unescaped.clear();
                return unescape_rest(stop);
            }
            case '{':
            case '[': {
                const char close = *m_p == '{' ? '}' : ']';
                if (depth >= max_depth) {
                    return malformed("objects and arrays nested too deeply");
                }
                ++m_p;
                Step step = first(close);
                for (; step == Step::more; step = next(close)) {
                    std::string_view key;
                    if ((close == '}' && !read_key(key)) || !skip_value(depth + 1)) {
                        return false;
                    }
                }
                return step == Step::closed;
            }
            case 't': return read_literal("true");
            case 'f': return read_literal("false");
            case 'n': return read_literal("null");
            default: {
                if (*m_p != '-' && !is_digit(*m_p)) {
                    return malformed("expected a JSON value");
                }
                const char* end = nullptr;
                bool integral = false;
                if (!scan_number(end, integral)) {
                    return false;
                }
                m_p = end;
                return true;
            }
        }
    }

    bool at_null() const noexcept { return std::memcmp(m_p, "null", 4) == 0; }

    // --- values ---

    enum class Kind : std::uint8_t { present, null };

    // A JSON string, or null (then `out` is left alone).
    [[gnu::always_inline]] bool read_string(std::string_view& out, std::string_view field,
                                            std::string_view fn, Kind* kind = nullptr) {
        if (*m_p == '"') {
            if (kind != nullptr) {
                *kind = Kind::present;
            }
            return read_string_token(out);
        }
        if (at_null()) {
            m_p += 4;
            if (kind != nullptr) {
                *kind = Kind::null;
            }
            return true;
        }
        return type_error(field, "a string", fn);
    }

    // A value of the wrong type at the cursor.
    bool type_error(std::string_view field, std::string_view expected, std::string_view fn) {
        return fail_type(m_p, field, expected, fn);
    }

    // A non-negative integer (a float is truncated: some old exports wrote timestamps as
    // floats), or null.
    bool read_uint(std::uint64_t& out, std::string_view field, std::string_view fn) {
        const char* start = m_p;
        if (is_digit(*start)) {
            // Fast path: a plain integer of up to 19 digits, nearly every number here.
            std::uint64_t value = 0;
            const char* p = read_digits(start, value);
            if (p != nullptr && *p != '.' && *p != 'e' && *p != 'E' &&
                (*start != '0' || p - start == 1)) {
                m_p = p;
                out = value;
                return true;
            }
            const char* end = nullptr;
            bool integral = false;
            if (!scan_number(end, integral)) {
                return false;
            }
            m_p = end;
            if (integral) {
                value = 0;
                bool overflow = false;
                for (p = start; p < end; ++p) {
                    overflow |= __builtin_mul_overflow(value, 10U, &value);
                    overflow |= __builtin_add_overflow(value, static_cast<unsigned>(*p - '0'),
                                                       &value);
                }
                if (!overflow) {
                    out = value;
                    return true;
                }
            }
            double real = 0;
            const auto parsed = std::from_chars(start, end, real);
            if (parsed.ec == std::errc() && real >= 0 && real < 1.8e19) {
                out = static_cast<std::uint64_t>(real);
                return true;
            }
            return fail_type(start, field, "a non-negative integer", fn);
        }
        if (at_null()) {
            m_p += 4;
            return true;
        }
        return type_error(field, "a non-negative integer", fn);
    }

    // An array of strings into m_scratch (cleared first), or null.
    bool read_string_list(std::string_view field, std::string_view fn) {
        m_scratch.clear();
        if (*m_p != '[') {
            if (at_null()) {
                m_p += 4;
                return true;
            }
            return type_error(field, "an array of strings", fn);
        }
        ++m_p;
        Step step = first(']');
        for (; step == Step::more; step = next(']')) {
            if (*m_p != '"') {
                return type_error(field, "an array of strings", fn);
            }
            std::string_view text;
            if (!read_string_token(text)) {
                return false;
            }
            m_scratch.push_back(text);
        }
        return step == Step::closed;
    }

    bool read_info() {
        if (*m_p != '{') {
            return type_error("info", "an object", {});
        }
        ++m_p;
        Step step = first('}');
        for (; step == Step::more; step = next('}')) {
            std::string_view key;
            if (!read_key(key)) {
                return false;
            }
            const bool is_subdir = key == "subdir";
            if (is_subdir || key == "base_url") {
                std::string_view text;
                if (!read_string(text, is_subdir ? "info.subdir" : "info.base_url", {})) {
                    return false;
                }
                (is_subdir ? m_store.info.subdir : m_store.info.base_url) = std::string(text);
            } else if (!skip_value(2)) {
                return false;
            }
        }
        return step == Step::closed;
    }

    bool read_removed() {
        if (!read_string_list("removed", {})) {
            return false;
        }
        m_store.removed.insert(m_store.removed.end(), m_scratch.begin(), m_scratch.end());
        return true;
    }

    bool read_packages() {
        if (*m_p != '{') {
            return type_error("packages", "an object", {});
        }
        ++m_p;
        Step step = first('}');
        for (; step == Step::more; step = next('}')) {
            const char* at = m_p;
            std::string_view fn;
            if (!read_key(fn) || !read_record(fn, at)) {
                return false;
            }
        }
        return step == Step::closed;
    }

    bool read_record(std::string_view fn, const char* at) {
        if (*m_p != '{') {
            return fail(at, "a package record must be an object", fn);
        }
        ++m_p;
        prefault_records();
        CondaRecord& record = m_store.records.emplace_back();
        record.fn = fn;
        m_fn = fn;
        bool has_name = false;
        bool has_version = false;
        bool has_build = false;
        Step step = first('}');
        for (; step == Step::more; step = next('}')) {
            std::string_view key;
            bool ok = read_key(key);
            if (ok) {
                const Field which = field_of(key);
                ok = which == Field::unknown
                         ? skip_value(3)
                         : read_field(which, record, has_name, has_version, has_build);
            }
            if (!ok) {
                step = Step::error;
                break;
            }
        }
        m_fn = {};
        if (step == Step::error) {
            m_store.records.pop_back();
            return false;
        }
        std::string_view missing;
        if (!has_name) {
            missing = "name";
        } else if (!has_version) {
            missing = "version";
        } else if (!has_build) {
            missing = "build";
        }
        if (!missing.empty()) {
            m_store.records.pop_back();
            return fail(at, fmt::format("the record has no `{}`", missing), fn);
        }
        if (record.timestamp != 0 && record.timestamp <= max_seconds_timestamp) {
            record.timestamp *= 1000;
        }
        m_store.note_last_record();
        return true;
    }

    bool read_field(Field which, CondaRecord& record, bool& has_name, bool& has_version,
                    bool& has_build) {
        const std::string_view name = field_name(which);
        const std::string_view fn = record.fn;
        Kind kind = Kind::null;
        switch (which) {
            case Field::name:
                if (!read_string(record.name, name, fn, &kind)) {
                    return false;
                }
                has_name = kind == Kind::present && !record.name.empty();
                return true;
            case Field::version:
                if (!read_string(record.version, name, fn, &kind)) {
                    return false;
                }
                has_version = kind == Kind::present && !record.version.empty();
                return true;
            case Field::build:
                if (!read_string(record.build, name, fn, &kind)) {
                    return false;
                }
                has_build = kind == Kind::present;
                return true;
            case Field::build_number: return read_uint(record.build_number, name, fn);
            case Field::size: return read_uint(record.size, name, fn);
            case Field::timestamp: return read_uint(record.timestamp, name, fn);
            case Field::md5: return read_string(record.md5, name, fn);
            case Field::sha256: return read_string(record.sha256, name, fn);
            case Field::license: return read_string(record.license, name, fn);
            case Field::subdir: return read_string(record.subdir, name, fn);
            case Field::depends:
                if (!read_string_list(name, fn)) {
                    return false;
                }
                record.depends = m_store.lists.store(m_scratch);
                return true;
            case Field::constrains:
                if (!read_string_list(name, fn)) {
                    return false;
                }
                record.constrains = m_store.lists.store(m_scratch);
                return true;
            case Field::noarch: return read_noarch(record);
            case Field::track_features: return read_track_features(record);
            case Field::unknown: break;
        }
        return true;
    }

    bool read_noarch(CondaRecord& record) {
        if (*m_p == 't' || *m_p == 'f') {
            const bool flag = *m_p == 't';
            if (!read_literal(flag ? "true" : "false")) {
                return false;
            }
            record.noarch = flag ? std::string_view("generic") : std::string_view();
            return true;
        }
        if (*m_p != '"' && !at_null()) {
            return type_error("noarch", "a string or a boolean", record.fn);
        }
        return read_string(record.noarch, "noarch", record.fn);
    }

    bool read_track_features(CondaRecord& record) {
        if (*m_p == '[') {  // some exporters write a list
            if (!read_string_list("track_features", record.fn)) {
                return false;
            }
        } else {
            std::string_view text;
            if (!read_string(text, "track_features", record.fn)) {
                return false;
            }
            m_scratch.clear();
            split_features(text, m_scratch);
        }
        record.track_features = m_store.lists.store(m_scratch);
        return true;
    }

    // Maps the next few MB of the reserved record array before they are written.
    void prefault_records() noexcept {
        auto& records = m_store.records;
        if (records.size() < m_prefaulted) {
            return;
        }
        constexpr std::size_t chunk = (4U << 20) / sizeof(CondaRecord);
        const std::size_t end = std::min(records.capacity(), records.size() + chunk);
        if (end > records.size()) {
            detail::prefault(records.data() + records.size(),
                             (end - records.size()) * sizeof(CondaRecord));
        }
        m_prefaulted = end;
    }

    detail::Store& m_store;
    std::size_t m_prefaulted = 0;
    const ParseOptions& m_options;
    std::string_view m_text;
    const char* m_p;
    const char* m_end;
    std::string_view m_fn;    // the record being read, for errors
    std::string m_unescaped;  // a string with escapes, while it is decoded
    std::vector<std::string_view> m_scratch;
    core::Error m_error;
};

// Where downloads come from: the resolved base_url, else the subdir URL, with a final '/'.
void set_download_base(detail::Store& store, std::string_view subdir_url) {
    if (!store.info.base_url.empty()) {
        store.info.base_url = detail::resolve_url(store.info.base_url, subdir_url);
        store.download_base = store.info.base_url;
    } else {
        store.download_base = std::string(subdir_url);
    }
    if (!store.download_base.empty() && store.download_base.back() != '/') {
        store.download_base += '/';
    }
}

bool has_scheme(std::string_view url) noexcept {
    if (url.empty() || !core::is_ascii_alpha(url[0])) {
        return false;
    }
    for (std::size_t i = 1; i < url.size(); ++i) {
        const char c = url[i];
        if (c == ':') {
            return true;
        }
        if (!core::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.') {
            return false;
        }
    }
    return false;
}

// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    const bool absolute = !path.empty() && path[0] == '/';
    std::size_t i = absolute ? 1 : 0;
    bool trailing_slash = false;
    while (i <= path.size()) {
        std::size_t end = path.find('/', i);
        if (end == std::string_view::npos) {
            end = path.size();
        }
        const std::string_view segment = path.substr(i, end - i);
        trailing_slash = end < path.size() || segment == "." || segment == "..";
        if (segment == "..") {
            if (!out.empty()) {
                out.pop_back();
            }
        } else if (segment != ".") {
            if (end < path.size() || !segment.empty()) {
                out.push_back(segment);
            }
            trailing_slash = end < path.size() && end + 1 == path.size();
        }
        i = end + 1;
    }
    std::string result = absolute ? "/" : "";
    for (std::size_t k = 0; k < out.size(); ++k) {
        if (k > 0) {
            result += '/';
        }
        result += out[k];
    }
    if (trailing_slash && !out.empty()) {
        result += '/';
    }
    return result;
}

}  // namespace

namespace detail {

void prefault(void* begin, std::size_t bytes) noexcept {
#if defined(__linux__) && defined(MADV_POPULATE_WRITE)
    constexpr std::uintptr_t page = 4096;
    const auto first = (reinterpret_cast<std::uintptr_t>(begin) + page - 1) & ~(page - 1);
    const auto last = (reinterpret_cast<std::uintptr_t>(begin) + bytes) & ~(page - 1);
    if (last > first) {
        // Errors (an old kernel: EINVAL) only mean the pages fault in one by one as before.
        static_cast<void>(
            madvise(reinterpret_cast<void*>(first), last - first, MADV_POPULATE_WRITE));
    }
#else
    static_cast<void>(begin);
    static_cast<void>(bytes);
#endif
}

void reserve_text(std::string& text, std::size_t capacity) {
    text.reserve(capacity);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (capacity >= huge_text_threshold) {
        const auto begin = reinterpret_cast<std::uintptr_t>(text.data());
        const auto first = (begin + huge_page_size - 1) & ~(huge_page_size - 1);
        const auto last = (begin + capacity) & ~(huge_page_size - 1);
        if (last > first) {
            // Refused (EINVAL) without THP: the pages are then small, as before.
            static_cast<void>(madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE));
        }
        prefault(text.data(), capacity);
    }
#endif
}

void* allocate_pages(std::size_t bytes) {
#if defined(__linux__)
    if (bytes >= huge_threshold) {
        const std::size_t length = (bytes + huge_page_size - 1) & ~(huge_page_size - 1);
        // Over-allocate by one huge page and trim, so the block starts on a 2 MiB boundary
        // (only whole aligned 2 MiB ranges can be huge pages).
        void* raw = mmap(nullptr, length + huge_page_size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED) {
            throw std::bad_alloc();
        }
        const auto start = reinterpret_cast<std::uintptr_t>(raw);
        const auto aligned = (start + huge_page_size - 1) & ~(huge_page_size - 1);
        if (aligned > start) {
            munmap(raw, aligned - start);
        }
        const std::uintptr_t tail = start + length + huge_page_size - (aligned + length);
        if (tail > 0) {
            munmap(reinterpret_cast<void*>(aligned + length), tail);
        }
        auto* block = reinterpret_cast<void*>(aligned);
#if defined(MADV_HUGEPAGE)
        // Refused (EINVAL) when the kernel has no THP: the pages are then small, as before.
        static_cast<void>(madvise(block, length, MADV_HUGEPAGE));
#endif
        return block;
    }
#endif
    return ::operator new(bytes);
}

void release_pages(void* block, std::size_t bytes) noexcept {
    if (block == nullptr) {
        return;
    }
#if defined(__linux__)
    if (bytes >= huge_threshold) {
        const std::size_t length = (bytes + huge_page_size - 1) & ~(huge_page_size - 1);
        munmap(block, length);
        return;
    }
#endif
    ::operator delete(block);
}

std::string resolve_url(std::string_view base_url, std::string_view subdir_url) {
    if (base_url.empty() || has_scheme(base_url) || subdir_url.empty()) {
        return std::string(base_url);
    }
    const std::size_t colon =
        has_scheme(subdir_url) ? subdir_url.find(':') : std::string_view::npos;
    const std::string_view scheme =
        colon == std::string_view::npos ? std::string_view{} : subdir_url.substr(0, colon + 1);
    std::string_view rest = subdir_url.substr(scheme.size());
    std::string_view authority;
    if (rest.substr(0, 2) == "//") {
        const std::size_t slash = rest.find('/', 2);
        authority = rest.substr(0, slash == std::string_view::npos ? rest.size() : slash);
        rest.remove_prefix(authority.size());
    }
    const std::size_t query = rest.find_first_of("?#");
    if (query != std::string_view::npos) {
        rest = rest.substr(0, query);
    }
    if (base_url.substr(0, 2) == "//") {
        return std::string(scheme) + std::string(base_url);
    }
    if (base_url[0] == '/') {
        return std::string(scheme) + std::string(authority) + remove_dot_segments(base_url);
    }
    std::string merged;
    const std::size_t last_slash = rest.rfind('/');
    if (last_slash != std::string_view::npos) {
        merged = std::string(rest.substr(0, last_slash + 1));
    } else if (!authority.empty()) {
        merged = "/";
    }
    merged += base_url;
    return std::string(scheme) + std::string(authority) + remove_dot_segments(merged);
}

void Store::note_last_record() {
    const CondaRecord& record = records.back();
    RecordNote note;
    std::string_view stem = record.fn;
    if (ends_with(stem, ".conda")) {
        note.kind = RecordNote::Kind::conda;
        stem.remove_suffix(6);
    } else if (ends_with(stem, ".tar.bz2")) {
        note.kind = RecordNote::Kind::tar_bz2;
        stem.remove_suffix(8);
    }
    note.stem_hash = hash_bytes(stem);
    // Consecutive records usually share a name: the table is consulted once per run.
    const std::string_view name = record.name;
    if (last_group == UINT32_MAX || name.size() != last_name.size() ||
        std::memcmp(name.data(), last_name.data(), name.size()) != 0) {
        const std::string lowered = has_upper(name) ? lowercase(name) : std::string();
        const std::string_view key = lowered.empty() ? name : std::string_view(lowered);
        const auto* found = by_name.find(key);
        if (found != nullptr) {
            last_group = *found;
        } else {
            // A compact copy: the sort and later lookups then stay in cache.
            const std::string_view copy = strings.copy(key);
            last_group = static_cast<std::uint32_t>(groups.size());
            by_name.insert(copy, last_group);
            groups.push_back({});
            names.push_back(copy);
        }
        last_name = name;
    }
    note.group = last_group;
    ++groups[last_group].count;
    notes.push_back(note);
}

void finish_store(Store& store) {
    auto& records = store.records;
    auto& notes = store.notes;

    // A `.tar.bz2` whose `.conda` twin exists is dropped. The table holds the smaller side,
    // keyed by the stems' hashes; a hash hit is confirmed on the strings.
    std::size_t conda_count = 0;
    std::size_t bz2_count = 0;
    for (const auto& note : notes) {
        conda_count += note.kind == RecordNote::Kind::conda ? 1U : 0U;
        bz2_count += note.kind == RecordNote::Kind::tar_bz2 ? 1U : 0U;
    }
    if (conda_count > 0 && bz2_count > 0) {
        const bool index_conda = conda_count <= bz2_count;
        const auto indexed = index_conda ? RecordNote::Kind::conda : RecordNote::Kind::tar_bz2;
        const auto probed = index_conda ? RecordNote::Kind::tar_bz2 : RecordNote::Kind::conda;
        std::size_t capacity = 16;
        while (capacity < std::min(conda_count, bz2_count) * 2) {
            capacity *= 2;
        }
        constexpr std::uint32_t empty = UINT32_MAX;
        std::vector<std::uint32_t> table(capacity, empty);
        for (std::size_t i = 0; i < notes.size(); ++i) {
            if (notes[i].kind != indexed) {
                continue;
            }
            std::size_t slot = static_cast<std::size_t>(notes[i].stem_hash) & (capacity - 1);
            while (table[slot] != empty) {
                slot = (slot + 1) & (capacity - 1);
            }
            table[slot] = static_cast<std::uint32_t>(i);
        }
        const auto stem_of = [&](std::size_t i) {
            const auto fn = records[i].fn;
            return fn.substr(0, fn.size() - (notes[i].kind == RecordNote::Kind::conda ? 6 : 8));
        };
        std::vector<std::uint8_t> drop;
        for (std::size_t i = 0; i < notes.size(); ++i) {
            if (notes[i].kind != probed) {
                continue;
            }
            std::size_t slot = static_cast<std::size_t>(notes[i].stem_hash) & (capacity - 1);
            for (; table[slot] != empty; slot = (slot + 1) & (capacity - 1)) {
                const std::uint32_t twin = table[slot];
                if (notes[twin].stem_hash == notes[i].stem_hash && stem_of(twin) == stem_of(i)) {
                    if (drop.empty()) {
                        drop.assign(records.size(), 0);
                    }
                    drop[index_conda ? i : twin] = 1;
                    break;
                }
            }
        }
        if (!drop.empty()) {
            std::size_t kept = 0;
            for (std::size_t i = 0; i < records.size(); ++i) {
                if (drop[i] != 0) {
                    --store.groups[notes[i].group].count;
                    continue;
                }
                records[kept] = records[i];
                notes[kept] = notes[i];
                ++kept;
            }
            records.resize(kept);
            notes.resize(kept);
        }
    }

    // Records without their own subdir get the repodata's. The view points into the Store,
    // which never moves.
    const std::string_view subdir = store.info.subdir;
    for (auto& record : records) {
        if (record.subdir.empty()) {
            record.subdir = subdir;
        }
    }

    // The name index: groups laid out one after another, each in file order.
    std::uint32_t offset = 0;
    for (auto& group : store.groups) {
        group.offset = offset;
        offset += group.count;
        group.count = 0;
    }
    store.name_indices.resize(records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        auto& group = store.groups[notes[i].group];
        store.name_indices[group.offset + group.count++] = static_cast<std::uint32_t>(i);
    }
    // A name whose every record was dropped keeps an empty group: by_name gives an empty
    // span, and names() must not list it.
    if (std::any_of(store.groups.begin(), store.groups.end(),
                    [](const Store::Group& group) { return group.count == 0; })) {
        std::erase_if(store.names, [&](std::string_view name) {
            return store.groups[*store.by_name.find(name)].count == 0;
        });
    }
    notes = {};
}

}  // namespace detail

// --- Repodata ---

Repodata::Repodata() : m_impl(std::make_unique<Impl>()) {}
Repodata::~Repodata() = default;
Repodata::Repodata(Repodata&&) noexcept = default;
Repodata& Repodata::operator=(Repodata&&) noexcept = default;

core::Result<Repodata> Repodata::parse(std::string json, const ParseOptions& options) {
    Repodata repodata;
    auto& store = repodata.m_impl->store;
    const std::size_t size = json.size();
    // The reader looks up to json_padding bytes past the end and relies on them being zero:
    // use the spare capacity when there is enough, else copy once into a buffer made for it
    // (huge pages for a large text).
    if (json.capacity() < size + Repodata::json_padding) {
        std::string padded;
        detail::reserve_text(padded, size + Repodata::json_padding);
        padded.append(json);
        json = std::move(padded);
    }
    json.resize(size + Repodata::json_padding, '\0');
    json.resize(size);
    store.json = std::move(json);
    store.info.subdir = options.subdir;
    const std::string_view text = store.json;
    // RFC 8259 wants UTF-8; checking the whole text at once (simdjson's validator, many GB/s)
    // lets the reader treat every byte of 0x80 and above as a plain string byte.
    if (!simdjson::validate_utf8(text.data(), text.size())) {
        return Reader::invalid_repodata(options.source, text, first_invalid_utf8(text),
                                        "the text is not UTF-8", {});
    }
    store.records.reserve(size / 320 + 16);
    store.notes.reserve(size / 320 + 16);
    Reader reader(store, options, text);
    if (!reader.read()) {
        return reader.take_error();
    }
    if (store.info.subdir.empty()) {
        store.info.subdir = options.subdir;
    }
    set_download_base(store, options.subdir_url);
    detail::finish_store(store);
    return repodata;
}

const RepodataInfo& Repodata::info() const noexcept {
    return m_impl->store.info;
}

std::size_t Repodata::size() const noexcept {
    return m_impl->store.records.size();
}

std::span<const CondaRecord> Repodata::records() const noexcept {
    return m_impl->store.records;
}

std::span<const std::uint32_t> Repodata::by_name(std::string_view name) const noexcept {
    const auto& store = m_impl->store;
    const std::uint32_t* group = nullptr;
    if (has_upper(name)) {
        try {
            group = store.by_name.find(lowercase(name));
        } catch (...) {  // allocation failure: noexcept promises no throw
            return {};
        }
    } else {
        group = store.by_name.find(name);
    }
    if (group == nullptr) {
        return {};
    }
    const auto& range = store.groups[*group];
    return {store.name_indices.data() + range.offset, range.count};
}

std::span<const std::string_view> Repodata::names() const {
    auto& names = m_impl->store.names;
    std::call_once(m_impl->names_sorted, [&names] { std::sort(names.begin(), names.end()); });
    return names;
}

std::span<const std::string_view> Repodata::removed() const noexcept {
    return m_impl->store.removed;
}

std::string Repodata::url_of(const CondaRecord& record) const {
    return m_impl->store.download_base + std::string(record.fn);
}

// --- RepodataBuilder ---

RepodataBuilder::RepodataBuilder(RepodataInfo info, std::string subdir_url)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->store.info = std::move(info);
    m_impl->subdir_url = std::move(subdir_url);
}
RepodataBuilder::~RepodataBuilder() = default;
RepodataBuilder::RepodataBuilder(RepodataBuilder&&) noexcept = default;
RepodataBuilder& RepodataBuilder::operator=(RepodataBuilder&&) noexcept = default;

void RepodataBuilder::add(const CondaRecord& record) {
    auto& impl = *m_impl;
    CondaRecord copy = record;
    copy.name = impl.intern(record.name);
    copy.version = impl.intern(record.version);
    copy.build = impl.intern(record.build);
    copy.fn = impl.store.strings.copy(record.fn);  // unique per record: not worth a table slot
    copy.subdir = impl.intern(record.subdir);
    copy.md5 = impl.store.strings.copy(record.md5);
    copy.sha256 = impl.store.strings.copy(record.sha256);
    copy.license = impl.intern(record.license);
    copy.noarch = impl.intern(record.noarch);
    if (copy.timestamp != 0 && copy.timestamp <= max_seconds_timestamp) {
        copy.timestamp *= 1000;
    }
    const auto copy_list = [&](std::span<const std::string_view> items) {
        impl.scratch.clear();
        for (const auto item : items) {
            impl.scratch.push_back(impl.intern(item));
        }
        return impl.store.lists.store(impl.scratch);
    };
    copy.depends = copy_list(record.depends);
    copy.constrains = copy_list(record.constrains);
    copy.track_features = copy_list(record.track_features);
    impl.store.records.push_back(copy);
    impl.store.note_last_record();
}

void RepodataBuilder::add_removed(std::string_view fn) {
    m_impl->store.removed.push_back(m_impl->intern(fn));
}

Repodata RepodataBuilder::finish() && {
    Repodata repodata;
    // Moving the Store keeps the arenas' blocks (every view stays valid); the views into
    // `info` are made only after the move, since short strings live inline.
    repodata.m_impl->store = std::move(m_impl->store);
    auto& store = repodata.m_impl->store;
    set_download_base(store, m_impl->subdir_url);
    detail::finish_store(store);
    m_impl.reset();
    return repodata;
}

std::string make_repodata_buffer(std::size_t size) {
    std::string text;
    detail::reserve_text(text, size + Repodata::json_padding);
    text.resize(size);
    return text;
}

// --- conversion ---

core::Result<specs::PackageRecord> to_package_record(const Repodata& repodata,
                                                     const CondaRecord& record,
                                                     std::string_view channel) {
    auto version = specs::CondaVersion::parse(record.version);
    if (!version) {
        return std::move(version).error().with_context(
            fmt::format("reading package `{}` of {}", record.fn, channel));
    }
    specs::PackageRecord out;
    out.name = std::string(record.name);
    out.version = std::move(version).value();
    out.build = std::string(record.build);
    out.build_number = record.build_number;
    out.channel = std::string(channel);
    out.subdir = std::string(record.subdir);
    out.fn = std::string(record.fn);
    out.url = repodata.url_of(record);
    out.md5 = std::string(record.md5);
    out.sha256 = std::string(record.sha256);
    out.track_features.assign(record.track_features.begin(), record.track_features.end());
    out.license = std::string(record.license);
    out.depends.assign(record.depends.begin(), record.depends.end());
    out.constrains.assign(record.constrains.begin(), record.constrains.end());
    out.timestamp = record.timestamp;
    out.noarch = std::string(record.noarch);
    return out;
}

}  // namespace envsmith::index
