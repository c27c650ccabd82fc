#pragma once
// The three forms of a diagnosis: text for people (in their language), JSON for programs,
// SARIF 2.1.0 for CI systems that annotate logs.

#include <string>
#include <string_view>

#include "envsmith/diag/doctor.hpp"
#include "envsmith/diag/messages.hpp"

namespace envsmith::diag {

struct RenderOptions {
    std::string log_name;  // the file as the user named it, or "<stdin>"
    bool color = false;
    std::string tool_version;  // for SARIF's driver
};

/// The root cause with its explanation, evidence and fix, then the other findings.
[[nodiscard]] std::string render_text(const Diagnosis& diagnosis, const Messages& messages,
                                      const RenderOptions& options);
/// `{"log", "lines", "root_cause": <finding>|null, "findings": [...]}`; texts in the chosen
/// language, ids and captures as data.
[[nodiscard]] std::string render_json(const Diagnosis& diagnosis, const Messages& messages,
                                      const RenderOptions& options);
/// A SARIF 2.1.0 log with one rule per catalogue entry found and one result per finding.
[[nodiscard]] std::string render_sarif(const Diagnosis& diagnosis, const Messages& messages,
                                       const RenderOptions& options);

}  // namespace envsmith::diag
