#pragma once
// The engine: conflict-driven clause learning over the candidates a Provider hands out
// (docs/solver.md explains the choice and the rules). `solve` returns an Outcome: either a
// Solution, or Unsolvable with the clauses that make the request impossible, as data.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/solver/provider.hpp"

namespace envsmith::solver {

/// What the user asked for.
struct Problem {
    /// Each must be satisfied (the specs of an environment definition).
    std::vector<Requirement> requirements;
    /// Pins: each restricts its name if the name is installed, and never pulls it in.
    std::vector<VersionSetId> constraints;
};

struct SolveOptions {
    /// Stops with `solver.cancelled` when set (checked between conflicts).
    const std::atomic<bool>* cancel = nullptr;
    /// Gives up with `solver.budget` after this many conflicts; 0 means no limit. The search
    /// always ends without one; this bounds the time a caller is willing to spend.
    std::uint64_t max_conflicts = 0;
};

struct SolveStats {
    std::uint64_t decisions = 0;
    std::uint64_t conflicts = 0;
    std::uint64_t propagations = 0;
    std::uint64_t learnt_clauses = 0;
    std::uint64_t names_loaded = 0;
    std::uint64_t solvables_expanded = 0;
};

struct Solution {
    /// The installed candidates, in the order the search chose them.
    std::vector<SolvableId> installed;
    SolveStats stats;
};

/// One clause of the unsatisfiable core, in the provider's terms.
struct ConflictClause {
    enum class Kind : std::uint8_t {
        root_requires,  // the user asked for `requirement` (index into Problem::requirements)
        requires_,      // `solvable` needs `requirement` (index into its dependencies)
        constrains,     // `solvable` restricts `set`'s name, and `other` is outside it
        pin,            // Problem::constraints[`requirement`] excludes `other`
        same_name,      // `solvable` and `other` are two candidates of one name
        excluded,       // `solvable` can never be installed (`exclusion` says why)
    };
    Kind kind = Kind::root_requires;
    SolvableId solvable = 0;
    SolvableId other = 0;
    std::size_t requirement = 0;
    VersionSetId set = 0;
    /// root_requires and requires_: the requirement and every candidate that satisfies it.
    Requirement wanted;
    std::vector<SolvableId> candidates;
    /// root_requires and requires_ without candidates: the name's candidates outside the
    /// requirement (what does exist), best first.
    std::vector<SolvableId> others;
    std::optional<Exclusion> exclusion;
};

struct Unsolvable {
    /// Clauses that together admit no solution (not necessarily minimal), in a stable order.
    std::vector<ConflictClause> core;
    SolveStats stats;
};

using Outcome = std::variant<Solution, Unsolvable>;

/// Solves `problem` against `provider`. Deterministic: the same provider answers give the
/// same outcome. Errors only for cancellation or an exhausted budget.
[[nodiscard]] core::Result<Outcome> solve(Provider& provider, const Problem& problem,
                                          const SolveOptions& options = {});

}  // namespace envsmith::solver
