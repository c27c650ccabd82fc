#include "check_support.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "envsmith/core/text.hpp"

namespace envsmith::api::detail {
namespace {

/// `-`, `_` and `.` are interchangeable in how people misremember names.
std::string fold_separators(std::string_view name) {
    std::string folded = core::to_lower(name);
    std::replace_if(folded.begin(), folded.end(), [](char c) { return c == '_' || c == '.'; }, '-');
    return folded;
}

}  // namespace


void set_message(CheckItem& item, std::string id, std::vector<core::MessageArg> args,
                 std::string_view english) {
    item.message_id = std::move(id);
    item.message = std::string(english);
    for (const auto& arg : args) {
        const auto placeholder = "{" + arg.name + "}";
        for (auto at = item.message.find(placeholder); at != std::string::npos;
             at = item.message.find(placeholder, at + arg.value.size())) {
            item.message.replace(at, placeholder.size(), arg.value);
        }
    }
    item.args = std::move(args);
}

std::string join_list(const std::vector<std::string>& items, std::size_t limit) {
    std::string text;
    for (std::size_t i = 0; i < items.size() && i < limit; ++i) {
        if (i > 0) {
            text += ", ";
        }
        text += items[i];
    }
    if (items.size() > limit) {
        text += fmt::format(" (+{} more)", items.size() - limit);
    }
    return text;
}

std::vector<std::string> close_names(std::string_view name,
                                     const std::vector<std::string_view>& candidates,
                                     std::size_t limit) {
    const auto folded = fold_separators(name);
    // A plausible typo: at most a third of the name's letters, and never more than 3 edits.
    const std::size_t max_distance = std::clamp<std::size_t>(folded.size() / 3, 1, 3);
    std::vector<std::pair<std::size_t, std::string>> scored;
    std::set<std::string> seen;
    for (const auto candidate : candidates) {
        const auto other = fold_separators(candidate);
        if (other.size() + max_distance < folded.size() || folded.size() + max_distance < other.size()) {
            continue;
        }
        const auto distance = core::edit_distance(folded, other);
        if (distance <= max_distance && seen.insert(std::string(candidate)).second) {
            scored.emplace_back(distance, std::string(candidate));
        }
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::string> names;
    for (std::size_t i = 0; i < scored.size() && i < limit; ++i) {
        names.push_back(std::move(scored[i].second));
    }
    return names;
}

}  // namespace envsmith::api::detail
