#include "html.hpp"

#include <cstdint>
#include <string>

#include "envsmith/core/text.hpp"

namespace envsmith::index::detail {
namespace {

bool is_html_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

}  // namespace

std::optional<std::string> HtmlTag::attribute(std::string_view attribute_name) const {
    for (const auto& [key, value] : attributes) {
        if (key == attribute_name) {
            return value.value_or(std::string());
        }
    }
    return std::nullopt;
}

bool HtmlTag::has(std::string_view attribute_name) const {
    for (const auto& attribute : attributes) {
        if (attribute.first == attribute_name) {
            return true;
        }
    }
    return false;
}

std::string decode_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] != '&') {
            out += text[i];
            continue;
        }
        const auto semicolon = text.find(';', i + 1);
        if (semicolon == std::string_view::npos || semicolon - i > 12) {
            out += '&';
            continue;
        }
        const auto name = text.substr(i + 1, semicolon - i - 1);
        if (!name.empty() && name[0] == '#') {
            std::uint32_t value = 0;
            bool ok = name.size() > 1;
            const bool hex = name.size() > 1 && (name[1] == 'x' || name[1] == 'X');
            for (std::size_t k = hex ? 2 : 1; ok && k < name.size(); ++k) {
                const char c = name[k];
                std::uint32_t digit = 0;
                if (core::is_ascii_digit(c)) {
                    digit = static_cast<std::uint32_t>(c - '0');
                } else if (hex && c >= 'a' && c <= 'f') {
                    digit = static_cast<std::uint32_t>(c - 'a' + 10);
                } else if (hex && c >= 'A' && c <= 'F') {
                    digit = static_cast<std::uint32_t>(c - 'A' + 10);
                } else {
                    ok = false;
                }
                value = value * (hex ? 16U : 10U) + digit;
                if (value > 0x10FFFF) {
                    ok = false;
                }
            }
            if (ok && (!hex || name.size() > 2)) {
                // HTML maps a reference to U+0000 to U+FFFD, as it does surrogates.
                core::append_utf8(out, value == 0 ? 0xFFFD : value);
                i = semicolon;
                continue;
            }
            out += '&';
            continue;
        }
        static constexpr std::pair<std::string_view, std::string_view> named[] = {
            {"amp", "&"},   {"lt", "<"},   {"gt", ">"},
            {"quot", "\""}, {"apos", "'"}, {"nbsp", "\xC2\xA0"},
        };
        bool found = false;
        for (const auto& [key, value] : named) {
            if (name == key) {
                out += value;
                i = semicolon;
                found = true;
                break;
            }
        }
        if (!found) {
            out += '&';
        }
    }
    return out;
}

void scan_tags(std::string_view html, const std::function<void(const HtmlTag&)>& on_tag) {
    std::size_t i = 0;
    const auto n = html.size();
    while (i < n) {
        const auto lt = html.find('<', i);
        if (lt == std::string_view::npos) {
            return;
        }
        if (html.substr(lt, 4) == "<!--") {
            const auto end = html.find("-->", lt + 4);
            i = end == std::string_view::npos ? n : end + 3;
            continue;
        }
        std::size_t p = lt + 1;
        if (p >= n || !core::is_ascii_alpha(html[p])) {
            // An end tag, a doctype or a stray `<`: skip to its `>`.
            const auto gt = html.find('>', p);
            i = (gt == std::string_view::npos) ? n : gt + 1;
            continue;
        }
        HtmlTag tag;
        tag.offset = lt;
        while (p < n && !is_html_space(html[p]) && html[p] != '>' && html[p] != '/') {
            tag.name += core::ascii_lower(html[p]);
            ++p;
        }
        // Attributes until `>`.
        while (p < n && html[p] != '>') {
            if (is_html_space(html[p]) || html[p] == '/') {
                ++p;
                continue;
            }
            std::string name;
            while (p < n && !is_html_space(html[p]) && html[p] != '>' && html[p] != '=' &&
                   !(html[p] == '/' && p + 1 < n && html[p + 1] == '>')) {
                name += core::ascii_lower(html[p]);
                ++p;
            }
            while (p < n && is_html_space(html[p])) {
                ++p;
            }
            std::optional<std::string> value;
            if (p < n && html[p] == '=') {
                ++p;
                while (p < n && is_html_space(html[p])) {
                    ++p;
                }
                if (p < n && (html[p] == '"' || html[p] == '\'')) {
                    const char quote = html[p];
                    const auto close = html.find(quote, p + 1);
                    const auto end = close == std::string_view::npos ? n : close;
                    value = decode_entities(html.substr(p + 1, end - p - 1));
                    p = close == std::string_view::npos ? n : close + 1;
                } else {
                    const auto start = p;
                    while (p < n && !is_html_space(html[p]) && html[p] != '>') {
                        ++p;
                    }
                    value = decode_entities(html.substr(start, p - start));
                }
            }
            if (!name.empty()) {
                tag.attributes.emplace_back(std::move(name), std::move(value));
            } else if (p < n && html[p] != '>') {
                ++p;  // a stray character such as a lone `=`
            }
        }
        i = p < n ? p + 1 : n;
        on_tag(tag);
        if (tag.name == "script" || tag.name == "style") {
            // Raw text: skip to its end tag so that a `<a` inside is not taken for a link.
            const auto close = html.find("</" + tag.name, i);
            i = close == std::string_view::npos ? n : close;
        }
    }
}

}  // namespace envsmith::index::detail
