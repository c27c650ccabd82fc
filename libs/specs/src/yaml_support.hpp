#pragma once
// Private helpers over yaml-cpp for the YAML input parsers (environment.yml, Azure ML YAML):
// loading with errors that carry `file:line:col`, node locations, and typed getters whose
// errors say what was expected and what was found. Nothing here throws: yaml-cpp exceptions
// are caught and turned into `core::Error`s (these parsers are fuzzed).

#include <yaml-cpp/yaml.h>

#include <exception>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/specs/environment_yml.hpp"

namespace envsmith::specs::detail {

/// "a mapping", "a list", "a string", "nothing": what a node is, for error messages.
[[nodiscard]] std::string_view describe_kind(const YAML::Node& node);

/// One entry of a YAML mapping.
struct MapEntry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
};

/// Reads one YAML text. Keeps a view of `file_name` and `text`: both must outlive it.
class YamlInput {
public:
    YamlInput(std::string_view file_name, std::string_view text);

    /// The first document of the text; a text without content gives a null node. Fails with
    /// `yaml.syntax` at the parser's mark.
    [[nodiscard]] core::Result<YAML::Node> load() const;

    /// 1-based location of a node (yaml-cpp marks are 0-based), with the line's text. A node
    /// without a mark (a null created by lookup) gets line 0, column 0.
    [[nodiscard]] core::SourceLocation location(const YAML::Node& node) const;
    [[nodiscard]] core::SourceLocation location(const YAML::Mark& mark) const;

    /// An `invalid_input` error at `node`.
    [[nodiscard]] core::Error error_at(const YAML::Node& node, std::string id,
                                       std::string message) const;

    /// "expected <expected> for `<key>`, found <kind of node>", at `node`, with id `id`.
    [[nodiscard]] core::Error type_error(const YAML::Node& node, std::string id,
                                         std::string_view key, std::string_view expected) const;
    /// "expected <expected> for `<key>`, found <kind of item> in it", at the list item `item`.
    [[nodiscard]] core::Error item_type_error(const YAML::Node& item, std::string id,
                                              std::string_view key,
                                              std::string_view expected) const;

    /// A scalar as text; null gives "". Lists and mappings are errors.
    [[nodiscard]] core::Result<std::string> get_string(const YAML::Node& node, std::string_view key,
                                                       std::string_view id) const;
    /// `true`/`false` (and YAML 1.1's yes/no/on/off, any case).
    [[nodiscard]] core::Result<bool> get_bool(const YAML::Node& node, std::string_view key,
                                              std::string_view id) const;
    /// A list of scalars; null gives an empty list. A null entry is an error.
    [[nodiscard]] core::Result<std::vector<std::string>> get_string_list(
        const YAML::Node& node, std::string_view key, std::string_view id) const;
    /// A mapping of scalar keys to scalar values (null values give ""), in document order;
    /// null gives an empty list. Duplicate keys are errors.
    [[nodiscard]] core::Result<std::vector<std::pair<std::string, std::string>>> get_string_map(
        const YAML::Node& node, std::string_view key, std::string_view id) const;

    /// The entries of a mapping with scalar keys, in document order. Non-scalar keys and
    /// duplicate keys are errors (`<prefix>.bad_key`, `<prefix>.duplicate_key`).
    [[nodiscard]] core::Result<std::vector<MapEntry>> entries(const YAML::Node& mapping,
                                                             std::string_view id_prefix) const;

    /// A warning for an unknown key, with a "did you mean" hint when a known key is close.
    [[nodiscard]] core::Error unknown_key(const YAML::Node& key_node, std::string_view key,
                                          std::string id, std::string_view where,
                                          const std::vector<std::string_view>& known) const;

    [[nodiscard]] std::string_view file_name() const noexcept { return m_index.file(); }

private:
    core::TextIndex m_index;
};

/// What the top of a YAML input file must be, for the errors of `parse_mapping_document`.
struct DocumentShape {
    std::string_view id_prefix;         // "env.yml": ids `<prefix>.empty`, `.not_mapping`, `.internal`
    std::string_view expected_content;  // "an Azure ML environment with `image` or `build`"
    std::string_view expected_mapping;  // "a mapping with `name`, `image` and `conda_file`"
    std::string_view scalar_hint;       // the hint when the document is a scalar; may be empty
};

/// `<prefix>.empty`: the text has no document, at line 1, column 1.
[[nodiscard]] core::Error empty_document_error(const YamlInput& input, const DocumentShape& shape);
/// `<prefix>.not_mapping`: the document at `root` is not a mapping.
[[nodiscard]] core::Error not_mapping_error(const YamlInput& input, const DocumentShape& shape,
                                            const YAML::Node& root);
/// `yaml.syntax` at the exception's mark, for yaml-cpp exceptions thrown after loading.
[[nodiscard]] core::Error yaml_exception_error(const YamlInput& input, const YAML::Exception& e);
/// `<prefix>.internal`: any other exception, a bug.
[[nodiscard]] core::Error internal_error(const YamlInput& input, const DocumentShape& shape,
                                         const std::exception& e);

/// Loads the text, checks that its document is a mapping and returns `parse(root)`. Nothing
/// escapes: a YAML syntax error is `yaml.syntax` at file:line:col, no document is
/// `<prefix>.empty`, a document that is not a mapping `<prefix>.not_mapping`, and an
/// unexpected exception `<prefix>.internal` (code `internal`).
template <typename T, typename Parse>
[[nodiscard]] core::Result<T> parse_mapping_document(const YamlInput& input,
                                                     const DocumentShape& shape, Parse&& parse) {
    try {
        auto root = input.load();
        if (!root) {
            return std::move(root).error();
        }
        if (!root->IsDefined() || root->IsNull()) {
            return empty_document_error(input, shape);
        }
        if (!root->IsMap()) {
            return not_mapping_error(input, shape, *root);
        }
        return parse(*root);
    } catch (const YAML::Exception& e) {
        return yaml_exception_error(input, e);
    } catch (const std::exception& e) {
        return internal_error(input, shape, e);
    }
}

/// The environment.yml mapping parser, shared by parse_environment_yml and Azure ML's inline
/// `conda_file`. `root` must be a mapping. Can throw YAML::Exception: callers catch.
[[nodiscard]] core::Result<EnvironmentYml> parse_environment_mapping(const YamlInput& input,
                                                                     const YAML::Node& root);

}  // namespace envsmith::specs::detail
