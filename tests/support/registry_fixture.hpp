#pragma once
// Debian's docker-registry (distribution 2.8) on a free loopback port, for tests: plain HTTP,
// its storage in a temporary folder, optionally with htpasswd (bcrypt) Basic auth. The
// destructor stops it and removes the folder. Tests skip when the binary is missing:
//
//   if (!test::RegistryFixture::available()) GTEST_SKIP() << "no docker-registry";
//   test::RegistryFixture registry;                        // or ({"user", "password"})
//   ASSERT_TRUE(registry.running()) << registry.log();
//   registry.host();                                       // "127.0.0.1:PORT"

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <sys/types.h>

namespace envsmith::test {

class TempDir;

struct RegistryUser {
    std::string username;
    std::string password;
};

class RegistryFixture {
public:
    /// Whether /usr/bin/docker-registry (and htpasswd, for auth) can be run.
    [[nodiscard]] static bool available();
    [[nodiscard]] static bool htpasswd_available();

    explicit RegistryFixture(std::optional<RegistryUser> user = std::nullopt);
    /// With `extra_config` appended to the config file (top-level YAML, e.g. an `auth:
    /// token:` section); no htpasswd.
    explicit RegistryFixture(std::string extra_config);
    ~RegistryFixture();
    RegistryFixture(const RegistryFixture&) = delete;
    RegistryFixture& operator=(const RegistryFixture&) = delete;

    /// Whether it started and answers on its port.
    [[nodiscard]] bool running() const noexcept { return m_pid > 0 && m_ready; }
    [[nodiscard]] std::uint16_t port() const noexcept { return m_port; }
    /// "127.0.0.1:PORT", as an image reference's registry.
    [[nodiscard]] std::string host() const;
    /// "http://127.0.0.1:PORT".
    [[nodiscard]] std::string url() const;
    /// The registry's log so far, for failure messages.
    [[nodiscard]] std::string log() const;
    /// The temporary folder (config, htpasswd, data, log).
    [[nodiscard]] const std::filesystem::path& dir() const;

    /// Stops the registry (SIGTERM, wait). The destructor calls it.
    void stop();

private:
    bool start_once(const std::optional<RegistryUser>& user, const std::string& extra_config);

    std::unique_ptr<TempDir> m_dir;
    pid_t m_pid = -1;
    std::uint16_t m_port = 0;
    bool m_ready = false;
};

}  // namespace envsmith::test
