#pragma once
// The errors of the reading side, built in one place so that each English message is exactly
// its catalog template (locale/en/archive.yaml) filled with the args.

#include <cstdint>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::archive::detail {

[[nodiscard]] core::Error format_unknown_error(std::string_view file);
[[nodiscard]] core::Error open_error(const std::string& archive, int errno_value);
[[nodiscard]] core::Error destination_error(const std::string& archive,
                                            const std::string& destination);
[[nodiscard]] core::Error path_escape_error(const std::string& archive, std::string_view entry);
[[nodiscard]] core::Error absolute_path_error(const std::string& archive, std::string_view entry);
[[nodiscard]] core::Error link_escape_error(const std::string& archive, std::string_view entry,
                                            std::string_view target);
[[nodiscard]] core::Error through_symlink_error(const std::string& archive, std::string_view entry,
                                                std::string_view link);
[[nodiscard]] core::Error special_file_error(const std::string& archive, std::string_view entry);
[[nodiscard]] core::Error bomb_error(const std::string& archive, std::string_view entry,
                                     std::string_view limit, std::uint64_t value);
[[nodiscard]] core::Error corrupt_error(const std::string& archive, std::string_view entry,
                                        std::string detail);
[[nodiscard]] core::Error io_error(const std::string& archive, std::string_view entry,
                                   std::string_view path, int errno_value);
[[nodiscard]] core::Error conda_incomplete_error(const std::string& archive, std::string_view part);
[[nodiscard]] core::Error entry_not_found_error(const std::string& archive, std::string_view entry);
[[nodiscard]] core::Error entry_too_large_error(const std::string& archive, std::string_view entry,
                                                std::uint64_t max_bytes);

}  // namespace envsmith::archive::detail
