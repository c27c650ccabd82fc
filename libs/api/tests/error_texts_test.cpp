// The English texts of locale/en/errors.yaml, filled with an error's args, give back the
// error's English message, for the ids of the index layer and of the settings file (the specs
// ids are checked in libs/diag/tests/error_ids_test.cpp). An id with several wordings has the
// text of one; the others lack an argument that text names, so the CLI prints them in English.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>

#include "envsmith/api/network.hpp"
#include "envsmith/diag/messages.hpp"
#include "envsmith/index/channel.hpp"
#include "envsmith/index/pypi.hpp"
#include "envsmith/index/repodata.hpp"
#include "envsmith/index/simple_api.hpp"
#include "envsmith/index/wheel_metadata.hpp"
#include "envsmith/specs/settings.hpp"
#include "envsmith/specs/wheel.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"

namespace envsmith::api {
namespace {

const diag::MessageCatalog& english() {
    static const auto catalog = diag::MessageCatalog::load_builtin("en");
    return *catalog;
}

bool lacks_an_arg_of_its_text(const core::Error& error, const std::string& text) {
    for (const auto& name : diag::placeholders(text)) {
        bool present = false;
        for (const auto& arg : error.args) {
            present = present || arg.name == name;
        }
        if (!present) {
            return true;
        }
    }
    return false;
}

/// The text of the error's id rebuilds its message (`other_wording`: or the error is another
/// wording of the id, which lacks an argument the text names).
void expect_text_matches(const core::Error& error, bool other_wording = false) {
    SCOPED_TRACE(error.message_id + ": " + error.message);
    const auto* text = english().find(error.message_id);
    ASSERT_NE(text, nullptr);
    if (other_wording) {
        EXPECT_TRUE(lacks_an_arg_of_its_text(error, *text));
    } else {
        EXPECT_EQ(diag::fill_template(*text, error.args), error.message);
    }
}

template <typename T>
void expect_fails_with_matching_text(const core::Result<T>& result, bool other_wording = false) {
    ASSERT_FALSE(result.has_value());
    expect_text_matches(result.error(), other_wording);
}

TEST(ErrorTexts, IndexErrorsAreRebuiltFromTheirArgs) {
    ASSERT_THAT(diag::MessageCatalog::load_builtin("en"), test::Succeeds());
    expect_fails_with_matching_text(index::Channel::parse("conda forge", {}));
    expect_fails_with_matching_text(index::parse_index_strategy("best"));
    expect_text_matches(index::http_status_error("https://user:pw@pypi.example.com/x", 503));

    index::ParseOptions options;
    options.source = "https://conda.example.com/linux-64/repodata.json";
    expect_fails_with_matching_text(
        index::Repodata::parse(R"({"packages": {"a-1-0.tar.bz2": {"name": "a"}}})", options));
    // Malformed JSON names no package: the other wording, printed in English.
    expect_fails_with_matching_text(index::Repodata::parse("{", options), true);

    expect_fails_with_matching_text(
        index::parse_simple_json("[]", "https://pypi.example.com/simple/numpy/"));
    const auto wheel = specs::WheelFilename::parse("numpy-1.0-py3-none-any.whl");
    ASSERT_THAT(wheel, test::Succeeds());
    expect_fails_with_matching_text(index::read_wheel_metadata(
        "not a zip", *wheel, "https://files.example.com/numpy-1.0-py3-none-any.whl"));
}

TEST(ErrorTexts, SettingsErrorsAreRebuiltFromTheirArgs) {
    for (const auto* text : {
             "channel_alias: [a]\n",                          // settings.type
             "default_channels:\n  - [a]\n",                  // settings.type, in a list
             "chanel_alias: x\n",                             // settings.unknown_key
             "credentials:\n  - hots: x\n",                   // settings.unknown_key
             "netrc: a\nnetrc: b\n",                          // settings.duplicate_key
             "{[a]: 1}\n",                                    // settings.bad_key
             "- a\n",                                         // settings.not_mapping
             "credentials:\n  - host: h\n",                   // settings.credential
             "credentials:\n  - host: h\n    password: p\n",  // settings.credential
             "credentials:\n  - host: h\n    token: t\n    token_env: T\n",
         }) {
        SCOPED_TRACE(text);
        expect_fails_with_matching_text(specs::parse_settings(text, "config.yaml"));
    }
    // "a credential needs `host`": the other wording.
    expect_fails_with_matching_text(
        specs::parse_settings("credentials:\n  - token: t\n", "config.yaml"), true);

    test::MemoryFileSystem fs;
    fs.add("config.yaml", "credentials:\n  - host: h\n    token_env: ENVSMITH_TEST_UNSET_4712\n");
    ::unsetenv("ENVSMITH_TEST_UNSET_4712");
    expect_fails_with_matching_text(load_network_settings(fs, "config.yaml"));
}

}  // namespace
}  // namespace envsmith::api
