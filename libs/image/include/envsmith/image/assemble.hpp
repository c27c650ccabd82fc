#pragma once
// Assembling an image: a base (scratch, or an image read from a layout), new layers made from
// directories, config settings -> manifest + config in a layout under a tag.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/image/config.hpp"
#include "envsmith/image/layer.hpp"
#include "envsmith/image/layout.hpp"
#include "envsmith/image/manifest.hpp"

namespace envsmith::image {

/// An image to build on: its manifest and config, and the layout holding its blobs.
struct BaseImage {
    std::string layout_dir;
    Manifest manifest;
    ImageConfig config;
};

/// Reads a base image from a layout by tag or digest (an index is followed to the manifest
/// for `platform`). Errors: those of Layout::open and Layout::read_manifest/read_config, and
/// `image.base.mismatch` (invalid_input; args `ref`, `layers`, `diff_ids`) when the manifest's
/// layer count differs from the config's diff_ids.
[[nodiscard]] core::Result<BaseImage> read_base_image(const std::string& layout_dir,
                                                      std::string_view tag_or_digest,
                                                      const std::optional<Platform>& platform = {});

/// A directory to add as one layer.
struct LayerSource {
    std::string source_dir;
    std::string path_in_image;
    std::string created_by;  // the history entry's created_by; empty: "envsmith layer <path>"
};

struct ImageSettings {
    std::optional<Platform> platform;  // empty: the base's, or amd64/linux for scratch
    /// KEY=value entries merged over the base's Env (merge_env), e.g. PATH and CONDA_PREFIX.
    std::vector<std::string> env;
    std::map<std::string, std::string> labels;  // merged over the base's labels
    std::optional<std::string> working_dir;
    std::optional<std::vector<std::string>> entrypoint;  // set: replaces the base's
    std::optional<std::vector<std::string>> cmd;         // set: replaces the base's
    std::optional<std::string> user;
    std::int64_t created_epoch = 0;  // config `created` and history times; mtimes of entries
    std::string author;
};

struct AssembleRequest {
    std::optional<BaseImage> base;  // empty: scratch
    std::vector<LayerSource> layers;
    ImageSettings settings;
    Compression compression = Compression::gzip;
    unsigned threads = 0;
    std::string tag;  // the ref.name annotation in the target layout
};

struct AssembledImage {
    Descriptor manifest;  // its digest is the image's digest
    Descriptor config;
    std::vector<Layer> new_layers;
    Manifest manifest_value;
    ImageConfig config_value;
};

/// Writes the base's blobs (copied when the base lives in another layout), the new layers,
/// the config and the manifest into `target`, and tags the manifest. The same request gives
/// the same manifest digest. Errors: those of make_layer and Layout, `image.tag.invalid`
/// (invalid_input; arg `tag`) for an empty tag or one with characters outside [A-Za-z0-9._:/-].
[[nodiscard]] core::Result<AssembledImage> assemble_image(Layout& target,
                                                          const AssembleRequest& request);

}  // namespace envsmith::image
