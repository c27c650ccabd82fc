#include "link_detail.hpp"

#include <algorithm>
#include <utility>

namespace envsmith::install::detail {

std::string fill(std::string_view english, const std::vector<core::MessageArg>& args) {
    std::string out;
    out.reserve(english.size() + 64);
    for (std::size_t i = 0; i < english.size(); ++i) {
        if (english[i] == '{') {
            const auto close = english.find('}', i + 1);
            if (close != std::string_view::npos) {
                const auto name = english.substr(i + 1, close - i - 1);
                const auto it = std::find_if(args.begin(), args.end(),
                                             [name](const core::MessageArg& a) { return a.name == name; });
                if (it != args.end()) {
                    out += it->value;
                    i = close;
                    continue;
                }
            }
        }
        out += english[i];
    }
    return out;
}

core::Error link_error(core::ErrorCode code, std::string id, std::string_view english,
                       std::vector<core::MessageArg> args) {
    auto error = core::make_error(code, std::move(id), fill(english, args));
    error.args = std::move(args);
    return error;
}

core::Error io_error(const std::string& path, const std::string& detail) {
    return link_error(core::ErrorCode::unavailable, "install.link.io", "I/O error on `{path}`: {detail}",
                      {{"path", path}, {"detail", detail}});
}

}  // namespace envsmith::install::detail
