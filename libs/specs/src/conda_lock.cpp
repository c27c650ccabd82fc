#include "envsmith/specs/conda_lock.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <compare>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "envsmith/core/text.hpp"
#include "yaml_support.hpp"

namespace envsmith::specs {

namespace {

using detail::MapEntry;
using detail::YamlInput;

constexpr std::string_view type_id = "spec.conda_lock.type";

/// Adds the location as the named arguments `source`, `line` and `column`, which every error
/// of this reader carries.
core::Error with_location_args(core::Error error, std::string_view source) {
    if (error.arg_value("source").empty()) {
        std::move(error).arg("source", std::string(source));
    }
    if (error.where && error.arg_value("line").empty()) {
        const auto line = std::to_string(error.where->line);
        const auto column = std::to_string(error.where->column);
        std::move(error).arg("line", line).arg("column", column);
    }
    return error;
}

bool is_hex(std::string_view text) noexcept {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

const MapEntry* find(const std::vector<MapEntry>& entries, std::string_view key) {
    const auto it = std::find_if(entries.begin(), entries.end(),
                                 [key](const MapEntry& e) { return e.key == key; });
    return it == entries.end() ? nullptr : &*it;
}

/// Warns about every key of `entries` not in `known`.
void warn_unknown(const YamlInput& input, const std::vector<MapEntry>& entries,
                  const std::vector<std::string_view>& known, std::string_view where,
                  std::vector<core::Error>& warnings) {
    for (const auto& entry : entries) {
        if (std::find(known.begin(), known.end(), entry.key) == known.end()) {
            warnings.push_back(input.unknown_key(entry.key_node, entry.key,
                                                 "spec.conda_lock.unknown_key", where, known));
        }
    }
}

core::Error missing_key(const YamlInput& input, const YAML::Node& node, std::string_view key,
                        std::string_view where, std::string_view expected) {
    return input
        .error_at(node, "spec.conda_lock.missing_key",
                  fmt::format("missing `{}` in {}; expected {}", key, where, expected))
        .arg("key", std::string(key))
        .arg("where", std::string(where))
        .arg("expected", std::string(expected));
}

core::Error empty_value(const YamlInput& input, const YAML::Node& node, std::string_view key,
                        std::string_view where, std::string_view expected) {
    return input
        .error_at(node, "spec.conda_lock.empty_value",
                  fmt::format("empty `{}` in {}; expected {}", key, where, expected))
        .arg("key", std::string(key))
        .arg("where", std::string(where))
        .arg("expected", std::string(expected));
}

/// A required, non-empty string value.
core::Result<std::string> required_string(const YamlInput& input,
                                          const std::vector<MapEntry>& entries,
                                          const YAML::Node& owner, std::string_view key,
                                          std::string_view where, std::string_view expected) {
    const auto* entry = find(entries, key);
    if (entry == nullptr) {
        return missing_key(input, owner, key, where, expected);
    }
    auto value = input.get_string(entry->value, key, type_id);
    if (!value) {
        return std::move(value).error();
    }
    if (core::trim(*value).empty()) {
        return empty_value(input, entry->value, key, where, expected);
    }
    return value;
}

/// An optional string: absent or null gives nullopt, a scalar its text.
core::Result<std::optional<std::string>> optional_string(const YamlInput& input,
                                                         const std::vector<MapEntry>& entries,
                                                         std::string_view key) {
    const auto* entry = find(entries, key);
    if (entry == nullptr || entry->value.IsNull()) {
        return std::optional<std::string>();
    }
    auto value = input.get_string(entry->value, key, type_id);
    if (!value) {
        return std::move(value).error();
    }
    return std::optional<std::string>(std::move(*value));
}

core::Result<std::map<std::string, std::string>> string_map(const YamlInput& input,
                                                            const YAML::Node& node,
                                                            std::string_view key) {
    auto items = input.get_string_map(node, key, type_id);
    if (!items) {
        return std::move(items).error();
    }
    std::map<std::string, std::string> out;
    for (auto& [name, value] : *items) {
        out.emplace(std::move(name), std::move(value));
    }
    return out;
}

/// The entries of a mapping value, or a type error naming `key`.
core::Result<std::vector<MapEntry>> mapping_entries(const YamlInput& input, const YAML::Node& node,
                                                    std::string_view key,
                                                    std::string_view expected) {
    if (!node.IsMap()) {
        return input.type_error(node, std::string(type_id), key, expected);
    }
    return input.entries(node, "spec.conda_lock");
}

core::Result<std::vector<std::string>> required_list(const YamlInput& input,
                                                     const std::vector<MapEntry>& entries,
                                                     const YAML::Node& owner,
                                                     std::string_view key) {
    const auto* entry = find(entries, key);
    if (entry == nullptr) {
        return missing_key(input, owner, key, "`metadata`", "a list of strings");
    }
    return input.get_string_list(entry->value, key, type_id);
}

core::Result<LockChannel> parse_channel(const YamlInput& input, const YAML::Node& item,
                                        std::vector<core::Error>& warnings) {
    if (item.IsScalar()) {  // conda-lock also reads a bare channel URL or name
        if (core::trim(item.Scalar()).empty()) {
            return empty_value(input, item, "url", "`metadata.channels`", "a channel URL or name");
        }
        return LockChannel{item.Scalar(), {}};
    }
    if (!item.IsMap()) {
        return input.item_type_error(item, std::string(type_id), "channels",
                                     "a list of channels with `url`");
    }
    auto entries = input.entries(item, "spec.conda_lock");
    if (!entries) {
        return std::move(entries).error();
    }
    warn_unknown(input, *entries, {"url", "used_env_vars"}, "a channel of `metadata.channels`",
                 warnings);
    LockChannel channel;
    auto url = required_string(input, *entries, item, "url", "a channel of `metadata.channels`",
                               "a channel URL or name");
    if (!url) {
        return std::move(url).error();
    }
    channel.url = std::move(*url);
    if (const auto* vars = find(*entries, "used_env_vars"); vars != nullptr) {
        auto names = input.get_string_list(vars->value, "used_env_vars", type_id);
        if (!names) {
            return std::move(names).error();
        }
        channel.used_env_vars = std::move(*names);
    }
    return channel;
}

core::Result<LockInputMetadata> parse_input_metadata(const YamlInput& input, const YAML::Node& node,
                                                     std::string_view key,
                                                     std::vector<core::Error>& warnings) {
    LockInputMetadata out;
    if (node.IsNull()) {
        return out;
    }
    auto entries = mapping_entries(input, node, key, "a mapping with `md5` and `sha256`");
    if (!entries) {
        return std::move(entries).error();
    }
    warn_unknown(input, *entries, {"md5", "sha256"}, "`metadata.inputs_metadata`", warnings);
    auto md5 = optional_string(input, *entries, "md5");
    if (!md5) {
        return std::move(md5).error();
    }
    auto sha256 = optional_string(input, *entries, "sha256");
    if (!sha256) {
        return std::move(sha256).error();
    }
    out.md5 = std::move(*md5);
    out.sha256 = std::move(*sha256);
    return out;
}

core::Status parse_optional_metadata(const YamlInput& input, const std::vector<MapEntry>& entries,
                                     LockMetadata& metadata, std::vector<core::Error>& warnings) {
    if (const auto* time = find(entries, "time_metadata"); time && !time->value.IsNull()) {
        auto items =
            mapping_entries(input, time->value, "time_metadata", "a mapping with `created_at`");
        if (!items) {
            return std::move(items).error();
        }
        warn_unknown(input, *items, {"created_at"}, "`metadata.time_metadata`", warnings);
        auto created = required_string(input, *items, time->value, "created_at",
                                       "`metadata.time_metadata`", "a time stamp");
        if (!created) {
            return std::move(created).error();
        }
        metadata.time_metadata = LockTimeMetadata{std::move(*created)};
    }
    if (const auto* git = find(entries, "git_metadata"); git && !git->value.IsNull()) {
        auto items = mapping_entries(input, git->value, "git_metadata",
                                     "a mapping with `git_sha`, `git_user_name` or "
                                     "`git_user_email`");
        if (!items) {
            return std::move(items).error();
        }
        warn_unknown(input, *items, {"git_user_name", "git_user_email", "git_sha"},
                     "`metadata.git_metadata`", warnings);
        LockGitMetadata value;
        for (auto [field, target] : {std::pair{"git_user_name", &value.git_user_name},
                                     std::pair{"git_user_email", &value.git_user_email},
                                     std::pair{"git_sha", &value.git_sha}}) {
            auto text = optional_string(input, *items, field);
            if (!text) {
                return std::move(text).error();
            }
            *target = std::move(*text);
        }
        metadata.git_metadata = std::move(value);
    }
    if (const auto* inputs = find(entries, "inputs_metadata"); inputs && !inputs->value.IsNull()) {
        auto items = mapping_entries(input, inputs->value, "inputs_metadata",
                                     "a mapping of input files to checksums");
        if (!items) {
            return std::move(items).error();
        }
        std::map<std::string, LockInputMetadata> files;
        for (const auto& item : *items) {
            auto sums =
                parse_input_metadata(input, item.value, "inputs_metadata." + item.key, warnings);
            if (!sums) {
                return std::move(sums).error();
            }
            files.emplace(item.key, std::move(*sums));
        }
        metadata.inputs_metadata = std::move(files);
    }
    if (const auto* custom = find(entries, "custom_metadata"); custom && !custom->value.IsNull()) {
        auto values = string_map(input, custom->value, "custom_metadata");
        if (!values) {
            return std::move(values).error();
        }
        metadata.custom_metadata = std::move(*values);
    }
    return {};
}

core::Result<LockMetadata> parse_metadata(const YamlInput& input, const YAML::Node& node,
                                          std::vector<core::Error>& warnings) {
    auto entries = mapping_entries(input, node, "metadata",
                                   "a mapping with `channels`, `platforms`, `content_hash` and "
                                   "`sources`");
    if (!entries) {
        return std::move(entries).error();
    }
    warn_unknown(input, *entries,
                 {"content_hash", "channels", "platforms", "sources", "time_metadata",
                  "git_metadata", "inputs_metadata", "custom_metadata"},
                 "`metadata`", warnings);
    LockMetadata metadata;

    const auto* hashes = find(*entries, "content_hash");
    if (hashes == nullptr) {
        return missing_key(input, node, "content_hash", "`metadata`",
                           "a mapping of platforms to hashes");
    }
    auto content_hash = string_map(input, hashes->value, "content_hash");
    if (!content_hash) {
        return std::move(content_hash).error();
    }
    metadata.content_hash = std::move(*content_hash);

    const auto* channels = find(*entries, "channels");
    if (channels == nullptr) {
        return missing_key(input, node, "channels", "`metadata`", "a list of channels");
    }
    if (!channels->value.IsNull()) {
        if (!channels->value.IsSequence()) {
            return input.type_error(channels->value, std::string(type_id), "channels",
                                    "a list of channels with `url`");
        }
        for (const auto& item : channels->value) {
            auto channel = parse_channel(input, item, warnings);
            if (!channel) {
                return std::move(channel).error();
            }
            metadata.channels.push_back(std::move(*channel));
        }
    }

    auto platforms = required_list(input, *entries, node, "platforms");
    if (!platforms) {
        return std::move(platforms).error();
    }
    metadata.platforms = std::move(*platforms);
    auto sources = required_list(input, *entries, node, "sources");
    if (!sources) {
        return std::move(sources).error();
    }
    metadata.sources = std::move(*sources);

    if (auto status = parse_optional_metadata(input, *entries, metadata, warnings); !status) {
        return std::move(status).error();
    }
    return metadata;
}

/// "package `numpy`", or "package 3" (1-based) before the name is known.
std::string describe_package(std::string_view name, std::size_t index) {
    if (name.empty()) {
        return fmt::format("package {}", index + 1);
    }
    return fmt::format("package `{}`", name);
}

core::Status check_hash(const YamlInput& input, const YAML::Node& node, std::string_view algorithm,
                        std::string_view value, std::string_view package) {
    const std::size_t length = algorithm == "md5" ? 32 : 64;
    if (value.size() == length && is_hex(value)) {
        return {};
    }
    const auto expected = fmt::format("{} hexadecimal digits", length);
    return input
        .error_at(node, "spec.conda_lock.bad_hash",
                  fmt::format("invalid `{}` hash `{}` for package `{}`; expected {}", algorithm,
                              value, package, expected))
        .arg("algorithm", std::string(algorithm))
        .arg("hash", std::string(value))
        .arg("package", std::string(package))
        .arg("expected", expected);
}

core::Status parse_hash(const YamlInput& input, const MapEntry* hash, const YAML::Node& owner,
                        std::string_view where, LockedPackage& package,
                        std::vector<core::Error>& warnings) {
    if (hash == nullptr) {
        return missing_key(input, owner, "hash", where, "a mapping with `md5` or `sha256`");
    }
    std::vector<MapEntry> items;
    if (!hash->value.IsNull()) {
        auto entries =
            mapping_entries(input, hash->value, "hash", "a mapping with `md5` or `sha256`");
        if (!entries) {
            return std::move(entries).error();
        }
        items = std::move(*entries);
    }
    warn_unknown(input, items, {"md5", "sha256"}, "`hash`", warnings);
    for (auto [algorithm, target] :
         {std::pair{"md5", &package.md5}, std::pair{"sha256", &package.sha256}}) {
        auto value = optional_string(input, items, algorithm);
        if (!value) {
            return std::move(value).error();
        }
        if (value->has_value()) {
            const auto* entry = find(items, algorithm);
            if (auto status = check_hash(input, entry->value, algorithm, **value, package.name);
                !status) {
                return status;
            }
        }
        *target = std::move(*value);
    }
    if (!package.md5 && !package.sha256) {
        const YAML::Node& at = hash->value.IsNull() ? hash->key_node : hash->value;
        return input
            .error_at(
                at, "spec.conda_lock.no_hash",
                fmt::format("package `{}` has neither `md5` nor `sha256` in `hash`", package.name))
            .arg("package", package.name)
            .arg("expected", "`md5` or `sha256`")
            .with_hint(
                "a lock file pins each download by its checksum; regenerate the lock "
                "file with conda-lock");
    }
    return {};
}

core::Status parse_source(const YamlInput& input, const MapEntry* source, LockedPackage& package,
                          std::vector<core::Error>& warnings) {
    if (source == nullptr || source->value.IsNull()) {
        return {};
    }
    auto items =
        mapping_entries(input, source->value, "source", "a mapping with `type: url` and `url`");
    if (!items) {
        return std::move(items).error();
    }
    warn_unknown(input, *items, {"type", "url"}, "`source`", warnings);
    auto type = required_string(input, *items, source->value, "type", "`source`", "`url`");
    if (!type) {
        return std::move(type).error();
    }
    if (*type != "url") {
        return input.type_error(find(*items, "type")->value, std::string(type_id), "type", "`url`");
    }
    auto url = required_string(input, *items, source->value, "url", "`source`", "a URL");
    if (!url) {
        return std::move(url).error();
    }
    package.source_url = std::move(*url);
    return {};
}

/// One item of `package`. `platform_at` receives the location of its `platform` value.
core::Result<LockedPackage> parse_package(const YamlInput& input, const YAML::Node& node,
                                          std::size_t index, core::SourceLocation& platform_at,
                                          std::vector<core::Error>& warnings) {
    if (!node.IsMap()) {
        return input.item_type_error(node, std::string(type_id), "package",
                                     "a list of package mappings");
    }
    auto entries = input.entries(node, "spec.conda_lock");
    if (!entries) {
        return std::move(entries).error();
    }
    LockedPackage package;
    auto name = required_string(input, *entries, node, "name", describe_package("", index),
                                "a package name");
    if (!name) {
        return std::move(name).error();
    }
    package.name = std::move(*name);
    const auto where = describe_package(package.name, index);
    warn_unknown(input, *entries,
                 {"name", "version", "manager", "platform", "dependencies", "constrains", "url",
                  "hash", "source", "build", "category", "optional"},
                 where, warnings);

    auto version = required_string(input, *entries, node, "version", where, "a version");
    if (!version) {
        return std::move(version).error();
    }
    package.version = std::move(*version);

    auto manager = required_string(input, *entries, node, "manager", where, "`conda` or `pip`");
    if (!manager) {
        return std::move(manager).error();
    }
    if (*manager == "conda" || *manager == "pip") {
        package.manager = *manager == "conda" ? LockManager::conda : LockManager::pip;
    } else {
        return input
            .error_at(find(*entries, "manager")->value, "spec.conda_lock.manager",
                      fmt::format("unknown manager `{}` for package `{}`; expected `conda` or "
                                  "`pip`",
                                  *manager, package.name))
            .arg("manager", *manager)
            .arg("package", package.name)
            .arg("expected", "`conda` or `pip`");
    }

    auto platform =
        required_string(input, *entries, node, "platform", where, "a platform such as `linux-64`");
    if (!platform) {
        return std::move(platform).error();
    }
    package.platform = std::move(*platform);
    platform_at = input.location(find(*entries, "platform")->value);

    for (auto [key, target] : {std::pair{"dependencies", &package.dependencies},
                               std::pair{"constrains", &package.constrains}}) {
        if (const auto* entry = find(*entries, key); entry != nullptr) {
            auto values = string_map(input, entry->value, key);
            if (!values) {
                return std::move(values).error();
            }
            *target = std::move(*values);
        }
    }

    auto url = required_string(input, *entries, node, "url", where, "a download URL");
    if (!url) {
        return std::move(url).error();
    }
    package.url = std::move(*url);

    if (auto status = parse_hash(input, find(*entries, "hash"), node, where, package, warnings);
        !status) {
        return std::move(status).error();
    }
    if (auto status = parse_source(input, find(*entries, "source"), package, warnings); !status) {
        return std::move(status).error();
    }
    auto build = optional_string(input, *entries, "build");
    if (!build) {
        return std::move(build).error();
    }
    package.build = std::move(*build);

    if (const auto* category = find(*entries, "category"); category != nullptr) {
        auto value = required_string(input, *entries, node, "category", where, "a category name");
        if (!value) {
            return std::move(value).error();
        }
        package.category = std::move(*value);
    }
    if (const auto* optional = find(*entries, "optional"); optional != nullptr) {
        auto value = input.get_bool(optional->value, "optional", type_id);
        if (!value) {
            return std::move(value).error();
        }
        package.optional = *value;
    } else {
        package.optional = package.category != "main";
    }
    return package;
}

core::Status check_version(const YamlInput& input, const YAML::Node& root,
                           const MapEntry* version) {
    if (version == nullptr) {
        return input
            .error_at(root, "spec.conda_lock.no_version",
                      "no `version` in the lock file; expected `version: 1`")
            .with_hint("conda-lock writes `version: 1` at the top of a version 1 lock file");
    }
    const std::string text = version->value.IsScalar() ? version->value.Scalar() : std::string();
    if (text == "1") {
        return {};
    }
    const std::string shown =
        version->value.IsScalar() ? text : std::string(detail::describe_kind(version->value));
    auto err = input
                   .error_at(version->value, "spec.conda_lock.version",
                             fmt::format("unsupported lock file version `{}`; expected 1", shown))
                   .arg("version", shown)
                   .arg("expected", "1");
    if (text == "2" || text == "3") {
        return std::move(err).with_hint(
            "this reader handles conda-lock's version 1 format; `conda-lock render` or an older "
            "conda-lock writes it");
    }
    return err;
}

core::Result<CondaLock> parse_lock(const YamlInput& input, const YAML::Node& root) {
    CondaLock lock;
    auto entries = input.entries(root, "spec.conda_lock");
    if (!entries) {
        return std::move(entries).error();
    }
    warn_unknown(input, *entries, {"version", "metadata", "package"}, "the lock file",
                 lock.warnings);
    if (auto status = check_version(input, root, find(*entries, "version")); !status) {
        return std::move(status).error();
    }

    std::vector<core::SourceLocation> platform_locations;
    if (const auto* packages = find(*entries, "package");
        packages != nullptr && !packages->value.IsNull()) {
        if (!packages->value.IsSequence()) {
            return input.type_error(packages->value, std::string(type_id), "package",
                                    "a list of package mappings");
        }
        std::size_t index = 0;
        for (const auto& item : packages->value) {
            core::SourceLocation platform_at;
            auto package = parse_package(input, item, index++, platform_at, lock.warnings);
            if (!package) {
                return std::move(package).error();
            }
            lock.packages.push_back(std::move(*package));
            platform_locations.push_back(std::move(platform_at));
        }
    }

    const auto* metadata = find(*entries, "metadata");
    if (metadata == nullptr) {
        return missing_key(input, root, "metadata", "the lock file",
                           "a mapping with `channels`, `platforms`, `content_hash` and `sources`");
    }
    auto parsed = parse_metadata(input, metadata->value, lock.warnings);
    if (!parsed) {
        return std::move(parsed).error();
    }
    lock.metadata = std::move(*parsed);

    const auto& platforms = lock.metadata.platforms;
    for (std::size_t i = 0; i < lock.packages.size(); ++i) {
        const auto& package = lock.packages[i];
        if (std::find(platforms.begin(), platforms.end(), package.platform) != platforms.end()) {
            continue;
        }
        const auto listed =
            platforms.empty() ? std::string("none") : fmt::format("{}", fmt::join(platforms, ", "));
        return core::make_error(core::ErrorCode::invalid_input, "spec.conda_lock.platform",
                                fmt::format("package `{}` is locked for `{}`, which is not in "
                                            "`metadata.platforms` ({})",
                                            package.name, package.platform, listed))
            .arg("package", package.name)
            .arg("platform", package.platform)
            .arg("platforms", listed)
            .arg("expected", "a platform of `metadata.platforms`")
            .at(platform_locations[i]);
    }
    return lock;
}

// --- writer ------------------------------------------------------------------------------

/// YAML 1.1 and 1.2 readers turn these plain scalars into numbers: an optional sign, then
/// digits with at most one dot, `_` separators, exponents or `:` (YAML 1.1 base 60), or the
/// special floats. "1.2.11" stays a string and is written plain, as conda-lock does.
bool looks_like_number(std::string_view text) {
    if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        text.remove_prefix(1);
    }
    if (text.empty()) {
        return false;
    }
    const auto lower = core::to_lower(text);
    if (lower == ".inf" || lower == ".nan") {
        return true;
    }
    if (lower.size() > 2 && lower[0] == '0' &&
        (lower[1] == 'x' || lower[1] == 'o' || lower[1] == 'b')) {
        return std::all_of(lower.begin() + 2, lower.end(), [](char c) {
            return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f') || c == '_';
        });
    }
    bool digit = false;
    int dots = 0;
    for (const char c : lower) {
        if (core::is_ascii_digit(c)) {
            digit = true;
        } else if (c == '.') {
            ++dots;
        } else if (c != '_' && c != ':' && c != 'e' && c != '+' && c != '-') {
            return false;
        }
    }
    return digit && dots <= 1;
}

bool needs_quotes(std::string_view text) {
    if (text.empty() || text.front() == ' ' || text.back() == ' ' || text.back() == ':') {
        return true;
    }
    constexpr std::string_view indicators = "-?:,[]{}#&*!|>'\"%@`";
    if (indicators.find(text.front()) != std::string_view::npos) {
        return true;
    }
    if (std::any_of(text.begin(), text.end(), [](char c) {
            const auto byte = static_cast<unsigned char>(c);
            return byte < 0x20 || byte == 0x7f;
        })) {
        return true;
    }
    if (text.find(": ") != std::string_view::npos || text.find(" #") != std::string_view::npos) {
        return true;
    }
    static constexpr std::string_view words[] = {"y",     "n",  "yes", "no",   "true",
                                                 "false", "on", "off", "null", "~"};
    const auto lower = core::to_lower(text);
    if (std::find(std::begin(words), std::end(words), lower) != std::end(words)) {
        return true;
    }
    return looks_like_number(text);
}

/// A scalar as YAML text: plain when a reader takes it back as the same string, otherwise
/// double-quoted with escapes.
std::string scalar(std::string_view text) {
    if (!needs_quotes(text)) {
        return std::string(text);
    }
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (const auto byte = static_cast<unsigned char>(c); byte < 0x20 || byte == 0x7f) {
                    out += fmt::format("\\x{:02x}", byte);
                } else {
                    out += c;
                }
        }
    }
    out += '"';
    return out;
}

class YamlWriter {
public:
    void value(int indent, std::string_view key, std::string_view text) {
        line(indent, fmt::format("{}: {}", scalar(key), scalar(text)));
    }
    void raw(int indent, std::string_view key, std::string_view text) {
        line(indent, fmt::format("{}: {}", scalar(key), text));
    }
    void open(int indent, std::string_view key) { line(indent, fmt::format("{}:", scalar(key))); }
    void map(int indent, std::string_view key, const std::map<std::string, std::string>& values) {
        if (values.empty()) {
            raw(indent, key, "{}");
            return;
        }
        open(indent, key);
        for (const auto& [name, text] : values) {
            value(indent + 2, name, text);
        }
    }
    void list(int indent, std::string_view key, const std::vector<std::string>& values) {
        if (values.empty()) {
            raw(indent, key, "[]");
            return;
        }
        open(indent, key);
        for (const auto& text : values) {
            line(indent + 2, "- " + scalar(text));
        }
    }
    void optional(int indent, std::string_view key, const std::optional<std::string>& text) {
        if (text) {
            value(indent, key, *text);
        }
    }
    void line(int indent, std::string_view text) {
        m_out.append(static_cast<std::size_t>(indent), ' ');
        m_out += text;
        m_out += '\n';
    }
    [[nodiscard]] std::string take() { return std::move(m_out); }

private:
    std::string m_out;
};

void write_metadata(YamlWriter& out, const LockMetadata& metadata) {
    out.open(0, "metadata");
    out.map(2, "content_hash", metadata.content_hash);
    if (metadata.channels.empty()) {
        out.raw(2, "channels", "[]");
    } else {
        out.open(2, "channels");
        for (const auto& channel : metadata.channels) {
            out.line(4, "- url: " + scalar(channel.url));
            out.list(6, "used_env_vars", channel.used_env_vars);
        }
    }
    out.list(2, "platforms", metadata.platforms);
    out.list(2, "sources", metadata.sources);
    if (metadata.time_metadata) {
        out.open(2, "time_metadata");
        out.value(4, "created_at", metadata.time_metadata->created_at);
    }
    if (const auto& git = metadata.git_metadata) {
        if (!git->git_user_name && !git->git_user_email && !git->git_sha) {
            out.raw(2, "git_metadata", "{}");
        } else {
            out.open(2, "git_metadata");
            out.optional(4, "git_user_name", git->git_user_name);
            out.optional(4, "git_user_email", git->git_user_email);
            out.optional(4, "git_sha", git->git_sha);
        }
    }
    if (const auto& inputs = metadata.inputs_metadata) {
        if (inputs->empty()) {
            out.raw(2, "inputs_metadata", "{}");
        } else {
            out.open(2, "inputs_metadata");
            for (const auto& [file, sums] : *inputs) {
                if (!sums.md5 && !sums.sha256) {
                    out.raw(4, file, "{}");
                    continue;
                }
                out.open(4, file);
                out.optional(6, "md5", sums.md5);
                out.optional(6, "sha256", sums.sha256);
            }
        }
    }
    if (metadata.custom_metadata) {
        out.map(2, "custom_metadata", *metadata.custom_metadata);
    }
}

void write_package(YamlWriter& out, const LockedPackage& package) {
    out.line(2, "- name: " + scalar(package.name));
    out.value(4, "version", package.version);
    out.value(4, "manager", to_string(package.manager));
    out.value(4, "platform", package.platform);
    out.map(4, "dependencies", package.dependencies);
    if (!package.constrains.empty()) {
        out.map(4, "constrains", package.constrains);
    }
    out.value(4, "url", package.url);
    if (!package.md5 && !package.sha256) {
        out.raw(4, "hash", "{}");
    } else {
        out.open(4, "hash");
        out.optional(6, "md5", package.md5);
        out.optional(6, "sha256", package.sha256);
    }
    if (package.source_url) {
        out.open(4, "source");
        out.value(6, "type", "url");
        out.value(6, "url", *package.source_url);
    }
    out.optional(4, "build", package.build);
    out.value(4, "category", package.category);
    out.raw(4, "optional", package.optional ? "true" : "false");
}

std::vector<LockedPackage> sorted_packages(const std::vector<LockedPackage>& packages) {
    std::vector<LockedPackage> out = packages;
    std::sort(out.begin(), out.end(), canonical_less);
    return out;
}

}  // namespace

std::string_view to_string(LockManager manager) noexcept {
    return manager == LockManager::conda ? "conda" : "pip";
}

bool canonical_less(const LockedPackage& a, const LockedPackage& b) {
    const auto key = [](const LockedPackage& p) { return std::tie(p.platform, p.manager, p.name); };
    if (key(a) != key(b)) {
        return key(a) < key(b);
    }
    return a < b;
}

bool operator==(const CondaLock& a, const CondaLock& b) {
    return a.metadata == b.metadata && a.packages.size() == b.packages.size() &&
           sorted_packages(a.packages) == sorted_packages(b.packages);
}

core::Result<CondaLock> CondaLock::parse(std::string_view text, std::string_view source) {
    static constexpr detail::DocumentShape shape{
        .id_prefix = "spec.conda_lock",
        .expected_content = "a conda-lock file with `version`, `metadata` and `package`",
        .expected_mapping = "a mapping with `version`, `metadata` and `package`",
        .scalar_hint = "",
    };
    const YamlInput input(source, text);
    auto result = detail::parse_mapping_document<CondaLock>(
        input, shape, [&input](const YAML::Node& root) { return parse_lock(input, root); });
    if (!result) {
        return with_location_args(std::move(result).error(), source);
    }
    for (auto& warning : result->warnings) {
        warning = with_location_args(std::move(warning), source);
    }
    return result;
}

std::string to_yaml(const CondaLock& lock) {
    YamlWriter out;
    out.raw(0, "version", "1");
    write_metadata(out, lock.metadata);
    const auto packages = sorted_packages(lock.packages);
    if (packages.empty()) {
        out.raw(0, "package", "[]");
    } else {
        out.open(0, "package");
        for (const auto& package : packages) {
            write_package(out, package);
        }
    }
    return out.take();
}

std::vector<const LockedPackage*> packages_for(const CondaLock& lock, std::string_view platform) {
    std::vector<const LockedPackage*> out;
    for (const auto& package : lock.packages) {
        if (package.platform == platform) {
            out.push_back(&package);
        }
    }
    return out;
}

}  // namespace envsmith::specs
