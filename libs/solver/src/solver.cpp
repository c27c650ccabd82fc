// The CDCL engine. Variables are candidates (plus variable 0, the root, true from the start).
// Clauses come in a few kinds, all added lazily:
//   requirement   (¬parent ∨ c1 ∨ ... ∨ cn): parent (or the root) needs one of the candidates;
//   constrains    (¬parent ∨ ¬c): parent restricts c's name and c is outside the restriction;
//   learnt        derived by conflict analysis (first unique implication point).
// "At most one candidate per name" is not stored as clauses: a candidate that becomes true
// makes every other candidate of its name false on the spot, and the pair (¬a ∨ ¬b) is
// materialised only when conflict analysis or an explanation needs it.
// A candidate's dependencies are asked for when it first becomes true; a name's candidates
// when a requirement or constraint first mentions it. Decisions only ever install: pick an
// unsatisfied requirement of the root or of an installed candidate (the user's first, in the
// order given; then the names most involved in recent conflicts, then the fewest remaining
// choices) and install
// its best candidate that is still possible. When no requirement is left unsatisfied, the
// true candidates are the solution; candidates never decided are not installed.
#include "envsmith/solver/solver.hpp"

#include <algorithm>
#include <cassert>
#include <limits>
#include <map>
#include <set>

#include <fmt/format.h>

namespace envsmith::solver {
namespace {

using Var = std::uint32_t;  // 0 is the root; candidate s is variable s + 1
using Lit = std::uint32_t;  // variable << 1 | negated

constexpr Lit pos(Var v) { return v << 1; }
constexpr Lit neg(Var v) { return (v << 1) | 1U; }
constexpr Var var_of(Lit l) { return l >> 1; }
constexpr bool is_negated(Lit l) { return (l & 1U) != 0; }
constexpr Lit negate(Lit l) { return l ^ 1U; }
constexpr Var root_var = 0;
constexpr std::uint32_t restart_after_refutations = 5;
constexpr std::uint32_t max_restarts = 16;
constexpr SolvableId solvable_of(Var v) { return v - 1; }
constexpr Var var_for(SolvableId s) { return s + 1; }

// A reason is a clause index, a "same name" implication (the bit below plus the variable that
// was installed), or nothing (a decision, or the root fact).
using Reason = std::uint32_t;
constexpr Reason no_reason = std::numeric_limits<Reason>::max();
constexpr Reason same_name_bit = 0x80000000U;

// An antecedent, as kept for learnt clauses and explanations: a clause index, or an index
// into the table of materialised same-name pairs (with the bit set).
using Antecedent = std::uint32_t;

enum class ClauseKind : std::uint8_t { requirement, constrains, learnt };

struct Clause {
    std::uint32_t begin = 0;  // into m_lits
    std::uint32_t size = 0;
    ClauseKind kind = ClauseKind::requirement;
    Var parent = 0;                 // requirement, constrains
    std::uint32_t index = 0;        // requirement: index of the requirement; constrains: set
    Var other = 0;                  // constrains: the candidate outside the set
    std::uint32_t cand_begin = 0;   // requirement: candidates in preference order (m_cands)
    std::uint32_t cand_size = 0;
    std::uint32_t why_begin = 0;    // learnt: antecedents (m_why)
    std::uint32_t why_size = 0;
    Lit satisfied_by = 0;           // requirement: a cached true literal (0: none known)
    NameId name = 0;                // requirement: the name of every candidate, or mixed_names
};
constexpr NameId mixed_names = std::numeric_limits<NameId>::max();

struct VersionSetInfo {
    bool loaded = false;
    std::vector<SolvableId> matching;  // every candidate of the name in the set, best first
};

class Engine {
public:
    Engine(Provider& provider, const Problem& problem, const SolveOptions& options)
        : m_provider(provider), m_problem(problem), m_options(options) {
        ensure_var(root_var);
    }

    core::Result<Outcome> run();

private:
    // --- variables ----------------------------------------------------------------------
    void ensure_var(Var v) {
        if (v < m_value.size()) return;
        const std::size_t n = static_cast<std::size_t>(v) + 1;
        m_value.resize(n, -1);
        m_level.resize(n, 0);
        m_reason.resize(n, no_reason);
        m_seen.resize(n, 0);
        m_expanded.resize(n, 0);
        m_var_name.resize(n, 0);
        m_excluded.resize(n, 0);
        m_stamp.resize(n, 0);
        m_watches.resize(2 * n);
    }
    [[nodiscard]] std::int8_t value(Lit l) const {
        const std::int8_t v = m_value[var_of(l)];
        if (v < 0) return -1;
        return static_cast<std::int8_t>(is_negated(l) ? 1 - v : v);
    }
    [[nodiscard]] std::uint32_t level() const {
        return static_cast<std::uint32_t>(m_trail_lim.size());
    }
    void assign(Lit l, Reason reason) {
        const Var v = var_of(l);
        m_value[v] = is_negated(l) ? 0 : 1;
        m_level[v] = level();
        m_reason[v] = reason;
        m_trail.push_back(l);
        if (!is_negated(l) && v != root_var) {
            m_name_true[m_var_name[v]] = v;
        }
    }

    // --- names and version sets -----------------------------------------------------------
    const std::vector<SolvableId>& load_name(NameId name);
    const std::vector<SolvableId>& set_candidates(VersionSetId set);

    // --- clauses --------------------------------------------------------------------------
    // Adds a clause during the search, choosing its watches so that the usual invariants hold
    // after any backjump. Returns the clause index; sets `conflict` when every literal is
    // false, enqueues the remaining literal when exactly one is not (unless a conflict is
    // already pending).
    std::uint32_t add_clause(std::vector<Lit>& lits, Clause clause, std::optional<Reason>& conflict);
    void watch(std::uint32_t index) {
        const Clause& c = m_clauses[index];
        m_watches[m_lits[c.begin]].push_back(index);
        if (c.size > 1) m_watches[m_lits[c.begin + 1]].push_back(index);
    }
    std::optional<Reason> add_requirement(Var parent, std::uint32_t index, const Requirement& req);
    std::optional<Reason> expand(Var v);
    std::optional<Reason> expand_new();

    // --- search ---------------------------------------------------------------------------
    std::optional<Reason> propagate();
    void reason_lits(Reason reason, Var implied, std::vector<Lit>& out) const;
    Antecedent antecedent_of(Reason reason, Var implied);
    std::uint32_t pair_index(Var a, Var b);
    void analyze(Reason conflict, std::vector<Lit>& learnt,
                 std::vector<Antecedent>& why, std::uint32_t& backjump);
    void backjump(std::uint32_t target);
    std::optional<Var> decide();
    Reason m_violated = no_reason;  // set by decide() when it finds a violated requirement
    void bump(Var v);

    Unsolvable explain(Reason conflict);
    void collect_core(Antecedent first, std::vector<Antecedent>& out);

    Provider& m_provider;
    const Problem& m_problem;
    const SolveOptions& m_options;
    SolveStats m_stats;

    std::vector<std::int8_t> m_value;  // per variable: -1 unassigned, 0 false, 1 true
    std::vector<std::uint32_t> m_level;
    std::vector<Reason> m_reason;
    std::vector<std::uint8_t> m_seen;
    std::vector<std::uint8_t> m_expanded;
    std::vector<NameId> m_var_name;
    std::vector<std::uint8_t> m_excluded;
    std::vector<std::uint32_t> m_stamp;  // add_requirement: last requirement that listed the var
    std::uint32_t m_stamp_now = 0;
    std::vector<std::vector<std::uint32_t>> m_watches;  // per literal: clauses watching it
    std::vector<Lit> m_trail;
    std::vector<std::size_t> m_trail_lim;
    std::size_t m_qhead = 0;
    std::size_t m_expand_head = 0;

    std::vector<Lit> m_lits;
    std::vector<Var> m_cands;
    std::vector<Antecedent> m_why;
    std::vector<Clause> m_clauses;
    std::vector<std::uint32_t> m_requirement_clauses;
    std::vector<Var> m_requirement_parents;  // the parent of each, for decide()'s scan
    std::vector<std::pair<Var, Var>> m_pairs;  // materialised same-name pairs
    std::map<std::pair<Var, Var>, std::uint32_t> m_pair_index;

    // Per name, indexed by NameId (grown as names are loaded): its candidates, whether they
    // were asked for, the installed candidate (0: none), the activity from conflicts.
    std::vector<std::vector<SolvableId>> m_names;
    std::vector<std::uint8_t> m_name_loaded;
    std::vector<Var> m_name_true;
    std::vector<double> m_activity;
    void ensure_name(NameId name) {
        if (name < m_names.size()) return;
        const std::size_t n = static_cast<std::size_t>(name) + 1;
        m_names.resize(n);
        m_name_loaded.resize(n, 0);
        m_name_true.resize(n, 0);
        m_activity.resize(n, 0.0);
    }
    [[nodiscard]] const std::vector<SolvableId>* loaded_name(NameId name) const {
        return name < m_names.size() && m_name_loaded[name] != 0 ? &m_names[name] : nullptr;
    }
    double m_activity_step = 1.0;
    std::vector<VersionSetInfo> m_sets;
    // Requests whose candidates kept being refuted under an earlier decision get decided
    // earlier after a restart (uv's answer to "wrong backtracking"): the count of refutations
    // per name, the promotion rank per name, the names the user asked for, restarts so far.
    std::map<NameId, std::uint32_t> m_refuted;
    std::map<NameId, std::uint32_t> m_promoted;
    std::set<NameId> m_root_names;
    std::uint32_t m_restarts = 0;
    [[nodiscard]] std::uint32_t promotion(NameId name) const {
        const auto it = m_promoted.find(name);
        return it == m_promoted.end() ? 0 : it->second;
    }
    // Unsatisfiable units ("nothing provides"): requirement clauses of one literal.
    std::vector<std::uint32_t> m_units;
    std::map<Var, std::uint32_t> m_pin_of;   // a pinned-out candidate: which pin
    std::map<Var, Dependencies> m_deps;      // what each expanded candidate needs
};

const std::vector<SolvableId>& Engine::load_name(NameId name) {
    ensure_name(name);
    if (m_name_loaded[name] != 0) return m_names[name];
    std::vector<SolvableId> candidates = m_provider.candidates(name);
    ++m_stats.names_loaded;
    for (SolvableId s : candidates) {
        const Var v = var_for(s);
        ensure_var(v);
        m_var_name[v] = name;
        if (m_provider.excluded(s)) m_excluded[v] = 1;
    }
    m_name_loaded[name] = 1;
    m_names[name] = std::move(candidates);
    return m_names[name];
}

const std::vector<SolvableId>& Engine::set_candidates(VersionSetId set) {
    if (set >= m_sets.size()) m_sets.resize(static_cast<std::size_t>(set) + 1);
    if (!m_sets[set].loaded) {
        const std::vector<SolvableId>& all = load_name(m_provider.name_of_set(set));
        m_sets[set].matching = m_provider.filter(set, all);
        m_sets[set].loaded = true;
    }
    return m_sets[set].matching;
}

std::uint32_t Engine::add_clause(std::vector<Lit>& lits, Clause clause,
                                 std::optional<Reason>& conflict) {
    // Order: true literals, then unassigned, then false ones from the highest level down.
    auto rank = [&](Lit l) -> std::int64_t {
        const std::int8_t v = value(l);
        if (v == 1) return -2;
        if (v < 0) return -1;
        return -static_cast<std::int64_t>(m_level[var_of(l)]) + std::numeric_limits<std::int32_t>::max();
    };
    // Only the first two positions matter; a partial selection keeps the rest in order.
    for (std::size_t k = 0; k < std::min<std::size_t>(2, lits.size()); ++k) {
        std::size_t best = k;
        for (std::size_t j = k + 1; j < lits.size(); ++j) {
            if (rank(lits[j]) < rank(lits[best])) best = j;
        }
        std::swap(lits[k], lits[best]);
    }
    clause.begin = static_cast<std::uint32_t>(m_lits.size());
    clause.size = static_cast<std::uint32_t>(lits.size());
    m_lits.insert(m_lits.end(), lits.begin(), lits.end());
    const auto index = static_cast<std::uint32_t>(m_clauses.size());
    m_clauses.push_back(clause);
    // A clause of one literal (a requirement nothing provides) is watched on that literal: if
    // it is false now and a conflict is already pending, or becomes false after a backjump,
    // propagation reports it then.
    if (!lits.empty()) watch(index);

    const std::int8_t first = lits.empty() ? 0 : value(lits[0]);
    const std::int8_t second = lits.size() < 2 ? 0 : value(lits[1]);
    if (first == 0) {
        if (!conflict) conflict = index;
    } else if (first < 0 && second == 0 && !conflict) {
        assign(lits[0], index);
    }
    return index;
}

std::optional<Reason> Engine::add_requirement(Var parent, std::uint32_t index,
                                              const Requirement& req) {
    std::vector<Var> cands;
    // A variable listed by an earlier set of this requirement carries this stamp.
    const std::uint32_t stamp = ++m_stamp_now;
    bool self = false;
    for (VersionSetId set : req.any_of) {
        const std::vector<SolvableId>& matching = set_candidates(set);
        cands.reserve(cands.size() + matching.size());
        for (SolvableId s : matching) {
            const Var v = var_for(s);
            if (m_excluded[v] || m_stamp[v] == stamp) continue;
            m_stamp[v] = stamp;
            cands.push_back(v);
            self = self || v == parent;
        }
    }
    if (self) {
        return std::nullopt;  // a candidate that satisfies its own requirement
    }
    Clause clause;
    clause.kind = ClauseKind::requirement;
    clause.parent = parent;
    clause.index = index;
    clause.cand_begin = static_cast<std::uint32_t>(m_cands.size());
    clause.cand_size = static_cast<std::uint32_t>(cands.size());
    m_cands.insert(m_cands.end(), cands.begin(), cands.end());
    clause.name = cands.empty() ? mixed_names : m_var_name[cands.front()];
    for (Var v : cands) {
        if (m_var_name[v] != clause.name) {
            clause.name = mixed_names;
            break;
        }
    }

    std::vector<Lit> lits;
    lits.reserve(cands.size() + 1);
    lits.push_back(neg(parent));
    for (Var v : cands) lits.push_back(pos(v));
    std::optional<Reason> conflict;
    const std::uint32_t added = add_clause(lits, clause, conflict);
    m_requirement_clauses.push_back(added);
    m_requirement_parents.push_back(parent);
    if (cands.empty()) m_units.push_back(added);
    return conflict;
}

std::optional<Reason> Engine::expand(Var v) {
    m_expanded[v] = 1;
    ++m_stats.solvables_expanded;
    const SolvableId s = solvable_of(v);
    const Dependencies& deps = m_deps[v] = m_provider.dependencies(s);
    std::optional<Reason> conflict;
    for (std::size_t i = 0; i < deps.requires_.size(); ++i) {
        auto c = add_requirement(v, static_cast<std::uint32_t>(i), deps.requires_[i]);
        if (c && !conflict) conflict = c;
    }
    for (VersionSetId set : deps.constrains) {
        const NameId name = m_provider.name_of_set(set);
        const std::vector<SolvableId>& all = load_name(name);
        const std::vector<SolvableId>& inside = set_candidates(set);
        const std::uint32_t allowed = ++m_stamp_now;
        for (SolvableId member : inside) m_stamp[var_for(member)] = allowed;
        for (SolvableId other : all) {
            const Var ov = var_for(other);
            if (ov == v || m_excluded[ov] || m_stamp[ov] == allowed) continue;
            Clause clause;
            clause.kind = ClauseKind::constrains;
            clause.parent = v;
            clause.index = set;
            clause.other = ov;
            std::vector<Lit> lits{neg(v), neg(ov)};
            add_clause(lits, clause, conflict);
        }
    }
    return conflict;
}

// Expands every candidate installed since the last call. Stops early only to report a
// conflict (the candidate that raised it is fully expanded).
std::optional<Reason> Engine::expand_new() {
    while (m_expand_head < m_trail.size()) {
        const Lit l = m_trail[m_expand_head++];
        const Var v = var_of(l);
        if (is_negated(l) || v == root_var || m_expanded[v]) continue;
        if (auto conflict = expand(v)) return conflict;
    }
    return std::nullopt;
}

std::optional<Reason> Engine::propagate() {
    while (m_qhead < m_trail.size()) {
        const Lit p = m_trail[m_qhead++];
        ++m_stats.propagations;
        const Var pv = var_of(p);
        if (!is_negated(p) && pv != root_var) {
            // At most one candidate per name.
            const NameId name = m_var_name[pv];
            for (SolvableId other : m_names[name]) {
                const Var ov = var_for(other);
                if (ov == pv) continue;
                if (m_value[ov] == 1) return same_name_bit | 0x40000000U | pair_index(pv, ov);
                if (m_value[ov] < 0) assign(neg(ov), same_name_bit | pv);
            }
        }
        const Lit false_lit = negate(p);
        std::vector<std::uint32_t>& ws = m_watches[false_lit];
        std::size_t i = 0;
        std::size_t j = 0;
        while (i < ws.size()) {
            const std::uint32_t ci = ws[i++];
            Clause& c = m_clauses[ci];
            Lit* lits = &m_lits[c.begin];
            if (c.size == 1) {
                ws[j++] = ci;
                while (i < ws.size()) ws[j++] = ws[i++];
                ws.resize(j);
                return ci;
            }
            if (lits[0] == false_lit) std::swap(lits[0], lits[1]);
            if (value(lits[0]) == 1) {
                ws[j++] = ci;
                continue;
            }
            bool moved = false;
            for (std::uint32_t k = 2; k < c.size; ++k) {
                if (value(lits[k]) != 0) {
                    std::swap(lits[1], lits[k]);
                    m_watches[lits[1]].push_back(ci);
                    moved = true;
                    break;
                }
            }
            if (moved) continue;
            ws[j++] = ci;
            if (value(lits[0]) == 0) {
                while (i < ws.size()) ws[j++] = ws[i++];
                ws.resize(j);
                return ci;
            }
            assign(lits[0], ci);
        }
        ws.resize(j);
    }
    return std::nullopt;
}

// The literals of a reason, as a clause. A conflict between two installed candidates of one
// name is encoded as a reason with both high bits set and an index into m_pairs.
void Engine::reason_lits(Reason reason, Var implied, std::vector<Lit>& out) const {
    out.clear();
    if ((reason & same_name_bit) != 0) {
        if ((reason & 0x40000000U) != 0) {
            const auto& pair = m_pairs[reason & 0x3FFFFFFFU];
            out.push_back(neg(pair.first));
            out.push_back(neg(pair.second));
        } else {
            out.push_back(neg(implied));
            out.push_back(neg(reason & ~same_name_bit));
        }
        return;
    }
    const Clause& c = m_clauses[reason];
    out.insert(out.end(), m_lits.begin() + c.begin, m_lits.begin() + c.begin + c.size);
}

Antecedent Engine::antecedent_of(Reason reason, Var implied) {
    if ((reason & same_name_bit) == 0) return reason;
    if ((reason & 0x40000000U) != 0) return same_name_bit | (reason & 0x3FFFFFFFU);
    return same_name_bit | pair_index(reason & ~same_name_bit, implied);
}

// One entry per unordered pair, so that an antecedent names a pair exactly once.
std::uint32_t Engine::pair_index(Var a, Var b) {
    const auto key = std::make_pair(std::min(a, b), std::max(a, b));
    auto [it, inserted] = m_pair_index.emplace(key, static_cast<std::uint32_t>(m_pairs.size()));
    if (inserted) m_pairs.push_back(key);
    return it->second;
}

void Engine::bump(Var v) {
    double& a = m_activity[m_var_name[v]];
    a += m_activity_step;
    if (a > 1e100) {
        for (double& value : m_activity) value *= 1e-100;
        m_activity_step *= 1e-100;
    }
}

void Engine::analyze(Reason conflict, std::vector<Lit>& learnt,
                     std::vector<Antecedent>& why, std::uint32_t& backjump_level) {
    learnt.assign(1, 0);
    why.clear();
    std::vector<Lit> lits;
    std::vector<Var> touched;
    std::uint32_t counter = 0;
    Reason reason = conflict;
    Var implied = 0;
    std::size_t index = m_trail.size();
    const std::uint32_t current = level();
    Lit p = 0;
    bool have_p = false;
    for (;;) {
        why.push_back(antecedent_of(reason, implied));
        reason_lits(reason, implied, lits);
        for (Lit q : lits) {
            const Var v = var_of(q);
            if (have_p && v == var_of(p)) continue;
            if (m_seen[v] || v == root_var) continue;
            if (m_level[v] == 0) continue;  // facts: the explanation re-derives them
            m_seen[v] = 1;
            touched.push_back(v);
            bump(v);
            if (m_level[v] >= current) {
                ++counter;
            } else {
                learnt.push_back(q);
            }
        }
        // The next seen literal on the trail, walking back.
        do {
            --index;
        } while (!m_seen[var_of(m_trail[index])]);
        p = m_trail[index];
        have_p = true;
        m_seen[var_of(p)] = 0;
        --counter;
        if (counter == 0) break;
        reason = m_reason[var_of(p)];
        implied = var_of(p);
    }
    learnt[0] = negate(p);
    for (Var v : touched) m_seen[v] = 0;

    backjump_level = 0;
    std::size_t max_at = 1;
    for (std::size_t k = 1; k < learnt.size(); ++k) {
        const std::uint32_t l = m_level[var_of(learnt[k])];
        if (l > backjump_level) {
            backjump_level = l;
            max_at = k;
        }
    }
    if (learnt.size() > 1) std::swap(learnt[1], learnt[max_at]);
    m_activity_step *= 1.05;
}

void Engine::backjump(std::uint32_t target) {
    if (level() <= target) return;
    const std::size_t keep = m_trail_lim[target];
    for (std::size_t k = m_trail.size(); k > keep; --k) {
        const Lit l = m_trail[k - 1];
        const Var v = var_of(l);
        if (!is_negated(l)) m_name_true[m_var_name[v]] = 0;
        m_value[v] = -1;
        m_reason[v] = no_reason;
    }
    m_trail.resize(keep);
    m_trail_lim.resize(target);
    m_qhead = keep;
    m_expand_head = std::min(m_expand_head, keep);
}

// Picks the next decision (see the file comment). Equivalent to scanning every requirement
// clause of an installed parent and counting each one's open candidates, but cheaper: the
// parents are scanned in a compact array; the user's requests all come first, so once one of
// them is open no later clause can win; a clause on one name is satisfied or violated as
// soon as its name has an installed candidate (propagation has made every other candidate of
// the name false), so only the clauses of names without one are walked, and then only up to
// their first open candidate, and counted only as far as needed to beat the best so far.
std::optional<Var> Engine::decide() {
    struct Choice {
        bool from_root = false;
        double activity = 0;
        std::uint32_t count = 0;
        Var var = 0;
    };
    std::optional<Choice> best;
    // Open candidates of `c` from position `k` (the first open one), stopping at `limit`.
    auto count_open = [&](const Clause& c, std::uint32_t k, std::uint32_t limit) {
        std::uint32_t count = 0;
        for (; k < c.cand_size && count < limit; ++k) {
            if (m_value[m_cands[c.cand_begin + k]] < 0) ++count;
        }
        return count;
    };
    const std::size_t clauses = m_requirement_clauses.size();
    for (std::size_t at = 0; at < clauses; ++at) {
        const Var parent = m_requirement_parents[at];
        if (m_value[parent] != 1) continue;
        const bool from_root = parent == root_var;
        // Root requirements are added before any other: nothing after them can beat one.
        if (best && best->from_root && !from_root) break;
        const std::uint32_t ci = m_requirement_clauses[at];
        Clause& c = m_clauses[ci];
        if (c.satisfied_by != 0 && value(c.satisfied_by) == 1) continue;
        if (c.name != mixed_names && m_name_true[c.name] != 0) {
            const Var installed = m_name_true[c.name];
            const Var* cands = &m_cands[c.cand_begin];
            if (std::find(cands, cands + c.cand_size, installed) != cands + c.cand_size) {
                c.satisfied_by = pos(installed);
                continue;
            }
            // Every candidate is false and the parent is installed: the clause is violated.
            // Propagation reports this as it happens; should it ever not, it is a conflict
            // here rather than a wrong solution.
            m_violated = ci;
            return std::nullopt;
        }
        std::uint32_t k = 0;
        bool satisfied = false;
        for (; k < c.cand_size; ++k) {
            const std::int8_t val = m_value[m_cands[c.cand_begin + k]];
            if (val < 0) break;
            if (val == 1) {
                satisfied = true;
                break;
            }
        }
        if (satisfied) {
            c.satisfied_by = pos(m_cands[c.cand_begin + k]);
            continue;
        }
        if (k == c.cand_size) {
            m_violated = ci;  // as above
            return std::nullopt;
        }
        const Var first = m_cands[c.cand_begin + k];
        if (c.name == mixed_names) {
            // Candidates of several names: one of them may be installed further on.
            bool later_true = false;
            for (std::uint32_t j = k + 1; j < c.cand_size; ++j) {
                const Var v = m_cands[c.cand_begin + j];
                if (m_value[v] == 1) {
                    c.satisfied_by = pos(v);
                    later_true = true;
                    break;
                }
            }
            if (later_true) continue;
        }
        const double activity = m_activity[m_var_name[first]];
        if (!best) {
            best = Choice{from_root, activity, from_root ? 0 : count_open(c, k, UINT32_MAX), first};
            continue;
        }
        if (from_root != best->from_root) {
            if (from_root) best = Choice{from_root, activity, 0, first};
            continue;
        }
        if (from_root) {
            // The user's requests in the order they were given, except that a request whose
            // candidates kept failing is moved ahead of the others (see run()).
            if (promotion(m_var_name[first]) > promotion(m_var_name[best->var])) {
                best = Choice{from_root, activity, 0, first};
            }
            continue;
        }
        if (activity != best->activity) {
            if (activity > best->activity) best = Choice{from_root, activity, count_open(c, k, UINT32_MAX), first};
            continue;
        }
        const std::uint32_t count = count_open(c, k, best->count);
        if (count < best->count) best = Choice{from_root, activity, count, first};
    }
    if (!best) return std::nullopt;
    return best->var;
}

void Engine::collect_core(Antecedent first, std::vector<Antecedent>& out) {
    std::vector<Antecedent> work{first};
    std::set<Antecedent> done;
    std::vector<Lit> lits;
    auto justify = [&](Var v) {
        if (v != root_var && m_value[v] >= 0 && m_level[v] == 0 && m_reason[v] != no_reason) {
            work.push_back(antecedent_of(m_reason[v], v));
        }
    };
    while (!work.empty()) {
        const Antecedent a = work.back();
        work.pop_back();
        if (!done.insert(a).second) continue;
        if ((a & same_name_bit) != 0) {
            out.push_back(a);
            const auto pair = m_pairs[a & ~same_name_bit];
            justify(pair.first);
            justify(pair.second);
            continue;
        }
        const Clause& c = m_clauses[a];
        if (c.kind == ClauseKind::learnt) {
            for (std::uint32_t k = 0; k < c.why_size; ++k) work.push_back(m_why[c.why_begin + k]);
        } else {
            out.push_back(a);
        }
        for (std::uint32_t k = 0; k < c.size; ++k) justify(var_of(m_lits[c.begin + k]));
    }
}

Unsolvable Engine::explain(Reason conflict) {
    std::vector<Antecedent> core;
    collect_core(antecedent_of(conflict, 0), core);
    Unsolvable result;
    std::set<std::pair<std::uint8_t, std::uint64_t>> excluded_seen;
    for (Antecedent a : core) {
        ConflictClause out;
        if ((a & same_name_bit) != 0) {
            const auto pair = m_pairs[a & ~same_name_bit];
            out.kind = ConflictClause::Kind::same_name;
            out.solvable = solvable_of(std::min(pair.first, pair.second));
            out.other = solvable_of(std::max(pair.first, pair.second));
            result.core.push_back(std::move(out));
            continue;
        }
        const Clause& c = m_clauses[a];
        if (c.kind == ClauseKind::constrains) {
            out.kind = ConflictClause::Kind::constrains;
            out.solvable = solvable_of(c.parent);
            out.set = c.index;
            out.other = solvable_of(c.other);
            result.core.push_back(std::move(out));
            continue;
        }
        // A requirement: also say why the candidates that match but were never options
        // (excluded, or outside a pin) could not help.
        out.requirement = c.index;
        if (c.parent == root_var) {
            out.kind = ConflictClause::Kind::root_requires;
            out.wanted = m_problem.requirements[c.index];
        } else {
            out.kind = ConflictClause::Kind::requires_;
            out.solvable = solvable_of(c.parent);
            out.wanted = m_deps[c.parent].requires_[c.index];
        }
        std::vector<ConflictClause> extra;
        for (VersionSetId set : out.wanted.any_of) {
            for (SolvableId s : m_sets[set].matching) {
                if (std::find(out.candidates.begin(), out.candidates.end(), s) == out.candidates.end()) {
                    out.candidates.push_back(s);
                }
                const Var v = var_for(s);
                if (m_excluded[v] == 0) continue;
                if (!excluded_seen.emplace(m_excluded[v], s).second) continue;
                ConflictClause why;
                why.solvable = s;
                why.other = s;
                if (m_excluded[v] == 1) {
                    why.kind = ConflictClause::Kind::excluded;
                    why.exclusion = m_provider.excluded(s);
                } else {
                    why.kind = ConflictClause::Kind::pin;
                    why.requirement = m_pin_of[v];
                    why.set = m_problem.constraints[m_pin_of[v]];
                }
                extra.push_back(std::move(why));
            }
        }
        if (out.candidates.empty()) {
            for (VersionSetId set : out.wanted.any_of) {
                const std::vector<SolvableId>* found = loaded_name(m_provider.name_of_set(set));
                if (found == nullptr) continue;
                for (SolvableId s : *found) {
                    if (std::find(out.others.begin(), out.others.end(), s) == out.others.end()) out.others.push_back(s);
                }
            }
        }
        result.core.push_back(std::move(out));
        for (auto& e : extra) result.core.push_back(std::move(e));
    }
    result.stats = m_stats;
    return result;
}

core::Result<Outcome> Engine::run() {
    assign(pos(root_var), no_reason);
    // Pins first: a candidate outside a pin on its name is never installable. The pinned
    // names are loaded now so the pin holds from the start.
    for (std::size_t i = 0; i < m_problem.constraints.size(); ++i) {
        const VersionSetId set = m_problem.constraints[i];
        const std::vector<SolvableId>& inside = set_candidates(set);
        const std::set<SolvableId> allowed(inside.begin(), inside.end());
        for (SolvableId s : load_name(m_provider.name_of_set(set))) {
            const Var v = var_for(s);
            if (allowed.count(s) != 0 || m_excluded[v] != 0) continue;
            m_excluded[v] = 2;
            m_pin_of[v] = static_cast<std::uint32_t>(i);
        }
    }
    // no_reason stands for "no conflict" here.
    Reason conflict = no_reason;
    for (std::size_t i = 0; i < m_problem.requirements.size(); ++i) {
        for (VersionSetId set : m_problem.requirements[i].any_of) m_root_names.insert(m_provider.name_of_set(set));
        auto c = add_requirement(root_var, static_cast<std::uint32_t>(i), m_problem.requirements[i]);
        if (c && conflict == no_reason) conflict = *c;
    }

    std::vector<Lit> learnt;
    std::vector<Antecedent> why;
    for (;;) {
        if (conflict == no_reason) conflict = propagate().value_or(no_reason);
        if (conflict == no_reason) {
            conflict = expand_new().value_or(no_reason);
            if (conflict == no_reason && m_qhead < m_trail.size()) continue;
        }
        if (conflict != no_reason) {
            ++m_stats.conflicts;
            if (level() == 0) return Outcome{explain(conflict)};
            if (m_options.cancel != nullptr && m_options.cancel->load(std::memory_order_relaxed)) {
                return core::Error{core::ErrorCode::cancelled, "solver.cancelled",
                                   "the solve was cancelled", {}, {}, {}, {}};
            }
            if (m_options.max_conflicts != 0 && m_stats.conflicts > m_options.max_conflicts) {
                return core::Error{core::ErrorCode::cancelled, "solver.budget",
                                   fmt::format("the solver gave up after {} conflicts",
                                               m_options.max_conflicts),
                                   {{"conflicts", std::to_string(m_options.max_conflicts)}},
                                   {}, {}, {}};
            }
            std::uint32_t target = 0;
            analyze(conflict, learnt, why, target);
            // A request whose candidates were refuted again and again while an earlier request
            // stayed decided: decide it earlier, from a restart (the learnt clauses stay).
            const NameId refuted = m_var_name[var_of(learnt[0])];
            bool restart = false;
            if (m_root_names.count(refuted) != 0 && ++m_refuted[refuted] == restart_after_refutations &&
                m_restarts < max_restarts && target > 0) {
                m_promoted[refuted] = ++m_restarts;
                restart = true;
            }
            backjump(restart ? 0 : target);
            Clause clause;
            clause.kind = ClauseKind::learnt;
            clause.why_begin = static_cast<std::uint32_t>(m_why.size());
            clause.why_size = static_cast<std::uint32_t>(why.size());
            m_why.insert(m_why.end(), why.begin(), why.end());
            clause.begin = static_cast<std::uint32_t>(m_lits.size());
            clause.size = static_cast<std::uint32_t>(learnt.size());
            m_lits.insert(m_lits.end(), learnt.begin(), learnt.end());
            const auto index = static_cast<std::uint32_t>(m_clauses.size());
            m_clauses.push_back(clause);
            if (learnt.size() >= 2) watch(index);
            ++m_stats.learnt_clauses;
            if (!restart || learnt.size() == 1) assign(learnt[0], index);
            conflict = no_reason;
            continue;
        }
        const std::optional<Var> next = decide();
        if (m_violated != no_reason) {
            // Analysis needs a literal of the current level: go back to the clause's highest.
            const Clause& c = m_clauses[m_violated];
            std::uint32_t highest = 0;
            for (std::uint32_t k = 0; k < c.size; ++k) highest = std::max(highest, m_level[var_of(m_lits[c.begin + k])]);
            backjump(highest);
            conflict = m_violated;
            m_violated = no_reason;
            continue;
        }
        if (!next) break;
        ++m_stats.decisions;
        m_trail_lim.push_back(m_trail.size());
        assign(pos(*next), no_reason);
    }
    Solution solution;
    for (Lit l : m_trail) {
        if (!is_negated(l) && var_of(l) != root_var) solution.installed.push_back(solvable_of(var_of(l)));
    }
    solution.stats = m_stats;
    return Outcome{std::move(solution)};
}

}  // namespace

core::Result<Outcome> solve(Provider& provider, const Problem& problem, const SolveOptions& options) {
    Engine engine(provider, problem, options);
    return engine.run();
}

}  // namespace envsmith::solver
