#include "envsmith/core/text.hpp"

#include <gtest/gtest.h>

namespace envsmith::core {
namespace {

TEST(TextTest, TrimAndSplit) {
    EXPECT_EQ(trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(trim(""), "");
    const auto parts = split("a,,b", ',');
    ASSERT_EQ(parts.size(), 3U);
    EXPECT_EQ(parts[1], "");
    EXPECT_EQ(parts[2], "b");
    EXPECT_EQ(join({"x", "y", "z"}, ", "), "x, y, z");
}

TEST(TextTest, CaseHelpers) {
    EXPECT_EQ(to_lower("NumPy-1.0"), "numpy-1.0");
    EXPECT_TRUE(iequals("Content-Type", "content-type"));
    EXPECT_FALSE(iequals("abc", "abd"));
}

// RFC 3629: one to four bytes by range; what UTF-8 cannot carry becomes U+FFFD (EF BF BD).
TEST(TextTest, AppendUtf8EncodesByRangeAndReplacesWhatUtf8CannotCarry) {
    const auto encode = [](std::uint32_t code_point) {
        std::string out;
        append_utf8(out, code_point);
        return out;
    };
    EXPECT_EQ(encode(0x00), std::string(1, '\0'));
    EXPECT_EQ(encode(0x41), "A");
    EXPECT_EQ(encode(0x7F), "\x7f");
    EXPECT_EQ(encode(0x80), "\xc2\x80");
    EXPECT_EQ(encode(0xE9), "\xc3\xa9");
    EXPECT_EQ(encode(0x7FF), "\xdf\xbf");
    EXPECT_EQ(encode(0x800), "\xe0\xa0\x80");
    EXPECT_EQ(encode(0x4E2D), "\xe4\xb8\xad");
    EXPECT_EQ(encode(0xFFFF), "\xef\xbf\xbf");
    EXPECT_EQ(encode(0x10000), "\xf0\x90\x80\x80");
    EXPECT_EQ(encode(0x1F600), "\xf0\x9f\x98\x80");
    EXPECT_EQ(encode(0x10FFFF), "\xf4\x8f\xbf\xbf");
    EXPECT_EQ(encode(0xD800), "\xef\xbf\xbd");
    EXPECT_EQ(encode(0xDFFF), "\xef\xbf\xbd");
    EXPECT_EQ(encode(0x110000), "\xef\xbf\xbd");
}

TEST(TextTest, EditDistance) {
    EXPECT_EQ(edit_distance("numpy", "numpy"), 0U);
    EXPECT_EQ(edit_distance("nmupy", "numpy"), 2U);
    EXPECT_EQ(edit_distance("", "abc"), 3U);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3U);
}

TEST(TextTest, LocatesOffsetsOnLinesAndColumns) {
    const std::string text = "name: x\r\ndependencies:\n  - numpy\n";
    const TextIndex index("env.yml", text);
    const auto loc = index.locate(text.find("numpy"));
    EXPECT_EQ(loc.file, "env.yml");
    EXPECT_EQ(loc.line, 3U);
    EXPECT_EQ(loc.column, 5U);
    EXPECT_EQ(loc.line_text, "  - numpy");
    EXPECT_EQ(index.locate(0).line_text, "name: x");  // the CR is not part of the line
    EXPECT_EQ(index.locate(10'000).line, 4U);        // clamped to the end
}

}  // namespace
}  // namespace envsmith::core
