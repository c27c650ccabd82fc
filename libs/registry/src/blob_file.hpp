#pragma once
// Blob files on disk, read for an upload without holding them in memory.

#include <cstdint>
#include <string>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"

namespace envsmith::registry::detail {

/// The size of the file of blob `digest`. Fails with `registry.blob_unreadable`.
[[nodiscard]] core::Result<std::uint64_t> file_size(const std::string& path,
                                                    const std::string& digest);

/// The sha256 of the file of blob `digest`, read in 1 MiB pieces. Fails with
/// `registry.blob_unreadable`.
[[nodiscard]] core::Result<core::Digest> sha256_of_file(const std::string& path,
                                                        const std::string& digest);

}  // namespace envsmith::registry::detail
