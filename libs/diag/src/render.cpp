#include "envsmith/diag/render.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "envsmith/core/text.hpp"

namespace envsmith::diag {

namespace {

using nlohmann::json;

std::string paint(bool color, std::string_view code, std::string_view text) {
    return color ? fmt::format("\x1b[{}m{}\x1b[0m", code, text) : std::string(text);
}

std::string title(const Finding& f, const Messages& m) {
    return m.render(f.entry->title_id(), f.captures, f.id());
}

std::string lines_text(const Finding& f, const Messages& m) {
    if (f.first_line == f.last_line) {
        return m.render("doctor.line", {{"line", std::to_string(f.first_line)}}, "line {line}");
    }
    return m.render("doctor.lines", {{"first", std::to_string(f.first_line)}, {"last", std::to_string(f.last_line)}},
                    "lines {first}-{last}");
}

void indent_block(std::string& out, std::string_view text, std::string_view pad) {
    for (const auto line : core::split(text, '\n')) {
        out += fmt::format("{}{}\n", pad, line);
    }
}

json finding_json(const Finding& f, const Messages& m) {
    json captures = json::object();
    for (const auto& c : f.captures) {
        captures[c.name] = c.value;
    }
    json evidence = json::array();
    for (const auto& e : f.evidence) {
        evidence.push_back({{"line", e.line}, {"text", e.text}});
    }
    return {
        {"id", f.id()},
        {"title", title(f, m)},
        {"explanation", m.render(f.entry->explanation_id(), f.captures)},
        {"fix", m.render(f.entry->fix_id(), f.captures)},
        {"phase", f.entry->phase},
        {"severity", std::string(to_string(f.entry->severity))},
        {"tier", f.entry->tier},
        {"confidence", f.confidence},
        {"captures", std::move(captures)},
        {"first_line", f.first_line},
        {"last_line", f.last_line},
        {"matches", f.matches},
        {"evidence", std::move(evidence)},
        {"consequence_of", f.consequence_of.empty() ? json(nullptr) : json(f.consequence_of)},
    };
}

}  // namespace

std::string render_text(const Diagnosis& d, const Messages& m, const RenderOptions& options) {
    std::string out;
    const Finding* root = d.root();
    if (root == nullptr) {
        out += m.render("doctor.no_root_cause",
                        {{"log", options.log_name}, {"lines", std::to_string(d.lines)}},
                        "no known failure found in {log} ({lines} lines)") +
               "\n";
    } else {
        out += fmt::format("{}: {}  [{}]\n",
                           paint(options.color, "1;31", m.render("doctor.root_cause", {}, "root cause")),
                           paint(options.color, "1", title(*root, m)), root->id());
        indent_block(out, m.render(root->entry->explanation_id(), root->captures), "  ");
        out += fmt::format("\n{} ({}, {}):\n", m.render("doctor.evidence", {}, "evidence"), options.log_name,
                           lines_text(*root, m));
        for (const auto& e : root->evidence) {
            out += fmt::format("  {:>6} | {}\n", e.line, e.text);
        }
        out += fmt::format("\n{}:\n", paint(options.color, "1;36", m.render("doctor.fix", {}, "fix")));
        indent_block(out, m.render(root->entry->fix_id(), root->captures), "  ");
    }
    bool header = false;
    for (std::size_t i = 0; i < d.findings.size(); ++i) {
        if (d.root_cause && i == *d.root_cause) {
            continue;
        }
        if (!header) {
            out += fmt::format("\n{}:\n", m.render("doctor.also_found", {}, "also found"));
            header = true;
        }
        const auto& f = d.findings[i];
        std::string relation;
        if (!f.consequence_of.empty()) {
            relation = ", " + m.render("doctor.consequence_of", {{"id", f.consequence_of}},
                                       "a consequence of {id}");
        }
        out += fmt::format("  - {}  [{}] ({}{})\n", title(f, m), f.id(), lines_text(f, m), relation);
    }
    return out;
}

std::string render_json(const Diagnosis& d, const Messages& m, const RenderOptions& options) {
    json findings = json::array();
    for (const auto& f : d.findings) {
        findings.push_back(finding_json(f, m));
    }
    const json out = {
        {"log", options.log_name},
        {"lines", d.lines},
        {"language", m.language()},
        {"root_cause", d.root() ? finding_json(*d.root(), m) : json(nullptr)},
        {"findings", std::move(findings)},
    };
    return out.dump(2, ' ', false, json::error_handler_t::replace);
}

std::string render_sarif(const Diagnosis& d, const Messages& m, const RenderOptions& options) {
    json rules = json::array();
    json results = json::array();
    std::vector<std::string> rule_ids;
    for (const auto& f : d.findings) {
        auto it = std::find(rule_ids.begin(), rule_ids.end(), f.id());
        if (it == rule_ids.end()) {
            rule_ids.push_back(f.id());
            it = rule_ids.end() - 1;
            rules.push_back({
                {"id", f.id()},
                {"name", f.id()},
                {"shortDescription", {{"text", m.render(f.entry->title_id(), {}, f.id())}}},
                {"fullDescription", {{"text", m.render(f.entry->explanation_id(), {})}}},
                {"help", {{"text", m.render(f.entry->fix_id(), {})}}},
                {"properties", {{"phase", f.entry->phase}, {"tier", f.entry->tier}}},
            });
        }
        const bool is_root = d.root() == &f;
        json result = {
            {"ruleId", f.id()},
            {"ruleIndex", it - rule_ids.begin()},
            {"level", is_root ? "error" : (f.consequence_of.empty() ? "warning" : "note")},
            {"message", {{"text", title(f, m) + "\n" + m.render(f.entry->fix_id(), f.captures)}}},
            {"locations",
             {{{"physicalLocation",
                {{"artifactLocation", {{"uri", options.log_name}}},
                 {"region", {{"startLine", f.first_line}, {"endLine", f.last_line}}}}}}}},
            {"properties",
             {{"confidence", f.confidence},
              {"rootCause", is_root},
              {"consequenceOf", f.consequence_of.empty() ? json(nullptr) : json(f.consequence_of)}}},
        };
        results.push_back(std::move(result));
    }
    const json sarif = {
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs",
         {{{"tool",
            {{"driver",
              {{"name", "envsmith"},
               {"version", options.tool_version},
               {"rules", std::move(rules)}}}}},
           {"language", m.language()},
           {"results", std::move(results)}}}},
    };
    return sarif.dump(2, ' ', false, json::error_handler_t::replace);
}

}  // namespace envsmith::diag
