#include "envsmith/core/encoding.hpp"

#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::core {
namespace {

// RFC 4648 section 10 vectors.
TEST(EncodingTest, Base64Rfc4648Vectors) {
    const std::pair<const char*, const char*> cases[] = {
        {"", ""},          {"f", "Zg=="},         {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (const auto& [plain, encoded] : cases) {
        SCOPED_TRACE(plain);
        EXPECT_EQ(base64_encode(plain), encoded);
        const auto decoded = base64_decode(encoded);
        ASSERT_TRUE(decoded.has_value());
        EXPECT_EQ(*decoded, plain);
    }
}

TEST(EncodingTest, Base64UrlSafeAndErrors) {
    const std::string bytes("\xfb\xff", 2);
    EXPECT_EQ(base64_encode(bytes), "+/8=");
    EXPECT_EQ(base64_encode(bytes, Base64Alphabet::url_safe), "-_8=");
    EXPECT_EQ(*base64_decode("-_8", Base64Alphabet::url_safe), bytes);
    EXPECT_THAT(base64_decode("ab$d"), test::FailsWith(ErrorCode::invalid_input));
    EXPECT_THAT(base64_decode("a"), test::FailsWith(ErrorCode::invalid_input));
}

TEST(EncodingTest, HexRoundTrip) {
    EXPECT_EQ(to_hex(std::string("\x00\xff\x10", 3)), "00ff10");
    EXPECT_EQ(*from_hex("00FF10"), std::string("\x00\xff\x10", 3));
    EXPECT_THAT(from_hex("abc"), test::FailsWith(ErrorCode::invalid_input));
    EXPECT_THAT(from_hex("zz"), test::FailsWith(ErrorCode::invalid_input));
}

}  // namespace
}  // namespace envsmith::core
