#pragma once
// Content descriptors (OCI image spec, descriptor.md): what a manifest, an index or a layout's
// index.json says about a blob.

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "envsmith/core/digest.hpp"

namespace envsmith::image {

/// The annotation that names a manifest in a layout's index.json (a "tag").
inline constexpr std::string_view ref_name_annotation = "org.opencontainers.image.ref.name";

/// The platform an image runs on (GOARCH/GOOS names: "amd64", "arm64"; "linux").
struct Platform {
    std::string architecture = "amd64";
    std::string os = "linux";
    std::string variant;  // "v8" for arm64, empty when none

    friend bool operator==(const Platform&, const Platform&) = default;
};

struct Descriptor {
    std::string media_type;
    core::Digest digest;
    std::uint64_t size = 0;
    std::map<std::string, std::string> annotations;  // empty: not written
    std::optional<Platform> platform;                // in indexes only

    friend bool operator==(const Descriptor&, const Descriptor&) = default;
};

}  // namespace envsmith::image
