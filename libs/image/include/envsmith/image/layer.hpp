#pragma once
// Image layers from a directory tree: a deterministic tar stream (archive::write_tree) is
// hashed (the diff_id), compressed and hashed again (the blob digest) while it is written, in
// one pass, straight into a layout's blob directory.

#include <cstdint>
#include <string>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"
#include "envsmith/image/layout.hpp"

namespace envsmith::image {

enum class Compression : std::uint8_t { gzip, zstd, none };

/// The OCI layer media type of a compression.
[[nodiscard]] std::string_view layer_media_type(Compression compression) noexcept;

struct LayerOptions {
    /// Where the directory goes in the image, e.g. "opt/envsmith/envs/demo"; its parents are
    /// written as directory entries. Empty: the directory is the image root.
    std::string path_in_image;
    Compression compression = Compression::gzip;
    /// Compression threads (0: the number of cores). The output does not depend on it: gzip
    /// compresses fixed-size chunks of the tar as separate gzip members (a multi-member gzip
    /// file is one valid gzip stream) and zstd always runs libzstd's multithreaded mode, whose
    /// output does not depend on the number of workers.
    unsigned threads = 0;
    /// The mtime of every entry (SOURCE_DATE_EPOCH when the caller has one).
    std::int64_t mtime_epoch = 0;
    /// libdeflate levels 1..12. 4: on ~100 MB of Python files, 31.2 MB in 1.1 s of CPU against
    /// level 6's 30.2 MB in 1.4 s (docs/image.md); both smaller than umoci's gzip.
    int gzip_level = 4;
    int zstd_level = 3;
};

struct Layer {
    Descriptor descriptor;  // the compressed blob: media type, digest, size
    core::Digest diff_id;   // sha256 of the uncompressed tar
    std::uint64_t tar_bytes = 0;
    std::uint64_t entries = 0;
};

/// Writes the layer of `source_dir` into `layout` as a blob and describes it. Errors: those of
/// archive::write_tree, `image.layout.io`, `image.compress` (internal; arg `detail`).
[[nodiscard]] core::Result<Layer> make_layer(Layout& layout, const std::string& source_dir,
                                             const LayerOptions& options);

/// The same, written to any file (created or truncated) instead of a layout.
[[nodiscard]] core::Result<Layer> make_layer_file(const std::string& source_dir,
                                                  const LayerOptions& options,
                                                  const std::string& output_path);

}  // namespace envsmith::image
