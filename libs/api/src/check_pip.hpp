#pragma once
// The pip half of `check`: one requirement against the files an index lists for it. Pure:
// the project pages are fetched by the caller.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/api/check.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep440.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/wheel.hpp"

namespace envsmith::api::detail {

/// One distribution file of a project, as much as `check` needs.
struct PipFile {
    std::string filename;
    specs::Pep440Version version;
    std::optional<specs::WheelFilename> wheel;  // set for wheels, empty for sdists
    std::optional<specs::SpecifierSet> requires_python;
    bool yanked = false;
};

struct PipProject {
    std::string name;
    std::vector<PipFile> files;
};

struct PipTarget {
    std::string python;  // "3.11"
    std::string platform;  // conda subdir
    specs::MarkerEnvironment markers;
    specs::TargetTags tags;
    bool pre = false;  // `--pre`: pre-releases count as any release
};

/// The target of a check: markers and wheel tags for CPython `python` on conda `platform`.
[[nodiscard]] core::Result<PipTarget> make_pip_target(const std::string& python,
                                                      const std::string& platform,
                                                      const std::string& glibc, bool pre);

/// The project page for a PEP 503 name: nullopt when no index has it, an Error when an index
/// could not be asked.
using PipLookup = std::function<core::Result<std::optional<PipProject>>(const std::string& name)>;

/// Every project name the indexes list, for suggestions; called only for a missing project.
using PipNames = std::function<std::vector<std::string>()>;

[[nodiscard]] CheckItem check_pip_requirement(std::string_view request, const PipTarget& target,
                                              const PipLookup& lookup,
                                              std::string_view index_names,
                                              const PipNames& all_names = {});

}  // namespace envsmith::api::detail
