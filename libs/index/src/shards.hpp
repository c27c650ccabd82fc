#pragma once
// CEP-16 sharded repodata: the shard index (`repodata_shards.msgpack.zst`) and the shards it
// names, each the records of one package name. Both are msgpack; this file decodes them.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/index/repodata.hpp"

namespace envsmith::index::detail {

/// The decoded shard index. URLs are resolved against the index's own URL.
struct ShardIndex {
    std::string subdir;
    /// Where packages are downloaded from (`info.base_url`), ending in '/'; empty when the
    /// index does not say (then: the subdir URL).
    std::string base_url;
    /// Where shards are (`info.shards_base_url`, else the index's folder), ending in '/'.
    std::string shards_base_url;
    /// Package name -> sha256 of the shard file (lowercase hex).
    std::map<std::string, std::string, std::less<>> shards;
};

/// `reference` resolved against the folder of `document_url` (RFC 3986 in the forms CEP-16
/// uses: absolute, host-relative `/x/`, relative `x/`, `./x/`, `../x/`), ending in '/'.
/// An empty reference gives the folder of `document_url`.
[[nodiscard]] std::string resolve_folder_url(std::string_view document_url,
                                             std::string_view reference);

/// Decodes a decompressed shard index. Fails with `index.shards.invalid` (invalid_input; args
/// `source`, `detail`). `index_url` is the URL the index was fetched from.
[[nodiscard]] core::Result<ShardIndex> parse_shard_index(std::string_view msgpack,
                                                         std::string_view index_url,
                                                         std::string_view source);

/// Adds the records (`packages`, `packages.conda`) and `removed` names of one decompressed
/// shard to `builder`. md5 and sha256 may be msgpack bin (real servers) or hex strings.
/// Fails with `index.shards.invalid` for a shard that is not a map of records or a record
/// without name, version or build.
[[nodiscard]] core::Status add_shard_records(std::string_view msgpack, RepodataBuilder& builder,
                                             std::string_view source);

/// The package names the records of one decompressed shard depend on: each `depends` entry
/// up to its first space, operator or `[`, without a `channel::` prefix, lowercased; sorted,
/// each once. Fails like `add_shard_records`.
[[nodiscard]] core::Result<std::vector<std::string>> dependency_names(std::string_view msgpack,
                                                                      std::string_view source);

/// The package name of one match spec as written in `depends` ("python >=3.8" -> "python").
[[nodiscard]] std::string dependency_name(std::string_view spec);

}  // namespace envsmith::index::detail
