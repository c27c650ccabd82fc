#pragma once
// The manifest documents of the OCI image spec and Docker's schema 2 as a registry client sees
// them: a manifest or an index (manifest list) fetched with its Content-Type, and platform
// selection in an index. The types are libs/image's (image::Descriptor, image::Platform,
// image::media_type), and so is the JSON parsing: image::parse_manifest / parse_index.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"
#include "envsmith/image/manifest.hpp"
#include "envsmith/image/media_types.hpp"

namespace envsmith::registry {

namespace media_type = image::media_type;

using Platform = image::Platform;
using Descriptor = image::Descriptor;

/// An index or manifest list.
[[nodiscard]] inline bool is_index_type(std::string_view type) noexcept {
    return media_type::is_index(type);
}
/// An OCI image manifest or a Docker schema 2 manifest.
[[nodiscard]] inline bool is_image_manifest_type(std::string_view type) noexcept {
    return media_type::is_manifest(type);
}
/// The `Accept` value for manifest GETs: the OCI manifest and index and the Docker schema 2
/// manifest and list. docker-registry 2.8 answers 404 to a GET of an OCI manifest unless
/// `Accept` names the OCI type, even by digest.
[[nodiscard]] std::string manifest_accept_header();

/// Parses "os/arch" or "os/arch/variant" (lower-cased). Fails with `registry.platform_invalid`.
[[nodiscard]] core::Result<Platform> parse_platform(std::string_view text);
/// "linux/amd64", "linux/arm64/v8".
[[nodiscard]] std::string to_string(const Platform& platform);

/// Whether an index entry's platform `offered` serves a request for `wanted`: same os and
/// architecture; a wanted variant must match (arm64's "v8" and no variant are the same).
[[nodiscard]] bool platform_matches(const Platform& offered, const Platform& wanted) noexcept;

/// A manifest or an index, parsed.
struct ManifestContent {
    std::string media_type;                          // from the document, else the Content-Type
    std::optional<Descriptor> config;                // image manifests
    std::vector<Descriptor> layers;                  // image manifests
    std::vector<Descriptor> manifests;               // indexes
    std::map<std::string, std::string> annotations;  // of the document

    [[nodiscard]] bool is_index() const noexcept { return is_index_type(media_type); }
    /// The image manifest (config, layers, annotations, media type); for image manifests.
    [[nodiscard]] image::Manifest to_manifest() const;
};

/// Parses a manifest or index document with image::parse_manifest or image::parse_index.
/// `content_type` is the HTTP Content-Type, used when the document has no `mediaType` (OCI
/// makes it optional; then an index is told by its `manifests`). Fails with
/// `registry.manifest_invalid` (arg `image` = `source`, `problem` = the parser's detail).
[[nodiscard]] core::Result<ManifestContent> parse_manifest(std::string_view bytes,
                                                           std::string_view content_type,
                                                           std::string_view source);

/// The index entry for `wanted`, or `registry.platform_unknown` listing what the index has.
[[nodiscard]] core::Result<Descriptor> select_platform(const ManifestContent& index,
                                                       const Platform& wanted,
                                                       std::string_view image);

}  // namespace envsmith::registry
