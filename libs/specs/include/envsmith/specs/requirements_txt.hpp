#pragma once
// pip's requirements file format (https://pip.pypa.io/en/stable/reference/requirements-file-format/):
// one requirement or option per line, `#` comments, `\` continuations, `${VAR}` expansion,
// `-r`/`-c` includes, per-requirement `--hash`, and the global options pip allows there.
//
// Pure: included files are read through the caller's loader, environment variables come from
// the caller's map.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/specs/pep508.hpp"

namespace envsmith::specs {

/// What the parser needs from outside.
struct RequirementsContext {
    /// Returns the text of `target` named by `-r`/`-c` in `including_file` (the display name
    /// of the including file, as given to the parser or built by it). The caller resolves
    /// `target` relative to `including_file`'s folder. Unset: includes fail with
    /// `requirements.include_unsupported`.
    std::function<core::Result<std::string>(std::string_view including_file,
                                            std::string_view target)>
        load_include;
    /// Values for `${NAME}` expansion (NAME: uppercase letters, digits, `_`, as pip). Names not
    /// in the map are left as written.
    std::map<std::string, std::string, std::less<>> environment;
    /// How deep `-r` inside `-r` may go; deeper is `requirements.include_depth`.
    std::size_t max_include_depth = 32;
};

enum class Editable : bool { no, yes };

/// How a requirement names what to install.
enum class RequirementForm : std::uint8_t {
    named,  // PEP 508: `name[extras] specifiers ; marker` or `name @ url ; marker`
    url,    // a bare URL: `https://host/pkg-1.0.tar.gz`, `git+https://...#egg=pkg`
    path,   // a local path: `./pkg`, `.`, `/abs/pkg-1.0-py3-none-any.whl`, `dist/x.whl`
};
[[nodiscard]] std::string_view to_string(RequirementForm form) noexcept;

/// One requirement (or constraint) line.
struct RequirementEntry {
    /// The requirement as written, after joining continuations, dropping comments and options
    /// and expanding `${VAR}`; `-e` is not part of it.
    std::string text;
    RequirementForm form = RequirementForm::named;
    Editable editable = Editable::no;
    /// For url/path forms: the URL or path without the marker. Empty for named ones.
    std::string target;
    /// For url/path forms: the marker text after ` ;`, as written. Named ones: see `requirement`.
    std::string marker;
    /// Set for the named form: the PEP 508 parse.
    std::optional<Requirement> requirement;
    std::vector<std::string> hashes;  // "sha256:<hex>", as written, in order
    /// Other per-requirement options (`--config-settings`, `--global-option`), name and value.
    std::vector<std::pair<std::string, std::string>> install_options;
    /// Where the requirement starts: file, line, column (of the requirement, not of `-e`).
    core::SourceLocation location;
};

enum class RequirementsOptionKind : std::uint8_t {
    index_url,        // -i, --index-url URL
    extra_index_url,  // --extra-index-url URL
    find_links,       // -f, --find-links URL-or-path
    no_index,         // --no-index
    pre,              // --pre
    trusted_host,     // --trusted-host HOST
    prefer_binary,    // --prefer-binary
    only_binary,      // --only-binary FORMATS
    no_binary,        // --no-binary FORMATS
    require_hashes,   // --require-hashes
    use_feature,      // --use-feature NAME
    requirement,      // -r, --requirement FILE (recorded after the file was read)
    constraint,       // -c, --constraint FILE (recorded after the file was read)
};
[[nodiscard]] std::string_view to_string(RequirementsOptionKind kind) noexcept;

/// A global option line, with where it appeared.
struct RequirementsOption {
    RequirementsOptionKind kind = RequirementsOptionKind::index_url;
    std::string value;  // empty for flags
    core::SourceLocation location;  // of the option itself
};

struct RequirementsFile {
    std::vector<RequirementEntry> requirements;  // in order, included files inline
    std::vector<RequirementEntry> constraints;   // from `-c` files (and `-r` inside them)
    std::vector<RequirementsOption> options;     // every global option, in order
    std::vector<std::string> files;              // the display names read, the top one first

    /// The last `--index-url`, or empty (pip: the last one wins).
    [[nodiscard]] std::string index_url() const;
    /// Every value of one option kind, in order.
    [[nodiscard]] std::vector<std::string> values(RequirementsOptionKind kind) const;
    /// True when a flag (or any option of that kind) appears.
    [[nodiscard]] bool has(RequirementsOptionKind kind) const;
};

/// Parses a requirements file; `file_name` is its display name in locations and the
/// `including_file` passed to the loader for its `-r`/`-c` lines.
///
/// Fails with `invalid_input` at file:line:col on: an unknown option
/// (`requirements.unknown_option`), an option without its value
/// (`requirements.missing_value`), an option that pip does not allow on a requirement line
/// (`requirements.option_on_requirement`), a malformed `--hash`
/// (`requirements.bad_hash`), a requirement PEP 508 rejects (that parser's id, e.g.
/// `spec.requirement.invalid`, re-anchored in the file), a URL or path requirement with `;` or
/// `#` not preceded by whitespace (`requirements.marker_whitespace`,
/// `requirements.comment_whitespace`), an include cycle (`requirements.include_cycle`), too
/// deep includes (`requirements.include_depth`), and includes without a loader
/// (`requirements.include_unsupported`). Loader errors keep their code and gain the `-r`
/// line's location and a context frame.
[[nodiscard]] core::Result<RequirementsFile> parse_requirements_txt(
    std::string_view text, std::string_view file_name, const RequirementsContext& context);

}  // namespace envsmith::specs
