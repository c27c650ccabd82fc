#pragma once
// envsmith's settings file (`~/.config/envsmith/config.yaml`): where channels and indexes live,
// their mirrors, the cache, trust and credentials. Pure: text in, values out; the api layer
// finds the file and reads the environment variables that secrets name.
//
//   channel_alias: https://conda.example.com
//   default_channels: [https://repo.example.com/pkgs/main]
//   mirrors:
//     conda-forge: [https://mirror.example.com/conda-forge, https://conda.anaconda.org/conda-forge]
//   index_url: https://pypi.example.com/simple
//   cache_dir: /var/cache/envsmith
//   ca_bundle: /etc/ssl/certs/corp.pem
//   netrc: /home/me/.netrc
//   credentials:
//     - host: repo.example.com
//       username: alice
//       password_env: REPO_PASSWORD   # basic; or `password:` written out (discouraged)
//     - host: pypi.example.com
//       token_env: PYPI_TOKEN         # bearer; or `token:`

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

struct CredentialSetting {
    enum class Scheme : std::uint8_t { basic, bearer };
    std::string host;
    Scheme scheme = Scheme::basic;
    std::string username;
    /// The secret written in the file, or empty when `secret_env` names where it is.
    std::string secret;
    /// The environment variable holding the secret (`password_env` / `token_env`).
    std::string secret_env;
    core::SourceLocation where;  // of the entry, for errors about it later
};

struct Settings {
    std::optional<std::string> channel_alias;
    std::optional<std::vector<std::string>> default_channels;
    std::map<std::string, std::vector<std::string>> mirrors;  // channel name or URL -> bases
    std::optional<std::string> index_url;
    std::optional<std::string> cache_dir;
    std::optional<std::string> ca_bundle;
    std::optional<std::string> netrc;
    std::vector<CredentialSetting> credentials;
};

/// Parses a settings file. An empty file is empty settings. Fails with `settings.*` ids at
/// file:line:col: `settings.unknown_key` (with a "did you mean" hint), `settings.type` (a
/// value of the wrong shape), `settings.credential` (an entry without `host`, with both a
/// secret and its `_env`, with a password but no username, or with neither password nor
/// token), and `yaml.syntax`.
[[nodiscard]] core::Result<Settings> parse_settings(std::string_view text,
                                                    std::string_view file_name);

}  // namespace envsmith::specs
