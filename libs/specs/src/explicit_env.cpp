#include "envsmith/specs/explicit_env.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "envsmith/core/text.hpp"

namespace envsmith::specs {

namespace {

constexpr std::string_view marker = "@EXPLICIT";
constexpr std::string_view filename_shape =
    "`<name>-<version>-<build>` with a `.conda` or `.tar.bz2` extension";
constexpr std::string_view hash_shape = "32 hex digits (md5) or 64 hex digits (sha256)";

bool is_hex(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// One line of the input: its number, its text (without the line break) and where the
/// trimmed content starts.
struct Line {
    std::string_view source;
    std::uint32_t number = 0;
    std::string_view text;

    [[nodiscard]] core::SourceLocation at(std::size_t offset) const {
        const auto column = static_cast<std::uint32_t>(std::min(offset, text.size()) + 1);
        return core::SourceLocation{std::string(source), number, column, std::string(text)};
    }

    /// An `invalid_input` error at byte `offset` of the line, with `source`, `line`, `column`.
    [[nodiscard]] core::Error error(std::size_t offset, std::string id, std::string message) const {
        auto where = at(offset);
        const auto line = std::to_string(where.line);
        const auto column = std::to_string(where.column);
        return core::make_error(core::ErrorCode::invalid_input, std::move(id), std::move(message))
            .arg("source", std::string(source))
            .arg("line", line)
            .arg("column", column)
            .at(std::move(where));
    }
};

/// The offset of `part` (a view into `line.text`) in the line.
std::size_t offset_of(const Line& line, std::string_view part) {
    return static_cast<std::size_t>(part.data() - line.text.data());
}

/// `# platform: linux-64` gives "linux-64"; any other comment gives nothing.
std::optional<std::string_view> platform_comment(std::string_view comment) {
    auto rest = core::trim(comment.substr(1));
    constexpr std::string_view key = "platform:";
    if (rest.substr(0, key.size()) != key) {
        return std::nullopt;
    }
    return core::trim(rest.substr(key.size()));
}

core::Error url_error(const Line& line, std::string_view url, std::size_t offset,
                      std::string_view problem) {
    return line
        .error(offset, "spec.explicit.url",
               fmt::format("invalid package URL `{}`: {}", url, problem))
        .arg("url", std::string(url))
        .arg("problem", std::string(problem))
        .arg("expected", "`<channel>/<subdir>/<file name>`");
}

core::Status split_filename(const Line& line, std::string_view filename, ExplicitEntry& entry) {
    std::string_view stem;
    for (const std::string_view extension :
         {std::string_view(".conda"), std::string_view(".tar.bz2")}) {
        if (filename.size() > extension.size() && filename.ends_with(extension)) {
            stem = filename.substr(0, filename.size() - extension.size());
        }
    }
    const auto build_dash = stem.rfind('-');
    const auto version_dash = build_dash == std::string_view::npos || build_dash == 0
                                  ? std::string_view::npos
                                  : stem.rfind('-', build_dash - 1);
    if (stem.empty() || version_dash == std::string_view::npos || version_dash == 0 ||
        build_dash == version_dash + 1 || build_dash + 1 == stem.size()) {
        return line
            .error(offset_of(line, filename), "spec.explicit.filename",
                   fmt::format("invalid package file name `{}`: expected {}", filename,
                               filename_shape))
            .arg("filename", std::string(filename))
            .arg("expected", std::string(filename_shape));
    }
    entry.name = std::string(stem.substr(0, version_dash));
    entry.version = std::string(stem.substr(version_dash + 1, build_dash - version_dash - 1));
    entry.build = std::string(stem.substr(build_dash + 1));
    return {};
}

core::Status parse_hash(const Line& line, std::string_view hash, std::string_view filename,
                        ExplicitEntry& entry) {
    std::string_view digits = hash;
    std::string_view algorithm;
    for (const std::string_view prefix : {std::string_view("md5:"), std::string_view("sha256:")}) {
        if (digits.starts_with(prefix)) {
            algorithm = prefix.substr(0, prefix.size() - 1);
            digits.remove_prefix(prefix.size());
        }
    }
    const bool hex = !digits.empty() && is_hex(digits);
    if (hex && digits.size() == 32 && algorithm != "sha256") {
        entry.md5 = std::string(digits);
        return {};
    }
    if (hex && digits.size() == 64 && algorithm != "md5") {
        entry.sha256 = std::string(digits);
        return {};
    }
    return line
        .error(offset_of(line, hash), "spec.explicit.hash",
               fmt::format("invalid hash `{}` for `{}`: expected {}", hash, filename, hash_shape))
        .arg("hash", std::string(hash))
        .arg("filename", std::string(filename))
        .arg("expected", std::string(hash_shape));
}

core::Result<ExplicitEntry> parse_entry(const Line& line, std::string_view content) {
    ExplicitEntry entry;
    std::string_view url = content;
    std::optional<std::string_view> hash;
    if (const auto sharp = content.find('#'); sharp != std::string_view::npos) {
        url = core::trim_right(content.substr(0, sharp));
        hash = content.substr(sharp + 1);
    }
    if (const auto space = std::find_if(url.begin(), url.end(), is_space); space != url.end()) {
        return url_error(line, url,
                         offset_of(line, url) + static_cast<std::size_t>(space - url.begin()),
                         "a space inside the URL");
    }
    const auto file_slash = url.rfind('/');
    if (file_slash == std::string_view::npos) {
        return url_error(line, url, offset_of(line, url),
                         "expected `<channel>/<subdir>/<file name>`");
    }
    if (file_slash + 1 == url.size()) {
        return url_error(line, url, offset_of(line, url) + url.size(),
                         "no package file name after the last `/`");
    }
    const auto filename = url.substr(file_slash + 1);
    const auto dir = url.substr(0, file_slash);
    const auto subdir_slash = dir.rfind('/');
    if (subdir_slash == std::string_view::npos || subdir_slash == 0 ||
        subdir_slash + 1 == dir.size() || dir[subdir_slash - 1] == '/') {
        return url_error(line, url, offset_of(line, url),
                         "expected `<channel>/<subdir>/` before the file name");
    }
    entry.url = std::string(url);
    entry.channel = std::string(dir.substr(0, subdir_slash));
    entry.subdir = std::string(dir.substr(subdir_slash + 1));
    entry.filename = std::string(filename);
    if (auto status = split_filename(line, filename, entry); !status) {
        return std::move(status).error();
    }
    if (hash) {
        const auto trimmed = core::trim(*hash);
        // An empty `#` after the URL points at where the hash should be.
        const auto at = trimmed.empty() ? hash->substr(hash->size()) : trimmed;
        if (auto status = parse_hash(line, at, filename, entry); !status) {
            return std::move(status).error();
        }
    }
    return entry;
}

}  // namespace

core::Result<ExplicitEnv> ExplicitEnv::parse(std::string_view text, std::string_view source) {
    ExplicitEnv env;
    bool seen_marker = false;
    std::uint32_t number = 0;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        auto raw = text.substr(start, end - start);
        start = end + 1;
        if (!raw.empty() && raw.back() == '\r') {
            raw.remove_suffix(1);
        }
        const Line line{source, ++number, raw};
        const auto content = core::trim(raw);
        if (content.empty()) {
            continue;
        }
        if (content.front() == '#') {
            if (const auto platform = platform_comment(content);
                platform && !seen_marker && env.platform.empty()) {
                env.platform = std::string(*platform);
            }
            continue;
        }
        if (content.front() == '@') {
            if (content == marker) {
                seen_marker = true;
                continue;
            }
            return line
                .error(offset_of(line, content), "spec.explicit.directive",
                       fmt::format("unknown directive `{}`; expected `@EXPLICIT`", content))
                .arg("directive", std::string(content))
                .arg("expected", "`@EXPLICIT`");
        }
        if (!seen_marker) {
            return line
                .error(offset_of(line, content), "spec.explicit.before_marker",
                       "package line before the `@EXPLICIT` line; expected `@EXPLICIT` first")
                .arg("expected", "`@EXPLICIT`")
                .with_hint(
                    "an explicit environment starts with a line that is just "
                    "`@EXPLICIT`; without it conda reads the lines as match specs");
        }
        auto entry = parse_entry(line, content);
        if (!entry) {
            return std::move(entry).error();
        }
        env.entries.push_back(std::move(*entry));
    }
    if (!seen_marker) {
        return core::make_error(core::ErrorCode::invalid_input, "spec.explicit.no_marker",
                                fmt::format("no `@EXPLICIT` line in `{}`", source))
            .arg("source", std::string(source))
            .arg("line", "1")
            .arg("column", "1")
            .arg("expected", "`@EXPLICIT`")
            .at(core::TextIndex(source, text).at(1, 1))
            .with_hint("conda writes explicit environments with `conda list --explicit`");
    }
    return env;
}

std::string to_explicit_text(const ExplicitEnv& env) {
    std::string out;
    if (!env.platform.empty()) {
        out += fmt::format("# platform: {}\n", env.platform);
    }
    out += marker;
    out += '\n';
    for (const auto& entry : env.entries) {
        out += entry.url;
        if (!entry.md5.empty()) {
            out += '#';
            out += entry.md5;
        } else if (!entry.sha256.empty()) {
            out += "#sha256:";
            out += entry.sha256;
        }
        out += '\n';
    }
    return out;
}

}  // namespace envsmith::specs
