#pragma once
// Linking an extracted conda package into a prefix: its files are hard-linked from the package
// directory where that is safe, copied where not, rewritten where they carry the build prefix;
// noarch python packages are placed into the target Python's site-packages and get their entry
// points; the prefix record is written to conda-meta.
//
// The prefix a package is linked for (`PrefixTarget::prefix_path`, what ends up inside files
// and shebangs) may differ from where the files are written (`PrefixTarget::write_dir`): an
// image's /opt/envsmith/envs/demo can be staged in a temporary directory of the host.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/install/prefix_placeholder.hpp"
#include "envsmith/install/prefix_record.hpp"

namespace envsmith::install {

// ---------------------------------------------------------------------------------------------
// What an extracted package says about its files

enum class PathType : std::uint8_t { hardlink, softlink, directory };

/// One entry of info/paths.json (or of info/files + info/has_prefix + info/no_link).
struct PathEntry {
    std::string path;  // relative, forward slashes, as in the package
    PathType type = PathType::hardlink;
    std::optional<FileMode> file_mode;  // set when `prefix_placeholder` is
    std::string prefix_placeholder;
    std::string sha256;
    std::uint64_t size_in_bytes = 0;
    bool no_link = false;
};

struct PackageContents {
    std::vector<PathEntry> paths;
    bool noarch_python = false;             // index.json or link.json say noarch python
    std::vector<std::string> entry_points;  // link.json noarch.entry_points, "name = module:func"
};

/// Reads info/paths.json (paths_version 1), or, for old packages without it, info/files with
/// info/has_prefix (lines `placeholder mode path` or just `path`, the placeholder then being
/// /opt/anaconda1anaconda2anaconda3 in text mode) and info/no_link; symlinks in the package
/// directory are softlinks there. Also info/index.json and info/link.json for noarch python.
/// Fails with `install.link.metadata_missing` (not_found; args `package_dir`, `file`),
/// `install.link.metadata_invalid` (invalid_input; args `file`, `detail`) or
/// `install.link.unsafe_path` (invalid_input; args `path`, `package_dir`) for an absolute path
/// or one with a `..` component.
[[nodiscard]] core::Result<PackageContents> read_package_contents(const std::string& extracted_dir);

// ---------------------------------------------------------------------------------------------
// Linking

struct PrefixTarget {
    std::string write_dir;    // where the files are written now (absolute)
    std::string prefix_path;  // the prefix as the environment will see it (absolute)
};

/// The Python of the prefix, for noarch python packages.
struct PythonTarget {
    std::string version;        // "3.11"
    std::string site_packages;  // relative to the prefix: "lib/python3.11/site-packages"
    std::string executable;     // relative to the prefix: "bin/python3.11"
};

/// Pre- and post-link scripts (bin/.<name>-pre-link.sh, bin/.<name>-post-link.sh).
enum class LinkScripts : bool { skip, run };
enum class LinkMode : std::uint8_t { hardlink_or_copy, copy };
/// A path another package of the same PrefixFiles already wrote.
enum class ClobberPolicy : bool { later_wins, error };
/// Whether conda-meta records name the package cache (`extracted_package_dir`, `link.source`),
/// as conda does, or leave it out, for prefixes that go into images: a host path in an image
/// makes its digest depend on the machine.
enum class CachePaths : bool { omit, record };

struct LinkOptions {
    LinkMode mode = LinkMode::hardlink_or_copy;
    LinkScripts scripts = LinkScripts::skip;
    std::optional<PythonTarget> python;  // required for noarch python packages
    std::string requested_spec;          // recorded in conda-meta ("" when not requested)
    ClobberPolicy clobber = ClobberPolicy::later_wins;
    CachePaths cache_paths = CachePaths::record;
};

/// Which package owns each path of the prefix (relative paths), across the packages of one
/// transaction. Seed it from existing conda-meta records to catch clobbers with them too.
class PrefixFiles {
public:
    /// The owners recorded in <write_dir>/conda-meta/*.json (`files` of each record, owner
    /// `name-version-build`); an empty set when there is no conda-meta. Fails with
    /// `install.link.metadata_invalid` for a record that is not JSON with name, version, build.
    [[nodiscard]] static core::Result<PrefixFiles> from_prefix(const std::string& write_dir);

    /// Records `package` as the owner of `path`; returns the previous owner, if another.
    std::optional<std::string> claim(const std::string& path, const std::string& package);
    [[nodiscard]] const std::string* owner(const std::string& path) const;
    [[nodiscard]] std::size_t size() const noexcept { return m_owners.size(); }

private:
    std::map<std::string, std::string> m_owners;
};

struct LinkedPackage {
    PrefixRecord record;           // what was written to conda-meta
    std::string record_path;       // <write_dir>/conda-meta/<name>-<version>-<build>.json
    std::uint64_t hardlinked = 0;  // files hard-linked from the package directory
    std::uint64_t copied = 0;      // files copied unchanged
    std::uint64_t rewritten = 0;   // files written with the prefix replaced
    std::uint64_t symlinks = 0;
    std::uint64_t generated = 0;   // entry points
    std::vector<std::string> clobbered;  // paths this package took over from another
};

/// Links the extracted package at `extracted_dir` into `target` and writes its conda-meta
/// record. Files that need rewriting are always written as new files, never through a hard
/// link into the package directory; existing files at a destination are replaced (unlinked
/// first). Reports `conda.clobber` warnings (args `path`, `package`, `owner`) and
/// `install.link.script_skipped` warnings (args `script`, `package`) through `reporter`, and
/// script output as log lines of phase "install".
///
/// Errors: those of read_package_contents; `install.link.noarch_python_without_python`
/// (invalid_input; arg `package`); `install.link.entry_point_invalid` (invalid_input; args
/// `entry_point`, `package`); `install.link.source_missing` (not_found; args `path`,
/// `package_dir`); `install.link.prefix_too_long` (invalid_input); `conda.clobber` (conflict)
/// under ClobberPolicy::error; `install.link.script_failed` (invalid_input; args `script`,
/// `package`, `status`); `install.link.io` (unavailable; args `path`, `detail`). A failure
/// may leave the files linked so far in place.
[[nodiscard]] core::Result<LinkedPackage> link_package(const std::string& extracted_dir,
                                                       const PackageRecordInfo& package,
                                                       const PrefixTarget& target,
                                                       const LinkOptions& options,
                                                       PrefixFiles& owners,
                                                       core::Reporter& reporter);

}  // namespace envsmith::install
