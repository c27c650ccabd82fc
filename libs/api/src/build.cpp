// envsmith build, first slice: definition or lock -> (reused?) -> prefix in a staging root ->
// one deterministic layer on a base -> a local OCI image layout; build log and build.json.
#include "envsmith/api/build.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "envsmith/api/doctor.hpp"
#include "envsmith/api/engine_build.hpp"
#include "envsmith/api/host.hpp"
#include "envsmith/api/lint.hpp"
#include "envsmith/diag/messages.hpp"
#include "envsmith/archive/extract.hpp"
#include "envsmith/api/load_definition.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/image/assemble.hpp"
#include "envsmith/image/config.hpp"
#include "envsmith/image/layout.hpp"
#include "envsmith/install/package_cache.hpp"
#include "envsmith/registry/client.hpp"
#include "envsmith/registry/credentials.hpp"
#include "envsmith/registry/layout_transfer.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "file_lock.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr std::string_view hash_label = "org.envsmith.definition.hash";

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const auto seconds = std::chrono::system_clock::to_time_t(now);
    const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    ::gmtime_r(&seconds, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:03}Z", buffer, millis);
}

/// Writes every event to the build log as it happens (`<UTC timestamp> [<phase>] <text>`) and
/// passes it on to the caller's reporter.
class BuildLog final : public core::Reporter {
public:
    BuildLog(const std::string& path, core::Reporter& next) : m_out(path, std::ios::trunc), m_next(next) {}
    [[nodiscard]] bool good() const { return m_out.good(); }

    void line(std::string_view phase, std::string_view text) {
        const std::lock_guard lock(m_mutex);
        // One event per line: a multi-line text becomes several lines of the same phase.
        std::size_t start = 0;
        while (start <= text.size()) {
            auto end = text.find('\n', start);
            if (end == std::string_view::npos) end = text.size();
            m_out << utc_now() << " [" << phase << "] " << text.substr(start, end - start) << '\n';
            start = end + 1;
        }
        m_out.flush();
    }
    void set_phase(std::string phase) { m_phase = std::move(phase); }

    void on_phase_start(std::string_view phase) override {
        line(phase, "start");
        m_next.on_phase_start(phase);
    }
    void on_phase_end(std::string_view phase, std::uint64_t elapsed_ms) override {
        line(phase, fmt::format("done in {} ms", elapsed_ms));
        m_next.on_phase_end(phase, elapsed_ms);
    }
    void on_download_progress(std::string_view url, std::uint64_t done, std::uint64_t total) override {
        m_next.on_download_progress(url, done, total);
    }
    void on_warning(std::string_view id, std::string_view text, const std::vector<core::MessageArg>& args) override {
        line(m_phase, fmt::format("warning: {} [{}]", text, id));
        m_next.on_warning(id, text, args);
    }
    void on_log_line(std::string_view phase, std::string_view text) override {
        line(phase, text);
        m_next.on_log_line(phase, text);
    }

private:
    std::ofstream m_out;
    core::Reporter& m_next;
    std::mutex m_mutex;
    std::string m_phase = "build";
};

std::int64_t source_date_epoch(const BuildOptions& options) {
    if (options.source_date_epoch) return *options.source_date_epoch;
    if (const char* value = std::getenv("SOURCE_DATE_EPOCH"); value != nullptr && *value != '\0') {
        char* end = nullptr;
        const auto parsed = std::strtoll(value, &end, 10);
        if (end != nullptr && *end == '\0' && parsed >= 0) return parsed;
    }
    return 0;
}

image::Platform image_platform(const std::string& subdir) {
    image::Platform platform;
    const auto dash = subdir.find('-');
    const auto os = subdir.substr(0, dash);
    const auto arch = dash == std::string::npos ? std::string() : subdir.substr(dash + 1);
    platform.os = os == "osx" ? "darwin" : os == "win" ? "windows" : os;
    if (arch == "64") platform.architecture = "amd64";
    else if (arch == "aarch64" || arch == "arm64") { platform.architecture = "arm64"; platform.variant = "v8"; }
    else if (arch == "ppc64le") platform.architecture = "ppc64le";
    else if (arch == "s390x") platform.architecture = "s390x";
    else platform.architecture = arch;
    return platform;
}

struct Source {
    core::Digest hash;
    std::string name = "env";
    std::string platform;
    std::optional<specs::Definition> definition;  // none for a lock
};

core::Result<Source> read_source(core::FileSystem& fs, const BuildOptions& options) {
    Source source;
    auto text = fs.read_file(options.path);
    if (!text) return std::move(text).error();
    const bool is_lock = text->find("\n@EXPLICIT") != std::string::npos || text->rfind("@EXPLICIT", 0) == 0 ||
                         (text->find("\npackage:") != std::string::npos && text->find("metadata:") != std::string::npos);
    if (is_lock) {
        // A lock is its own definition; the target platform is part of what it means here.
        source.hash = core::sha256(*text + "\nplatform=" + options.platform + "\nbase=" + options.base);
        source.platform = options.platform;
        return source;
    }
    LoadOptions load;
    load.path = options.path;
    load.platform = options.platform;
    auto loaded = load_definition(fs, load);
    if (!loaded) return std::move(loaded).error();
    source.hash = loaded->hash;
    if (!options.base.empty() || !options.create.base_python.empty()) {
        // A base (or its interpreter) named on the command line changes the image as much as
        // the definition's does.
        source.hash = core::sha256(source.hash.hex + "\nbase=" + options.base + "\nbase_python=" +
                                   options.create.base_python);
    }
    if (!loaded->definition.prefix_name.empty()) source.name = loaded->definition.prefix_name;
    else if (!loaded->definition.name.empty()) source.name = loaded->definition.name;
    source.platform = !options.platform.empty() ? options.platform : loaded->definition.platform;
    source.definition = std::move(loaded->definition);
    return source;
}

registry::Platform registry_platform(const image::Platform& platform) {
    registry::Platform out;
    out.os = platform.os;
    out.architecture = platform.architecture;
    out.variant = platform.variant;
    return out;
}

std::string platform_text(const image::Platform& platform) {
    return platform.variant.empty() ? platform.os + "/" + platform.architecture
                                    : platform.os + "/" + platform.architecture + "/" + platform.variant;
}

/// `.<name>.envsmith-lock` beside a directory, the lock for changing it.
std::string sibling_lock_path(const std::string& dir) {
    const auto path = stdfs::absolute(stdfs::path(dir)).lexically_normal();
    const auto name = path.has_filename() ? path.filename().string() : path.parent_path().filename().string();
    const auto parent = path.has_filename() ? path.parent_path() : path.parent_path().parent_path();
    return (parent / ("." + name + ".envsmith-lock")).string();
}

core::Error lock_error(const std::string& path) {
    return core::make_error(core::ErrorCode::unavailable, "build.lock_failed",
                            fmt::format("cannot lock `{}`: {}", path, std::strerror(errno)))
        .arg("path", path)
        .arg("detail", std::strerror(errno));
}

/// The registries one build talks to: one client each, with that registry's credentials.
/// `--creds` goes only to the registry pushed to (or, without a push, to the base's), so a
/// private registry's password never reaches a public base's registry.
class Registries {
public:
    Registries(core::FileSystem& fs, core::Transport& transport, core::Reporter& log, const BuildOptions& options,
               std::string creds_registry)
        : m_fs(fs), m_transport(transport), m_log(log), m_options(options), m_creds_registry(std::move(creds_registry)) {}

    core::Result<registry::Client*> client(const std::string& host) {
        for (auto& [name, client] : m_clients) {
            if (name == host) return client.get();
        }
        registry::CredentialSources sources;
        sources.docker_config_path = m_options.docker_config;
        if (!m_options.creds.empty() && (m_creds_registry.empty() || m_creds_registry == host)) {
            auto creds = registry::parse_creds(m_options.creds, "--creds");
            if (!creds) return std::move(creds).error();
            sources.explicit_credentials = std::move(*creds);
        }
        auto credentials = registry::resolve_credentials(host, sources, m_fs, m_log);
        if (!credentials) return std::move(credentials).error();
        registry::ClientOptions client_options;
        client_options.insecure_registries = m_options.insecure_registries;
        client_options.credentials = std::move(*credentials);
        m_clients.emplace_back(host, std::make_unique<registry::Client>(m_transport, m_log, std::move(client_options)));
        return m_clients.back().second.get();
    }

private:
    core::FileSystem& m_fs;
    core::Transport& m_transport;
    core::Reporter& m_log;
    const BuildOptions& m_options;
    std::string m_creds_registry;
    std::vector<std::pair<std::string, std::unique_ptr<registry::Client>>> m_clients;
};

/// The base image: none (scratch), an image of a local OCI layout (`oci:DIR:TAG`), or a
/// registry reference, pulled once into the cache's base layout (`<cache>/images/bases`, one
/// tag per manifest digest) and read from there afterwards.
struct LoadedBase {
    image::BaseImage image;
    std::string ref;  // its tag (or digest) in image.layout_dir
};

core::Result<std::optional<LoadedBase>> load_base(const std::string& text, const image::Platform& platform,
                                                  const std::string& cache_dir, Registries& registries, BuildLog& log) {
    if (text.empty() || text == "scratch") return std::optional<LoadedBase>{};
    constexpr std::string_view oci = "oci:";
    if (text.rfind(oci, 0) == 0) {
        const auto colon = text.rfind(':');
        if (colon <= oci.size()) {
            return core::make_error(core::ErrorCode::invalid_input, "build.base_unsupported",
                                    fmt::format("the base `{}` is neither `scratch`, `oci:DIR:TAG` nor an image reference", text))
                .arg("base", text);
        }
        auto base = image::read_base_image(text.substr(oci.size(), colon - oci.size()), text.substr(colon + 1), platform);
        if (!base) return std::move(base).error();
        return std::optional<LoadedBase>(LoadedBase{std::move(*base), text.substr(colon + 1)});
    }
    auto ref = specs::ImageRef::parse(text);
    if (!ref) return std::move(ref).error();
    auto client = registries.client(ref->registry);
    if (!client) return std::move(client).error();
    auto resolved = (*client)->resolve(*ref, registry_platform(platform));
    if (!resolved) return std::move(resolved).error();
    const auto& digest = resolved->manifest.digest;
    const auto colon = digest.find(':');
    const auto tag = "base-" + (colon == std::string::npos ? digest : digest.substr(colon + 1));
    const auto bases_dir = (stdfs::path(cache_dir) / "images" / "bases").string();

    ExclusiveFileLock lock;
    if (!lock.acquire(sibling_lock_path(bases_dir))) return lock_error(sibling_lock_path(bases_dir));
    auto layout = image::Layout::open_or_create(bases_dir);
    if (!layout) return std::move(layout).error();
    if (auto cached = image::read_base_image(bases_dir, tag, platform)) {
        log.line("base", fmt::format("base {} ({}) from the cache", ref->to_string(), digest));
        return std::optional<LoadedBase>(LoadedBase{std::move(*cached), tag});
    }
    specs::ImageRef by_digest = *ref;
    by_digest.digest = digest;
    auto pulled = registry::pull_into_layout(**client, by_digest, registry_platform(platform), *layout, tag);
    if (!pulled) return std::move(pulled).error();
    auto base = image::read_base_image(bases_dir, tag, platform);
    if (!base) return std::move(base).error();
    log.line("base", fmt::format("pulled base {} ({}, {} layers) for {}", ref->to_string(), digest,
                                 base->manifest.layers.size(), platform_text(platform)));
    return std::optional<LoadedBase>(LoadedBase{std::move(*base), tag});
}

/// The Python interpreter a base image offers to a pip-only environment: the newest
/// `python3.X` in /usr/local/bin, /usr/bin, /opt/conda/bin or /bin (in that order), looking at
/// the top layer first. Empty when there is none. Layers are listed, not extracted.
// The newest python3.X of one layer, in the first of `dirs` that has one ("" when none).
std::string python_of_layer(const std::string& blob_path) {
    static const std::array<std::string_view, 4> dirs = {"usr/local/bin/", "usr/bin/", "opt/conda/bin/", "bin/"};
    const auto minor_of = [](std::string_view name) -> int {
        constexpr std::string_view stem = "python3.";
        if (name.substr(0, stem.size()) != stem || name.size() == stem.size()) return -1;
        int minor = 0;
        for (const char c : name.substr(stem.size())) {
            if (c < '0' || c > '9') return -1;
            minor = minor * 10 + (c - '0');
        }
        return minor;
    };
    auto entries = archive::list_entries(blob_path);
    if (!entries) return {};
    std::string best;
    std::size_t best_dir = dirs.size();
    int best_minor = -1;
    for (const auto& entry : *entries) {
        if (entry.kind == archive::EntryInfo::Kind::directory) continue;
        for (std::size_t d = 0; d < dirs.size(); ++d) {
            if (entry.path.size() <= dirs[d].size() || entry.path.compare(0, dirs[d].size(), dirs[d]) != 0) continue;
            const auto minor = minor_of(std::string_view(entry.path).substr(dirs[d].size()));
            if (minor < 0) continue;
            if (d < best_dir || (d == best_dir && minor > best_minor)) {
                best = "/" + entry.path;
                best_dir = d;
                best_minor = minor;
            }
        }
    }
    return best;
}

// The base's interpreter for a pip-only environment: the topmost layer's python3.X. Listing a
// layer means decompressing it (seconds for a GB-sized CUDA layer), so each layer's answer is
// kept in `<cache>/images/python/<layer digest hex>` (a layer's content never changes).
std::string find_base_python(const image::BaseImage& base, const std::string& cache_dir) {
    auto layout = image::Layout::open(base.layout_dir);
    if (!layout) return {};
    const auto answers = stdfs::path(cache_dir) / "images" / "python";
    for (auto layer = base.manifest.layers.rbegin(); layer != base.manifest.layers.rend(); ++layer) {
        const auto answer = answers / layer->digest.hex;
        std::string found;
        if (std::ifstream in(answer); in) {
            std::getline(in, found);
        } else {
            found = python_of_layer(layout->blob_path(layer->digest));
            std::error_code ignored;
            stdfs::create_directories(answers, ignored);
            const auto temp = answer.string() + ".tmp" + std::to_string(::getpid());
            if (std::ofstream out(temp); out && (out << found << '\n')) {
                out.close();
                stdfs::rename(temp, answer, ignored);  // on failure the layer is listed again next time
            }
            stdfs::remove(temp, ignored);
        }
        if (!found.empty()) return found;
    }
    return {};
}

/// The digest of what was installed: one `manager name version build url` line per package,
/// sorted. Two images with the same packages have the same lock digest, whatever asked for them.
core::Digest lock_digest(const std::vector<CreatedPackage>& packages) {
    std::vector<std::string> lines;
    lines.reserve(packages.size());
    for (const auto& p : packages) {
        lines.push_back(fmt::format("{} {} {} {} {}", p.manager, p.name, p.version, p.build, p.url));
    }
    std::sort(lines.begin(), lines.end());
    std::string text;
    for (const auto& line : lines) text += line + "\n";
    return core::sha256(text);
}

/// A base whose config names another platform would not run on the target.
core::Status check_base_platform(const image::BaseImage& base, const std::string& text, const image::Platform& wanted) {
    const auto& have = base.config.platform;
    if (have.os.empty() || have.architecture.empty()) return {};
    if (have.os == wanted.os && have.architecture == wanted.architecture) return {};
    return core::make_error(core::ErrorCode::not_found, "build.base_platform",
                            fmt::format("the base image `{}` is for {}, not for {}", text, platform_text(have),
                                        platform_text(wanted)))
        .arg("base", text)
        .arg("platform", platform_text(have))
        .arg("wanted", platform_text(wanted));
}

}  // namespace

core::Result<BuildReport> build(core::FileSystem& fs, core::Transport& transport, core::Reporter& reporter,
                                const BuildOptions& options) {
    BuildReport report;
    report.oci_layout = options.oci_layout;
    if (options.oci_layout.empty() && options.push.empty()) {
        return core::make_error(core::ErrorCode::invalid_input, "build.no_target",
                                "name where the image goes: --oci-layout DIR or --push REF");
    }
    const auto cache_dir = options.create.lock.network.cache_dir.empty() ? default_cache_dir()
                                                                         : options.create.lock.network.cache_dir;
    if (report.oci_layout.empty()) report.oci_layout = (stdfs::path(cache_dir) / "images" / "layout").string();
    const auto started = Clock::now();
    auto source = read_source(fs, options);
    if (!source) return std::move(source).error();
    report.content_hash = source->hash.hex;
    report.tag = options.tag.empty() ? "envsmith_" + source->hash.hex.substr(0, 32) : options.tag;
    report.prefix = "/opt/envsmith/envs/" + source->name;
    const auto& definition = source->definition;
    const auto target_subdir = !source->platform.empty() ? source->platform : host_platform();
    const auto target_platform = image_platform(target_subdir);

    // Two builds of the same definition at once do the work once: the second waits here, then
    // finds the first one's image and reports it reused.
    const auto build_lock_path = (stdfs::path(cache_dir) / "locks" / ("build-" + source->hash.hex.substr(0, 32) + ".lock")).string();
    ExclusiveFileLock build_lock;
    if (!build_lock.acquire(build_lock_path, [&] {
            reporter.on_log_line("build", fmt::format("waiting for another build of {} to finish", options.path));
        })) {
        return lock_error(build_lock_path);
    }

    const auto log_dir = options.log_dir.empty() ? report.oci_layout + ".build" : options.log_dir;
    std::error_code ec;
    stdfs::create_directories(log_dir, ec);
    report.log_path = (stdfs::path(log_dir) / "20_image_build_log.txt").string();
    report.build_json_path = (stdfs::path(log_dir) / "build.json").string();
    BuildLog log(report.log_path, reporter);
    if (!log.good()) {
        return core::make_error(core::ErrorCode::unavailable, "build.log_unwritable",
                                fmt::format("cannot write the build log `{}`", report.log_path))
            .arg("path", report.log_path);
    }
    log.line("build", fmt::format("envsmith {} building {} for {} (content hash sha256:{})", options.envsmith_version,
                                  options.path, target_subdir, source->hash.hex));

    nlohmann::json build_json = {{"definition", options.path},
                                 {"content_hash", "sha256:" + source->hash.hex},
                                 {"platform", target_subdir},
                                 {"tag", report.tag},
                                 {"oci_layout", report.oci_layout}};
    nlohmann::json phases = nlohmann::json::object();
    const auto phase_done = [&](const std::string& name, Clock::time_point start) {
        const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        report.phases.emplace_back(name, seconds);
        phases[name] = seconds;
    };
    const auto finish = [&](const std::string& status) {
        build_json["status"] = status;
        build_json["phases"] = phases;
        build_json["seconds"] = std::chrono::duration<double>(Clock::now() - started).count();
        if (!report.image_digest.empty()) build_json["image_digest"] = report.image_digest;
        (void)fs.write_file(report.build_json_path, build_json.dump(2) + "\n");
    };
    const auto fail = [&](core::Error error) -> core::Result<BuildReport> {
        log.line("build", fmt::format("error: {} [{}]", error.describe(), error.message_id));
        build_json["error"] = {{"message_id", error.message_id}, {"message", error.message}};
        DoctorOptions doctor;
        doctor.path = report.log_path;
        if (auto diagnosed = diagnose_log(doctor); diagnosed && diagnosed->diagnosis.root()) {
            const auto& root = *diagnosed->diagnosis.root();
            log.line("diagnosis", fmt::format("root cause: {} (confidence {:.2f}, line {})", root.id(),
                                              root.confidence, root.first_line));
            build_json["diagnosis"] = {{"root_cause", root.id()}, {"confidence", root.confidence},
                                       {"line", root.first_line}};
        }
        finish("failed");
        return error;
    };

    // The registry pushed to: whether it has this definition's image already.
    const auto check_start = Clock::now();
    std::optional<specs::ImageRef> push_ref;
    if (!options.push.empty()) {
        auto ref = specs::ImageRef::parse(options.push);
        if (!ref) return fail(std::move(ref).error());
        const auto slash = options.push.rfind('/');
        const bool has_tag = options.push.find('@') != std::string::npos ||
                             options.push.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
        if (!has_tag) ref->tag = report.tag;
        push_ref = *ref;
        report.pushed_to = push_ref->registry + "/" + push_ref->repository + ":" + push_ref->tag;
    }
    const auto base_text = !options.base.empty() ? options.base : definition ? definition->image : std::string();
    Registries registries(fs, transport, log, options, push_ref ? push_ref->registry : std::string());
    registry::Client* client = nullptr;
    if (push_ref) {
        auto found = registries.client(push_ref->registry);
        if (!found) return fail(std::move(found).error());
        client = *found;
        if (!options.force) {
            auto manifest = client->get_manifest(*push_ref);
            if (!manifest && manifest.error().message_id != "registry.manifest_unknown" &&
                manifest.error().message_id != "registry.name_unknown") {
                return fail(std::move(manifest).error());
            }
            if (manifest && manifest->content.config) {
                auto config = client->get_blob(*push_ref, *manifest->content.config);
                if (!config) return fail(std::move(config).error());
                const auto parsed = nlohmann::json::parse(*config, nullptr, false);
                const auto labels = parsed.is_object() && parsed.contains("config") && parsed["config"].is_object() &&
                                            parsed["config"].contains("Labels") && parsed["config"]["Labels"].is_object()
                                        ? parsed["config"]["Labels"]
                                        : nlohmann::json::object();
                const auto it = labels.find(std::string(hash_label));
                if (it != labels.end() && it->is_string() && *it == "sha256:" + source->hash.hex) {
                    report.image_digest = manifest->digest;
                    report.status = "reused";
                    phase_done("check", check_start);
                    log.line("check", fmt::format("reused {} ({}): the registry has this definition's image",
                                                  report.pushed_to, report.image_digest));
                    finish("reused");
                    return report;
                }
            }
        }
    }

    // Reuse: the layout already has this definition's image under the tag.
    if (!options.force && options.push.empty()) {
        if (auto existing = image::Layout::open(report.oci_layout)) {
            if (auto manifest = existing->read_manifest(report.tag)) {
                if (auto config = existing->read_config(*manifest)) {
                    const auto it = config->labels.find(std::string(hash_label));
                    if (it != config->labels.end() && it->second == "sha256:" + source->hash.hex) {
                        if (auto descriptor = existing->resolve(report.tag)) {
                            report.image_digest = descriptor->digest.to_string();
                        }
                        report.status = "reused";
                        phase_done("check", check_start);
                        log.line("check", fmt::format("reused {} ({}): the layout has this definition's image",
                                                      report.tag, report.image_digest));
                        finish("reused");
                        return report;
                    }
                }
            }
        }
    }
    phase_done("check", check_start);

    // Lint: the offline findings go to the build log, each with its rule id, so that a failure
    // later in the log sits next to what predicted it. They do not stop the build.
    if (definition) {
        LintOptions lint_options;
        lint_options.path = options.path;
        lint_options.platform = target_subdir;
        if (auto linted = lint(fs, lint_options); linted && !linted->findings.empty()) {
            auto english = diag::Messages::load_builtin("en");
            for (const auto& finding : linted->findings) {
                const auto text = english ? english->render(finding.rule + ".message", finding.args, finding.rule)
                                          : finding.rule;
                log.line("lint", fmt::format("{}:{}:{}: {}: {} [{}]", finding.where.file, finding.where.line,
                                             finding.where.column,
                                             finding.severity == diag::LintSeverity::error ? "error" : "warning", text,
                                             finding.rule));
            }
        }
    }

    // The layout is changed by one process at a time (its index.json is rewritten).
    const auto layout_lock_path = sibling_lock_path(report.oci_layout);
    ExclusiveFileLock layout_lock;
    const auto lock_layout = [&]() -> core::Status {
        if (!layout_lock.acquire(layout_lock_path, [&] {
                log.line("build", fmt::format("waiting for another process writing {}", report.oci_layout));
            })) {
            return lock_error(layout_lock_path);
        }
        return {};
    };
    const auto push = [&]() -> core::Status {
        if (client == nullptr) return {};
        const auto push_start = Clock::now();
        log.set_phase("push");
        auto layout = image::Layout::open(report.oci_layout);
        if (!layout) return std::move(layout).error();
        // A base in the same registry lends its layers by a cross-repository mount.
        std::string mount_from;
        if (!base_text.empty() && base_text != "scratch" && base_text.rfind("oci:", 0) != 0) {
            if (auto base_ref = specs::ImageRef::parse(base_text);
                base_ref && base_ref->registry == push_ref->registry && base_ref->repository != push_ref->repository) {
                mount_from = base_ref->repository;
            }
        }
        auto pushed = registry::push_from_layout(*client, *layout, report.tag, *push_ref, mount_from);
        if (!pushed) return std::move(pushed).error();
        phase_done("push", push_start);
        log.line("push", fmt::format("pushed {} ({}): {} blobs uploaded, {} mounted, {} already there",
                                     report.pushed_to, pushed->manifest_digest, pushed->blobs_uploaded,
                                     pushed->blobs_mounted, pushed->blobs_existed));
        build_json["pushed_to"] = report.pushed_to;
        return {};
    };

    // user_managed_dependencies: the image is used as it is, once it is known to exist for the
    // platform (Azure ML's "custom image not in the registry" is found here, not at run time).
    if (definition && definition->user_managed_dependencies) {
        const auto base_start = Clock::now();
        log.set_phase("base");
        if (base_text.empty() || base_text == "scratch") {
            return fail(core::make_error(core::ErrorCode::invalid_input, "build.user_managed_no_image",
                                         fmt::format("{} sets user_managed_dependencies but names no image", options.path))
                            .arg("file", options.path));
        }
        auto base = load_base(base_text, target_platform, cache_dir, registries, log);
        if (!base) return fail(std::move(base).error());
        const auto& used = (*base)->image;
        if (auto checked = check_base_platform(used, base_text, target_platform); !checked) {
            return fail(std::move(checked).error());
        }
        phase_done("base", base_start);
        if (auto locked = lock_layout(); !locked) return fail(std::move(locked).error());
        auto layout = image::Layout::open_or_create(report.oci_layout);
        if (!layout) return fail(std::move(layout).error());
        auto from = image::Layout::open(used.layout_dir);
        if (!from) return fail(std::move(from).error());
        std::vector<core::Digest> blobs = {used.manifest.config.digest};
        for (const auto& layer : used.manifest.layers) blobs.push_back(layer.digest);
        for (const auto& digest : blobs) {
            if (auto copied = layout->copy_blob_from(*from, digest); !copied) return fail(std::move(copied).error());
        }
        // The manifest's own bytes, so the digest stays the base's (a base named through an
        // index in a local layout is listed by its platform's manifest).
        auto descriptor = from->resolve((*base)->ref);
        if (!descriptor) return fail(std::move(descriptor).error());
        const bool is_index = descriptor->media_type.find("index") != std::string::npos ||
                              descriptor->media_type.find("manifest.list") != std::string::npos;
        auto bytes = is_index ? core::Result<std::string>(std::string()) : from->read_blob(descriptor->digest);
        if (!bytes) return fail(std::move(bytes).error());
        auto listed = is_index ? layout->add_manifest(used.manifest, report.tag)
                               : layout->add_manifest_bytes(descriptor->media_type, *bytes, report.tag);
        if (!listed) return fail(std::move(listed).error());
        layout_lock.release();
        report.image_digest = listed->digest.to_string();
        log.line("base", fmt::format("user-managed dependencies: {} is used as it is ({})", base_text, report.image_digest));
        if (auto pushed = push(); !pushed) return fail(std::move(pushed).error());
        report.status = "used";
        finish("used");
        return report;
    }

    // A Docker build context: handed to a real engine (buildah, podman or docker), its output
    // in the build log, its image into the layout under the tag with envsmith's labels.
    if (definition && definition->build) {
        const auto engine_start = Clock::now();
        log.set_phase("engine");
        EngineBuildRequest request;
        request.context_dir =
            (stdfs::absolute(stdfs::path(options.path)).parent_path() / definition->build->context_path).lexically_normal().string();
        request.dockerfile = definition->build->dockerfile_path;
        request.platform = target_subdir;
        request.oci_layout = stdfs::absolute(report.oci_layout).lexically_normal().string();
        request.tag = report.tag;
        request.labels = {{std::string(hash_label), "sha256:" + source->hash.hex},
                          {"org.envsmith.version", options.envsmith_version}};
        request.engine = options.engine;
        request.insecure_registries = options.insecure_registries;
        log.line("engine", fmt::format("building {} with a container engine", request.context_dir));
        if (auto locked = lock_layout(); !locked) return fail(std::move(locked).error());
        auto built = build_with_engine(request, log);
        if (!built) return fail(std::move(built).error());
        layout_lock.release();
        report.image_digest = built->image_digest;
        phase_done("engine", engine_start);
        log.line("engine", fmt::format("image {} written to {} as {} by {} {}", report.image_digest, report.oci_layout,
                                       report.tag, built->engine, built->engine_version));
        if (auto pushed = push(); !pushed) return fail(std::move(pushed).error());
        build_json["engine"] = built->engine;
        report.status = "built";
        finish("built");
        return report;
    }

    // The base, before anything is installed: a missing base fails the build in seconds.
    const auto base_start = Clock::now();
    log.set_phase("base");
    auto base = load_base(base_text, target_platform, cache_dir, registries, log);
    if (!base) return fail(std::move(base).error());
    if (*base) {
        if (auto checked = check_base_platform((*base)->image, base_text, target_platform); !checked) {
            return fail(std::move(checked).error());
        }
        phase_done("base", base_start);
    }

    // The prefix, created in a staging root at its path in the image.
    const auto staging = stdfs::path(report.oci_layout).lexically_normal().string() +
                         fmt::format(".envsmith-stage-{}", ::getpid());
    stdfs::remove_all(staging, ec);
    struct Cleanup {
        std::string path;
        ~Cleanup() {
            std::error_code ignored;
            stdfs::remove_all(path, ignored);
        }
    } cleanup{staging};
    CreateOptions create_options = options.create;
    create_options.path = options.path;
    create_options.prefix = report.prefix;
    create_options.write_dir = staging + report.prefix;
    create_options.platform = source->platform;
    create_options.dry_run = false;
    create_options.reproducible_epoch = source_date_epoch(options);
    // A pip-only environment is a virtual environment over the base image's Python, never over
    // this machine's.
    const bool pip_only_possible = !definition || (definition->pip && !definition->pip->requirements.empty());
    if (create_options.base_python.empty() && pip_only_possible && *base) {
        create_options.base_python = find_base_python((*base)->image, cache_dir);
        if (!create_options.base_python.empty()) {
            log.line("base", fmt::format("the base's Python for a pip-only environment: {}", create_options.base_python));
        }
    }
    const auto create_start = Clock::now();
    log.set_phase("install");
    auto created = create(fs, transport, log, create_options);
    if (!created) return fail(std::move(created).error());
    if (!created->base_python.empty() && create_options.base_python.empty()) {
        return fail(core::make_error(core::ErrorCode::invalid_input, "build.no_base_python",
                                     fmt::format("{} installs no conda python and the base `{}` has no python3.X in "
                                                 "/usr/local/bin, /usr/bin, /opt/conda/bin or /bin: name its interpreter "
                                                 "with --base-python, or add python to the conda dependencies",
                                                 options.path, base_text.empty() ? "scratch" : base_text))
                        .arg("file", options.path)
                        .arg("base", base_text.empty() ? "scratch" : base_text));
    }
    if (!created->solved) {
        for (const auto& line : created->explanation) {
            log.line("solve", std::string(line.depth * 2, ' ') + line.text);
        }
        return fail(core::make_error(core::ErrorCode::conflict, "build.unsolvable",
                                     fmt::format("{} has no solution for {}", options.path, created->platform))
                        .arg("file", options.path)
                        .arg("platform", created->platform));
    }
    for (const auto& p : created->packages) {
        log.line("install", fmt::format("{} {} {} ({})", p.manager, p.name, p.version, p.downloaded ? "downloaded" : "cached"));
    }
    log.line("install", fmt::format("{} packages, {} files, {} bytes in {}", created->packages.size(),
                                    created->prefix_files, created->prefix_bytes, report.prefix));
    phase_done("create", create_start);

    // The image: base + one layer of the prefix.
    const auto layer_start = Clock::now();
    log.set_phase("layer");
    if (auto locked = lock_layout(); !locked) return fail(std::move(locked).error());
    auto layout = image::Layout::open_or_create(report.oci_layout);
    if (!layout) return fail(std::move(layout).error());
    image::AssembleRequest request;
    if (*base) request.base = std::move((*base)->image);
    const auto base_env = request.base ? request.base->config.env : std::vector<std::string>{};
    request.layers.push_back({create_options.write_dir, report.prefix.substr(1),
                              fmt::format("envsmith create {} -p {}", stdfs::path(options.path).filename().string(),
                                          report.prefix)});
    request.settings.platform = image_platform(created->platform);
    request.settings.env = image::conda_prefix_env(report.prefix, base_env);
    if (definition) {
        for (const auto& [key, value] : definition->environment_variables) {
            request.settings.env.push_back(key + "=" + value);
        }
    }
    request.settings.labels[std::string(hash_label)] = "sha256:" + source->hash.hex;
    request.settings.labels["org.envsmith.version"] = options.envsmith_version;
    request.settings.labels["org.envsmith.prefix"] = report.prefix;
    request.settings.labels["org.envsmith.lock.digest"] = "sha256:" + lock_digest(created->packages).hex;
    request.settings.created_epoch = source_date_epoch(options);
    request.compression = options.zstd ? image::Compression::zstd : image::Compression::gzip;
    request.tag = report.tag;
    auto assembled = image::assemble_image(*layout, request);
    if (!assembled) return fail(std::move(assembled).error());
    layout_lock.release();
    report.image_digest = assembled->manifest.digest.to_string();
    phase_done("layer", layer_start);
    log.line("layer", fmt::format("image {} written to {} as {}", report.image_digest, report.oci_layout, report.tag));
    if (auto pushed = push(); !pushed) return fail(std::move(pushed).error());
    report.status = "built";
    report.create = std::move(*created);
    build_json["packages"] = report.create->packages.size();
    finish("built");
    return report;
}

core::Result<BuildReport> build(core::FileSystem& fs, core::Reporter& reporter, const BuildOptions& options) {
    auto transport = make_transport(options.create.lock.network, reporter);
    return build(fs, *transport, reporter, options);
}

}  // namespace envsmith::api
