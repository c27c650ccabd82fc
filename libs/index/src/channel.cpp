#include "envsmith/index/channel.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <set>

#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"

namespace envsmith::index {
namespace {

constexpr std::array<std::string_view, 18> known_subdirs = {
    "noarch",       "linux-32",    "linux-64",         "linux-aarch64", "linux-armv6l",
    "linux-armv7l", "linux-ppc64", "linux-ppc64le",    "linux-riscv64", "linux-s390x",
    "osx-64",       "osx-arm64",   "win-32",           "win-64",        "win-arm64",
    "zos-z",        "wasi-wasm32", "emscripten-wasm32"};

core::Error invalid(std::string_view text, std::string reason) {
    const auto shown = core::redact_url(text);
    return core::make_error(core::ErrorCode::invalid_input, "index.channel.invalid",
                            fmt::format("`{}` is not a valid channel: {}", shown, reason))
        .arg("channel", shown)
        .arg("reason", std::move(reason));
}

std::string strip_trailing_slashes(std::string_view text) {
    while (text.size() > 1 && text.ends_with('/')) {
        text.remove_suffix(1);
    }
    return std::string(text);
}

/// The path of a URL after its authority, without leading or trailing slashes.
std::string_view url_path(std::string_view url) {
    const auto scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return {};
    }
    auto rest = url.substr(scheme_end + 3);
    const auto slash = rest.find('/');
    if (slash == std::string_view::npos) {
        return {};
    }
    rest.remove_prefix(slash);
    while (rest.starts_with('/')) rest.remove_prefix(1);
    while (rest.ends_with('/')) rest.remove_suffix(1);
    return rest;
}

/// `url` without an anaconda.org-style `/t/<token>` segment.
std::string without_token(std::string_view url) {
    const auto at = url.find("/t/");
    if (at == std::string_view::npos) {
        return std::string(url);
    }
    const auto end = url.find('/', at + 3);
    std::string out(url.substr(0, at));
    if (end != std::string_view::npos) {
        out.append(url.substr(end));
    }
    return out;
}

bool is_name_char(char c) {
    return core::is_ascii_alnum(c) || c == '-' || c == '_' || c == '.' || c == '+';
}

/// Checks slash-separated segments: none empty, `.` or `..`. Returns a reason, or empty.
std::string check_segments(std::string_view path, bool name_chars_only) {
    for (const auto segment : core::split(path, '/')) {
        if (segment.empty()) {
            return "it has an empty path segment (`//`)";
        }
        if (segment == "." || segment == "..") {
            return fmt::format("it has a `{}` path segment", segment);
        }
        if (name_chars_only && !std::all_of(segment.begin(), segment.end(), is_name_char)) {
            return fmt::format(
                "`{}` has a character other than letters, digits, `-`, `_`, "
                "`.` and `+`",
                segment);
        }
    }
    return {};
}

}  // namespace

bool is_known_subdir(std::string_view subdir) noexcept {
    return std::find(known_subdirs.begin(), known_subdirs.end(), subdir) != known_subdirs.end();
}

std::string Channel::display_url() const {
    return core::redact_url(m_base_url);
}

core::Result<Channel> Channel::parse(std::string_view text, const ChannelConfig& config) {
    const auto input = core::trim(text);
    if (input.empty()) {
        return invalid(text, "it is empty");
    }
    if (std::any_of(input.begin(), input.end(), [](char c) {
            return static_cast<unsigned char>(c) <= ' ' || c == '\\' || c == 0x7f;
        })) {
        return invalid(input, "it has a space, a control character or a backslash");
    }
    if (input == "defaults") {
        return std::move(invalid(input, "`defaults` stands for several channels"))
            .with_hint("expand it with expand_channel or resolve_channels");
    }

    Channel channel;
    std::string url;
    const auto scheme_end = input.find("://");
    if (scheme_end != std::string_view::npos) {
        const auto scheme = core::to_lower(input.substr(0, scheme_end));
        auto rest = input.substr(scheme_end + 3);
        if (rest.find_first_of("?#") != std::string_view::npos) {
            return invalid(input, "a channel URL has no query or fragment");
        }
        if (scheme == "http" || scheme == "https") {
            const auto slash = rest.find('/');
            const auto authority = rest.substr(0, slash);
            const auto at = authority.rfind('@');
            const auto host = at == std::string_view::npos ? authority : authority.substr(at + 1);
            if (host.empty() || host.starts_with(':')) {
                return invalid(input, "the URL has no host");
            }
            url = scheme + "://" + std::string(rest);
        } else if (scheme == "file") {
            if (rest.starts_with("localhost/")) {
                rest.remove_prefix(9);
            }
            if (!rest.starts_with('/')) {
                return invalid(input, "a file:// URL needs an absolute path (`file:///path`)");
            }
            url = "file://" + std::string(rest);
        } else {
            return std::move(
                       invalid(input, fmt::format("the scheme `{}` is not supported", scheme)))
                .with_hint("use an http://, https:// or file:// URL");
        }
    } else if (input.starts_with('/')) {
        url = "file://" + std::string(input);
    } else if (input.starts_with('.') || input.starts_with('~')) {
        return std::move(invalid(input, "it is a relative path"))
            .with_hint("give an absolute path or a file:// URL");
    } else {
        auto name = strip_trailing_slashes(input);
        if (auto reason = check_segments(name, true); !reason.empty()) {
            return invalid(input, std::move(reason));
        }
        const auto last_slash = name.rfind('/');
        if (last_slash != std::string::npos && is_known_subdir(name.substr(last_slash + 1))) {
            channel.m_platform = name.substr(last_slash + 1);
            name.resize(last_slash);
        }
        if (is_known_subdir(name)) {
            return invalid(input, fmt::format("`{}` is a subdir, not a channel", name));
        }
        for (const auto& default_url : config.default_channels) {
            if (url_path(default_url) == name) {
                url = strip_trailing_slashes(default_url);
                break;
            }
        }
        if (url.empty()) {
            const auto alias = strip_trailing_slashes(config.channel_alias);
            url = alias + "/" + name;
        }
        channel.m_name = std::move(name);
    }

    if (channel.m_name.empty()) {
        url = strip_trailing_slashes(url);
        const auto path = url_path(url);
        if (path.empty()) {
            return invalid(input, "the URL has no path to a channel");
        }
        if (auto reason = check_segments(path, false); !reason.empty()) {
            return invalid(input, std::move(reason));
        }
        const auto last_slash = url.rfind('/');
        const auto last = std::string_view(url).substr(last_slash + 1);
        if (is_known_subdir(last)) {
            channel.m_platform = std::string(last);
            url.resize(last_slash);
            if (url_path(url).empty()) {
                return invalid(input, "the URL names a subdir but no channel");
            }
        }
        const auto alias = without_token(strip_trailing_slashes(config.channel_alias));
        const auto plain = without_token(url);
        for (const auto& default_url : config.default_channels) {
            if (without_token(strip_trailing_slashes(default_url)) == plain) {
                channel.m_name = std::string(url_path(plain));
            }
        }
        if (channel.m_name.empty() && plain.size() > alias.size() + 1 && plain.starts_with(alias) &&
            plain[alias.size()] == '/') {
            channel.m_name = plain.substr(alias.size() + 1);
        }
        if (channel.m_name.empty()) {
            channel.m_name = core::redact_url(url);
        }
    }
    channel.m_base_url = std::move(url);

    auto mirrors = config.mirrors.find(channel.m_name);
    if (mirrors == config.mirrors.end()) {
        mirrors = config.mirrors.find(channel.m_base_url);
    }
    if (mirrors != config.mirrors.end() && !mirrors->second.empty()) {
        for (const auto& mirror : mirrors->second) {
            channel.m_mirrors.push_back(strip_trailing_slashes(mirror));
        }
    } else {
        channel.m_mirrors = {channel.m_base_url};
    }
    return channel;
}

core::Result<std::vector<Channel>> expand_channel(std::string_view text,
                                                  const ChannelConfig& config) {
    std::vector<Channel> channels;
    if (core::trim(text) == "defaults") {
        if (config.default_channels.empty()) {
            return invalid(text, "`defaults` is configured as an empty list");
        }
        for (const auto& url : config.default_channels) {
            auto channel = Channel::parse(url, config);
            if (!channel) {
                return std::move(channel).error().with_context("expanding `defaults`");
            }
            channels.push_back(std::move(*channel));
        }
        return channels;
    }
    auto channel = Channel::parse(text, config);
    if (!channel) {
        return std::move(channel).error();
    }
    channels.push_back(std::move(*channel));
    return channels;
}

core::Result<std::vector<Channel>> resolve_channels(const std::vector<std::string>& texts,
                                                    const ChannelConfig& config) {
    std::vector<Channel> channels;
    std::set<std::string> seen;
    for (const auto& text : texts) {
        auto expanded = expand_channel(text, config);
        if (!expanded) {
            return std::move(expanded).error();
        }
        for (auto& channel : *expanded) {
            const auto key = channel.base_url() + "#" + channel.platform().value_or("");
            if (seen.insert(key).second) {
                channels.push_back(std::move(channel));
            }
        }
    }
    return channels;
}

}  // namespace envsmith::index
