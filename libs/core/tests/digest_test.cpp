#include "envsmith/core/digest.hpp"

#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::core {
namespace {

// FIPS 180-2 and RFC 1321 test vectors.
TEST(DigestTest, KnownVectors) {
    EXPECT_EQ(sha256("abc").hex,
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256("").to_string(),
              "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(md5("").hex, "d41d8cd98f00b204e9800998ecf8427e");
    EXPECT_EQ(md5("message digest").hex, "f96b697d7cb7938d525a2f31aaf161d0");
}

TEST(DigestTest, IncrementalEqualsOneShot) {
    Hasher h(DigestAlgorithm::sha256);
    h.update("ab");
    h.update("c");
    EXPECT_EQ(h.finish(), sha256("abc"));
    h.update("abc");  // finish() reset the state
    EXPECT_EQ(h.finish(), sha256("abc"));
}

TEST(DigestTest, ParseRoundTripsAndRejectsGarbage) {
    const auto d = sha256("x");
    const auto parsed = Digest::parse(d.to_string());
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed, d);
    EXPECT_THAT(Digest::parse("sha256:abc"), test::FailsWith(ErrorCode::invalid_input));
    EXPECT_THAT(Digest::parse("sha512:" + std::string(128, 'a')),
                test::FailsWith(ErrorCode::invalid_input));
    EXPECT_THAT(Digest::parse(d.hex), test::FailsWith(ErrorCode::invalid_input));
    EXPECT_EQ(Digest::parse("md5:" + std::string(32, 'A')).error().message_id, "digest.invalid");
}

}  // namespace
}  // namespace envsmith::core
