#pragma once
// PyPI semantics on top of the engine (docs/solver-pypi.md): PEP 508 requirements as version
// sets, markers evaluated for one target, extras as virtual names (`name[extra]`), PEP 440
// ordering and matching (local versions included), requires-python, yanked releases (PEP 592),
// wheel compatibility with the target's tags, source builds, and uv's pre-release policies.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/solver/provider.hpp"
#include "envsmith/solver/solver.hpp"
#include "envsmith/specs/pep440.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/wheel.hpp"

namespace envsmith::solver {

/// One release of a project as an index describes it: its metadata and which files it has.
struct PypiRelease {
    std::string name;  // as published; compared after PEP 503 normalisation
    specs::Pep440Version version;
    /// `Requires-Dist`, markers included (`extra == "x"` for the dependencies of an extra).
    std::vector<specs::Requirement> requires_dist;
    /// `Requires-Python`; absent means any Python.
    std::optional<specs::SpecifierSet> requires_python;
    bool yanked = false;
    std::string yanked_reason;
    /// Wheel file names (`a-1.0-py3-none-any.whl`); names that do not parse are ignored.
    std::vector<std::string> wheels;
    /// Whether a source distribution exists (usable when building from source is allowed).
    bool has_sdist = false;
    /// Set when `requires_dist` is not known yet: the source reads the metadata (a PEP 658
    /// file, or the wheel's METADATA by Range requests) only for releases the search installs,
    /// through `PypiSource::load_metadata`.
    bool metadata_pending = false;
    /// Where the release comes from when it is not an index: "conda" for a Python
    /// distribution that the conda half of the environment already installs (shown in
    /// explanations, and never installed by pip).
    std::string origin;
};

/// Where releases come from, asked one project at a time (the index layer implements it
/// above; tests use an in-memory one).
class PypiSource {
public:
    virtual ~PypiSource() = default;
    /// Every release of the project with this PEP 503 normalised name, in any order. An
    /// unknown project is an empty list, not an error.
    [[nodiscard]] virtual core::Result<std::vector<PypiRelease>> releases(
        std::string_view normalized_name) = 0;

    /// Fills in `release.requires_dist` (and `requires_python` when the index did not give
    /// it) for a release returned with `metadata_pending`; called once, only for a release
    /// the search installs. `wheel` is the file the target would install (empty: the sdist):
    /// wheels of one release may declare different dependencies, so read that one's. The
    /// default does nothing.
    [[nodiscard]] virtual core::Status load_metadata(PypiRelease& /*release*/, const std::string& /*wheel*/) {
        return {};
    }
};

/// Which pre-releases (and developmental releases) may be chosen. The modes are uv's.
enum class PrereleaseMode : std::uint8_t {
    /// Never.
    disallow,
    /// Like any other release, in plain version order.
    allow,
    /// uv's default: every pre-release that a requirement matches stays a candidate, but every
    /// final release of the name is preferred to every pre-release. A pre-release is chosen
    /// only when no final release can be (none matches, or each one leads to a conflict).
    if_necessary,
    /// Only for names that a requirement or constraint of the request itself names with a
    /// pre-release specifier (`a>=2.0b1`; `!=` does not count), final releases preferred.
    explicit_only,
    /// The older rule (pip's, and uv's before `if_necessary`): a requirement admits a
    /// pre-release when the name is explicit (as above), when the requirement itself names a
    /// pre-release, or when no usable final release of the name matches the requirement.
    if_necessary_or_explicit,
};

/// Which version of each name the search tries first.
enum class ResolutionMode : std::uint8_t {
    highest,        // the newest (the default)
    lowest,         // the oldest, for every name
    lowest_direct,  // the oldest for names the request requires, the newest for the others
};

/// A set of project names, or all of them.
struct PackageSelection {
    bool all = false;
    std::vector<std::string> names;  // any spelling; normalised when compared

    [[nodiscard]] bool contains(std::string_view normalized_name) const;
};

/// A version to try first for its name (an installed one, or one from a lock file).
struct PypiPreference {
    std::string name;
    specs::Pep440Version version;
};

struct PypiOptions {
    PrereleaseMode prereleases = PrereleaseMode::if_necessary;
    ResolutionMode resolution = ResolutionMode::highest;
    /// uv's `--no-binary`: wheels of these names are not used (a source distribution must be).
    PackageSelection no_binary;
    /// uv's `--no-build` / `--only-binary`: source distributions of these names are not built.
    PackageSelection no_build;
    /// uv (and the PyPA's guidance) only checks the lower bounds of `Requires-Python`: `<`,
    /// `<=` and `!=` clauses are ignored and `==3.10.*` or `~=3.10` count as `>=3.10`. Off:
    /// the target Python must satisfy the whole specifier set.
    bool ignore_requires_python_upper_bounds = true;
    std::vector<PypiPreference> preferred;
};

struct PypiRequest {
    /// What the user asked for; a requirement whose marker is false for the target is dropped.
    std::vector<specs::Requirement> requirements;
    /// Restrict a name if it is installed, never pull it in (pip/uv constraints files). Extras
    /// of a constraint are ignored; a URL constraint is an error.
    std::vector<specs::Requirement> constraints;
    /// The target's marker values (`extra` is supplied by the provider).
    specs::MarkerEnvironment environment;
    /// The target interpreter's version (`3.12` is `3.12.0`), checked against Requires-Python.
    specs::Pep440Version python_version;
    /// The target's wheel tags; absent: any wheel fits (resolving without a platform, like
    /// `uv pip compile` without `--python-platform`).
    std::optional<specs::TargetTags> tags;
    PypiOptions options;

    /// A request for a CPython target: its markers, version and wheel tags. Fails with the
    /// specs layer's errors for an unknown subdir or a malformed Python version.
    [[nodiscard]] static core::Result<PypiRequest> for_target(const specs::TargetSpec& target);
};

/// The engine's Provider for PyPI. Names are PEP 503 normalised project names and, for each
/// extra a requirement asks for, a virtual name `project[extra]` whose candidate for release V
/// requires exactly `project V` plus the extra's dependencies. Keeps every release it loaded,
/// so solvable ids stay valid for as long as it lives.
class PypiProvider final : public Provider {
public:
    PypiProvider(PypiSource& source, const PypiRequest& request);
    ~PypiProvider() override;
    PypiProvider(const PypiProvider&) = delete;
    PypiProvider& operator=(const PypiProvider&) = delete;

    /// The request as the engine's Problem. Fails with `solver.pypi.url_requirement` or
    /// `solver.pypi.url_constraint` for a requirement or constraint with a URL (an index
    /// cannot provide it).
    [[nodiscard]] core::Result<Problem> problem();

    /// The first error a source returned while the engine asked.
    [[nodiscard]] const std::optional<core::Error>& source_error() const noexcept;

    [[nodiscard]] const PypiRelease& release(SolvableId solvable) const;
    /// The normalised project name of a candidate (without an extra).
    [[nodiscard]] const std::string& project(SolvableId solvable) const;
    /// The extra a virtual candidate stands for; empty for a release itself.
    [[nodiscard]] const std::string& extra(SolvableId solvable) const;
    /// The wheel the target would install for a release candidate: the compatible one with the
    /// best tag, or nullopt when only the source distribution can be used.
    [[nodiscard]] std::optional<std::string> chosen_wheel(SolvableId solvable) const;

    std::vector<SolvableId> candidates(NameId name) override;
    [[nodiscard]] NameId name_of(SolvableId solvable) const override;
    [[nodiscard]] NameId name_of_set(VersionSetId set) const override;
    std::vector<SolvableId> filter(VersionSetId set,
                                   std::span<const SolvableId> candidates) override;
    Dependencies dependencies(SolvableId solvable) override;
    std::optional<Exclusion> excluded(SolvableId solvable) override;
    [[nodiscard]] std::string display_name(NameId name) const override;
    [[nodiscard]] std::string display_solvable(SolvableId solvable) const override;
    [[nodiscard]] std::string display_version_set(VersionSetId set) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// One project to install.
struct PypiPackage {
    std::string name;  // PEP 503 normalised
    PypiRelease release;
    std::vector<std::string> extras;   // the extras the solution activated, sorted
    std::optional<std::string> wheel;  // the wheel to install; nullopt: build the sdist
};

struct PypiSolution {
    std::vector<PypiPackage> packages;  // sorted by name
    SolveStats stats;
};

/// A PyPI solve's result, with the provider that can name the ids of an Unsolvable.
struct PypiOutcome {
    std::variant<PypiSolution, Unsolvable> result;
    std::shared_ptr<PypiProvider> provider;
};

/// Solves a PyPI request for one target. Errors: the source's, a URL requirement,
/// cancellation or an exhausted budget.
[[nodiscard]] core::Result<PypiOutcome> solve_pypi(PypiSource& source, const PypiRequest& request,
                                                   const SolveOptions& options = {});

}  // namespace envsmith::solver
