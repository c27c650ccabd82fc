#include "envsmith/image/config.hpp"

#include <fmt/format.h>

#include <ctime>

#include "json_common.hpp"

namespace envsmith::image {

namespace {

constexpr std::string_view what = "image config";

nlohmann::json string_array(const std::vector<std::string>& items) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& item : items) {
        out.push_back(item);
    }
    return out;
}

nlohmann::json empty_object_set(const std::set<std::string>& keys) {
    nlohmann::json out = nlohmann::json::object();
    for (const auto& key : keys) {
        out[key] = nlohmann::json::object();
    }
    return out;
}

std::vector<std::string> read_strings(const nlohmann::json& object, std::string_view key) {
    std::vector<std::string> out;
    const auto it = object.find(key);
    if (it == object.end() || !it->is_array()) {
        return out;
    }
    for (const auto& item : *it) {
        if (item.is_string()) {
            out.push_back(item.get<std::string>());
        }
    }
    return out;
}

std::string read_string(const nlohmann::json& object, std::string_view key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::set<std::string> read_key_set(const nlohmann::json& object, std::string_view key) {
    std::set<std::string> out;
    const auto it = object.find(key);
    if (it != object.end() && it->is_object()) {
        for (const auto& [name, unused] : it->items()) {
            out.insert(name);
        }
    }
    return out;
}

}  // namespace

std::string to_json(const ImageConfig& config) {
    nlohmann::json out = nlohmann::json::object();
    out["architecture"] = config.platform.architecture;
    out["os"] = config.platform.os;
    if (!config.platform.variant.empty()) {
        out["variant"] = config.platform.variant;
    }
    if (!config.created.empty()) {
        out["created"] = config.created;
    }
    if (!config.author.empty()) {
        out["author"] = config.author;
    }
    nlohmann::json run = nlohmann::json::object();
    if (!config.user.empty()) {
        run["User"] = config.user;
    }
    if (!config.env.empty()) {
        run["Env"] = string_array(config.env);
    }
    if (!config.entrypoint.empty()) {
        run["Entrypoint"] = string_array(config.entrypoint);
    }
    if (!config.cmd.empty()) {
        run["Cmd"] = string_array(config.cmd);
    }
    if (!config.working_dir.empty()) {
        run["WorkingDir"] = config.working_dir;
    }
    if (!config.labels.empty()) {
        run["Labels"] = config.labels;
    }
    if (!config.exposed_ports.empty()) {
        run["ExposedPorts"] = empty_object_set(config.exposed_ports);
    }
    if (!config.volumes.empty()) {
        run["Volumes"] = empty_object_set(config.volumes);
    }
    if (!config.stop_signal.empty()) {
        run["StopSignal"] = config.stop_signal;
    }
    out["config"] = std::move(run);
    nlohmann::json diff_ids = nlohmann::json::array();
    for (const auto& id : config.diff_ids) {
        diff_ids.push_back(id.to_string());
    }
    out["rootfs"] = {{"type", "layers"}, {"diff_ids", std::move(diff_ids)}};
    if (!config.history.empty()) {
        nlohmann::json history = nlohmann::json::array();
        for (const auto& entry : config.history) {
            nlohmann::json item = nlohmann::json::object();
            if (!entry.created.empty()) {
                item["created"] = entry.created;
            }
            if (!entry.created_by.empty()) {
                item["created_by"] = entry.created_by;
            }
            if (!entry.author.empty()) {
                item["author"] = entry.author;
            }
            if (!entry.comment.empty()) {
                item["comment"] = entry.comment;
            }
            if (entry.empty_layer) {
                item["empty_layer"] = true;
            }
            history.push_back(std::move(item));
        }
        out["history"] = std::move(history);
    }
    return detail::canonical_dump(out);
}

core::Result<ImageConfig> parse_config(std::string_view json) {
    const auto value = nlohmann::json::parse(json, nullptr, false);
    if (value.is_discarded()) {
        return detail::json_error(what, "not valid JSON");
    }
    if (!value.is_object()) {
        return detail::json_error(what, "not a JSON object");
    }
    ImageConfig out;
    out.platform.architecture = read_string(value, "architecture");
    out.platform.os = read_string(value, "os");
    out.platform.variant = read_string(value, "variant");
    if (out.platform.architecture.empty() || out.platform.os.empty()) {
        return detail::json_error(what, "`architecture` or `os` is missing");
    }
    out.created = read_string(value, "created");
    out.author = read_string(value, "author");
    if (const auto it = value.find("config"); it != value.end() && it->is_object()) {
        const auto& run = *it;
        out.user = read_string(run, "User");
        out.env = read_strings(run, "Env");
        out.entrypoint = read_strings(run, "Entrypoint");
        out.cmd = read_strings(run, "Cmd");
        out.working_dir = read_string(run, "WorkingDir");
        if (const auto labels = run.find("Labels"); labels != run.end() && labels->is_object()) {
            for (const auto& [key, item] : labels->items()) {
                if (item.is_string()) {
                    out.labels.emplace(key, item.get<std::string>());
                }
            }
        }
        out.exposed_ports = read_key_set(run, "ExposedPorts");
        out.volumes = read_key_set(run, "Volumes");
        out.stop_signal = read_string(run, "StopSignal");
    }
    const auto rootfs = value.find("rootfs");
    if (rootfs == value.end() || !rootfs->is_object()) {
        return detail::json_error(what, "no `rootfs` object");
    }
    const auto diff_ids = rootfs->find("diff_ids");
    if (diff_ids == rootfs->end() || !diff_ids->is_array()) {
        return detail::json_error(what, "no `rootfs.diff_ids` array");
    }
    for (const auto& id : *diff_ids) {
        if (!id.is_string()) {
            return detail::json_error(what, "a diff_id is not a string");
        }
        auto digest = core::Digest::parse(id.get<std::string>());
        if (!digest) {
            return detail::json_error(what,
                                      fmt::format("invalid diff_id `{}`", id.get<std::string>()));
        }
        out.diff_ids.push_back(std::move(digest).value());
    }
    if (const auto it = value.find("history"); it != value.end() && it->is_array()) {
        for (const auto& item : *it) {
            if (!item.is_object()) {
                continue;
            }
            HistoryEntry entry;
            entry.created = read_string(item, "created");
            entry.created_by = read_string(item, "created_by");
            entry.author = read_string(item, "author");
            entry.comment = read_string(item, "comment");
            const auto empty = item.find("empty_layer");
            entry.empty_layer = empty != item.end() && empty->is_boolean() && empty->get<bool>();
            out.history.push_back(std::move(entry));
        }
    }
    return out;
}

std::string rfc3339_utc(std::int64_t epoch_seconds) {
    const auto seconds = static_cast<std::time_t>(epoch_seconds);
    std::tm parts{};
    gmtime_r(&seconds, &parts);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", parts.tm_year + 1900,
                       parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec);
}

namespace {

std::string_view env_key(std::string_view entry) {
    const auto eq = entry.find('=');
    return eq == std::string_view::npos ? std::string_view() : entry.substr(0, eq);
}

}  // namespace

std::vector<std::string> merge_env(const std::vector<std::string>& base,
                                   const std::vector<std::string>& overrides) {
    std::vector<std::string> out = base;
    for (const auto& entry : overrides) {
        const auto key = env_key(entry);
        bool replaced = false;
        if (!key.empty()) {
            for (auto& existing : out) {
                if (env_key(existing) == key) {
                    existing = entry;
                    replaced = true;
                }
            }
        }
        if (!replaced) {
            out.push_back(entry);
        }
    }
    return out;
}

std::vector<std::string> conda_prefix_env(std::string_view prefix,
                                          const std::vector<std::string>& base_env) {
    std::string root(prefix);
    while (root.size() > 1 && root.back() == '/') {
        root.pop_back();
    }
    const auto base_path = env_value(base_env, "PATH");
    const std::string rest = base_path && !base_path->empty()
                                 ? *base_path
                                 : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    return {fmt::format("PATH={}/bin:{}", root, rest), fmt::format("CONDA_PREFIX={}", root)};
}

std::optional<std::string> env_value(const std::vector<std::string>& env, std::string_view key) {
    for (const auto& entry : env) {
        if (env_key(entry) == key) {
            return entry.substr(key.size() + 1);
        }
    }
    return std::nullopt;
}

}  // namespace envsmith::image
