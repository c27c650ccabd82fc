#pragma once
// The OCI image configuration (image-spec config.md): the platform, the runtime defaults
// (Env, Cmd, Entrypoint, WorkingDir, Labels, ...), the diff_ids of the layers and the history.

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/image/descriptor.hpp"

namespace envsmith::image {

struct HistoryEntry {
    std::string created;  // RFC 3339, e.g. "1970-01-01T00:00:00Z"; empty: not written
    std::string created_by;
    std::string author;
    std::string comment;
    bool empty_layer = false;  // true: the step added no layer

    friend bool operator==(const HistoryEntry&, const HistoryEntry&) = default;
};

struct ImageConfig {
    Platform platform;
    std::string created;  // RFC 3339; empty: not written
    std::string author;
    // The "config" object.
    std::string user;
    std::vector<std::string> env;  // "KEY=value", in order
    std::vector<std::string> entrypoint;
    std::vector<std::string> cmd;
    std::string working_dir;
    std::map<std::string, std::string> labels;
    std::set<std::string> exposed_ports;  // "8080/tcp"
    std::set<std::string> volumes;
    std::string stop_signal;
    // rootfs and history.
    std::vector<core::Digest> diff_ids;  // uncompressed layer digests, bottom first
    std::vector<HistoryEntry> history;

    friend bool operator==(const ImageConfig&, const ImageConfig&) = default;
};

/// Canonical JSON (keys sorted, no whitespace, empty fields left out; rootfs.type "layers").
[[nodiscard]] std::string to_json(const ImageConfig& config);

/// Parses an OCI or Docker image config. Fields envsmith does not model are dropped. Fails
/// with `image.json.invalid` (invalid_input; args `what`, `detail`).
[[nodiscard]] core::Result<ImageConfig> parse_config(std::string_view json);

/// RFC 3339 UTC time of an epoch: 0 -> "1970-01-01T00:00:00Z".
[[nodiscard]] std::string rfc3339_utc(std::int64_t epoch_seconds);

/// `base` with `overrides` applied: a KEY present in both takes the override's value in the
/// base's position; new keys are appended in the overrides' order. Entries without "=" are
/// kept as they are.
[[nodiscard]] std::vector<std::string> merge_env(const std::vector<std::string>& base,
                                                 const std::vector<std::string>& overrides);

/// The Env entries that activate a conda prefix at `prefix` (an absolute path in the image):
/// PATH=<prefix>/bin followed by the PATH of `base_env` (or the usual Debian default when it
/// has none) and CONDA_PREFIX=<prefix>. Merge them over the base with merge_env.
[[nodiscard]] std::vector<std::string> conda_prefix_env(std::string_view prefix,
                                                        const std::vector<std::string>& base_env);

/// The value of KEY in an env list, if present.
[[nodiscard]] std::optional<std::string> env_value(const std::vector<std::string>& env,
                                                   std::string_view key);

}  // namespace envsmith::image
