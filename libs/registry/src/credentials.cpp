#include "envsmith/registry/credentials.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

#include <nlohmann/json.hpp>

#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "errors.hpp"

extern char** environ;

namespace envsmith::registry {
namespace {

using Json = nlohmann::json;

std::optional<std::string> process_getenv(const std::string& name) {
    const char* value = std::getenv(name.c_str());  // NOLINT(concurrency-mt-unsafe)
    if (value == nullptr) {
        return std::nullopt;
    }
    return std::string(value);
}

std::string default_docker_config(const CredentialSources& sources) {
    const auto& getenv = sources.getenv ? sources.getenv : process_getenv;
    if (const auto dir = getenv("DOCKER_CONFIG"); dir && !dir->empty()) {
        return *dir + "/config.json";
    }
    if (const auto home = getenv("HOME"); home && !home->empty()) {
        return *home + "/.docker/config.json";
    }
    return {};
}

/// The path of `docker-credential-<helper>`, or empty when it is not installed.
std::string find_helper(const std::string& helper, const CredentialSources& sources) {
    std::vector<std::string> dirs = sources.helper_dirs;
    if (dirs.empty()) {
        const auto& getenv = sources.getenv ? sources.getenv : process_getenv;
        for (const auto dir : core::split(getenv("PATH").value_or("/usr/local/bin:/usr/bin:/bin"), ':')) {
            if (!dir.empty()) {
                dirs.emplace_back(dir);
            }
        }
    }
    for (const auto& dir : dirs) {
        const auto candidate = std::filesystem::path(dir) / ("docker-credential-" + helper);
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate.string();
        }
    }
    return {};
}

struct HelperRun {
    int exit_code = 0;
    std::string output;
};

/// Runs `program get` with `input` on its stdin; the output is its stdout. stderr is left
/// alone (a helper may print prompts there) and never copied into an error.
core::Result<HelperRun> run_helper(const std::string& program, const std::string& input,
                                   std::string_view helper, std::string_view registry) {
    auto failed = [&](std::string problem) {
        return detail::registry_error("registry.credential_helper_failed",
                                      {{"helper", "docker-credential-" + std::string(helper)},
                                       {"registry", std::string(registry)},
                                       {"problem", std::move(problem)}});
    };
    int to_child[2];
    int from_child[2];
    if (::pipe(to_child) != 0) {
        return failed("cannot create a pipe");
    }
    if (::pipe(from_child) != 0) {
        ::close(to_child[0]);
        ::close(to_child[1]);
        return failed("cannot create a pipe");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, to_child[0], 0);
    posix_spawn_file_actions_adddup2(&actions, from_child[1], 1);
    posix_spawn_file_actions_addclose(&actions, to_child[1]);
    posix_spawn_file_actions_addclose(&actions, from_child[0]);
    std::string arg0 = program;
    std::string arg1 = "get";
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(to_child[0]);
    ::close(from_child[1]);
    if (spawned != 0) {
        ::close(to_child[1]);
        ::close(from_child[0]);
        return failed("cannot start it");
    }
    // The input is one short line: it fits in the pipe buffer, so writing before reading
    // cannot deadlock.
    std::size_t written = 0;
    while (written < input.size()) {
        const auto n = ::write(to_child[1], input.data() + written, input.size() - written);
        if (n <= 0) {
            break;
        }
        written += static_cast<std::size_t>(n);
    }
    ::close(to_child[1]);
    HelperRun run;
    char buffer[4096];
    for (;;) {
        const auto n = ::read(from_child[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        run.output.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(from_child[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128;
    return run;
}

/// Asks a credential helper. None when it has no entry ("credentials not found").
core::Result<std::optional<Credentials>> from_helper(const std::string& helper,
                                                     std::string_view registry,
                                                     const std::string& server,
                                                     const CredentialSources& sources,
                                                     core::Reporter& reporter) {
    const auto program = find_helper(helper, sources);
    if (program.empty()) {
        std::vector<core::MessageArg> args = {{"helper", "docker-credential-" + helper},
                                              {"registry", std::string(registry)}};
        reporter.on_warning("registry.credential_helper_missing",
                            detail::fill("registry.credential_helper_missing", args), args);
        return std::optional<Credentials>{};
    }
    auto run = run_helper(program, server, helper, registry);
    if (!run) {
        return std::move(run).error();
    }
    if (run->exit_code != 0) {
        // docker's helpers say "credentials not found in native keychain" on stdout.
        if (run->output.find("credentials not found") != std::string::npos) {
            return std::optional<Credentials>{};
        }
        return detail::registry_error(
            "registry.credential_helper_failed",
            {{"helper", "docker-credential-" + helper},
             {"registry", std::string(registry)},
             {"problem", "it exited with status " + std::to_string(run->exit_code)}});
    }
    const auto json = Json::parse(run->output, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("Secret") ||
        !json["Secret"].is_string()) {
        return detail::registry_error("registry.credential_helper_failed",
                                      {{"helper", "docker-credential-" + helper},
                                       {"registry", std::string(registry)},
                                       {"problem", "its output is not the expected JSON"}});
    }
    Credentials creds;
    creds.username = json.value("Username", std::string());
    creds.password = json["Secret"].get<std::string>();
    creds.source = "docker-credential-" + helper;
    return std::optional<Credentials>{std::move(creds)};
}

core::Error config_invalid(const std::string& path, std::string problem) {
    return detail::registry_error("registry.docker_config_invalid",
                                  {{"path", path}, {"problem", std::move(problem)}});
}

/// The entry of `auths` for the registry, or none.
core::Result<std::optional<Credentials>> from_auths(const Json& auths, std::string_view registry,
                                                    const std::string& path) {
    if (!auths.is_object()) {
        return config_invalid(path, "`auths` is not an object");
    }
    for (const auto& key : docker_config_keys(registry)) {
        const auto entry = auths.find(key);
        if (entry == auths.end()) {
            continue;
        }
        if (!entry->is_object()) {
            return config_invalid(path, "the `auths` entry for `" + key + "` is not an object");
        }
        Credentials creds;
        creds.source = path;
        if (const auto auth = entry->find("auth"); auth != entry->end() && auth->is_string() &&
                                                   !auth->get<std::string>().empty()) {
            auto decoded = core::base64_decode(auth->get<std::string>());
            if (!decoded) {
                return detail::registry_error(
                    "registry.creds_invalid",
                    {{"source", "`" + path + "`"},
                     {"problem", "the `auth` of `" + key + "` is not base64"}});
            }
            auto parsed = parse_creds(*decoded, "`" + path + "`");
            if (!parsed) {
                return std::move(parsed).error();
            }
            creds.username = parsed->username;
            creds.password = parsed->password;
        } else {
            creds.username = entry->value("username", std::string());
            creds.password = entry->value("password", std::string());
        }
        // An identity token (from `docker login` to a registry with OAuth) is the password
        // of the special user "<token>".
        if (const auto token = entry->find("identitytoken");
            token != entry->end() && token->is_string() && !token->get<std::string>().empty()) {
            creds.username = "<token>";
            creds.password = token->get<std::string>();
        }
        if (creds.username.empty() && creds.password.empty()) {
            continue;  // an empty entry, as `docker login` leaves next to a credsStore
        }
        return std::optional<Credentials>{std::move(creds)};
    }
    return std::optional<Credentials>{};
}

}  // namespace

core::Result<Credentials> parse_creds(std::string_view text, std::string_view source) {
    const auto colon = text.find(':');
    if (colon == std::string_view::npos) {
        return detail::registry_error(
            "registry.creds_invalid",
            {{"source", std::string(source)},
             {"problem", "expected `user:password`, found no `:`"}});
    }
    if (colon == 0) {
        return detail::registry_error("registry.creds_invalid",
                                      {{"source", std::string(source)},
                                       {"problem", "the user name before `:` is empty"}});
    }
    Credentials creds;
    creds.username = std::string(text.substr(0, colon));
    creds.password = std::string(text.substr(colon + 1));
    creds.source = std::string(source);
    return creds;
}

std::vector<std::string> docker_config_keys(std::string_view registry) {
    const std::string host(registry);
    if (host == "docker.io" || host == "index.docker.io" || host == "registry-1.docker.io") {
        return {"https://index.docker.io/v1/", "index.docker.io", "docker.io",
                "registry-1.docker.io", "https://index.docker.io/v1", "https://docker.io"};
    }
    return {host, "https://" + host, "http://" + host, "https://" + host + "/v2/",
            "https://" + host + "/"};
}

core::Result<std::optional<Credentials>> resolve_credentials(std::string_view registry,
                                                             const CredentialSources& sources,
                                                             core::FileSystem& fs,
                                                             core::Reporter& reporter) {
    if (sources.explicit_credentials) {
        return sources.explicit_credentials;
    }
    const auto& getenv = sources.getenv ? sources.getenv : process_getenv;
    const auto user = getenv(std::string(user_env));
    const auto password = getenv(std::string(password_env));
    if (user && !user->empty()) {
        return std::optional<Credentials>{
            Credentials{*user, password.value_or(std::string()), "environment"}};
    }

    const auto path = sources.docker_config_path.empty() ? default_docker_config(sources)
                                                         : sources.docker_config_path;
    if (path.empty() || fs.kind(path) != core::FileKind::regular) {
        return std::optional<Credentials>{};
    }
    auto text = fs.read_file(path);
    if (!text) {
        return std::move(text).error();
    }
    const auto json = Json::parse(*text, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return config_invalid(path, "not a JSON object");
    }
    const auto keys = docker_config_keys(registry);
    // docker asks helpers for the Docker Hub entry by its v1 URL and for others by host.
    const std::string server = keys.front();
    if (const auto helpers = json.find("credHelpers");
        helpers != json.end() && helpers->is_object()) {
        for (const auto& key : keys) {
            const auto helper = helpers->find(key);
            if (helper != helpers->end() && helper->is_string()) {
                auto found = from_helper(helper->get<std::string>(), registry, server, sources,
                                         reporter);
                if (!found || found->has_value()) {
                    return found;
                }
                break;
            }
        }
    }
    if (const auto store = json.find("credsStore");
        store != json.end() && store->is_string() && !store->get<std::string>().empty()) {
        auto found = from_helper(store->get<std::string>(), registry, server, sources, reporter);
        if (!found || found->has_value()) {
            return found;
        }
    }
    if (const auto auths = json.find("auths"); auths != json.end()) {
        return from_auths(*auths, registry, path);
    }
    return std::optional<Credentials>{};
}

}  // namespace envsmith::registry
