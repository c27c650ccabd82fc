// envsmith create: input (definition, conda-lock, @EXPLICIT) -> plan -> verified downloads into
// the package cache -> a staging prefix (conda packages linked, wheels installed) -> one
// atomic swap into place.
#include "envsmith/api/create.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <set>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include <fmt/format.h>

#include "envsmith/api/load_definition.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/install/link.hpp"
#include "envsmith/install/package_cache.hpp"
#include "envsmith/install/prefix_record.hpp"
#include "envsmith/install/transaction.hpp"
#include "envsmith/install/wheel_install.hpp"
#include "envsmith/specs/conda_lock.hpp"
#include "envsmith/specs/explicit_env.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

/// One package to put into the prefix.
struct Planned {
    std::string manager;  // conda or pip
    std::string name;
    std::string version;
    std::string build;
    std::string channel;
    std::string subdir;
    std::string fn;
    std::string url;        // redacted, for reports
    std::string fetch_url;  // as downloaded
    std::string md5;
    std::string sha256;
};

struct Plan {
    std::string platform;
    bool solved = true;
    std::vector<ExplanationText> explanation;
    std::vector<std::string> pip_from_conda;
    std::vector<Planned> packages;
    std::map<std::string, std::string> requested_conda;  // name -> spec as the user wrote it
    std::set<std::string> requested_pip;                   // normalised names
    std::string pip_only_python;                           // X.Y when no conda python
    std::vector<core::Error> warnings;
};

bool has_line(std::string_view text, std::string_view line) {
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        auto current = text.substr(start, end - start);
        while (!current.empty() && (current.back() == '\r' || current.back() == ' ')) current.remove_suffix(1);
        if (current == line) return true;
        start = end + 1;
    }
    return false;
}

/// A conda-lock file has the top-level keys `version`, `metadata` and `package`.
bool looks_like_conda_lock(std::string_view text) {
    return (text.rfind("package:", 0) == 0 || text.find("\npackage:") != std::string_view::npos) &&
           (text.rfind("metadata:", 0) == 0 || text.find("\nmetadata:") != std::string_view::npos);
}

std::string file_name_of(std::string_view url) {
    auto path = url.substr(0, url.find_first_of("?#"));
    const auto slash = path.rfind('/');
    return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::string python_version_of(const std::vector<Planned>& packages) {
    for (const auto& p : packages) {
        if (p.manager == "conda" && p.name == "python") {
            const auto first = p.version.find('.');
            const auto second = first == std::string::npos ? std::string::npos : p.version.find('.', first + 1);
            return p.version.substr(0, second);
        }
    }
    return {};
}

/// The interpreter a prefix without a conda python is a virtual environment over.
struct BaseInterpreter {
    std::string path;     // absolute, as the environment sees it at runtime
    std::string version;  // X.Y.Z when the interpreter was run, X.Y from its name; empty: unknown
};

std::string major_minor(const std::string& version) {
    const auto first = version.find('.');
    if (first == std::string::npos) return version;
    return version.substr(0, version.find('.', first + 1));
}

/// X.Y from a file name `pythonX.Y`, else empty.
std::string version_from_name(const std::string& path) {
    const auto name = stdfs::path(path).filename().string();
    constexpr std::string_view stem = "python";
    if (name.rfind(stem, 0) != 0) return {};
    const auto version = name.substr(stem.size());
    const auto dot = version.find('.');
    if (dot == std::string::npos || dot == 0 || dot + 1 == version.size() ||
        version.find_first_not_of("0123456789.") != std::string::npos || version.find('.', dot + 1) != std::string::npos) {
        return {};
    }
    return version;
}

core::Error write_failed(const std::string& path, const std::string& reason) {
    return core::make_error(core::ErrorCode::unavailable, "fs.write_failed",
                            fmt::format("cannot write `{}`: {}", path, reason))
        .arg("path", path)
        .arg("reason", reason);
}

core::Error base_python_unusable(const std::string& python, const std::string& reason) {
    return core::make_error(core::ErrorCode::not_found, "create.base_python_unusable",
                            fmt::format("the base interpreter `{}` did not run: {}", python, reason))
        .arg("python", python)
        .arg("reason", reason)
        .with_hint("A prefix without a conda `python` is a virtual environment over an installed Python: "
                   "install Python 3, or name its interpreter with --base-python");
}

/// Runs `python` (a path, or a name looked up on PATH) in isolated mode and reads the real path
/// of its base interpreter (the one under a shim or a virtual environment) and its X.Y.Z.
core::Result<BaseInterpreter> ask_interpreter(const std::string& python) {
    static const std::string script =
        "import os, sys\n"
        "print(os.path.realpath(getattr(sys, '_base_executable', '') or sys.executable))\n"
        "print('%d.%d.%d' % sys.version_info[:3])\n";
    std::string program = python;
    std::string isolated = "-I";
    std::string command = "-c";
    std::string code = script;
    std::vector<char*> argv = {program.data(), isolated.data(), command.data(), code.data(), nullptr};
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) return base_python_unusable(python, std::strerror(errno));
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int spawned = python.find('/') == std::string::npos
                            ? ::posix_spawnp(&pid, program.c_str(), &actions, nullptr, argv.data(), environ)
                            : ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    if (spawned != 0) {
        ::close(fds[0]);
        return base_python_unusable(python, std::strerror(spawned));
    }
    std::string out;
    char buffer[1024];
    while (true) {
        const auto n = ::read(fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        out.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return base_python_unusable(python, WIFEXITED(status) ? fmt::format("exit status {}", WEXITSTATUS(status))
                                                              : std::string("killed by a signal"));
    }
    BaseInterpreter found;
    const auto newline = out.find('\n');
    found.path = out.substr(0, newline);
    if (newline != std::string::npos) {
        found.version = out.substr(newline + 1);
        while (!found.version.empty() && (found.version.back() == '\n' || found.version.back() == '\r')) {
            found.version.pop_back();
        }
    }
    if (found.path.empty() || found.path.front() != '/' || found.version.empty() ||
        found.version.find_first_not_of("0123456789.") != std::string::npos) {
        return base_python_unusable(python, "it did not print its path and version");
    }
    return found;
}

/// The base interpreter of a pip-only prefix (see CreateOptions::base_python).
core::Result<BaseInterpreter> base_interpreter(const CreateOptions& options) {
    if (options.base_python.empty()) return ask_interpreter("python3");
    if (options.base_python.front() != '/') {
        return core::make_error(core::ErrorCode::invalid_input, "create.base_python_not_absolute",
                                fmt::format("the base interpreter `{}` must be an absolute path", options.base_python))
            .arg("python", options.base_python);
    }
    if (options.write_dir.empty()) {
        // The prefix lives on this machine: the interpreter must run here, and tells its version.
        auto asked = ask_interpreter(options.base_python);
        if (!asked) return std::move(asked).error();
        return BaseInterpreter{options.base_python, asked->version};
    }
    return BaseInterpreter{options.base_python, version_from_name(options.base_python)};
}

/// Makes the staging prefix a PEP 405 virtual environment over `base`: `pyvenv.cfg` beside
/// `bin/`, and the interpreter names in `bin/` as symbolic links to the base interpreter.
core::Status write_virtual_environment(const std::string& dir, const BaseInterpreter& base, const std::string& version) {
    std::error_code ec;
    stdfs::create_directories(stdfs::path(dir) / "bin", ec);
    if (!ec) stdfs::create_directories(stdfs::path(dir) / fmt::format("lib/python{}/site-packages", major_minor(version)), ec);
    if (ec) return write_failed(dir, ec.message());
    const auto cfg = stdfs::path(dir) / "pyvenv.cfg";
    {
        std::ofstream out(cfg, std::ios::binary | std::ios::trunc);
        out << "home = " << stdfs::path(base.path).parent_path().string() << "\n"
            << "include-system-site-packages = false\n"
            << "version = " << version << "\n"
            << "executable = " << base.path << "\n";
        if (!out) return write_failed(cfg.string(), "the file could not be written");
    }
    for (const auto& name : {std::string("python"), std::string("python3"), "python" + major_minor(version)}) {
        const auto link = stdfs::path(dir) / "bin" / name;
        stdfs::remove(link, ec);
        stdfs::create_symlink(base.path, link, ec);
        if (ec) return write_failed(link.string(), ec.message());
    }
    return {};
}

core::Result<Plan> plan_from_conda_lock(const std::string& text, const CreateOptions& options) {
    auto parsed = specs::CondaLock::parse(text, options.path);
    if (!parsed) return std::move(parsed).error();
    Plan plan;
    plan.warnings = parsed->warnings;
    plan.platform = options.platform;
    if (plan.platform.empty()) {
        plan.platform = parsed->metadata.platforms.size() == 1 ? parsed->metadata.platforms.front() : host_platform();
    }
    if (std::find(parsed->metadata.platforms.begin(), parsed->metadata.platforms.end(), plan.platform) ==
        parsed->metadata.platforms.end()) {
        std::string locked;
        for (const auto& p : parsed->metadata.platforms) locked += (locked.empty() ? "" : ", ") + p;
        return core::make_error(core::ErrorCode::not_found, "create.platform_not_locked",
                                fmt::format("{} has no packages for {} (it locks {})", options.path,
                                            plan.platform, locked))
            .arg("file", options.path)
            .arg("platform", plan.platform)
            .arg("locked", locked);
    }
    for (const auto* package : specs::packages_for(*parsed, plan.platform)) {
        Planned p;
        p.manager = std::string(specs::to_string(package->manager));
        p.name = package->name;
        p.version = package->version;
        p.build = package->build.value_or("");
        p.fetch_url = package->url;
        p.url = core::redact_url(package->url);
        p.fn = file_name_of(package->url);
        p.md5 = package->md5.value_or("");
        p.sha256 = package->sha256.value_or("");
        if (p.manager == "conda") {
            // .../<channel>/<subdir>/<fn>
            const auto path = std::string_view(package->url).substr(0, package->url.size() - p.fn.size());
            const auto trimmed = path.substr(0, path.empty() ? 0 : path.size() - 1);
            const auto slash = trimmed.rfind('/');
            if (slash != std::string_view::npos) {
                p.subdir = std::string(trimmed.substr(slash + 1));
                p.channel = core::redact_url(trimmed.substr(0, slash));
            }
        }
        plan.packages.push_back(std::move(p));
    }
    return plan;
}

core::Result<Plan> plan_from_explicit(const std::string& text, const CreateOptions& options) {
    auto parsed = specs::ExplicitEnv::parse(text, options.path);
    if (!parsed) return std::move(parsed).error();
    Plan plan;
    plan.platform = !options.platform.empty() ? options.platform
                    : !parsed->platform.empty() ? parsed->platform
                                                : host_platform();
    for (const auto& entry : parsed->entries) {
        Planned p;
        p.manager = "conda";
        p.name = entry.name;
        p.version = entry.version;
        p.build = entry.build;
        p.channel = core::redact_url(entry.channel);
        p.subdir = entry.subdir;
        p.fn = entry.filename;
        p.fetch_url = entry.url;
        p.url = core::redact_url(entry.url);
        p.md5 = entry.md5;
        p.sha256 = entry.sha256;
        plan.packages.push_back(std::move(p));
    }
    return plan;
}

core::Result<Plan> plan_from_definition(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter,
                                        const CreateOptions& options, std::optional<BaseInterpreter>& base) {
    LockOptions lock_options = options.lock;
    LoadOptions load;
    load.path = options.path;
    load.platform = options.platform;
    load.environment = options.lock.environment;
    auto loaded = load_definition(fs, load);  // when it fails, lock says why
    const auto target_platform = !options.platform.empty()                          ? options.platform
                                 : loaded && !loaded->definition.platform.empty() ? loaded->definition.platform
                                                                                  : host_platform();
    if (loaded && !loaded->definition.conda && loaded->definition.pip && !loaded->definition.pip->requirements.empty() &&
        target_platform.rfind("win-", 0) != 0) {
        // No conda python: the prefix is a virtual environment over the base interpreter, so
        // the wheels are chosen for its version.
        auto found = base_interpreter(options);
        if (!found) return std::move(found).error();
        if (!found->version.empty()) lock_options.python = major_minor(found->version);
        base = std::move(*found);
    }
    lock_options.path = options.path;
    lock_options.dry_run = true;
    lock_options.check = false;
    lock_options.platforms.clear();
    if (!options.platform.empty()) lock_options.platforms.push_back(options.platform);
    auto solved = lock(fs, transport, reporter, lock_options);
    if (!solved) return std::move(solved).error();
    if (solved->platforms.size() != 1) {
        return core::make_error(core::ErrorCode::invalid_input, "create.one_platform",
                                fmt::format("{} targets several platforms; name one with --platform", options.path))
            .arg("file", options.path);
    }
    Plan plan;
    plan.warnings = std::move(solved->warnings);
    auto& platform = solved->platforms.front();
    plan.platform = platform.platform;
    plan.solved = platform.solved;
    plan.explanation = std::move(platform.explanation);
    plan.pip_from_conda = std::move(platform.pip_from_conda);
    for (auto& record : platform.records) {
        Planned p;
        p.manager = record.manager;
        p.name = record.name;
        p.version = record.version;
        p.build = record.build;
        p.channel = record.channel;
        p.subdir = record.subdir;
        p.fn = record.fn.empty() ? file_name_of(record.url) : record.fn;
        p.url = record.url;
        p.fetch_url = record.fetch_url.empty() ? record.url : record.fetch_url;
        p.md5 = record.md5;
        p.sha256 = record.sha256;
        plan.packages.push_back(std::move(p));
    }
    // What the user asked for by name, for conda-meta's requested_spec and pip's REQUESTED.
    if (loaded) {
        if (loaded->definition.conda) {
            for (const auto& text : loaded->definition.conda->dependencies) {
                if (auto spec = specs::MatchSpec::parse(text)) plan.requested_conda.emplace(spec->name(), text);
            }
        }
        if (loaded->definition.pip) {
            for (const auto& requirement : loaded->definition.pip->requirements) {
                if (auto parsed = specs::Requirement::parse(requirement.requirement)) {
                    plan.requested_pip.insert(parsed->normalized_name());
                }
            }
        }
    }
    plan.pip_only_python = lock_options.python;
    return plan;
}

std::optional<core::Digest> digest_of(core::DigestAlgorithm algorithm, const std::string& hex) {
    if (hex.empty()) return std::nullopt;
    return core::Digest{algorithm, hex};
}

/// Site-packages and the interpreter of a prefix for a Python X.Y on a platform.
install::PythonTarget python_target(const std::string& version, const std::string& platform) {
    if (platform.rfind("win-", 0) == 0) return {version, "Lib/site-packages", "python.exe"};
    return {version, fmt::format("lib/python{}/site-packages", version), fmt::format("bin/python{}", version)};
}

void measure_tree(const std::string& root, CreateReport& report) {
    std::error_code ec;
    for (auto it = stdfs::recursive_directory_iterator(root, ec); !ec && it != stdfs::recursive_directory_iterator();
         it.increment(ec)) {
        if (it->is_regular_file(ec) && !it->is_symlink(ec)) {
            ++report.prefix_files;
            report.prefix_bytes += it->file_size(ec);
        }
    }
}

}  // namespace

core::Result<CreateReport> create(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter,
                                  const CreateOptions& options) {
    CreateReport report;
    report.file = options.path;
    report.prefix = options.prefix;
    report.dry_run = options.dry_run;
    if (options.prefix.empty() || !stdfs::path(options.prefix).is_absolute()) {
        return core::make_error(core::ErrorCode::invalid_input, "create.prefix_not_absolute",
                                fmt::format("the prefix `{}` must be an absolute path", options.prefix))
            .arg("prefix", options.prefix);
    }

    // 1. The plan.
    const auto solve_start = Clock::now();
    reporter.on_phase_start("solve");
    auto text = fs.read_file(options.path);
    if (!text) return std::move(text).error();
    core::Result<Plan> plan = core::Error{};
    std::optional<BaseInterpreter> base;  // for a prefix without a conda python
    if (has_line(*text, "@EXPLICIT")) {
        report.source = CreateSource::explicit_file;
        plan = plan_from_explicit(*text, options);
    } else if (looks_like_conda_lock(*text)) {
        report.source = CreateSource::conda_lock;
        plan = plan_from_conda_lock(*text, options);
    } else {
        report.source = CreateSource::definition;
        plan = plan_from_definition(fs, transport, reporter, options, base);
    }
    if (!plan) return std::move(plan).error();
    report.times.solve_s = seconds_since(solve_start);
    reporter.on_phase_end("solve", static_cast<std::uint64_t>(report.times.solve_s * 1000));
    report.platform = plan->platform;
    report.solved = plan->solved;
    report.explanation = plan->explanation;
    report.pip_from_conda = plan->pip_from_conda;
    report.warnings = plan->warnings;
    for (const auto& p : plan->packages) {
        report.packages.push_back({p.manager, p.name, p.version, p.build, p.url, 0, false});
    }
    if (!plan->solved || options.dry_run) return report;

    for (const auto& p : plan->packages) {
        if (p.manager == "pip" && p.fn.size() > 4 && p.fn.substr(p.fn.size() - 4) != ".whl") {
            return core::make_error(core::ErrorCode::invalid_input, "create.sdist_unsupported",
                                    fmt::format("{} {} is a source distribution ({}); envsmith installs wheels only",
                                                p.name, p.version, p.fn))
                .arg("package", p.name)
                .arg("version", p.version)
                .arg("file", p.fn)
                .with_hint("Pin a version that publishes a wheel for this platform and Python, or build the "
                           "wheel first and serve it from a --find-links directory");
        }
        if (p.sha256.empty() && p.md5.empty()) {
            return core::make_error(core::ErrorCode::invalid_input, "create.no_hash",
                                    fmt::format("{} {} has no sha256 or md5 to verify its download against",
                                                p.name, p.version))
                .arg("package", p.name)
                .arg("version", p.version);
        }
    }

    // Without a conda python, wheels go into a virtual environment over the base interpreter.
    auto conda_python = python_version_of(plan->packages);
    auto python_version = conda_python.empty() ? plan->pip_only_python : conda_python;
    const bool wheels = std::any_of(plan->packages.begin(), plan->packages.end(),
                                    [](const Planned& p) { return p.manager == "pip"; });
    if (conda_python.empty() && wheels && plan->platform.rfind("win-", 0) != 0) {
        if (!base) {
            auto found = base_interpreter(options);
            if (!found) return std::move(found).error();
            base = std::move(*found);
        }
        if (!base->version.empty()) python_version = base->version;
        if (!python_version.empty()) {
            report.base_python = base->path;
            report.base_python_version = python_version;
        }
    }

    // 2. Downloads, verified, into the shared package cache.
    const auto download_start = Clock::now();
    reporter.on_phase_start("fetch");
    const auto cache_dir = options.lock.network.cache_dir.empty() ? default_cache_dir() : options.lock.network.cache_dir;
    auto cache = install::PackageCache::open(install::package_cache_root(cache_dir));
    if (!cache) return std::move(cache).error();
    std::vector<install::PackageSource> sources;
    for (const auto& p : plan->packages) {
        install::PackageSource source;
        source.url = p.fetch_url;
        source.file_name = p.fn;
        source.sha256 = digest_of(core::DigestAlgorithm::sha256, p.sha256);
        source.md5 = digest_of(core::DigestAlgorithm::md5, p.md5);
        source.extract = p.manager == "conda" ? install::Extract::yes : install::Extract::no;
        sources.push_back(std::move(source));
    }
    install::FetchOptions fetch_options;
    fetch_options.max_parallel = std::max<std::uint32_t>(1, options.max_parallel_downloads);
    auto fetched = cache->fetch(sources, transport, reporter, fetch_options);
    std::vector<install::CachedPackage> cached;
    for (std::size_t i = 0; i < fetched.size(); ++i) {
        if (!fetched[i]) {
            return std::move(fetched[i]).error().with_context(
                fmt::format("fetching {} {}", plan->packages[i].name, plan->packages[i].version));
        }
        report.packages[i].size = fetched[i]->size;
        report.packages[i].downloaded = fetched[i]->downloaded;
        if (fetched[i]->downloaded) {
            report.downloaded_bytes += fetched[i]->size;
        } else {
            ++report.cached_packages;
        }
        cached.push_back(std::move(*fetched[i]));
    }
    report.times.download_s = seconds_since(download_start);
    reporter.on_phase_end("fetch", static_cast<std::uint64_t>(report.times.download_s * 1000));

    // 3. The new prefix, in a staging directory beside the target.
    const auto& target = options.write_dir.empty() ? options.prefix : options.write_dir;
    auto transaction = install::PrefixTransaction::begin(target);
    if (!transaction) return std::move(transaction).error();
    report.replaced_existing = transaction->replaces_existing();
    const install::PrefixTarget prefix_target{transaction->staging_dir(), options.prefix};
    std::optional<install::PythonTarget> python;
    if (!python_version.empty()) python = python_target(major_minor(python_version), plan->platform);

    const auto link_start = Clock::now();
    reporter.on_phase_start("install");
    install::PrefixFiles owners;
    std::vector<install::PackageRecordInfo> linked;
    for (std::size_t i = 0; i < plan->packages.size(); ++i) {
        const auto& p = plan->packages[i];
        if (p.manager != "conda") continue;
        auto info = install::read_package_record(cached[i].extracted_dir);
        if (!info) return std::move(info).error().with_context(fmt::format("reading {}", p.fn));
        info->channel = p.channel;
        info->url = p.url;
        info->fn = p.fn;
        if (!p.subdir.empty()) info->subdir = p.subdir;
        info->md5 = p.md5;
        info->sha256 = cached[i].sha256.hex;
        info->size = cached[i].size;
        info->package_tarball_full_path = options.reproducible_epoch ? std::string() : cached[i].archive_path;
        install::LinkOptions link_options;
        link_options.mode = options.copy_files ? install::LinkMode::copy : install::LinkMode::hardlink_or_copy;
        link_options.scripts = options.run_link_scripts ? install::LinkScripts::run : install::LinkScripts::skip;
        link_options.python = python;
        link_options.cache_paths = options.reproducible_epoch ? install::CachePaths::omit : install::CachePaths::record;
        if (const auto it = plan->requested_conda.find(p.name); it != plan->requested_conda.end()) {
            link_options.requested_spec = it->second;
        }
        auto done = install::link_package(cached[i].extracted_dir, *info, prefix_target, link_options, owners, reporter);
        if (!done) return std::move(done).error().with_context(fmt::format("linking {}", p.fn));
        linked.push_back(std::move(*info));
    }
    report.times.link_s = seconds_since(link_start);

    const auto pip_start = Clock::now();
    if (!report.base_python.empty()) {
        auto venv = write_virtual_environment(transaction->staging_dir(), *base, report.base_python_version);
        if (!venv) return std::move(venv).error();
    }
    for (std::size_t i = 0; i < plan->packages.size(); ++i) {
        const auto& p = plan->packages[i];
        if (p.manager != "pip") continue;
        if (!python) {
            return core::make_error(core::ErrorCode::invalid_input, "create.no_python",
                                    fmt::format("{} needs a Python to install {} into", options.path, p.name))
                .arg("file", options.path)
                .arg("package", p.name);
        }
        install::WheelTarget wheel_target;
        wheel_target.write_dir = transaction->staging_dir();
        wheel_target.prefix_path = options.prefix;
        wheel_target.site_packages = python->site_packages;
        wheel_target.include_dir = plan->platform.rfind("win-", 0) == 0 ? "Include" : "include/python" + python->version;
        wheel_target.python_executable = python->executable;
        install::WheelInstallOptions wheel_options;
        wheel_options.file_name = p.fn;
        wheel_options.requested = report.source != CreateSource::definition ||
                                          plan->requested_pip.count(specs::normalize_package_name(p.name)) != 0
                                      ? install::Requested::yes
                                      : install::Requested::no;
        auto installed = install::install_wheel(cached[i].archive_path, wheel_target, wheel_options, reporter);
        if (!installed) return std::move(installed).error().with_context(fmt::format("installing {}", p.fn));
    }
    report.times.pip_s = seconds_since(pip_start);
    if (!linked.empty()) {
        auto history = install::append_history(transaction->staging_dir(), linked,
                                               fmt::format("envsmith create {} -p {}",
                                                           options.reproducible_epoch
                                                               ? stdfs::path(options.path).filename().string()
                                                               : options.path,
                                                           options.prefix),
                                               options.reproducible_epoch
                                                   ? std::chrono::system_clock::time_point(std::chrono::seconds(*options.reproducible_epoch))
                                                   : std::chrono::system_clock::now());
        if (!history) return std::move(history).error();
    }
    measure_tree(transaction->staging_dir(), report);
    reporter.on_phase_end("install", static_cast<std::uint64_t>((report.times.link_s + report.times.pip_s) * 1000));

    // 4. One atomic swap.
    const auto commit_start = Clock::now();
    auto committed = transaction->commit();
    if (!committed) return std::move(committed).error();
    report.times.commit_s = seconds_since(commit_start);
    return report;
}

core::Result<CreateReport> create(core::FileSystem& fs, core::Reporter& reporter, const CreateOptions& options) {
    auto transport = make_transport(options.lock.network, reporter);
    return create(fs, *transport, reporter, options);
}

}  // namespace envsmith::api
