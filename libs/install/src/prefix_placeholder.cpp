#include "envsmith/install/prefix_placeholder.hpp"

#include <string>

#include "link_detail.hpp"

namespace envsmith::install {

namespace {

void replace_all(std::string& text, std::string_view from, std::string_view to) {
    if (from.empty()) {
        return;
    }
    std::size_t pos = 0;
    while ((pos = text.find(from, pos)) != std::string::npos) {
        text.replace(pos, from.size(), to);
        pos += to.size();
    }
}

}  // namespace

std::string shorten_long_shebang(std::string_view content) {
    if (!content.starts_with("#!")) {
        return std::string(content);
    }
    const auto line_end = content.find('\n');
    std::string_view line = content.substr(0, line_end);
    if (line.ends_with('\r')) {
        line.remove_suffix(1);
    }
    // The interpreter runs to the first space that is not escaped with a backslash.
    std::size_t i = 2;
    while (i < line.size() && line[i] == ' ') {
        ++i;  // "#! /usr/bin/python" is allowed
    }
    const std::size_t interpreter_start = i;
    bool escaped_space = false;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t') {
        if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == ' ') {
            escaped_space = true;
            i += 2;
            continue;
        }
        ++i;
    }
    const std::string_view interpreter = line.substr(interpreter_start, i - interpreter_start);
    const std::string_view arguments = line.substr(i);
    if (line.size() <= max_shebang_length && !escaped_space) {
        return std::string(content);
    }
    const auto slash = interpreter.rfind('/');
    if (slash == std::string_view::npos || slash + 1 == interpreter.size()) {
        return std::string(content);
    }
    std::string out = "#!/usr/bin/env ";
    out += interpreter.substr(slash + 1);
    out += arguments;
    out += content.substr(line.size());
    return out;
}

std::string replace_prefix_text(std::string_view content, std::string_view placeholder,
                                std::string_view prefix) {
    std::string out(content);
    replace_all(out, placeholder, prefix);
    return shorten_long_shebang(out);
}

core::Result<std::string> replace_prefix_binary(std::string_view content, std::string_view placeholder,
                                                std::string_view prefix, std::string_view path) {
    std::string out;
    out.reserve(content.size());
    if (placeholder.empty()) {
        return std::string(content);
    }
    std::size_t done = 0;
    while (true) {
        const auto start = content.find(placeholder, done);
        if (start == std::string_view::npos) {
            break;
        }
        const auto nul = content.find('\0', start + placeholder.size());
        if (nul == std::string_view::npos) {
            break;  // not a C string: conda leaves it alone too
        }
        if (prefix.size() > placeholder.size()) {
            return detail::link_error(
                core::ErrorCode::invalid_input, "install.link.prefix_too_long",
                "cannot relink `{path}` for `{prefix}`: the prefix is longer than the build "
                "placeholder `{placeholder}` this binary file holds",
                {{"path", std::string(path)}, {"prefix", std::string(prefix)},
                 {"placeholder", std::string(placeholder)}});
        }
        std::string segment(content.substr(start, nul - start));
        const auto old_size = segment.size();
        replace_all(segment, placeholder, prefix);
        segment.append(old_size - segment.size(), '\0');
        out.append(content.substr(done, start - done));
        out += segment;
        done = nul;  // the NUL itself is copied with the next stretch
    }
    out.append(content.substr(done));
    return out;
}

}  // namespace envsmith::install
