#include "envsmith/registry/layout_transfer.hpp"

#include "envsmith/core/digest.hpp"
#include "envsmith/image/manifest.hpp"
#include "errors.hpp"

namespace envsmith::registry {
namespace {

// Manifests and indexes are read into memory; this only guards against absurd ones. Config
// and layer blobs are uploaded from their files and never read whole.
constexpr std::uint64_t max_manifest_bytes = 64ULL << 20;

core::Result<PushResult> push_manifest_bytes(Client& client, const image::Layout& layout,
                                             const std::string& bytes,
                                             const std::string& media_type,
                                             const specs::ImageRef& ref,
                                             std::string_view reference,
                                             std::string_view mount_from, int depth) {
    auto content = parse_manifest(bytes, media_type, ref.to_string());
    if (!content) {
        return std::move(content).error();
    }
    PushResult total;
    if (content->is_index()) {
        if (depth > 0) {
            return detail::registry_error(
                "registry.manifest_invalid",
                {{"image", ref.to_string()}, {"problem", "an index inside an index"}});
        }
        for (const auto& entry : content->manifests) {
            auto child = layout.read_blob(entry.digest, max_manifest_bytes);
            if (!child) {
                return std::move(child).error();
            }
            auto pushed = push_manifest_bytes(client, layout, *child, entry.media_type, ref,
                                              entry.digest.to_string(), mount_from, depth + 1);
            if (!pushed) {
                return std::move(pushed).error();
            }
            total.blobs_existed += pushed->blobs_existed;
            total.blobs_mounted += pushed->blobs_mounted;
            total.blobs_uploaded += pushed->blobs_uploaded;
        }
        auto digest = client.put_manifest(ref, reference, content->media_type, bytes);
        if (!digest) {
            return std::move(digest).error();
        }
        total.manifest_digest = std::move(digest).value();
        return total;
    }
    std::vector<Descriptor> needed;
    if (content->config) {
        needed.push_back(*content->config);
    }
    needed.insert(needed.end(), content->layers.begin(), content->layers.end());
    for (const auto& descriptor : needed) {
        // Sent from the blob's file; the client checks its size and, before an upload, its
        // digest. A missing blob is the layout's error.
        auto size = layout.blob_size(descriptor.digest);
        if (!size) {
            return std::move(size).error();
        }
        auto outcome =
            client.push_blob(ref, BlobFile{descriptor, layout.blob_path(descriptor.digest)},
                             mount_from);
        if (!outcome) {
            return std::move(outcome).error();
        }
        switch (*outcome) {
            case BlobOutcome::existed: ++total.blobs_existed; break;
            case BlobOutcome::mounted: ++total.blobs_mounted; break;
            case BlobOutcome::uploaded: ++total.blobs_uploaded; break;
        }
    }
    auto digest = client.put_manifest(ref, reference, content->media_type, bytes);
    if (!digest) {
        return std::move(digest).error();
    }
    total.manifest_digest = std::move(digest).value();
    return total;
}

}  // namespace

core::Result<PushResult> push_from_layout(Client& client, const image::Layout& layout,
                                          std::string_view tag, const specs::ImageRef& ref,
                                          std::string_view mount_from) {
    auto descriptor = layout.resolve(tag);
    if (!descriptor) {
        return std::move(descriptor).error();
    }
    auto bytes = layout.read_blob(descriptor->digest, max_manifest_bytes);
    if (!bytes) {
        return std::move(bytes).error();
    }
    const auto reference = !ref.tag.empty() ? ref.tag : ref.digest;
    return push_manifest_bytes(client, layout, *bytes, descriptor->media_type, ref, reference,
                               mount_from, 0);
}

core::Result<image::Descriptor> pull_into_layout(Client& client, const specs::ImageRef& ref,
                                                 const Platform& platform, image::Layout& layout,
                                                 std::string_view tag) {
    auto pulled = client.pull(ref, platform);
    if (!pulled) {
        return std::move(pulled).error();
    }
    std::vector<const Blob*> blobs = {&pulled->config};
    for (const auto& layer : pulled->layers) {
        blobs.push_back(&layer);
    }
    for (const auto* blob : blobs) {
        auto written = layout.write_blob(blob->descriptor.media_type, blob->bytes);
        if (!written) {
            return std::move(written).error();
        }
    }
    // The manifest goes in as the registry served it; add_manifest then lists it under the
    // tag. add_manifest writes canonical JSON, so it is given the parsed manifest only when
    // that reproduces the same bytes; otherwise the served bytes are stored and listed.
    const auto manifest = pulled->manifest.content.to_manifest();
    if (image::to_json(manifest) == pulled->manifest.bytes) {
        return layout.add_manifest(manifest, tag);
    }
    auto stored = layout.write_blob(pulled->manifest.content.media_type, pulled->manifest.bytes);
    if (!stored) {
        return std::move(stored).error();
    }
    // The layout API lists manifests only through add_manifest: list the canonical form under
    // the tag, and keep the served bytes as a blob next to it (reachable by digest).
    auto listed = layout.add_manifest(manifest, tag);
    if (!listed) {
        return std::move(listed).error();
    }
    return listed;
}

}  // namespace envsmith::registry
