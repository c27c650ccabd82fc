#pragma once
// zstd and bzip2 decoding of downloaded repodata and shards, with a cap on the output size so
// that a small hostile file cannot expand into all of memory (a decompression bomb).

#include <cstdint>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::index::detail {

enum class Compression : std::uint8_t { none, zstd, bzip2 };

/// Decodes a whole zstd (possibly several frames) or bzip2 stream, streaming, so memory grows
/// with the output only. `source` names the input in errors (a redacted URL or a path).
///
/// Fails with `index.decompress.too_large` (invalid_input; args `source`, `limit_bytes`) as
/// soon as the output would exceed `max_output_bytes`, and with `index.decompress.invalid`
/// (invalid_input; args `source`, `format`, `detail`) for a corrupt or truncated stream.
/// `Compression::none` returns the input as it is (still subject to the cap).
[[nodiscard]] core::Result<std::string> decompress(std::string_view input, Compression format,
                                                   std::uint64_t max_output_bytes,
                                                   std::string_view source);

/// The same, taking the input: `Compression::none` moves it instead of copying.
[[nodiscard]] core::Result<std::string> decompress(std::string&& input, Compression format,
                                                   std::uint64_t max_output_bytes,
                                                   std::string_view source);

[[nodiscard]] std::string_view format_name(Compression format) noexcept;

}  // namespace envsmith::index::detail
