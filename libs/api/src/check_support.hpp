#pragma once
// Small helpers the halves of `check` share.

#include <string>
#include <string_view>
#include <cstddef>
#include <vector>

#include "envsmith/api/check.hpp"

namespace envsmith::api::detail {

/// Sets the item's message id and args, and its English text: `english` with each
/// `{name}` replaced by the arg's value.
void set_message(CheckItem& item, std::string id, std::vector<core::MessageArg> args,
                 std::string_view english);

/// "a, b, c (+4 more)": at most `limit` items, then how many were left out.
[[nodiscard]] std::string join_list(const std::vector<std::string>& items, std::size_t limit);

/// Up to `limit` names from `candidates` closest to `name` by edit distance, nearest first,
/// among those near enough to be a plausible typo (`-`, `_` and `.` count as equal).
[[nodiscard]] std::vector<std::string> close_names(std::string_view name,
                                                   const std::vector<std::string_view>& candidates,
                                                   std::size_t limit = 3);

}  // namespace envsmith::api::detail
