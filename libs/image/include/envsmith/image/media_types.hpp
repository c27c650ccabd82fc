#pragma once
// Media types of the OCI image specification (v1.1) and of Docker's image manifest schema 2.
// envsmith writes OCI types; it reads both (a base image may come from a Docker registry).

#include <string_view>

namespace envsmith::image::media_type {

inline constexpr std::string_view oci_manifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view oci_index = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view oci_config = "application/vnd.oci.image.config.v1+json";
inline constexpr std::string_view oci_layer_tar = "application/vnd.oci.image.layer.v1.tar";
inline constexpr std::string_view oci_layer_gzip = "application/vnd.oci.image.layer.v1.tar+gzip";
inline constexpr std::string_view oci_layer_zstd = "application/vnd.oci.image.layer.v1.tar+zstd";

inline constexpr std::string_view docker_manifest =
    "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view docker_manifest_list =
    "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view docker_config = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view docker_layer_gzip =
    "application/vnd.docker.image.rootfs.diff.tar.gzip";
inline constexpr std::string_view docker_foreign_layer_gzip =
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip";

/// True for the manifest types of both families (not indexes).
[[nodiscard]] constexpr bool is_manifest(std::string_view type) noexcept {
    return type == oci_manifest || type == docker_manifest;
}
/// True for OCI indexes and Docker manifest lists.
[[nodiscard]] constexpr bool is_index(std::string_view type) noexcept {
    return type == oci_index || type == docker_manifest_list;
}
/// The OCI type with the same bytes as a layer type (Docker's gzip layer is OCI's gzip layer);
/// other types are returned unchanged.
[[nodiscard]] constexpr std::string_view to_oci_layer(std::string_view type) noexcept {
    if (type == docker_layer_gzip) {
        return oci_layer_gzip;
    }
    return type;
}

}  // namespace envsmith::image::media_type
