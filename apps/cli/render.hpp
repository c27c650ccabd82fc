#pragma once
// Turns results into text or JSON. Data goes to stdout, messages to stderr.

#include <cstddef>
#include <cstdio>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/diag/messages.hpp"

namespace envsmith::cli {

enum class OutputFormat : bool { text, json };

struct Output {
    OutputFormat format = OutputFormat::text;
    bool color = false;  // only on a TTY and without NO_COLOR
    /// The catalogs errors and warnings are written with; unset: the English messages.
    std::function<const diag::Messages*()> messages;
};

/// Decides colour from the environment and the stream.
[[nodiscard]] bool stderr_wants_color();

/// Prints an error (with location, caret, context and hint) and returns its exit code.
int report_error(const Output& out, const core::Error& error);
/// Prints warnings to stderr in the chosen format (JSON warnings go into the data instead).
void report_warnings(const Output& out, const std::vector<core::Error>& warnings);
/// The JSON object of an error, as text: {"code","message_id","message","args",...}.
[[nodiscard]] std::string error_json(const core::Error& error);
/// The message of an error for people: in English its `message`; in another language its
/// `message_id`'s text filled with its args, when the catalogs have a text for the id and the
/// error carries every argument the text names; else the English `message`.
[[nodiscard]] std::string localized_message(const core::Error& error,
                                            const diag::Messages* messages);
/// Same, as a human text ("warning: env.yml:3:1: ...") in the language of `messages` (English
/// when null).
[[nodiscard]] std::string error_text(const core::Error& error, std::string_view severity,
                                     bool color, const diag::Messages* messages = nullptr);

/// The Reporter of the commands: warnings go to stderr as they happen, in the chosen language.
class StderrReporter final : public core::Reporter {
public:
    explicit StderrReporter(const diag::Messages& messages) : m_messages(messages) {}
    void on_warning(std::string_view id, std::string_view text,
                    const std::vector<core::MessageArg>& args) override;

private:
    const diag::Messages& m_messages;
};

/// Columns a UTF-8 text takes on a terminal: one per code point, two for East Asian wide ones
/// (Hangul, CJK, fullwidth forms), so that labels and verdicts line up in every language.
[[nodiscard]] std::size_t display_width(std::string_view text);

}  // namespace envsmith::cli
