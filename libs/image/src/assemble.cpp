#include "envsmith/image/assemble.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace envsmith::image {

namespace {

bool valid_tag(std::string_view tag) {
    if (tag.empty()) {
        return false;
    }
    return std::all_of(tag.begin(), tag.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '.' || c == '_' || c == '-' || c == ':' || c == '/';
    });
}

}  // namespace

core::Result<BaseImage> read_base_image(const std::string& layout_dir,
                                        std::string_view tag_or_digest,
                                        const std::optional<Platform>& platform) {
    auto layout = Layout::open(layout_dir);
    if (!layout) {
        return std::move(layout).error();
    }
    auto manifest = layout->read_manifest(tag_or_digest, platform);
    if (!manifest) {
        return std::move(manifest).error();
    }
    auto config = layout->read_config(*manifest);
    if (!config) {
        return std::move(config).error();
    }
    if (manifest->layers.size() != config->diff_ids.size()) {
        const auto layers = std::to_string(manifest->layers.size());
        const auto diff_ids = std::to_string(config->diff_ids.size());
        return core::make_error(core::ErrorCode::invalid_input, "image.base.mismatch",
                                fmt::format("base image `{}` has {} layers but {} diff_ids",
                                            tag_or_digest, layers, diff_ids))
            .arg("ref", std::string(tag_or_digest))
            .arg("layers", layers)
            .arg("diff_ids", diff_ids);
    }
    return BaseImage{layout_dir, std::move(manifest).value(), std::move(config).value()};
}

core::Result<AssembledImage> assemble_image(Layout& target, const AssembleRequest& request) {
    if (!valid_tag(request.tag)) {
        return core::make_error(
                   core::ErrorCode::invalid_input, "image.tag.invalid",
                   fmt::format("invalid tag `{}`: use letters, digits and . _ - : /", request.tag))
            .arg("tag", request.tag);
    }
    const auto& settings = request.settings;
    const std::string created = rfc3339_utc(settings.created_epoch);

    ImageConfig config;
    Manifest manifest;
    if (request.base) {
        const auto& base = *request.base;
        config = base.config;
        auto source = Layout::open(base.layout_dir);
        if (!source) {
            return std::move(source).error();
        }
        for (const auto& layer : base.manifest.layers) {
            if (auto status = target.copy_blob_from(*source, layer.digest); !status) {
                return std::move(status).error();
            }
            Descriptor copy = layer;
            copy.media_type = std::string(media_type::to_oci_layer(layer.media_type));
            manifest.layers.push_back(std::move(copy));
        }
    }
    if (settings.platform) {
        config.platform = *settings.platform;
    }
    config.created = created;
    if (!settings.author.empty()) {
        config.author = settings.author;
    }
    config.env = merge_env(config.env, settings.env);
    for (const auto& [key, value] : settings.labels) {
        config.labels[key] = value;
    }
    if (settings.working_dir) {
        config.working_dir = *settings.working_dir;
    }
    if (settings.entrypoint) {
        config.entrypoint = *settings.entrypoint;
    }
    if (settings.cmd) {
        config.cmd = *settings.cmd;
    }
    if (settings.user) {
        config.user = *settings.user;
    }

    AssembledImage out;
    for (const auto& source : request.layers) {
        LayerOptions options;
        options.path_in_image = source.path_in_image;
        options.compression = request.compression;
        options.threads = request.threads;
        options.mtime_epoch = settings.created_epoch;
        auto layer = make_layer(target, source.source_dir, options);
        if (!layer) {
            return std::move(layer).error().with_context(
                fmt::format("making the layer of `{}`", source.source_dir));
        }
        manifest.layers.push_back(layer->descriptor);
        config.diff_ids.push_back(layer->diff_id);
        HistoryEntry entry;
        entry.created = created;
        entry.created_by = source.created_by.empty()
                               ? fmt::format("envsmith layer /{}", source.path_in_image)
                               : source.created_by;
        entry.author = settings.author;
        config.history.push_back(std::move(entry));
        out.new_layers.push_back(std::move(layer).value());
    }

    auto config_descriptor = target.write_blob(media_type::oci_config, to_json(config));
    if (!config_descriptor) {
        return std::move(config_descriptor).error();
    }
    manifest.media_type = std::string(media_type::oci_manifest);
    manifest.config = *config_descriptor;
    auto manifest_descriptor = target.add_manifest(manifest, request.tag);
    if (!manifest_descriptor) {
        return std::move(manifest_descriptor).error();
    }
    out.manifest = std::move(manifest_descriptor).value();
    out.config = std::move(config_descriptor).value();
    out.manifest_value = std::move(manifest);
    out.config_value = std::move(config);
    return out;
}

}  // namespace envsmith::image
