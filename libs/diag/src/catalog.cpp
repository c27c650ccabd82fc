#include "envsmith/diag/catalog.hpp"

#include <re2/re2.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <array>
#include <fmt/format.h>
#include <set>

#include "envsmith/diag/embedded.hpp"

namespace envsmith::diag {

namespace {

constexpr std::array<std::string_view, 8> known_phases = {
    "index", "solve", "fetch", "install", "layer", "push", "registry", "runtime"};

core::Error invalid(std::string_view file, const YAML::Mark& mark, std::string what) {
    return core::make_error(core::ErrorCode::invalid_input, "catalog.invalid",
                            fmt::format("invalid failure catalogue: {}", what))
        .arg("problem", what)
        .at(core::SourceLocation{std::string(file), static_cast<std::uint32_t>(mark.line + 1),
                                 static_cast<std::uint32_t>(mark.column + 1), ""});
}

}  // namespace

std::string_view to_string(Severity severity) noexcept {
    return severity == Severity::error ? "error" : "warning";
}

core::Result<FailureCatalog> FailureCatalog::parse(std::string_view yaml, std::string_view file_name) {
    FailureCatalog catalog;
    try {
        const YAML::Node root = YAML::Load(std::string(yaml));
        if (!root.IsSequence()) {
            return invalid(file_name, root.Mark(), "expected a list of entries");
        }
        std::set<std::string, std::less<>> ids;
        std::vector<std::pair<std::string, YAML::Mark>> references;
        for (const auto& node : root) {
            if (!node.IsMap() || !node["id"] || !node["signatures"]) {
                return invalid(file_name, node.Mark(), "each entry needs `id` and `signatures`");
            }
            FailureEntry entry;
            entry.id = node["id"].as<std::string>();
            if (!ids.insert(entry.id).second) {
                return invalid(file_name, node["id"].Mark(), fmt::format("duplicate id `{}`", entry.id));
            }
            entry.phase = node["phase"] ? node["phase"].as<std::string>() : "";
            if (std::find(known_phases.begin(), known_phases.end(), entry.phase) == known_phases.end()) {
                return invalid(file_name, node.Mark(),
                               fmt::format("`{}`: unknown phase `{}`", entry.id, entry.phase));
            }
            const auto severity = node["severity"] ? node["severity"].as<std::string>() : "error";
            if (severity != "error" && severity != "warning") {
                return invalid(file_name, node["severity"].Mark(),
                               fmt::format("`{}`: severity must be error or warning", entry.id));
            }
            entry.severity = severity == "error" ? Severity::error : Severity::warning;
            entry.tier = node["tier"] ? node["tier"].as<int>() : 2;
            if (entry.tier < 1 || entry.tier > 3) {
                return invalid(file_name, node["tier"].Mark(), fmt::format("`{}`: tier must be 1, 2 or 3", entry.id));
            }
            if (const auto list = node["consequence_of"]) {
                for (const auto& item : list) {
                    entry.consequence_of.push_back(item.as<std::string>());
                    references.emplace_back(item.as<std::string>(), item.Mark());
                }
            }
            for (const auto& sig : node["signatures"]) {
                Signature signature;
                signature.pattern = sig["pattern"].as<std::string>();
                signature.confidence = sig["confidence"] ? sig["confidence"].as<double>() : 0.5;
                signature.context_only = sig["context_only"] && sig["context_only"].as<bool>();
                if (signature.confidence < 0.0 || signature.confidence > 1.0) {
                    return invalid(file_name, sig.Mark(), fmt::format("`{}`: confidence outside 0..1", entry.id));
                }
                RE2::Options options;
                options.set_log_errors(false);
                const RE2 compiled(signature.pattern, options);
                if (!compiled.ok()) {
                    return invalid(file_name, sig["pattern"].Mark(),
                                   fmt::format("`{}`: pattern does not compile: {}", entry.id, compiled.error()));
                }
                entry.signatures.push_back(std::move(signature));
            }
            catalog.m_entries.push_back(std::move(entry));
        }
        for (const auto& [id, mark] : references) {
            if (ids.find(id) == ids.end()) {
                return invalid(file_name, mark, fmt::format("consequence_of names unknown id `{}`", id));
            }
        }
    } catch (const YAML::Exception& e) {
        return invalid(file_name, e.mark, e.msg);
    }
    return catalog;
}

core::Result<FailureCatalog> FailureCatalog::load_builtin() {
    constexpr std::string_view name = "libs/diag/data/catalog.yaml";
    return parse(builtin_file(name), name);
}

const FailureEntry* FailureCatalog::find(std::string_view id) const {
    const auto it = std::find_if(m_entries.begin(), m_entries.end(),
                                 [id](const FailureEntry& e) { return e.id == id; });
    return it == m_entries.end() ? nullptr : &*it;
}

}  // namespace envsmith::diag
