// conda's MatchSpec parser (conda/models/match_spec.py, `_parse_spec_str`), re-stated:
//  1. `feature@` means any package with that track feature;
//  2. drop a `#` comment and a ` if ` condition;
//  3. text ending in `.conda` or `.tar.bz2` is a package URL or path: channel, subdir, name,
//     version and build come from `.../<channel>/<subdir>/<name>-<version>-<build>.<ext>`;
//  4. cut off the `[key=value, ...]` section (values may be quoted with ' or ");
//  5. `channel(/subdir)::name` or `namespace:name` (the namespace is ignored);
//  6. the name runs up to a space or one of `=<>!~`, and follows the CEP-26 name rules unless
//     it is a glob;
//  7. the rest splits into version and build at the last space or `=` that is not part of an
//     operator (conda's `_VERSION_BUILD_RE`); spaces are removed from the version; `=1.2`
//     without a build means `1.2.*`, `==1.2` and `=1.2=build` mean exactly 1.2;
//  8. bracket values override the others, except `name`, which is ignored.
//
// Deliberate differences from conda, all for inputs conda mishandles or cannot resolve here:
//  - text between key/value pairs in brackets is an error (conda skips it silently, so
//    `[version=>=1,<2]` became `>=1`), as is text after the closing `]`;
//  - parentheses belong to the version expression (conda's classic parser deletes the last
//    parenthesised group, like the legacy `(optional)` marker);
//  - a relative package path keeps its text as `url` (conda makes it absolute with the
//    current directory; `specs` does no I/O);
//  - channels are compared by name after dropping `https://conda.anaconda.org/` and
//    `https://repo.anaconda.com/` and a trailing subdir, with `defaults` matching `pkgs/main`,
//    `pkgs/r` and `pkgs/msys2`; conda consults its configured channel aliases instead.

#include "envsmith/specs/match_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <utility>

#include "conda_support.hpp"
#include "envsmith/core/text.hpp"
#include "parse_error.hpp"

namespace envsmith::specs {

namespace {

constexpr std::string_view spec_id = "spec.match_spec.invalid";
constexpr std::string_view spec_noun = "match spec";

// conda's context.known_subdirs.
constexpr std::array<std::string_view, 19> known_subdirs = {
    "emscripten-wasm32", "wasi-wasm32",   "freebsd-64",   "linux-32",     "linux-64",
    "linux-aarch64",     "linux-armv6l",  "linux-armv7l", "linux-ppc64",  "linux-ppc64le",
    "linux-riscv64",     "linux-s390x",   "osx-64",       "osx-arm64",    "win-32",
    "win-64",            "win-arm64",     "zos-z",        "noarch",
};

bool is_known_subdir(std::string_view text) {
    return std::find(known_subdirs.begin(), known_subdirs.end(), text) != known_subdirs.end();
}

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool starts_with(std::string_view text, std::string_view prefix) {
    return text.substr(0, prefix.size()) == prefix;
}

bool is_name_separator(char c) { return c == '.' || c == '_' || c == '-'; }

// The rest of a CEP-26 name after its head: runs of [a-z0-9] each followed by one separator
// or the end.
bool valid_name_tail(std::string_view name, std::size_t i) {
    while (i < name.size()) {
        if (!core::is_ascii_alnum(name[i])) {
            return false;
        }
        while (i < name.size() && core::is_ascii_alnum(name[i])) {
            ++i;
        }
        if (i < name.size()) {
            if (!is_name_separator(name[i])) {
                return false;
            }
            ++i;
        }
    }
    return true;
}

// CEP-26: `^(([a-z0-9])|([a-z0-9_](?!_)))[._-]?([a-z0-9]+(\.|-|_|$))*$`, or for virtual
// packages `^__[a-z0-9][._-]?([a-z0-9]+(\.|-|_|$))*$`. `name` is already lowercase.
bool valid_name(std::string_view name) {
    if (name.empty()) {
        return false;
    }
    if (starts_with(name, "__")) {
        if (name.size() < 3 || !core::is_ascii_alnum(name[2])) {
            return false;
        }
        std::size_t i = 3;
        if (i < name.size() && is_name_separator(name[i])) {
            ++i;
        }
        return valid_name_tail(name, i);
    }
    if (name[0] == '_' && name.size() > 1 && name[1] == '_') {
        return false;
    }
    if (!core::is_ascii_alnum(name[0]) && name[0] != '_') {
        return false;
    }
    std::size_t i = 1;
    if (i < name.size() && is_name_separator(name[i])) {
        ++i;
    }
    return valid_name_tail(name, i);
}

// A channel as a comparable name: no scheme for the two anaconda hosts, no trailing `/` and
// no trailing known subdir.
std::string channel_key(std::string_view channel) {
    std::string_view text = channel;
    while (!text.empty() && text.back() == '/') {
        text.remove_suffix(1);
    }
    for (const std::string_view host :
         {"https://conda.anaconda.org/", "http://conda.anaconda.org/",
          "https://repo.anaconda.com/", "http://repo.anaconda.com/"}) {
        if (starts_with(text, host)) {
            text.remove_prefix(host.size());
            break;
        }
    }
    if (const auto slash = text.rfind('/'); slash != std::string_view::npos &&
                                            is_known_subdir(text.substr(slash + 1))) {
        text = text.substr(0, slash);
    }
    return std::string(text);
}

bool channel_matches(std::string_view wanted, std::string_view actual) {
    const auto want = channel_key(wanted);
    const auto have = channel_key(actual);
    if (want == have) {
        return true;
    }
    return want == "defaults" && (have == "pkgs/main" || have == "pkgs/r" || have == "pkgs/msys2");
}

bool is_feature_char(char c) {
    return core::is_ascii_alnum(c) || c == '.' || c == '_' || c == '-' || c == '+';
}

std::vector<std::string> split_features(std::string_view text) {
    std::vector<std::string> features;
    std::string current;
    for (const char c : std::string(text) + ",") {
        if (c == ',' || c == ' ') {
            if (!current.empty()) {
                features.push_back(std::move(current));
                current.clear();
            }
        } else {
            current += c;
        }
    }
    std::sort(features.begin(), features.end());
    features.erase(std::unique(features.begin(), features.end()), features.end());
    return features;
}

// A bracket value, quoted when conda's bracket grammar needs it.
std::string bracket_value(std::string_view value) {
    const bool needs_quotes = value.find_first_of(" ,=[]'\"") != std::string_view::npos;
    if (!needs_quotes) {
        return std::string(value);
    }
    const char quote = value.find('\'') == std::string_view::npos ? '\'' : '"';
    return fmt::format("{}{}{}", quote, value, quote);
}

// Result of conda's `_sanitize_version_str`: the text VersionSpec sees, and how many leading
// characters of the original were dropped (for error columns).
struct Sanitized {
    std::string text;
    std::size_t dropped = 0;
};

Sanitized sanitize_version(std::string_view version, bool has_build) {
    if (version == "==" || version == "=" || !starts_with(version, "=")) {
        return {std::string(version), 0};
    }
    const auto first = version.find_first_not_of('=');
    const std::string_view bare = first == std::string_view::npos ? "" : version.substr(first);
    const std::size_t dropped = version.size() - bare.size();
    if (starts_with(version, "==") && !has_build) {
        return {std::string(bare), dropped};
    }
    if (bare.find_first_of("=,|") == std::string_view::npos) {
        if (!has_build && !ends_with(bare, "*")) {
            return {std::string(bare) + "*", dropped};
        }
        return {std::string(bare), dropped};
    }
    return {std::string(version), 0};
}

}  // namespace

struct MatchSpecParser {
    std::string_view text;
    MatchSpec spec;

    core::Error fail(std::size_t offset, std::string_view expected) const {
        return detail::syntax_error(spec_id, spec_noun, text, offset, expected);
    }

    // Re-anchors an error of a sub-parser whose input started at `offset` of `text`.
    core::Error inner_failure(const core::Error& error, std::size_t offset,
                              const std::vector<std::size_t>* positions = nullptr,
                              std::size_t dropped = 0) const {
        std::size_t column = error.where ? error.where->column - 1 : 0;
        column += dropped;
        std::size_t at = offset + column;
        if (positions != nullptr && !positions->empty()) {
            at = (*positions)[std::min(column, positions->size() - 1)];
        }
        const auto expected = error.arg_value("expected");
        return fail(at, expected.empty() ? std::string_view(error.message) : expected);
    }

    // Feature names: letters, digits, `.`, `_`, `-`, `+`, separated by spaces or commas.
    core::Status check_features(std::size_t begin, std::size_t end) const {
        for (std::size_t i = begin; i < end; ++i) {
            if (!is_feature_char(text[i]) && text[i] != ' ' && text[i] != ',') {
                return fail(i, "expected feature names of letters, digits, `.`, `_`, `-` or `+`");
            }
        }
        return {};
    }

    core::Status set_pattern(std::shared_ptr<const detail::StringPattern>& slot,
                             std::string_view value, std::size_t offset) const {
        auto pattern = detail::StringPattern::make(value);
        if (!pattern) {
            return fail(offset, pattern.error().message);
        }
        slot = std::make_shared<const detail::StringPattern>(std::move(*pattern));
        return {};
    }

    core::Status set_version(std::string_view value, bool has_build, std::size_t offset,
                             const std::vector<std::size_t>* positions = nullptr) {
        const auto sanitized = sanitize_version(value, has_build);
        auto version = VersionSpec::parse(sanitized.text);
        if (!version) {
            return inner_failure(version.error(), offset, positions, sanitized.dropped);
        }
        spec.m_version = std::move(*version);
        spec.m_has_version = true;
        return {};
    }

    core::Status set_build(std::string_view value, std::size_t offset) {
        if (value.find('\'') != std::string_view::npos && value.find('"') != std::string_view::npos) {
            return fail(offset, "expected a build string without both kinds of quotes");
        }
        spec.m_build = std::string(value);
        return set_pattern(spec.m_build_pattern, value, offset);
    }

    core::Status set_channel(std::string_view value, std::size_t offset) {
        std::string channel(value);
        while (channel.size() > 1 && channel.back() == '/') {
            channel.pop_back();
        }
        if (channel.empty()) {
            return {};
        }
        // A trailing known subdir is the subdir (conda's Channel parsing).
        if (const auto slash = channel.rfind('/'); slash != std::string::npos &&
                                                   is_known_subdir(channel.substr(slash + 1))) {
            spec.m_subdir = channel.substr(slash + 1);
            channel.resize(slash);
        }
        while (channel.size() > 1 && channel.back() == '/') {
            channel.pop_back();
        }
        if (channel.empty() || channel == "/") {
            return fail(offset, "expected a channel name before the subdir");
        }
        spec.m_channel = channel;
        return set_pattern(spec.m_channel_pattern, channel, offset);
    }

    core::Status set_name(std::string_view name, std::size_t offset) {
        const std::string lowered = core::to_lower(name);
        // conda skips all checks for globs; we still keep them to name characters and `*`.
        const auto bad = lowered.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789._-*");
        if (bad != std::string::npos) {
            return fail(offset + bad, "expected a package name of letters, digits, `.`, `_` "
                                      "or `-`");
        }
        if (lowered.find('*') == std::string::npos) {
            if (!valid_name(lowered)) {
                return fail(offset, "expected a package name that starts with a letter, digit or "
                                    "one `_`, without repeated `.`, `_` or `-`");
            }
        }
        spec.m_name = lowered;
        return set_pattern(spec.m_name_pattern, lowered, offset);
    }

    core::Result<MatchSpec> run() {
        auto span = detail::py_strip(text, {0, text.size()});
        if (span.begin == span.end) {
            return fail(span.begin, "expected a package spec, found nothing");
        }
        // 1. `feature@`
        if (text[span.end - 1] == '@') {
            const auto feature = detail::py_strip(text, {span.begin, span.end - 1});
            if (feature.begin == feature.end) {
                return fail(span.begin, "expected a feature name before `@`");
            }
            if (auto status = check_features(feature.begin, feature.end); !status) {
                return std::move(status).error();
            }
            spec.m_track_features =
                split_features(text.substr(feature.begin, feature.end - feature.begin));
            if (spec.m_track_features->empty()) {  // only separators, e.g. `,@`
                return fail(feature.begin, "expected a feature name before `@`");
            }
            auto status = set_name("*", span.begin);
            return status ? core::Result<MatchSpec>(std::move(spec))
                          : core::Result<MatchSpec>(std::move(status).error());
        }
        // 2. comment and condition
        if (const auto hash = text.substr(0, span.end).find('#', span.begin);
            hash != std::string_view::npos) {
            span = detail::py_strip(text, {span.begin, hash});
        }
        if (const auto cond = text.substr(0, span.end).find(" if ", span.begin);
            cond != std::string_view::npos) {
            span = detail::py_strip(text, {span.begin, cond});
        }
        if (span.begin == span.end) {
            return fail(span.begin, "expected a package spec before the comment");
        }
        const std::string_view body = text.substr(span.begin, span.end - span.begin);
        // 3. package files
        if (ends_with(body, ".conda") || ends_with(body, ".tar.bz2")) {
            if (auto status = package_file(span); !status) {
                return std::move(status).error();
            }
            return std::move(spec);
        }
        // 4. brackets
        std::size_t end = span.end;
        if (const auto open = text.substr(0, span.end).find('[', span.begin);
            open != std::string_view::npos) {
            if (text[span.end - 1] != ']') {
                const auto close = text.substr(0, span.end).rfind(']');
                return fail(close == std::string_view::npos || close < open ? span.end : close + 1,
                            "expected the `[...]` section to end the spec");
            }
            end = open;
            if (auto status = brackets(open + 1, span.end - 1); !status) {
                return std::move(status).error();
            }
        }
        if (auto status = main_part(detail::py_strip(text, {span.begin, end})); !status) {
            return std::move(status).error();
        }
        return std::move(spec);
    }

    // Steps 5 to 7, then applies the bracket values kept in `pending`.
    struct Pending {
        std::string key;
        std::string value;
        std::size_t offset = 0;
    };
    std::vector<Pending> pending;

    core::Status main_part(detail::Span span) {
        if (span.begin == span.end) {
            return fail(span.begin, "expected a package name");
        }
        // 5. channel::name, with conda's rsplit(":", 2)
        std::size_t start = span.begin;
        const std::string_view head = text.substr(0, span.end);
        if (const auto last = head.rfind(':'); last != std::string_view::npos && last >= start) {
            const auto before = last > start ? head.rfind(':', last - 1) : std::string_view::npos;
            if (before != std::string_view::npos && before >= start) {
                if (auto status = set_channel(text.substr(start, before - start), start); !status) {
                    return status;
                }
            }
            start = last + 1;
        }
        // 6. name
        std::size_t name_end = start;
        while (name_end < span.end && text[name_end] != ' ' && text[name_end] != '=' &&
               text[name_end] != '<' && text[name_end] != '>' && text[name_end] != '!' &&
               text[name_end] != '~') {
            ++name_end;
        }
        if (name_end == start) {
            return fail(start, "expected a package name");
        }
        if (auto status = set_name(text.substr(start, name_end - start), start); !status) {
            return status;
        }
        // 7. version and build; a lone trailing operator character is ignored, as in conda.
        if (span.end - name_end >= 2) {
            if (auto status = version_and_build(detail::py_strip(text, {name_end, span.end}));
                !status) {
                return status;
            }
        }
        // 8. brackets override; a bracket channel first, so that a bracket subdir wins over
        // the subdir inside it.
        std::stable_partition(pending.begin(), pending.end(),
                              [](const Pending& entry) { return entry.key == "channel"; });
        for (const auto& entry : pending) {
            if (auto status = apply(entry); !status) {
                return status;
            }
        }
        return {};
    }

    // conda's _VERSION_BUILD_RE: the shortest version such that the rest is a space or `=`
    // (not right after an operator character) and a build without `-=,|<>~`.
    core::Status version_and_build(detail::Span span) {
        const std::string_view s = text.substr(span.begin, span.end - span.begin);
        const std::size_t n = s.size();
        std::vector<bool> clean_suffix(n + 1, true);
        for (std::size_t i = n; i-- > 0;) {
            clean_suffix[i] = clean_suffix[i + 1] &&
                              std::string_view("-=,|<>~").find(s[i]) == std::string_view::npos;
        }
        const auto build_at = [&](std::size_t j) -> std::size_t {  // 0: no build here
            if (j < n && j + 1 < n &&
                std::string_view("=!|,<>~").find(s[j - 1]) == std::string_view::npos &&
                (s[j] == ' ' || s[j] == '=') && clean_suffix[j + 1]) {
                return j + 1;
            }
            return 0;
        };
        std::size_t version_end = n;
        std::size_t build_begin = 0;
        for (std::size_t length = 1; length <= n; ++length) {
            if (length < n && std::string_view("><!,|").find(s[length]) == std::string_view::npos) {
                if (const auto b = build_at(length + 1); b != 0) {
                    version_end = length + 1;
                    build_begin = b;
                    break;
                }
            }
            if (const auto b = build_at(length); b != 0) {
                version_end = length;
                build_begin = b;
                break;
            }
        }
        const bool has_build = build_begin != 0;
        if (has_build) {
            const auto build = detail::py_strip(text, {span.begin + build_begin, span.end});
            if (auto status = set_build(text.substr(build.begin, build.end - build.begin),
                                        build.begin);
                !status) {
                return status;
            }
        }
        // Spaces are removed from the version; remember where each kept character was.
        std::string version;
        std::vector<std::size_t> positions;
        for (std::size_t i = 0; i < version_end; ++i) {
            if (s[i] != ' ') {
                version += s[i];
                positions.push_back(span.begin + i);
            }
        }
        positions.push_back(span.begin + version_end);
        return set_version(version, has_build, span.begin, &positions);
    }

    core::Status brackets(std::size_t begin, std::size_t end) {
        std::size_t pos = begin;
        while (true) {
            while (pos < end && (text[pos] == ',' || text[pos] == ' ')) {
                ++pos;
            }
            if (pos >= end) {
                return {};
            }
            const std::size_t key_begin = pos;
            while (pos < end && (core::is_ascii_alnum(text[pos]) || text[pos] == '_' ||
                                 text[pos] == '-')) {
                ++pos;
            }
            if (pos == key_begin || pos >= end || text[pos] != '=') {
                return fail(pos == key_begin ? key_begin : pos, "expected `key=value` in brackets");
            }
            const std::string key(text.substr(key_begin, pos - key_begin));
            ++pos;
            std::size_t value_begin = pos;
            std::size_t value_end = pos;
            if (pos < end && (text[pos] == '\'' || text[pos] == '"')) {
                const char quote = text[pos];
                const auto close = text.substr(0, end).find(quote, pos + 1);
                if (close == std::string_view::npos) {
                    return fail(pos, "expected a closing quote");
                }
                value_begin = pos + 1;
                value_end = close;
                pos = close + 1;
                if (pos < end && text[pos] != ',' && text[pos] != ' ') {
                    return fail(pos, "expected `,` or a space after the quoted value");
                }
            } else {
                while (pos < end && text[pos] != ',' && text[pos] != ' ') {
                    if (text[pos] == '\'' || text[pos] == '"') {
                        return fail(pos, "expected quotes around the whole value");
                    }
                    ++pos;
                }
                value_end = pos;
            }
            if (value_begin == value_end) {
                return fail(value_begin, fmt::format("expected a value after `{}=`", key));
            }
            static constexpr std::string_view keys[] = {
                "name", "channel", "subdir", "version", "build", "build_number", "track_features",
                "url", "md5", "sha256", "license", "fn"};
            if (std::find(std::begin(keys), std::end(keys), key) == std::end(keys)) {
                return fail(key_begin,
                            fmt::format("expected a key among `version`, `build`, `build_number`, "
                                        "`channel`, `subdir`, `md5`, `sha256`, `fn`, `url`, "
                                        "`track_features`, `license`; found `{}`",
                                        key));
            }
            pending.push_back(
                {key, std::string(text.substr(value_begin, value_end - value_begin)), value_begin});
        }
    }

    core::Status apply(const Pending& entry) {
        const std::string_view value = entry.value;
        if (entry.key == "name") {
            return {};  // conda ignores a bracket name: the name outside always wins
        }
        if (entry.key == "version") {
            return set_version(value, false, entry.offset);
        }
        if (entry.key == "build") {
            return set_build(value, entry.offset);
        }
        if (entry.key == "build_number") {
            auto number = BuildNumberSpec::parse(value);
            if (!number) {
                return inner_failure(number.error(), entry.offset);
            }
            spec.m_build_number = std::move(*number);
            return {};
        }
        if (entry.key == "channel") {
            const auto subdir = spec.m_subdir;
            spec.m_channel.reset();
            spec.m_channel_pattern.reset();
            auto status = set_channel(value, entry.offset);
            if (!spec.m_subdir && subdir) {
                spec.m_subdir = subdir;
            }
            return status;
        }
        if (entry.key == "subdir") {
            spec.m_subdir = entry.value;
        } else if (entry.key == "track_features") {
            if (auto status = check_features(entry.offset, entry.offset + value.size()); !status) {
                return status;
            }
            spec.m_track_features = split_features(value);
            if (spec.m_track_features->empty()) {  // only separators, e.g. `','`
                return fail(entry.offset, "expected a feature name in `track_features`");
            }
        } else if (entry.key == "url") {
            spec.m_url = entry.value;
        } else if (entry.key == "md5") {
            spec.m_md5 = entry.value;
        } else if (entry.key == "sha256") {
            spec.m_sha256 = entry.value;
        } else if (entry.key == "fn") {
            spec.m_fn = entry.value;
        } else if (entry.key == "license") {
            spec.m_license = core::to_lower(value);
            return set_pattern(spec.m_license_pattern, *spec.m_license, entry.offset);
        }
        return {};
    }

    // Step 3: `<url or path>/<channel>/<subdir>/<name>-<version>-<build>.<ext>`.
    core::Status package_file(detail::Span span) {
        const std::string_view body = text.substr(span.begin, span.end - span.begin);
        std::string url(body);
        const auto scheme = body.find("://");
        const bool is_url = scheme != std::string_view::npos && scheme > 0 &&
                            std::all_of(body.begin(), body.begin() + static_cast<std::ptrdiff_t>(scheme),
                                        [](char c) { return core::is_ascii_alpha(c); });
        if (!is_url && starts_with(body, "/")) {
            url = "file://" + url;
        }
        const auto slash = body.rfind('/');
        const std::size_t fn_begin = slash == std::string_view::npos ? 0 : slash + 1;
        const std::string_view fn = body.substr(fn_begin);
        spec.m_url = url;
        spec.m_fn = std::string(fn);
        if (auto status = set_name("*", span.begin); !status) {
            return status;
        }
        // The channel part needs a path: scheme://host/.../subdir/fn or /.../subdir/fn.
        const std::size_t path_begin =
            is_url ? body.find('/', scheme + 3) : (starts_with(body, "/") ? 0 : std::string_view::npos);
        if (path_begin == std::string_view::npos || slash == std::string_view::npos ||
            slash <= path_begin) {
            return {};
        }
        const auto subdir_slash = body.rfind('/', slash - 1);
        if (subdir_slash == std::string_view::npos || subdir_slash < path_begin) {
            return {};
        }
        const std::string_view subdir = body.substr(subdir_slash + 1, slash - subdir_slash - 1);
        if (!is_known_subdir(subdir)) {
            return {};
        }
        // name-version-build from the file name (conda's rsplit("-", 2)).
        const std::string_view stem = fn.substr(0, fn.size() - (ends_with(fn, ".conda") ? 6 : 8));
        const auto build_dash = stem.rfind('-');
        const auto version_dash =
            build_dash == std::string_view::npos || build_dash == 0 ? std::string_view::npos
                                                                    : stem.rfind('-', build_dash - 1);
        if (version_dash == std::string_view::npos || version_dash == 0) {
            return fail(span.begin + fn_begin,
                        "expected a package file name `<name>-<version>-<build>.<ext>`");
        }
        const std::size_t stem_at = span.begin + fn_begin;
        spec.m_name = core::to_lower(stem.substr(0, version_dash));
        if (auto status = set_pattern(spec.m_name_pattern, spec.m_name, stem_at); !status) {
            return status;
        }
        const std::string_view version = stem.substr(version_dash + 1, build_dash - version_dash - 1);
        auto parsed = CondaVersion::parse(version);
        if (!parsed) {
            return inner_failure(parsed.error(), stem_at + version_dash + 1);
        }
        // A file's version is exact; `==` keeps globs in odd versions literal.
        auto exact = VersionSpec::parse("==" + parsed->to_string());
        if (!exact) {
            return inner_failure(exact.error(), stem_at + version_dash + 1);
        }
        spec.m_version = std::move(*exact);
        spec.m_has_version = true;
        if (auto status = set_build(stem.substr(build_dash + 1), stem_at + build_dash + 1);
            !status) {
            return status;
        }
        const std::string channel =
            url.substr(0, url.size() - body.size() + subdir_slash);  // without /subdir/fn
        spec.m_subdir = std::string(subdir);
        spec.m_channel = channel_key(channel);
        return set_pattern(spec.m_channel_pattern, *spec.m_channel, span.begin);
    }
};

MatchSpec::MatchSpec() {
    auto pattern = detail::StringPattern::make("*");
    m_name_pattern = std::make_shared<const detail::StringPattern>(std::move(*pattern));
}

core::Result<MatchSpec> MatchSpec::parse(std::string_view text) {
    MatchSpecParser parser{text, MatchSpec(), {}};
    return parser.run();
}

bool MatchSpec::is_name_only() const noexcept {
    return m_name != "*" && m_name_pattern && m_name_pattern->kind() == detail::StringPattern::Kind::exact &&
           !m_channel && !m_subdir && !m_has_version && !m_build && !m_build_number && !m_md5 &&
           !m_sha256 && !m_fn && !m_url && !m_license && !m_track_features;
}

bool MatchSpec::matches(const PackageRecord& record) const {
    if (m_name_pattern && !m_name_pattern->matches(record.name)) {
        return false;
    }
    if (m_channel && m_channel_pattern && !m_channel_pattern->matches_all()) {
        const bool ok = m_channel_pattern->kind() == detail::StringPattern::Kind::exact
                            ? channel_matches(*m_channel, record.channel)
                            : m_channel_pattern->matches(channel_key(record.channel));
        if (!ok) {
            return false;
        }
    }
    if (m_subdir && *m_subdir != record.subdir) {
        return false;
    }
    if (m_has_version && !m_version.contains(record.version)) {
        return false;
    }
    if (m_build_pattern && !m_build_pattern->matches(record.build)) {
        return false;
    }
    if (m_build_number && !m_build_number->contains(record.build_number)) {
        return false;
    }
    if ((m_md5 && *m_md5 != record.md5) || (m_sha256 && *m_sha256 != record.sha256) ||
        (m_fn && *m_fn != record.fn) || (m_url && *m_url != record.url)) {
        return false;
    }
    if (m_license_pattern && !m_license_pattern->matches(core::to_lower(record.license))) {
        return false;
    }
    if (m_track_features) {
        std::vector<std::string> have = record.track_features;
        std::sort(have.begin(), have.end());
        have.erase(std::unique(have.begin(), have.end()), have.end());
        if (have != *m_track_features) {
            return false;
        }
    }
    return true;
}

std::string MatchSpec::to_string() const {
    std::string out;
    std::vector<std::string> brackets;
    const bool channel_exact =
        m_channel && m_channel_pattern &&
        m_channel_pattern->kind() == detail::StringPattern::Kind::exact;
    if (channel_exact) {
        out += *m_channel;
    } else if (m_channel && m_channel_pattern && !m_channel_pattern->matches_all()) {
        brackets.push_back("channel=" + bracket_value(*m_channel));
    }
    if (m_subdir) {
        if (channel_exact) {
            out += "/" + *m_subdir;
        } else {
            brackets.push_back("subdir=" + bracket_value(*m_subdir));
        }
    }
    out += out.empty() ? m_name : "::" + m_name;
    const std::string head = out;

    bool version_exact = false;
    if (m_has_version && !m_version.matches_all()) {
        using Op = VersionSpec::Operator;
        const auto& v = m_version;
        const std::string text = v.to_string();
        const bool leaf = v.kind() == VersionSpec::Kind::leaf;
        const bool star_operand =
            leaf && v.op() != Op::glob && v.op() != Op::regex &&
            v.version().to_string().find('*') != std::string::npos;
        if (leaf && v.op() == Op::equal && !star_operand) {
            out += text;
            version_exact = true;
        } else if (leaf && v.op() == Op::glob) {
            out += "==" + text;
            version_exact = true;
        } else if (leaf && v.op() == Op::starts_with && !star_operand) {
            out += "=" + text.substr(0, text.size() - 2);
        } else if (leaf && !m_build &&
                   (v.op() == Op::not_equal || v.op() == Op::not_starts_with ||
                    v.op() == Op::compatible)) {
            out += text;
        } else {
            // A leading `=` would be rewritten by conda's bracket sanitising (`=1.2*` becomes
            // `1.2.*`); parentheses keep the expression as it is.
            const std::string value = text.front() == '=' ? "(" + text + ")" : text;
            brackets.push_back("version=" +
                               (value.find('\'') == std::string::npos ? "'" + value + "'"
                                                                       : "\"" + value + "\""));
        }
    }
    if (m_build) {
        const std::string& build = *m_build;
        if (build.find_first_of("><$^|,") != std::string::npos) {
            brackets.push_back("build=" + (build.find('\'') == std::string::npos
                                               ? "'" + build + "'"
                                               : "\"" + build + "\""));
        } else if (version_exact && std::all_of(build.begin(), build.end(), [](char c) {
                       return core::is_ascii_alnum(c) || c == '_' || c == '.' || c == '+';
                   })) {
            out += "=" + build;
        } else {
            brackets.push_back("build=" + bracket_value(build));
        }
    }
    if (m_build_number) {
        brackets.push_back("build_number=" + bracket_value(m_build_number->to_string()));
    }
    if (m_track_features) {
        brackets.push_back("track_features=" + bracket_value(core::join(*m_track_features, " ")));
    }
    if (m_url) {
        brackets.push_back("url=" + bracket_value(*m_url));
    }
    if (m_md5) {
        brackets.push_back("md5=" + bracket_value(*m_md5));
    }
    if (m_sha256) {
        brackets.push_back("sha256=" + bracket_value(*m_sha256));
    }
    if (m_license) {
        brackets.push_back("license=" + bracket_value(*m_license));
    }
    if (m_fn) {
        brackets.push_back("fn=" + bracket_value(*m_fn));
    }
    if (!brackets.empty()) {
        out += "[" + core::join(brackets, ",") + "]";
    } else if (ends_with(out, ".conda") || ends_with(out, ".tar.bz2")) {
        // Printed inline, `name=1.conda` would read back as a package file name: move the
        // version and build into brackets, which end the text with `]`.
        std::vector<std::string> forced;
        if (m_has_version && !m_version.matches_all()) {
            const std::string text = m_version.to_string();
            forced.push_back("version=" +
                             bracket_value(text.front() == '=' ? "(" + text + ")" : text));
        }
        if (m_build) {
            forced.push_back("build=" + bracket_value(*m_build));
        }
        out = head + "[" + core::join(forced, ",") + "]";
    }
    return out;
}

}  // namespace envsmith::specs
