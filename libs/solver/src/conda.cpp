// conda on the engine. Preference among the records of one name, best first (docs/solver.md):
//   1. a locked record (from a previous solution);
//   2. with channel priority `flexible`, the earlier channel (with `strict`, records of later
//      channels are excluded outright; with `disabled`, channels do not matter);
//   3. fewer track_features (conda deprioritises featured builds such as `mkl` variants);
//   4. the higher version;
//   5. the higher build number;
//   6. the newer timestamp;
//   7. the lower channel rank, then the file name, so the order is total and deterministic.
#include "envsmith/solver/conda.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

namespace envsmith::solver {

struct CondaProvider::Impl {
    CondaSource& source;
    CondaRequest request;
    std::optional<core::Error> error;

    std::vector<std::string> names;
    std::unordered_map<std::string, NameId> name_index;

    std::vector<CondaCandidate> solvables;
    std::vector<NameId> solvable_name;
    std::vector<std::uint8_t> solvable_excluded;  // 1: hidden by strict channel priority

    std::vector<specs::MatchSpec> sets;
    std::vector<std::string> set_text;
    std::vector<NameId> set_name;
    std::unordered_map<std::string, VersionSetId> set_index;

    Impl(CondaSource& s, const CondaRequest& r) : source(s), request(r) {}

    NameId intern_name(const std::string& name) {
        auto [it, inserted] = name_index.emplace(name, static_cast<NameId>(names.size()));
        if (inserted) names.push_back(name);
        return it->second;
    }

    // A version set for the text of a match spec. A spec that does not parse becomes a set on
    // a name nothing provides (the text itself), so the record that needs it is never chosen
    // and an explanation shows the text.
    VersionSetId intern_set(const std::string& text) {
        auto found = set_index.find(text);
        if (found != set_index.end()) return found->second;
        auto parsed = specs::MatchSpec::parse(text);
        specs::MatchSpec spec = parsed ? parsed.value() : specs::MatchSpec();
        const std::string name = parsed ? spec.name() : "<invalid spec `" + text + "`>";
        const auto id = static_cast<VersionSetId>(sets.size());
        sets.push_back(std::move(spec));
        set_text.push_back(text);
        set_name.push_back(intern_name(name));
        set_index.emplace(text, id);
        return id;
    }

    [[nodiscard]] bool is_locked(const specs::PackageRecord& r) const {
        return std::any_of(request.locked.begin(), request.locked.end(), [&](const auto& l) {
            return l.name == r.name && l.version == r.version && l.build == r.build;
        });
    }
};

CondaProvider::CondaProvider(CondaSource& source, const CondaRequest& request)
    : m_impl(std::make_unique<Impl>(source, request)) {}

CondaProvider::~CondaProvider() = default;

const std::optional<core::Error>& CondaProvider::source_error() const noexcept {
    return m_impl->error;
}

const CondaCandidate& CondaProvider::candidate(SolvableId solvable) const {
    return m_impl->solvables.at(solvable);
}

const specs::MatchSpec& CondaProvider::version_set(VersionSetId set) const {
    return m_impl->sets.at(set);
}

core::Result<Problem> CondaProvider::problem() {
    Problem problem;
    for (const auto& spec : m_impl->request.specs) {
        if (spec.name().find_first_of("*?") != std::string::npos) {
            return core::Error{core::ErrorCode::invalid_input, "solver.spec.no_name",
                               fmt::format("`{}` does not name one package", spec.to_string()),
                               {{"spec", spec.to_string()}}, {}, {}, {}};
        }
        problem.requirements.push_back(Requirement{{m_impl->intern_set(spec.to_string())}});
    }
    for (const auto& spec : m_impl->request.constraints) {
        problem.constraints.push_back(m_impl->intern_set(spec.to_string()));
    }
    return problem;
}

std::vector<SolvableId> CondaProvider::candidates(NameId name) {
    Impl& m = *m_impl;
    const std::string& text = m.names.at(name);
    std::vector<CondaCandidate> found;
    if (text.rfind("__", 0) == 0) {
        for (const auto& record : m.request.virtual_packages) {
            if (record.name == text) found.push_back(CondaCandidate{record, 0});
        }
    } else if (text.front() != '<') {
        auto records = m.source.records(text);
        if (!records) {
            if (!m.error) m.error = records.error();
            return {};
        }
        found = std::move(records).value();
    }
    const ChannelPriority priority = m.request.channel_priority;
    std::vector<std::size_t> order(found.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<std::uint8_t> locked(found.size());
    for (std::size_t i = 0; i < found.size(); ++i) locked[i] = m.is_locked(found[i].record) ? 1 : 0;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t ia, std::size_t ib) {
        const CondaCandidate& a = found[ia];
        const CondaCandidate& b = found[ib];
        if (locked[ia] != locked[ib]) return locked[ia] > locked[ib];
        if (priority != ChannelPriority::disabled && a.channel_rank != b.channel_rank) {
            return a.channel_rank < b.channel_rank;
        }
        const auto& ra = a.record;
        const auto& rb = b.record;
        if (ra.track_features.size() != rb.track_features.size()) {
            return ra.track_features.size() < rb.track_features.size();
        }
        if (ra.version != rb.version) return ra.version > rb.version;
        if (ra.build_number != rb.build_number) return ra.build_number > rb.build_number;
        if (ra.timestamp != rb.timestamp) return ra.timestamp > rb.timestamp;
        if (a.channel_rank != b.channel_rank) return a.channel_rank < b.channel_rank;
        return ra.fn < rb.fn;
    });
    std::uint32_t best_rank = std::numeric_limits<std::uint32_t>::max();
    for (const auto& c : found) best_rank = std::min(best_rank, c.channel_rank);
    std::vector<SolvableId> ids;
    ids.reserve(found.size());
    for (std::size_t i : order) {
        const auto id = static_cast<SolvableId>(m.solvables.size());
        const bool hidden = priority == ChannelPriority::strict && found[i].channel_rank != best_rank;
        m.solvables.push_back(std::move(found[i]));
        m.solvable_name.push_back(name);
        m.solvable_excluded.push_back(hidden ? 1 : 0);
        ids.push_back(id);
    }
    return ids;
}

NameId CondaProvider::name_of(SolvableId solvable) const { return m_impl->solvable_name.at(solvable); }

NameId CondaProvider::name_of_set(VersionSetId set) const { return m_impl->set_name.at(set); }

std::vector<SolvableId> CondaProvider::filter(VersionSetId set, std::span<const SolvableId> candidates) {
    const specs::MatchSpec& spec = m_impl->sets.at(set);
    std::vector<SolvableId> out;
    if (m_impl->names.at(m_impl->set_name.at(set)).front() == '<') return out;
    for (SolvableId s : candidates) {
        if (spec.matches(m_impl->solvables[s].record)) out.push_back(s);
    }
    return out;
}

Dependencies CondaProvider::dependencies(SolvableId solvable) {
    Impl& m = *m_impl;
    const specs::PackageRecord& record = m.solvables.at(solvable).record;
    Dependencies deps;
    deps.requires_.reserve(record.depends.size() + 1);
    for (const std::string& text : record.depends) {
        deps.requires_.push_back(Requirement{{m.intern_set(text)}});
    }
    if (m.request.add_pip_as_python_dependency && record.name == "python") {
        const std::string& v = record.version.to_string();
        if (v.rfind("2.", 0) == 0 || v.rfind("3.", 0) == 0) {
            deps.requires_.push_back(Requirement{{m.intern_set("pip")}});
        }
    }
    for (const std::string& text : record.constrains) {
        deps.constrains.push_back(m.intern_set(text));
    }
    return deps;
}

std::optional<Exclusion> CondaProvider::excluded(SolvableId solvable) {
    if (m_impl->solvable_excluded.at(solvable) == 0) return std::nullopt;
    const auto& c = m_impl->solvables[solvable];
    return Exclusion{"solver.excluded.channel_priority",
                     fmt::format("channel priority is strict and an earlier channel has `{}`",
                                 c.record.name),
                     {{"channel", c.record.channel}, {"name", c.record.name}}};
}

std::string CondaProvider::display_name(NameId name) const { return m_impl->names.at(name); }

std::string CondaProvider::display_solvable(SolvableId solvable) const {
    const auto& r = m_impl->solvables.at(solvable).record;
    return r.version.to_string() + " " + r.build;
}

std::string CondaProvider::display_version_set(VersionSetId set) const {
    const std::string& text = m_impl->set_text.at(set);
    const std::string& name = m_impl->names.at(m_impl->set_name.at(set));
    std::string_view rest = text;
    if (rest.substr(0, name.size()) == name) rest.remove_prefix(name.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    return rest.empty() ? "*" : std::string(rest);
}

std::string CondaProvider::display_set(VersionSetId set) const { return m_impl->set_text.at(set); }

core::Result<CondaOutcome> solve_conda(CondaSource& source, const CondaRequest& request,
                                       const SolveOptions& options) {
    auto provider = std::make_shared<CondaProvider>(source, request);
    auto problem = provider->problem();
    if (!problem) return problem.error();
    auto outcome = solve(*provider, problem.value(), options);
    if (provider->source_error()) return *provider->source_error();
    if (!outcome) return outcome.error();
    CondaOutcome result;
    result.provider = provider;
    if (auto* unsolvable = std::get_if<Unsolvable>(&outcome.value())) {
        result.result = std::move(*unsolvable);
        return result;
    }
    const auto& solution = std::get<Solution>(outcome.value());
    CondaSolution out;
    out.stats = solution.stats;
    for (SolvableId s : solution.installed) out.records.push_back(provider->candidate(s));
    std::sort(out.records.begin(), out.records.end(),
              [](const CondaCandidate& a, const CondaCandidate& b) { return a.record.name < b.record.name; });
    result.result = std::move(out);
    return result;
}

}  // namespace envsmith::solver
