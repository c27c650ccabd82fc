#include "shards.hpp"

#include <fmt/format.h>

#include <msgpack.hpp>
#include <set>
#include <vector>

#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"

namespace envsmith::index::detail {
namespace {

core::Error invalid(std::string_view source, std::string detail) {
    return core::make_error(
               core::ErrorCode::invalid_input, "index.shards.invalid",
               fmt::format("`{}` is not valid CEP-16 sharded repodata: {}", source, detail))
        .arg("source", std::string(source))
        .arg("detail", std::move(detail));
}

std::string_view key_of(const msgpack::object& key) {
    if (key.type == msgpack::type::STR) {
        return {key.via.str.ptr, key.via.str.size};
    }
    if (key.type == msgpack::type::BIN) {
        return {key.via.bin.ptr, key.via.bin.size};
    }
    return {};
}

const msgpack::object* find(const msgpack::object& map, std::string_view name) {
    if (map.type != msgpack::type::MAP) {
        return nullptr;
    }
    for (std::uint32_t i = 0; i < map.via.map.size; ++i) {
        if (key_of(map.via.map.ptr[i].key) == name) {
            return &map.via.map.ptr[i].val;
        }
    }
    return nullptr;
}

/// A string field, or empty when missing, nil or not a string.
std::string_view text_of(const msgpack::object* value) {
    if (value == nullptr) {
        return {};
    }
    if (value->type == msgpack::type::STR) {
        return {value->via.str.ptr, value->via.str.size};
    }
    return {};
}

std::uint64_t number_of(const msgpack::object* value) {
    if (value != nullptr && value->type == msgpack::type::POSITIVE_INTEGER) {
        return value->via.u64;
    }
    if (value != nullptr && value->type == msgpack::type::FLOAT64 && value->via.f64 >= 0) {
        return static_cast<std::uint64_t>(value->via.f64);
    }
    return 0;
}

/// A hash as lowercase hex: from bin (raw bytes) or from a hex string.
std::string hash_of(const msgpack::object* value) {
    if (value == nullptr) {
        return {};
    }
    if (value->type == msgpack::type::BIN) {
        return core::to_hex({value->via.bin.ptr, value->via.bin.size});
    }
    std::string hex(text_of(value));
    for (auto& c : hex) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c - 'A' + 'a');
        }
    }
    return hex;
}

std::vector<std::string_view> strings_of(const msgpack::object* value) {
    std::vector<std::string_view> out;
    if (value == nullptr) {
        return out;
    }
    if (value->type == msgpack::type::ARRAY) {
        for (std::uint32_t i = 0; i < value->via.array.size; ++i) {
            const auto item = text_of(&value->via.array.ptr[i]);
            if (!item.empty()) {
                out.push_back(item);
            }
        }
    } else if (value->type == msgpack::type::STR) {
        // track_features is a comma- or space-separated string in repodata.json.
        std::string_view rest = text_of(value);
        while (!rest.empty()) {
            const auto end = rest.find_first_of(", ");
            const auto item = rest.substr(0, end);
            if (!item.empty()) {
                out.push_back(item);
            }
            rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
        }
    }
    return out;
}

/// Unpacks `bytes` and checks that they hold a map; `what` names it in the error ("the shard").
core::Result<msgpack::object_handle> unpack_map(std::string_view bytes, std::string_view source,
                                                std::string_view what) {
    // msgpack allocates a map's or array's entries as soon as it reads the header, which may
    // announce 2^32 of them in five bytes: no container can have more entries than there are
    // bytes (a map entry takes at least two).
    const msgpack::unpack_limit limit(bytes.size(), bytes.size() / 2);
    msgpack::object_handle handle;
    try {
        handle = msgpack::unpack(bytes.data(), bytes.size(), nullptr, nullptr, limit);
    } catch (const std::exception& error) {
        return invalid(source, fmt::format("malformed msgpack ({})", error.what()));
    }
    if (handle.get().type != msgpack::type::MAP) {
        return invalid(source, fmt::format("{} is not a map", what));
    }
    return handle;
}

/// Fails unless `packages` is nil or a map.
core::Status check_packages(const msgpack::object& packages, std::string_view source) {
    if (packages.type != msgpack::type::NIL && packages.type != msgpack::type::MAP) {
        return invalid(source, "`packages` is not a map");
    }
    return {};
}

/// Fails unless the `packages` entry is a map with a name, version and build.
core::Status check_record(const msgpack::object_kv& entry, std::string_view source) {
    const auto fn = key_of(entry.key);
    if (entry.val.type != msgpack::type::MAP) {
        return invalid(source, fmt::format("the record `{}` is not a map", fn));
    }
    if (text_of(find(entry.val, "name")).empty() || text_of(find(entry.val, "version")).empty() ||
        text_of(find(entry.val, "build")).empty()) {
        return invalid(source, fmt::format("the record `{}` lacks name, version or build", fn));
    }
    return {};
}

core::Status add_records(const msgpack::object& packages, RepodataBuilder& builder,
                         std::string_view source) {
    if (auto checked = check_packages(packages, source); !checked) {
        return checked;
    }
    if (packages.type == msgpack::type::NIL) {
        return {};
    }
    for (std::uint32_t i = 0; i < packages.via.map.size; ++i) {
        const auto& entry = packages.via.map.ptr[i];
        if (auto checked = check_record(entry, source); !checked) {
            return checked;
        }
        const auto fn = key_of(entry.key);
        const auto& fields = entry.val;
        CondaRecord record;
        record.fn = fn;
        record.name = text_of(find(fields, "name"));
        record.version = text_of(find(fields, "version"));
        record.build = text_of(find(fields, "build"));
        record.build_number = number_of(find(fields, "build_number"));
        record.subdir = text_of(find(fields, "subdir"));
        const auto md5 = hash_of(find(fields, "md5"));
        const auto sha256 = hash_of(find(fields, "sha256"));
        record.md5 = md5;
        record.sha256 = sha256;
        record.license = text_of(find(fields, "license"));
        const auto* noarch = find(fields, "noarch");
        if (noarch != nullptr && noarch->type == msgpack::type::BOOLEAN) {
            record.noarch = noarch->via.boolean ? "generic" : "";
        } else {
            record.noarch = text_of(noarch);
        }
        record.size = number_of(find(fields, "size"));
        // Like repodata.json: seconds are scaled to milliseconds (conda's heuristic).
        const auto timestamp = number_of(find(fields, "timestamp"));
        record.timestamp = timestamp > 253'402'300'799ULL ? timestamp : timestamp * 1000;
        const auto depends = strings_of(find(fields, "depends"));
        const auto constrains = strings_of(find(fields, "constrains"));
        const auto features = strings_of(find(fields, "track_features"));
        record.depends = depends;
        record.constrains = constrains;
        record.track_features = features;
        builder.add(record);
    }
    return {};
}

}  // namespace

std::string resolve_folder_url(std::string_view document_url, std::string_view reference) {
    auto folder = std::string(document_url.substr(0, document_url.rfind('/') + 1));
    std::string out;
    if (reference.find("://") != std::string_view::npos) {
        out = std::string(reference);
    } else if (reference.starts_with('/')) {
        const auto scheme_end = folder.find("://");
        const auto host_end =
            scheme_end == std::string::npos ? std::string::npos : folder.find('/', scheme_end + 3);
        out = folder.substr(0, host_end) + std::string(reference);
    } else {
        while (true) {
            if (reference.starts_with("./")) {
                reference.remove_prefix(2);
            } else if (reference.starts_with("../")) {
                reference.remove_prefix(3);
                const auto scheme_end = folder.find("://");
                const auto root =
                    folder.find('/', scheme_end == std::string::npos ? 0 : scheme_end + 3);
                const auto parent = folder.rfind('/', folder.size() - 2);
                if (parent != std::string::npos && parent >= root) {
                    folder.resize(parent + 1);
                }
            } else {
                break;
            }
        }
        out = folder + std::string(reference);
    }
    if (!out.ends_with('/')) {
        out.push_back('/');
    }
    return out;
}

core::Result<ShardIndex> parse_shard_index(std::string_view msgpack, std::string_view index_url,
                                           std::string_view source) {
    auto handle = unpack_map(msgpack, source, "the shard index");
    if (!handle) {
        return std::move(handle).error();
    }
    const auto& root = handle->get();
    ShardIndex index;
    const auto* info = find(root, "info");
    if (info != nullptr && info->type == msgpack::type::MAP) {
        index.subdir = std::string(text_of(find(*info, "subdir")));
        const auto base_url = text_of(find(*info, "base_url"));
        if (!base_url.empty()) {
            index.base_url = resolve_folder_url(index_url, base_url);
        }
        index.shards_base_url =
            resolve_folder_url(index_url, text_of(find(*info, "shards_base_url")));
    } else {
        index.shards_base_url = resolve_folder_url(index_url, "");
    }
    const auto* shards = find(root, "shards");
    if (shards == nullptr || shards->type != msgpack::type::MAP) {
        return invalid(source, "`shards` is missing or not a map");
    }
    for (std::uint32_t i = 0; i < shards->via.map.size; ++i) {
        const auto& entry = shards->via.map.ptr[i];
        const auto name = key_of(entry.key);
        auto hex = hash_of(&entry.val);
        if (name.empty() || hex.size() != 64) {
            return invalid(source, fmt::format("the shard of `{}` has no 32-byte sha256", name));
        }
        index.shards.emplace(std::string(name), std::move(hex));
    }
    return index;
}

core::Status add_shard_records(std::string_view msgpack, RepodataBuilder& builder,
                               std::string_view source) {
    auto handle = unpack_map(msgpack, source, "the shard");
    if (!handle) {
        return std::move(handle).error();
    }
    const auto& root = handle->get();
    for (const auto* key : {"packages", "packages.conda"}) {
        if (const auto* packages = find(root, key); packages != nullptr) {
            if (auto added = add_records(*packages, builder, source); !added) {
                return added;
            }
        }
    }
    if (const auto* removed = find(root, "removed");
        removed != nullptr && removed->type == msgpack::type::ARRAY) {
        for (std::uint32_t i = 0; i < removed->via.array.size; ++i) {
            const auto fn = text_of(&removed->via.array.ptr[i]);
            if (!fn.empty()) {
                builder.add_removed(fn);
            }
        }
    }
    return {};
}

std::string dependency_name(std::string_view spec) {
    spec = core::trim(spec);
    if (const auto colons = spec.rfind("::"); colons != std::string_view::npos) {
        spec.remove_prefix(colons + 2);
    }
    const auto end = spec.find_first_of(" =<>!~[;,");
    return core::to_lower(core::trim(spec.substr(0, end)));
}

core::Result<std::vector<std::string>> dependency_names(std::string_view msgpack,
                                                        std::string_view source) {
    auto handle = unpack_map(msgpack, source, "the shard");
    if (!handle) {
        return std::move(handle).error();
    }
    const auto& root = handle->get();
    std::set<std::string> names;
    for (const auto* key : {"packages", "packages.conda"}) {
        // The same checks as add_shard_records: a shard it would refuse is refused here,
        // before the shards of its dependencies are fetched.
        const auto* packages = find(root, key);
        if (packages == nullptr) {
            continue;
        }
        if (auto checked = check_packages(*packages, source); !checked) {
            return std::move(checked).error();
        }
        if (packages->type != msgpack::type::MAP) {
            continue;
        }
        for (std::uint32_t i = 0; i < packages->via.map.size; ++i) {
            if (auto checked = check_record(packages->via.map.ptr[i], source); !checked) {
                return std::move(checked).error();
            }
            for (const auto depend : strings_of(find(packages->via.map.ptr[i].val, "depends"))) {
                if (auto name = dependency_name(depend); !name.empty()) {
                    names.insert(std::move(name));
                }
            }
        }
    }
    return std::vector<std::string>(names.begin(), names.end());
}

}  // namespace envsmith::index::detail
