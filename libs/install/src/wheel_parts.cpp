// The text formats inside a wheel's .dist-info: WHEEL (PEP 427), RECORD (PEP 376, a CSV file),
// entry_points.txt (an INI file, packaging.python.org "Entry points specification"), and the
// scripts envsmith writes (shebangs and entry-point launchers).

#include <fmt/format.h>

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/install/wheel_install.hpp"

namespace envsmith::install {
namespace {

core::Error wheel_file_error(std::string_view source, std::string problem) {
    return core::make_error(core::ErrorCode::invalid_input, "wheel.wheel_file.invalid",
                            fmt::format("{}: invalid WHEEL file: {}", source, problem))
        .arg("wheel", std::string(source))
        .arg("problem", std::move(problem));
}

core::Error record_error(std::string_view source, std::size_t line, std::string problem) {
    return core::make_error(core::ErrorCode::invalid_input, "wheel.record.invalid",
                            fmt::format("{}: RECORD line {}: {}", source, line, problem))
        .arg("wheel", std::string(source))
        .arg("line", std::to_string(line))
        .arg("problem", std::move(problem));
}

core::Error entry_points_error(std::string_view source, std::size_t line, std::string problem) {
    return core::make_error(core::ErrorCode::invalid_input, "wheel.entry_points.invalid",
                            fmt::format("{}: entry_points.txt line {}: {}", source, line, problem))
        .arg("wheel", std::string(source))
        .arg("line", std::to_string(line))
        .arg("problem", std::move(problem));
}

/// Splits text into lines without their "\n" or "\r\n".
std::vector<std::string_view> lines_of(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) {
            end = text.size();
        }
        auto line = text.substr(start, end - start);
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        lines.push_back(line);
        start = end + 1;
    }
    return lines;
}

bool parse_u32(std::string_view text, std::uint32_t& out) {
    if (text.empty()) {
        return false;
    }
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, out);
    return ec == std::errc() && ptr == end;
}

/// A dotted Python name: parts of letters, digits, `_` (or non-ASCII bytes, which Python allows
/// in identifiers), none starting with a digit. Launchers put these into code, so nothing else
/// may pass.
bool is_dotted_name(std::string_view text) {
    if (text.empty()) {
        return false;
    }
    for (const auto part : core::split(text, '.')) {
        if (part.empty() || core::is_ascii_digit(part.front())) {
            return false;
        }
        for (const char c : part) {
            const auto byte = static_cast<unsigned char>(c);
            if (!core::is_ascii_alnum(c) && c != '_' && byte < 0x80) {
                return false;
            }
        }
    }
    return true;
}

bool needs_csv_quotes(std::string_view field) {
    return field.find_first_of(",\"\r\n") != std::string_view::npos;
}

void append_csv_field(std::string& out, std::string_view field) {
    if (!needs_csv_quotes(field)) {
        out += field;
        return;
    }
    out += '"';
    for (const char c : field) {
        if (c == '"') {
            out += '"';
        }
        out += c;
    }
    out += '"';
}

}  // namespace

core::Result<WheelInfo> parse_wheel_info(std::string_view text, std::string_view source) {
    WheelInfo info;
    bool have_version = false;
    bool have_purelib = false;
    for (const auto line : lines_of(text)) {
        if (core::trim(line).empty()) {
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos) {
            return wheel_file_error(source, fmt::format("`{}` is not a `Name: value` line", line));
        }
        const auto key = core::trim(line.substr(0, colon));
        const auto value = core::trim(line.substr(colon + 1));
        if (core::iequals(key, "Wheel-Version")) {
            const auto dot = value.find('.');
            if (dot == std::string_view::npos ||
                !parse_u32(value.substr(0, dot), info.version_major) ||
                !parse_u32(value.substr(dot + 1), info.version_minor)) {
                return wheel_file_error(
                    source, fmt::format("Wheel-Version `{}` is not `<major>.<minor>`", value));
            }
            have_version = true;
        } else if (core::iequals(key, "Root-Is-Purelib")) {
            if (core::iequals(value, "true")) {
                info.root_is_purelib = true;
            } else if (core::iequals(value, "false")) {
                info.root_is_purelib = false;
            } else {
                return wheel_file_error(
                    source, fmt::format("Root-Is-Purelib `{}` is neither true nor false", value));
            }
            have_purelib = true;
        } else if (core::iequals(key, "Generator")) {
            info.generator = std::string(value);
        } else if (core::iequals(key, "Tag")) {
            info.tags.emplace_back(value);
        }
    }
    if (!have_version) {
        return wheel_file_error(source, "Wheel-Version is missing");
    }
    if (!have_purelib) {
        return wheel_file_error(source, "Root-Is-Purelib is missing");
    }
    return info;
}

core::Result<std::vector<RecordEntry>> parse_record(std::string_view text,
                                                    std::string_view source) {
    std::vector<RecordEntry> entries;
    std::size_t i = 0;
    std::size_t line = 1;
    while (i < text.size()) {
        const std::size_t first_line = line;
        std::vector<std::string> fields(1);
        bool at_end_of_row = false;
        bool field_start = true;
        while (i < text.size() && !at_end_of_row) {
            const char c = text[i];
            if (field_start && c == '"') {  // a quoted field, up to the closing quote
                ++i;
                bool closed = false;
                while (i < text.size()) {
                    if (text[i] == '"') {
                        if (i + 1 < text.size() && text[i + 1] == '"') {
                            fields.back() += '"';
                            i += 2;
                            continue;
                        }
                        ++i;
                        closed = true;
                        break;
                    }
                    if (text[i] == '\n') {
                        ++line;
                    }
                    fields.back() += text[i];
                    ++i;
                }
                if (!closed) {
                    return record_error(source, first_line, "a quoted field is not closed");
                }
                field_start = false;
                if (i < text.size() && text[i] != ',' && text[i] != '\n' && text[i] != '\r') {
                    return record_error(source, line, "text follows a quoted field");
                }
                continue;
            }
            field_start = false;
            if (c == ',') {
                fields.emplace_back();
                field_start = true;
            } else if (c == '\n') {
                at_end_of_row = true;
                ++line;
            } else if (c != '\r') {
                fields.back() += c;
            }
            ++i;
        }
        if (fields.size() == 1 && fields.front().empty()) {
            continue;  // a blank line
        }
        if (fields.size() != 3) {
            return record_error(source, first_line,
                                fmt::format("{} fields instead of 3 (path, hash, size)",
                                            fields.size()));
        }
        RecordEntry entry;
        entry.path = std::move(fields[0]);
        entry.hash = std::move(fields[1]);
        if (entry.path.empty()) {
            return record_error(source, first_line, "the path is empty");
        }
        if (!entry.hash.empty() && entry.hash.find('=') == std::string::npos) {
            return record_error(source, first_line,
                                fmt::format("hash `{}` is not `<algorithm>=<value>`", entry.hash));
        }
        if (!fields[2].empty()) {
            std::uint64_t size = 0;
            const auto* end = fields[2].data() + fields[2].size();
            const auto [ptr, ec] = std::from_chars(fields[2].data(), end, size);
            if (ec != std::errc() || ptr != end) {
                return record_error(source, first_line,
                                    fmt::format("size `{}` is not a number", fields[2]));
            }
            entry.size = size;
        }
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::string format_record(const std::vector<RecordEntry>& entries) {
    std::string out;
    for (const auto& entry : entries) {
        append_csv_field(out, entry.path);
        out += ',';
        append_csv_field(out, entry.hash);
        out += ',';
        if (entry.size) {
            out += std::to_string(*entry.size);
        }
        out += '\n';
    }
    return out;
}

std::string record_hash(std::string_view bytes) {
    const auto raw = core::from_hex(core::sha256(bytes).hex);
    auto encoded = core::base64_encode(raw.value(), core::Base64Alphabet::url_safe);
    while (!encoded.empty() && encoded.back() == '=') {
        encoded.pop_back();
    }
    return "sha256=" + encoded;
}

core::Result<std::vector<EntryPoint>> parse_entry_points(std::string_view text,
                                                         std::string_view source) {
    std::vector<EntryPoint> entry_points;
    std::optional<EntryPoint::Group> group;  // unset outside the two script sections
    std::size_t number = 0;
    for (const auto raw : lines_of(text)) {
        ++number;
        const auto line = core::trim(raw);
        if (line.empty() || line.front() == '#' || line.front() == ';') {
            continue;
        }
        if (line.front() == '[') {
            if (line.back() != ']') {
                return entry_points_error(source, number,
                                          fmt::format("section header `{}` lacks `]`", line));
            }
            const auto section = core::trim(line.substr(1, line.size() - 2));
            if (section == "console_scripts") {
                group = EntryPoint::Group::console;
            } else if (section == "gui_scripts") {
                group = EntryPoint::Group::gui;
            } else {
                group.reset();
            }
            continue;
        }
        if (!group) {
            continue;
        }
        const auto equals = line.find('=');
        if (equals == std::string_view::npos) {
            return entry_points_error(source, number,
                                      fmt::format("`{}` is not `name = module:object`", line));
        }
        EntryPoint entry;
        entry.group = *group;
        entry.name = std::string(core::trim(line.substr(0, equals)));
        auto value = core::trim(line.substr(equals + 1));
        if (const auto bracket = value.find('['); bracket != std::string_view::npos) {
            value = core::trim(value.substr(0, bracket));  // extras do not change the launcher
        }
        if (entry.name.empty() || entry.name == "." || entry.name == ".." ||
            entry.name.find_first_of("/\\") != std::string::npos) {
            return entry_points_error(
                source, number, fmt::format("`{}` is not usable as a script name", entry.name));
        }
        const auto colon = value.find(':');
        if (colon == std::string_view::npos) {
            return entry_points_error(
                source, number,
                fmt::format("`{}` names no object to call (`module:object`)", value));
        }
        entry.module = std::string(core::trim(value.substr(0, colon)));
        entry.object = std::string(core::trim(value.substr(colon + 1)));
        if (!is_dotted_name(entry.module) || !is_dotted_name(entry.object)) {
            return entry_points_error(
                source, number, fmt::format("`{}` is not `module:object` of Python names", value));
        }
        entry_points.push_back(std::move(entry));
    }
    return entry_points;
}

std::string python_shebang(std::string_view python, std::string_view args) {
    // The kernel reads at most 127 bytes of a `#!` line on older Linux (BINPRM_BUF_SIZE was
    // 128 until 5.1), and cuts the interpreter path at a space; both cases go through sh.
    const auto direct = fmt::format("#!{}{}\n", python, args);
    if (direct.size() <= 127 && python.find(' ') == std::string_view::npos) {
        return direct;
    }
    // sh runs line 2 as `exec "<python>" "$0" "$@"` (`''` then `'exec'` concatenate to the
    // word exec). Python then reads the same file: line 1 is a comment and lines 2-3 are one
    // string literal, so the prelude is a no-op expression.
    return fmt::format("#!/bin/sh\n'''exec' \"{}\"{} \"$0\" \"$@\"\n' '''\n", python, args);
}

std::string launcher_script(std::string_view python, const EntryPoint& entry_point) {
    const auto dot = entry_point.object.find('.');
    const auto imported = entry_point.object.substr(0, dot);
    return fmt::format(
        "{}# The `{}` entry point of this environment, written by envsmith.\n"
        "import sys\n"
        "from {} import {}\n"
        "if __name__ == \"__main__\":\n"
        "    sys.exit({}())\n",
        python_shebang(python), entry_point.name, entry_point.module, imported,
        entry_point.object);
}

}  // namespace envsmith::install
