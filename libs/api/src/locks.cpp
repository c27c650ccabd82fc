#include "envsmith/api/locks.hpp"

#include <cstdlib>
#include <filesystem>
#include <set>

#include "envsmith/api/network.hpp"
#include "envsmith/install/package_cache.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

std::string env(const LocksOptions& options, const std::string& name) {
    if (options.use_process_environment) {
        const char* value = std::getenv(name.c_str());
        return value == nullptr ? std::string() : std::string(value);
    }
    const auto it = options.environment.find(name);
    return it == options.environment.end() ? std::string() : it->second;
}

void add_existing(std::vector<std::string>& out, std::set<std::string>& seen, const stdfs::path& path) {
    std::error_code ec;
    if (path.empty() || !stdfs::is_directory(path, ec)) return;
    const auto normal = path.lexically_normal().string();
    if (seen.insert(normal).second) out.push_back(normal);
}

}  // namespace

install::LockSearch lock_search(const LocksOptions& options) {
    install::LockSearch search;
    std::set<std::string> seen;
    const auto cache_dir = !options.cache_dir.empty() ? options.cache_dir
                           : options.use_process_environment ? default_cache_dir()
                                                             : env(options, "ENVSMITH_CACHE_DIR");
    if (!cache_dir.empty()) {
        add_existing(search.envsmith_cache_roots, seen, install::package_cache_root(cache_dir));
        // `envsmith build`: locks/build-<hash>.lock, and the image layouts' sibling locks.
        add_existing(search.envsmith_cache_roots, seen, cache_dir);
        add_existing(search.prefix_parents, seen, (stdfs::path(cache_dir) / "images").string());
    }
    for (const auto& folder : options.folders) {
        add_existing(search.prefix_parents, seen, folder);
        seen.erase(stdfs::path(folder).lexically_normal().string());
        add_existing(search.conda_dirs, seen, folder);
    }
    // conda's package caches and environment folders, where conda and mamba keep lock files.
    std::string pkgs_dirs = env(options, "CONDA_PKGS_DIRS");
    for (std::size_t start = 0; !pkgs_dirs.empty() && start <= pkgs_dirs.size();) {
        auto end = pkgs_dirs.find(',', start);
        if (end == std::string::npos) end = pkgs_dirs.size();
        add_existing(search.conda_dirs, seen, pkgs_dirs.substr(start, end - start));
        start = end + 1;
    }
    const auto conda_prefix = env(options, "CONDA_PREFIX");
    if (!conda_prefix.empty()) {
        add_existing(search.conda_dirs, seen, stdfs::path(conda_prefix) / "pkgs");
        add_existing(search.conda_dirs, seen, conda_prefix);
    }
    const auto home = env(options, "HOME");
    std::vector<stdfs::path> roots = {"/opt/conda", "/opt/miniconda", "/usr/local/conda"};
    if (!home.empty()) {
        for (const auto* name : {".conda", "miniconda3", "anaconda3", "miniforge3", "mambaforge", "micromamba"}) {
            roots.push_back(stdfs::path(home) / name);
        }
        add_existing(search.azureml_dirs, seen, stdfs::path(home) / ".azureml" / "locks");
    }
    for (const auto& root : roots) {
        add_existing(search.conda_dirs, seen, root / "pkgs");
        add_existing(search.conda_dirs, seen, root);
    }
    return search;
}

core::Result<LocksReport> locks(const LocksOptions& options) {
    LocksReport report;
    const auto search = lock_search(options);
    for (const auto* list : {&search.envsmith_cache_roots, &search.prefix_parents, &search.conda_dirs, &search.azureml_dirs}) {
        report.searched.insert(report.searched.end(), list->begin(), list->end());
    }
    report.locks = install::find_lock_files(search);
    if (!options.clean) return report;
    for (const auto& lock : report.locks) {
        if (lock.state != install::LockState::free && lock.state != install::LockState::stale) continue;
        auto removed = install::remove_if_unowned(lock);
        if (!removed) return std::move(removed).error();
        if (*removed) report.removed.push_back(lock.path);
    }
    return report;
}

}  // namespace envsmith::api
