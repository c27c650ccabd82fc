// PyPI on the engine (docs/solver-pypi.md).
//
// Names: a PEP 503 normalised project (`typing-extensions`), or a virtual `project[extra]`
// (extra names normalised too, PEP 685). A virtual name has one candidate per release of its
// project, which requires exactly that release plus the dependencies the release declares for
// the extra; a release declaring no such extra still has a candidate (a missing extra is not an
// error, as in pip and uv).
//
// Preference among the releases of one name, best first:
//   1. a preferred (installed or locked) version;
//   2. unless pre-releases are simply allowed, final releases before pre-releases;
//   3. the higher version (the lower with `lowest`, or `lowest_direct` for a direct name);
//   4. the source's order.
// A release is excluded (never installable, kept for explanations) when the target Python is
// below its Requires-Python, when it is yanked and no `==`/`===` pin of the request selects it,
// when pre-releases are off for its name, or when no distribution fits: no wheel matches the
// target's tags (or wheels are disabled) and the sdist is missing (or building is disabled).
#include "envsmith/solver/pypi.hpp"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_map>

#include <fmt/format.h>

namespace envsmith::solver {
namespace {

bool mentions_extra(const specs::Marker& marker) {
    if (marker.kind() != specs::Marker::Kind::comparison) {
        return std::any_of(marker.children().begin(), marker.children().end(), mentions_extra);
    }
    const auto is_extra = [](const specs::Marker::Operand& o) {
        return o.is_variable && o.variable == specs::MarkerVariable::extra;
    };
    return is_extra(marker.lhs()) || is_extra(marker.rhs());
}

bool is_prerelease_mode_gated(PrereleaseMode mode) {
    return mode != PrereleaseMode::allow;
}

// Does the target Python satisfy Requires-Python? With `lower_only`, only the lower bounds
// count: `>=V`, `>V`, and `==V`, `==V.*`, `~=V` as `>=V`.
bool python_fits(const specs::SpecifierSet& requires_python, const specs::Pep440Version& python,
                 bool lower_only) {
    if (!lower_only)
        return requires_python.contains(python, specs::Prereleases::allow);
    for (const specs::Specifier& s : requires_python.specifiers()) {
        switch (s.op()) {
            case specs::SpecifierOp::greater_equal:
            case specs::SpecifierOp::greater:
                if (!s.contains(python, specs::Prereleases::allow))
                    return false;
                break;
            case specs::SpecifierOp::equal:
            case specs::SpecifierOp::compatible:
                // `==3.10.*`, `==3.10` and `~=3.10` all start at 3.10.
                if (python < s.version())
                    return false;
                break;
            case specs::SpecifierOp::less:
            case specs::SpecifierOp::less_equal:
            case specs::SpecifierOp::not_equal:
            case specs::SpecifierOp::arbitrary: break;
        }
    }
    return true;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty())
            out += sep;
        out += item;
    }
    return out;
}

}  // namespace

bool PackageSelection::contains(std::string_view normalized_name) const {
    if (all)
        return true;
    return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return specs::normalize_package_name(n) == normalized_name || n == ":all:";
    });
}

core::Result<PypiRequest> PypiRequest::for_target(const specs::TargetSpec& target) {
    auto environment =
        specs::MarkerEnvironment::for_target(target.python_version, target.conda_subdir);
    if (!environment)
        return environment.error();
    auto python = specs::Pep440Version::parse(environment.value().python_full_version);
    if (!python)
        return python.error();
    auto tags = specs::TargetTags::for_target(target);
    if (!tags)
        return tags.error();
    PypiRequest request;
    request.environment = environment.value();
    request.python_version = python.value();
    request.tags = tags.value();
    return request;
}

struct PypiProvider::Impl {
    // The releases of one project, loaded once, in preference order, with what excludes each.
    struct Project {
        std::string name;  // normalised
        bool loaded = false;
        std::vector<PypiRelease> releases;
        std::vector<std::optional<Exclusion>> exclusions;
        std::vector<std::optional<std::string>> wheels;  // the wheel to install, if any
    };
    struct NameInfo {
        std::string project;  // normalised; for an invalid requirement the display text
        std::string extra;    // empty for the project itself
        bool invalid = false;
    };
    struct Solvable {
        NameId name = 0;
        std::size_t project = 0;  // index into projects
        std::size_t release = 0;  // index into the project's releases
    };
    struct VersionSet {
        NameId name = 0;
        specs::SpecifierSet specifiers;
        std::optional<specs::Pep440Version> exact;  // the link of an extra to its release
    };

    PypiSource& source;
    PypiRequest request;
    std::optional<core::Error> error;

    std::vector<Project> projects;
    std::unordered_map<std::string, std::size_t> project_index;

    std::vector<NameInfo> names;
    std::map<std::pair<std::string, std::string>, NameId> name_index;

    std::vector<Solvable> solvables;
    std::vector<VersionSet> sets;
    std::unordered_map<std::string, VersionSetId> set_index;

    // From the request: names with an explicit pre-release specifier, `==`/`===` pins (which
    // may select yanked releases), and the names the request requires directly.
    std::set<std::string> explicit_prerelease;
    std::map<std::string, std::vector<specs::Specifier>> exact_pins;
    std::set<std::string> direct;

    Impl(PypiSource& s, const PypiRequest& r) : source(s), request(r) {
        auto note = [&](const specs::Requirement& req) {
            if (req.marker && !req.marker->evaluate(request.environment))
                return;
            const std::string name = req.normalized_name();
            for (const specs::Specifier& spec : req.specifiers.specifiers()) {
                if (spec.op() != specs::SpecifierOp::not_equal && spec.names_prerelease()) {
                    explicit_prerelease.insert(name);
                }
                if ((spec.op() == specs::SpecifierOp::equal && !spec.has_wildcard()) ||
                    spec.op() == specs::SpecifierOp::arbitrary) {
                    exact_pins[name].push_back(spec);
                }
            }
        };
        for (const auto& req : request.requirements) {
            note(req);
            direct.insert(req.normalized_name());
        }
        for (const auto& req : request.constraints) note(req);
    }

    std::size_t intern_project(const std::string& name) {
        auto [it, inserted] = project_index.emplace(name, projects.size());
        if (inserted) {
            Project p;
            p.name = name;
            projects.push_back(std::move(p));
        }
        return it->second;
    }

    NameId intern_name(const std::string& project, const std::string& extra, bool invalid = false) {
        auto [it, inserted] =
            name_index.emplace(std::make_pair(project, extra), static_cast<NameId>(names.size()));
        if (inserted)
            names.push_back(NameInfo{project, extra, invalid});
        return it->second;
    }

    VersionSetId intern_set(NameId name, const specs::SpecifierSet& specifiers,
                            const std::optional<specs::Pep440Version>& exact) {
        const std::string key = std::to_string(name) + "\n" +
                                (exact ? "=" + exact->to_string() : specifiers.to_string());
        auto found = set_index.find(key);
        if (found != set_index.end())
            return found->second;
        const auto id = static_cast<VersionSetId>(sets.size());
        sets.push_back(VersionSet{name, specifiers, exact});
        set_index.emplace(key, id);
        return id;
    }

    // A PEP 508 requirement (marker already true) as engine requirements: one on the project,
    // and one on each extra it asks for.
    void add_requirement(const specs::Requirement& req, std::vector<Requirement>& out) {
        const std::string project = req.normalized_name();
        if (!req.url.empty()) {
            const NameId name = intern_name("<" + req.name + " @ " + req.url + ">", "", true);
            out.push_back(Requirement{{intern_set(name, {}, std::nullopt)}});
            return;
        }
        out.push_back(
            Requirement{{intern_set(intern_name(project, ""), req.specifiers, std::nullopt)}});
        std::set<std::string> seen;
        for (const std::string& extra : req.extras) {
            const std::string e = specs::normalize_package_name(extra);
            if (!seen.insert(e).second)
                continue;
            out.push_back(
                Requirement{{intern_set(intern_name(project, e), req.specifiers, std::nullopt)}});
        }
    }

    Project& load(std::size_t index) {
        Project& p = projects[index];
        if (p.loaded)
            return p;
        p.loaded = true;
        auto fetched = source.releases(p.name);
        if (!fetched) {
            if (!error)
                error = fetched.error();
            return p;
        }
        std::vector<PypiRelease> releases = std::move(fetched).value();
        order(p.name, releases);
        // One release per version: the first the source gave (equal versions sort next to each
        // other, in the source's order; `1.0` and `1.0.0` are one version).
        std::vector<PypiRelease> unique;
        unique.reserve(releases.size());
        for (auto& r : releases) {
            if (unique.empty() || !(unique.back().version == r.version))
                unique.push_back(std::move(r));
        }
        p.releases = std::move(unique);
        p.exclusions.reserve(p.releases.size());
        p.wheels.reserve(p.releases.size());
        for (const auto& r : p.releases) {
            std::optional<std::string> wheel;
            p.exclusions.push_back(exclusion_of(p.name, r, wheel));
            p.wheels.push_back(std::move(wheel));
        }
        return p;
    }

    void order(const std::string& project, std::vector<PypiRelease>& releases) const {
        const PypiOptions& o = request.options;
        const bool ascending =
            o.resolution == ResolutionMode::lowest ||
            (o.resolution == ResolutionMode::lowest_direct && direct.count(project) != 0);
        const bool stable_first = is_prerelease_mode_gated(o.prereleases);
        std::vector<specs::Pep440Version> wanted;
        for (const PypiPreference& pref : o.preferred) {
            if (specs::normalize_package_name(pref.name) == project)
                wanted.push_back(pref.version);
        }
        auto preferred = [&](const PypiRelease& r) {
            return std::any_of(wanted.begin(), wanted.end(),
                               [&](const auto& v) { return v == r.version; });
        };
        std::stable_sort(
            releases.begin(), releases.end(), [&](const PypiRelease& a, const PypiRelease& b) {
                const bool pa = preferred(a);
                const bool pb = preferred(b);
                if (pa != pb)
                    return pa;
                if (stable_first && a.version.is_prerelease() != b.version.is_prerelease()) {
                    return !a.version.is_prerelease();
                }
                if (a.version != b.version)
                    return ascending ? a.version < b.version : a.version > b.version;
                return false;
            });
    }

    [[nodiscard]] bool pinned(const std::string& project,
                              const specs::Pep440Version& version) const {
        auto it = exact_pins.find(project);
        if (it == exact_pins.end())
            return false;
        return std::any_of(it->second.begin(), it->second.end(), [&](const specs::Specifier& s) {
            return s.contains(version, specs::Prereleases::allow);
        });
    }

    std::optional<Exclusion> exclusion_of(const std::string& project, const PypiRelease& r,
                                          std::optional<std::string>& wheel) const {
        const PypiOptions& o = request.options;
        // The distribution the target would use: the best compatible wheel, else the sdist.
        const bool wheels_allowed = !o.no_binary.contains(project);
        const bool build_allowed = !o.no_build.contains(project);
        std::optional<std::size_t> best;
        std::vector<std::string> wheel_tags;
        for (const std::string& file : r.wheels) {
            auto parsed = specs::WheelFilename::parse(file);
            if (!parsed)
                continue;
            std::string tag_text = join(parsed.value().python_tags, ".") + "-" +
                                   join(parsed.value().abi_tags, ".") + "-" +
                                   join(parsed.value().platform_tags, ".");
            wheel_tags.push_back(std::move(tag_text));
            if (!wheels_allowed)
                continue;
            std::optional<std::size_t> priority = std::size_t{0};
            if (request.tags)
                priority = request.tags->priority(parsed.value());
            if (priority && (!best || *priority < *best)) {
                best = priority;
                wheel = file;
            }
        }

        if (r.requires_python && !python_fits(*r.requires_python, request.python_version,
                                              o.ignore_requires_python_upper_bounds)) {
            const std::string needs = r.requires_python->to_string();
            const std::string python = request.python_version.to_string();
            return Exclusion{
                "solver.excluded.requires_python",
                fmt::format("it requires Python {}, but the target Python is {}", needs, python),
                {{"requires_python", needs}, {"python", python}}};
        }
        if (r.yanked && !pinned(project, r.version)) {
            const std::string pin = project + "==" + r.version.to_string();
            if (r.yanked_reason.empty()) {
                return Exclusion{
                    "solver.excluded.yanked",
                    fmt::format("it was yanked; only an exact pin such as `{}` selects it", pin),
                    {{"pin", pin}}};
            }
            return Exclusion{
                "solver.excluded.yanked_reason",
                fmt::format("it was yanked ({}); only an exact pin such as `{}` selects it",
                            r.yanked_reason, pin),
                {{"reason", r.yanked_reason}, {"pin", pin}}};
        }
        if (r.version.is_prerelease()) {
            if (o.prereleases == PrereleaseMode::disallow) {
                return Exclusion{"solver.excluded.prerelease",
                                 "it is a pre-release, and pre-releases are disallowed",
                                 {}};
            }
            if (o.prereleases == PrereleaseMode::explicit_only &&
                explicit_prerelease.count(project) == 0) {
                const std::string example = project + ">=" + r.version.to_string();
                return Exclusion{
                    "solver.excluded.prerelease_not_requested",
                    fmt::format("it is a pre-release, and the request does not ask for a "
                                "pre-release of `{}` (such as `{}`)",
                                project, example),
                    {{"name", project}, {"example", example}}};
            }
        }
        if (best)
            return std::nullopt;
        wheel.reset();
        if (r.has_sdist && build_allowed)
            return std::nullopt;
        return no_distribution(project, r, wheel_tags, wheels_allowed);
    }

    // Why no distribution of `r` fits: one message per combination, so that every language can
    // say it from the arguments alone.
    [[nodiscard]] Exclusion no_distribution(const std::string& project, const PypiRelease& r,
                                            const std::vector<std::string>& wheel_tags,
                                            bool wheels_allowed) const {
        // A tag the target accepts, as an example of what would be needed.
        const std::string tag = request.tags && !request.tags->tags().empty()
                                    ? request.tags->tags().front().to_string()
                                    : std::string("py3-none-any");
        const std::string wheels = join(wheel_tags, ", ");
        if (!wheels_allowed) {
            if (r.has_sdist) {
                return Exclusion{"solver.excluded.no_binary_no_build",
                                 fmt::format("wheels of `{}` are disabled (no-binary), and so is "
                                             "building it from source (no-build)",
                                             project),
                                 {{"name", project}}};
            }
            return Exclusion{"solver.excluded.no_binary_no_sdist",
                             fmt::format("wheels of `{}` are disabled (no-binary), and it has no "
                                         "source distribution",
                                         project),
                             {{"name", project}}};
        }
        if (wheel_tags.empty() && !r.has_sdist) {
            return Exclusion{
                "solver.excluded.no_files", "it has no wheels and no source distribution", {}};
        }
        if (wheel_tags.empty()) {
            return Exclusion{"solver.excluded.sdist_no_build",
                             fmt::format("it has only a source distribution, and building `{}` "
                                         "from source is disabled (no-build); it needs a wheel "
                                         "for the target, such as `{}`",
                                         project, tag),
                             {{"name", project}, {"tag", tag}}};
        }
        if (r.has_sdist) {
            return Exclusion{"solver.excluded.no_wheel_no_build",
                             fmt::format("none of its wheels fits the target (they are tagged {}), "
                                         "and building `{}` from source is disabled (no-build); "
                                         "it needs a wheel for the target, such as `{}`",
                                         wheels, project, tag),
                             {{"wheels", wheels}, {"name", project}, {"tag", tag}}};
        }
        return Exclusion{"solver.excluded.no_wheel",
                         fmt::format("none of its wheels fits the target (they are tagged {}), "
                                     "and it has no source distribution; it needs a wheel for "
                                     "the target, such as `{}`",
                                     wheels, tag),
                         {{"wheels", wheels}, {"tag", tag}}};
    }

    [[nodiscard]] const PypiRelease& release_of(SolvableId s) const {
        const Solvable& sv = solvables.at(s);
        return projects[sv.project].releases[sv.release];
    }
};

PypiProvider::PypiProvider(PypiSource& source, const PypiRequest& request)
    : m_impl(std::make_unique<Impl>(source, request)) {}

PypiProvider::~PypiProvider() = default;

const std::optional<core::Error>& PypiProvider::source_error() const noexcept {
    return m_impl->error;
}

const PypiRelease& PypiProvider::release(SolvableId solvable) const {
    return m_impl->release_of(solvable);
}

const std::string& PypiProvider::project(SolvableId solvable) const {
    return m_impl->projects[m_impl->solvables.at(solvable).project].name;
}

const std::string& PypiProvider::extra(SolvableId solvable) const {
    return m_impl->names[m_impl->solvables.at(solvable).name].extra;
}

std::optional<std::string> PypiProvider::chosen_wheel(SolvableId solvable) const {
    const auto& s = m_impl->solvables.at(solvable);
    return m_impl->projects[s.project].wheels[s.release];
}

core::Result<Problem> PypiProvider::problem() {
    Impl& m = *m_impl;
    Problem problem;
    for (const specs::Requirement& req : m.request.requirements) {
        if (req.marker && !req.marker->evaluate(m.request.environment))
            continue;
        if (!req.url.empty()) {
            return core::Error{
                core::ErrorCode::invalid_input,
                "solver.pypi.url_requirement",
                fmt::format("`{}` names a URL; only index requirements can be solved",
                            req.to_string()),
                {{"requirement", req.to_string()}},
                {},
                {},
                {}};
        }
        std::vector<Requirement> reqs;
        m.add_requirement(req, reqs);
        for (auto& r : reqs) problem.requirements.push_back(std::move(r));
    }
    for (const specs::Requirement& req : m.request.constraints) {
        if (req.marker && !req.marker->evaluate(m.request.environment))
            continue;
        if (!req.url.empty()) {
            return core::Error{
                core::ErrorCode::invalid_input,
                "solver.pypi.url_constraint",
                fmt::format("constraint `{}` names a URL; only version constraints are supported",
                            req.to_string()),
                {{"requirement", req.to_string()}},
                {},
                {},
                {}};
        }
        problem.constraints.push_back(
            m.intern_set(m.intern_name(req.normalized_name(), ""), req.specifiers, std::nullopt));
    }
    return problem;
}

std::vector<SolvableId> PypiProvider::candidates(NameId name) {
    Impl& m = *m_impl;
    const Impl::NameInfo info = m.names.at(name);
    if (info.invalid)
        return {};
    const std::size_t index = m.intern_project(info.project);
    const Impl::Project& p = m.load(index);
    std::vector<SolvableId> ids;
    ids.reserve(p.releases.size());
    for (std::size_t i = 0; i < p.releases.size(); ++i) {
        ids.push_back(static_cast<SolvableId>(m.solvables.size()));
        m.solvables.push_back(Impl::Solvable{name, index, i});
    }
    return ids;
}

NameId PypiProvider::name_of(SolvableId solvable) const {
    return m_impl->solvables.at(solvable).name;
}

NameId PypiProvider::name_of_set(VersionSetId set) const {
    return m_impl->sets.at(set).name;
}

std::vector<SolvableId> PypiProvider::filter(VersionSetId set,
                                             std::span<const SolvableId> candidates) {
    Impl& m = *m_impl;
    const Impl::VersionSet& vs = m.sets.at(set);
    std::vector<SolvableId> out;
    if (m.names.at(vs.name).invalid)
        return out;
    if (vs.exact) {
        for (SolvableId s : candidates) {
            const auto& v = m.release_of(s).version;
            if (v == *vs.exact)
                out.push_back(s);
        }
        return out;
    }
    const PrereleaseMode mode = m.request.options.prereleases;
    const std::string& project = m.names[vs.name].project;
    bool admit_pre = mode != PrereleaseMode::if_necessary_or_explicit ||
                     m.explicit_prerelease.count(project) != 0 || vs.specifiers.names_prerelease();
    if (!admit_pre) {
        // The older rule: pre-releases only when no usable final release matches.
        admit_pre = std::none_of(candidates.begin(), candidates.end(), [&](SolvableId s) {
            const auto& sv = m.solvables[s];
            const auto& r = m.projects[sv.project].releases[sv.release];
            return !r.version.is_prerelease() && !m.projects[sv.project].exclusions[sv.release] &&
                   vs.specifiers.contains(r.version, specs::Prereleases::allow);
        });
    }
    for (SolvableId s : candidates) {
        const auto& v = m.release_of(s).version;
        if (!vs.specifiers.contains(v, specs::Prereleases::allow))
            continue;
        if (v.is_prerelease() && !admit_pre)
            continue;
        out.push_back(s);
    }
    return out;
}

Dependencies PypiProvider::dependencies(SolvableId solvable) {
    Impl& m = *m_impl;
    const Impl::Solvable sv = m.solvables.at(solvable);
    const std::string extra = m.names[sv.name].extra;
    {
        auto& project = m.projects[sv.project];
        PypiRelease& stored = project.releases[sv.release];
        if (stored.metadata_pending) {
            const auto& wheel = project.wheels[sv.release];
            auto loaded = m.source.load_metadata(stored, wheel ? *wheel : std::string());
            stored.metadata_pending = false;
            if (!loaded && !m.error) m.error = std::move(loaded).error();
        }
    }
    // Copy: interning below may grow `projects`, and the release must outlive that.
    const PypiRelease r = m.projects[sv.project].releases[sv.release];
    Dependencies deps;
    if (!extra.empty()) {
        // The extra's candidate for release V needs exactly V of its project.
        const NameId base = m.intern_name(m.projects[sv.project].name, "");
        deps.requires_.push_back(Requirement{{m.intern_set(base, {}, r.version)}});
    }
    const std::set<std::string> extras =
        extra.empty() ? std::set<std::string>{} : std::set<std::string>{extra};
    for (const specs::Requirement& req : r.requires_dist) {
        if (!extra.empty()) {
            // Only what the extra adds; the release's own dependencies come with the link.
            if (!req.marker || !mentions_extra(*req.marker))
                continue;
        }
        if (req.marker && !req.marker->evaluate(m.request.environment, extras))
            continue;
        m.add_requirement(req, deps.requires_);
    }
    return deps;
}

std::optional<Exclusion> PypiProvider::excluded(SolvableId solvable) {
    const auto& sv = m_impl->solvables.at(solvable);
    return m_impl->projects[sv.project].exclusions[sv.release];
}

std::string PypiProvider::display_name(NameId name) const {
    const auto& info = m_impl->names.at(name);
    if (info.extra.empty())
        return info.project;
    return info.project + "[" + info.extra + "]";
}

std::string PypiProvider::display_solvable(SolvableId solvable) const {
    const PypiRelease& release = m_impl->release_of(solvable);
    if (release.origin.empty()) return release.version.to_string();
    return release.version.to_string() + " (" + release.origin + ")";
}

std::string PypiProvider::display_version_set(VersionSetId set) const {
    const auto& vs = m_impl->sets.at(set);
    if (vs.exact)
        return "==" + vs.exact->to_string();
    const std::string text = vs.specifiers.to_string();
    return text.empty() ? "*" : text;
}

core::Result<PypiOutcome> solve_pypi(PypiSource& source, const PypiRequest& request,
                                     const SolveOptions& options) {
    auto provider = std::make_shared<PypiProvider>(source, request);
    auto problem = provider->problem();
    if (!problem)
        return problem.error();
    auto outcome = solve(*provider, problem.value(), options);
    if (provider->source_error())
        return *provider->source_error();
    if (!outcome)
        return outcome.error();
    PypiOutcome result;
    result.provider = provider;
    if (auto* unsolvable = std::get_if<Unsolvable>(&outcome.value())) {
        result.result = std::move(*unsolvable);
        return result;
    }
    const auto& solution = std::get<Solution>(outcome.value());
    std::map<std::string, PypiPackage> by_name;
    std::map<std::string, std::set<std::string>> extras;
    for (SolvableId s : solution.installed) {
        const std::string& name = provider->project(s);
        if (!provider->extra(s).empty()) {
            extras[name].insert(provider->extra(s));
            continue;
        }
        by_name[name] = PypiPackage{name, provider->release(s), {}, provider->chosen_wheel(s)};
    }
    PypiSolution out;
    out.stats = solution.stats;
    for (auto& [name, package] : by_name) {
        auto it = extras.find(name);
        if (it != extras.end())
            package.extras.assign(it->second.begin(), it->second.end());
        out.packages.push_back(std::move(package));
    }
    result.result = std::move(out);
    return result;
}

}  // namespace envsmith::solver
