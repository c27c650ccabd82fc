#pragma once
// An OCI image layout on disk (image-spec image-layout.md): `oci-layout`, `index.json` and
// content-addressed blobs under `blobs/sha256/`. Blobs are written to a temporary file in the
// blob directory and renamed into place, so a reader never sees a partial blob; a blob already
// present is not written again. index.json is replaced the same way. One process at a time
// may change a layout (there is no lock).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/image/config.hpp"
#include "envsmith/image/descriptor.hpp"
#include "envsmith/image/manifest.hpp"

namespace envsmith::image {

class Layout {
public:
    /// Opens the layout at `dir`, creating the directory, `oci-layout`, an empty index.json and
    /// `blobs/sha256/` when missing. Fails with `image.layout.io` (unavailable; args `path`,
    /// `detail`) or `image.layout.invalid` (invalid_input; args `path`, `detail`) when the
    /// directory holds something that is not a layout.
    [[nodiscard]] static core::Result<Layout> open_or_create(const std::string& dir);
    /// Opens an existing layout. Fails with `image.layout.missing` (not_found; arg `path`),
    /// `image.layout.invalid`.
    [[nodiscard]] static core::Result<Layout> open(const std::string& dir);

    [[nodiscard]] const std::string& dir() const noexcept { return m_dir; }
    /// The path of a blob, whether or not it exists.
    [[nodiscard]] std::string blob_path(const core::Digest& digest) const;
    [[nodiscard]] bool has_blob(const core::Digest& digest) const;
    /// The size of a present blob, for a reader that streams blob_path() instead of calling
    /// read_blob (an upload of a large layer). The digest is not checked. Fails with
    /// `image.blob.missing` (not_found; args `digest`, `layout`).
    [[nodiscard]] core::Result<std::uint64_t> blob_size(const core::Digest& digest) const;

    /// Stores bytes as a blob (skipped when present) and describes it with `media_type`.
    [[nodiscard]] core::Result<Descriptor> write_blob(std::string_view media_type,
                                                      std::string_view bytes);
    /// A new temporary file inside the blob directory, for a blob whose digest is known only
    /// after writing it; hand it to commit_blob_file or remove it.
    [[nodiscard]] core::Result<std::string> temp_blob_path();
    /// Renames a finished temporary file to the blob of `digest` (or removes it when that blob
    /// exists already). The caller computed `digest` over the file's bytes.
    [[nodiscard]] core::Status commit_blob_file(const std::string& temp_path,
                                                const core::Digest& digest);
    /// Copies a blob from another layout (skipped when present).
    [[nodiscard]] core::Status copy_blob_from(const Layout& other, const core::Digest& digest);

    /// Reads a blob, refusing blobs larger than `max_bytes` and checking the digest. Fails with
    /// `image.blob.missing` (not_found; arg `digest`), `image.blob.too_large` (invalid_input;
    /// args `digest`, `max_bytes`), `image.blob.digest_mismatch` (invalid_input; args `digest`,
    /// `actual`), `image.layout.io`.
    [[nodiscard]] core::Result<std::string> read_blob(const core::Digest& digest,
                                                      std::uint64_t max_bytes = 64ULL << 20) const;

    /// The current index.json. Fails with `image.layout.io`, `image.json.invalid`.
    [[nodiscard]] core::Result<ImageIndex> read_index() const;
    /// Stores the manifest as a blob and lists it in index.json under `tag` (the
    /// org.opencontainers.image.ref.name annotation), replacing any entry with that tag.
    /// Returns the manifest's descriptor.
    [[nodiscard]] core::Result<Descriptor> add_manifest(const Manifest& manifest,
                                                        std::string_view tag);
    /// The same for a manifest whose bytes must be kept as they are (one pulled from a
    /// registry: its digest is the registry's). The bytes must parse as an image manifest
    /// (`image.json.invalid` otherwise); `media_type` empty: the document's.
    [[nodiscard]] core::Result<Descriptor> add_manifest_bytes(std::string_view media_type,
                                                              std::string_view bytes,
                                                              std::string_view tag);
    /// The index.json entry of a tag, or of a digest ("sha256:..." as listed in index.json or
    /// present as a blob). Fails with `image.ref.not_found` (not_found; args `ref`, `layout`).
    [[nodiscard]] core::Result<Descriptor> resolve(std::string_view tag_or_digest) const;
    /// The manifest named by a tag or digest. An index found there is followed to its first
    /// manifest for `platform` (or its first manifest when `platform` is empty).
    [[nodiscard]] core::Result<Manifest> read_manifest(
        std::string_view tag_or_digest, const std::optional<Platform>& platform = {}) const;
    /// The config blob a manifest names.
    [[nodiscard]] core::Result<ImageConfig> read_config(const Manifest& manifest) const;
    /// The tags listed in index.json, in index order.
    [[nodiscard]] core::Result<std::vector<std::string>> tags() const;

private:
    explicit Layout(std::string dir) : m_dir(std::move(dir)) {}
    core::Status write_index(const ImageIndex& index);
    core::Status list_under_tag(const Descriptor& descriptor, std::string_view tag);

    std::string m_dir;
};

}  // namespace envsmith::image
