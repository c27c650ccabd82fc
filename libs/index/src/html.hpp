#pragma once
// A small, lenient HTML tag scanner for simple-index pages: it finds start tags and their
// attributes and skips comments, text and end tags. It is not an HTML5 parser: the pages it
// reads (PEP 503, find-links) are flat lists of anchors, and browsers-grade recovery is not
// needed to read them.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace envsmith::index::detail {

struct HtmlTag {
    std::string name;  // lower case: "a", "base", "meta"
    /// Names in lower case; values with character references decoded; nullopt for an
    /// attribute without `=` (`<a data-yanked href=...>`).
    std::vector<std::pair<std::string, std::optional<std::string>>> attributes;
    std::size_t offset = 0;  // byte offset of `<` in the page

    /// The value of the first attribute named `name`: nullopt when absent, "" when present
    /// without a value.
    [[nodiscard]] std::optional<std::string> attribute(std::string_view attribute_name) const;
    [[nodiscard]] bool has(std::string_view attribute_name) const;
};

/// Calls `on_tag` for each start tag (and self-closing tag) of `html`, in order.
void scan_tags(std::string_view html, const std::function<void(const HtmlTag&)>& on_tag);

/// Decodes character references.
[[nodiscard]] std::string decode_entities(std::string_view text);

}  // namespace envsmith::index::detail
