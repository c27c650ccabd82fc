#include "envsmith/specs/environment_yml.hpp"

#include <fmt/format.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/text.hpp"
#include "yaml_support.hpp"

namespace envsmith::specs {

namespace {

constexpr std::string_view type_id = "env.yml.type";

const std::vector<std::string_view>& known_keys() {
    static const std::vector<std::string_view> keys = {"name", "prefix", "channels",
                                                       "dependencies", "variables"};
    return keys;
}

/// mamba's platform selector key: `sel(linux)` gives "linux"; anything else gives "".
std::string_view selector_of(std::string_view key) {
    constexpr std::string_view open = "sel(";
    if (key.size() > open.size() + 1 && key.substr(0, open.size()) == open && key.back() == ')') {
        return core::trim(key.substr(open.size(), key.size() - open.size() - 1));
    }
    return {};
}

core::Error empty_dependency(const detail::YamlInput& input, const YAML::Node& node,
                             std::string_view list) {
    return input
        .error_at(node, "env.yml.empty_dependency", fmt::format("empty entry in `{}`", list))
        .arg("key", std::string(list))
        .with_hint("remove the empty `-` line, or write a package spec after it");
}

core::Status parse_pip_list(const detail::YamlInput& input, const YAML::Node& node,
                            EnvironmentYml& env) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsSequence()) {
        return input.type_error(node, std::string(type_id), "pip", "a list of strings");
    }
    for (const auto& item : node) {
        if (item.IsNull()) {
            return empty_dependency(input, item, "pip");
        }
        if (!item.IsScalar()) {
            return input.item_type_error(item, std::string(type_id), "pip", "a list of strings");
        }
        if (core::trim(item.Scalar()).empty()) {
            return empty_dependency(input, item, "pip");
        }
        env.pip.push_back(PipDependency{item.Scalar(), input.location(item)});
    }
    return {};
}

core::Error bad_dependency(const detail::YamlInput& input, const YAML::Node& item) {
    if (!item.IsMap()) {
        return input
            .error_at(item, "env.yml.bad_dependency",
                      fmt::format("expected a match spec or a `pip:` list in `dependencies`, "
                                  "found {}",
                                  detail::describe_kind(item)))
            .arg("found", std::string(detail::describe_kind(item)))
            .with_hint("write each dependency as a string, e.g. `- numpy>=1.20`");
    }
    const auto first = item.begin();
    const std::string key = first->first.IsScalar() ? first->first.Scalar() : std::string();
    auto err = input
                   .error_at(item, "env.yml.bad_dependency",
                             fmt::format("expected a match spec or a `pip:` list in "
                                         "`dependencies`, found a mapping with key `{}`",
                                         key))
                   .arg("key", key);
    if (item.size() == 1 && first->second.IsScalar() && !key.empty()) {
        // `- python: 3.8` is a mapping; `- python=3.8` was meant.
        return std::move(err).with_hint(fmt::format(
            "write the spec as one string, e.g. `- {}={}`", key, first->second.Scalar()));
    }
    return std::move(err).with_hint(
        "only `- pip:` may hold a nested list; write other dependencies as strings");
}

core::Status parse_dependencies(const detail::YamlInput& input, const YAML::Node& node,
                                EnvironmentYml& env) {
    if (node.IsNull()) {
        return {};
    }
    if (!node.IsSequence()) {
        return input.type_error(node, std::string(type_id), "dependencies",
                                "a list of match specs");
    }
    for (const auto& item : node) {
        if (item.IsNull()) {
            return empty_dependency(input, item, "dependencies");
        }
        if (item.IsScalar()) {
            if (core::trim(item.Scalar()).empty()) {
                return empty_dependency(input, item, "dependencies");
            }
            env.dependencies.push_back(CondaDependency{item.Scalar(), {}, input.location(item)});
            continue;
        }
        if (!item.IsMap() || item.size() != 1) {
            return bad_dependency(input, item);
        }
        const auto entry = item.begin();
        if (!entry->first.IsScalar()) {
            return bad_dependency(input, item);
        }
        const auto& key = entry->first.Scalar();
        if (key == "pip") {
            if (auto status = parse_pip_list(input, entry->second, env); !status) {
                return status;
            }
            continue;
        }
        const auto selector = selector_of(key);
        if (selector.empty()) {
            return bad_dependency(input, item);
        }
        const YAML::Node value = entry->second;
        if (value.IsNull() || (value.IsScalar() && core::trim(value.Scalar()).empty())) {
            return empty_dependency(input, value.IsNull() ? item : value, "dependencies");
        }
        if (!value.IsScalar()) {
            return input.type_error(value, std::string(type_id), key, "a match spec string");
        }
        env.dependencies.push_back(
            CondaDependency{value.Scalar(), std::string(selector), input.location(value)});
    }
    return {};
}

}  // namespace

namespace detail {

core::Result<EnvironmentYml> parse_environment_mapping(const YamlInput& input,
                                                       const YAML::Node& root) {
    EnvironmentYml env;
    auto items = input.entries(root, "env.yml");
    if (!items) {
        return std::move(items).error();
    }
    for (const auto& entry : *items) {
        const auto& key = entry.key;
        if (key == "name" || key == "prefix") {
            auto value = input.get_string(entry.value, key, type_id);
            if (!value) {
                return std::move(value).error();
            }
            (key == "name" ? env.name : env.prefix) = std::move(*value);
        } else if (key == "channels") {
            auto channels = input.get_string_list(entry.value, key, type_id);
            if (!channels) {
                return std::move(channels).error();
            }
            env.channels = std::move(*channels);
        } else if (key == "dependencies") {
            if (auto status = parse_dependencies(input, entry.value, env); !status) {
                return std::move(status).error();
            }
        } else if (key == "variables") {
            auto variables = input.get_string_map(entry.value, key, type_id);
            if (!variables) {
                return std::move(variables).error();
            }
            env.variables = std::move(*variables);
        } else {
            env.warnings.push_back(input.unknown_key(entry.key_node, key, "env.yml.unknown_key",
                                                     "environment.yml", known_keys()));
        }
    }
    return env;
}

}  // namespace detail

core::Result<EnvironmentYml> parse_environment_yml(std::string_view text,
                                                   std::string_view file_name) {
    static constexpr detail::DocumentShape shape{
        .id_prefix = "env.yml",
        .expected_content = "a mapping with `channels` and `dependencies`",
        .expected_mapping = "a mapping with `channels` and `dependencies`",
        .scalar_hint = "a list of package names is a requirements or `@EXPLICIT` file, not an "
                       "environment.yml",
    };
    const detail::YamlInput input(file_name, text);
    return detail::parse_mapping_document<EnvironmentYml>(
        input, shape, [&input](const YAML::Node& root) {
            return detail::parse_environment_mapping(input, root);
        });
}

}  // namespace envsmith::specs
