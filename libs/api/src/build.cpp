// envsmith build, first slice: definition or lock -> (reused?) -> prefix in a staging root ->
// one deterministic layer on a base -> a local OCI image layout; build log and build.json.
#include "envsmith/api/build.hpp"

#include <unistd.h>

#include <chrono>
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
};

core::Result<Source> read_source(core::FileSystem& fs, const BuildOptions& options) {
    Source source;
    auto text = fs.read_file(options.path);
    if (!text) return std::move(text).error();
    const bool is_lock = text->find("\n@EXPLICIT") != std::string::npos || text->rfind("@EXPLICIT", 0) == 0 ||
                         (text->find("\npackage:") != std::string::npos && text->find("metadata:") != std::string::npos);
    if (is_lock) {
        source.hash = core::sha256(*text);  // a lock is its own definition
        source.platform = options.platform;
        return source;
    }
    LoadOptions load;
    load.path = options.path;
    load.platform = options.platform;
    auto loaded = load_definition(fs, load);
    if (!loaded) return std::move(loaded).error();
    source.hash = loaded->hash;
    if (!loaded->definition.prefix_name.empty()) source.name = loaded->definition.prefix_name;
    else if (!loaded->definition.name.empty()) source.name = loaded->definition.name;
    source.platform = !options.platform.empty() ? options.platform : loaded->definition.platform;
    return source;
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
    if (report.oci_layout.empty()) {
        const auto cache = options.create.lock.network.cache_dir.empty() ? default_cache_dir()
                                                                          : options.create.lock.network.cache_dir;
        report.oci_layout = (stdfs::path(cache) / "images" / "layout").string();
    }
    const auto started = Clock::now();
    auto source = read_source(fs, options);
    if (!source) return std::move(source).error();
    report.content_hash = source->hash.hex;
    report.tag = options.tag.empty() ? "envsmith_" + source->hash.hex.substr(0, 32) : options.tag;
    report.prefix = "/opt/envsmith/envs/" + source->name;

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
    log.line("build", fmt::format("envsmith {} building {} (content hash sha256:{})", options.envsmith_version,
                                  options.path, source->hash.hex));

    nlohmann::json build_json = {{"definition", options.path},
                                 {"content_hash", "sha256:" + source->hash.hex},
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

    // The registry, when pushing: its credentials, and whether it has the image already.
    const auto check_start = Clock::now();
    std::optional<specs::ImageRef> push_ref;
    std::unique_ptr<registry::Client> client;
    if (!options.push.empty()) {
        auto ref = specs::ImageRef::parse(options.push);
        if (!ref) return fail(std::move(ref).error());
        const auto slash = options.push.rfind('/');
        const bool has_tag = options.push.find('@') != std::string::npos ||
                             options.push.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
        if (!has_tag) ref->tag = report.tag;
        push_ref = *ref;
        registry::CredentialSources sources;
        sources.docker_config_path = options.docker_config;
        if (!options.creds.empty()) {
            auto creds = registry::parse_creds(options.creds, "--creds");
            if (!creds) return fail(std::move(creds).error());
            sources.explicit_credentials = std::move(*creds);
        }
        auto credentials = registry::resolve_credentials(push_ref->registry, sources, fs, log);
        if (!credentials) return fail(std::move(credentials).error());
        registry::ClientOptions client_options;
        client_options.insecure_registries = options.insecure_registries;
        client_options.credentials = std::move(*credentials);
        client = std::make_unique<registry::Client>(transport, log, std::move(client_options));
        report.pushed_to = push_ref->registry + "/" + push_ref->repository + ":" + push_ref->tag;
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
    const auto create_start = Clock::now();
    log.set_phase("install");
    auto created = create(fs, transport, log, create_options);
    if (!created) return fail(std::move(created).error());
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
    auto layout = image::Layout::open_or_create(report.oci_layout);
    if (!layout) return fail(std::move(layout).error());
    image::AssembleRequest request;
    if (!options.base.empty() && options.base != "scratch") {
        constexpr std::string_view oci = "oci:";
        const auto colon = options.base.rfind(':');
        if (options.base.rfind(oci, 0) != 0 || colon <= oci.size()) {
            return fail(core::make_error(core::ErrorCode::invalid_input, "build.base_unsupported",
                                         fmt::format("the base `{}` is neither `scratch` nor `oci:DIR:TAG`", options.base))
                            .arg("base", options.base));
        }
        const auto dir = options.base.substr(oci.size(), colon - oci.size());
        auto base = image::read_base_image(dir, options.base.substr(colon + 1), image_platform(created->platform));
        if (!base) return fail(std::move(base).error());
        request.base = std::move(*base);
    }
    const auto base_env = request.base ? request.base->config.env : std::vector<std::string>{};
    request.layers.push_back({create_options.write_dir, report.prefix.substr(1),
                              fmt::format("envsmith create {} -p {}", stdfs::path(options.path).filename().string(),
                                          report.prefix)});
    request.settings.platform = image_platform(created->platform);
    request.settings.env = image::conda_prefix_env(report.prefix, base_env);
    request.settings.labels[std::string(hash_label)] = "sha256:" + source->hash.hex;
    request.settings.labels["org.envsmith.version"] = options.envsmith_version;
    request.settings.labels["org.envsmith.prefix"] = report.prefix;
    request.settings.created_epoch = source_date_epoch(options);
    request.compression = options.zstd ? image::Compression::zstd : image::Compression::gzip;
    request.tag = report.tag;
    auto assembled = image::assemble_image(*layout, request);
    if (!assembled) return fail(std::move(assembled).error());
    report.image_digest = assembled->manifest.digest.to_string();
    phase_done("layer", layer_start);
    log.line("layer", fmt::format("image {} written to {} as {}", report.image_digest, report.oci_layout, report.tag));
    if (client) {
        const auto push_start = Clock::now();
        log.set_phase("push");
        auto pushed = registry::push_from_layout(*client, *layout, report.tag, *push_ref);
        if (!pushed) return fail(std::move(pushed).error());
        phase_done("push", push_start);
        log.line("push", fmt::format("pushed {} ({}): {} blobs uploaded, {} mounted, {} already there",
                                     report.pushed_to, pushed->manifest_digest, pushed->blobs_uploaded,
                                     pushed->blobs_mounted, pushed->blobs_existed));
        build_json["pushed_to"] = report.pushed_to;
    }
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
