#include "envsmith/specs/azureml.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <exception>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/text.hpp"
#include "yaml_support.hpp"

namespace envsmith::specs {

namespace {

constexpr std::string_view type_id = "azureml.type";

const std::vector<std::string_view>& known_keys() {
    static const std::vector<std::string_view> keys = {
        "$schema",  "name",        "version",          "description",
        "tags",     "image",       "conda_file",       "build",
        "os_type",  "inference_config", "platform",   "user_managed_dependencies",
        "spark",    "environment_variables", "layering"};
    return keys;
}

template <typename T>
core::Status assign(core::Result<T> result, T& target) {
    if (!result) {
        return std::move(result).error();
    }
    target = std::move(*result);
    return {};
}

core::Status assign_map(core::Result<std::vector<std::pair<std::string, std::string>>> result,
                        std::map<std::string, std::string>& target) {
    if (!result) {
        return std::move(result).error();
    }
    for (auto& [key, value] : *result) {
        target.emplace(std::move(key), std::move(value));
    }
    return {};
}

class AzureMlParser {
public:
    AzureMlParser(const detail::YamlInput& input, AzureMlEnvironment& env)
        : m_input(input), m_env(env) {}

    core::Status parse(const YAML::Node& root) {
        auto items = m_input.entries(root, "azureml");
        if (!items) {
            return std::move(items).error();
        }
        for (const auto& entry : *items) {
            if (auto status = parse_entry(entry); !status) {
                return status;
            }
        }
        if (!m_env.image.empty() && m_env.build.has_value()) {
            const auto* where = m_env.location_of("build");
            auto err = core::make_error(core::ErrorCode::invalid_input, "azureml.image_and_build",
                                        "both `image` and `build` are given; an environment is "
                                        "built from one of them")
                           .with_hint("keep `image` (with `conda_file`) or `build` (a Docker "
                                      "build context), not both");
            if (where != nullptr) {
                return std::move(err).at(*where);
            }
            return err;
        }
        return {};
    }

private:
    core::Status parse_entry(const detail::MapEntry& entry) {
        const auto& key = entry.key;
        const auto& value = entry.value;
        const bool known = std::find(known_keys().begin(), known_keys().end(), key) !=
                           known_keys().end();
        if (!known) {
            m_env.warnings.push_back(m_input.unknown_key(
                entry.key_node, key, "azureml.unknown_key", "the Azure ML environment",
                known_keys()));
            return {};
        }
        m_env.locations[key] = m_input.location(value);
        if (key == "$schema") {
            return assign(m_input.get_string(value, key, type_id), m_env.schema);
        }
        if (key == "name") {
            return assign(m_input.get_string(value, key, type_id), m_env.name);
        }
        if (key == "version") {
            return assign(m_input.get_string(value, key, type_id), m_env.version);
        }
        if (key == "description") {
            return assign(m_input.get_string(value, key, type_id), m_env.description);
        }
        if (key == "image") {
            return assign(m_input.get_string(value, key, type_id), m_env.image);
        }
        if (key == "platform") {
            return assign(m_input.get_string(value, key, type_id), m_env.platform);
        }
        if (key == "tags") {
            return assign_map(m_input.get_string_map(value, key, type_id), m_env.tags);
        }
        if (key == "environment_variables") {
            return assign_map(m_input.get_string_map(value, key, type_id),
                              m_env.environment_variables);
        }
        if (key == "user_managed_dependencies") {
            return assign(m_input.get_bool(value, key, type_id), m_env.user_managed_dependencies);
        }
        if (key == "os_type") {
            return parse_os_type(value);
        }
        if (key == "conda_file") {
            return parse_conda_file(value);
        }
        if (key == "build") {
            return parse_build(value);
        }
        if (key == "spark") {
            return parse_spark(value);
        }
        if (key == "layering") {
            return parse_layering(value);
        }
        // inference_config: kept opaque, as YAML text.
        if (!value.IsNull()) {
            m_env.inference_config = YAML::Dump(value);
        }
        return {};
    }

    core::Status parse_os_type(const YAML::Node& value) {
        std::string text;
        if (auto status = assign(m_input.get_string(value, "os_type", type_id), text); !status) {
            return status;
        }
        const auto lower = core::to_lower(core::trim(text));
        if (lower == "linux") {
            m_env.os_type = OsType::linux_os;
        } else if (lower == "windows") {
            m_env.os_type = OsType::windows_os;
        } else {
            return m_input
                .error_at(value, "azureml.os_type",
                          fmt::format("unknown `os_type` `{}`; expected `linux` or `windows`", text))
                .arg("value", text)
                .with_hint("leave `os_type` out for Linux images");
        }
        return {};
    }

    core::Status parse_conda_file(const YAML::Node& value) {
        if (value.IsScalar() && !core::trim(value.Scalar()).empty()) {
            m_env.conda_file = value.Scalar();
            return {};
        }
        if (value.IsMap()) {
            auto inline_env = detail::parse_environment_mapping(m_input, value);
            if (!inline_env) {
                return std::move(inline_env).error().with_context("reading the inline `conda_file`");
            }
            for (auto& warning : inline_env->warnings) {
                m_env.warnings.push_back(std::move(warning));
            }
            inline_env->warnings.clear();
            m_env.conda_file = std::move(*inline_env);
            return {};
        }
        return m_input.type_error(value, std::string(type_id), "conda_file",
                                  "a path to a conda environment file or an inline conda "
                                  "environment");
    }

    core::Status parse_build(const YAML::Node& value) {
        if (!value.IsMap()) {
            return m_input.type_error(value, std::string(type_id), "build",
                                      "a mapping with `path` and `dockerfile_path`");
        }
        auto items = m_input.entries(value, "azureml");
        if (!items) {
            return std::move(items).error();
        }
        DockerBuild build;
        bool has_path = false;
        for (const auto& entry : *items) {
            const auto dotted = "build." + entry.key;
            if (entry.key == "path" || entry.key == "dockerfile_path") {
                m_env.locations[dotted] = m_input.location(entry.value);
                std::string text;
                if (auto status = assign(m_input.get_string(entry.value, dotted, type_id), text);
                    !status) {
                    return status;
                }
                if (entry.key == "path") {
                    has_path = !core::trim(text).empty();
                    build.path = std::move(text);
                } else if (!core::trim(text).empty()) {
                    build.dockerfile_path = std::move(text);
                }
            } else {
                m_env.warnings.push_back(m_input.unknown_key(entry.key_node, entry.key,
                                                             "azureml.unknown_key", "`build`",
                                                             {"path", "dockerfile_path"}));
            }
        }
        if (!has_path) {
            return m_input
                .error_at(value, "azureml.build_path",
                          "`build` needs `path`, the folder or URL of the Docker build context")
                .with_hint("add `path: ./docker-context` (the folder holding the Dockerfile)");
        }
        m_env.build = std::move(build);
        return {};
    }

    core::Status parse_spark(const YAML::Node& value) {
        SparkConfig spark;
        if (!value.IsNull()) {
            if (!value.IsMap()) {
                return m_input.type_error(value, std::string(type_id), "spark",
                                          "a mapping with `packages`, `repositories` and "
                                          "`precache_packages`");
            }
            auto items = m_input.entries(value, "azureml");
            if (!items) {
                return std::move(items).error();
            }
            for (const auto& entry : *items) {
                const auto dotted = "spark." + entry.key;
                core::Status status;
                if (entry.key == "packages") {
                    status = assign(m_input.get_string_list(entry.value, dotted, type_id),
                                    spark.packages);
                } else if (entry.key == "repositories") {
                    status = assign(m_input.get_string_list(entry.value, dotted, type_id),
                                    spark.repositories);
                } else if (entry.key == "precache_packages") {
                    status = assign(m_input.get_bool(entry.value, dotted, type_id),
                                    spark.precache_packages);
                } else {
                    m_env.warnings.push_back(m_input.unknown_key(
                        entry.key_node, entry.key, "azureml.unknown_key", "`spark`",
                        {"packages", "repositories", "precache_packages"}));
                    continue;
                }
                if (!status) {
                    return status;
                }
                m_env.locations[dotted] = m_input.location(entry.value);
            }
        }
        m_env.spark = std::move(spark);
        return {};
    }

    core::Error layering_error(const YAML::Node& node, std::string message) const {
        return m_input.error_at(node, "azureml.layering", std::move(message))
            .with_hint("write `layering: single`, or a list of groups such as "
                       "`- {name: cuda, packages: [cudatoolkit, cudnn]}`");
    }

    core::Status parse_layering(const YAML::Node& value) {
        Layering layering;
        if (value.IsScalar()) {
            layering.strategy = core::to_lower(core::trim(value.Scalar()));
            if (layering.strategy.empty()) {
                return layering_error(value, "empty `layering` strategy");
            }
            m_env.layering = std::move(layering);
            return {};
        }
        if (!value.IsSequence()) {
            return layering_error(value, fmt::format("expected a strategy name or a list of "
                                                     "layer groups for `layering`, found {}",
                                                     detail::describe_kind(value)))
                .arg("found", std::string(detail::describe_kind(value)));
        }
        layering.strategy = "groups";
        std::set<std::string, std::less<>> seen;
        std::size_t index = 0;
        for (const auto& item : value) {
            ++index;
            LayerGroup group;
            group.name = fmt::format("layer-{}", index);
            if (item.IsSequence()) {
                if (auto status = assign(m_input.get_string_list(item, "layering", type_id),
                                         group.packages);
                    !status) {
                    return status;
                }
            } else if (item.IsMap()) {
                if (auto status = parse_layer_group(item, group); !status) {
                    return status;
                }
            } else {
                return layering_error(item, fmt::format("expected a layer group (a list of "
                                                        "packages or a mapping with `packages`), "
                                                        "found {}",
                                                        detail::describe_kind(item)))
                    .arg("found", std::string(detail::describe_kind(item)));
            }
            for (const auto& package : group.packages) {
                if (!seen.insert(package).second) {
                    return layering_error(item, fmt::format("package `{}` is in more than one "
                                                            "layer group",
                                                            package))
                        .arg("package", package);
                }
            }
            layering.groups.push_back(std::move(group));
        }
        m_env.layering = std::move(layering);
        return {};
    }

    core::Status parse_layer_group(const YAML::Node& item, LayerGroup& group) {
        auto items = m_input.entries(item, "azureml");
        if (!items) {
            return std::move(items).error();
        }
        bool has_packages = false;
        for (const auto& entry : *items) {
            core::Status status;
            if (entry.key == "name") {
                std::string name;
                status = assign(m_input.get_string(entry.value, "layering.name", type_id), name);
                if (status && !core::trim(name).empty()) {
                    group.name = std::move(name);
                }
            } else if (entry.key == "packages") {
                has_packages = true;
                status = assign(m_input.get_string_list(entry.value, "layering.packages", type_id),
                                group.packages);
            } else {
                m_env.warnings.push_back(m_input.unknown_key(entry.key_node, entry.key,
                                                             "azureml.unknown_key",
                                                             "a `layering` group",
                                                             {"name", "packages"}));
            }
            if (!status) {
                return status;
            }
        }
        if (!has_packages) {
            return layering_error(item, "a layer group needs `packages`");
        }
        return {};
    }

    const detail::YamlInput& m_input;
    AzureMlEnvironment& m_env;
};

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() &&
           core::iequals(text.substr(text.size() - suffix.size()), suffix);
}

/// Top-level keys of a YAML-ish text by a line scan: used when the YAML does not load.
std::set<std::string, std::less<>> scan_top_level_keys(std::string_view text) {
    std::set<std::string, std::less<>> keys;
    for (auto line : core::split(text, '\n')) {
        if (line.empty() || line.front() == ' ' || line.front() == '\t' || line.front() == '#') {
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            continue;
        }
        const auto key = line.substr(0, colon);
        if (key.find_first_of(" \t\"'{}[]") == std::string_view::npos) {
            keys.emplace(key);
        }
    }
    return keys;
}

}  // namespace

std::string_view to_string(OsType os) noexcept {
    switch (os) {
        case OsType::linux_os: return "linux";
        case OsType::windows_os: return "windows";
    }
    return "linux";
}

std::string_view to_string(InputKind kind) noexcept {
    switch (kind) {
        case InputKind::azureml_environment: return "azureml";
        case InputKind::conda_environment: return "environment.yml";
        case InputKind::requirements_txt: return "requirements.txt";
        case InputKind::conda_lock: return "conda-lock";
        case InputKind::explicit_lock: return "explicit";
        case InputKind::unknown: return "unknown";
    }
    return "unknown";
}

const core::SourceLocation* AzureMlEnvironment::location_of(std::string_view key) const {
    const auto it = locations.find(key);
    return it == locations.end() ? nullptr : &it->second;
}

core::Result<AzureMlEnvironment> parse_azureml_environment(std::string_view text,
                                                           std::string_view file_name) {
    static constexpr detail::DocumentShape shape{
        .id_prefix = "azureml",
        .expected_content = "an Azure ML environment with `image` or `build`",
        .expected_mapping = "a mapping with `name`, `image` and `conda_file`",
        .scalar_hint = {},
    };
    const detail::YamlInput input(file_name, text);
    return detail::parse_mapping_document<AzureMlEnvironment>(
        input, shape, [&input](const YAML::Node& root) -> core::Result<AzureMlEnvironment> {
            AzureMlEnvironment env;
            AzureMlParser parser(input, env);
            if (auto status = parser.parse(root); !status) {
                return std::move(status).error();
            }
            return env;
        });
}

InputKind detect_input_kind(std::string_view text, std::string_view file_name) {
    for (const auto line : core::split(text, '\n')) {
        if (core::trim(line) == "@EXPLICIT") {
            return InputKind::explicit_lock;
        }
    }
    const bool text_name = ends_with(file_name, ".txt") || ends_with(file_name, ".in");
    std::set<std::string, std::less<>> keys;
    std::string schema;
    bool package_list = false;
    bool loaded = false;
    bool mapping = false;
    bool sequence = false;
    try {
        const YAML::Node root = YAML::Load(std::string(text));
        loaded = true;
        mapping = root.IsMap();
        sequence = root.IsSequence();
        if (mapping) {
            for (const auto& item : root) {
                if (!item.first.IsScalar()) {
                    continue;
                }
                const auto& key = item.first.Scalar();
                keys.insert(key);
                if (key == "$schema" && item.second.IsScalar()) {
                    schema = core::to_lower(item.second.Scalar());
                }
                if (key == "package" && item.second.IsSequence()) {
                    package_list = true;
                }
            }
        }
    } catch (const std::exception&) {
        loaded = false;
    }
    if (!loaded) {
        keys = scan_top_level_keys(text);
        mapping = !keys.empty();
        package_list = keys.contains("package");
    }
    if (mapping) {
        if (schema.find("azureml") != std::string::npos) {
            return InputKind::azureml_environment;
        }
        if (keys.contains("version") && (package_list || keys.contains("metadata"))) {
            return InputKind::conda_lock;
        }
        if (keys.contains("image") || keys.contains("conda_file") || keys.contains("build")) {
            return InputKind::azureml_environment;
        }
        if (keys.contains("dependencies") || keys.contains("channels")) {
            return InputKind::conda_environment;
        }
        return text_name ? InputKind::requirements_txt : InputKind::unknown;
    }
    if (text_name) {
        return InputKind::requirements_txt;
    }
    if (loaded && (sequence || core::trim(text).empty())) {
        return InputKind::unknown;
    }
    const bool yaml_name = ends_with(file_name, ".yml") || ends_with(file_name, ".yaml");
    return yaml_name && !loaded ? InputKind::unknown : InputKind::requirements_txt;
}

}  // namespace envsmith::specs
