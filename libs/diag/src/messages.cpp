#include "envsmith/diag/messages.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "envsmith/core/text.hpp"
#include "envsmith/diag/embedded.hpp"

namespace envsmith::diag {

namespace {

/// "pt_BR.UTF-8@euro" -> {"pt", "br"}; lowercase, no encoding or modifier.
std::pair<std::string, std::string> split_locale(std::string_view text) {
    text = text.substr(0, text.find_first_of(".@"));
    const auto sep = text.find_first_of("_-");
    std::string language = core::to_lower(text.substr(0, sep));
    std::string region = sep == std::string_view::npos ? "" : core::to_lower(text.substr(sep + 1));
    return {language, region};
}

std::string match_language(std::string_view text) {
    const auto [language, region] = split_locale(core::trim(text));
    if (language == "pt") return "pt-BR";  // the Portuguese we have
    if (language == "zh") return "zh-CN";  // Simplified Chinese: zh, zh_CN, zh_SG, zh-Hans
    if (language == "cs" || language == "es" || language == "it" || language == "en") {
        return language;
    }
    return {};
}

}  // namespace

const std::vector<std::string>& supported_languages() {
    static const std::vector<std::string> languages = {"en", "pt-BR", "cs", "es", "it", "zh-CN"};
    return languages;
}

std::string pick_language(std::string_view requested, std::string_view lc_all,
                          std::string_view lc_messages, std::string_view lang) {
    if (!core::trim(requested).empty()) {
        const auto picked = match_language(requested);
        return picked.empty() ? "en" : picked;
    }
    for (const auto candidate : {lc_all, lc_messages, lang}) {
        if (!core::trim(candidate).empty()) {
            const auto picked = match_language(candidate);
            return picked.empty() ? "en" : picked;
        }
    }
    return "en";
}

std::string fill_template(std::string_view text, const std::vector<core::MessageArg>& args) {
    std::string out;
    out.reserve(text.size() + 32);
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
            out.push_back(c);
            ++i;
            continue;
        }
        if (c == '{') {
            const auto close = text.find('}', i + 1);
            if (close != std::string_view::npos) {
                const auto name = text.substr(i + 1, close - i - 1);
                const auto it = std::find_if(args.begin(), args.end(),
                                             [name](const auto& a) { return a.name == name; });
                out += it == args.end() ? "?" : it->value;
                i = close;
                continue;
            }
        }
        out.push_back(c);
    }
    return out;
}

std::vector<std::string> placeholders(std::string_view text) {
    std::set<std::string> names;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if ((text[i] == '{' || text[i] == '}') && i + 1 < text.size() && text[i + 1] == text[i]) {
            ++i;
            continue;
        }
        if (text[i] == '{') {
            const auto close = text.find('}', i + 1);
            if (close == std::string_view::npos) {
                break;
            }
            names.emplace(text.substr(i + 1, close - i - 1));
            i = close;
        }
    }
    return {names.begin(), names.end()};
}

core::Status MessageCatalog::add_yaml(std::string_view text, std::string_view file_name) {
    auto invalid = [&](const YAML::Mark& mark, const std::string& what) {
        return core::make_error(core::ErrorCode::invalid_input, "messages.invalid",
                                fmt::format("invalid message catalog: {}", what))
            .arg("problem", what)
            .at(core::SourceLocation{std::string(file_name),
                                     static_cast<std::uint32_t>(mark.line + 1),
                                     static_cast<std::uint32_t>(mark.column + 1), ""});
    };
    try {
        const YAML::Node root = YAML::Load(std::string(text));
        if (!root || root.IsNull()) {
            return {};
        }
        if (!root.IsMap()) {
            return invalid(root.Mark(), "expected a mapping of message id to text");
        }
        for (const auto& item : root) {
            if (!item.second.IsScalar()) {
                return invalid(item.second.Mark(), fmt::format("`{}` must be a string",
                                                               item.first.as<std::string>()));
            }
            m_templates[item.first.as<std::string>()] = item.second.as<std::string>();
        }
    } catch (const YAML::Exception& e) {
        return invalid(e.mark, e.msg);
    }
    return {};
}

const std::string* MessageCatalog::find(std::string_view id) const {
    const auto it = m_templates.find(id);
    return it == m_templates.end() ? nullptr : &it->second;
}

Messages::Messages(MessageCatalog english, MessageCatalog translation, std::string language)
    : m_english(std::move(english)), m_translation(std::move(translation)), m_language(std::move(language)) {}

core::Result<MessageCatalog> MessageCatalog::load_builtin(std::string_view language) {
    MessageCatalog catalog;
    const auto prefix = fmt::format("locale/{}/", language);
    for (const auto& file : builtin_data()) {
        if (file.name.starts_with(prefix)) {
            if (auto status = catalog.add_yaml(file.bytes, file.name); !status) {
                return std::move(status).error();
            }
        }
    }
    return catalog;
}

core::Result<Messages> Messages::load_builtin(std::string_view language) {
    auto english = MessageCatalog::load_builtin("en");
    if (!english) {
        return std::move(english).error();
    }
    MessageCatalog translation;
    if (language != "en") {
        auto loaded = MessageCatalog::load_builtin(language);
        if (!loaded) {
            return std::move(loaded).error();
        }
        translation = std::move(*loaded);
    }
    return Messages(std::move(*english), std::move(translation), std::string(language));
}

const std::string* Messages::find(std::string_view id) const {
    if (const auto* text = m_translation.find(id)) {
        return text;
    }
    return m_english.find(id);
}

std::string Messages::render(std::string_view id, const std::vector<core::MessageArg>& args,
                             std::string_view fallback) const {
    if (const auto* text = find(id)) {
        return fill_template(*text, args);
    }
    return fill_template(fallback, args);
}

std::string_view builtin_file(std::string_view name) {
    for (const auto& file : builtin_data()) {
        if (file.name == name) {
            return file.bytes;
        }
    }
    return {};
}

}  // namespace envsmith::diag
