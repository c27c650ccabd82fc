#include "envsmith/specs/definition.hpp"

#include <algorithm>
#include <tuple>
#include <nlohmann/json.hpp>

namespace envsmith::specs {

namespace {

using nlohmann::json;

std::vector<std::string> sorted_unique(std::vector<std::string> values) {
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return values;
}

json pip_requirements_json(const std::vector<PipRequirement>& requirements) {
    // Order carries no meaning for pip's resolver: sort the normalised entries (hashes sorted
    // first, so their written order cannot decide which of two entries comes first).
    std::vector<PipRequirement> sorted;
    sorted.reserve(requirements.size());
    for (const auto& r : requirements) {
        sorted.push_back({r.requirement, sorted_unique(r.hashes), r.editable});
    }
    std::sort(sorted.begin(), sorted.end(), [](const PipRequirement& a, const PipRequirement& b) {
        return std::tie(a.requirement, a.hashes, a.editable) <
               std::tie(b.requirement, b.hashes, b.editable);
    });
    json out = json::array();
    for (auto& r : sorted) {
        json item = {{"requirement", std::move(r.requirement)}};
        if (!r.hashes.empty()) {
            item["hashes"] = std::move(r.hashes);
        }
        if (r.editable) {
            item["editable"] = true;
        }
        out.push_back(std::move(item));
    }
    return out;
}

json meaning_json(const Definition& d) {
    json j = json::object();
    j["format"] = image_format_version;
    j["image"] = d.image;
    if (!d.image_digest.empty()) {
        j["image_digest"] = d.image_digest;
    }
    j["platform"] = d.platform;
    j["os_type"] = d.os_type;
    j["prefix_name"] = d.prefix_name;
    j["user_managed_dependencies"] = d.user_managed_dependencies;
    if (d.conda) {
        j["conda"] = {{"channels", d.conda->channels},
                      {"dependencies", sorted_unique(d.conda->dependencies)},
                      {"variables", d.conda->variables}};
    }
    if (d.pip) {
        const auto& p = *d.pip;
        json pip = {{"requirements", pip_requirements_json(p.requirements)},
                    {"index_url", p.index_url},
                    {"extra_index_urls", sorted_unique(p.extra_index_urls)},
                    {"find_links", sorted_unique(p.find_links)},
                    {"trusted_hosts", sorted_unique(p.trusted_hosts)},
                    {"no_index", p.no_index},
                    {"pre", p.pre},
                    {"require_hashes", p.require_hashes},
                    {"prefer_binary", p.prefer_binary},
                    {"only_binary", sorted_unique(p.only_binary)},
                    {"no_binary", sorted_unique(p.no_binary)}};
        if (!p.constraints.empty()) {
            pip["constraints"] = pip_requirements_json(p.constraints);
        }
        j["pip"] = std::move(pip);
    }
    if (d.build) {
        // The context path is where the files were; what counts is their content.
        j["build"] = {{"dockerfile_path", d.build->dockerfile_path},
                      {"dockerfile_digest", d.build->dockerfile_digest},
                      {"context_digest", d.build->context_digest}};
    }
    if (d.spark) {
        j["spark"] = {{"packages", sorted_unique(d.spark->packages)},
                      {"repositories", d.spark->repositories},
                      {"precache_packages", d.spark->precache_packages}};
    }
    j["environment_variables"] = d.environment_variables;
    if (!d.layering.empty()) {
        j["layering"] = d.layering;
    }
    return j;
}

}  // namespace

std::string_view to_string(SourceKind kind) noexcept {
    switch (kind) {
        case SourceKind::azureml: return "azureml";
        case SourceKind::conda_environment: return "conda_environment";
        case SourceKind::requirements: return "requirements";
    }
    return "unknown";
}

std::string canonical_json(const Definition& definition) {
    // nlohmann's object type is a std::map: keys come out sorted, and dump() without an indent
    // writes no whitespace. Strings are escaped the same way every time.
    return meaning_json(definition).dump(-1, ' ', false, json::error_handler_t::replace);
}

core::Digest definition_hash(const Definition& definition) {
    return core::sha256(canonical_json(definition));
}

std::string to_display_json(const Definition& definition) {
    json j = meaning_json(definition);
    j["source_kind"] = std::string(to_string(definition.source_kind));
    j["name"] = definition.name;
    j["version"] = definition.version;
    j["description"] = definition.description;
    j["tags"] = definition.tags;
    if (definition.build) {
        j["build"]["context_path"] = definition.build->context_path;
    }
    return j.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace envsmith::specs
