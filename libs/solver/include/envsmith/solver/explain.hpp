#pragma once
// Turns an Unsolvable core into a short derivation a person can act on, starting from what
// the user asked for: "you asked for a", "a 2.0 requires c ==1", "c 1.0 conflicts with c 2.0
// ...". Each line has a catalog id and named arguments, so every language can show it; the
// English text is the fallback.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "envsmith/solver/provider.hpp"
#include "envsmith/solver/solver.hpp"

namespace envsmith::solver {

struct ExplanationLine {
    std::uint32_t depth = 0;  // nesting: a reason is one deeper than what it explains
    std::string message_id;   // "solver.explain.requires", ...
    std::vector<std::pair<std::string, std::string>> args;
    std::string text;         // English
};

/// The derivation for `unsolvable`, names and versions shown through `provider`.
[[nodiscard]] std::vector<ExplanationLine> explain(const Unsolvable& unsolvable, const Provider& provider);

}  // namespace envsmith::solver
