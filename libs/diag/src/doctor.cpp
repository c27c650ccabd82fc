#include "envsmith/diag/doctor.hpp"

#include <re2/re2.h>
#include <re2/set.h>

#include <algorithm>
#include <fmt/format.h>
#include <map>
#include <optional>

#include "envsmith/diag/log_lines.hpp"

namespace envsmith::diag {

namespace {

constexpr std::size_t max_evidence = 5;
constexpr std::size_t max_evidence_text = 400;
constexpr std::size_t terminal_width = 80;
constexpr std::size_t max_wrapped_lines = 6;
constexpr std::size_t block_lines = 16;
constexpr std::size_t block_bytes = 64 * 1024;
constexpr double corroboration_bonus = 0.25;
constexpr double confident = 0.8;

RE2::Options pattern_options() {
    RE2::Options options;
    // Latin-1: every byte is a character, so invalid UTF-8 in a log never stops a match.
    options.set_encoding(RE2::Options::EncodingLatin1);
    options.set_log_errors(false);
    options.set_max_mem(int64_t{256} << 20);
    return options;
}

}  // namespace

struct Doctor::Compiled {
    FailureCatalog catalog;
    std::unique_ptr<RE2::Set> set;
    /// The same patterns in multi-line mode, run once over a block of lines: most blocks of
    /// a log match nothing, and one pass over a block costs far less than one per line.
    std::unique_ptr<RE2::Set> block_set;
    struct Pattern {
        std::size_t entry = 0;
        double confidence = 0.0;
        bool context_only = false;
        std::unique_ptr<RE2> regex;
        std::vector<std::pair<int, std::string>> names;  // capture group index, name
    };
    std::vector<Pattern> patterns;
};

core::Result<Doctor> Doctor::create(FailureCatalog catalog) {
    auto compiled = std::make_unique<Compiled>();
    compiled->catalog = std::move(catalog);
    compiled->set = std::make_unique<RE2::Set>(pattern_options(), RE2::UNANCHORED);
    compiled->block_set = std::make_unique<RE2::Set>(pattern_options(), RE2::UNANCHORED);
    const auto& entries = compiled->catalog.entries();
    for (std::size_t e = 0; e < entries.size(); ++e) {
        for (const auto& signature : entries[e].signatures) {
            Compiled::Pattern pattern;
            pattern.entry = e;
            pattern.confidence = signature.confidence;
            pattern.context_only = signature.context_only;
            pattern.regex = std::make_unique<RE2>(signature.pattern, pattern_options());
            std::string error;
            // `(?m)`: `^` and `$` also match at the line breaks inside a block. `.` never
            // crosses one; `\s` may, which can only add matches, never lose one.
            if (!pattern.regex->ok() || compiled->set->Add(signature.pattern, &error) < 0 ||
                compiled->block_set->Add("(?m)" + signature.pattern, &error) < 0) {
                return core::make_error(core::ErrorCode::invalid_input, "catalog.invalid",
                                        fmt::format("pattern of `{}` does not compile: {}",
                                                    entries[e].id, pattern.regex->error()))
                    .arg("entry", entries[e].id)
                    .arg("reason", pattern.regex->error());
            }
            for (const auto& [name, index] : pattern.regex->NamedCapturingGroups()) {
                pattern.names.emplace_back(index, name);
            }
            std::sort(pattern.names.begin(), pattern.names.end());
            compiled->patterns.push_back(std::move(pattern));
        }
    }
    if (!compiled->set->Compile() || !compiled->block_set->Compile()) {
        return core::make_error(core::ErrorCode::internal, "catalog.too_large",
                                "the failure catalogue's patterns do not fit in RE2's memory budget");
    }
    return Doctor(std::move(compiled));
}

Doctor::Doctor(std::unique_ptr<Compiled> compiled) : m_compiled(std::move(compiled)) {}
Doctor::~Doctor() = default;
Doctor::Doctor(Doctor&&) noexcept = default;
Doctor& Doctor::operator=(Doctor&&) noexcept = default;

const FailureCatalog& Doctor::catalog() const { return m_compiled->catalog; }

struct Doctor::Session::State {
    struct Accumulator {
        Finding finding;
        bool real = false;  // a non-context signature matched
        std::vector<core::MessageArg> context_captures;
    };

    explicit State(const Compiled& c)
        : compiled(c),
          accumulators(c.catalog.entries().size()),
          splitter([this](const LogLineSplitter::Line& line) { buffer(line); }) {}

    struct Buffered {
        LogLineSplitter::Line line;  // its text points into `block`
        std::size_t offset = 0;
    };

    /// Collects lines into a block; the block is matched as a whole first, and line by line
    /// only when it has a match or holds a line a terminal may have wrapped.
    void buffer(const LogLineSplitter::Line& line) {
        buffered.push_back({line, block.size()});
        buffered.back().line.text = {};
        block.append(line.text);
        block.push_back('\n');
        has_wide_line = has_wide_line || line.width == terminal_width;
        if (buffered.size() == block_lines || block.size() >= block_bytes) {
            flush();
        }
    }

    /// Whether the block set finds, in `text`, a line worth a closer look. Evidence-only lines
    /// ("Collecting numpy") are everywhere in a healthy log; once their captures are known,
    /// they alone are not worth one.
    bool worth_a_look(std::string_view text) {
        hits.clear();
        if (!compiled.block_set->Match(re2::StringPiece(text.data(), text.size()), &hits)) {
            return false;
        }
        return std::any_of(hits.begin(), hits.end(), [this](int hit) {
            const auto& pattern = compiled.patterns[static_cast<std::size_t>(hit)];
            return !pattern.context_only || !has_all(accumulators[pattern.entry].context_captures, pattern);
        });
    }

    /// Looks at buffered lines [first, last): halves that match nothing are skipped, so a
    /// block with one failure line costs a few set passes over ever shorter text.
    void look_at(std::size_t first, std::size_t last) {
        const auto begin = buffered[first].offset;
        const auto end = last < buffered.size() ? buffered[last].offset : block.size();
        if (!worth_a_look(std::string_view(block).substr(begin, end - begin))) {
            return;
        }
        if (last - first > 2) {
            const auto middle = first + (last - first) / 2;
            look_at(first, middle);
            look_at(middle, last);
            return;
        }
        for (auto i = first; i < last; ++i) {
            on_line(line_of(i));
        }
    }

    LogLineSplitter::Line line_of(std::size_t i) {
        auto line = buffered[i].line;
        const auto begin = buffered[i].offset;
        line.text = std::string_view(block).substr(begin, block.find('\n', begin) - begin);
        return line;
    }

    void flush() {
        if (buffered.empty()) {
            return;
        }
        if (has_wide_line) {
            // A terminal may have wrapped lines here: every line, in order.
            for (std::size_t i = 0; i < buffered.size(); ++i) {
                on_line(line_of(i));
            }
        } else {
            // No wrapped run can continue through a block without a wide line.
            wrapped_run.clear();
            wrapped_lines = 0;
            look_at(0, buffered.size());
        }
        buffered.clear();
        block.clear();
        has_wide_line = false;
    }

    static void add_captures(std::vector<core::MessageArg>& to, const Compiled::Pattern& pattern,
                             const std::vector<re2::StringPiece>& groups) {
        for (const auto& group : pattern.names) {
            const std::string& name = group.second;  // named, not bound: lambdas capture it
            const auto& value = groups[static_cast<std::size_t>(group.first)];
            if (value.data() == nullptr || value.empty()) {
                continue;
            }
            const auto known = std::find_if(to.begin(), to.end(),
                                            [&name](const auto& a) { return a.name == name; });
            if (known == to.end()) {
                to.push_back({name, std::string(value.data(), value.size())});
            }
        }
    }

    static bool has_all(const std::vector<core::MessageArg>& captures, const Compiled::Pattern& pattern) {
        return std::all_of(pattern.names.begin(), pattern.names.end(), [&captures](const auto& group) {
            return std::any_of(captures.begin(), captures.end(),
                               [&group](const auto& c) { return c.name == group.second; });
        });
    }

    void match(std::uint64_t first, std::uint64_t last, std::string_view text) {
        hits.clear();
        if (!compiled.set->Match(re2::StringPiece(text.data(), text.size()), &hits)) {
            return;
        }
        for (const int hit : hits) {
            const auto& pattern = compiled.patterns[static_cast<std::size_t>(hit)];
            auto& known = accumulators[pattern.entry];
            if (pattern.context_only && has_all(known.context_captures, pattern)) {
                continue;  // nothing new to learn from another such line
            }
            if (!pattern.context_only && known.real && pattern.confidence <= known.finding.confidence &&
                known.finding.evidence.size() >= max_evidence && has_all(known.finding.captures, pattern)) {
                // The set already proved the match; capturing again would change nothing.
                known.finding.last_line = std::max(known.finding.last_line, last);
                ++known.finding.matches;
                continue;
            }
            const auto ngroups = static_cast<std::size_t>(pattern.regex->NumberOfCapturingGroups()) + 1;
            groups.assign(ngroups, re2::StringPiece());
            if (!pattern.regex->Match(re2::StringPiece(text.data(), text.size()), 0, text.size(),
                                      RE2::UNANCHORED, groups.data(), static_cast<int>(ngroups))) {
                continue;
            }
            auto& acc = accumulators[pattern.entry];
            if (pattern.context_only) {
                add_captures(acc.context_captures, pattern, groups);
                continue;
            }
            auto& f = acc.finding;
            if (!acc.real) {
                acc.real = true;
                f.entry = &compiled.catalog.entries()[pattern.entry];
                f.first_line = first;
            }
            f.last_line = std::max(f.last_line, last);
            ++f.matches;
            // Captures of the most confident match win; others fill what is still missing.
            if (pattern.confidence > f.confidence) {
                std::vector<core::MessageArg> better;
                add_captures(better, pattern, groups);
                for (auto& previous : f.captures) {
                    if (std::none_of(better.begin(), better.end(),
                                     [&previous](const auto& a) { return a.name == previous.name; })) {
                        better.push_back(std::move(previous));
                    }
                }
                f.captures = std::move(better);
                f.confidence = pattern.confidence;
            } else {
                add_captures(f.captures, pattern, groups);
            }
            if (f.evidence.size() < max_evidence &&
                (f.evidence.empty() || f.evidence.back().line < first)) {
                f.evidence.push_back({first, std::string(text.substr(0, max_evidence_text))});
            }
        }
    }

    void on_line(const LogLineSplitter::Line& l) {
        const auto line = l.number;
        const auto text = l.text;
        match(line, line, text);
        // Lines exactly as wide as a terminal were probably wrapped: the run of them so far,
        // joined to this line, is matched too (Windows consoles and CI wrap long Python
        // exception texts over several lines).
        if (wrapped_lines > 0) {
            joined = wrapped_run;
            joined += text;
            match(wrapped_first, line, joined);
        }
        if (l.width != terminal_width) {
            wrapped_run.clear();
            wrapped_lines = 0;
            return;
        }
        if (wrapped_lines == max_wrapped_lines) {
            wrapped_run.clear();
            wrapped_lines = 0;
        }
        if (wrapped_lines == 0) {
            wrapped_first = line;
        }
        wrapped_run += text;
        wrapped_run.append(l.trailing_spaces, ' ');  // the wrap may fall between two words
        ++wrapped_lines;
    }

    Diagnosis finish() {
        splitter.finish();
        flush();
        Diagnosis d;
        d.lines = splitter.lines();
        d.bytes = splitter.bytes();
        for (auto& acc : accumulators) {
            if (!acc.real) {
                continue;
            }
            for (auto& extra : acc.context_captures) {
                auto& caps = acc.finding.captures;
                if (std::none_of(caps.begin(), caps.end(), [&extra](const auto& a) { return a.name == extra.name; })) {
                    caps.push_back(std::move(extra));
                }
            }
            d.findings.push_back(std::move(acc.finding));
        }
        rank(d);
        return d;
    }

    /// A weak sign of a cause (a retry warning that may have succeeded) becomes credible when
    /// a specific failure that the catalogue says it can cause follows it: pip retrying a
    /// timed-out connection, then finding no distribution. Generic summaries (tier 3) follow
    /// everything and corroborate nothing.
    static void corroborate(Diagnosis& d) {
        for (auto& cause : d.findings) {
            if (cause.confidence >= root_cause_min_confidence) {
                continue;
            }
            for (const auto& effect : d.findings) {
                const auto& listed = effect.entry->consequence_of;
                if (effect.entry->tier == 2 && effect.confidence >= root_cause_min_confidence &&
                    cause.first_line <= effect.first_line &&
                    std::find(listed.begin(), listed.end(), cause.id()) != listed.end()) {
                    cause.confidence = std::min(cause.confidence + corroboration_bonus, 0.9);
                    break;
                }
            }
        }
    }

    /// Confidence in bands: differences inside a band are noise between patterns, so the
    /// position in the log decides there.
    static int band(double confidence) {
        return confidence >= confident ? 2 : confidence >= root_cause_min_confidence ? 1 : 0;
    }

    static bool may_cause(const Finding& cause, const Finding& effect) {
        const auto& listed = effect.entry->consequence_of;
        return std::find(listed.begin(), listed.end(), cause.id()) != listed.end();
    }

    /// Orders findings by causality and links consequences to their cause.
    static void rank(Diagnosis& d) {
        corroborate(d);
        auto before = [](const Finding& a, const Finding& b) {
            const bool a_can = a.confidence >= root_cause_min_confidence;
            const bool b_can = b.confidence >= root_cause_min_confidence;
            if (a_can != b_can) return a_can;
            if (a.entry->tier != b.entry->tier) return a.entry->tier < b.entry->tier;
            if (band(a.confidence) != band(b.confidence)) return band(a.confidence) > band(b.confidence);
            if (a.first_line != b.first_line) return a.first_line < b.first_line;
            return a.confidence > b.confidence;
        };
        std::stable_sort(d.findings.begin(), d.findings.end(), before);
        if (d.findings.empty() || d.findings.front().confidence < root_cause_min_confidence) {
            return;
        }
        // The catalogue says which failures can cause which. When the best-ranked finding may
        // be a consequence of another credible finding that came before it in the log, that
        // one is the cause, whatever its tier: an apt typo above a missing compiler.
        std::size_t root = 0;
        for (std::size_t hops = 0; hops < d.findings.size(); ++hops) {
            std::optional<std::size_t> earlier;
            for (std::size_t i = 0; i < d.findings.size(); ++i) {
                const auto& c = d.findings[i];
                const auto& r = d.findings[root];
                // A cause of a lower or equal tier needs only the catalogue's link; one of a
                // higher tier must also come first in the log.
                if (i != root && c.confidence >= root_cause_min_confidence && may_cause(c, r) &&
                    (c.entry->tier <= r.entry->tier || c.first_line <= r.first_line)) {
                    earlier = i;
                    break;  // findings are in rank order: the first is the best
                }
            }
            if (!earlier) {
                break;
            }
            root = *earlier;
        }
        std::rotate(d.findings.begin(), d.findings.begin() + static_cast<std::ptrdiff_t>(root),
                    d.findings.begin() + static_cast<std::ptrdiff_t>(root) + 1);
        d.root_cause = 0;
        for (std::size_t i = 1; i < d.findings.size(); ++i) {
            auto& effect = d.findings[i];
            // The root cause first; else the best-ranked finding that explains this one.
            for (std::size_t j = 0; j < i; ++j) {
                const auto& cause = d.findings[j];
                if (cause.entry->tier < effect.entry->tier || may_cause(cause, effect)) {
                    effect.consequence_of = cause.id();
                    break;
                }
            }
        }
    }

    const Compiled& compiled;
    std::vector<Accumulator> accumulators;
    std::vector<int> hits;
    std::vector<re2::StringPiece> groups;
    std::vector<Buffered> buffered;
    std::string block;
    bool has_wide_line = false;
    std::string wrapped_run;  // consecutive terminal-wide lines, joined
    std::uint64_t wrapped_first = 0;
    std::size_t wrapped_lines = 0;
    std::string joined;
    LogLineSplitter splitter;
};

Doctor::Session::Session(const Doctor& doctor) : m_state(std::make_unique<State>(*doctor.m_compiled)) {}
Doctor::Session::~Session() = default;
Doctor::Session::Session(Session&&) noexcept = default;

void Doctor::Session::feed(std::string_view bytes) { m_state->splitter.feed(bytes); }

Diagnosis Doctor::Session::finish() { return m_state->finish(); }

Diagnosis Doctor::diagnose(std::string_view log) const {
    auto session = start();
    session.feed(log);
    return session.finish();
}

}  // namespace envsmith::diag
