#include "challenge.hpp"

#include "envsmith/core/text.hpp"

namespace envsmith::registry::detail {

Challenge parse_challenge(std::string_view header) {
    Challenge challenge;
    std::size_t i = 0;
    auto skip_spaces = [&] {
        while (i < header.size() && (header[i] == ' ' || header[i] == '\t')) {
            ++i;
        }
    };
    skip_spaces();
    const auto scheme_start = i;
    while (i < header.size() && header[i] != ' ' && header[i] != '\t' && header[i] != ',') {
        ++i;
    }
    challenge.scheme = core::to_lower(header.substr(scheme_start, i - scheme_start));
    for (;;) {
        skip_spaces();
        while (i < header.size() && header[i] == ',') {
            ++i;
            skip_spaces();
        }
        if (i >= header.size()) {
            break;
        }
        const auto name_start = i;
        while (i < header.size() && header[i] != '=' && header[i] != ' ' && header[i] != ',') {
            ++i;
        }
        const auto name = core::to_lower(core::trim(header.substr(name_start, i - name_start)));
        skip_spaces();
        if (i >= header.size() || header[i] != '=') {
            // A new challenge ("Basic realm=x, Bearer ...") or a token68: stop at the first.
            break;
        }
        ++i;
        skip_spaces();
        std::string value;
        if (i < header.size() && header[i] == '"') {
            ++i;
            while (i < header.size() && header[i] != '"') {
                if (header[i] == '\\' && i + 1 < header.size()) {
                    ++i;
                }
                value += header[i];
                ++i;
            }
            ++i;  // the closing quote
        } else {
            while (i < header.size() && header[i] != ',' && header[i] != ' ') {
                value += header[i];
                ++i;
            }
        }
        challenge.params.emplace(name, std::move(value));
    }
    return challenge;
}

std::string query_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (const char c : value) {
        if (core::is_ascii_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += c;
        } else {
            const auto byte = static_cast<unsigned char>(c);
            out += '%';
            out += hex[byte >> 4U];
            out += hex[byte & 0x0FU];
        }
    }
    return out;
}

}  // namespace envsmith::registry::detail
