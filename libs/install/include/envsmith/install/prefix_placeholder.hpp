#pragma once
// Prefix placeholder replacement: conda packages are built in a long build prefix that is
// recorded in the package (info/paths.json `prefix_placeholder`, or info/has_prefix) and
// rewritten to the target prefix when the file is linked.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::install {

enum class FileMode : std::uint8_t { text, binary };

/// Linux's limit on a `#!` line (BINPRM_BUF_SIZE - 1), the one conda applies.
inline constexpr std::size_t max_shebang_length = 127;

/// Text mode: every occurrence of `placeholder` becomes `prefix`; then, if the first line is a
/// shebang longer than `max_shebang_length` bytes (or its interpreter path has an escaped
/// space), the interpreter is replaced by `/usr/bin/env <basename>`, keeping its arguments.
[[nodiscard]] std::string replace_prefix_text(std::string_view content, std::string_view placeholder,
                                              std::string_view prefix);

/// The shebang fix on its own (used for generated scripts too); content without a long
/// shebang is returned unchanged.
[[nodiscard]] std::string shorten_long_shebang(std::string_view content);

/// Binary mode, keeping the size of the file: each C string that starts with `placeholder`
/// (the bytes up to the next NUL) has every occurrence of `placeholder` replaced by `prefix`
/// and is padded with NULs to its old length. A placeholder with no NUL after it is left as it
/// is. Fails with `install.link.prefix_too_long` (invalid_input; args `path`, `prefix`,
/// `placeholder`) when `prefix` is longer than `placeholder` and the placeholder occurs;
/// `path` only names the file in that error.
[[nodiscard]] core::Result<std::string> replace_prefix_binary(std::string_view content,
                                                              std::string_view placeholder,
                                                              std::string_view prefix,
                                                              std::string_view path);

}  // namespace envsmith::install
