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
    auto resolved = client.resolve(ref, platform);
    if (!resolved) {
        return std::move(resolved).error();
    }
    const auto manifest = resolved->manifest.content.to_manifest();
    // Each blob is streamed into a temporary file of the layout and checked against its digest
    // on the way (a multi-GB layer never sits in memory; one that does not match is fetched
    // once more), then renamed into place; blobs the layout has already (a layer shared with
    // another base) are not fetched.
    std::vector<image::Descriptor> blobs = {manifest.config};
    blobs.insert(blobs.end(), manifest.layers.begin(), manifest.layers.end());
    for (const auto& descriptor : blobs) {
        if (layout.has_blob(descriptor.digest)) {
            continue;
        }
        auto temp = layout.temp_blob_path();
        if (!temp) {
            return std::move(temp).error();
        }
        const auto fetched = client.download_blob(ref, descriptor, *temp);
        if (!fetched) {
            return std::move(fetched).error();
        }
        if (auto committed = layout.commit_blob_file(*temp, descriptor.digest); !committed) {
            return std::move(committed).error();
        }
    }
    // The manifest is listed with the bytes the registry served, so its digest in the layout
    // is the registry's; the tag is written last, when every blob it names is there.
    return layout.add_manifest_bytes(resolved->manifest.content.media_type, resolved->manifest.bytes, tag);
}

}  // namespace envsmith::registry
