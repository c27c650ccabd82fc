#pragma once
// Message catalogs: stable message ids mapped to templates with named placeholders, one
// catalog per language (locale/<lang>/*.yaml). English is the source; a translation that lacks
// an id falls back to English for that id.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::diag {

/// The languages envsmith speaks, as BCP 47 tags; "en" first.
[[nodiscard]] const std::vector<std::string>& supported_languages();

/// Picks the language: `requested` (from `--lang`) when set, else the first non-empty of
/// `lc_all`, `lc_messages`, `lang` (POSIX precedence). Accepts "pt_BR.UTF-8", "pt-BR", "pt",
/// "zh_CN", "zh-Hans", "cs_CZ"... Unknown languages, "C" and "POSIX" give "en".
[[nodiscard]] std::string pick_language(std::string_view requested, std::string_view lc_all,
                                        std::string_view lc_messages, std::string_view lang);

/// Replaces `{name}` with the named argument's value (`?` when absent); `{{` and `}}` are
/// literal braces.
[[nodiscard]] std::string fill_template(std::string_view text, const std::vector<core::MessageArg>& args);

/// The sorted, unique placeholder names of a template.
[[nodiscard]] std::vector<std::string> placeholders(std::string_view text);

class MessageCatalog {
public:
    /// The built-in templates of one language, without any fallback.
    static core::Result<MessageCatalog> load_builtin(std::string_view language);

    /// Adds the templates of one YAML file (a flat mapping of id to text). Fails with
    /// `messages.invalid` naming the file, line and column.
    core::Status add_yaml(std::string_view text, std::string_view file_name);

    [[nodiscard]] const std::map<std::string, std::string, std::less<>>& templates() const noexcept {
        return m_templates;
    }
    [[nodiscard]] const std::string* find(std::string_view id) const;

private:
    std::map<std::string, std::string, std::less<>> m_templates;
};

/// Renders messages in one language with English as the fallback.
class Messages {
public:
    /// The built-in catalogs of `language` (one of supported_languages()) and of English.
    static core::Result<Messages> load_builtin(std::string_view language);
    Messages(MessageCatalog english, MessageCatalog translation, std::string language);

    [[nodiscard]] const std::string& language() const noexcept { return m_language; }
    /// The template of `id` in this language, else in English, else nullptr.
    [[nodiscard]] const std::string* find(std::string_view id) const;
    /// The filled template of `id`; when the id is in no catalog, `fallback` filled as a
    /// template instead.
    [[nodiscard]] std::string render(std::string_view id, const std::vector<core::MessageArg>& args,
                                     std::string_view fallback = {}) const;

private:
    MessageCatalog m_english;
    MessageCatalog m_translation;
    std::string m_language;
};

}  // namespace envsmith::diag
