#pragma once
// Data files compiled into the binary: the failure catalogue and the message catalogs.

#include <span>
#include <string_view>

namespace envsmith::diag {

struct EmbeddedFile {
    std::string_view name;   // path in the repository: "libs/diag/data/catalog.yaml", "locale/en/messages.yaml"
    std::string_view bytes;
};

/// Every embedded data file, sorted by name.
[[nodiscard]] std::span<const EmbeddedFile> builtin_data();

/// The bytes of one embedded file, or an empty view when there is none of that name.
[[nodiscard]] std::string_view builtin_file(std::string_view name);

}  // namespace envsmith::diag
