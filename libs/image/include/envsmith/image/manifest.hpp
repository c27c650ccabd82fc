#pragma once
// Image manifests and image indexes, written as canonical JSON (keys sorted, no whitespace,
// empty optional fields left out) so the same content always has the same digest.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"
#include "envsmith/image/media_types.hpp"

namespace envsmith::image {

/// An OCI image manifest (or, when read, a Docker schema 2 manifest: same shape).
struct Manifest {
    std::string media_type{media_type::oci_manifest};
    Descriptor config;
    std::vector<Descriptor> layers;
    std::map<std::string, std::string> annotations;

    friend bool operator==(const Manifest&, const Manifest&) = default;
};

/// An OCI image index (or a Docker manifest list when read); also the shape of index.json.
struct ImageIndex {
    std::string media_type{media_type::oci_index};
    std::vector<Descriptor> manifests;
    std::map<std::string, std::string> annotations;

    friend bool operator==(const ImageIndex&, const ImageIndex&) = default;
};

/// Canonical JSON: {"annotations"?,"config","layers","mediaType","schemaVersion":2}.
[[nodiscard]] std::string to_json(const Manifest& manifest);
[[nodiscard]] std::string to_json(const ImageIndex& index);

/// Parses a manifest of either family. A missing mediaType is taken as OCI. Fails with
/// `image.json.invalid` (invalid_input; args `what`, `detail`) for JSON that is not a
/// schemaVersion 2 manifest with valid descriptors.
[[nodiscard]] core::Result<Manifest> parse_manifest(std::string_view json);
/// Parses an index or manifest list; same errors as parse_manifest.
[[nodiscard]] core::Result<ImageIndex> parse_index(std::string_view json);

/// A descriptor of some JSON bytes: their sha256, their size and the given media type.
[[nodiscard]] Descriptor describe_bytes(std::string_view media_type, std::string_view bytes);

}  // namespace envsmith::image
