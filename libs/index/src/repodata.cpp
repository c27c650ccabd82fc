// repodata.json (conda's channel index of one subdir) into a compact, read-only Repodata.
//
// The parse is one pass of simdjson's On-Demand API over the caller's bytes. Strings are
// views into those bytes: a string's end is found by scanning for its closing quote eight
// bytes at a time, and only a string that holds a backslash is unescaped (by simdjson) and
// copied into the Store's arena. Records go straight into one vector; depends, constrains
// and track_features go into a list arena whose blocks never move, so every span stays valid.
// Interning is left to RepodataBuilder: here the views cost no memory beyond the text itself.
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
#include <cstdint>
#include <cstdio>
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

static_assert(Repodata::json_padding == simdjson::SIMDJSON_PADDING,
              "Repodata::json_padding must match simdjson's padding");

struct Repodata::Impl {
    detail::Store store;
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

namespace od = simdjson::ondemand;

constexpr std::string_view invalid_id = "index.repodata.invalid";
// conda: a timestamp above 253402300799 (9999-12-31T23:59:59 in seconds) is already in ms.
constexpr std::uint64_t max_seconds_timestamp = 253402300799ULL;

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

// The first '"' or '\\' at or after `p`. The text is padded and stage 1 of simdjson checked
// that every string is closed, so the scan ends inside the buffer; it may read up to 15
// bytes past the quote, which the padding covers.
const char* find_quote_or_backslash(const char* p) noexcept {
#if defined(__SSE2__)
    const __m128i quotes = _mm_set1_epi8('"');
    const __m128i backslashes = _mm_set1_epi8('\\');
    for (;;) {
        const __m128i chunk = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
        const __m128i hits =
            _mm_or_si128(_mm_cmpeq_epi8(chunk, quotes), _mm_cmpeq_epi8(chunk, backslashes));
        const auto mask = static_cast<unsigned>(_mm_movemask_epi8(hits));
        if (mask != 0) {
            return p + std::countr_zero(mask);
        }
        p += 16;
    }
#else
    if constexpr (std::endian::native == std::endian::little) {
        constexpr std::uint64_t ones = 0x0101010101010101ULL;
        constexpr std::uint64_t highs = 0x8080808080808080ULL;
        constexpr std::uint64_t quotes = ones * static_cast<std::uint8_t>('"');
        constexpr std::uint64_t backslashes = ones * static_cast<std::uint8_t>('\\');
        for (;;) {
            std::uint64_t word = 0;
            std::memcpy(&word, p, sizeof word);
            const std::uint64_t q = word ^ quotes;
            const std::uint64_t b = word ^ backslashes;
            // The lowest set bit of each "has a zero byte" mask is exact (false positives only
            // occur above a true zero byte), so the lowest bit of the union is too.
            const std::uint64_t hits = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
            if (hits != 0) {
                return p + (std::countr_zero(hits) / 8);
            }
            p += sizeof word;
        }
    } else {
        while (*p != '"' && *p != '\\') {
            ++p;
        }
        return p;
    }
#endif
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

// One parse of one text. Functions return false after storing the error in m_error.
class Reader {
public:
    Reader(detail::Store& store, const ParseOptions& options, std::string_view text)
        : m_store(store), m_options(options), m_text(text) {}

    bool read(od::document& doc) {
        m_doc = &doc;
        od::object root;
        if (const auto code = doc.get_object().get(root)) {
            return fail_json(code, m_text.data(),
                             code == simdjson::INCORRECT_TYPE ? "the top level is not an object"
                                                              : std::string_view{});
        }
        for (auto field_result : root) {
            od::field field;
            if (const auto code = std::move(field_result).get(field)) {
                return fail_json(code, nullptr);
            }
            std::string_view key;
            if (const auto code = field.unescaped_key().get(key)) {
                return fail_json(code, nullptr);
            }
            od::value& value = field.value();
            if (key == "packages" || key == "packages.conda") {
                if (!read_packages(value)) {
                    return false;
                }
            } else if (key == "info") {
                if (!read_info(value)) {
                    return false;
                }
            } else if (key == "removed") {
                if (!read_removed(value)) {
                    return false;
                }
            } else if (key == "repodata_version") {
                std::uint64_t version = 0;
                if (!read_uint(value, version, "repodata_version", {})) {
                    return false;
                }
                if (version > 0) {
                    m_store.info.repodata_version =
                        static_cast<std::uint32_t>(std::min<std::uint64_t>(version, UINT32_MAX));
                }
            }
        }
        // simdjson 3.0 has no document::at_end(): a location past the root object means
        // there is another token.
        const char* trailing = nullptr;
        if (doc.current_location().get(trailing) == simdjson::SUCCESS) {
            return fail(trailing, "unexpected text after the top-level object", {});
        }
        return true;
    }

    core::Error take_error() { return std::move(m_error); }

private:
    // --- errors ---

    std::size_t offset_of(const char* p) const noexcept {
        if (p < m_text.data() || p > m_text.data() + m_text.size()) {
            return m_text.size();
        }
        return static_cast<std::size_t>(p - m_text.data());
    }

    const char* location() const noexcept {
        const char* p = nullptr;
        if (m_doc == nullptr || m_doc->current_location().get(p) != simdjson::SUCCESS) {
            return m_text.data() + m_text.size();
        }
        return p;
    }

    bool fail(const char* where, std::string_view reason, std::string_view fn) {
        m_error = invalid_repodata(m_options.source, m_text, offset_of(where), reason, fn);
        return false;
    }

    bool fail_json(simdjson::error_code code, const char* where, std::string_view reason = {}) {
        if (where == nullptr) {
            where = location();
        }
        const std::string text =
            reason.empty() ? fmt::format("malformed JSON ({})", simdjson::error_message(code))
                           : std::string(reason);
        return fail(where, text, {});
    }

    bool fail_type(const char* where, std::string_view field, std::string_view expected,
                   std::string_view fn) {
        return fail(where, fmt::format("`{}` must be {}", field, expected), fn);
    }

public:
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
    // --- values ---

    enum class Kind : std::uint8_t { present, null };

    // A JSON string, or null (then `out` is left alone).
    bool read_string(od::value& value, std::string_view& out, std::string_view field,
                     std::string_view fn, Kind* kind = nullptr) {
        const char* start = value.raw_json_token().data();
        if (*start == '"') {
            const char* stop = find_quote_or_backslash(start + 1);
            if (*stop == '"') {
                out = std::string_view(start + 1, static_cast<std::size_t>(stop - start - 1));
            } else {
                std::string_view unescaped;
                if (const auto code = value.get_string().get(unescaped)) {
                    return fail_json(code, start);
                }
                out = m_store.strings.copy(unescaped);
            }
            if (kind != nullptr) {
                *kind = Kind::present;
            }
            return true;
        }
        if (*start == 'n') {
            bool is_null = false;
            if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
                if (kind != nullptr) {
                    *kind = Kind::null;
                }
                return true;
            }
        }
        return fail_type(start, field, "a string", fn);
    }

    // A non-negative integer (a float is truncated: some old exports wrote timestamps as
    // floats), or null.
    bool read_uint(od::value& value, std::uint64_t& out, std::string_view field,
                   std::string_view fn) {
        const char* start = value.raw_json_token().data();
        if (*start == 'n') {
            bool is_null = false;
            if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
                return true;
            }
            return fail_type(start, field, "a non-negative integer", fn);
        }
        std::uint64_t number = 0;
        if (value.get_uint64().get(number) == simdjson::SUCCESS) {
            out = number;
            return true;
        }
        double real = 0;
        if (value.get_double().get(real) == simdjson::SUCCESS && real >= 0 && real < 1.8e19) {
            out = static_cast<std::uint64_t>(real);
            return true;
        }
        return fail_type(start, field, "a non-negative integer", fn);
    }

    // An array of strings into m_scratch (cleared first), or null.
    bool read_string_list(od::value& value, std::string_view field, std::string_view fn) {
        m_scratch.clear();
        const char* start = value.raw_json_token().data();
        if (*start == 'n') {
            bool is_null = false;
            if (value.is_null().get(is_null) == simdjson::SUCCESS && is_null) {
                return true;
            }
        }
        if (*start != '[') {
            return fail_type(start, field, "an array of strings", fn);
        }
        od::array array;
        if (const auto code = value.get_array().get(array)) {
            return fail_json(code, start);
        }
        for (auto element_result : array) {
            od::value element;
            if (const auto code = std::move(element_result).get(element)) {
                return fail_json(code, nullptr);
            }
            std::string_view text;
            Kind kind = Kind::present;
            if (!read_string(element, text, field, fn, &kind)) {
                return false;
            }
            if (kind == Kind::null) {
                return fail_type(element.raw_json_token().data(), field, "an array of strings", fn);
            }
            m_scratch.push_back(text);
        }
        return true;
    }

    bool read_info(od::value& value) {
        od::object object;
        if (const auto code = value.get_object().get(object)) {
            return fail_json(
                code, nullptr,
                code == simdjson::INCORRECT_TYPE ? "`info` must be an object" : std::string_view{});
        }
        for (auto field_result : object) {
            od::field field;
            if (const auto code = std::move(field_result).get(field)) {
                return fail_json(code, nullptr);
            }
            std::string_view key;
            if (const auto code = field.unescaped_key().get(key)) {
                return fail_json(code, nullptr);
            }
            const bool is_subdir = key == "subdir";
            if (!is_subdir && key != "base_url") {
                continue;
            }
            std::string_view text;
            if (!read_string(field.value(), text, is_subdir ? "info.subdir" : "info.base_url",
                             {})) {
                return false;
            }
            (is_subdir ? m_store.info.subdir : m_store.info.base_url) = std::string(text);
        }
        return true;
    }

    bool read_removed(od::value& value) {
        if (!read_string_list(value, "removed", {})) {
            return false;
        }
        m_store.removed.insert(m_store.removed.end(), m_scratch.begin(), m_scratch.end());
        return true;
    }

    bool read_packages(od::value& value) {
        od::object object;
        if (const auto code = value.get_object().get(object)) {
            return fail_json(code, nullptr,
                             code == simdjson::INCORRECT_TYPE ? "`packages` must be an object"
                                                              : std::string_view{});
        }
        for (auto field_result : object) {
            od::field field;
            if (const auto code = std::move(field_result).get(field)) {
                return fail_json(code, nullptr);
            }
            const char* raw = field.key().raw();
            std::string_view fn;
            const char* stop = find_quote_or_backslash(raw);
            if (*stop == '"') {
                fn = std::string_view(raw, static_cast<std::size_t>(stop - raw));
            } else {
                std::string_view unescaped;
                if (const auto code = field.unescaped_key().get(unescaped)) {
                    return fail_json(code, raw);
                }
                fn = m_store.strings.copy(unescaped);
            }
            if (!read_record(fn, raw - 1, field.value())) {
                return false;
            }
        }
        return true;
    }

    bool read_record(std::string_view fn, const char* at, od::value& value) {
        od::object object;
        if (const auto code = value.get_object().get(object)) {
            return code == simdjson::INCORRECT_TYPE
                       ? fail(at, "a package record must be an object", fn)
                       : fail_json(code, nullptr);
        }
        prefault_records();
        CondaRecord& record = m_store.records.emplace_back();
        record.fn = fn;
        bool has_name = false;
        bool has_version = false;
        bool has_build = false;
        for (auto field_result : object) {
            od::field field;
            if (const auto code = std::move(field_result).get(field)) {
                m_store.records.pop_back();
                return fail_json(code, nullptr);
            }
            const char* raw = field.key().raw();
            std::string_view key;
            const char* stop = find_quote_or_backslash(raw);
            if (*stop == '"') {
                key = std::string_view(raw, static_cast<std::size_t>(stop - raw));
            } else if (const auto code = field.unescaped_key().get(key)) {
                m_store.records.pop_back();
                return fail_json(code, raw);
            }
            const Field which = field_of(key);
            if (which == Field::unknown) {
                continue;
            }
            if (!read_field(which, field.value(), record, has_name, has_version, has_build)) {
                m_store.records.pop_back();
                return false;
            }
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

    bool read_field(Field which, od::value& value, CondaRecord& record, bool& has_name,
                    bool& has_version, bool& has_build) {
        const std::string_view name = field_name(which);
        const std::string_view fn = record.fn;
        Kind kind = Kind::null;
        switch (which) {
            case Field::name:
                if (!read_string(value, record.name, name, fn, &kind)) {
                    return false;
                }
                has_name = kind == Kind::present && !record.name.empty();
                return true;
            case Field::version:
                if (!read_string(value, record.version, name, fn, &kind)) {
                    return false;
                }
                has_version = kind == Kind::present && !record.version.empty();
                return true;
            case Field::build:
                if (!read_string(value, record.build, name, fn, &kind)) {
                    return false;
                }
                has_build = kind == Kind::present;
                return true;
            case Field::build_number: return read_uint(value, record.build_number, name, fn);
            case Field::size: return read_uint(value, record.size, name, fn);
            case Field::timestamp: return read_uint(value, record.timestamp, name, fn);
            case Field::md5: return read_string(value, record.md5, name, fn);
            case Field::sha256: return read_string(value, record.sha256, name, fn);
            case Field::license: return read_string(value, record.license, name, fn);
            case Field::subdir: return read_string(value, record.subdir, name, fn);
            case Field::depends:
                if (!read_string_list(value, name, fn)) {
                    return false;
                }
                record.depends = m_store.lists.store(m_scratch);
                return true;
            case Field::constrains:
                if (!read_string_list(value, name, fn)) {
                    return false;
                }
                record.constrains = m_store.lists.store(m_scratch);
                return true;
            case Field::noarch: return read_noarch(value, record);
            case Field::track_features: return read_track_features(value, record);
            case Field::unknown: break;
        }
        return true;
    }

    bool read_noarch(od::value& value, CondaRecord& record) {
        const char* start = value.raw_json_token().data();
        if (*start == 't' || *start == 'f') {
            bool flag = false;
            if (value.get_bool().get(flag) != simdjson::SUCCESS) {
                return fail_type(start, "noarch", "a string or a boolean", record.fn);
            }
            record.noarch = flag ? std::string_view("generic") : std::string_view();
            return true;
        }
        if (*start != '"' && *start != 'n') {
            return fail_type(start, "noarch", "a string or a boolean", record.fn);
        }
        return read_string(value, record.noarch, "noarch", record.fn);
    }

    bool read_track_features(od::value& value, CondaRecord& record) {
        const char* start = value.raw_json_token().data();
        if (*start == '[') {  // some exporters write a list
            if (!read_string_list(value, "track_features", record.fn)) {
                return false;
            }
        } else {
            std::string_view text;
            if (!read_string(value, text, "track_features", record.fn)) {
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
    od::document* m_doc = nullptr;
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
    std::sort(store.names.begin(), store.names.end());
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

struct RepodataParser::Impl {
    od::parser parser;

    // Sizes simdjson's buffers for `size` bytes before the parse. On Linux the large
    // anonymous mappings that appear during the allocation (simdjson's structural index,
    // 4 bytes per input byte, only part of which stage 1 writes) are marked MADV_HUGEPAGE,
    // so their first touches map 2 MiB at a time: simdjson has no allocator hook, and its
    // buffers are found from the outside, in /proc/self/maps, not through its internals.
    // Only mappings at least `size` bytes long count, so nothing small (a thread's stack)
    // made meanwhile by another thread is touched; a miss only means small pages.
    void reserve(std::size_t size) {
        if (parser.capacity() >= size) {
            return;
        }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        if (size >= min_huge_text) {
            const auto before = big_anonymous_mappings(size);
            if (parser.allocate(size) != simdjson::SUCCESS) {
                return;  // iterate() tries again and reports the error
            }
            for (const auto& range : big_anonymous_mappings(size)) {
                if (std::find(before.begin(), before.end(), range) == before.end()) {
                    static_cast<void>(madvise(reinterpret_cast<void*>(range.first),
                                              range.second - range.first, MADV_HUGEPAGE));
                }
            }
            return;
        }
#endif
        const auto code = parser.allocate(size);
        static_cast<void>(code);  // an error shows in iterate()
    }

#if defined(__linux__) && defined(MADV_HUGEPAGE)
    static constexpr std::size_t min_huge_text = std::size_t{8} << 20;

    // [begin, end) of every private anonymous mapping of at least `min_bytes`.
    static std::vector<std::pair<std::uintptr_t, std::uintptr_t>> big_anonymous_mappings(
        std::size_t min_bytes) {
        std::vector<std::pair<std::uintptr_t, std::uintptr_t>> out;
        std::FILE* maps = std::fopen("/proc/self/maps", "re");
        if (maps == nullptr) {
            return out;
        }
        char line[512];
        bool line_start = true;
        while (std::fgets(line, sizeof line, maps) != nullptr) {
            const bool starts = line_start;
            line_start = std::strchr(line, '\n') != nullptr;  // a long path spans several reads
            if (!starts) {
                continue;
            }
            unsigned long begin = 0;  // NOLINT(google-runtime-int): the %lx of sscanf
            unsigned long end = 0;    // NOLINT(google-runtime-int)
            char perms[5] = {};
            unsigned long inode = 1;  // NOLINT(google-runtime-int)
            int rest = 0;
            // "begin-end perms offset dev inode [path]"
            if (std::sscanf(line, "%lx-%lx %4s %*s %*s %lu %n", &begin, &end, perms, &inode,
                            &rest) < 4) {
                continue;
            }
            const bool anonymous = inode == 0 && (line[rest] == '\0' || line[rest] == '\n');
            if (anonymous && perms[0] == 'r' && perms[1] == 'w' && perms[3] == 'p' &&
                end - begin >= min_bytes) {
                out.emplace_back(begin, end);
            }
        }
        std::fclose(maps);
        return out;
    }
#endif
};

RepodataParser::RepodataParser() : m_impl(std::make_unique<Impl>()) {}
RepodataParser::~RepodataParser() = default;
RepodataParser::RepodataParser(RepodataParser&&) noexcept = default;
RepodataParser& RepodataParser::operator=(RepodataParser&&) noexcept = default;

core::Result<Repodata> Repodata::parse(std::string json, const ParseOptions& options) {
    RepodataParser parser;
    return parser.parse(std::move(json), options);
}

core::Result<Repodata> RepodataParser::parse(std::string json, const ParseOptions& options) {
    Repodata repodata;
    auto& store = repodata.m_impl->store;
    const std::size_t size = json.size();
    // simdjson reads up to json_padding bytes past the end: use the spare capacity when there
    // is enough (zeroed, so nothing uninitialised is read), else copy once into a buffer
    // made for it (huge pages for a large text).
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
    store.records.reserve(size / 320 + 16);
    store.notes.reserve(size / 320 + 16);

    m_impl->reserve(size);
    od::document doc;
    const std::string_view text = store.json;
    const auto code =
        m_impl->parser
            .iterate(simdjson::padded_string_view(text.data(), size, size + Repodata::json_padding))
            .get(doc);
    if (code != simdjson::SUCCESS) {
        return Reader::invalid_repodata(
            options.source, text, 0,
            fmt::format("malformed JSON ({})", simdjson::error_message(code)), {});
    }
    Reader reader(store, options, text);
    if (!reader.read(doc)) {
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

std::span<const std::string_view> Repodata::names() const noexcept {
    return m_impl->store.names;
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
