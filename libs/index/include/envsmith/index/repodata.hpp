#pragma once
// One subdir of one conda channel, parsed into a compact, read-only index: records with
// their strings in one arena, grouped by package name. Built from repodata.json (any
// `repodata_version`) by `Repodata::parse`, or record by record (CEP-16 shards) through
// `RepodataBuilder`. Moving a Repodata keeps every string_view it handed out valid.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/match_spec.hpp"

namespace envsmith::index {

/// A package record. Every view points into the owning Repodata and lives as long as it.
struct CondaRecord {
    std::string_view name;
    std::string_view version;  // as written in the repodata
    std::string_view build;
    std::uint64_t build_number = 0;
    std::string_view fn;      // the file name: the key under `packages` or `packages.conda`
    std::string_view subdir;  // the record's own `subdir`, or the repodata's when absent
    std::string_view md5;     // lowercase hex, or empty
    std::string_view sha256;  // lowercase hex, or empty
    std::string_view license;
    std::string_view noarch;  // "", "python" or "generic" (`noarch: true` reads as "generic")
    std::uint64_t size = 0;
    std::uint64_t timestamp = 0;  // milliseconds since the epoch (seconds are scaled); 0: unknown
    std::span<const std::string_view> depends;
    std::span<const std::string_view> constrains;
    std::span<const std::string_view> track_features;  // a comma/space list, split
};

struct RepodataInfo {
    std::string subdir;    // `info.subdir`, or the subdir asked for when absent
    std::string base_url;  // `info.base_url` (repodata_version 2), resolved; or empty
    std::uint32_t repodata_version = 1;
};

struct ParseOptions {
    /// Shown in errors ("https://.../linux-64/repodata.json" or a file path).
    std::string source;
    /// The subdir this repodata was fetched for; used when `info.subdir` is absent.
    std::string subdir;
    /// The URL of the subdir folder (ending in '/'); relative `base_url`s resolve against it
    /// and records without `base_url` are downloaded from it.
    std::string subdir_url;
};

class Repodata;

/// Builds a Repodata from records one at a time (CEP-16 shards, tests). Strings are copied
/// and interned (equal names, versions, licenses, subdirs and depends entries share one copy).
/// The same rules as `Repodata::parse` apply: a timestamp in seconds is scaled to ms, a
/// record without `subdir` gets `info.subdir`, `info.base_url` is resolved against
/// `subdir_url`, and a `.tar.bz2` with a `.conda` twin is dropped.
class RepodataBuilder {
public:
    explicit RepodataBuilder(RepodataInfo info, std::string subdir_url = {});
    ~RepodataBuilder();
    RepodataBuilder(RepodataBuilder&&) noexcept;
    RepodataBuilder& operator=(RepodataBuilder&&) noexcept;

    /// Copies `record` (its strings and lists) into the repodata being built.
    void add(const CondaRecord& record);
    /// A file name listed under `removed`.
    void add_removed(std::string_view fn);
    /// Applies the `.conda` preference (see Repodata::parse) and groups records by name.
    /// The builder is empty afterwards (only destruction or assignment are allowed).
    [[nodiscard]] Repodata finish() &&;

private:
    friend class Repodata;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

class Repodata {
public:
    /// Spare capacity `parse` wants after the JSON text (the reader looks up to this many
    /// bytes past the end, and wants them zero). Give a string with `capacity() >= size() + json_padding` and the
    /// bytes are used in place; otherwise they are copied once into a larger buffer.
    static constexpr std::size_t json_padding = 64;

    /// An empty repodata (a channel that has no such subdir). A moved-from Repodata may only
    /// be assigned to or destroyed.
    Repodata();
    ~Repodata();
    Repodata(Repodata&&) noexcept;
    Repodata& operator=(Repodata&&) noexcept;

    /// Parses repodata.json. Takes the bytes (the views point into them where no unescaping
    /// is needed). Reads `info`, `packages`, `packages.conda`, `removed`,
    /// `repodata_version`. When `x.tar.bz2` and `x.conda` both exist, only the `.conda`
    /// record is kept. Fails with `index.repodata.invalid` (ErrorCode::invalid_input, args
    /// `source`, `offset`, and `fn` for a record) naming the source and the byte offset for
    /// malformed JSON, a record without name/version/build, or a known field of the wrong
    /// type (`null` always reads as absent), or a text that is not UTF-8. The whole text must
    /// be JSON (RFC 8259): values under keys envsmith does not read are checked as they are
    /// passed over. One pass, no buffers besides the result: a process parsing many subdirs
    /// needs nothing kept between calls.
    [[nodiscard]] static core::Result<Repodata> parse(std::string json,
                                                      const ParseOptions& options);

    [[nodiscard]] const RepodataInfo& info() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept;
    [[nodiscard]] std::span<const CondaRecord> records() const noexcept;
    /// The indices into `records()` of every record named `name` (exact, normalised
    /// lowercase), in file order; empty when none.
    [[nodiscard]] std::span<const std::uint32_t> by_name(std::string_view name) const noexcept;
    /// Every package name, sorted (on the first call; safe from several threads).
    [[nodiscard]] std::span<const std::string_view> names() const;
    /// File names listed under `removed`.
    [[nodiscard]] std::span<const std::string_view> removed() const noexcept;
    /// Where to download `record` from: base_url (or the subdir URL) + fn.
    [[nodiscard]] std::string url_of(const CondaRecord& record) const;

private:
    friend class RepodataBuilder;
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// A string of `size` zero bytes whose capacity also covers `Repodata::json_padding`: read a
/// repodata.json text into `data()` and give it to `parse`, which then uses it in place. On
/// Linux, from 8 MB, its memory is marked for transparent huge pages and mapped before it is
/// zeroed, in one call: filling a fresh 130 MB std::string took 0.7-1 s on the bench VM (a
/// page fault per 4 KiB), this buffer 30-60 ms (docs/repodata.md).
[[nodiscard]] std::string make_repodata_buffer(std::size_t size);

/// A full specs::PackageRecord for match-spec matching; `channel` is a name or URL. Returns
/// an error when the record's version does not parse as a conda version.
[[nodiscard]] core::Result<specs::PackageRecord> to_package_record(const Repodata& repodata,
                                                                   const CondaRecord& record,
                                                                   std::string_view channel);

}  // namespace envsmith::index
