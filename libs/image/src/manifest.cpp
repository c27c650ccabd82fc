#include "envsmith/image/manifest.hpp"

#include <fmt/format.h>

#include "json_common.hpp"

namespace envsmith::image {

namespace detail {

core::Error json_error(std::string_view what, std::string detail) {
    return core::make_error(core::ErrorCode::invalid_input, "image.json.invalid",
                            fmt::format("invalid {}: {}", what, detail))
        .arg("what", std::string(what))
        .arg("detail", std::move(detail));
}

std::string canonical_dump(const nlohmann::json& value) {
    // Invalid UTF-8 is replaced rather than thrown on: the text came from our own structs.
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

nlohmann::json descriptor_json(const Descriptor& descriptor) {
    nlohmann::json out = nlohmann::json::object();
    out["mediaType"] = descriptor.media_type;
    out["digest"] = descriptor.digest.to_string();
    out["size"] = descriptor.size;
    if (!descriptor.annotations.empty()) {
        out["annotations"] = descriptor.annotations;
    }
    if (descriptor.platform) {
        nlohmann::json platform = nlohmann::json::object();
        platform["architecture"] = descriptor.platform->architecture;
        platform["os"] = descriptor.platform->os;
        if (!descriptor.platform->variant.empty()) {
            platform["variant"] = descriptor.platform->variant;
        }
        out["platform"] = std::move(platform);
    }
    return out;
}

namespace {

core::Result<std::map<std::string, std::string>> string_map(const nlohmann::json& value,
                                                            std::string_view what,
                                                            std::string_view field) {
    std::map<std::string, std::string> out;
    if (value.is_null()) {
        return out;
    }
    if (!value.is_object()) {
        return json_error(what, fmt::format("`{}` is not an object", field));
    }
    for (const auto& [key, item] : value.items()) {
        if (!item.is_string()) {
            return json_error(what, fmt::format("`{}.{}` is not a string", field, key));
        }
        out.emplace(key, item.get<std::string>());
    }
    return out;
}

}  // namespace

core::Result<Descriptor> parse_descriptor(const nlohmann::json& value, std::string_view what) {
    if (!value.is_object()) {
        return json_error(what, "a descriptor is not an object");
    }
    Descriptor out;
    const auto media = value.find("mediaType");
    if (media != value.end() && media->is_string()) {
        out.media_type = media->get<std::string>();
    }
    const auto digest = value.find("digest");
    if (digest == value.end() || !digest->is_string()) {
        return json_error(what, "a descriptor has no `digest`");
    }
    auto parsed = core::Digest::parse(digest->get<std::string>());
    if (!parsed || parsed->algorithm != core::DigestAlgorithm::sha256) {
        return json_error(what, fmt::format("unsupported digest `{}`", digest->get<std::string>()));
    }
    out.digest = std::move(parsed).value();
    const auto size = value.find("size");
    if (size == value.end() || !size->is_number_unsigned()) {
        if (size != value.end() && size->is_number_integer() && size->get<std::int64_t>() >= 0) {
            out.size = static_cast<std::uint64_t>(size->get<std::int64_t>());
        } else {
            return json_error(what, "a descriptor has no valid `size`");
        }
    } else {
        out.size = size->get<std::uint64_t>();
    }
    if (const auto it = value.find("annotations"); it != value.end()) {
        auto annotations = string_map(*it, what, "annotations");
        if (!annotations) {
            return std::move(annotations).error();
        }
        out.annotations = std::move(annotations).value();
    }
    if (const auto it = value.find("platform"); it != value.end() && it->is_object()) {
        Platform platform;
        platform.architecture = it->value("architecture", "");
        platform.os = it->value("os", "");
        platform.variant = it->value("variant", "");
        out.platform = std::move(platform);
    }
    return out;
}

}  // namespace detail

namespace {

core::Result<nlohmann::json> parse_object(std::string_view json, std::string_view what) {
    auto value = nlohmann::json::parse(json, nullptr, false);
    if (value.is_discarded()) {
        return detail::json_error(what, "not valid JSON");
    }
    if (!value.is_object()) {
        return detail::json_error(what, "not a JSON object");
    }
    const auto version = value.find("schemaVersion");
    if (version == value.end() || !version->is_number_integer() || version->get<int>() != 2) {
        return detail::json_error(what, "`schemaVersion` is not 2");
    }
    return value;
}

}  // namespace

std::string to_json(const Manifest& manifest) {
    nlohmann::json out = nlohmann::json::object();
    out["schemaVersion"] = 2;
    out["mediaType"] = manifest.media_type;
    out["config"] = detail::descriptor_json(manifest.config);
    out["layers"] = nlohmann::json::array();
    for (const auto& layer : manifest.layers) {
        out["layers"].push_back(detail::descriptor_json(layer));
    }
    if (!manifest.annotations.empty()) {
        out["annotations"] = manifest.annotations;
    }
    return detail::canonical_dump(out);
}

std::string to_json(const ImageIndex& index) {
    nlohmann::json out = nlohmann::json::object();
    out["schemaVersion"] = 2;
    out["mediaType"] = index.media_type;
    out["manifests"] = nlohmann::json::array();
    for (const auto& entry : index.manifests) {
        out["manifests"].push_back(detail::descriptor_json(entry));
    }
    if (!index.annotations.empty()) {
        out["annotations"] = index.annotations;
    }
    return detail::canonical_dump(out);
}

core::Result<Manifest> parse_manifest(std::string_view json) {
    constexpr std::string_view what = "image manifest";
    auto parsed = parse_object(json, what);
    if (!parsed) {
        return std::move(parsed).error();
    }
    const auto& value = *parsed;
    Manifest out;
    out.media_type = value.value("mediaType", std::string(media_type::oci_manifest));
    if (!media_type::is_manifest(out.media_type)) {
        return detail::json_error(what, fmt::format("unexpected mediaType `{}`", out.media_type));
    }
    const auto config = value.find("config");
    if (config == value.end()) {
        return detail::json_error(what, "no `config`");
    }
    auto config_descriptor = detail::parse_descriptor(*config, what);
    if (!config_descriptor) {
        return std::move(config_descriptor).error();
    }
    out.config = std::move(config_descriptor).value();
    const auto layers = value.find("layers");
    if (layers == value.end() || !layers->is_array()) {
        return detail::json_error(what, "no `layers` array");
    }
    for (const auto& layer : *layers) {
        auto descriptor = detail::parse_descriptor(layer, what);
        if (!descriptor) {
            return std::move(descriptor).error();
        }
        out.layers.push_back(std::move(descriptor).value());
    }
    if (const auto it = value.find("annotations"); it != value.end() && it->is_object()) {
        for (const auto& [key, item] : it->items()) {
            if (item.is_string()) {
                out.annotations.emplace(key, item.get<std::string>());
            }
        }
    }
    return out;
}

core::Result<ImageIndex> parse_index(std::string_view json) {
    constexpr std::string_view what = "image index";
    auto parsed = parse_object(json, what);
    if (!parsed) {
        return std::move(parsed).error();
    }
    const auto& value = *parsed;
    ImageIndex out;
    out.media_type = value.value("mediaType", std::string(media_type::oci_index));
    if (!media_type::is_index(out.media_type)) {
        return detail::json_error(what, fmt::format("unexpected mediaType `{}`", out.media_type));
    }
    const auto manifests = value.find("manifests");
    if (manifests == value.end() || !manifests->is_array()) {
        return detail::json_error(what, "no `manifests` array");
    }
    for (const auto& entry : *manifests) {
        auto descriptor = detail::parse_descriptor(entry, what);
        if (!descriptor) {
            return std::move(descriptor).error();
        }
        out.manifests.push_back(std::move(descriptor).value());
    }
    if (const auto it = value.find("annotations"); it != value.end() && it->is_object()) {
        for (const auto& [key, item] : it->items()) {
            if (item.is_string()) {
                out.annotations.emplace(key, item.get<std::string>());
            }
        }
    }
    return out;
}

Descriptor describe_bytes(std::string_view media_type, std::string_view bytes) {
    Descriptor out;
    out.media_type = std::string(media_type);
    out.digest = core::sha256(bytes);
    out.size = bytes.size();
    return out;
}

}  // namespace envsmith::image
