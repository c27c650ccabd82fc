#pragma once
// Python core metadata: the `METADATA` file of a wheel's `.dist-info` folder, the `PKG-INFO`
// of a source distribution, and the `<file>.metadata` an index serves beside a wheel (PEP 658).
// The format is RFC 822 style headers (packaging.python.org "Core metadata specifications",
// versions 1.0 to 2.4): `Name: value` lines, continuation lines that start with whitespace,
// fields that may repeat, and a message body after the first blank line (the long
// description since 2.1), which this parser skips.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep440.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::specs {

/// One header as written: its name with the original case, its value with continuation
/// lines joined by "\n" (leading whitespace of each continuation line removed), and the
/// 1-based line where it starts.
struct MetadataField {
    std::string name;
    std::string value;
    std::uint32_t line = 0;

    friend bool operator==(const MetadataField&, const MetadataField&) = default;
};

/// How `CoreMetadata::parse` treats a `Requires-Dist` or `Requires-Python` value that does
/// not parse. Real uploads have them (ipython 4.1.0rc1: `setuptools (>=18.5decorator)`).
enum class MetadataStrictness : std::uint8_t {
    strict,   // the whole parse fails
    lenient,  // the field is left out and its error kept in `CoreMetadata::problems`
};

/// The parsed headers. Field names compare case-insensitively. Single-use fields that appear
/// more than once keep their first value (the `email` module's `msg["Name"]` behaviour).
struct CoreMetadata {
    std::string metadata_version;  // "2.1"; as written
    std::string name;              // as written; see normalized_name()
    Pep440Version version;
    std::string version_text;                     // as written
    std::optional<SpecifierSet> requires_python;  // unset when the field is absent
    std::vector<Requirement> requires_dist;
    std::vector<std::string> provides_extra;  // as written, in order
    std::string summary;
    std::string home_page;
    std::string author;
    std::string author_email;
    std::string maintainer;
    std::string maintainer_email;
    std::string license;
    std::string license_expression;  // 2.4
    std::string description_content_type;
    std::vector<std::string> classifiers;
    std::vector<std::string> project_urls;  // "Label, https://..." as written
    std::vector<std::string> requires_external;
    std::vector<std::string> provides_dist;
    std::vector<std::string> obsoletes_dist;
    std::vector<std::string> platforms;
    std::vector<std::string> dynamic;  // 2.2
    /// Every header in order, including the ones above.
    std::vector<MetadataField> fields;
    /// With `MetadataStrictness::lenient`: the `spec.metadata.invalid` errors of the fields
    /// that were left out. Always empty with `strict`.
    std::vector<core::Error> problems;

    /// Parses METADATA / PKG-INFO text. Lines may end in "\n" or "\r\n"; a UTF-8 BOM is
    /// skipped. `Metadata-Version`, `Name` and `Version` are required; `Version` must be
    /// PEP 440, `Requires-Python` a specifier set and each `Requires-Dist` a PEP 508
    /// requirement. Every failure is `spec.metadata.invalid` (invalid_input), located at
    /// `source` (a display name such as "requests-2.31.0.dist-info/METADATA"), the line and
    /// column, with the arguments `source`, `line`, `field` (empty for a syntax error) and
    /// `problem`. See `MetadataStrictness` for the two fields a lenient parse forgives.
    [[nodiscard]] static core::Result<CoreMetadata> parse(
        std::string_view text, std::string_view source = "METADATA",
        MetadataStrictness strictness = MetadataStrictness::strict);

    /// PEP 503 name: `Foo_Bar` gives `foo-bar`.
    [[nodiscard]] std::string normalized_name() const { return normalize_package_name(name); }
    /// The first value of a header (case-insensitive name), or nullptr.
    [[nodiscard]] const std::string* get(std::string_view field) const noexcept;
    /// Every value of a header, in order.
    [[nodiscard]] std::vector<std::string> get_all(std::string_view field) const;
};

}  // namespace envsmith::specs
