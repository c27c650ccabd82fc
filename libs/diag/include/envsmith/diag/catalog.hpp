#pragma once
// The failure catalogue (docs/catalog.md): one entry per way a build fails, with the log
// signatures that reveal it. Data, loaded from YAML (built in: libs/diag/data/catalog.yaml).

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::diag {

enum class Severity : std::uint8_t { error, warning };
[[nodiscard]] std::string_view to_string(Severity severity) noexcept;

struct Signature {
    std::string pattern;      // RE2 syntax, named captures `(?P<name>...)`
    double confidence = 0.5;  // 0..1
    bool context_only = false;
};

struct FailureEntry {
    std::string id;     // "pip.hash_mismatch"
    std::string phase;  // index, solve, fetch, install, layer, push, registry, runtime
    Severity severity = Severity::error;
    int tier = 2;  // 1 root cause, 2 specific failure, 3 generic summary
    std::vector<std::string> consequence_of;
    std::vector<Signature> signatures;

    /// Message ids of the entry's texts.
    [[nodiscard]] std::string title_id() const { return "failure." + id + ".title"; }
    [[nodiscard]] std::string explanation_id() const { return "failure." + id + ".explanation"; }
    [[nodiscard]] std::string fix_id() const { return "failure." + id + ".fix"; }
};

class FailureCatalog {
public:
    /// Parses and checks a catalogue: unique ids, known phases, tiers 1-3, confidences in
    /// 0..1, consequence_of naming existing ids, and patterns that RE2 compiles. Fails with
    /// `catalog.invalid` at file:line:col.
    static core::Result<FailureCatalog> parse(std::string_view yaml, std::string_view file_name);
    /// The catalogue built into envsmith.
    static core::Result<FailureCatalog> load_builtin();

    [[nodiscard]] const std::vector<FailureEntry>& entries() const noexcept { return m_entries; }
    [[nodiscard]] const FailureEntry* find(std::string_view id) const;

private:
    std::vector<FailureEntry> m_entries;
};

}  // namespace envsmith::diag
