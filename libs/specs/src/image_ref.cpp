#include "envsmith/specs/image_ref.hpp"

#include <fmt/format.h>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/text.hpp"
#include "parse_error.hpp"

namespace envsmith::specs {

namespace {

constexpr std::string_view docker_hub = "docker.io";
constexpr std::string_view official_prefix = "library/";
// distribution/reference: NameTotalLengthMax.
constexpr std::size_t max_name_length = 255;
constexpr std::size_t max_tag_length = 128;

/// An error anchored at 1-based `column` of the reference text.
core::Error ref_error(std::string_view id, std::string_view text, std::size_t column,
                      std::string_view problem) {
    return detail::parse_error(std::string(id), "image reference", problem, text, column - 1,
                               "reference");
}

constexpr bool is_lower_alnum(char c) noexcept {
    return core::is_ascii_digit(c) || (c >= 'a' && c <= 'z');
}
constexpr bool is_word(char c) noexcept { return core::is_ascii_alnum(c) || c == '_'; }
constexpr bool is_hex(char c) noexcept {
    return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr bool is_lower_hex(char c) noexcept {
    return core::is_ascii_digit(c) || (c >= 'a' && c <= 'f');
}

/// One '/'-separated part of the name, with its 0-based offset in the whole text.
struct Component {
    std::string_view text;
    std::size_t offset = 0;
};

std::vector<Component> split_components(std::string_view name) {
    std::vector<Component> out;
    std::size_t start = 0;
    for (const auto part : core::split(name, '/')) {
        out.push_back({part, start});
        start += part.size() + 1;
    }
    return out;
}

bool looks_like_host(std::string_view component) noexcept {
    return component.find_first_of(".:") != std::string_view::npos || component == "localhost";
}

/// What is wrong with a registry host: an error id, the 0-based offset of the first bad byte
/// in the host, and the problem.
struct HostProblem {
    std::string_view id;
    std::size_t offset = 0;
    std::string what;
};

std::optional<HostProblem> check_domain_name(std::string_view host, std::size_t base) {
    // domain-component := [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9], joined by '.'
    std::size_t start = 0;
    for (const auto label : core::split(host, '.')) {
        if (label.empty()) {
            return HostProblem{"image_ref.bad_host", base + start, "empty label in registry host"};
        }
        for (std::size_t i = 0; i < label.size(); ++i) {
            const char c = label[i];
            const bool edge = i == 0 || i + 1 == label.size();
            if (!(core::is_ascii_alnum(c) || (c == '-' && !edge))) {
                return HostProblem{"image_ref.bad_host", base + start + i,
                                   fmt::format("unexpected `{}` in registry host", c)};
            }
        }
        start += label.size() + 1;
    }
    return std::nullopt;
}

/// Validates `host[:port]` (host: a domain name or `[IPv6]`); nullopt when it is valid.
std::optional<HostProblem> check_domain(std::string_view domain) {
    std::string_view host = domain;
    std::size_t port_at = std::string_view::npos;
    if (!domain.empty() && domain.front() == '[') {
        const auto close = domain.find(']');
        if (close == std::string_view::npos) {
            return HostProblem{"image_ref.bad_host", 0, "unterminated `[` in IPv6 registry host"};
        }
        const auto inside = domain.substr(1, close - 1);
        if (inside.empty()) {
            return HostProblem{"image_ref.bad_host", 1, "empty IPv6 registry host"};
        }
        for (std::size_t i = 0; i < inside.size(); ++i) {
            if (!(is_hex(inside[i]) || inside[i] == ':' || inside[i] == '.')) {
                return HostProblem{"image_ref.bad_host", 1 + i,
                                   fmt::format("unexpected `{}` in IPv6 registry host", inside[i])};
            }
        }
        if (close + 1 < domain.size()) {
            if (domain[close + 1] != ':') {
                return HostProblem{"image_ref.bad_host", close + 1,
                                   "expected `:` and a port after the IPv6 registry host"};
            }
            port_at = close + 1;
        }
    } else {
        port_at = domain.find(':');
        host = domain.substr(0, port_at);
        if (auto problem = check_domain_name(host, 0)) {
            return problem;
        }
    }
    if (port_at != std::string_view::npos) {
        const auto port = domain.substr(port_at + 1);
        if (port.empty() || port.size() > 5) {
            return HostProblem{"image_ref.bad_port", port_at + 1,
                               "expected a port number of 1 to 5 digits"};
        }
        for (std::size_t i = 0; i < port.size(); ++i) {
            if (!core::is_ascii_digit(port[i])) {
                return HostProblem{"image_ref.bad_port", port_at + 1 + i,
                                   fmt::format("unexpected `{}` in port number", port[i])};
            }
        }
    }
    return std::nullopt;
}

/// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := '.' | '_' | '__' | '-'+.
/// Returns the offset in `component` of the first byte that breaks the grammar.
std::optional<std::size_t> check_path_component(std::string_view component) {
    std::size_t i = 0;
    while (i < component.size()) {
        if (!is_lower_alnum(component[i])) {
            return i;
        }
        while (i < component.size() && is_lower_alnum(component[i])) {
            ++i;
        }
        if (i == component.size()) {
            return std::nullopt;
        }
        const std::size_t sep = i;
        const char c = component[i];
        if (c == '.') {
            ++i;
        } else if (c == '_') {
            ++i;
            if (i < component.size() && component[i] == '_') {
                ++i;
            }
        } else if (c == '-') {
            while (i < component.size() && component[i] == '-') {
                ++i;
            }
        } else {
            return sep;
        }
        if (i == component.size()) {
            return sep;  // a separator must be followed by alphanumerics
        }
    }
    return std::nullopt;
}

std::optional<core::Error> check_tag(std::string_view text, std::string_view tag, std::size_t at) {
    if (tag.empty()) {
        return ref_error("image_ref.bad_tag", text, at + 1, "empty tag after `:`");
    }
    if (!is_word(tag.front())) {
        return ref_error("image_ref.bad_tag", text, at + 1,
                         "a tag must start with a letter, digit or `_`");
    }
    for (std::size_t i = 1; i < tag.size(); ++i) {
        const char c = tag[i];
        if (!(is_word(c) || c == '.' || c == '-')) {
            return ref_error("image_ref.bad_tag", text, at + i + 1,
                             fmt::format("unexpected `{}` in tag", c));
        }
    }
    if (tag.size() > max_tag_length) {
        return ref_error("image_ref.bad_tag", text, at + max_tag_length + 1,
                         fmt::format("tag longer than {} characters", max_tag_length));
    }
    return std::nullopt;
}

std::optional<core::Error> check_digest(std::string_view text, std::string_view digest,
                                        std::size_t at) {
    const auto colon = digest.find(':');
    if (colon == std::string_view::npos) {
        return ref_error("image_ref.bad_digest", text, at + 1,
                         "expected a digest `algorithm:hex` after `@`");
    }
    const auto algorithm = digest.substr(0, colon);
    const auto hex = digest.substr(colon + 1);
    // algorithm := [A-Za-z][A-Za-z0-9]* ([+._-] [A-Za-z][A-Za-z0-9]*)*
    bool component_start = true;
    for (std::size_t i = 0; i < algorithm.size(); ++i) {
        const char c = algorithm[i];
        const bool ok = component_start ? core::is_ascii_alpha(c)
                                        : (core::is_ascii_alnum(c) || c == '+' || c == '.' ||
                                           c == '_' || c == '-');
        if (!ok) {
            return ref_error("image_ref.bad_digest", text, at + i + 1,
                             fmt::format("unexpected `{}` in digest algorithm", c));
        }
        component_start = !core::is_ascii_alnum(c);
    }
    if (algorithm.empty() || component_start) {
        return ref_error("image_ref.bad_digest", text, at + algorithm.size() + 1,
                         "expected a digest algorithm such as `sha256`");
    }
    const std::size_t hex_at = at + colon + 1;
    const bool strict = algorithm == "sha256" || algorithm == "sha512";
    for (std::size_t i = 0; i < hex.size(); ++i) {
        if (!(strict ? is_lower_hex(hex[i]) : is_hex(hex[i]))) {
            return ref_error("image_ref.bad_digest", text, hex_at + i + 1,
                             fmt::format("unexpected `{}` in digest; expected {}hex digits",
                                         hex[i], strict ? "lowercase " : ""));
        }
    }
    const std::size_t want = algorithm == "sha256" ? 64 : algorithm == "sha512" ? 128 : 0;
    if (want != 0 && hex.size() != want) {
        return ref_error("image_ref.bad_digest", text, hex_at + 1,
                         fmt::format("a {} digest has {} hex digits, found {}", algorithm, want,
                                     hex.size()));
    }
    if (hex.size() < 32) {
        return ref_error("image_ref.bad_digest", text, hex_at + 1,
                         fmt::format("a digest needs at least 32 hex digits, found {}", hex.size()));
    }
    return std::nullopt;
}

/// `:tag` and `@digest`, each when present.
std::string tag_and_digest(const ImageRef& ref) {
    std::string out;
    if (!ref.tag.empty()) {
        out += ':';
        out += ref.tag;
    }
    if (!ref.digest.empty()) {
        out += '@';
        out += ref.digest;
    }
    return out;
}

}  // namespace

core::Result<ImageRef> ImageRef::parse(std::string_view text) {
    if (core::trim(text).empty()) {
        return ref_error("image_ref.empty", text, 1, "empty reference")
            .with_hint("give an image such as `ubuntu:22.04` or `myacr.azurecr.io/app:1.0`");
    }
    if (const auto scheme = text.find("://"); scheme != std::string_view::npos) {
        const auto rest = text.substr(scheme + 3);
        return ref_error("image_ref.scheme", text, 1,
                         fmt::format("a URL scheme `{}` is not part of an image reference",
                                     text.substr(0, scheme + 3)))
            .arg("scheme", std::string(text.substr(0, scheme + 3)))
            .with_hint(fmt::format("write the reference without the scheme: `{}`", rest));
    }
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c <= 0x20 || c == 0x7f) {
            auto err = ref_error("image_ref.whitespace", text, i + 1,
                                 "whitespace or a control character");
            if (core::trim(text) != text) {
                return std::move(err).with_hint(
                    fmt::format("remove the surrounding whitespace: `{}`", core::trim(text)));
            }
            return err;
        }
    }
    if (const auto bs = text.find('\\'); bs != std::string_view::npos) {
        std::string fixed(text);
        for (auto& c : fixed) {
            c = c == '\\' ? '/' : c;
        }
        return ref_error("image_ref.backslash", text, bs + 1,
                         "a backslash; image references separate components with `/`")
            .with_hint(fmt::format("use forward slashes: `{}`", fixed));
    }
    if (const auto ds = text.find("//"); ds != std::string_view::npos) {
        std::string fixed;
        for (const char c : text) {
            if (!(c == '/' && !fixed.empty() && fixed.back() == '/')) {
                fixed.push_back(c);
            }
        }
        return ref_error("image_ref.double_slash", text, ds + 1, "a double slash `//`")
            .with_hint(fmt::format("use a single slash between components: `{}`", fixed));
    }

    const auto at_sign = text.find('@');
    const std::string_view name_and_tag = text.substr(0, at_sign);
    const auto last_slash = name_and_tag.rfind('/');
    const auto colon =
        name_and_tag.find(':', last_slash == std::string_view::npos ? 0 : last_slash + 1);
    const std::string_view name = name_and_tag.substr(0, colon);
    if (name.empty()) {
        return ref_error("image_ref.empty_component", text, 1, "missing repository name");
    }
    if (name.size() > max_name_length) {
        return ref_error("image_ref.too_long", text, max_name_length + 1,
                         fmt::format("the name is {} characters long, the limit is {}",
                                     name.size(), max_name_length));
    }

    auto components = split_components(name);
    for (const auto& component : components) {
        if (component.text.empty()) {
            return ref_error("image_ref.empty_component", text, component.offset + 1,
                             "an empty path component");
        }
    }
    ImageRef ref;
    std::size_t first_path = 0;
    if (components.size() > 1 && looks_like_host(components.front().text)) {
        const auto domain = components.front().text;
        if (auto problem = check_domain(domain)) {
            return ref_error(problem->id, text, problem->offset + 1, problem->what);
        }
        if (core::iequals(components[1].text, domain)) {
            std::string fixed(text);
            fixed.erase(components[1].offset, components[1].text.size() + 1);
            return ref_error("image_ref.doubled_host", text, components[1].offset + 1,
                             fmt::format("the registry host `{}` appears twice", domain))
                .arg("host", std::string(domain))
                .with_hint(components.size() > 2
                               ? fmt::format("name the registry once: `{}`", fixed)
                               : fmt::format("name the registry once, then the repository: "
                                             "`{}/<repository>`",
                                             domain));
        }
        ref.registry = domain == "index.docker.io" ? std::string(docker_hub) : std::string(domain);
        first_path = 1;
    } else {
        ref.registry = docker_hub;
    }

    for (std::size_t i = first_path; i < components.size(); ++i) {
        const auto& component = components[i];
        for (std::size_t j = 0; j < component.text.size(); ++j) {
            if (component.text[j] >= 'A' && component.text[j] <= 'Z') {
                std::string fixed(text);
                const auto repo_start = components[first_path].offset;
                for (std::size_t k = repo_start; k < name.size(); ++k) {
                    fixed[k] = core::ascii_lower(fixed[k]);
                }
                return ref_error("image_ref.uppercase", text, component.offset + j + 1,
                                 "uppercase letters in the repository name")
                    .with_hint(fmt::format("repository names are lowercase: `{}`", fixed));
            }
        }
        if (const auto bad = check_path_component(component.text)) {
            return ref_error("image_ref.bad_component", text, component.offset + *bad + 1,
                             fmt::format("unexpected `{}` in repository name; components are "
                                         "lowercase letters and digits separated by `.`, `_`, "
                                         "`__` or `-`",
                                         component.text[*bad]));
        }
    }
    if (first_path == 0 && name.size() == 64 &&
        name.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
        return ref_error("image_ref.hex_name", text, 1,
                         "a 64-digit hexadecimal string is an image id, not a repository name");
    }
    for (std::size_t i = first_path; i < components.size(); ++i) {
        if (!ref.repository.empty()) {
            ref.repository += '/';
        }
        ref.repository += components[i].text;
    }
    if (ref.registry == docker_hub && ref.repository.find('/') == std::string::npos) {
        ref.repository.insert(0, official_prefix);
    }

    if (colon != std::string_view::npos) {
        const auto tag = name_and_tag.substr(colon + 1);
        if (auto err = check_tag(text, tag, colon + 1)) {
            return std::move(*err);
        }
        ref.tag = tag;
    }
    if (at_sign != std::string_view::npos) {
        const auto digest = text.substr(at_sign + 1);
        if (auto err = check_digest(text, digest, at_sign + 1)) {
            return std::move(*err);
        }
        ref.digest = digest;
    }
    if (ref.tag.empty() && ref.digest.empty()) {
        ref.tag = "latest";
    }
    // The limit holds for the normalised name too (distribution checks the name after adding
    // `docker.io/library/`), so what parses here also parses from its normal form.
    if (const auto full = ref.name(); full.size() > max_name_length) {
        return ref_error("image_ref.too_long", text, 1,
                         fmt::format("the name is {} characters long as `{}`, the limit is {}",
                                     full.size(), full.substr(0, 40) + "...", max_name_length));
    }
    return ref;
}

std::string ImageRef::name() const { return registry + "/" + repository; }

std::string ImageRef::to_string() const { return name() + tag_and_digest(*this); }

std::string ImageRef::familiar() const {
    if (registry != docker_hub) {
        return to_string();
    }
    const std::string_view repo = repository;
    const bool official = repo.substr(0, official_prefix.size()) == official_prefix &&
                          repo.find('/', official_prefix.size()) == std::string_view::npos;
    return std::string(official ? repo.substr(official_prefix.size()) : repo) +
           tag_and_digest(*this);
}

}  // namespace envsmith::specs
