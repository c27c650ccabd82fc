// Rendering of an unsatisfiable core as a derivation tree. Every candidate that could have met
// a requirement in the core is refuted by some clause of the core: it is excluded, pinned
// out, needs something that cannot be had, is restricted by another package, or clashes
// with another candidate of its name that something else needs. Candidates of one name with
// the same refutation are shown together (`b 1.0 | 2.0 | 3.0 requires a ==1.0`), and a
// requirement is unfolded once; later mentions say "see above".
#include "envsmith/solver/explain.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

namespace envsmith::solver {
namespace {

using Args = std::vector<std::pair<std::string, std::string>>;

struct Reason {
    enum class Kind : std::uint8_t { excluded, pinned, requires_, conflicts, constrains, constrained };
    Kind kind;
    std::string key;                 // groups candidates with the same refutation
    const ConflictClause* clause = nullptr;
    std::vector<SolvableId> others;  // conflicts: the clashing candidates
};

class Renderer {
public:
    Renderer(const Unsolvable& u, const Provider& p) : m_provider(p) {
        for (const auto& c : u.core) {
            switch (c.kind) {
            case ConflictClause::Kind::root_requires: m_roots.push_back(&c); break;
            case ConflictClause::Kind::requires_: m_requires[c.solvable].push_back(&c); break;
            case ConflictClause::Kind::constrains:
                m_constrains[c.solvable].push_back(&c);
                m_constrained[c.other].push_back(&c);
                break;
            case ConflictClause::Kind::pin: m_pins[c.other] = &c; break;
            case ConflictClause::Kind::same_name:
                m_same[c.solvable].push_back(c.other);
                m_same[c.other].push_back(c.solvable);
                break;
            case ConflictClause::Kind::excluded: m_excluded[c.solvable] = &c; break;
            }
        }
    }

    std::vector<ExplanationLine> run() {
        std::stable_sort(m_roots.begin(), m_roots.end(),
                         [](const auto* a, const auto* b) { return a->requirement < b->requirement; });
        add(0, "solver.explain.header", {}, "The request cannot be satisfied:");
        for (const ConflictClause* root : m_roots) {
            const std::string spec = requirement_text(root->wanted);
            add(1, "solver.explain.asked", {{"spec", spec}}, fmt::format("you asked for {}", spec));
            m_unfolded.insert(spec);
            candidates(2, *root);
        }
        return std::move(m_lines);
    }

private:
    std::string requirement_text(const Requirement& r) const {
        std::string out;
        for (VersionSetId set : r.any_of) {
            if (!out.empty()) out += " | ";
            out += m_provider.display_set(set);
        }
        return out;
    }

    std::string versions(const std::vector<SolvableId>& group) const {
        std::string out;
        for (SolvableId s : group) {
            if (!out.empty()) out += " | ";
            out += m_provider.display_solvable(s);
        }
        return out;
    }

    void add(std::uint32_t depth, std::string id, Args args, std::string text) {
        m_lines.push_back(ExplanationLine{depth, std::move(id), std::move(args), std::move(text)});
    }

    std::vector<Reason> reasons_of(SolvableId s) const {
        std::vector<Reason> out;
        if (auto it = m_excluded.find(s); it != m_excluded.end()) {
            const auto& e = it->second->exclusion;
            out.push_back({Reason::Kind::excluded, "x:" + (e ? e->reason : std::string()), it->second, {}});
        }
        if (auto it = m_pins.find(s); it != m_pins.end()) {
            out.push_back({Reason::Kind::pinned, "p:" + std::to_string(it->second->set), it->second, {}});
        }
        if (auto it = m_requires.find(s); it != m_requires.end()) {
            for (const ConflictClause* c : it->second) {
                out.push_back({Reason::Kind::requires_, "r:" + requirement_text(c->wanted), c, {}});
            }
        }
        if (auto it = m_constrains.find(s); it != m_constrains.end()) {
            for (const ConflictClause* c : it->second) {
                out.push_back({Reason::Kind::constrains, "c:" + std::to_string(c->set) + ":" + std::to_string(c->other), c, {}});
            }
        }
        if (auto it = m_constrained.find(s); it != m_constrained.end()) {
            for (const ConflictClause* c : it->second) {
                out.push_back({Reason::Kind::constrained, "k:" + std::to_string(c->set) + ":" + std::to_string(c->solvable), c, {}});
            }
        }
        if (auto it = m_same.find(s); it != m_same.end()) {
            std::vector<SolvableId> others = it->second;
            std::sort(others.begin(), others.end());
            others.erase(std::unique(others.begin(), others.end()), others.end());
            std::string key = "s:";
            for (SolvableId o : others) key += std::to_string(o) + ",";
            // Candidates of one name that clash with each other are grouped by the clash
            // with candidates outside the group, so the key leaves out the group itself.
            out.push_back({Reason::Kind::conflicts, "s", nullptr, std::move(others)});
        }
        return out;
    }

    // What exists of a name a requirement matches nothing of: the best few, with the name.
    std::string available_text(const std::vector<SolvableId>& others) const {
        constexpr std::size_t shown = 4;
        std::vector<SolvableId> first(others.begin(), others.begin() + static_cast<std::ptrdiff_t>(std::min(shown, others.size())));
        std::string out = m_provider.display_name(m_provider.name_of(others.front())) + " " + versions(first);
        if (others.size() > shown) out += fmt::format(" (and {} more)", others.size() - shown);
        return out;
    }

    // The candidates of a requirement, grouped by name and refutation.
    void candidates(std::uint32_t depth, const ConflictClause& req) {
        if (req.candidates.empty() && !req.others.empty()) {
            const std::string text = requirement_text(req.wanted);
            const std::string available = available_text(req.others);
            add(depth, "solver.explain.unavailable", {{"requirement", text}, {"available", available}},
                fmt::format("no version matches {}; only {} exists", text, available));
            return;
        }
        if (req.candidates.empty()) {
            const std::string text = requirement_text(req.wanted);
            add(depth, "solver.explain.nothing_provides", {{"requirement", text}},
                fmt::format("nothing provides {}", text));
            return;
        }
        // Group, keeping the provider's order (best first).
        std::vector<std::pair<std::string, std::vector<SolvableId>>> groups;
        std::map<std::string, std::vector<Reason>> group_reasons;
        for (SolvableId s : req.candidates) {
            std::vector<Reason> reasons = reasons_of(s);
            std::string key = m_provider.display_name(m_provider.name_of(s)) + "\n";
            for (const auto& r : reasons) key += r.key + "\n";
            auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == key; });
            if (it == groups.end()) {
                groups.emplace_back(key, std::vector<SolvableId>{s});
                group_reasons[key] = std::move(reasons);
            } else {
                it->second.push_back(s);
            }
        }
        for (const auto& [key, members] : groups) {
            group(depth, members, group_reasons[key]);
        }
    }

    void group(std::uint32_t depth, const std::vector<SolvableId>& members, const std::vector<Reason>& reasons) {
        const std::string name = m_provider.display_name(m_provider.name_of(members.front()));
        const std::string vs = versions(members);
        const Args base{{"package", name}, {"versions", vs}};
        if (reasons.empty()) {
            add(depth, "solver.explain.unexplored", base,
                fmt::format("{} {} was not needed to show the conflict", name, vs));
            return;
        }
        for (const Reason& r : reasons) {
            Args args = base;
            switch (r.kind) {
            case Reason::Kind::excluded: {
                const auto& e = r.clause->exclusion;
                const std::string why = e ? e->reason : std::string("it is excluded");
                args.emplace_back("reason", why);
                add(depth, "solver.explain.excluded", args, fmt::format("{} {} cannot be used: {}", name, vs, why));
                break;
            }
            case Reason::Kind::pinned: {
                const std::string pin = m_provider.display_set(r.clause->set);
                args.emplace_back("pin", pin);
                add(depth, "solver.explain.pinned", args, fmt::format("{} {} is excluded by the pin {}", name, vs, pin));
                break;
            }
            case Reason::Kind::requires_: {
                const std::string text = requirement_text(r.clause->wanted);
                args.emplace_back("requirement", text);
                const bool fresh = m_unfolded.insert(text).second;
                if (r.clause->candidates.empty() && !r.clause->others.empty()) {
                    const std::string available = available_text(r.clause->others);
                    args.emplace_back("available", available);
                    add(depth, "solver.explain.requires_unavailable", args,
                        fmt::format("{} {} requires {}, but only {} exists", name, vs, text, available));
                } else if (r.clause->candidates.empty()) {
                    add(depth, "solver.explain.requires_missing", args,
                        fmt::format("{} {} requires {}, which nothing provides", name, vs, text));
                } else if (fresh) {
                    add(depth, "solver.explain.requires", args, fmt::format("{} {} requires {}", name, vs, text));
                    candidates(depth + 1, *r.clause);
                } else {
                    add(depth, "solver.explain.requires_seen", args,
                        fmt::format("{} {} requires {}, which cannot be installed (see above)", name, vs, text));
                }
                break;
            }
            case Reason::Kind::conflicts: {
                std::vector<SolvableId> outside;
                for (SolvableId o : r.others) {
                    if (std::find(members.begin(), members.end(), o) == members.end()) outside.push_back(o);
                }
                const std::string other = outside.empty() ? vs : versions(outside);
                args.emplace_back("other", other);
                add(depth, "solver.explain.conflicts", args,
                    fmt::format("{} {} conflicts with {} {}, which is needed too", name, vs, name, other));
                break;
            }
            case Reason::Kind::constrains: {
                const std::string constraint = m_provider.display_set(r.clause->set);
                const std::string other = m_provider.display_name(m_provider.name_of(r.clause->other)) + " " +
                                          m_provider.display_solvable(r.clause->other);
                args.emplace_back("constraint", constraint);
                args.emplace_back("other", other);
                add(depth, "solver.explain.constrains", args,
                    fmt::format("{} {} allows only {}, which excludes {}", name, vs, constraint, other));
                break;
            }
            case Reason::Kind::constrained: {
                const std::string constraint = m_provider.display_set(r.clause->set);
                const std::string by = m_provider.display_name(m_provider.name_of(r.clause->solvable)) + " " +
                                       m_provider.display_solvable(r.clause->solvable);
                args.emplace_back("constraint", constraint);
                args.emplace_back("by", by);
                add(depth, "solver.explain.constrained", args,
                    fmt::format("{} {} is excluded by {}, which allows only {}", name, vs, by, constraint));
                break;
            }
            }
        }
    }

    const Provider& m_provider;
    std::vector<const ConflictClause*> m_roots;
    std::map<SolvableId, std::vector<const ConflictClause*>> m_requires;
    std::map<SolvableId, std::vector<const ConflictClause*>> m_constrains;
    std::map<SolvableId, std::vector<const ConflictClause*>> m_constrained;
    std::map<SolvableId, const ConflictClause*> m_pins;
    std::map<SolvableId, std::vector<SolvableId>> m_same;
    std::map<SolvableId, const ConflictClause*> m_excluded;
    std::set<std::string> m_unfolded;
    std::vector<ExplanationLine> m_lines;
};

}  // namespace

std::vector<ExplanationLine> explain(const Unsolvable& unsolvable, const Provider& provider) {
    return Renderer(unsolvable, provider).run();
}

}  // namespace envsmith::solver
