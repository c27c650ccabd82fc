#pragma once
// conda-lock's unified lock file, format version 1 (`conda-lock.yml`): the metadata of the
// lock (channels, target platforms, the hash of the inputs per platform, the source files)
// and one entry per locked package and platform, each with its download URL and hash. Text
// in, values out: the caller reads and writes the file. docs/lockfiles.md has the rules.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// Who installs a locked package. `conda` sorts before `pip`, as in the written file.
enum class LockManager : std::uint8_t { conda, pip };

/// "conda" or "pip".
[[nodiscard]] std::string_view to_string(LockManager manager) noexcept;

/// A channel the lock was solved against: its URL or name as written, and the names of the
/// environment variables its URL refers to (for credentials, `${USER}` and the like).
struct LockChannel {
    std::string url;
    std::vector<std::string> used_env_vars;

    friend bool operator==(const LockChannel&, const LockChannel&) = default;
};

/// `metadata.time_metadata`.
struct LockTimeMetadata {
    std::string created_at;  // as written, e.g. "2024-01-31T12:00:00Z"

    friend bool operator==(const LockTimeMetadata&, const LockTimeMetadata&) = default;
};

/// `metadata.git_metadata`: each field is absent unless conda-lock was asked to record it.
struct LockGitMetadata {
    std::optional<std::string> git_user_name;
    std::optional<std::string> git_user_email;
    std::optional<std::string> git_sha;

    friend bool operator==(const LockGitMetadata&, const LockGitMetadata&) = default;
};

/// One entry of `metadata.inputs_metadata`: the checksums of an input file.
struct LockInputMetadata {
    std::optional<std::string> md5;
    std::optional<std::string> sha256;

    friend bool operator==(const LockInputMetadata&, const LockInputMetadata&) = default;
};

struct LockMetadata {
    std::map<std::string, std::string> content_hash;  // platform -> hash of the inputs
    std::vector<LockChannel> channels;                // in priority order
    std::vector<std::string> platforms;               // as written
    std::vector<std::string> sources;                 // input files, relative to the lock
    std::optional<LockTimeMetadata> time_metadata;
    std::optional<LockGitMetadata> git_metadata;
    std::optional<std::map<std::string, LockInputMetadata>> inputs_metadata;  // file -> sums
    std::optional<std::map<std::string, std::string>> custom_metadata;

    friend bool operator==(const LockMetadata&, const LockMetadata&) = default;
};

/// One locked package for one platform. Hashes are kept as written (hex digits).
struct LockedPackage {
    std::string name;
    std::string version;
    LockManager manager = LockManager::conda;
    std::string platform;
    std::map<std::string, std::string> dependencies;  // name -> version spec
    std::map<std::string, std::string> constrains;    // name -> spec; rarely present
    std::string url;
    std::optional<std::string> md5;
    std::optional<std::string> sha256;
    std::optional<std::string> source_url;  // `source: {type: url, url: ...}` (pip sdists)
    std::optional<std::string> build;       // the build string, when written
    std::string category = "main";          // "main" when absent
    bool optional = false;                  // when absent: `category != "main"`

    friend bool operator==(const LockedPackage&, const LockedPackage&) = default;
    /// Member by member; `canonical_less` below is the order the writer uses.
    friend auto operator<=>(const LockedPackage&, const LockedPackage&) = default;
};

/// The writer's order: platform, manager (conda first), name, then every other field, so that
/// two different packages never tie.
[[nodiscard]] bool canonical_less(const LockedPackage& a, const LockedPackage& b);

struct CondaLock {
    LockMetadata metadata;
    std::vector<LockedPackage> packages;  // in file order
    /// Keys this reader does not know (`spec.conda_lock.unknown_key`), each with its
    /// location. They are ignored and not written back.
    std::vector<core::Error> warnings;

    /// Reads the text of a `version: 1` conda-lock file; `source` names it in locations.
    ///
    /// Every failure is `invalid_input`, located at file:line:col, with the named arguments
    /// `source`, `line` and `column`: YAML syntax (`yaml.syntax`), no document
    /// (`spec.conda_lock.empty`), a document that is not a mapping (`.not_mapping`), a
    /// duplicate or non-string key (`.duplicate_key`, `.bad_key`), a missing or unsupported
    /// `version` (`.no_version`, `.version`), a value of the wrong type (`.type`), a missing
    /// required key (`.missing_key`), an empty required value (`.empty_value`), a manager other
    /// than conda or pip (`.manager`), a package without `md5` and `sha256` (`.no_hash`), a
    /// hash that is not hex of the right length (`.bad_hash`), and a package whose platform is
    /// not in `metadata.platforms` (`.platform`).
    [[nodiscard]] static core::Result<CondaLock> parse(std::string_view text,
                                                       std::string_view source);

    /// Same metadata and the same packages in any order (the writer sorts them); warnings
    /// are not compared.
    friend bool operator==(const CondaLock& a, const CondaLock& b);
};

/// The lock as conda-lock writes it: keys `version`, `metadata`, `package` in that order,
/// packages in `canonical_less` order, dependencies by name, block style with two-space
/// indents, and double quotes around any scalar a YAML reader could take for something other
/// than a string. The same value always gives the same bytes, and `CondaLock::parse` of the
/// result equals the value.
[[nodiscard]] std::string to_yaml(const CondaLock& lock);

/// The packages locked for `platform`, in file order (pointers into `lock`).
[[nodiscard]] std::vector<const LockedPackage*> packages_for(const CondaLock& lock,
                                                             std::string_view platform);

}  // namespace envsmith::specs
