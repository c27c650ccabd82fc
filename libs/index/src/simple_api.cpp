#include "envsmith/index/simple_api.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/specs/pep508.hpp"
#include "html.hpp"

namespace envsmith::index {
namespace {

using Json = nlohmann::json;

core::Error page_invalid(std::string_view page_url, std::uint32_t line, std::string problem) {
    const auto url = core::redact_url(page_url);
    return core::make_error(
               core::ErrorCode::invalid_input, "index.pypi.page_invalid",
               fmt::format("invalid simple-index page `{}` at line {}: {}", url, line, problem))
        .at(core::SourceLocation{url, line, 0, ""})
        .arg("url", url)
        .arg("line", std::to_string(line))
        .arg("problem", std::move(problem));
}

int hex_value(char c) noexcept {
    if (core::is_ascii_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_value(text[i + 1]);
            const int lo = hex_value(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out += static_cast<char>(hi * 16 + lo);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

/// Splits `url#fragment`; the fragment without `#`.
std::pair<std::string, std::string> split_fragment(std::string_view url) {
    const auto hash = url.find('#');
    if (hash == std::string_view::npos) {
        return {std::string(url), {}};
    }
    return {std::string(url.substr(0, hash)), std::string(url.substr(hash + 1))};
}

/// The last path segment of a URL, percent-decoded.
std::string filename_of(std::string_view url) {
    auto path = url.substr(0, url.find_first_of("?#"));
    const auto slash = path.rfind('/');
    if (slash != std::string_view::npos) {
        path = path.substr(slash + 1);
    }
    return percent_decode(path);
}

bool is_known_hash(std::string_view name) noexcept {
    static constexpr std::string_view known[] = {"sha256",   "sha1",     "sha224",   "sha384",
                                                 "sha512",   "md5",      "blake2b",  "blake2s",
                                                 "sha3_224", "sha3_256", "sha3_384", "sha3_512"};
    for (const auto k : known) {
        if (name == k)
            return true;
    }
    return false;
}

/// `sha256=<hex>` (a URL fragment, a `data-core-metadata` value) into `hashes`.
void add_hash_pairs(std::string_view text, FileHashes& hashes) {
    for (const auto part : core::split(text, '&')) {
        const auto equals = part.find('=');
        if (equals == std::string_view::npos)
            continue;
        const auto name = core::to_lower(part.substr(0, equals));
        const auto value = part.substr(equals + 1);
        if (is_known_hash(name) && !value.empty()) {
            hashes[name] = core::to_lower(value);
        }
    }
}

std::uint32_t line_of(std::string_view text, std::size_t offset) {
    std::uint32_t line = 1;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n')
            ++line;
    }
    return line;
}

/// "scheme:" prefix length (without the colon), or 0.
std::size_t scheme_length(std::string_view url) noexcept {
    if (url.empty() || !core::is_ascii_alpha(url[0]))
        return 0;
    for (std::size_t i = 1; i < url.size(); ++i) {
        const char c = url[i];
        if (c == ':')
            return i;
        if (!core::is_ascii_alnum(c) && c != '+' && c != '-' && c != '.')
            return 0;
    }
    return 0;
}

/// RFC 3986 section 5.2.4.
std::string remove_dot_segments(std::string_view path) {
    std::vector<std::string_view> out;
    const bool absolute = !path.empty() && path.front() == '/';
    auto segments = core::split(absolute ? path.substr(1) : path, '/');
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto segment = segments[i];
        const bool last = i + 1 == segments.size();
        if (segment == ".") {
            if (last)
                out.emplace_back();
        } else if (segment == "..") {
            if (!out.empty())
                out.pop_back();
            if (last)
                out.emplace_back();
        } else {
            out.push_back(segment);
        }
    }
    std::string result = absolute ? "/" : "";
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (i > 0)
            result += '/';
        result += out[i];
    }
    return result;
}

std::string file_hashes_problem(const Json& value) {
    if (!value.is_object())
        return "`hashes` is not an object";
    for (const auto& [name, digest] : value.items()) {
        if (!digest.is_string())
            return fmt::format("hash `{}` is not a string", name);
    }
    return {};
}

}  // namespace

std::string DistributionFile::project_name() const {
    if (wheel)
        return wheel->normalized_name();
    if (sdist)
        return sdist->normalized_name();
    return {};
}

const specs::Pep440Version* DistributionFile::version() const noexcept {
    if (wheel)
        return &wheel->version;
    if (sdist)
        return &sdist->version;
    return nullptr;
}

void classify_distribution(DistributionFile& file) {
    file.kind = DistributionKind::unknown;
    file.wheel.reset();
    file.sdist.reset();
    if (file.filename.ends_with(".whl")) {
        auto wheel = specs::WheelFilename::parse(file.filename);
        if (wheel) {
            file.wheel = std::move(wheel).value();
            file.kind = DistributionKind::wheel;
        }
        return;
    }
    auto sdist = specs::SourceDistFilename::parse(file.filename);
    if (sdist) {
        file.sdist = std::move(sdist).value();
        file.kind = DistributionKind::sdist;
    }
}

std::string resolve_url(std::string_view base, std::string_view reference) {
    if (scheme_length(reference) > 0) {
        return std::string(reference);
    }
    const auto scheme_end = scheme_length(base);
    const auto scheme = base.substr(0, scheme_end);  // without ':'
    // Split the base: scheme ':' ['//' authority] path ['?' query] ['#' fragment].
    auto rest = base.substr(scheme_end == 0 ? 0 : scheme_end + 1);
    rest = rest.substr(0, rest.find('#'));
    std::string_view authority;
    bool has_authority = false;
    if (rest.starts_with("//")) {
        has_authority = true;
        const auto end = rest.find_first_of("/?", 2);
        authority =
            rest.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
        rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
    }
    const auto query_at = rest.find('?');
    const auto base_path = rest.substr(0, query_at);
    const auto base_query =
        query_at == std::string_view::npos ? std::string_view() : rest.substr(query_at);
    const std::string prefix = std::string(scheme) + (scheme.empty() ? "" : ":") +
                               (has_authority ? "//" + std::string(authority) : "");
    if (reference.starts_with("//")) {
        return std::string(scheme) + (scheme.empty() ? "" : ":") + std::string(reference);
    }
    if (reference.empty()) {
        return prefix + std::string(base_path) + std::string(base_query);
    }
    if (reference.front() == '#') {
        return prefix + std::string(base_path) + std::string(base_query) + std::string(reference);
    }
    if (reference.front() == '?') {
        return prefix + std::string(base_path) + std::string(reference);
    }
    // Split the reference's path from its query and fragment.
    const auto tail_at = reference.find_first_of("?#");
    const auto ref_path = reference.substr(0, tail_at);
    const auto ref_tail =
        tail_at == std::string_view::npos ? std::string_view() : reference.substr(tail_at);
    std::string merged;
    if (ref_path.starts_with("/")) {
        merged = std::string(ref_path);
    } else if (has_authority && base_path.empty()) {
        merged = "/" + std::string(ref_path);
    } else {
        const auto slash = base_path.rfind('/');
        merged = (slash == std::string_view::npos ? std::string()
                                                  : std::string(base_path.substr(0, slash + 1))) +
                 std::string(ref_path);
    }
    return prefix + remove_dot_segments(merged) + std::string(ref_tail);
}

std::string html_unescape(std::string_view text) {
    return detail::decode_entities(text);
}

core::Result<ProjectPage> parse_simple_json(std::string_view body, std::string_view page_url) {
    Json document;
    try {
        document = Json::parse(body.begin(), body.end());
    } catch (const Json::parse_error& error) {
        return page_invalid(page_url, line_of(body, error.byte == 0 ? 0 : error.byte - 1),
                            fmt::format("not JSON ({})", error.what()));
    } catch (const Json::exception& error) {
        // A number out of range (`1e999`) is `out_of_range`, not a parse error.
        return page_invalid(page_url, 1, fmt::format("not JSON ({})", error.what()));
    }
    if (!document.is_object()) {
        return page_invalid(page_url, 1, "the page is not a JSON object");
    }
    ProjectPage page;
    page.url = std::string(page_url);
    if (const auto name = document.find("name"); name != document.end() && name->is_string()) {
        page.name = name->get<std::string>();
    }
    if (const auto meta = document.find("meta"); meta != document.end() && meta->is_object()) {
        if (const auto version = meta->find("api-version");
            version != meta->end() && version->is_string()) {
            page.api_version = version->get<std::string>();
        }
    }
    if (const auto versions = document.find("versions");
        versions != document.end() && versions->is_array()) {
        for (const auto& version : *versions) {
            if (version.is_string())
                page.versions.push_back(version.get<std::string>());
        }
    }
    const auto files = document.find("files");
    if (files == document.end() || !files->is_array()) {
        return page_invalid(page_url, 1, "the page has no `files` array");
    }
    std::size_t index = 0;
    for (const auto& entry : *files) {
        const auto fail = [&](std::string problem) {
            return page_invalid(page_url, 1, fmt::format("file #{}: {}", index + 1, problem));
        };
        if (!entry.is_object()) {
            return fail("not an object");
        }
        const auto filename = entry.find("filename");
        const auto url = entry.find("url");
        if (filename == entry.end() || !filename->is_string()) {
            return fail("no string `filename`");
        }
        if (url == entry.end() || !url->is_string()) {
            return fail("no string `url`");
        }
        DistributionFile file;
        file.filename = filename->get<std::string>();
        auto [resolved, fragment] = split_fragment(resolve_url(page_url, url->get<std::string>()));
        file.url = std::move(resolved);
        add_hash_pairs(fragment, file.hashes);
        if (const auto hashes = entry.find("hashes"); hashes != entry.end() && !hashes->is_null()) {
            if (auto problem = file_hashes_problem(*hashes); !problem.empty()) {
                return fail(problem);
            }
            for (const auto& [name, digest] : hashes->items()) {
                file.hashes[core::to_lower(name)] = core::to_lower(digest.get<std::string>());
            }
        }
        if (const auto requires_python = entry.find("requires-python");
            requires_python != entry.end() && requires_python->is_string()) {
            file.requires_python = requires_python->get<std::string>();
        }
        if (const auto yanked = entry.find("yanked"); yanked != entry.end()) {
            if (yanked->is_string()) {
                file.yanked = yanked->get<std::string>();
            } else if (yanked->is_boolean() && yanked->get<bool>()) {
                file.yanked = std::string();
            }
        }
        // PEP 714: `core-metadata` wins over the older `dist-info-metadata` spelling (which
        // some pages call `data-dist-info-metadata`).
        for (const auto* key : {"core-metadata", "dist-info-metadata", "data-dist-info-metadata"}) {
            const auto value = entry.find(key);
            if (value == entry.end() || value->is_null())
                continue;
            if (value->is_boolean()) {
                file.has_core_metadata = value->get<bool>();
            } else if (value->is_object()) {
                if (auto problem = file_hashes_problem(*value); !problem.empty()) {
                    return fail(fmt::format("`{}`: {}", key, problem));
                }
                file.has_core_metadata = true;
                for (const auto& [name, digest] : value->items()) {
                    file.core_metadata_hashes[core::to_lower(name)] =
                        core::to_lower(digest.get<std::string>());
                }
            }
            break;
        }
        if (const auto size = entry.find("size");
            size != entry.end() && size->is_number_unsigned()) {
            file.size = size->get<std::uint64_t>();
        }
        if (const auto upload_time = entry.find("upload-time");
            upload_time != entry.end() && upload_time->is_string()) {
            file.upload_time = upload_time->get<std::string>();
        }
        file.page_url = std::string(page_url);
        classify_distribution(file);
        page.files.push_back(std::move(file));
        ++index;
    }
    return page;
}

core::Result<ProjectPage> parse_simple_html(std::string_view body, std::string_view page_url) {
    ProjectPage page;
    page.url = std::string(page_url);
    std::string base = std::string(page_url);
    detail::scan_tags(body, [&](const detail::HtmlTag& tag) {
        if (tag.name == "base") {
            if (auto href = tag.attribute("href"); href && !href->empty()) {
                base = resolve_url(page_url, core::trim(*href));
            }
            return;
        }
        if (tag.name == "meta") {
            const auto name = tag.attribute("name");
            if (name && (*name == "pypi:repository-version" || *name == "api-version")) {
                if (auto content = tag.attribute("content")) {
                    page.api_version = *content;
                } else if (auto value = tag.attribute("value")) {
                    page.api_version = *value;
                }
            }
            return;
        }
        if (tag.name != "a")
            return;
        const auto href = tag.attribute("href");
        if (!href || core::trim(*href).empty())
            return;
        DistributionFile file;
        auto [resolved, fragment] = split_fragment(resolve_url(base, core::trim(*href)));
        file.url = std::move(resolved);
        file.filename = filename_of(file.url);
        if (file.filename.empty())
            return;
        add_hash_pairs(fragment, file.hashes);
        if (auto requires_python = tag.attribute("data-requires-python")) {
            file.requires_python = std::string(core::trim(*requires_python));
        }
        if (auto yanked = tag.attribute("data-yanked")) {
            file.yanked = *yanked;
        }
        auto metadata = tag.attribute("data-core-metadata");
        if (!metadata)
            metadata = tag.attribute("data-dist-info-metadata");
        if (metadata) {
            const auto value = core::trim(*metadata);
            if (value == "true" || value.empty()) {
                file.has_core_metadata = true;
            } else if (value != "false") {
                file.has_core_metadata = true;
                add_hash_pairs(value, file.core_metadata_hashes);
            }
        }
        file.page_url = std::string(page_url);
        classify_distribution(file);
        page.files.push_back(std::move(file));
    });
    return page;
}

}  // namespace envsmith::index
