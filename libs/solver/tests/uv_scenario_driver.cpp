// envsmith_uv_scenario: solves one uv resolver scenario (tests/uv_scenarios/run.py converts
// the TOML to JSON) against an in-memory PypiSource, and prints the outcome as JSON.
//
// Input (stdin):
//   {"requirements": ["a>=1", ...], "constraints": [...],
//    "python": "3.12",                 target interpreter version (X.Y or X.Y.Z)
//    "subdir": "linux-64",             target platform for markers and tags
//    "glibc": "2.17",                  target glibc (wheel tags)
//    "tags": true,                     false: any wheel fits (no target platform)
//    "prereleases": "if-necessary",    disallow | allow | if-necessary | explicit |
//    if-necessary-or-explicit "resolution": "highest",          highest | lowest | lowest-direct
//    "no_binary": [...], "no_build": [...],   names, or ":all:"
//    "packages": {"a": [{"version": "1.0.0", "requires_dist": ["b>=1 ; extra == \"x\""],
//                        "requires_python": ">=3.8" | null, "yanked": false,
//                        "wheels": ["a-1.0.0-py3-none-any.whl"], "sdist": true}]}}
// Output (stdout):
//   {"status": "solved", "packages": {"a": "1.0.0"}, "extras": {...}, "wheels": {...},
//    "stats": {"decisions": 2, "conflicts": 0}}
//   {"status": "unsolvable", "explanation": ["The request cannot be satisfied:", "  ..."]}
//   {"status": "error", "error": "..."}
#include <iostream>
#include <map>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "envsmith/solver/explain.hpp"
#include "envsmith/solver/pypi.hpp"

namespace {

using envsmith::solver::PypiRelease;
using nlohmann::json;

class MemorySource final : public envsmith::solver::PypiSource {
public:
    envsmith::core::Result<std::vector<PypiRelease>> releases(
        std::string_view normalized_name) override {
        auto it = m_releases.find(std::string(normalized_name));
        if (it == m_releases.end())
            return std::vector<PypiRelease>{};
        return it->second;
    }
    std::map<std::string, std::vector<PypiRelease>> m_releases;
};

int fail(const std::string& message) {
    std::cout << json{{"status", "error"}, {"error", message}}.dump() << "\n";
    return 0;
}

}  // namespace

int main() {
    namespace solver = envsmith::solver;
    namespace specs = envsmith::specs;
    json input;
    try {
        std::stringstream text;
        text << std::cin.rdbuf();
        input = json::parse(text.str());
    } catch (const std::exception& e) {
        std::cerr << "invalid JSON on stdin: " << e.what() << "\n";
        return 2;
    }
    try {
        specs::TargetSpec target;
        target.python_version = input.value("python", "3.12");
        target.conda_subdir = input.value("subdir", "linux-64");
        const std::string glibc = input.value("glibc", "2.17");
        const auto dot = glibc.find('.');
        target.libc_version = {static_cast<std::uint32_t>(std::stoul(glibc.substr(0, dot))),
                               static_cast<std::uint32_t>(std::stoul(glibc.substr(dot + 1)))};
        auto made = solver::PypiRequest::for_target(target);
        if (!made)
            return fail(made.error().message);
        solver::PypiRequest request = made.value();
        if (!input.value("tags", true))
            request.tags.reset();

        for (const auto& text : input.value("requirements", json::array())) {
            auto req = specs::Requirement::parse(text.get<std::string>());
            if (!req)
                return fail(req.error().message);
            request.requirements.push_back(req.value());
        }
        for (const auto& text : input.value("constraints", json::array())) {
            auto req = specs::Requirement::parse(text.get<std::string>());
            if (!req)
                return fail(req.error().message);
            request.constraints.push_back(req.value());
        }
        const std::string pre = input.value("prereleases", "if-necessary");
        const std::map<std::string, solver::PrereleaseMode> modes{
            {"disallow", solver::PrereleaseMode::disallow},
            {"allow", solver::PrereleaseMode::allow},
            {"if-necessary", solver::PrereleaseMode::if_necessary},
            {"explicit", solver::PrereleaseMode::explicit_only},
            {"if-necessary-or-explicit", solver::PrereleaseMode::if_necessary_or_explicit}};
        if (modes.count(pre) == 0)
            return fail("unknown prerelease mode " + pre);
        request.options.prereleases = modes.at(pre);
        const std::string resolution = input.value("resolution", "highest");
        if (resolution == "lowest") {
            request.options.resolution = solver::ResolutionMode::lowest;
        } else if (resolution == "lowest-direct") {
            request.options.resolution = solver::ResolutionMode::lowest_direct;
        } else if (resolution != "highest") {
            return fail("unknown resolution mode " + resolution);
        }
        for (const auto& n : input.value("no_binary", json::array())) {
            request.options.no_binary.names.push_back(n.get<std::string>());
        }
        for (const auto& n : input.value("no_build", json::array())) {
            request.options.no_build.names.push_back(n.get<std::string>());
        }

        MemorySource source;
        const json packages = input.value("packages", json::object());
        for (const auto& [name, versions] : packages.items()) {
            std::vector<PypiRelease>& list = source.m_releases[specs::normalize_package_name(name)];
            for (const auto& v : versions) {
                PypiRelease r;
                r.name = name;
                auto version = specs::Pep440Version::parse(v.at("version").get<std::string>());
                if (!version)
                    return fail(version.error().message);
                r.version = version.value();
                for (const auto& text : v.value("requires_dist", json::array())) {
                    auto req = specs::Requirement::parse(text.get<std::string>());
                    if (!req)
                        return fail(req.error().message);
                    r.requires_dist.push_back(req.value());
                }
                if (v.contains("requires_python") && !v.at("requires_python").is_null()) {
                    auto rp =
                        specs::SpecifierSet::parse(v.at("requires_python").get<std::string>());
                    if (!rp)
                        return fail(rp.error().message);
                    r.requires_python = rp.value();
                }
                r.yanked = v.value("yanked", false);
                r.yanked_reason = v.value("yanked_reason", "");
                for (const auto& w : v.value("wheels", json::array()))
                    r.wheels.push_back(w.get<std::string>());
                r.has_sdist = v.value("sdist", true);
                list.push_back(std::move(r));
            }
        }

        auto outcome = solver::solve_pypi(source, request);
        if (!outcome)
            return fail(outcome.error().message);
        json out;
        if (const auto* solution = std::get_if<solver::PypiSolution>(&outcome.value().result)) {
            out["status"] = "solved";
            out["packages"] = json::object();
            out["extras"] = json::object();
            out["wheels"] = json::object();
            for (const auto& p : solution->packages) {
                out["packages"][p.name] = p.release.version.to_string();
                if (!p.extras.empty())
                    out["extras"][p.name] = p.extras;
                out["wheels"][p.name] = p.wheel ? *p.wheel : std::string("(sdist)");
            }
            out["stats"] = {{"decisions", solution->stats.decisions},
                            {"conflicts", solution->stats.conflicts}};
        } else {
            out["status"] = "unsolvable";
            json lines = json::array();
            const auto& unsolvable = std::get<solver::Unsolvable>(outcome.value().result);
            for (const auto& line : solver::explain(unsolvable, *outcome.value().provider)) {
                lines.push_back(std::string(line.depth * 2, ' ') + line.text);
            }
            out["explanation"] = lines;
        }
        std::cout << out.dump() << "\n";
    } catch (const std::exception& e) {
        return fail(std::string("driver: ") + e.what());
    }
    return 0;
}
