#pragma once
// Errors are values: a small code for programs, a stable message id for people, an English
// fallback text for logs, named arguments for the translated catalogs, and where in the input
// the problem is. Exceptions are for bugs and never cross a layer.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace envsmith::core {

/// Small and stable, like absl::StatusCode. Mapped once to exit codes and once to HTTP statuses.
enum class ErrorCode : std::uint8_t {
    invalid_input,
    not_found,
    unavailable,
    permission_denied,
    conflict,
    cancelled,
    internal,
};

/// The canonical lowercase name of a code ("invalid_input"), as used in `--json` output.
[[nodiscard]] std::string_view to_string(ErrorCode code) noexcept;

/// A place in a text input. Lines and columns count from 1; column counts bytes.
struct SourceLocation {
    std::string file;       // a display name: a path as the user gave it, or "<inline>"
    std::uint32_t line = 0;
    std::uint32_t column = 0;
    std::string line_text;  // the whole offending line, for a caret display

    friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

/// A named argument of a message; translators may reorder placeholders by name.
struct MessageArg {
    std::string name;
    std::string value;

    friend bool operator==(const MessageArg&, const MessageArg&) = default;
};

struct Error {
    ErrorCode code = ErrorCode::internal;
    std::string message_id;               // "spec.version.invalid": stable catalog key
    std::string message;                  // English fallback for logs
    std::vector<MessageArg> args;         // named values the message was built from
    std::optional<SourceLocation> where;  // set for errors in parsed input
    std::string hint;                     // English hint, optional
    std::vector<std::string> context;     // "while ..." frames, innermost first

    Error&& with_context(std::string frame) && {
        context.push_back(std::move(frame));
        return std::move(*this);
    }
    Error&& with_hint(std::string text) && {
        hint = std::move(text);
        return std::move(*this);
    }
    Error&& at(SourceLocation location) && {
        where = std::move(location);
        return std::move(*this);
    }
    Error&& arg(std::string name, std::string value) && {
        args.push_back({std::move(name), std::move(value)});
        return std::move(*this);
    }

    /// Re-anchors an error from a parser of one string (no file, line 1, column N of that
    /// string) to where that string starts in a file. An error without a location gets `start`;
    /// an error already located in a file keeps its location.
    Error&& within(const SourceLocation& start) &&;

    /// The value of a named argument, or empty.
    [[nodiscard]] std::string_view arg_value(std::string_view name) const noexcept;

    /// One-line English rendering: "file:line:col: message (while ...)". No hint.
    [[nodiscard]] std::string describe() const;
};

/// Shorthand for building an error.
[[nodiscard]] Error make_error(ErrorCode code, std::string message_id, std::string message);

/// The names match std::expected, so the move to C++23 is a one-line alias.
template <typename T>
class [[nodiscard]] Result {
public:
    Result(T value) : m_state(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit on purpose
    Result(Error error) : m_state(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit on purpose

    [[nodiscard]] bool has_value() const noexcept { return m_state.index() == 0; }
    explicit operator bool() const noexcept { return has_value(); }

    [[nodiscard]] const T& value() const& { return std::get<0>(m_state); }
    [[nodiscard]] T& value() & { return std::get<0>(m_state); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(m_state)); }
    [[nodiscard]] const Error& error() const& { return std::get<1>(m_state); }
    [[nodiscard]] Error&& error() && { return std::get<1>(std::move(m_state)); }

    const T* operator->() const { return &value(); }
    T* operator->() { return &value(); }
    const T& operator*() const& { return value(); }
    T& operator*() & { return value(); }
    T&& operator*() && { return std::move(*this).value(); }

private:
    std::variant<T, Error> m_state;
};

/// Success with no value.
template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : m_error(std::move(error)) {}  // NOLINT: implicit on purpose

    [[nodiscard]] bool has_value() const noexcept { return !m_error.has_value(); }
    explicit operator bool() const noexcept { return has_value(); }
    [[nodiscard]] const Error& error() const& { return *m_error; }
    [[nodiscard]] Error&& error() && { return std::move(*m_error); }

private:
    std::optional<Error> m_error;
};

using Status = Result<void>;

}  // namespace envsmith::core
