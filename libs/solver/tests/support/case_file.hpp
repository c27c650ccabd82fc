#pragma once
// The solver's test case format (tests/solver_cases/*.case, docs/solver.md): channels given
// inline or as a folder of repodata.json files, a target, a request, and what must come out.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/solver/conda.hpp"

namespace envsmith::solver::testing {

struct CaseChannel {
    std::string name;
    std::string path;  // a channel folder with <subdir>/repodata.json; empty for inline
    std::vector<specs::PackageRecord> packages;
};

struct SolverCase {
    std::string file;
    std::string platform = "linux-64";
    std::vector<CaseChannel> channels;
    CondaRequest request;
    bool expect_solved = true;
    std::vector<std::string> expected;  // `name-version-build`, or explanation lines
    bool needs_testdata = false;
};

/// Parses a case. `${testdata}` in a path becomes `testdata` (empty: the case needs data
/// that is absent, and `needs_testdata` says so).
[[nodiscard]] core::Result<SolverCase> parse_case(const std::string& text, const std::string& file,
                                                  const std::string& testdata);

/// Every record of the case's channels, by name, for the case's platform and noarch.
class CaseSource final : public CondaSource {
public:
    static core::Result<CaseSource> load(const SolverCase& c);
    core::Result<std::vector<CondaCandidate>> records(std::string_view name) override;
    [[nodiscard]] std::size_t size() const;

private:
    std::map<std::string, std::vector<CondaCandidate>, std::less<>> m_by_name;
};

/// Reads one repodata.json into records (test support: the index layer is above the solver).
core::Result<std::vector<specs::PackageRecord>> read_repodata(const std::string& path,
                                                              const std::string& channel);

}  // namespace envsmith::solver::testing
