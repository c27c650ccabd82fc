#pragma once
// conda semantics on top of the engine: match specs as version sets, `depends` and
// `constrains`, channel priority, track_features, virtual packages, pins and locked records,
// and conda's preference order among the records of one name (docs/solver.md).
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/solver/provider.hpp"
#include "envsmith/solver/solver.hpp"
#include "envsmith/specs/match_spec.hpp"

namespace envsmith::solver {

/// A record a channel offers, with the rank of its channel (0 is the first channel).
struct CondaCandidate {
    specs::PackageRecord record;
    std::uint32_t channel_rank = 0;
};

/// Where records come from, asked one name at a time (the index layer implements it above).
class CondaSource {
public:
    virtual ~CondaSource() = default;
    /// Every record named `name` on every channel, for the target subdir and noarch.
    [[nodiscard]] virtual core::Result<std::vector<CondaCandidate>> records(std::string_view name) = 0;
};

enum class ChannelPriority : std::uint8_t {
    strict,    // only the first channel that has a name offers it
    flexible,  // every channel offers it; earlier channels are preferred (conda's default)
    disabled,  // every channel, no preference: version first
};

struct CondaRequest {
    std::vector<specs::MatchSpec> specs;        // what the user asked for
    std::vector<specs::MatchSpec> constraints;  // pins: restrict a name if it is installed
    /// `__glibc`, `__linux`, ... of the target (specs::virtual_packages).
    std::vector<specs::PackageRecord> virtual_packages;
    /// Records of a previous solution: preferred to any other record of their name.
    std::vector<specs::PackageRecord> locked;
    ChannelPriority channel_priority = ChannelPriority::flexible;
    /// conda adds `pip` to the dependencies of every `python` record (its
    /// `add_pip_as_python_dependency` setting, on by default).
    bool add_pip_as_python_dependency = true;
};

/// The engine's Provider for conda. Keeps every record it loaded, so solvable ids stay valid
/// for as long as it lives.
class CondaProvider final : public Provider {
public:
    CondaProvider(CondaSource& source, const CondaRequest& request);
    ~CondaProvider() override;
    CondaProvider(const CondaProvider&) = delete;
    CondaProvider& operator=(const CondaProvider&) = delete;

    /// The request as the engine's Problem. Fails when a spec names no single package.
    [[nodiscard]] core::Result<Problem> problem();

    /// The first error a source returned while the engine asked (the engine itself cannot
    /// fail on a provider's behalf; `solve_conda` checks this after solving).
    [[nodiscard]] const std::optional<core::Error>& source_error() const noexcept;

    [[nodiscard]] const CondaCandidate& candidate(SolvableId solvable) const;
    [[nodiscard]] const specs::MatchSpec& version_set(VersionSetId set) const;

    std::vector<SolvableId> candidates(NameId name) override;
    [[nodiscard]] NameId name_of(SolvableId solvable) const override;
    [[nodiscard]] NameId name_of_set(VersionSetId set) const override;
    std::vector<SolvableId> filter(VersionSetId set, std::span<const SolvableId> candidates) override;
    Dependencies dependencies(SolvableId solvable) override;
    std::optional<Exclusion> excluded(SolvableId solvable) override;
    [[nodiscard]] std::string display_name(NameId name) const override;
    [[nodiscard]] std::string display_solvable(SolvableId solvable) const override;
    [[nodiscard]] std::string display_version_set(VersionSetId set) const override;
    [[nodiscard]] std::string display_set(VersionSetId set) const override;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

/// A conda solve's result: the records to install, or the conflicts.
struct CondaSolution {
    std::vector<CondaCandidate> records;  // sorted by name
    SolveStats stats;
};

/// Solves a conda request. Errors: the source's errors, an invalid spec in a record's
/// `depends` is skipped (such a record requires something nobody provides), cancellation.
/// Unsolvable is returned together with the provider that can name its ids.
struct CondaOutcome {
    std::variant<CondaSolution, Unsolvable> result;
    std::shared_ptr<CondaProvider> provider;
};
[[nodiscard]] core::Result<CondaOutcome> solve_conda(CondaSource& source, const CondaRequest& request,
                                                     const SolveOptions& options = {});

}  // namespace envsmith::solver
