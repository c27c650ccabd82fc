#include "envsmith/index/pypi.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/mirrors.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/index/wheel_metadata.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::index {

struct PypiClient::IndexAnswer {
    std::string index;  // the index URL as configured
    std::string url;    // the page URL asked for
    std::optional<core::Result<core::HttpResponse>> response;
};

namespace {

bool is_http_url(std::string_view text) noexcept {
    return text.starts_with("http://") || text.starts_with("https://");
}

bool is_file_url(std::string_view text) noexcept {
    return text.starts_with("file:");
}

/// `file:///a/b%20c` to `/a/b c` (a `localhost` host is dropped).
std::string path_of_file_url(std::string_view url) {
    auto rest = url.substr(5);
    if (rest.starts_with("//")) {
        rest.remove_prefix(2);
        const auto slash = rest.find('/');
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
    }
    std::string out;
    for (std::size_t i = 0; i < rest.size(); ++i) {
        if (rest[i] == '%' && i + 2 < rest.size()) {
            const auto hex = std::string(rest.substr(i + 1, 2));
            char* end = nullptr;
            const auto value = std::strtol(hex.c_str(), &end, 16);
            if (end == hex.c_str() + 2) {
                out += static_cast<char>(value);
                i += 2;
                continue;
            }
        }
        out += rest[i];
    }
    return out;
}

/// `/a/b c` to `file:///a/b%20c`.
std::string file_url_of(std::string_view path) {
    std::string out = "file://";
    for (const char c : path) {
        if (core::is_ascii_alnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~' ||
            c == '+' || c == '@' || c == ':' || c == '=' || c == ',') {
            out += c;
        } else {
            out += fmt::format("%{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

std::string join_path(std::string_view folder, std::string_view name) {
    std::string path(folder);
    if (!path.empty() && path.back() != '/')
        path += '/';
    path += name;
    return path;
}

/// The URL of a project's page on one index.
std::string page_url(std::string_view index, std::string_view normalized) {
    if (is_file_url(index)) {
        // libcurl cannot read a folder: a file:// index keeps `<project>/index.html` pages.
        return core::join_url(index, std::string(normalized) + "/index.html");
    }
    return core::join_url(index, std::string(normalized) + "/");
}

core::HttpRequest page_request(std::string url) {
    core::HttpRequest request;
    request.url = std::move(url);
    request.headers.emplace_back("Accept", std::string(simple_api_accept));
    return request;
}

core::Result<ProjectPage> parse_page(const core::HttpResponse& response, std::string_view url) {
    auto type = core::to_lower(response.header("Content-Type"));
    type = std::string(core::trim(std::string_view(type).substr(0, type.find(';'))));
    bool json = false;
    if (type.find("json") != std::string::npos) {
        json = true;
    } else if (type.find("html") == std::string::npos) {
        // No or a generic type (file:// answers, plain static servers): look at the body.
        const auto body = core::trim_left(response.body);
        json = !body.empty() && body.front() == '{';
    }
    return json ? parse_simple_json(response.body, url) : parse_simple_html(response.body, url);
}

core::Status verify_hash(std::string_view bytes, const FileHashes& hashes, std::string_view url,
                         std::string_view message_id, std::string_view what) {
    for (const auto algorithm : {core::DigestAlgorithm::sha256, core::DigestAlgorithm::md5}) {
        const auto name = std::string(core::algorithm_name(algorithm));
        const auto expected = hashes.find(name);
        if (expected == hashes.end())
            continue;
        const auto actual =
            algorithm == core::DigestAlgorithm::sha256 ? core::sha256(bytes) : core::md5(bytes);
        if (actual.hex == expected->second) {
            return {};
        }
        const auto shown = core::redact_url(url);
        return core::make_error(
                   core::ErrorCode::unavailable, std::string(message_id),
                   fmt::format("the {} from `{}` has {} {}, but the index page says {}", what,
                               shown, name, actual.hex, expected->second))
            .arg("url", shown)
            .arg("algorithm", name)
            .arg("expected", expected->second)
            .arg("actual", actual.hex);
    }
    return {};  // no hash we can check (sha512 only, or none)
}

core::Error metadata_unavailable(const DistributionFile& file) {
    const auto shown = core::redact_url(file.url);
    return core::make_error(core::ErrorCode::not_found, "index.pypi.metadata_unavailable",
                            fmt::format("the index offers no metadata for `{}`, and only a wheel's "
                                        "can be read without building it",
                                        file.filename))
        .arg("filename", file.filename)
        .arg("url", shown);
}

std::string fetch_context(std::string_view what, std::string_view url) {
    return fmt::format("while fetching {} from `{}`", what, core::redact_url(url));
}

}  // namespace

std::string_view to_string(IndexStrategy strategy) noexcept {
    switch (strategy) {
        case IndexStrategy::first_index: return "first-index";
        case IndexStrategy::unsafe_best_match: return "unsafe-best-match";
    }
    return "first-index";
}

core::Result<IndexStrategy> parse_index_strategy(std::string_view text) {
    if (text == "first-index")
        return IndexStrategy::first_index;
    if (text == "unsafe-best-match")
        return IndexStrategy::unsafe_best_match;
    return core::make_error(core::ErrorCode::invalid_input, "index.pypi.strategy_invalid",
                            fmt::format("unknown index strategy `{}`: expected `first-index` or "
                                        "`unsafe-best-match`",
                                        text))
        .arg("strategy", std::string(text));
}

PypiClient::PypiClient(PypiOptions options, core::Transport& transport,
                       core::FileSystem& file_system, core::Reporter& reporter)
    : m_options(std::move(options)),
      m_transport(transport),
      m_file_system(file_system),
      m_reporter(reporter) {}

std::vector<std::string> PypiClient::index_urls() const {
    std::vector<std::string> urls;
    if (!m_options.index_url.empty())
        urls.push_back(m_options.index_url);
    urls.insert(urls.end(), m_options.extra_index_urls.begin(), m_options.extra_index_urls.end());
    return urls;
}

core::Result<ProjectPage> PypiClient::project(std::string_view name) {
    auto pages = projects({std::string(name)});
    return std::move(pages.front());
}

std::vector<core::Result<ProjectPage>> PypiClient::projects(const std::vector<std::string>& names) {
    const auto indexes = index_urls();
    std::vector<std::optional<core::Error>> invalid(names.size());
    std::vector<std::string> normalized(names.size());
    std::vector<std::vector<IndexAnswer>> answers(names.size());
    std::vector<core::HttpRequest> batch;
    std::vector<IndexAnswer*> batch_answers;
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (!specs::is_valid_package_name(core::trim(names[i]))) {
            invalid[i] = core::make_error(core::ErrorCode::invalid_input, "index.pypi.name_invalid",
                                          fmt::format("`{}` is not a valid project name", names[i]))
                             .arg("project", names[i]);
            continue;
        }
        normalized[i] = specs::normalize_package_name(core::trim(names[i]));
        answers[i].resize(indexes.size());
        for (std::size_t k = 0; k < indexes.size(); ++k) {
            auto& answer = answers[i][k];
            answer.index = indexes[k];
            const auto mirrors = m_options.mirrors.find(indexes[k]);
            if (mirrors != m_options.mirrors.end()) {
                // Relative to each mirror's base.
                answer.url = normalized[i] + "/";
                answer.response = core::send_with_mirrors(m_transport, mirrors->second,
                                                          page_request(answer.url), m_reporter);
                continue;
            }
            answer.url = page_url(indexes[k], normalized[i]);
            batch.push_back(page_request(answer.url));
            batch_answers.push_back(&answer);
        }
    }
    if (!batch.empty()) {
        auto responses = m_transport.send_all(batch);
        for (std::size_t r = 0; r < responses.size() && r < batch_answers.size(); ++r) {
            batch_answers[r]->response = std::move(responses[r]);
        }
    }
    std::vector<core::Result<ProjectPage>> results;
    results.reserve(names.size());
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (invalid[i]) {
            results.emplace_back(std::move(*invalid[i]));
            continue;
        }
        results.push_back(combine(normalized[i], std::move(answers[i])));
    }
    return results;
}

core::Result<ProjectPage> PypiClient::combine(std::string_view normalized,
                                              std::vector<IndexAnswer> answers) {
    ProjectPage merged;
    bool found = false;
    std::set<std::string> urls;
    std::set<std::string> versions;
    const auto add_files = [&](std::vector<DistributionFile> files) {
        for (auto& file : files) {
            if (urls.insert(file.url).second)
                merged.files.push_back(std::move(file));
        }
    };
    for (auto& answer : answers) {
        if (!answer.response) {
            return core::make_error(core::ErrorCode::internal, "index.pypi.no_response",
                                    "the transport gave no answer")
                .with_context(
                    fetch_context(fmt::format("the page of `{}`", normalized), answer.url));
        }
        auto& response = *answer.response;
        if (!response) {
            return std::move(response).error().with_context(
                fetch_context(fmt::format("the page of `{}`", normalized), answer.url));
        }
        const auto url = response->effective_url.empty() ? answer.url : response->effective_url;
        if (response->status == 404 || response->status == 410) {
            continue;  // not on this index
        }
        if (response->status != 200) {
            return http_status_error(url, response->status)
                .with_context(fetch_context(fmt::format("the page of `{}`", normalized), url));
        }
        auto page = parse_page(*response, url);
        if (!page) {
            return std::move(page).error();
        }
        if (!found) {
            merged.name = page->name;
            merged.url = page->url;
            merged.api_version = page->api_version;
        }
        for (auto& version : page->versions) {
            if (versions.insert(version).second)
                merged.versions.push_back(std::move(version));
        }
        add_files(std::move(page->files));
        found = true;
        if (m_options.index_strategy == IndexStrategy::first_index) {
            break;
        }
    }
    auto links = find_links_files();
    if (!links) {
        return std::move(links).error();
    }
    std::vector<DistributionFile> matching;
    for (const auto& file : *links) {
        if (file.project_name() == normalized)
            matching.push_back(file);
    }
    found = found || !matching.empty();
    add_files(std::move(matching));
    if (!found) {
        std::vector<std::string> consulted;
        for (const auto& index : index_urls()) consulted.push_back(core::redact_url(index));
        for (const auto& link : m_options.find_links) consulted.push_back(core::redact_url(link));
        const auto list = core::join(consulted, ", ");
        const auto indexes = list.empty() ? std::string("any index (none is configured)") : list;
        return core::make_error(core::ErrorCode::not_found, "index.pypi.not_found",
                                fmt::format("no project `{}` on {}", normalized, indexes))
            .arg("project", std::string(normalized))
            .arg("indexes", indexes);
    }
    if (merged.name.empty())
        merged.name = std::string(normalized);
    return merged;
}

core::Result<std::vector<DistributionFile>> PypiClient::find_links_files() {
    if (m_find_links) {
        return *m_find_links;
    }
    std::vector<DistributionFile> files;
    const auto warn = [&](const std::string& location, const std::string& reason) {
        const auto shown = core::redact_url(location);
        m_reporter.on_warning("index.pypi.find_links_unavailable",
                              fmt::format("skipping find-links location `{}`: {}", shown, reason),
                              {{"location", shown}, {"reason", reason}});
    };
    const auto add_page = [&](const std::string& location, std::string_view body,
                              std::string_view url) {
        auto page = parse_simple_html(body, url);
        if (!page) {
            warn(location, page.error().message);
            return;
        }
        for (auto& file : page->files) {
            if (file.kind != DistributionKind::unknown)
                files.push_back(std::move(file));
        }
    };
    const auto add_folder = [&](const std::string& location, const std::string& folder) {
        auto names = m_file_system.list_directory(folder);
        if (!names) {
            warn(location, names.error().message);
            return;
        }
        for (const auto& name : *names) {
            const auto path = join_path(folder, name);
            if (m_file_system.kind(path) != core::FileKind::regular)
                continue;
            DistributionFile file;
            file.filename = name;
            file.url = file_url_of(path);
            file.page_url = file_url_of(folder);
            classify_distribution(file);
            if (file.kind != DistributionKind::unknown)
                files.push_back(std::move(file));
        }
    };
    for (const auto& location : m_options.find_links) {
        if (is_http_url(location) ||
            (is_file_url(location) &&
             m_file_system.kind(path_of_file_url(location)) != core::FileKind::directory)) {
            core::HttpRequest request;
            request.url = location;
            request.headers.emplace_back("Accept", "text/html");
            auto response = m_transport.send(request);
            if (!response) {
                warn(location, response.error().describe());
            } else if (response->status != 200) {
                warn(location, http_status_error(location, response->status).message);
            } else {
                add_page(location, response->body,
                         response->effective_url.empty() ? location : response->effective_url);
            }
            continue;
        }
        const auto path = is_file_url(location) ? path_of_file_url(location) : location;
        switch (m_file_system.kind(path)) {
            case core::FileKind::directory: add_folder(location, path); break;
            case core::FileKind::regular: {
                auto body = m_file_system.read_file(path);
                if (!body) {
                    warn(location, body.error().message);
                } else {
                    add_page(location, *body, file_url_of(path));
                }
                break;
            }
            default: warn(location, "no such file or folder"); break;
        }
    }
    m_find_links = files;
    return files;
}

core::Result<std::string> PypiClient::metadata_text(const DistributionFile& file) {
    if (file.kind == DistributionKind::unknown) {
        return metadata_unavailable(file);
    }
    if (file.has_core_metadata) {
        const auto url = file.url + ".metadata";
        core::HttpRequest request;
        request.url = url;
        auto response = m_transport.send(request);
        if (!response) {
            return std::move(response).error().with_context(fetch_context("core metadata", url));
        }
        if (response->status == 200) {
            auto verified = verify_hash(response->body, file.core_metadata_hashes, url,
                                        "index.pypi.metadata_hash_mismatch", "core metadata");
            if (!verified)
                return std::move(verified).error();
            return std::move(response->body);
        }
        if (response->status != 404 && response->status != 410) {
            return http_status_error(url, response->status)
                .with_context(fetch_context("core metadata", url));
        }
        // The page promised a `.metadata` file the server does not have: read the wheel.
    }
    if (file.kind != DistributionKind::wheel) {
        return metadata_unavailable(file);
    }
    auto fetched = fetch_wheel_metadata(m_transport, file.url, *file.wheel, file.size);
    if (fetched) {
        if (fetched->mode == WheelFetchMode::whole_file) {
            auto verified = verify_hash(fetched->whole_file, file.hashes, file.url,
                                        "index.pypi.wheel_hash_mismatch", "wheel");
            if (!verified)
                return std::move(verified).error();
        }
        return std::move(fetched->text);
    }
    const auto& error = fetched.error();
    const bool retry_whole = error.message_id == "index.pypi.wheel_invalid" ||
                             (error.message_id == "index.pypi.http_status" &&
                              error.code == core::ErrorCode::unavailable);
    if (!retry_whole) {
        return std::move(fetched).error().with_context(fetch_context("wheel metadata", file.url));
    }
    // The range answers were unusable (a proxy that mangles ranges, 416, 501): the whole wheel.
    core::HttpRequest request;
    request.url = file.url;
    auto response = m_transport.send(request);
    if (!response) {
        return std::move(response).error().with_context(fetch_context("the wheel", file.url));
    }
    if (response->status != 200) {
        return http_status_error(file.url, response->status);
    }
    auto verified = verify_hash(response->body, file.hashes, file.url,
                                "index.pypi.wheel_hash_mismatch", "wheel");
    if (!verified)
        return std::move(verified).error();
    return read_wheel_metadata(response->body, *file.wheel, file.url);
}

core::Result<specs::CoreMetadata> PypiClient::metadata(const DistributionFile& file) {
    auto text = metadata_text(file);
    if (!text)
        return std::move(text).error();
    auto parsed = specs::CoreMetadata::parse(*text, file.filename + " (METADATA)",
                                             specs::MetadataStrictness::lenient);
    if (!parsed)
        return std::move(parsed).error();
    for (const auto& problem : parsed->problems) {
        const auto field = std::string(problem.arg_value("field"));
        const auto reason = std::string(problem.arg_value("problem"));
        m_reporter.on_warning("index.pypi.metadata_problem",
                              fmt::format("the metadata of `{}` has an invalid {} (ignored): {}",
                                          file.filename, field, reason),
                              {{"filename", file.filename}, {"field", field}, {"problem", reason}});
    }
    const auto inconsistent = [&](std::string_view field, std::string expected,
                                  std::string actual) {
        return core::make_error(
                   core::ErrorCode::invalid_input, "index.pypi.metadata_inconsistent",
                   fmt::format("the metadata of `{}` says {} `{}`, but the filename says `{}`",
                               file.filename, field, actual, expected))
            .arg("filename", file.filename)
            .arg("field", std::string(field))
            .arg("expected", std::move(expected))
            .arg("actual", std::move(actual));
    };
    if (parsed->normalized_name() != file.project_name()) {
        return inconsistent("Name", file.project_name(), parsed->name);
    }
    if (const auto* version = file.version();
        version != nullptr && !(parsed->version == *version)) {
        return inconsistent("Version", version->to_string(), parsed->version_text);
    }
    return std::move(parsed).value();
}

}  // namespace envsmith::index
