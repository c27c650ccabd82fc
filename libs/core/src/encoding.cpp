#include "envsmith/core/encoding.hpp"

#include <array>
#include <cstdint>

namespace envsmith::core {

namespace {
constexpr std::string_view hex_digits = "0123456789abcdef";
constexpr std::string_view standard_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view url_alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}
}  // namespace

std::string to_hex(std::string_view bytes) {
    std::string out;
    out.reserve(bytes.size() * 2);
    for (char c : bytes) {
        const auto b = static_cast<unsigned char>(c);
        out.push_back(hex_digits[b >> 4U]);
        out.push_back(hex_digits[b & 0x0FU]);
    }
    return out;
}

Result<std::string> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return make_error(ErrorCode::invalid_input, "encoding.hex.invalid",
                          "hex text has an odd number of digits");
    }
    std::string out;
    out.reserve(hex.size() / 2);
    for (std::size_t i = 0; i < hex.size(); i += 2) {
        const int hi = hex_value(hex[i]);
        const int lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) {
            return make_error(ErrorCode::invalid_input, "encoding.hex.invalid",
                              "invalid hex digit at offset " + std::to_string(hi < 0 ? i : i + 1))
                .arg("offset", std::to_string(hi < 0 ? i : i + 1));
        }
        out.push_back(static_cast<char>(hi * 16 + lo));
    }
    return out;
}

std::string base64_encode(std::string_view bytes, Base64Alphabet alphabet) {
    const auto table = alphabet == Base64Alphabet::standard ? standard_alphabet : url_alphabet;
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16U) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8U) |
                                std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
        out.push_back(table[(n >> 18U) & 63U]);
        out.push_back(table[(n >> 12U) & 63U]);
        out.push_back(table[(n >> 6U) & 63U]);
        out.push_back(table[n & 63U]);
    }
    const std::size_t rest = bytes.size() - i;
    if (rest == 1) {
        const std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16U;
        out.push_back(table[(n >> 18U) & 63U]);
        out.push_back(table[(n >> 12U) & 63U]);
        out += "==";
    } else if (rest == 2) {
        const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16U) |
                                (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8U);
        out.push_back(table[(n >> 18U) & 63U]);
        out.push_back(table[(n >> 12U) & 63U]);
        out.push_back(table[(n >> 6U) & 63U]);
        out.push_back('=');
    }
    return out;
}

Result<std::string> base64_decode(std::string_view text, Base64Alphabet alphabet) {
    const auto table = alphabet == Base64Alphabet::standard ? standard_alphabet : url_alphabet;
    std::array<int, 256> values{};
    values.fill(-1);
    for (std::size_t i = 0; i < table.size(); ++i) {
        values[static_cast<unsigned char>(table[i])] = static_cast<int>(i);
    }
    while (!text.empty() && text.back() == '=') {
        text.remove_suffix(1);
    }
    if (text.size() % 4 == 1) {
        return make_error(ErrorCode::invalid_input, "encoding.base64.invalid",
                          "base64 text has an impossible length");
    }
    std::string out;
    out.reserve(text.size() * 3 / 4);
    std::uint32_t buffer = 0;
    int bits = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const int v = values[static_cast<unsigned char>(text[i])];
        if (v < 0) {
            return make_error(ErrorCode::invalid_input, "encoding.base64.invalid",
                              "invalid base64 character at offset " + std::to_string(i))
                .arg("offset", std::to_string(i));
        }
        buffer = (buffer << 6U) | static_cast<std::uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> static_cast<unsigned>(bits)) & 0xFFU));
        }
    }
    return out;
}

}  // namespace envsmith::core
