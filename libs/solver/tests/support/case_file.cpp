#include "support/case_file.hpp"

#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

namespace envsmith::solver::testing {
namespace {

core::Error bad(const std::string& file, std::size_t line, const std::string& what) {
    return core::Error{core::ErrorCode::invalid_input, "test.case.invalid",
                       file + ":" + std::to_string(line) + ": " + what, {}, {}, {}, {}};
}

std::string trim(const std::string& s) {
    const auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return {};
    const auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::pair<std::string, std::string> split_word(const std::string& s) {
    const auto sp = s.find(' ');
    if (sp == std::string::npos) return {s, {}};
    return {s.substr(0, sp), trim(s.substr(sp + 1))};
}

std::vector<std::string> words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    std::string w;
    while (in >> w) out.push_back(w);
    return out;
}

core::Result<specs::PackageRecord> make_record(const std::string& name, const std::string& version,
                                               const std::string& build) {
    auto v = specs::CondaVersion::parse(version);
    if (!v) return v.error();
    specs::PackageRecord r;
    r.name = name;
    r.version = v.value();
    r.build = build;
    r.fn = name + "-" + version + "-" + build + ".conda";
    return r;
}

}  // namespace

core::Result<SolverCase> parse_case(const std::string& text, const std::string& file,
                                    const std::string& testdata) {
    SolverCase c;
    c.file = file;
    std::istringstream in(text);
    std::string raw;
    std::size_t line_no = 0;
    bool in_expect = false;
    specs::PackageRecord* package = nullptr;
    while (std::getline(in, raw)) {
        ++line_no;
        const std::string line = trim(raw);
        if (in_expect) {
            if (line.empty() || line[0] == '#') continue;
            if (!c.expect_solved && line[0] == '|') {
                std::string l = line.substr(1);
                if (!l.empty() && l[0] == ' ') l.erase(0, 1);
                c.expected.push_back(l);
            } else {
                c.expected.push_back(line);
            }
            continue;
        }
        if (line.empty() || line[0] == '#') continue;
        const auto [key, rest] = split_word(line);
        if (key == "platform") {
            c.platform = rest;
        } else if (key == "virtual") {
            const auto w = words(rest);
            if (w.size() < 2) return bad(file, line_no, "virtual NAME VERSION [BUILD]");
            auto r = make_record(w[0], w[1], w.size() > 2 ? w[2] : "0");
            if (!r) return bad(file, line_no, r.error().message);
            r.value().channel = "@";
            c.request.virtual_packages.push_back(r.value());
        } else if (key == "option") {
            const auto [name, value] = split_word(rest);
            if (name == "channel_priority") {
                if (value == "strict") c.request.channel_priority = ChannelPriority::strict;
                else if (value == "flexible") c.request.channel_priority = ChannelPriority::flexible;
                else if (value == "disabled") c.request.channel_priority = ChannelPriority::disabled;
                else return bad(file, line_no, "channel_priority strict|flexible|disabled");
            } else if (name == "add_pip_as_python_dependency") {
                c.request.add_pip_as_python_dependency = value == "true";
            } else {
                return bad(file, line_no, "unknown option " + name);
            }
        } else if (key == "channel") {
            const auto w = words(rest);
            if (w.empty()) return bad(file, line_no, "channel NAME [path PATH]");
            CaseChannel ch;
            ch.name = w[0];
            if (w.size() == 3 && w[1] == "path") {
                std::string p = w[2];
                const std::string var = "${testdata}";
                if (p.rfind(var, 0) == 0) {
                    c.needs_testdata = true;
                    p = testdata.empty() ? std::string() : testdata + p.substr(var.size());
                }
                ch.path = p;
            }
            c.channels.push_back(std::move(ch));
            package = nullptr;
        } else if (key == "package") {
            if (c.channels.empty()) return bad(file, line_no, "package before any channel");
            const auto w = words(rest);
            if (w.size() != 3) return bad(file, line_no, "package NAME VERSION BUILD");
            auto r = make_record(w[0], w[1], w[2]);
            if (!r) return bad(file, line_no, r.error().message);
            r.value().channel = c.channels.back().name;
            r.value().subdir = "noarch";
            c.channels.back().packages.push_back(r.value());
            package = &c.channels.back().packages.back();
        } else if (key == "depends" || key == "constrains" || key == "track_features" ||
                   key == "build_number" || key == "timestamp" || key == "subdir") {
            if (package == nullptr) return bad(file, line_no, key + " outside a package");
            if (key == "depends") package->depends.push_back(rest);
            else if (key == "constrains") package->constrains.push_back(rest);
            else if (key == "track_features") package->track_features = words(rest);
            else if (key == "build_number") package->build_number = std::stoull(rest);
            else if (key == "timestamp") package->timestamp = std::stoull(rest);
            else package->subdir = rest;
        } else if (key == "request") {
            auto spec = specs::MatchSpec::parse(rest);
            if (!spec) return bad(file, line_no, spec.error().message);
            c.request.specs.push_back(spec.value());
        } else if (key == "pin") {
            auto spec = specs::MatchSpec::parse(rest);
            if (!spec) return bad(file, line_no, spec.error().message);
            c.request.constraints.push_back(spec.value());
        } else if (key == "lock") {
            const auto w = words(rest);
            if (w.size() != 3) return bad(file, line_no, "lock NAME VERSION BUILD");
            auto r = make_record(w[0], w[1], w[2]);
            if (!r) return bad(file, line_no, r.error().message);
            c.request.locked.push_back(r.value());
        } else if (key == "expect") {
            if (rest == "solved") c.expect_solved = true;
            else if (rest == "unsolvable") c.expect_solved = false;
            else return bad(file, line_no, "expect solved|unsolvable");
            in_expect = true;
        } else {
            return bad(file, line_no, "unknown keyword " + key);
        }
    }
    if (!in_expect) return bad(file, line_no, "no expect section");
    return c;
}

core::Result<std::vector<specs::PackageRecord>> read_repodata(const std::string& path,
                                                              const std::string& channel) {
    std::ifstream in(path);
    if (!in) return core::Error{core::ErrorCode::not_found, "test.repodata", "cannot read " + path, {}, {}, {}, {}};
    nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) return core::Error{core::ErrorCode::invalid_input, "test.repodata", "bad JSON in " + path, {}, {}, {}, {}};
    std::vector<specs::PackageRecord> out;
    std::set<std::string> conda_stems;
    const std::string subdir = doc.contains("info") && doc["info"].contains("subdir")
                                   ? doc["info"]["subdir"].get<std::string>() : std::string();
    for (const char* key : {"packages.conda", "packages"}) {
        if (!doc.contains(key)) continue;
        for (const auto& [fn, rec] : doc[key].items()) {
            const bool is_conda = std::string(key) == "packages.conda";
            const std::string stem = fn.substr(0, fn.find(is_conda ? ".conda" : ".tar.bz2"));
            if (is_conda) conda_stems.insert(stem);
            else if (conda_stems.count(stem) != 0) continue;
            auto v = specs::CondaVersion::parse(rec.value("version", ""));
            if (!v) continue;
            specs::PackageRecord r;
            r.name = rec.value("name", "");
            r.version = v.value();
            r.build = rec.value("build", "");
            r.build_number = rec.value("build_number", 0ULL);
            r.channel = channel;
            r.subdir = rec.value("subdir", subdir);
            r.fn = fn;
            r.md5 = rec.value("md5", "");
            r.sha256 = rec.value("sha256", "");
            if (rec.contains("depends")) r.depends = rec["depends"].get<std::vector<std::string>>();
            if (rec.contains("constrains")) r.constrains = rec["constrains"].get<std::vector<std::string>>();
            if (rec.contains("track_features")) {
                const auto& tf = rec["track_features"];
                if (tf.is_string()) r.track_features = words(tf.get<std::string>());
                else if (tf.is_array()) r.track_features = tf.get<std::vector<std::string>>();
            }
            if (rec.contains("timestamp") && rec["timestamp"].is_number()) {
                std::uint64_t ts = rec["timestamp"].get<std::uint64_t>();
                if (ts < 100000000000ULL) ts *= 1000;  // seconds
                r.timestamp = ts;
            }
            if (rec.contains("noarch") && rec["noarch"].is_string()) r.noarch = rec["noarch"].get<std::string>();
            out.push_back(std::move(r));
        }
    }
    return out;
}

core::Result<CaseSource> CaseSource::load(const SolverCase& c) {
    CaseSource source;
    for (std::uint32_t rank = 0; rank < c.channels.size(); ++rank) {
        const CaseChannel& ch = c.channels[rank];
        std::vector<specs::PackageRecord> records = ch.packages;
        if (!ch.path.empty()) {
            for (const std::string& subdir : {c.platform, std::string("noarch")}) {
                auto more = read_repodata(ch.path + "/" + subdir + "/repodata.json", ch.name);
                if (!more) return more.error();
                records.insert(records.end(), more.value().begin(), more.value().end());
            }
        }
        for (auto& r : records) {
            if (!ch.path.empty() || r.subdir == "noarch" || r.subdir == c.platform) {
                source.m_by_name[r.name].push_back(CondaCandidate{r, rank});
            }
        }
    }
    return source;
}

core::Result<std::vector<CondaCandidate>> CaseSource::records(std::string_view name) {
    auto it = m_by_name.find(name);
    if (it == m_by_name.end()) return std::vector<CondaCandidate>{};
    return it->second;
}

std::size_t CaseSource::size() const {
    std::size_t n = 0;
    for (const auto& [name, v] : m_by_name) n += v.size();
    return n;
}

}  // namespace envsmith::solver::testing
