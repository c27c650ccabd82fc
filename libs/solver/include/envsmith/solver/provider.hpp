#pragma once
// The solver's view of a package universe. The engine knows nothing about conda or PyPI: it
// sees names, candidates (one per installable package: a conda record, a release of a PyPI
// project) and version sets (a requirement on one name, such as the match spec `numpy >=1.20`
// or the PEP 508 requirement `requests<3`). A Provider answers the engine's questions lazily,
// only for the names the search reaches, and says how to show each thing in an explanation.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace envsmith::solver {

/// Dense ids handed out by the provider, from 0.
using NameId = std::uint32_t;
using SolvableId = std::uint32_t;
using VersionSetId = std::uint32_t;

/// A dependency that any one of several version sets satisfies (usually exactly one).
struct Requirement {
    std::vector<VersionSetId> any_of;
};

/// Why a candidate may never be chosen, whatever the request: a yanked release, a wheel for
/// another platform, a record hidden by strict channel priority. Kept so that an explanation
/// can say why the only versions that would fit were not usable.
struct Exclusion {
    std::string message_id;   // a catalog key, e.g. "solver.excluded.requires_python"
    std::string reason;       // English fallback text
    std::vector<std::pair<std::string, std::string>> args;
};

struct Dependencies {
    /// Each must be satisfied by an installed candidate.
    std::vector<Requirement> requires_;
    /// Version sets that restrict a name if, and only if, it is installed (conda
    /// `constrains`): they never pull a package in.
    std::vector<VersionSetId> constrains;
};

class Provider {
public:
    virtual ~Provider() = default;

    /// Every candidate of `name`, best first. Called at most once per name; ids returned here
    /// must be dense and new (the engine sizes its tables by the largest id seen).
    [[nodiscard]] virtual std::vector<SolvableId> candidates(NameId name) = 0;

    /// The name a candidate belongs to. At most one candidate of a name is installed.
    [[nodiscard]] virtual NameId name_of(SolvableId solvable) const = 0;

    /// The name whose candidates a version set selects among.
    [[nodiscard]] virtual NameId name_of_set(VersionSetId set) const = 0;

    /// The members of `candidates` (all of the set's name) that the set contains, in the
    /// given order. Called at most once per version set.
    [[nodiscard]] virtual std::vector<SolvableId> filter(VersionSetId set,
                                                         std::span<const SolvableId> candidates) = 0;

    /// What a candidate needs. Called at most once per candidate, only when the search
    /// installs it.
    [[nodiscard]] virtual Dependencies dependencies(SolvableId solvable) = 0;

    /// Set when the candidate can never be installed (its reason is kept for explanations).
    [[nodiscard]] virtual std::optional<Exclusion> excluded(SolvableId /*solvable*/) {
        return std::nullopt;
    }

    /// Texts for explanations: a name (`numpy`), a candidate without its name
    /// (`1.26.4 py312h_0`), a version set without its name (`>=1.20`, or `*`).
    [[nodiscard]] virtual std::string display_name(NameId name) const = 0;
    [[nodiscard]] virtual std::string display_solvable(SolvableId solvable) const = 0;
    [[nodiscard]] virtual std::string display_version_set(VersionSetId set) const = 0;
    /// A version set with its name, as a person would write it: `numpy >=1.20`, or for conda
    /// the spec as written (`python=3.10`).
    [[nodiscard]] virtual std::string display_set(VersionSetId set) const {
        const std::string version = display_version_set(set);
        const std::string name = display_name(name_of_set(set));
        return version == "*" ? name : name + " " + version;
    }
};

}  // namespace envsmith::solver
