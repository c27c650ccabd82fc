#include "envsmith/core/result.hpp"

#include <fmt/format.h>

namespace envsmith::core {

std::string_view to_string(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_input: return "invalid_input";
        case ErrorCode::not_found: return "not_found";
        case ErrorCode::unavailable: return "unavailable";
        case ErrorCode::permission_denied: return "permission_denied";
        case ErrorCode::conflict: return "conflict";
        case ErrorCode::cancelled: return "cancelled";
        case ErrorCode::internal: return "internal";
    }
    return "internal";
}

std::string_view Error::arg_value(std::string_view name) const noexcept {
    for (const auto& a : args) {
        if (a.name == name) {
            return a.value;
        }
    }
    return {};
}

Error&& Error::within(const SourceLocation& start) && {
    if (!where) {
        where = start;
    } else if (where->file.empty() && where->line <= 1) {
        where->column = start.column + (where->column > 0 ? where->column - 1 : 0);
        where->line = start.line;
        where->file = start.file;
        where->line_text = start.line_text;
    }
    return std::move(*this);
}

std::string Error::describe() const {
    std::string out;
    if (where) {
        out = fmt::format("{}:{}:{}: ", where->file.empty() ? "<input>" : where->file, where->line,
                          where->column);
    }
    out += message;
    for (const auto& frame : context) {
        out += fmt::format(" (while {})", frame);
    }
    return out;
}

Error make_error(ErrorCode code, std::string message_id, std::string message) {
    Error e;
    e.code = code;
    e.message_id = std::move(message_id);
    e.message = std::move(message);
    return e;
}

}  // namespace envsmith::core
