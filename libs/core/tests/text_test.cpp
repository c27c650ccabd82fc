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
