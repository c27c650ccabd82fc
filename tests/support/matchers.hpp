#pragma once
// gmock matchers shared by every layer's tests.

#include <gmock/gmock.h>

#include <fstream>
#include <sstream>
#include <string>

#include "envsmith/core/result.hpp"

namespace envsmith::test {

MATCHER_P(FailsWith, code, "holds an error with the given code") {
    if (arg.has_value()) {
        *result_listener << "holds a value";
        return false;
    }
    *result_listener << "holds error " << arg.error().message_id << ": " << arg.error().describe();
    return arg.error().code == code;
}

MATCHER_P(FailsWithId, message_id, "holds an error with the given message id") {
    if (arg.has_value()) {
        *result_listener << "holds a value";
        return false;
    }
    *result_listener << "holds error " << arg.error().message_id << ": " << arg.error().describe();
    return arg.error().message_id == message_id;
}

MATCHER(Succeeds, "holds a value") {
    if (!arg.has_value()) {
        *result_listener << "holds error " << arg.error().message_id << ": "
                         << arg.error().describe();
        return false;
    }
    return true;
}

/// The folder of real-world conformance data (../shared/testdata), or empty when absent.
inline std::string testdata_dir() {
#ifdef ENVSMITH_TESTDATA_DIR
    std::ifstream probe(std::string(ENVSMITH_TESTDATA_DIR) + "/MANIFEST.md");
    if (probe.good()) {
        return ENVSMITH_TESTDATA_DIR;
    }
#endif
    return {};
}

/// Skips the current test with a message when ../shared/testdata is absent.
#define ENVSMITH_REQUIRE_TESTDATA(dir_var)                                               \
    const std::string dir_var = ::envsmith::test::testdata_dir();                        \
    if (dir_var.empty()) {                                                               \
        GTEST_SKIP() << "../shared/testdata is absent; conformance test skipped";        \
    }

/// Reads a whole file; empty when missing.
inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

}  // namespace envsmith::test
