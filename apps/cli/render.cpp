#include "render.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "exit_codes.hpp"

namespace envsmith::cli {

namespace {

nlohmann::json to_json(const core::Error& error) {
    nlohmann::json j;
    j["code"] = std::string(core::to_string(error.code));
    j["message_id"] = error.message_id;
    j["message"] = error.message;
    nlohmann::json args = nlohmann::json::object();
    for (const auto& a : error.args) {
        args[a.name] = a.value;
    }
    j["args"] = std::move(args);
    if (error.where) {
        j["location"] = {{"file", error.where->file},
                         {"line", error.where->line},
                         {"column", error.where->column}};
    } else {
        j["location"] = nullptr;
    }
    j["hint"] = error.hint.empty() ? nlohmann::json(nullptr) : nlohmann::json(error.hint);
    j["context"] = error.context;
    return j;
}

std::string paint(bool color, std::string_view code, std::string_view text) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
}

}  // namespace

bool stderr_wants_color() {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') {
        return false;
    }
    const char* term = std::getenv("TERM");
    if (term != nullptr && std::string_view(term) == "dumb") {
        return false;
    }
    return ::isatty(STDERR_FILENO) == 1;
}

std::string error_json(const core::Error& error) { return to_json(error).dump(); }

std::string localized_message(const core::Error& error, const diag::Messages* messages) {
    if (messages == nullptr || messages->language() == "en") {
        return error.message;  // the English text as built, whatever its shape
    }
    const auto* text = messages->find(error.message_id);
    if (text == nullptr) {
        return error.message;
    }
    // An id may have several English shapes; a text naming an argument this error lacks is
    // another shape's, and would print `?`.
    for (const auto& name : diag::placeholders(*text)) {
        if (std::none_of(error.args.begin(), error.args.end(),
                         [&name](const core::MessageArg& a) { return a.name == name; })) {
            return error.message;
        }
    }
    return diag::fill_template(*text, error.args);
}

std::string error_text(const core::Error& error, std::string_view severity, bool color,
                       const diag::Messages* messages) {
    std::string out = paint(color, severity == "error" ? "1;31" : "1;33", severity) + ": " +
                      localized_message(error, messages);
    for (const auto& frame : error.context) {
        out += fmt::format("\n  while {}", frame);
    }
    if (error.where) {
        const auto& w = *error.where;
        const auto gutter = std::to_string(w.line).size();
        out += fmt::format("\n{:>{}}--> {}:{}:{}", "", gutter, w.file.empty() ? "<input>" : w.file,
                           w.line, w.column);
        if (!w.line_text.empty()) {
            out += fmt::format("\n{:>{}} |\n{} | {}\n{:>{}} | {:>{}}", "", gutter, w.line,
                               w.line_text, "", gutter, "^", w.column == 0 ? 1 : w.column);
        }
    }
    if (!error.hint.empty()) {
        out += "\n" + paint(color, "1;36", "hint") + ": " + error.hint;
    }
    return out;
}

int report_error(const Output& out, const core::Error& error) {
    if (out.format == OutputFormat::json) {
        fmt::print(stdout, "{}\n", nlohmann::json{{"error", to_json(error)}}.dump(2));
    } else {
        fmt::print(stderr, "{}\n",
                   error_text(error, "error", out.color, out.messages ? out.messages() : nullptr));
    }
    return exit_code_for(error.code);
}

void report_warnings(const Output& out, const std::vector<core::Error>& warnings) {
    if (out.format == OutputFormat::json) {
        return;
    }
    const diag::Messages* messages = out.messages ? out.messages() : nullptr;
    for (const auto& w : warnings) {
        fmt::print(stderr, "{}\n", error_text(w, "warning", out.color, messages));
    }
}

void StderrReporter::on_warning(std::string_view id, std::string_view text,
                                const std::vector<core::MessageArg>& args) {
    fmt::print(stderr, "warning: {}\n", m_messages.render(id, args, text));
}

std::size_t display_width(std::string_view text) {
    std::size_t width = 0;
    for (std::size_t i = 0; i < text.size();) {
        const auto lead = static_cast<unsigned char>(text[i]);
        const std::size_t length = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4;
        std::uint32_t code = length == 1 ? lead : lead & (0x7FU >> length);
        for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
            code = (code << 6) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
        }
        const bool wide = (code >= 0x1100 && code <= 0x115F) || (code >= 0x2E80 && code <= 0xA4CF) ||
                          (code >= 0xAC00 && code <= 0xD7A3) || (code >= 0xF900 && code <= 0xFAFF) ||
                          (code >= 0xFE30 && code <= 0xFE4F) || (code >= 0xFF00 && code <= 0xFF60) ||
                          (code >= 0xFFE0 && code <= 0xFFE6) || (code >= 0x20000 && code <= 0x3FFFD);
        width += wide ? 2 : 1;
        i += length;
    }
    return width;
}

}  // namespace envsmith::cli
