#pragma once
// PyPI's "simple repository API": one page per project listing its distribution files, as
// HTML (PEP 503, with PEP 592 yanking, PEP 658/714 metadata links and pip's
// `data-requires-python`) or as JSON (PEP 691 `application/vnd.pypi.simple.v1+json`, with
// PEP 700's `versions`, `size` and `upload-time`). Both parse into the same ProjectPage.
// A pip `--find-links` page is an HTML page of the same shape listing any projects' files.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/wheel.hpp"

namespace envsmith::index {

/// Hash algorithm name ("sha256", "md5", ...) to lowercase hex digest.
using FileHashes = std::map<std::string, std::string>;

enum class DistributionKind : std::uint8_t {
    wheel,    // a `.whl` whose name parses (`wheel` is set)
    sdist,    // a source archive whose name parses (`sdist` is set)
    unknown,  // anything else: an `.exe`, `.egg`, or a name that does not parse
};

/// One file of a project page.
struct DistributionFile {
    std::string filename;
    /// Absolute URL (resolved against the page URL or `<base href>`), without its fragment.
    std::string url;
    /// From JSON `hashes` or the URL fragment (`#sha256=<hex>`); hex in lower case.
    FileHashes hashes;
    /// `requires-python` / `data-requires-python`, HTML-unescaped, as written (it may not
    /// parse; empty when absent).
    std::string requires_python;
    /// PEP 592: set when the file is yanked, to the reason (empty when none was given).
    std::optional<std::string> yanked;
    /// PEP 658/714: whether `<url>.metadata` serves the file's core metadata, and its
    /// hashes when the page gives them (`core-metadata`, `data-core-metadata`, or the older
    /// `dist-info-metadata` / `data-dist-info-metadata`).
    bool has_core_metadata = false;
    FileHashes core_metadata_hashes;
    std::optional<std::uint64_t> size;  // PEP 700, JSON only
    std::string upload_time;            // PEP 700 ISO 8601 text, JSON only; or empty
    DistributionKind kind = DistributionKind::unknown;
    std::optional<specs::WheelFilename> wheel;
    std::optional<specs::SourceDistFilename> sdist;
    /// The page this file was listed on (set by the parsers to their `page_url`).
    std::string page_url;

    /// PEP 503 name of the project the filename belongs to, or empty for `unknown` files.
    [[nodiscard]] std::string project_name() const;
    /// The version from the filename, or nullptr for `unknown` files.
    [[nodiscard]] const specs::Pep440Version* version() const noexcept;
    [[nodiscard]] bool is_yanked() const noexcept { return yanked.has_value(); }
};

/// One project page, or several merged (PypiClient::project).
struct ProjectPage {
    std::string name;  // JSON `name`; empty from HTML (PypiClient fills in the normalised name)
    std::vector<DistributionFile> files;
    std::vector<std::string> versions;  // PEP 700 `versions`, JSON only
    std::string api_version;  // `meta.api-version` / `<meta name="pypi:repository-version">`
    std::string url;          // the page URL it was parsed from
};

/// Parses a PEP 691 JSON page (`application/vnd.pypi.simple.v1+json`; pre-PEP-691 JSON
/// pages of the same shape work too). Relative file URLs resolve against `page_url`.
/// Fails with `index.pypi.page_invalid` (invalid_input; args `url` redacted, `line`,
/// `problem`) when the body is not JSON, is not an object, or has no `files` array; a file
/// entry without a string `filename` or `url` is an error too.
[[nodiscard]] core::Result<ProjectPage> parse_simple_json(std::string_view body,
                                                          std::string_view page_url);

/// Parses a PEP 503 HTML page or a find-links page: every `<a href>` is a file (attributes in
/// any order, quoted with `"` or `'` or unquoted, entities decoded; `<base href>` moves the
/// base URL). The filename is the last path segment of the URL, percent-decoded. Anchors
/// without `href` are skipped. HTML is read leniently and never fails; the Result is for
/// symmetry with `parse_simple_json`.
[[nodiscard]] core::Result<ProjectPage> parse_simple_html(std::string_view body,
                                                          std::string_view page_url);

/// `reference` resolved against `base` (RFC 3986 section 5.2): absolute URLs stay as they
/// are, `//host/...`, `/path`, `?query`, `#fragment` and relative paths with `.`/`..` work.
[[nodiscard]] std::string resolve_url(std::string_view base, std::string_view reference);

/// Decodes HTML character references (`&amp;`, `&lt;`, `&#39;`, `&#x27;`, ...). Unknown
/// named references stay as written.
[[nodiscard]] std::string html_unescape(std::string_view text);

/// Classifies `file.filename` and fills `kind`, `wheel` and `sdist`.
void classify_distribution(DistributionFile& file);

}  // namespace envsmith::index
