#include "pypi_lookup.hpp"

#include "check_support.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"
#include "envsmith/index/pypi.hpp"

namespace envsmith::api::detail {

struct PypiLookup::Impl {
    index::PypiClient client;
    core::Transport& transport;
    std::vector<std::string> names;
    std::optional<std::vector<std::string>> all_names;
};

index::PypiOptions pypi_options(const specs::PipSection& pip, const std::string& index_url_override) {
    index::PypiOptions options;
    if (!index_url_override.empty()) {
        options.index_url = index_url_override;
    } else if (pip.no_index) {
        options.index_url.clear();
    } else if (!pip.index_url.empty()) {
        options.index_url = pip.index_url;
    }
    options.extra_index_urls = pip.no_index ? std::vector<std::string>{} : pip.extra_index_urls;
    options.find_links = pip.find_links;
    return options;
}

namespace {

/// The texts of every `<a ...>text</a>` of an HTML page, entities decoded.
std::vector<std::string> anchor_texts(std::string_view html) {
    std::vector<std::string> texts;
    const auto lower = core::to_lower(html);
    for (auto at = lower.find("<a"); at != std::string::npos; at = lower.find("<a", at + 2)) {
        if (at + 2 < lower.size() && lower[at + 2] != ' ' && lower[at + 2] != '\t' &&
            lower[at + 2] != '\n' && lower[at + 2] != '>') {
            continue;  // <abbr>, <area>
        }
        const auto open_end = lower.find('>', at);
        const auto close = lower.find("</a", open_end);
        if (open_end == std::string::npos || close == std::string::npos) {
            break;
        }
        auto text = core::trim(html.substr(open_end + 1, close - open_end - 1));
        if (!text.empty()) {
            texts.push_back(index::html_unescape(text));
        }
        at = close;
    }
    return texts;
}

PipProject to_project(const index::ProjectPage& page, std::string name) {
    PipProject project;
    project.name = std::move(name);
    for (const auto& file : page.files) {
        const auto* version = file.version();
        if (version == nullptr) {
            continue;  // an .egg, an .exe, a name that does not parse: pip skips them too
        }
        PipFile out;
        out.filename = file.filename;
        out.version = *version;
        out.wheel = file.wheel;
        if (!file.requires_python.empty()) {
            if (auto set = specs::SpecifierSet::parse(file.requires_python)) {
                out.requires_python = std::move(*set);
            }
        }
        out.yanked = file.is_yanked();
        project.files.push_back(std::move(out));
    }
    return project;
}

}  // namespace

PypiLookup::PypiLookup(core::Transport& transport, core::FileSystem& fs, core::Reporter& reporter,
                       const specs::PipSection& pip, const std::string& index_url_override)
    : m_impl(std::make_unique<Impl>(
          Impl{index::PypiClient(pypi_options(pip, index_url_override), transport, fs, reporter),
               transport, {}, std::nullopt})) {
    for (const auto& url : m_impl->client.index_urls()) {
        m_impl->names.push_back(core::redact_url(url));
    }
    for (const auto& location : m_impl->client.options().find_links) {
        m_impl->names.push_back(core::redact_url(location));
    }
}

PypiLookup::~PypiLookup() = default;

core::Result<std::optional<PipProject>> PypiLookup::project(const std::string& name) {
    auto page = m_impl->client.project(name);
    if (!page) {
        if (page.error().message_id == "index.pypi.not_found") {
            return std::optional<PipProject>();
        }
        return std::move(page).error();
    }
    return std::optional<PipProject>(to_project(*page, name));
}

const std::vector<std::string>& PypiLookup::all_names() {
    if (m_impl->all_names) {
        return *m_impl->all_names;
    }
    m_impl->all_names.emplace();
    for (const auto& url : m_impl->client.index_urls()) {
        if (core::url_host(url) == "pypi.org") {
            continue;
        }
        auto root = url;
        while (root.ends_with('/')) {
            root.pop_back();
        }
        root += root.starts_with("file:") ? "/index.html" : "/";
        auto response = m_impl->transport.send(
            {.method = "GET", .url = root, .headers = {{"Accept", "text/html"}}, .body = {}});
        if (!response || response->status != 200) {
            continue;  // suggestions are best effort
        }
        // PEP 503: the root page has one anchor per project whose text is the project name.
        for (auto& name : anchor_texts(response->body)) {
            m_impl->all_names->push_back(std::move(name));
        }
    }
    return *m_impl->all_names;
}

std::string PypiLookup::index_names() const {
    return m_impl->names.empty() ? std::string("(no index)") : join_list(m_impl->names, 3);
}

}  // namespace envsmith::api::detail
