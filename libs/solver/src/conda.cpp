// conda on the engine. Preference among the records of one name, best first (docs/solver.md):
//   1. a locked record (from a previous solution);
//   2. with channel priority `flexible`, the earlier channel (with `strict`, records of later
//      channels are excluded outright; with `disabled`, channels do not matter);
//   3. fewer track_features (conda deprioritises featured builds such as `mkl` variants);
//   4. the higher version;
//   5. the higher build number;
//   6. among builds of one version and build number, the one whose dependencies allow newer
//      versions of the packages they share (a numpy build for the newest Python before one
//      for an old Python): each build scores a point for every other build it beats on that;
//   7. the newer timestamp;
//   8. the lower channel rank, then the file name, so the order is total and deterministic.
#include "envsmith/solver/conda.hpp"

#include <algorithm>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

namespace envsmith::solver {

struct CondaProvider::Impl {
    CondaSource& source;
    CondaRequest request;
    std::optional<core::Error> error;

    std::vector<std::string> names;
    std::unordered_map<std::string, NameId> name_index;

    // Pointers into records_by_name (its vectors never change once stored, and the map's
    // nodes never move), so a candidate list is not copied.
    std::vector<const CondaCandidate*> solvables;
    std::vector<NameId> solvable_name;
    std::vector<std::uint8_t> solvable_excluded;  // 1: hidden by strict channel priority

    std::vector<specs::MatchSpec> sets;
    std::vector<std::string> set_text;
    std::unordered_map<VersionSetId, std::string> set_display;  // the user's specs, readable
    std::vector<NameId> set_name;
    std::unordered_map<std::string, VersionSetId> set_index;

    // Records by name, as the source gave them (also for names only compared, never solved).
    std::unordered_map<std::string, std::vector<CondaCandidate>> records_by_name;
    // The highest version of a dependency's name that a dependency spec allows.
    std::unordered_map<std::string, std::optional<specs::CondaVersion>> max_allowed;

    Impl(CondaSource& s, const CondaRequest& r) : source(s), request(r) {}

    const std::vector<CondaCandidate>& records_of(const std::string& name) {
        auto found = records_by_name.find(name);
        if (found != records_by_name.end()) return found->second;
        std::vector<CondaCandidate> out;
        if (name.rfind("__", 0) == 0) {
            for (const auto& record : request.virtual_packages) {
                if (record.name == name) out.push_back(CondaCandidate{record, 0});
            }
        } else if (!name.empty() && name.front() != '<') {
            auto records = source.records(name);
            if (records) {
                out = std::move(records).value();
            } else if (!error) {
                error = records.error();
            }
        }
        return records_by_name.emplace(name, std::move(out)).first->second;
    }

    const std::optional<specs::CondaVersion>& max_version(const std::string& spec_text) {
        auto found = max_allowed.find(spec_text);
        if (found != max_allowed.end()) return found->second;
        std::optional<specs::CondaVersion> best;
        if (auto spec = specs::MatchSpec::parse(spec_text)) {
            for (const auto& c : records_of(spec->name())) {
                if ((!best || c.record.version > *best) && spec->matches(c.record)) best = c.record.version;
            }
        }
        return max_allowed.emplace(spec_text, std::move(best)).first->second;
    }

    // A record's dependencies as compare_dependencies needs them: the name part of each
    // spec, the spec, and the highest version it allows (looked up when first compared).
    struct DependencyKey {
        std::string_view name;
        const std::string* spec = nullptr;
        const std::optional<specs::CondaVersion>* max = nullptr;
    };
    static std::vector<DependencyKey> dependency_keys(const specs::PackageRecord& record) {
        std::vector<DependencyKey> out;
        out.reserve(record.depends.size());
        for (const std::string& text : record.depends) {
            const std::string_view view = text;
            out.push_back({view.substr(0, view.find_first_of(" =<>!~[")), &text, nullptr});
        }
        return out;
    }
    const std::optional<specs::CondaVersion>& max_of(DependencyKey& key) {
        if (key.max == nullptr) key.max = &max_version(*key.spec);
        return *key.max;
    }

    // +1 when `a`'s dependencies allow newer versions than `b`'s of the names both depend on
    // more often than the other way round, -1 for the reverse, 0 otherwise.
    int compare_dependencies(std::vector<DependencyKey>& a, std::vector<DependencyKey>& b) {
        int score = 0;
        for (DependencyKey& da : a) {
            for (DependencyKey& db : b) {
                if (db.name != da.name || *da.spec == *db.spec) continue;
                const auto& va = max_of(da);
                const auto& vb = max_of(db);
                if (va && (!vb || *va > *vb)) ++score;
                if (vb && (!va || *vb > *va)) --score;
            }
        }
        return score > 0 ? 1 : score < 0 ? -1 : 0;
    }

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
    return *m_impl->solvables.at(solvable);
}

const specs::MatchSpec& CondaProvider::version_set(VersionSetId set) const {
    return m_impl->sets.at(set);
}

namespace {

// A spec as a person reads it: `numpy >=1.20`, `python 3.10.* py310*`; conda's bracket form
// only when the spec has more than a name, a version and a build.
std::string readable(const specs::MatchSpec& spec) {
    const bool simple = !spec.channel() && !spec.subdir() && !spec.build_number() && !spec.md5() &&
                        !spec.sha256() && !spec.fn() && !spec.url() && !spec.license() &&
                        !spec.track_features();
    if (!simple) return spec.to_string();
    std::string out = spec.name();
    if (!spec.version().matches_all() || spec.build()) out += " " + spec.version().to_string();
    if (spec.build()) out += " " + *spec.build();
    return out;
}

}  // namespace

namespace {

// A version of one to four dot-separated decimal numbers below 65,536 (`1.26.4`), packed
// 16 bits per number: such versions compare in conda's order as these integers (missing
// numbers count as 0, so `1.2` and `1.2.0` get the same key, as conda says they are equal).
// Anything else (letters, an epoch, a local part, a fifth number) gets no key and is compared
// as a CondaVersion.
constexpr std::uint64_t no_simple_key = std::numeric_limits<std::uint64_t>::max();
std::uint64_t simple_version_key(std::string_view text) {
    std::uint64_t key = 0;
    int parts = 0;
    std::size_t i = 0;
    while (true) {
        if (parts == 4 || i >= text.size()) return no_simple_key;
        std::uint32_t number = 0;
        const std::size_t start = i;
        while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
            number = number * 10 + static_cast<std::uint32_t>(text[i] - '0');
            if (number > 0xFFFF) return no_simple_key;
            ++i;
        }
        if (i == start) return no_simple_key;
        key |= static_cast<std::uint64_t>(number) << (48 - 16 * parts);
        ++parts;
        if (i == text.size()) return key;
        if (text[i] != '.') return no_simple_key;
        ++i;
    }
}

}  // namespace

core::Result<Problem> CondaProvider::problem() {
    Problem problem;
    for (const auto& spec : m_impl->request.specs) {
        if (spec.name().find_first_of("*?") != std::string::npos) {
            return core::Error{core::ErrorCode::invalid_input, "solver.spec.no_name",
                               fmt::format("`{}` does not name one package", spec.to_string()),
                               {{"spec", spec.to_string()}}, {}, {}, {}};
        }
        const VersionSetId set = m_impl->intern_set(spec.to_string());
        m_impl->set_display.emplace(set, readable(spec));
        problem.requirements.push_back(Requirement{{set}});
    }
    for (const auto& spec : m_impl->request.constraints) {
        const VersionSetId set = m_impl->intern_set(spec.to_string());
        m_impl->set_display.emplace(set, readable(spec));
        problem.constraints.push_back(set);
    }
    return problem;
}

std::vector<SolvableId> CondaProvider::candidates(NameId name) {
    Impl& m = *m_impl;
    const std::string& text = m.names.at(name);
    const std::vector<CondaCandidate>& found = m.records_of(text);
    const ChannelPriority priority = m.request.channel_priority;
    std::vector<std::size_t> order(found.size());
    for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::vector<std::uint8_t> locked(found.size());
    if (!m.request.locked.empty()) {
        for (std::size_t i = 0; i < found.size(); ++i) locked[i] = m.is_locked(found[i].record) ? 1 : 0;
    }
    // Versions as ranks (0 the highest; equal versions share one): the distinct version texts
    // are sorted once, so the sort below compares integers (a name has far fewer versions
    // than records: python has hundreds of builds of a few dozen versions).
    std::vector<std::uint32_t> version_rank(found.size());
    {
        std::unordered_map<std::string_view, std::uint32_t> distinct;
        std::vector<std::size_t> firsts;  // one record per distinct text
        std::vector<std::uint32_t> text_of(found.size());
        for (std::size_t i = 0; i < found.size(); ++i) {
            const auto [it, inserted] = distinct.emplace(found[i].record.version.to_string(),
                                                          static_cast<std::uint32_t>(firsts.size()));
            if (inserted) firsts.push_back(i);
            text_of[i] = it->second;
        }
        std::vector<std::uint32_t> texts(firsts.size());
        std::vector<std::uint64_t> keys(firsts.size());
        for (std::uint32_t t = 0; t < texts.size(); ++t) {
            texts[t] = t;
            keys[t] = simple_version_key(found[firsts[t]].record.version.to_string());
        }
        std::sort(texts.begin(), texts.end(), [&](std::uint32_t a, std::uint32_t b) {
            if (keys[a] != no_simple_key && keys[b] != no_simple_key) return keys[a] > keys[b];
            return found[firsts[a]].record.version > found[firsts[b]].record.version;
        });
        std::vector<std::uint32_t> rank_of_text(texts.size());
        std::uint32_t rank = 0;
        for (std::size_t k = 0; k < texts.size(); ++k) {
            const std::uint32_t prev = k > 0 ? texts[k - 1] : 0;
            const std::uint32_t cur = texts[k];
            const bool both_simple = keys[prev] != no_simple_key && keys[cur] != no_simple_key;
            if (k > 0 && (both_simple ? keys[prev] != keys[cur]
                                      : found[firsts[prev]].record.version != found[firsts[cur]].record.version)) {
                ++rank;
            }
            rank_of_text[texts[k]] = rank;
        }
        for (std::size_t i = 0; i < found.size(); ++i) version_rank[i] = rank_of_text[text_of[i]];
    }
    // The order up to the build number (a strict weak order), then the dependency score within
    // groups of equal keys, then timestamp, channel and file name.
    auto primary = [&](std::size_t ia, std::size_t ib) -> int {
        const CondaCandidate& a = found[ia];
        const CondaCandidate& b = found[ib];
        if (locked[ia] != locked[ib]) return locked[ia] > locked[ib] ? -1 : 1;
        if (priority != ChannelPriority::disabled && a.channel_rank != b.channel_rank) {
            return a.channel_rank < b.channel_rank ? -1 : 1;
        }
        if (a.record.track_features.size() != b.record.track_features.size()) {
            return a.record.track_features.size() < b.record.track_features.size() ? -1 : 1;
        }
        if (version_rank[ia] != version_rank[ib]) return version_rank[ia] < version_rank[ib] ? -1 : 1;
        if (a.record.build_number != b.record.build_number) return a.record.build_number > b.record.build_number ? -1 : 1;
        return 0;
    };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t ia, std::size_t ib) { return primary(ia, ib) < 0; });
    std::vector<int> wins(found.size(), 0);
    std::vector<std::vector<Impl::DependencyKey>> keys;
    for (std::size_t begin = 0; begin < order.size();) {
        std::size_t end = begin + 1;
        while (end < order.size() && primary(order[begin], order[end]) == 0) ++end;
        if (end - begin > 1) {
            keys.clear();
            for (std::size_t i = begin; i < end; ++i) keys.push_back(Impl::dependency_keys(found[order[i]].record));
            for (std::size_t i = begin; i < end; ++i) {
                for (std::size_t j = i + 1; j < end; ++j) {
                    const int c = m.compare_dependencies(keys[i - begin], keys[j - begin]);
                    wins[order[i]] += c;
                    wins[order[j]] -= c;
                }
            }
            std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(begin),
                             order.begin() + static_cast<std::ptrdiff_t>(end), [&](std::size_t ia, std::size_t ib) {
                const auto& ra = found[ia].record;
                const auto& rb = found[ib].record;
                if (wins[ia] != wins[ib]) return wins[ia] > wins[ib];
                if (ra.timestamp != rb.timestamp) return ra.timestamp > rb.timestamp;
                if (found[ia].channel_rank != found[ib].channel_rank) return found[ia].channel_rank < found[ib].channel_rank;
                return ra.fn < rb.fn;
            });
        }
        begin = end;
    }
    std::uint32_t best_rank = std::numeric_limits<std::uint32_t>::max();
    for (const auto& c : found) best_rank = std::min(best_rank, c.channel_rank);
    std::vector<SolvableId> ids;
    ids.reserve(found.size());
    m.solvables.reserve(m.solvables.size() + found.size());
    for (std::size_t i : order) {
        const auto id = static_cast<SolvableId>(m.solvables.size());
        const bool hidden = priority == ChannelPriority::strict && found[i].channel_rank != best_rank;
        m.solvables.push_back(&found[i]);
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
        if (spec.matches(m_impl->solvables[s]->record)) out.push_back(s);
    }
    return out;
}

Dependencies CondaProvider::dependencies(SolvableId solvable) {
    Impl& m = *m_impl;
    const specs::PackageRecord& record = m.solvables.at(solvable)->record;
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
    const auto& c = *m_impl->solvables[solvable];
    return Exclusion{"solver.excluded.channel_priority",
                     fmt::format("channel priority is strict and an earlier channel has `{}`",
                                 c.record.name),
                     {{"channel", c.record.channel}, {"name", c.record.name}}};
}

std::string CondaProvider::display_name(NameId name) const { return m_impl->names.at(name); }

std::string CondaProvider::display_solvable(SolvableId solvable) const {
    const auto& r = m_impl->solvables.at(solvable)->record;
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

std::string CondaProvider::display_set(VersionSetId set) const {
    if (auto it = m_impl->set_display.find(set); it != m_impl->set_display.end()) return it->second;
    return m_impl->set_text.at(set);
}

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
