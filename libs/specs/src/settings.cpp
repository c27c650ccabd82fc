#include "envsmith/specs/settings.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "envsmith/core/text.hpp"
#include "yaml_support.hpp"

namespace envsmith::specs {
namespace {

using detail::YamlInput;

constexpr std::string_view type_id = "settings.type";

/// Unknown keys are errors here, not warnings: a misspelt `credentials` would otherwise turn
/// into a puzzling 401 much later.
core::Error unknown_key(const YamlInput& input, const detail::MapEntry& entry,
                        std::string_view where, const std::vector<std::string_view>& known) {
    auto error = input.error_at(entry.key_node, "settings.unknown_key",
                                fmt::format("unknown key `{}` in {}", entry.key, where))
                     .arg("key", entry.key)
                     .arg("where", std::string(where));
    std::string_view best;
    std::size_t best_distance = 3;
    for (const auto candidate : known) {
        const auto distance = core::edit_distance(core::to_lower(entry.key), candidate);
        if (distance < best_distance) {
            best_distance = distance;
            best = candidate;
        }
    }
    if (!best.empty()) {
        return std::move(error).with_hint(fmt::format("did you mean `{}`?", best));
    }
    return std::move(error).with_hint(
        fmt::format("the keys of {} are: {}", where, fmt::join(known, ", ")));
}

core::Result<CredentialSetting> parse_credential(const YamlInput& input, const YAML::Node& node) {
    if (!node.IsMap()) {
        return input.item_type_error(node, std::string(type_id), "credentials",
                                     "a mapping with `host` and a password or token");
    }
    auto entries = input.entries(node, "settings");
    if (!entries) {
        return std::move(entries).error();
    }
    CredentialSetting credential;
    credential.where = input.location(node);
    std::string password;
    std::string password_env;
    std::string token;
    std::string token_env;
    static const std::vector<std::string_view> known = {"host",  "username",  "password",
                                                        "password_env", "token", "token_env"};
    for (const auto& entry : *entries) {
        std::string* target = nullptr;
        if (entry.key == "host") {
            target = &credential.host;
        } else if (entry.key == "username") {
            target = &credential.username;
        } else if (entry.key == "password") {
            target = &password;
        } else if (entry.key == "password_env") {
            target = &password_env;
        } else if (entry.key == "token") {
            target = &token;
        } else if (entry.key == "token_env") {
            target = &token_env;
        } else {
            return unknown_key(input, entry, "a credential", known);
        }
        auto value = input.get_string(entry.value, entry.key, type_id);
        if (!value) {
            return std::move(value).error();
        }
        *target = std::move(*value);
    }
    // One id, several wordings: all but the first carry `problem`, so that the catalog's
    // "the credential for {host} {problem}" fits them, and the first prints in English.
    auto fail = [&](std::string message) {
        return input.error_at(node, "settings.credential", std::move(message))
            .arg("host", credential.host);
    };
    auto fail_for = [&](std::string problem) {
        return fail(fmt::format("the credential for {} {}", credential.host, problem))
            .arg("problem", std::move(problem));
    };
    if (credential.host.empty()) {
        return fail("a credential needs `host`");
    }
    const bool has_password = !password.empty() || !password_env.empty();
    const bool has_token = !token.empty() || !token_env.empty();
    if (has_password == has_token) {
        return fail_for("needs either a password (`password` or `password_env`) or a token "
                        "(`token` or `token_env`)");
    }
    if ((!password.empty() && !password_env.empty()) || (!token.empty() && !token_env.empty())) {
        return fail_for("gives its secret twice, written out and in an environment variable");
    }
    if (has_password && credential.username.empty()) {
        return fail_for("has a password but no `username`");
    }
    credential.scheme = has_token ? CredentialSetting::Scheme::bearer : CredentialSetting::Scheme::basic;
    credential.secret = has_token ? token : password;
    credential.secret_env = has_token ? token_env : password_env;
    return credential;
}

core::Result<Settings> parse_root(const YamlInput& input, const YAML::Node& root) {
    auto entries = input.entries(root, "settings");
    if (!entries) {
        return std::move(entries).error();
    }
    static const std::vector<std::string_view> known = {
        "channel_alias", "default_channels", "mirrors", "index_url",
        "cache_dir",     "ca_bundle",        "netrc",   "credentials"};
    Settings settings;
    for (const auto& entry : *entries) {
        const auto& key = entry.key;
        if (key == "channel_alias" || key == "index_url" || key == "cache_dir" ||
            key == "ca_bundle" || key == "netrc") {
            auto value = input.get_string(entry.value, key, type_id);
            if (!value) {
                return std::move(value).error();
            }
            auto& target = key == "channel_alias" ? settings.channel_alias
                           : key == "index_url"   ? settings.index_url
                           : key == "cache_dir"   ? settings.cache_dir
                           : key == "ca_bundle"   ? settings.ca_bundle
                                                  : settings.netrc;
            target = std::move(*value);
        } else if (key == "default_channels") {
            auto value = input.get_string_list(entry.value, key, type_id);
            if (!value) {
                return std::move(value).error();
            }
            settings.default_channels = std::move(*value);
        } else if (key == "mirrors") {
            if (!entry.value.IsMap()) {
                return input.type_error(entry.value, std::string(type_id), key,
                                        "a mapping of channel names or URLs to lists of URLs");
            }
            auto mirrors = input.entries(entry.value, "settings");
            if (!mirrors) {
                return std::move(mirrors).error();
            }
            for (const auto& mirror : *mirrors) {
                auto urls = input.get_string_list(mirror.value, mirror.key, type_id);
                if (!urls) {
                    return std::move(urls).error();
                }
                settings.mirrors[mirror.key] = std::move(*urls);
            }
        } else if (key == "credentials") {
            if (entry.value.IsNull()) {
                continue;
            }
            if (!entry.value.IsSequence()) {
                return input.type_error(entry.value, std::string(type_id), key,
                                        "a list of credentials");
            }
            for (const auto& item : entry.value) {
                auto credential = parse_credential(input, item);
                if (!credential) {
                    return std::move(credential).error();
                }
                settings.credentials.push_back(std::move(*credential));
            }
        } else {
            return unknown_key(input, entry, "the settings", known);
        }
    }
    return settings;
}

}  // namespace

core::Result<Settings> parse_settings(std::string_view text, std::string_view file_name) {
    const YamlInput input(file_name, text);
    // A file of comments only (a fresh template) is empty settings, not an error.
    if (auto root = input.load(); root && (!root->IsDefined() || root->IsNull())) {
        return Settings{};
    }
    static constexpr detail::DocumentShape shape{
        "settings", "envsmith settings", "a mapping of settings (`channel_alias`, `credentials`, ...)",
        ""};
    return detail::parse_mapping_document<Settings>(
        input, shape, [&input](const YAML::Node& root) { return parse_root(input, root); });
}

}  // namespace envsmith::specs
