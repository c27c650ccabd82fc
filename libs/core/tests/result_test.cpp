#include "envsmith/core/result.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::core {
namespace {

using ::testing::HasSubstr;

Result<int> half(int x) {
    if (x % 2 != 0) {
        return make_error(ErrorCode::invalid_input, "test.odd", "odd number").arg("value",
                                                                                std::to_string(x));
    }
    return x / 2;
}

TEST(ResultTest, HoldsValueOrError) {
    const auto ok = half(4);
    ASSERT_TRUE(ok.has_value());
    EXPECT_EQ(*ok, 2);
    const auto bad = half(3);
    EXPECT_THAT(bad, test::FailsWith(ErrorCode::invalid_input));
    EXPECT_EQ(bad.error().message_id, "test.odd");
    EXPECT_EQ(bad.error().arg_value("value"), "3");
    EXPECT_EQ(bad.error().arg_value("missing"), "");
}

TEST(ResultTest, ContextFramesAreKeptInnermostFirst) {
    auto e = make_error(ErrorCode::not_found, "x.y", "gone")
                 .with_context("reading a")
                 .with_context("loading b");
    ASSERT_EQ(e.context.size(), 2U);
    EXPECT_EQ(e.context[0], "reading a");
    EXPECT_EQ(e.describe(), "gone (while reading a) (while loading b)");
}

TEST(ResultTest, DescribeStartsWithTheLocation) {
    auto e = make_error(ErrorCode::invalid_input, "x.y", "bad").at({"env.yml", 3, 7, "  - foo"});
    EXPECT_EQ(e.describe(), "env.yml:3:7: bad");
}

TEST(ResultTest, VoidResult) {
    Status ok;
    EXPECT_TRUE(ok.has_value());
    Status bad = make_error(ErrorCode::conflict, "a.b", "no");
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().code, ErrorCode::conflict);
}

TEST(ResultTest, CodesHaveStableNames) {
    EXPECT_EQ(to_string(ErrorCode::invalid_input), "invalid_input");
    EXPECT_EQ(to_string(ErrorCode::permission_denied), "permission_denied");
    EXPECT_THAT(std::string(to_string(ErrorCode::internal)), HasSubstr("internal"));
}

}  // namespace
}  // namespace envsmith::core

namespace envsmith::core {
namespace {

TEST(ResultTest, WithinReanchorsAStringErrorInAFile) {
    auto inner = make_error(ErrorCode::invalid_input, "x.y", "bad").at({"", 1, 3, "1.x"});
    const Error e = std::move(inner).within({"env.yml", 4, 7, "  - foo 1.x"});
    ASSERT_TRUE(e.where.has_value());
    EXPECT_EQ(e.where->file, "env.yml");
    EXPECT_EQ(e.where->line, 4U);
    EXPECT_EQ(e.where->column, 9U);
    EXPECT_EQ(e.where->line_text, "  - foo 1.x");
    auto bare = make_error(ErrorCode::invalid_input, "x.y", "bad").within({"f", 2, 1, "t"});
    EXPECT_EQ(bare.where->line, 2U);
    auto in_file = make_error(ErrorCode::invalid_input, "x.y", "bad").at({"other.txt", 1, 4, "x"});
    const Error kept = std::move(in_file).within({"env.yml", 9, 9, "y"});
    EXPECT_EQ(kept.where->file, "other.txt");
    EXPECT_EQ(kept.where->column, 4U);
}

}  // namespace
}  // namespace envsmith::core
