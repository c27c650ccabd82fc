#pragma once
// Conda channels: what a name such as `conda-forge`, `conda-forge/label/dev`, `defaults` or
// `https://example.com/channel` means, as base URLs to fetch repodata from. Pure: no I/O.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::index {

/// How channel names become URLs. Passed in, never global (conda's `.condarc` keys of the
/// same names).
struct ChannelConfig {
    /// Where a bare name lives: `conda-forge` is `<channel_alias>/conda-forge`.
    std::string channel_alias = "https://conda.anaconda.org";
    /// What `defaults` expands to, in order.
    std::vector<std::string> default_channels = {"https://repo.anaconda.com/pkgs/main",
                                                 "https://repo.anaconda.com/pkgs/r"};
    /// Mirrors of a channel, keyed by its name (`conda-forge`) or its base URL: base URLs
    /// tried in this order instead of the channel's own URL (which is not added).
    std::map<std::string, std::vector<std::string>> mirrors;
};

/// One conda channel: a name for people and the base URLs its subdirs live under.
class Channel {
public:
    /// Resolves one channel as written by a user or before `::` in `conda-forge::numpy`:
    ///
    /// | input | base URL |
    /// | --- | --- |
    /// | `conda-forge`, `conda-forge/label/dev` | `<channel_alias>/conda-forge[/label/dev]` |
    /// | `pkgs/main` (the path of a default channel) | that default channel's URL |
    /// | `https://host/path/`, `http://...` | as written, without trailing slashes |
    /// | `file:///abs/path`, `/abs/path` | `file:///abs/path` |
    /// | `.../linux-64` (a known subdir last) | the part before it; `platform()` is set |
    ///
    /// Fails with `index.channel.invalid` (invalid_input; args `channel`, the redacted input,
    /// and `reason`) for empty input, spaces, `..` or empty segments, unsupported schemes,
    /// URLs without host, relative paths, and for `defaults` (several channels: use
    /// `expand_channel`).
    [[nodiscard]] static core::Result<Channel> parse(std::string_view text,
                                                     const ChannelConfig& config);

    /// `conda-forge`, `conda-forge/label/dev`, `pkgs/main`; for a URL outside the alias and
    /// the defaults, the redacted URL.
    [[nodiscard]] const std::string& name() const noexcept { return m_name; }
    /// The canonical URL, no trailing slash. May carry credentials (`/t/<token>/`,
    /// `user:pass@`): never show it; use `display_url()`.
    [[nodiscard]] const std::string& base_url() const noexcept { return m_base_url; }
    /// `base_url()` redacted, for errors and logs.
    [[nodiscard]] std::string display_url() const;
    /// Base URLs to try in order; `{base_url()}` unless the config names mirrors. Never empty.
    [[nodiscard]] const std::vector<std::string>& mirrors() const noexcept { return m_mirrors; }
    /// The subdir the URL ended with (`.../conda-forge/osx-arm64`): fetch it instead of the
    /// target platform. Empty when the URL named none.
    [[nodiscard]] const std::optional<std::string>& platform() const noexcept { return m_platform; }

    friend bool operator==(const Channel&, const Channel&) = default;

private:
    std::string m_name;
    std::string m_base_url;
    std::vector<std::string> m_mirrors;
    std::optional<std::string> m_platform;
};

/// One channel or, for `defaults`, each of `config.default_channels`. Errors as
/// `Channel::parse`.
[[nodiscard]] core::Result<std::vector<Channel>> expand_channel(std::string_view text,
                                                                const ChannelConfig& config);

/// Every channel of a list (`defaults` expanded) in order, each base URL once.
[[nodiscard]] core::Result<std::vector<Channel>> resolve_channels(
    const std::vector<std::string>& texts, const ChannelConfig& config);

/// Whether `subdir` is one conda knows (`linux-64`, `osx-arm64`, `noarch`, ...).
[[nodiscard]] bool is_known_subdir(std::string_view subdir) noexcept;

}  // namespace envsmith::index
