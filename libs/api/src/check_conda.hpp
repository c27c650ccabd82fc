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
/// build number), or nullopt. With `python`, a record that depends on `python` must accept
/// that version (a `py310` build does not serve Python 3.11).
[[nodiscard]] std::optional<CondaMatch> best_conda_match(
    const specs::MatchSpec& spec, const std::vector<CondaSubdir>& subdirs,
    const std::optional<specs::CondaVersion>& python = std::nullopt);

/// Whether a record's `depends` accept Python `python`: true when none names `python`.
[[nodiscard]] bool serves_python(const std::vector<std::string>& depends,
                                 const specs::CondaVersion& python);

/// Checks one conda dependency. `target` holds the target subdir and noarch of every channel;
/// `other_platforms` is called only when nothing matches there, and returns the other subdirs
/// worth naming (fetched lazily: it may be slow). `python`, when known, is the Python the
/// environment gets: builds for another Python do not count.
[[nodiscard]] CheckItem check_conda_dependency(
    std::string_view request, const std::vector<CondaSubdir>& target,
    const std::function<std::vector<CondaSubdir>()>& other_platforms,
    const std::optional<specs::CondaVersion>& python = std::nullopt);

}  // namespace envsmith::api::detail
