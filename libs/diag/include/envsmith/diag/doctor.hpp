#pragma once
// `envsmith doctor`: finds the catalogue's failures in a build log and names the root cause.
//
// Every normalised line goes through one RE2::Set of all signatures (linear time, one pass),
// and only the signatures that matched run again for their captures. Findings are ranked by
// causality: a tier-1 cause (the network, the machine, the input) outranks the specific
// failure it provokes (tier 2), which outranks the generic summary at the end of the log
// (tier 3); `consequence_of` in the catalogue links failures that cause one another.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/diag/catalog.hpp"

namespace envsmith::diag {

struct Evidence {
    std::uint64_t line = 0;  // 1-based
    std::string text;        // normalised, cut to a few hundred bytes
};

struct Finding {
    const FailureEntry* entry = nullptr;  // points into the Doctor's catalogue
    double confidence = 0.0;              // the highest of its matches
    std::uint64_t first_line = 0;
    std::uint64_t last_line = 0;
    std::uint64_t matches = 0;
    std::vector<core::MessageArg> captures;  // named captures, first value of each name
    std::vector<Evidence> evidence;          // the first few matching lines
    std::string consequence_of;              // id of the finding that caused this one, or empty

    [[nodiscard]] const std::string& id() const { return entry->id; }
};

struct Diagnosis {
    std::vector<Finding> findings;  // the root cause first, then by tier, confidence, position
    std::optional<std::size_t> root_cause;  // index into findings
    std::uint64_t lines = 0;
    std::uint64_t bytes = 0;

    [[nodiscard]] const Finding* root() const {
        return root_cause ? &findings[*root_cause] : nullptr;
    }
};

/// Findings below this confidence are reported but never named the root cause.
inline constexpr double root_cause_min_confidence = 0.5;

class Doctor {
public:
    /// Compiles every signature of `catalog` into one matcher. The Doctor keeps its own copy
    /// of the catalogue; findings point into it.
    static core::Result<Doctor> create(FailureCatalog catalog);
    ~Doctor();
    Doctor(Doctor&&) noexcept;
    Doctor& operator=(Doctor&&) noexcept;

    /// One log's analysis: feed() the bytes in chunks of any size, then finish().
    class Session {
    public:
        explicit Session(const Doctor& doctor);
        ~Session();
        Session(Session&&) noexcept;
        Session& operator=(Session&&) = delete;
        Session(const Session&) = delete;
        Session& operator=(const Session&) = delete;

        void feed(std::string_view bytes);
        [[nodiscard]] Diagnosis finish();

    private:
        struct State;
        std::unique_ptr<State> m_state;
    };

    [[nodiscard]] Session start() const { return Session(*this); }
    /// Convenience: the diagnosis of a whole log in memory.
    [[nodiscard]] Diagnosis diagnose(std::string_view log) const;
    [[nodiscard]] const FailureCatalog& catalog() const;

private:
    struct Compiled;
    explicit Doctor(std::unique_ptr<Compiled> compiled);
    std::unique_ptr<Compiled> m_compiled;
};

}  // namespace envsmith::diag
