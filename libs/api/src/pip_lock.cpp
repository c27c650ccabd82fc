#include "pip_lock.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>

#include "envsmith/core/url.hpp"
#include "envsmith/index/pypi.hpp"
#include "envsmith/index/simple_api.hpp"
#include "envsmith/solver/explain.hpp"
#include "envsmith/solver/pypi.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/wheel.hpp"
#include "pypi_lookup.hpp"

namespace envsmith::api::detail {
namespace {

/// Releases from the indexes, their metadata read only for the releases the search installs;
/// a name the conda solution provides offers exactly that version and nothing else.
class IndexPypiSource final : public solver::PypiSource {
public:
    IndexPypiSource(index::PypiClient& client, const std::map<std::string, std::string>& conda)
        : m_client(client), m_conda(conda) {}

    core::Result<std::vector<solver::PypiRelease>> releases(std::string_view name) override {
        std::vector<solver::PypiRelease> out;
        if (auto it = m_conda.find(std::string(name)); it != m_conda.end()) {
            auto version = specs::Pep440Version::parse(it->second);
            if (!version) return out;  // a conda version PEP 440 cannot read: nothing matches
            solver::PypiRelease release;
            release.name = std::string(name);
            release.version = *version;
            release.origin = "conda";
            std::string stem = release.name;
            std::replace(stem.begin(), stem.end(), '-', '_');
            release.wheels.push_back(stem + "-" + version->to_string() + "-py3-none-any.whl");
            out.push_back(std::move(release));
            return out;
        }
        auto page = m_client.project(name);
        if (!page) {
            if (page.error().code == core::ErrorCode::not_found) return out;
            return std::move(page).error();
        }
        std::map<std::string, std::size_t> by_version;
        for (const auto& file : page->files) {
            const specs::Pep440Version* version = file.version();
            if (version == nullptr || (!file.wheel && !file.sdist)) continue;
            const std::string key = version->to_string();
            auto [it, inserted] = by_version.emplace(key, out.size());
            if (inserted) {
                solver::PypiRelease release;
                release.name = std::string(name);
                release.version = *version;
                release.yanked = true;  // until a file that is not yanked says otherwise
                release.metadata_pending = true;
                out.push_back(std::move(release));
            }
            solver::PypiRelease& release = out[it->second];
            if (!file.is_yanked()) {
                release.yanked = false;
            } else if (release.yanked_reason.empty()) {
                release.yanked_reason = *file.yanked;
            }
            if (!file.requires_python.empty() && !release.requires_python) {
                if (auto spec = specs::SpecifierSet::parse(file.requires_python)) release.requires_python = *spec;
            }
            if (file.wheel) release.wheels.push_back(file.filename);
            if (file.sdist) release.has_sdist = true;
            m_files[std::string(name) + "\n" + key].push_back(file);
        }
        return out;
    }

    core::Status load_metadata(solver::PypiRelease& release, const std::string& wheel) override {
        const auto found = m_files.find(release.name + "\n" + release.version.to_string());
        if (found == m_files.end()) return {};
        // The wheel the target installs (wheels of one release may declare different
        // dependencies), else any wheel (its METADATA is the real one, readable by Range
        // requests) with a PEP 658 file first, else an sdist through its `.metadata` file.
        const index::DistributionFile* best = nullptr;
        auto rank = [&wheel](const index::DistributionFile& f) {
            if (!wheel.empty() && f.filename == wheel) return 0;
            if (f.wheel) return f.has_core_metadata ? 1 : 2;
            return f.has_core_metadata ? 3 : 4;
        };
        for (const auto& file : found->second) {
            if (best == nullptr || rank(file) < rank(*best)) best = &file;
        }
        auto metadata = m_client.metadata(*best);
        if (!metadata) return std::move(metadata).error();
        release.requires_dist = metadata->requires_dist;
        if (!release.requires_python && metadata->requires_python) release.requires_python = metadata->requires_python;
        release.metadata_pending = false;
        return {};
    }

    /// The file of a release by name, for its URL and hashes.
    const index::DistributionFile* file(const std::string& name, const std::string& version,
                                        const std::string& filename) const {
        const auto found = m_files.find(name + "\n" + version);
        if (found == m_files.end()) return nullptr;
        for (const auto& file : found->second) {
            if (file.filename == filename) return &file;
        }
        return nullptr;
    }

    const index::DistributionFile* sdist(const std::string& name, const std::string& version) const {
        const auto found = m_files.find(name + "\n" + version);
        if (found == m_files.end()) return nullptr;
        for (const auto& file : found->second) {
            if (file.sdist) return &file;
        }
        return nullptr;
    }

private:
    index::PypiClient& m_client;
    const std::map<std::string, std::string>& m_conda;
    std::map<std::string, std::vector<index::DistributionFile>> m_files;
};

}  // namespace

core::Result<PipLockOutcome> lock_pip(core::Transport& transport, core::FileSystem& fs,
                                      core::Reporter& reporter, const PipLockInput& input) {
    PipLockOutcome outcome;
    specs::TargetSpec target;
    target.python_version = input.python;
    target.conda_subdir = input.platform;
    if (!input.glibc.empty()) {
        const auto dot = input.glibc.find('.');
        if (dot != std::string::npos) {
            target.libc_version.major = static_cast<std::uint32_t>(std::stoul(input.glibc.substr(0, dot)));
            target.libc_version.minor = static_cast<std::uint32_t>(std::stoul(input.glibc.substr(dot + 1)));
        }
    }
    auto request = solver::PypiRequest::for_target(target);
    if (!request) return std::move(request).error();
    if (auto full = specs::Pep440Version::parse(input.python); full && input.python.find('.') != input.python.rfind('.')) {
        request->python_version = *full;
        request->environment.python_full_version = input.python;
    }
    const specs::PipSection& pip = *input.pip;
    for (const auto& item : pip.requirements) {
        auto requirement = specs::Requirement::parse(item.requirement);
        if (!requirement) return std::move(requirement).error();
        request->requirements.push_back(std::move(*requirement));
    }
    for (const auto& item : pip.constraints) {
        auto requirement = specs::Requirement::parse(item.requirement);
        if (!requirement) return std::move(requirement).error();
        request->constraints.push_back(std::move(*requirement));
    }
    if (pip.pre) request->options.prereleases = solver::PrereleaseMode::allow;
    for (const auto& name : pip.no_binary) {
        if (name == ":all:") request->options.no_binary.all = true;
        else if (name != ":none:") request->options.no_binary.names.push_back(name);
    }
    for (const auto& name : pip.only_binary) {
        if (name == ":all:") request->options.no_build.all = true;
        else if (name != ":none:") request->options.no_build.names.push_back(name);
    }

    index::PypiClient client(pypi_options(pip, input.index_url_override), transport, fs, reporter);
    IndexPypiSource source(client, input.conda_provided);
    const auto start = std::chrono::steady_clock::now();
    auto solved = solver::solve_pypi(source, *request);
    outcome.solve_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!solved) return std::move(solved).error();

    if (const auto* unsolvable = std::get_if<solver::Unsolvable>(&solved->result)) {
        for (auto& line : solver::explain(*unsolvable, *solved->provider)) {
            ExplanationText text{line.depth, std::move(line.message_id), {}, std::move(line.text)};
            for (auto& [name, value] : line.args) text.args.push_back({name, value});
            outcome.explanation.push_back(std::move(text));
        }
        return outcome;
    }
    outcome.solved = true;
    for (const auto& package : std::get<solver::PypiSolution>(solved->result).packages) {
        const std::string version = package.release.version.to_string();
        if (package.release.origin == "conda") {
            outcome.from_conda.push_back(fmt::format("{} (conda {})", package.name, version));
            continue;
        }
        LockedRecord record;
        record.manager = "pip";
        record.name = package.name;
        record.version = version;
        const index::DistributionFile* file =
            package.wheel ? source.file(package.name, version, *package.wheel) : source.sdist(package.name, version);
        if (file != nullptr) {
            record.fn = file->filename;
            record.url = core::redact_url(file->url);
            record.fetch_url = file->url;
            if (auto it = file->hashes.find("sha256"); it != file->hashes.end()) record.sha256 = it->second;
            if (auto it = file->hashes.find("md5"); it != file->hashes.end()) record.md5 = it->second;
        }
        std::set<std::string> extras(package.extras.begin(), package.extras.end());
        auto& deps = outcome.dependencies[package.name];
        for (const auto& requirement : package.release.requires_dist) {
            if (requirement.marker && !requirement.marker->evaluate(request->environment, extras)) continue;
            const std::string spec = requirement.specifiers.empty() ? "*" : requirement.specifiers.to_string();
            deps[requirement.normalized_name()] = spec;
        }
        outcome.records.push_back(std::move(record));
    }
    return outcome;
}

}  // namespace envsmith::api::detail
