#pragma once
// Between an OCI image layout on disk (libs/image) and a registry.

#include <string_view>

#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"
#include "envsmith/image/layout.hpp"
#include "envsmith/registry/client.hpp"
#include "envsmith/specs/image_ref.hpp"

namespace envsmith::registry {

/// Pushes the image that `tag` (or a digest) names in `layout` to `ref` (its tag, else its
/// digest), with the manifest bytes exactly as stored: the registry's digest equals the
/// layout's. An index is pushed with every manifest it lists (each by digest), then the
/// index. Blobs the registry has are skipped, `mount_from` is tried first. Fails with the
/// layout's `image.*` errors or the client's `registry.*` errors.
[[nodiscard]] core::Result<PushResult> push_from_layout(Client& client, const image::Layout& layout,
                                                        std::string_view tag,
                                                        const specs::ImageRef& ref,
                                                        std::string_view mount_from = {});

/// Pulls `ref` for `platform` into `layout` under `tag`: the blobs (each verified, one at a
/// time, skipped when the layout has it), then the manifest with the exact bytes the registry
/// served, so the layout's manifest digest is the registry's. The tag is written last.
/// Returns the manifest's descriptor in the layout.
[[nodiscard]] core::Result<image::Descriptor> pull_into_layout(Client& client,
                                                               const specs::ImageRef& ref,
                                                               const Platform& platform,
                                                               image::Layout& layout,
                                                               std::string_view tag);

}  // namespace envsmith::registry
