#pragma once
// The unified environment definition: what every input format (Azure ML YAML, conda
// environment.yml, requirements.txt) means, in one normalised shape, and its canonical
// content hash (docs/definition-hash.md). Same meaning, same hash; any change of meaning, a
// different hash. Key order, comments, formatting and spellings of the same spec do not count.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// Bumped whenever the image layout envsmith produces changes, so old hashes stop matching.
inline constexpr int image_format_version = 1;

enum class SourceKind : std::uint8_t { azureml, conda_environment, requirements };
[[nodiscard]] std::string_view to_string(SourceKind kind) noexcept;

struct CondaSection {
    std::vector<std::string> channels;      // in priority order: order is meaning
    std::vector<std::string> dependencies;  // canonical MatchSpec strings
    std::map<std::string, std::string> variables;
};

struct PipRequirement {
    std::string requirement;          // canonical PEP 508 text, or a URL/path as written
    std::vector<std::string> hashes;  // "sha256:<hex>", sorted, deduplicated
    bool editable = false;
};

struct PipSection {
    std::vector<PipRequirement> requirements;
    std::vector<PipRequirement> constraints;
    std::string index_url;                     // empty: the default index
    std::vector<std::string> extra_index_urls;
    std::vector<std::string> find_links;
    std::vector<std::string> trusted_hosts;
    bool no_index = false;
    bool pre = false;
    bool require_hashes = false;
    bool prefer_binary = false;
    std::vector<std::string> only_binary;
    std::vector<std::string> no_binary;
};

struct BuildSection {
    std::string context_path;       // as written, relative to the definition
    std::string dockerfile_path;    // relative to the context
    std::string dockerfile_digest;  // "sha256:..." of the Dockerfile's bytes
    std::string context_digest;     // "sha256:..." over the context's files (names, modes, bytes)
};

struct SparkSection {
    std::vector<std::string> packages;
    std::vector<std::string> repositories;
    bool precache_packages = false;
};

struct Definition {
    SourceKind source_kind = SourceKind::conda_environment;
    // Descriptive: shown, kept in labels, not part of the hash.
    std::string name;
    std::string version;
    std::string description;
    std::map<std::string, std::string> tags;
    // Meaning: all part of the hash.
    std::string image;         // normalised reference, or empty (no base: `scratch`)
    std::string image_digest;  // resolved digest of `image`, when known
    std::string platform;      // conda subdir of the target, e.g. "linux-64"
    std::string os_type;       // "linux" unless the definition says otherwise
    std::string prefix_name;   // the environment's directory name inside the image
    bool user_managed_dependencies = false;
    std::optional<CondaSection> conda;
    std::optional<PipSection> pip;
    std::optional<BuildSection> build;
    std::optional<SparkSection> spark;
    std::map<std::string, std::string> environment_variables;
    std::string layering;
};

/// The canonical JSON of the parts that carry meaning: sorted keys, no whitespace, sorted
/// dependency lists (their order has no meaning), channel order kept (it has). Its sha256 is
/// the definition's hash.
[[nodiscard]] std::string canonical_json(const Definition& definition);

/// sha256 of canonical_json().
[[nodiscard]] core::Digest definition_hash(const Definition& definition);

/// The whole normalised definition (descriptive fields too) as pretty JSON, for `show`.
[[nodiscard]] std::string to_display_json(const Definition& definition);

}  // namespace envsmith::specs
