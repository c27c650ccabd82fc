#pragma once
// The manifest documents of the OCI image spec and Docker's schema 2, as far as a registry
// client needs them: descriptors, platforms, image manifests and indexes (manifest lists).
//
// The image layer owns building images; these types are the registry's view of the JSON it
// sends and receives (they were written before libs/image had its own descriptor types).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::registry {

namespace media_type {
inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
}  // namespace media_type

/// An index or manifest list.
[[nodiscard]] bool is_index_type(std::string_view media_type) noexcept;
/// An OCI image manifest or a Docker schema 2 manifest.
[[nodiscard]] bool is_image_manifest_type(std::string_view media_type) noexcept;
/// The `Accept` value for manifest GETs: the OCI manifest and index and the Docker schema 2
/// manifest and list. docker-registry 2.8 answers 404 to a GET of an OCI manifest unless
/// `Accept` names the OCI type, even by digest.
[[nodiscard]] std::string manifest_accept_header();

/// os/architecture/variant of an image, as in an index entry's `platform`.
struct Platform {
    std::string os = "linux";
    std::string architecture = "amd64";
    std::string variant;  // "v8" for arm64, "v7" for arm; empty when none

    /// Parses "os/arch" or "os/arch/variant". Fails with `registry.platform_invalid`.
    [[nodiscard]] static core::Result<Platform> parse(std::string_view text);
    /// "linux/amd64", "linux/arm64/v8".
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Platform&, const Platform&) = default;
};

/// Whether an index entry's platform `offered` serves a request for `wanted`: same os and
/// architecture; a wanted variant must match (arm64's "v8" and no variant are the same).
[[nodiscard]] bool platform_matches(const Platform& offered, const Platform& wanted) noexcept;

struct Descriptor {
    std::string media_type;
    std::string digest;  // "sha256:<hex>"
    std::uint64_t size = 0;
    std::optional<Platform> platform;  // index entries only
};

/// A manifest or an index, parsed.
struct ManifestContent {
    std::string media_type;                // from the document, else from the Content-Type
    std::optional<Descriptor> config;      // image manifests
    std::vector<Descriptor> layers;        // image manifests
    std::vector<Descriptor> manifests;     // indexes

    [[nodiscard]] bool is_index() const noexcept { return is_index_type(media_type); }
};

/// Parses a manifest or index document. `content_type` is the HTTP Content-Type, used when
/// the document has no `mediaType` (OCI makes it optional). Fails with
/// `registry.manifest_invalid` (arg `image` = `source`).
[[nodiscard]] core::Result<ManifestContent> parse_manifest(std::string_view bytes,
                                                           std::string_view content_type,
                                                           std::string_view source);

/// The index entry for `wanted`, or `registry.platform_unknown` listing what the index has.
[[nodiscard]] core::Result<Descriptor> select_platform(const ManifestContent& index,
                                                       const Platform& wanted,
                                                       std::string_view image);

}  // namespace envsmith::registry
