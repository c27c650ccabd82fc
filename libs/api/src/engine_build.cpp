// Dockerfile builds through buildah, podman or docker: finding the engine, running it as a
// child process whose output lines go to the build log as they arrive, copying the image into
// an OCI layout and checking what arrived there.

#include "envsmith/api/engine_build.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <functional>
#include <random>
#include <system_error>

#include <fmt/format.h>

#include "envsmith/image/layout.hpp"

extern char** environ;  // NOLINT: POSIX

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

using Environment = std::vector<std::pair<std::string, std::string>>;

constexpr std::array<Engine, 3> preference = {Engine::buildah, Engine::podman, Engine::docker};
constexpr int probe_timeout_ms = 30'000;

core::Error request_error(std::string field, std::string value, std::string why) {
    auto message = fmt::format("cannot build with an engine: {} `{}` {}", field, value, why);
    return core::make_error(core::ErrorCode::invalid_input, "engine.bad_request", std::move(message))
        .arg("field", std::move(field))
        .arg("value", std::move(value))
        .arg("why", std::move(why));
}

std::vector<std::string> path_from_environment() {
    std::vector<std::string> dirs;
    const char* path = std::getenv("PATH");
    if (path == nullptr) return dirs;
    std::string_view rest(path);
    while (true) {
        const auto colon = rest.find(':');
        const auto dir = rest.substr(0, colon);
        dirs.emplace_back(dir.empty() ? "." : dir);
        if (colon == std::string_view::npos) break;
        rest.remove_prefix(colon + 1);
    }
    return dirs;
}

std::string find_executable(const std::vector<std::string>& dirs, std::string_view name) {
    for (const auto& dir : dirs) {
        const auto candidate = stdfs::path(dir) / name;
        struct stat info {};
        if (::stat(candidate.c_str(), &info) == 0 && S_ISREG(info.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
            std::error_code ec;
            auto absolute = stdfs::absolute(candidate, ec);
            return ec ? candidate.string() : absolute.lexically_normal().string();
        }
    }
    return {};
}

struct ProcessOutcome {
    int exit_code = 0;  // 128 + signal when killed
    bool timed_out = false;
    std::string last_line;  // the last non-empty line of output
};

/// The inherited environment with `extra` set on top, as "NAME=value" strings.
std::vector<std::string> child_environment(const Environment& extra) {
    std::vector<std::string> out;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const auto name = text.substr(0, text.find('='));
        bool replaced = false;
        for (const auto& [key, value] : extra) replaced = replaced || key == name;
        if (!replaced) out.emplace_back(text);
    }
    for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
    return out;
}

std::string command_line(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& arg : argv) {
        if (!out.empty()) out += ' ';
        out += arg;
    }
    return out;
}

core::Error spawn_error(const std::vector<std::string>& argv, std::string detail) {
    auto command = command_line(argv);
    auto message = fmt::format("cannot run `{}`: {}", command, detail);
    return core::make_error(core::ErrorCode::internal, "engine.spawn_failed", std::move(message))
        .arg("command", std::move(command))
        .arg("detail", std::move(detail));
}

/// Runs `argv` (argv[0] an absolute path; no shell) with stdin from /dev/null and stdout and
/// stderr merged into one pipe; hands each output line to `on_line` as it arrives. With
/// `timeout_ms` >= 0 the child is killed (SIGKILL) when it runs longer.
core::Result<ProcessOutcome> run_process(const std::vector<std::string>& argv, const Environment& extra,
                                         const std::function<void(std::string_view)>& on_line,
                                         int timeout_ms = -1) {
    // Everything the child needs is prepared before fork: after it, only async-signal-safe calls.
    const auto env_strings = child_environment(extra);
    std::vector<char*> env_pointers;
    for (const auto& s : env_strings) env_pointers.push_back(const_cast<char*>(s.c_str()));
    env_pointers.push_back(nullptr);
    std::vector<char*> arg_pointers;
    for (const auto& s : argv) arg_pointers.push_back(const_cast<char*>(s.c_str()));
    arg_pointers.push_back(nullptr);

    std::array<int, 2> fds{-1, -1};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) return spawn_error(argv, std::strerror(errno));
    const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (null_fd < 0) {
        const int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        return spawn_error(argv, std::strerror(saved));
    }
    const pid_t pid = ::fork();
    if (pid < 0) {
        const int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        ::close(null_fd);
        return spawn_error(argv, std::strerror(saved));
    }
    if (pid == 0) {
        // The child: dup2 clears FD_CLOEXEC on the copies; every other descriptor is closed.
        if (::dup2(null_fd, STDIN_FILENO) < 0 || ::dup2(fds[1], STDOUT_FILENO) < 0 ||
            ::dup2(fds[1], STDERR_FILENO) < 0) {
            ::_exit(127);
        }
        ::close_range(3, ~0U, 0);
        ::signal(SIGPIPE, SIG_DFL);
        ::execve(arg_pointers[0], arg_pointers.data(), env_pointers.data());
        static constexpr char failed[] = "envsmith: exec failed\n";
        [[maybe_unused]] const auto written = ::write(STDERR_FILENO, failed, sizeof failed - 1);
        ::_exit(127);
    }
    ::close(fds[1]);
    ::close(null_fd);

    ProcessOutcome outcome;
    std::string pending;
    auto emit = [&](std::string_view line) {
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.find_first_not_of(" \t") != std::string_view::npos) outcome.last_line = std::string(line);
        on_line(line);
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    std::array<char, 8192> buffer{};
    while (true) {
        int wait_ms = -1;
        if (timeout_ms >= 0) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            if (left.count() <= 0) {
                outcome.timed_out = true;
                ::kill(pid, SIGKILL);
                break;
            }
            wait_ms = static_cast<int>(left.count());
        }
        pollfd p{fds[0], POLLIN, 0};
        const int ready = ::poll(&p, 1, wait_ms);
        if (ready < 0 && errno == EINTR) continue;
        if (ready == 0) continue;  // the deadline check above ends it
        const auto n = ::read(fds[0], buffer.data(), buffer.size());
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        pending.append(buffer.data(), static_cast<std::size_t>(n));
        std::size_t start = 0;
        for (auto newline = pending.find('\n'); newline != std::string::npos; newline = pending.find('\n', start)) {
            emit(std::string_view(pending).substr(start, newline - start));
            start = newline + 1;
        }
        pending.erase(0, start);
    }
    if (!pending.empty()) emit(pending);
    ::close(fds[0]);

    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return spawn_error(argv, std::strerror(errno));
    }
    if (WIFEXITED(status)) outcome.exit_code = WEXITSTATUS(status);
    else if (WIFSIGNALED(status)) outcome.exit_code = 128 + WTERMSIG(status);
    else outcome.exit_code = -1;
    return outcome;
}

std::optional<Engine> parse_engine(std::string_view name) {
    for (const auto engine : preference) {
        if (to_string(engine) == name) return engine;
    }
    return std::nullopt;
}

/// Version and usability of one engine executable.
EngineInfo probe(Engine engine, const std::string& path, const Environment& extra) {
    EngineInfo info{engine, path, {}, {}, {}};
    const auto version = run_process({path, "--version"}, extra,
                                     [&](std::string_view line) {
                                         if (info.version.empty() && !line.empty()) info.version = std::string(line);
                                     },
                                     probe_timeout_ms);
    if (!version || version->exit_code != 0) info.version.clear();
    if (engine == Engine::docker) {
        auto daemon = run_process({path, "info", "--format", "{{.ServerVersion}}"}, extra,
                                  [](std::string_view) {}, probe_timeout_ms);
        if (!daemon) {
            info.problem = "engine.docker_no_daemon";
            info.problem_detail = daemon.error().message;
        } else if (daemon->exit_code != 0 || daemon->timed_out) {
            info.problem = "engine.docker_no_daemon";
            info.problem_detail = daemon->timed_out ? "`docker info` did not answer" : daemon->last_line;
        }
    }
    return info;
}

core::Error docker_no_daemon(const EngineInfo& docker) {
    auto message = fmt::format(
        "docker is installed but no Docker daemon answers (`docker info`: {}); start one or point "
        "DOCKER_HOST at it, or install a daemonless engine: `apt-get install -y buildah`",
        docker.problem_detail);
    return core::make_error(core::ErrorCode::unavailable, "engine.docker_no_daemon", std::move(message))
        .arg("detail", docker.problem_detail)
        .with_hint("buildah and podman need no daemon");
}

core::Result<EngineInfo> choose_engine(const EngineBuildRequest& request, const std::string& dockerfile) {
    const auto dirs = request.search_path ? *request.search_path : path_from_environment();
    std::string joined;
    for (const auto& dir : dirs) joined += (joined.empty() ? "" : ":") + dir;
    if (!request.engine.empty()) {
        const auto engine = parse_engine(request.engine);
        if (!engine) {
            return core::make_error(core::ErrorCode::invalid_input, "engine.unknown",
                                    fmt::format("unknown container engine `{}`; expected buildah, podman or docker",
                                                request.engine))
                .arg("engine", request.engine);
        }
        const auto path = find_executable(dirs, request.engine);
        if (path.empty()) {
            return core::make_error(core::ErrorCode::not_found, "engine.not_found",
                                    fmt::format("the container engine `{}` is not installed (searched `{}`)",
                                                request.engine, joined))
                .arg("engine", request.engine)
                .arg("path", joined);
        }
        auto info = probe(*engine, path, request.environment);
        if (!info.problem.empty()) return docker_no_daemon(info);
        return info;
    }
    std::optional<EngineInfo> unusable;
    for (const auto engine : preference) {
        const auto path = find_executable(dirs, to_string(engine));
        if (path.empty()) continue;
        auto info = probe(engine, path, request.environment);
        if (info.problem.empty()) return info;
        unusable = std::move(info);
    }
    if (unusable) return docker_no_daemon(*unusable);
    auto message = fmt::format(
        "no container engine to build `{}`: envsmith hands Dockerfile builds to buildah, podman or "
        "docker, and none is on the path (`{}`); install one, e.g. on Debian `apt-get install -y buildah`",
        dockerfile, joined);
    return core::make_error(core::ErrorCode::not_found, "engine.none", std::move(message))
        .arg("dockerfile", dockerfile)
        .arg("path", joined)
        .with_hint("buildah needs no daemon; podman works too, and docker with a running daemon and skopeo");
}

std::string temporary_image_name() {
    std::random_device random;
    const auto high = static_cast<std::uint64_t>(random()) << 32U;
    return fmt::format("localhost/envsmith-engine-build:{:016x}", high | random());
}

struct Plan {
    std::string context;
    std::string dockerfile_path;  // absolute
    std::string dockerfile;       // as given (relative to the context)
    std::string platform;         // engine spelling
    std::string layout;           // absolute
};

core::Result<Plan> validate(const EngineBuildRequest& request) {
    Plan plan;
    const stdfs::path context(request.context_dir);
    if (request.context_dir.empty() || !context.is_absolute()) {
        return request_error("context_dir", request.context_dir, "is not an absolute path");
    }
    std::error_code ec;
    if (!stdfs::is_directory(context, ec)) return request_error("context_dir", request.context_dir, "is not a directory");
    plan.context = context.lexically_normal().string();
    plan.dockerfile = request.dockerfile.empty() ? "Dockerfile" : request.dockerfile;
    const auto relative = stdfs::path(plan.dockerfile).lexically_normal();
    if (relative.is_absolute() || relative.empty() || *relative.begin() == "..") {
        return request_error("dockerfile", plan.dockerfile, "is not a path inside the build context");
    }
    plan.dockerfile_path = (context / relative).lexically_normal().string();
    if (!stdfs::is_regular_file(plan.dockerfile_path, ec)) {
        return request_error("dockerfile", plan.dockerfile, "is not a file in the build context");
    }
    if (!request.platform.empty()) {
        plan.platform = engine_platform(request.platform);
        if (plan.platform.empty()) return request_error("platform", request.platform, "has no Linux image platform");
    }
    if (request.tag.empty()) return request_error("tag", request.tag, "is empty");
    if (request.oci_layout.empty() || request.oci_layout.find(':') != std::string::npos) {
        return request_error("oci_layout", request.oci_layout, "must be a directory path without `:`");
    }
    plan.layout = stdfs::absolute(request.oci_layout, ec).lexically_normal().string();
    if (ec) return request_error("oci_layout", request.oci_layout, "cannot be made absolute");
    // A fresh, empty directory is fine for the engines: they write `oci-layout` and index.json.
    stdfs::create_directories(plan.layout, ec);
    if (ec) return request_error("oci_layout", request.oci_layout, "cannot be created");
    return plan;
}

std::vector<std::string> build_command(const EngineInfo& engine, const EngineBuildRequest& request, const Plan& plan,
                                       const std::string& image) {
    std::vector<std::string> argv{engine.path};
    switch (engine.engine) {
        case Engine::buildah:
            argv.insert(argv.end(), {"bud", "--isolation", "chroot", "--format", "oci"});
            break;
        case Engine::podman:
            argv.insert(argv.end(), {"build", "--format", "oci"});
            break;
        case Engine::docker:
            argv.emplace_back("build");
            break;
    }
    argv.insert(argv.end(), {"-f", plan.dockerfile_path, "-t", image});
    if (!plan.platform.empty()) argv.insert(argv.end(), {"--platform", plan.platform});
    if (!request.network.empty()) argv.insert(argv.end(), {"--network", request.network});
    if (engine.engine != Engine::docker && !request.insecure_registries.empty()) argv.emplace_back("--tls-verify=false");
    for (const auto& [key, value] : request.labels) argv.insert(argv.end(), {"--label", key + "=" + value});
    argv.push_back(plan.context);
    return argv;
}

core::Error export_error(const EngineInfo& engine, const std::vector<std::string>& argv, const ProcessOutcome& outcome) {
    auto command = command_line(argv);
    auto message = fmt::format("{} built the image but `{}` could not copy it into the OCI layout (exit code {}): {}",
                               to_string(engine.engine), command, outcome.exit_code, outcome.last_line);
    return core::make_error(core::ErrorCode::unavailable, "engine.export_failed", std::move(message))
        .arg("engine", std::string(to_string(engine.engine)))
        .arg("command", std::move(command))
        .arg("exit_code", std::to_string(outcome.exit_code))
        .arg("last_line", outcome.last_line);
}

}  // namespace

std::string_view to_string(Engine engine) noexcept {
    switch (engine) {
        case Engine::buildah: return "buildah";
        case Engine::podman: return "podman";
        case Engine::docker: return "docker";
    }
    return "buildah";
}

std::string engine_platform(std::string_view conda_subdir) {
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> table = {{
        {"linux-64", "linux/amd64"},
        {"linux-aarch64", "linux/arm64/v8"},
        {"linux-ppc64le", "linux/ppc64le"},
        {"linux-s390x", "linux/s390x"},
        {"linux-32", "linux/386"},
        {"linux-armv7l", "linux/arm/v7"},
    }};
    for (const auto& [subdir, platform] : table) {
        if (subdir == conda_subdir) return std::string(platform);
    }
    return {};
}

std::vector<EngineInfo> detect_engines(const std::vector<std::string>& path_dirs) {
    std::vector<EngineInfo> found;
    for (const auto engine : preference) {
        const auto path = find_executable(path_dirs, to_string(engine));
        if (!path.empty()) found.push_back(probe(engine, path, {}));
    }
    return found;
}

std::vector<EngineInfo> detect_engines() { return detect_engines(path_from_environment()); }

core::Result<EngineBuildResult> build_with_engine(const EngineBuildRequest& request, core::Reporter& reporter) {
    auto plan = validate(request);
    if (!plan) return std::move(plan).error();
    auto chosen = choose_engine(request, plan->dockerfile);
    if (!chosen) return std::move(chosen).error();
    const auto& engine = *chosen;
    const auto engine_name = std::string(to_string(engine.engine));

    // docker needs skopeo to reach an OCI layout: find it before spending time on the build.
    std::string skopeo;
    if (engine.engine == Engine::docker) {
        skopeo = find_executable(request.search_path ? *request.search_path : path_from_environment(), "skopeo");
        if (skopeo.empty()) {
            return core::make_error(core::ErrorCode::not_found, "engine.docker_needs_skopeo",
                                    "docker builds need skopeo to copy the image into an OCI layout; install it: "
                                    "`apt-get install -y skopeo`");
        }
        if (!request.insecure_registries.empty()) {
            const auto text = std::string("docker reaches registries over plain HTTP only when its daemon lists them "
                                          "as insecure-registries (loopback always is)");
            reporter.on_warning("engine.docker_insecure_registries", text, {});
        }
    }

    auto log = [&reporter](std::string_view line) { reporter.on_log_line("engine", line); };
    const auto image = temporary_image_name();
    const auto build_argv = build_command(engine, request, *plan, image);
    log(fmt::format("$ {}", command_line(build_argv)));
    auto built = run_process(build_argv, request.environment, log);
    if (!built) return std::move(built).error();
    if (built->exit_code != 0) {
        auto message = fmt::format("{} failed to build `{}` (exit code {}): {}", engine_name, plan->dockerfile,
                                   built->exit_code, built->last_line);
        return core::make_error(core::ErrorCode::unavailable, "engine.build_failed", std::move(message))
            .arg("engine", engine_name)
            .arg("dockerfile", plan->dockerfile)
            .arg("exit_code", std::to_string(built->exit_code))
            .arg("last_line", built->last_line);
    }

    const auto destination = fmt::format("oci:{}:{}", plan->layout, request.tag);
    std::vector<std::vector<std::string>> exports;
    std::string archive_dir;
    if (engine.engine == Engine::docker) {
        auto pattern = (stdfs::temp_directory_path() / "envsmith-docker-save-XXXXXX").string();
        if (::mkdtemp(pattern.data()) == nullptr) return spawn_error({engine.path, "save"}, std::strerror(errno));
        archive_dir = pattern;
        const auto tar = archive_dir + "/image.tar";
        exports.push_back({engine.path, "save", "-o", tar, image});
        exports.push_back({skopeo, "copy", "--dest-compress", "docker-archive:" + tar, destination});
    } else {
        exports.push_back({engine.path, "push", image, destination});
    }
    std::optional<core::Error> failure;
    for (const auto& argv : exports) {
        log(fmt::format("$ {}", command_line(argv)));
        auto ran = run_process(argv, request.environment, log);
        if (!ran) {
            failure = std::move(ran).error();
            break;
        }
        if (ran->exit_code != 0) {
            failure = export_error(engine, argv, *ran);
            break;
        }
    }
    if (!archive_dir.empty()) {
        std::error_code ignored;
        stdfs::remove_all(archive_dir, ignored);
    }
    // The temporary name goes from the engine's storage whatever happened; its layers may stay
    // as the engine's cache.
    const std::vector<std::string> remove_argv{engine.path, "rmi", image};
    log(fmt::format("$ {}", command_line(remove_argv)));
    auto removed = run_process(remove_argv, request.environment, log);
    if (!removed || removed->exit_code != 0) {
        const auto detail = removed ? removed->last_line : removed.error().message;
        reporter.on_warning("engine.cleanup_failed",
                            fmt::format("could not remove the temporary image {} from {}: {}", image, engine_name, detail),
                            {{"image", image}, {"engine", engine_name}, {"detail", detail}});
    }
    if (failure) return std::move(*failure);

    // What arrived: the tag's manifest digest, and the labels in its config.
    auto layout = image::Layout::open(plan->layout);
    if (!layout) return std::move(layout).error();
    auto descriptor = layout->resolve(request.tag);
    if (!descriptor) return std::move(descriptor).error();
    auto manifest = layout->read_manifest(request.tag);
    if (!manifest) return std::move(manifest).error();
    auto config = layout->read_config(*manifest);
    if (!config) return std::move(config).error();
    for (const auto& [key, value] : request.labels) {
        const auto it = config->labels.find(key);
        if (it == config->labels.end() || it->second != value) {
            auto message = fmt::format("the image {} in `{}` lacks the label `{}` it was built with", request.tag,
                                       plan->layout, key);
            return core::make_error(core::ErrorCode::internal, "engine.labels_missing", std::move(message))
                .arg("tag", request.tag)
                .arg("layout", plan->layout)
                .arg("label", key);
        }
    }
    return EngineBuildResult{engine_name, engine.version, descriptor->digest.to_string(), built->exit_code};
}

}  // namespace envsmith::api
