#include "envsmith/net/status.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::net {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

core::HttpResponse with_status(int status) {
    core::HttpResponse response;
    response.status = status;
    return response;
}

TEST(CheckStatusTest, SuccessAndNotModifiedPass) {
    for (const int status : {200, 201, 204, 206, 304}) {
        SCOPED_TRACE(status);
        EXPECT_THAT(check_status(with_status(status), "https://h/x"), test::Succeeds());
    }
}

TEST(CheckStatusTest, EachRefusalHasItsId) {
    struct Case {
        int status;
        const char* url;
        const char* id;
        core::ErrorCode code;
    };
    const Case cases[] = {
        {401, "https://repo.example/x", "network.unauthorized",
         core::ErrorCode::permission_denied},
        {403, "https://repo.example/x", "network.forbidden", core::ErrorCode::permission_denied},
        {403, "https://acct.blob.core.windows.net/c/f?sig=abc", "network.storage_forbidden",
         core::ErrorCode::permission_denied},
        {404, "https://repo.example/x", "network.not_found", core::ErrorCode::not_found},
        {410, "https://repo.example/x", "network.not_found", core::ErrorCode::not_found},
        {407, "https://repo.example/x", "network.proxy", core::ErrorCode::unavailable},
        {429, "https://repo.example/x", "net.http.unavailable", core::ErrorCode::unavailable},
        {503, "https://repo.example/x", "net.http.unavailable", core::ErrorCode::unavailable},
        {418, "https://repo.example/x", "net.http.unexpected", core::ErrorCode::unavailable},
        {301, "https://repo.example/x", "net.http.unexpected", core::ErrorCode::unavailable},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.status);
        const auto status = check_status(with_status(c.status), c.url);
        ASSERT_THAT(status, test::FailsWithId(c.id));
        EXPECT_EQ(status.error().code, c.code);
        EXPECT_EQ(status.error().arg_value("status"), std::to_string(c.status));
    }
}

TEST(CheckStatusTest, TheUrlIsRedacted) {
    const auto status =
        check_status(with_status(401), "https://alice:hunter2@repo.example/x?token=abc123");
    ASSERT_THAT(status, test::FailsWithId("network.unauthorized"));
    EXPECT_EQ(status.error().arg_value("url"), "https://***@repo.example/x?token=***");
    EXPECT_EQ(status.error().arg_value("host"), "repo.example");
    EXPECT_THAT(status.error().describe(), Not(HasSubstr("hunter2")));
    EXPECT_THAT(status.error().describe(), Not(HasSubstr("abc123")));
}

}  // namespace
}  // namespace envsmith::net
