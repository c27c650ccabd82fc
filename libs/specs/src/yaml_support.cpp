#include "yaml_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <set>
#include <string>
#include <utility>

namespace envsmith::specs::detail {

namespace {

std::uint32_t to_one_based(int zero_based) {
    if (zero_based < 0) {
        return 0;
    }
    const auto value = static_cast<std::uint64_t>(zero_based) + 1;
    return value > std::numeric_limits<std::uint32_t>::max()
               ? std::numeric_limits<std::uint32_t>::max()
               : static_cast<std::uint32_t>(value);
}

}  // namespace

std::string_view describe_kind(const YAML::Node& node) {
    switch (node.Type()) {
        case YAML::NodeType::Scalar: return "a string";
        case YAML::NodeType::Sequence: return "a list";
        case YAML::NodeType::Map: return "a mapping";
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined: return "nothing";
    }
    return "nothing";
}

YamlInput::YamlInput(std::string_view file_name, std::string_view text)
    : m_index(file_name, text) {}

core::Result<YAML::Node> YamlInput::load() const {
    try {
        return YAML::Load(std::string(m_index.text()));
    } catch (const YAML::Exception& e) {
        auto where = location(e.mark);
        if (where.line == 0) {
            where = m_index.at(1, 1);
        }
        return core::make_error(core::ErrorCode::invalid_input, "yaml.syntax",
                                fmt::format("invalid YAML: {}", e.msg))
            .arg("file", std::string(m_index.file()))
            .arg("problem", e.msg)
            .at(std::move(where));
    }
}

core::SourceLocation YamlInput::location(const YAML::Mark& mark) const {
    if (mark.is_null() || mark.line < 0 || mark.column < 0) {
        return core::SourceLocation{std::string(m_index.file()), 0, 0, {}};
    }
    return m_index.at(to_one_based(mark.line), to_one_based(mark.column));
}

core::SourceLocation YamlInput::location(const YAML::Node& node) const {
    if (!node.IsDefined()) {
        return location(YAML::Mark::null_mark());
    }
    const auto mark = node.Mark();
    if (node.IsNull() && !mark.is_null() && mark.pos >= 0) {
        // yaml-cpp marks an empty value where the next token starts (often the next line).
        // Point at the `-` or `:` that introduced the empty value instead.
        const auto text = m_index.text();
        auto i = std::min(static_cast<std::size_t>(mark.pos), text.size());
        while (i > 0 && (text[i - 1] == ' ' || text[i - 1] == '\t' || text[i - 1] == '\n' ||
                         text[i - 1] == '\r')) {
            --i;
        }
        if (i > 0 && (text[i - 1] == '-' || text[i - 1] == ':')) {
            return m_index.locate(i - 1);
        }
    }
    return location(mark);
}

core::Error YamlInput::error_at(const YAML::Node& node, std::string id, std::string message) const {
    return core::make_error(core::ErrorCode::invalid_input, std::move(id), std::move(message))
        .at(location(node));
}

core::Error YamlInput::type_error(const YAML::Node& node, std::string id, std::string_view key,
                                  std::string_view expected) const {
    return error_at(node, std::move(id),
                    fmt::format("expected {} for `{}`, found {}", expected, key,
                                describe_kind(node)))
        .arg("key", std::string(key))
        .arg("expected", std::string(expected))
        .arg("found", std::string(describe_kind(node)))
        .arg("suffix", "");
}

core::Error YamlInput::item_type_error(const YAML::Node& item, std::string id,
                                       std::string_view key, std::string_view expected) const {
    return error_at(item, std::move(id),
                    fmt::format("expected {} for `{}`, found {} in it", expected, key,
                                describe_kind(item)))
        .arg("key", std::string(key))
        .arg("expected", std::string(expected))
        .arg("found", std::string(describe_kind(item)))
        .arg("suffix", " in it");
}

core::Result<std::string> YamlInput::get_string(const YAML::Node& node, std::string_view key,
                                                std::string_view id) const {
    if (node.IsNull()) {
        return std::string();
    }
    if (!node.IsScalar()) {
        return type_error(node, std::string(id), key, "a string");
    }
    return node.Scalar();
}

core::Result<bool> YamlInput::get_bool(const YAML::Node& node, std::string_view key,
                                       std::string_view id) const {
    if (node.IsScalar()) {
        const auto value = core::to_lower(node.Scalar());
        if (value == "true" || value == "yes" || value == "on") {
            return true;
        }
        if (value == "false" || value == "no" || value == "off") {
            return false;
        }
    }
    return type_error(node, std::string(id), key, "`true` or `false`");
}

core::Result<std::vector<std::string>> YamlInput::get_string_list(const YAML::Node& node,
                                                                  std::string_view key,
                                                                  std::string_view id) const {
    std::vector<std::string> out;
    if (node.IsNull()) {
        return out;
    }
    if (!node.IsSequence()) {
        return type_error(node, std::string(id), key, "a list of strings");
    }
    for (const auto& item : node) {
        if (!item.IsScalar()) {
            return item_type_error(item, std::string(id), key, "a list of strings");
        }
        out.push_back(item.Scalar());
    }
    return out;
}

core::Result<std::vector<std::pair<std::string, std::string>>> YamlInput::get_string_map(
    const YAML::Node& node, std::string_view key, std::string_view id) const {
    std::vector<std::pair<std::string, std::string>> out;
    if (node.IsNull()) {
        return out;
    }
    if (!node.IsMap()) {
        return type_error(node, std::string(id), key, "a mapping of names to strings");
    }
    const auto prefix = id.substr(0, id.rfind('.'));
    auto items = entries(node, prefix);
    if (!items) {
        return std::move(items).error();
    }
    for (auto& entry : *items) {
        if (!entry.value.IsNull() && !entry.value.IsScalar()) {
            return type_error(entry.value, std::string(id), fmt::format("{}.{}", key, entry.key),
                              "a string");
        }
        out.emplace_back(std::move(entry.key),
                         entry.value.IsNull() ? std::string() : entry.value.Scalar());
    }
    return out;
}

core::Result<std::vector<MapEntry>> YamlInput::entries(const YAML::Node& mapping,
                                                       std::string_view id_prefix) const {
    std::vector<MapEntry> out;
    std::set<std::string, std::less<>> seen;
    for (const auto& item : mapping) {
        const YAML::Node key = item.first;
        if (!key.IsScalar()) {
            return error_at(key, fmt::format("{}.bad_key", id_prefix),
                            fmt::format("expected a string key, found {}", describe_kind(key)))
                .arg("found", std::string(describe_kind(key)));
        }
        if (!seen.insert(key.Scalar()).second) {
            return error_at(key, fmt::format("{}.duplicate_key", id_prefix),
                            fmt::format("duplicate key `{}`", key.Scalar()))
                .arg("key", key.Scalar())
                .with_hint("YAML keeps only one value per key; merge the two entries");
        }
        out.push_back(MapEntry{key.Scalar(), key, item.second});
    }
    return out;
}

core::Error empty_document_error(const YamlInput& input, const DocumentShape& shape) {
    return core::make_error(core::ErrorCode::invalid_input, fmt::format("{}.empty", shape.id_prefix),
                            fmt::format("`{}` has no content; expected {}", input.file_name(),
                                        shape.expected_content))
        .arg("file", std::string(input.file_name()))
        .at(core::SourceLocation{std::string(input.file_name()), 1, 1, {}});
}

core::Error not_mapping_error(const YamlInput& input, const DocumentShape& shape,
                              const YAML::Node& root) {
    auto err = input.error_at(root, fmt::format("{}.not_mapping", shape.id_prefix),
                              fmt::format("expected {} at the top of `{}`, found {}",
                                          shape.expected_mapping, input.file_name(),
                                          describe_kind(root)))
                   .arg("file", std::string(input.file_name()))
                   .arg("found", std::string(describe_kind(root)));
    if (root.IsScalar() && !shape.scalar_hint.empty()) {
        return std::move(err).with_hint(std::string(shape.scalar_hint));
    }
    return err;
}

core::Error yaml_exception_error(const YamlInput& input, const YAML::Exception& e) {
    return core::make_error(core::ErrorCode::invalid_input, "yaml.syntax",
                            fmt::format("invalid YAML: {}", e.msg))
        .arg("file", std::string(input.file_name()))
        .arg("problem", e.msg)
        .at(input.location(e.mark));
}

core::Error internal_error(const YamlInput& input, const DocumentShape& shape,
                           const std::exception& e) {
    return core::make_error(core::ErrorCode::internal, fmt::format("{}.internal", shape.id_prefix),
                            fmt::format("unexpected failure reading `{}`: {}", input.file_name(),
                                        e.what()))
        .arg("file", std::string(input.file_name()))
        .arg("problem", e.what());
}

core::Error YamlInput::unknown_key(const YAML::Node& key_node, std::string_view key,
                                   std::string id, std::string_view where,
                                   const std::vector<std::string_view>& known) const {
    auto warning = error_at(key_node, std::move(id),
                            fmt::format("unknown key `{}` in {}; it is ignored", key, where))
                       .arg("key", std::string(key))
                       .arg("where", std::string(where));
    std::string_view best;
    std::size_t best_distance = 3;  // suggest only close matches
    for (const auto candidate : known) {
        const auto distance = core::edit_distance(core::to_lower(key), candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    if (!best.empty()) {
        return std::move(warning).with_hint(fmt::format("did you mean `{}`?", best));
    }
    return warning;
}

}  // namespace envsmith::specs::detail
