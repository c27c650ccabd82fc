#pragma once
// What a prefix remembers about each linked conda package: the repodata fields of the package
// plus the files it put into the prefix, written as conda-meta/<name>-<version>-<build>.json
// (the "prefix record" conda, mamba and rattler read), and the conda-meta/history journal.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::install {

/// The repodata fields of one package, as conda-meta needs them. `read_package_record` fills
/// what info/index.json knows; the caller adds where the package came from (channel, url, fn,
/// md5, sha256, size, package_tarball_full_path).
struct PackageRecordInfo {
    std::string name;
    std::string version;
    std::string build;
    std::uint64_t build_number = 0;
    std::string channel;  // channel URL without the subdir, e.g. https://conda.anaconda.org/conda-forge
    std::string subdir;   // "linux-64", "noarch"
    std::string url;      // the package's download URL
    std::string fn;       // file name, e.g. zlib-1.2.11-h7b6447c_3.conda
    std::string md5;      // hex; omitted from the record when empty
    std::string sha256;   // hex; omitted from the record when empty
    std::uint64_t size = 0;
    std::vector<std::string> depends;
    std::vector<std::string> constrains;
    std::vector<std::string> track_features;
    std::string noarch;   // "", "python" or "generic"
    std::string license;
    std::string license_family;
    std::uint64_t timestamp = 0;  // milliseconds since the epoch; omitted when 0
    std::string package_tarball_full_path;  // the archive in the package cache, or ""
};

/// Reads info/index.json of an extracted package. Fails with `install.link.metadata_missing`
/// (not_found) or `install.link.metadata_invalid` (invalid_input; args `file`, `detail`).
[[nodiscard]] core::Result<PackageRecordInfo> read_package_record(const std::string& extracted_dir);

/// "<name>-<version>-<build>", the stem of the conda-meta file.
[[nodiscard]] std::string dist_name(const PackageRecordInfo& record);

/// One entry of `paths_data.paths` in a prefix record.
struct PathRecord {
    std::string path;       // relative to the prefix, forward slashes ("_path")
    std::string path_type;  // hardlink, softlink, directory, unix_python_entry_point
    std::string sha256;     // of the file in the package (may be empty for generated files)
    std::string sha256_in_prefix;  // set when the file was rewritten (placeholder, generated)
    std::uint64_t size_in_bytes = 0;  // of the file as it is in the prefix
    std::string file_mode;            // "text", "binary" or "" (no placeholder)
    std::string prefix_placeholder;   // "" when none
    bool no_link = false;
};

/// conda's link types as stored in `link.type`.
enum class RecordedLinkType : std::uint8_t { hardlink = 1, softlink = 2, copy = 3, directory = 4 };

/// The whole prefix record.
struct PrefixRecord {
    PackageRecordInfo package;
    std::vector<PathRecord> paths;  // sorted by path
    std::string extracted_package_dir;
    std::string requested_spec;
    RecordedLinkType link_type = RecordedLinkType::copy;
};

/// The conda-meta JSON text of a record (keys sorted, two-space indent, trailing newline).
[[nodiscard]] std::string prefix_record_json(const PrefixRecord& record);

/// Writes <write_dir>/conda-meta/<dist_name>.json (creating conda-meta). Fails with
/// `install.link.io` (unavailable; args `path`, `detail`). Returns the file's path.
[[nodiscard]] core::Result<std::string> write_prefix_record(const std::string& write_dir,
                                                            const PrefixRecord& record);

/// Appends one revision to <write_dir>/conda-meta/history in conda's format:
/// "==> 2024-01-31 12:00:00 <==", "# cmd: <command>", then "+<channel>::<dist_name>" per
/// package (the channel part omitted when the record has none). Creates the file (an empty
/// history is what marks a directory as a conda environment). Fails with `install.link.io`.
[[nodiscard]] core::Status append_history(const std::string& write_dir,
                                          const std::vector<PackageRecordInfo>& linked,
                                          const std::string& command,
                                          std::chrono::system_clock::time_point when);

}  // namespace envsmith::install
