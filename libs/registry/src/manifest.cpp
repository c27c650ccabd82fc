#include "envsmith/registry/manifest.hpp"

#include <nlohmann/json.hpp>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/text.hpp"
#include "errors.hpp"

namespace envsmith::registry {

std::string manifest_accept_header() {
    return std::string(media_type::oci_manifest) + ", " + std::string(media_type::oci_index) +
           ", " + std::string(media_type::docker_manifest) + ", " +
           std::string(media_type::docker_manifest_list);
}

core::Result<Platform> parse_platform(std::string_view text) {
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

std::string to_string(const Platform& platform) {
    const auto& p = platform;
    return p.variant.empty() ? p.os + "/" + p.architecture
                             : p.os + "/" + p.architecture + "/" + p.variant;
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

core::Error invalid(std::string_view source, std::string problem) {
    return detail::registry_error("registry.manifest_invalid",
                                  {{"image", std::string(source)}, {"problem", std::move(problem)}});
}

/// image.json.invalid as registry.manifest_invalid: the parser's `detail` is the problem.
core::Error invalid(std::string_view source, const core::Error& image_error) {
    auto problem = std::string(image_error.arg_value("detail"));
    return invalid(source, problem.empty() ? image_error.message : std::move(problem));
}

}  // namespace

image::Manifest ManifestContent::to_manifest() const {
    image::Manifest manifest;
    manifest.media_type = media_type;
    if (config) {
        manifest.config = *config;
    }
    manifest.layers = layers;
    manifest.annotations = annotations;
    return manifest;
}

core::Result<ManifestContent> parse_manifest(std::string_view bytes, std::string_view content_type,
                                             std::string_view source) {
    // Only the document's kind is read here; image::parse_manifest/parse_index do the rest.
    const auto json = nlohmann::json::parse(bytes, nullptr, false);
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
    if (content.is_index()) {
        auto index = image::parse_index(bytes);
        if (!index) {
            return invalid(source, index.error());
        }
        content.manifests = std::move(index->manifests);
        content.annotations = std::move(index->annotations);
        return content;
    }
    if (!is_image_manifest_type(content.media_type)) {
        return invalid(source, "unsupported media type `" + content.media_type + "`");
    }
    auto manifest = image::parse_manifest(bytes);
    if (!manifest) {
        return invalid(source, manifest.error());
    }
    content.config = std::move(manifest->config);
    content.layers = std::move(manifest->layers);
    content.annotations = std::move(manifest->annotations);
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
            available.push_back(to_string(*entry.platform));
        }
    }
    return detail::registry_error(
        "registry.platform_unknown",
        {{"image", std::string(image)},
         {"platform", to_string(wanted)},
         {"available", available.empty() ? std::string("no platforms") : core::join(available, ", ")}});
}

}  // namespace envsmith::registry
