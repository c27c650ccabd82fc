#include "envsmith/registry/manifest.hpp"

#include <nlohmann/json.hpp>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/text.hpp"
#include "errors.hpp"

namespace envsmith::registry {

bool is_index_type(std::string_view media_type) noexcept {
    return media_type == media_type::oci_index || media_type == media_type::docker_manifest_list;
}

bool is_image_manifest_type(std::string_view media_type) noexcept {
    return media_type == media_type::oci_manifest || media_type == media_type::docker_manifest;
}

std::string manifest_accept_header() {
    return std::string(media_type::oci_manifest) + ", " + std::string(media_type::oci_index) +
           ", " + std::string(media_type::docker_manifest) + ", " +
           std::string(media_type::docker_manifest_list);
}

core::Result<Platform> Platform::parse(std::string_view text) {
    const auto parts = core::split(text, '/');
    bool valid = parts.size() == 2 || parts.size() == 3;
    for (const auto part : parts) {
        valid = valid && !part.empty();
    }
    if (!valid) {
        return detail::registry_error("registry.platform_invalid",
                                      {{"platform", std::string(text)}});
    }
    Platform platform;
    platform.os = core::to_lower(parts[0]);
    platform.architecture = core::to_lower(parts[1]);
    platform.variant = parts.size() == 3 ? core::to_lower(parts[2]) : std::string();
    return platform;
}

std::string Platform::to_string() const {
    return variant.empty() ? os + "/" + architecture : os + "/" + architecture + "/" + variant;
}

namespace {

/// The variant an architecture has when none is written (containerd's normalisation:
/// arm64 is v8).
std::string_view implied_variant(std::string_view architecture) noexcept {
    return architecture == "arm64" ? "v8" : "";
}

}  // namespace

bool platform_matches(const Platform& offered, const Platform& wanted) noexcept {
    if (offered.os != wanted.os || offered.architecture != wanted.architecture) {
        return false;
    }
    if (wanted.variant.empty()) {
        return true;
    }
    const std::string_view a =
        offered.variant.empty() ? implied_variant(offered.architecture) : offered.variant;
    const std::string_view b = wanted.variant;
    return a == b || (b == implied_variant(wanted.architecture) && offered.variant.empty());
}

namespace {

using Json = nlohmann::json;

core::Error invalid(std::string_view source, std::string problem) {
    return detail::registry_error("registry.manifest_invalid",
                                  {{"image", std::string(source)}, {"problem", std::move(problem)}});
}

core::Result<Descriptor> parse_descriptor(const Json& json, std::string_view where,
                                          std::string_view source) {
    if (!json.is_object()) {
        return invalid(source, std::string(where) + " is not an object");
    }
    Descriptor descriptor;
    const auto type = json.find("mediaType");
    if (type != json.end() && type->is_string()) {
        descriptor.media_type = type->get<std::string>();
    }
    const auto digest = json.find("digest");
    if (digest == json.end() || !digest->is_string()) {
        return invalid(source, std::string(where) + " has no digest");
    }
    descriptor.digest = digest->get<std::string>();
    if (!core::Digest::parse(descriptor.digest)) {
        return invalid(source, std::string(where) + " has an invalid digest");
    }
    const auto size = json.find("size");
    if (size == json.end() || !size->is_number_unsigned()) {
        if (size != json.end() && size->is_number_integer() && size->get<std::int64_t>() == 0) {
            descriptor.size = 0;
        } else {
            return invalid(source, std::string(where) + " has no valid size");
        }
    } else {
        descriptor.size = size->get<std::uint64_t>();
    }
    if (const auto platform = json.find("platform");
        platform != json.end() && platform->is_object()) {
        Platform p;
        p.os = platform->value("os", std::string());
        p.architecture = platform->value("architecture", std::string());
        p.variant = platform->value("variant", std::string());
        descriptor.platform = std::move(p);
    }
    return descriptor;
}

}  // namespace

core::Result<ManifestContent> parse_manifest(std::string_view bytes, std::string_view content_type,
                                             std::string_view source) {
    const auto json = Json::parse(bytes, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return invalid(source, "not a JSON object");
    }
    ManifestContent content;
    if (const auto type = json.find("mediaType"); type != json.end() && type->is_string()) {
        content.media_type = type->get<std::string>();
    } else {
        // A Content-Type may carry parameters ("; charset=utf-8").
        const auto semicolon = content_type.find(';');
        content.media_type = std::string(core::trim(content_type.substr(0, semicolon)));
        if (!is_index_type(content.media_type) && !is_image_manifest_type(content.media_type)) {
            // OCI allows no mediaType: an index has `manifests`, a manifest `config`.
            content.media_type = json.contains("manifests") ? std::string(media_type::oci_index)
                                                            : std::string(media_type::oci_manifest);
        }
    }
    if (json.value("schemaVersion", 0) != 2) {
        return invalid(source, "schemaVersion is not 2");
    }
    if (content.is_index()) {
        const auto manifests = json.find("manifests");
        if (manifests == json.end() || !manifests->is_array()) {
            return invalid(source, "an index without `manifests`");
        }
        for (const auto& entry : *manifests) {
            auto descriptor = parse_descriptor(entry, "a `manifests` entry", source);
            if (!descriptor) {
                return std::move(descriptor).error();
            }
            content.manifests.push_back(std::move(descriptor).value());
        }
        return content;
    }
    if (!is_image_manifest_type(content.media_type)) {
        return invalid(source, "unsupported media type `" + content.media_type + "`");
    }
    const auto config = json.find("config");
    if (config == json.end()) {
        return invalid(source, "a manifest without `config`");
    }
    auto config_descriptor = parse_descriptor(*config, "`config`", source);
    if (!config_descriptor) {
        return std::move(config_descriptor).error();
    }
    content.config = std::move(config_descriptor).value();
    const auto layers = json.find("layers");
    if (layers == json.end() || !layers->is_array()) {
        return invalid(source, "a manifest without `layers`");
    }
    for (const auto& entry : *layers) {
        auto descriptor = parse_descriptor(entry, "a `layers` entry", source);
        if (!descriptor) {
            return std::move(descriptor).error();
        }
        content.layers.push_back(std::move(descriptor).value());
    }
    return content;
}

core::Result<Descriptor> select_platform(const ManifestContent& index, const Platform& wanted,
                                         std::string_view image) {
    // An exact variant match wins over an entry without a variant.
    const Descriptor* best = nullptr;
    for (const auto& entry : index.manifests) {
        if (!entry.platform || !platform_matches(*entry.platform, wanted)) {
            continue;
        }
        if (best == nullptr || (!wanted.variant.empty() && entry.platform->variant == wanted.variant)) {
            best = &entry;
        }
    }
    if (best != nullptr) {
        return *best;
    }
    std::vector<std::string> available;
    for (const auto& entry : index.manifests) {
        if (entry.platform) {
            available.push_back(entry.platform->to_string());
        }
    }
    return detail::registry_error(
        "registry.platform_unknown",
        {{"image", std::string(image)},
         {"platform", wanted.to_string()},
         {"available", available.empty() ? std::string("no platforms") : core::join(available, ", ")}});
}

}  // namespace envsmith::registry
