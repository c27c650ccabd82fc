#pragma once
// A client of Python package indexes: the project pages of one primary index, extra indexes
// and pip `--find-links` locations, combined by one rule (docs/pypi.md), and the core
// metadata of a distribution file without installing it (PEP 658 `.metadata` file, HTTP
// Range requests into the wheel, or the whole wheel, in that order).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/index/simple_api.hpp"
#include "envsmith/specs/core_metadata.hpp"

namespace envsmith::index {

/// How the pages of several indexes combine (uv's `--index-strategy`).
enum class IndexStrategy : std::uint8_t {
    /// The first index (primary, then extras in order) that has the project answers for it;
    /// later indexes are not consulted for that project. This keeps a public index from
    /// shadowing a private one with a same-named project (dependency confusion). uv's default.
    first_index,
    /// Every index's files are merged (pip's behaviour): the best version wins wherever it is.
    unsafe_best_match,
};

/// The text of the strategy as `--index-strategy` spells it: "first-index", "unsafe-best-match".
[[nodiscard]] std::string_view to_string(IndexStrategy strategy) noexcept;
/// Parses "first-index" / "unsafe-best-match"; fails with `index.pypi.strategy_invalid`
/// (invalid_input; arg `strategy`).
[[nodiscard]] core::Result<IndexStrategy> parse_index_strategy(std::string_view text);

/// The `Accept` header of every page request: PEP 691 JSON first, HTML as a fallback.
inline constexpr std::string_view simple_api_accept =
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2, "
    "text/html;q=0.01";

struct PypiOptions {
    /// The primary index (`--index-url`); empty for none (`--no-index`). `http(s)://` or
    /// `file://` (a folder with `<project>/index.html` pages).
    std::string index_url = "https://pypi.org/simple";
    std::vector<std::string> extra_index_urls;  // `--extra-index-url`, in order
    /// `--find-links`: local folders of distribution files (listed through the FileSystem
    /// port), local HTML files, or URLs of HTML pages (`http(s)://`, `file://`). Their files are
    /// always added to a project's page, whatever the strategy.
    std::vector<std::string> find_links;
    IndexStrategy index_strategy = IndexStrategy::first_index;
    /// Optional mirrors: an index URL (as written above) to the base URLs to try in its place,
    /// in order, through `core::send_with_mirrors`.
    std::map<std::string, std::vector<std::string>> mirrors;
};

/// Fetches project pages and metadata through the Transport port. Not thread-safe: one
/// client per thread (the find-links listing is cached in the client).
///
/// Errors (each with English `message` and the named `args`; every URL redacted):
/// - `index.pypi.name_invalid` (invalid_input): `project`.
/// - `index.pypi.not_found` (not_found): `project`, `indexes` (the consulted index URLs and
///   find-links, comma-separated; "any index (none is configured)" when there are none). No
///   index has the project and no find-links file is for it.
/// - `index.pypi.page_invalid` (invalid_input): `url`, `line`, `problem`.
/// - `index.pypi.http_status` (not_found for 404/410 of a file, permission_denied for 401/403,
///   else unavailable): `url`, `status`.
/// - `index.pypi.metadata_hash_mismatch`, `index.pypi.wheel_hash_mismatch` (unavailable):
///   `url`, `algorithm`, `expected`, `actual`.
/// - `index.pypi.metadata_unavailable` (not_found): `filename`, `url`. A source
///   distribution without a PEP 658 `.metadata` file (reading it would need a build).
/// - `index.pypi.metadata_inconsistent` (invalid_input): `filename`, `field` (`Name` or
///   `Version`), `expected` (from the filename), `actual` (from the metadata).
/// - `index.pypi.wheel_invalid` (invalid_input): `url`, `problem`.
/// - `spec.metadata.invalid` from `specs::CoreMetadata::parse` (Name, Version missing or bad).
/// - the Transport's own errors (`network.*`), with a "while fetching ..." context.
///
/// Warnings through `Reporter::on_warning`:
/// - `index.pypi.find_links_unavailable` (`location`, `reason`): a find-links location that
///   cannot be read is skipped.
/// - `index.pypi.metadata_problem` (`filename`, `field`, `problem`): a `Requires-Dist` or
///   `Requires-Python` of real metadata that does not parse is left out.
/// - `net.mirror.next` from `core::send_with_mirrors`.
class PypiClient {
public:
    /// The transport, file system and reporter must outlive the client.
    PypiClient(PypiOptions options, core::Transport& transport, core::FileSystem& file_system,
               core::Reporter& reporter);

    /// The project's files: per the strategy from the indexes, plus every find-links file
    /// whose name normalises to `name`. A 404 or 410 means "not on that index"; any other
    /// failure of an index fails the call (with first-index, skipping an index that could not
    /// answer could pick a different project). The page's `name` is the first index page's
    /// name (else the normalised name); `url` is the first page's URL; `versions` is the
    /// union of the pages' `versions`; files keep index order, then find-links order, with
    /// repeated URLs dropped.
    [[nodiscard]] core::Result<ProjectPage> project(std::string_view name);

    /// `project` for each name, with the index requests of all names sent together
    /// (`Transport::send_all`). Results in the order of `names`.
    [[nodiscard]] std::vector<core::Result<ProjectPage>> projects(
        const std::vector<std::string>& names);

    /// The core metadata of a wheel or sdist of a page: from `<url>.metadata` when the page
    /// says it exists (its hash checked when the page gives one; a 404 falls through), else
    /// for wheels through Range requests (`fetch_wheel_metadata`), else the whole wheel (its
    /// hash checked against the page's `sha256` or `md5`). Parsed leniently; the Name and
    /// Version must agree with the filename.
    [[nodiscard]] core::Result<specs::CoreMetadata> metadata(const DistributionFile& file);

    /// The raw METADATA text, by the same route as `metadata`, without parsing it.
    [[nodiscard]] core::Result<std::string> metadata_text(const DistributionFile& file);

    [[nodiscard]] const PypiOptions& options() const noexcept { return m_options; }
    /// The primary index (if any) then the extra indexes.
    [[nodiscard]] std::vector<std::string> index_urls() const;

private:
    struct IndexAnswer;
    core::Result<std::vector<DistributionFile>> find_links_files();
    core::Result<ProjectPage> combine(std::string_view normalized,
                                      std::vector<IndexAnswer> answers);

    PypiOptions m_options;
    core::Transport& m_transport;
    core::FileSystem& m_file_system;
    core::Reporter& m_reporter;
    std::optional<std::vector<DistributionFile>> m_find_links;
};

}  // namespace envsmith::index
