#include "registry_fixture.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "test_server.hpp"

extern char** environ;

namespace envsmith::test {
namespace {

constexpr const char* registry_binary = "/usr/bin/docker-registry";
constexpr const char* htpasswd_binary = "/usr/bin/htpasswd";

/// A port the kernel says is free now (bind to 0, read it, close).
std::uint16_t free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return 0;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    socklen_t length = sizeof address;
    std::uint16_t port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
        port = ntohs(address.sin_port);
    }
    ::close(fd);
    return port;
}

bool accepts_connections(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return ok;
}

/// Runs a program to completion with stdout and stderr to `log`; its exit status.
int run(const std::vector<std::string>& args, const std::filesystem::path& log) {
    std::vector<std::string> copies = args;
    std::vector<char*> argv;
    for (auto& arg : copies) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        return -1;
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

bool RegistryFixture::available() { return ::access(registry_binary, X_OK) == 0; }
bool RegistryFixture::htpasswd_available() { return ::access(htpasswd_binary, X_OK) == 0; }

RegistryFixture::RegistryFixture(std::optional<RegistryUser> user)
    : m_dir(std::make_unique<TempDir>()) {
    if (!available()) {
        return;
    }
    // The port may be taken between the probe and the start: try a few.
    for (int attempt = 0; attempt < 3 && !m_ready; ++attempt) {
        start_once(user, {});
    }
}

RegistryFixture::RegistryFixture(std::string extra_config) : m_dir(std::make_unique<TempDir>()) {
    if (!available()) {
        return;
    }
    for (int attempt = 0; attempt < 3 && !m_ready; ++attempt) {
        start_once(std::nullopt, extra_config);
    }
}

bool RegistryFixture::start_once(const std::optional<RegistryUser>& user,
                                 const std::string& extra_config) {
    stop();
    m_port = free_loopback_port();
    if (m_port == 0) {
        return false;
    }
    const auto& dir = m_dir->path();
    std::ostringstream config;
    config << "version: 0.1\n"
           << "log:\n  level: warn\n  accesslog:\n    disabled: true\n"
           << "storage:\n  filesystem:\n    rootdirectory: " << (dir / "data").string() << "\n"
           << "  delete:\n    enabled: true\n"
           << "http:\n  addr: 127.0.0.1:" << m_port << "\n  secret: envsmith-test-secret\n";
    if (user) {
        const auto htpasswd = dir / "htpasswd";
        if (!htpasswd_available() ||
            run({htpasswd_binary, "-Bbc", htpasswd.string(), user->username, user->password},
                dir / "htpasswd.log") != 0) {
            return false;
        }
        config << "auth:\n  htpasswd:\n    realm: envsmith-test-realm\n    path: "
               << htpasswd.string() << "\n";
    }
    config << extra_config;
    m_dir->write("config.yml", config.str());

    std::string binary = registry_binary;
    std::string serve = "serve";
    std::string config_path = (dir / "config.yml").string();
    char* argv[] = {binary.data(), serve.data(), config_path.data(), nullptr};
    const auto log_path = dir / "registry.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, registry_binary, &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
        return false;
    }
    m_pid = pid;
    // Ready in about 0.1 s; give it up to 10 s on a busy machine, and stop early if it died.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
        if (accepts_connections(m_port)) {
            m_ready = true;
            return true;
        }
        int status = 0;
        if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
            m_pid = -1;
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
}

RegistryFixture::~RegistryFixture() { stop(); }

void RegistryFixture::stop() {
    if (m_pid > 0) {
        ::kill(m_pid, SIGTERM);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
    m_pid = -1;
    m_ready = false;
}

std::string RegistryFixture::host() const { return "127.0.0.1:" + std::to_string(m_port); }
std::string RegistryFixture::url() const { return "http://" + host(); }
const std::filesystem::path& RegistryFixture::dir() const { return m_dir->path(); }

std::string RegistryFixture::log() const {
    std::ifstream in(m_dir->path() / "registry.log");
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

}  // namespace envsmith::test
