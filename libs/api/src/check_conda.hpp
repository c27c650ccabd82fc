#pragma once
// The conda half of `check`: one match spec against the records of the channels' subdirs.
// Pure: the records are fetched by the caller.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/api/check.hpp"
#include "envsmith/index/repodata.hpp"
#include "envsmith/specs/conda_version.hpp"

namespace envsmith::api::detail {

/// One fetched subdir of one channel.
struct CondaSubdir {
    std::string channel;  // display name: "conda-forge", or a URL
    std::string subdir;
    const index::Repodata* repodata = nullptr;
    /// Every name the subdir has, when `repodata` holds only the asked ones (a sharded
    /// channel: its index lists the names), for suggestions.
    std::vector<std::string> all_names;
};

/// The best record that matches a spec, and where it is.
struct CondaMatch {
    std::string channel;
    std::string subdir;
    std::string name;
    specs::CondaVersion version;
    std::string build;
    std::uint64_t build_number = 0;
};

/// The best match for `spec` in `subdirs` (channel order first, then the highest version and
/// build number), or nullopt.
[[nodiscard]] std::optional<CondaMatch> best_conda_match(const specs::MatchSpec& spec,
                                                         const std::vector<CondaSubdir>& subdirs);

/// Checks one conda dependency. `target` holds the target subdir and noarch of every channel;
/// `other_platforms` is called only when nothing matches there, and returns the other subdirs
/// worth naming (fetched lazily: it may be slow).
[[nodiscard]] CheckItem check_conda_dependency(
    std::string_view request, const std::vector<CondaSubdir>& target,
    const std::function<std::vector<CondaSubdir>()>& other_platforms);

}  // namespace envsmith::api::detail
