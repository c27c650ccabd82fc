#include "envsmith/specs/core_metadata.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "envsmith/core/text.hpp"

namespace envsmith::specs {
namespace {

struct Located {
    MetadataField field;
    std::uint32_t value_column = 1;  // 1-based column of the value's first byte on its line
    std::string line_text;           // the header's first line
};

core::Error metadata_error(std::string_view source, std::uint32_t line, std::uint32_t column,
                           std::string_view line_text, std::string_view field,
                           std::string_view problem) {
    return core::make_error(core::ErrorCode::invalid_input, "spec.metadata.invalid",
                            fmt::format("{}:{}: invalid core metadata{}{}: {}", source, line,
                                        field.empty() ? "" : " field ", field, problem))
        .at(core::SourceLocation{std::string(source), line, column, std::string(line_text)})
        .arg("source", std::string(source))
        .arg("line", std::to_string(line))
        .arg("field", std::string(field))
        .arg("problem", std::string(problem));
}

/// A header value for a one-line parser: continuation line breaks become spaces.
std::string one_line(std::string_view value) {
    std::string text(value);
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

/// Header names are printable ASCII other than `:` and space (RFC 5322 section 2.2).
bool is_header_name(std::string_view name) noexcept {
    if (name.empty()) {
        return false;
    }
    return std::all_of(name.begin(), name.end(),
                       [](char c) { return c > ' ' && c < 127 && c != ':'; });
}

}  // namespace

const std::string* CoreMetadata::get(std::string_view field) const noexcept {
    for (const auto& f : fields) {
        if (core::iequals(f.name, field)) {
            return &f.value;
        }
    }
    return nullptr;
}

std::vector<std::string> CoreMetadata::get_all(std::string_view field) const {
    std::vector<std::string> values;
    for (const auto& f : fields) {
        if (core::iequals(f.name, field)) {
            values.push_back(f.value);
        }
    }
    return values;
}

core::Result<CoreMetadata> CoreMetadata::parse(std::string_view text, std::string_view source,
                                               MetadataStrictness strictness) {
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    std::vector<Located> headers;
    std::uint32_t line_number = 0;
    std::size_t position = 0;
    while (position < text.size()) {
        const auto end = text.find('\n', position);
        auto line = text.substr(
            position, end == std::string_view::npos ? std::string_view::npos : end - position);
        position = end == std::string_view::npos ? text.size() : end + 1;
        ++line_number;
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (core::trim(line).empty()) {
            break;  // the body (long description) follows; not needed here
        }
        if (line.front() == ' ' || line.front() == '\t') {
            if (headers.empty()) {
                return metadata_error(source, line_number, 1, line, "",
                                      "a continuation line before the first header");
            }
            auto& value = headers.back().field.value;
            value += '\n';
            value += core::trim(line);
            continue;
        }
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_header_name(line.substr(0, colon))) {
            return metadata_error(source, line_number, 1, line, "",
                                  "expected a `Name: value` header line");
        }
        Located header;
        header.field.name = std::string(line.substr(0, colon));
        auto value = line.substr(colon + 1);
        const auto leading = value.size() - core::trim_left(value).size();
        header.value_column = static_cast<std::uint32_t>(colon + 2 + leading);
        header.field.value = std::string(core::trim(value));
        header.field.line = line_number;
        header.line_text = std::string(line);
        headers.push_back(std::move(header));
    }

    CoreMetadata metadata;
    const Located* name_header = nullptr;
    const Located* version_header = nullptr;
    bool has_metadata_version = false;
    for (const auto& header : headers) {
        const auto& field = header.field;
        const auto fail = [&](std::string_view problem) {
            return metadata_error(source, field.line, header.value_column, header.line_text,
                                  field.name, problem);
        };
        const auto key = core::to_lower(field.name);
        const auto first = [&](std::string& slot) {
            // Single-use fields keep their first value.
            if (metadata.get(field.name) == nullptr) {
                slot = field.value;
            }
        };
        if (key == "metadata-version") {
            if (!has_metadata_version) {
                metadata.metadata_version = field.value;
                has_metadata_version = true;
            }
        } else if (key == "name") {
            if (name_header == nullptr) {
                name_header = &header;
                if (!is_valid_package_name(field.value)) {
                    return fail(fmt::format("`{}` is not a valid package name", field.value));
                }
                metadata.name = field.value;
            }
        } else if (key == "version") {
            if (version_header == nullptr) {
                version_header = &header;
                auto version = Pep440Version::parse(one_line(field.value));
                if (!version) {
                    return fail(version.error().message);
                }
                metadata.version = std::move(version).value();
                metadata.version_text = field.value;
            }
        } else if (key == "requires-python") {
            if (!metadata.requires_python) {
                auto set = SpecifierSet::parse(one_line(field.value));
                if (set) {
                    metadata.requires_python = std::move(set).value();
                } else if (strictness == MetadataStrictness::lenient) {
                    metadata.problems.push_back(fail(set.error().message));
                } else {
                    return fail(set.error().message);
                }
            }
        } else if (key == "requires-dist") {
            auto requirement = Requirement::parse(one_line(field.value));
            if (requirement) {
                metadata.requires_dist.push_back(std::move(requirement).value());
            } else if (strictness == MetadataStrictness::lenient) {
                metadata.problems.push_back(fail(requirement.error().message));
            } else {
                return fail(requirement.error().message);
            }
        } else if (key == "provides-extra") {
            metadata.provides_extra.push_back(field.value);
        } else if (key == "summary") {
            first(metadata.summary);
        } else if (key == "home-page") {
            first(metadata.home_page);
        } else if (key == "author") {
            first(metadata.author);
        } else if (key == "author-email") {
            first(metadata.author_email);
        } else if (key == "maintainer") {
            first(metadata.maintainer);
        } else if (key == "maintainer-email") {
            first(metadata.maintainer_email);
        } else if (key == "license") {
            first(metadata.license);
        } else if (key == "license-expression") {
            first(metadata.license_expression);
        } else if (key == "description-content-type") {
            first(metadata.description_content_type);
        } else if (key == "classifier") {
            metadata.classifiers.push_back(field.value);
        } else if (key == "project-url") {
            metadata.project_urls.push_back(field.value);
        } else if (key == "requires-external") {
            metadata.requires_external.push_back(field.value);
        } else if (key == "provides-dist") {
            metadata.provides_dist.push_back(field.value);
        } else if (key == "obsoletes-dist") {
            metadata.obsoletes_dist.push_back(field.value);
        } else if (key == "platform") {
            metadata.platforms.push_back(field.value);
        } else if (key == "dynamic") {
            metadata.dynamic.push_back(field.value);
        }
        metadata.fields.push_back(field);
    }
    const auto missing = [&](std::string_view field) {
        return metadata_error(source, 1, 1, "", field,
                              fmt::format("the required field `{}` is missing", field));
    };
    if (!has_metadata_version) {
        return missing("Metadata-Version");
    }
    if (name_header == nullptr) {
        return missing("Name");
    }
    if (version_header == nullptr) {
        return missing("Version");
    }
    return metadata;
}

}  // namespace envsmith::specs
