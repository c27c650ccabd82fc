#include "envsmith/diag/messages.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "envsmith/diag/embedded.hpp"
#include "matchers.hpp"

namespace envsmith::diag {
namespace {

using ::testing::ElementsAre;

TEST(MessagesTest, PicksTheLanguageLikePosix) {
    struct Case {
        const char* requested;
        const char* lc_all;
        const char* lc_messages;
        const char* lang;
        const char* expected;
    };
    const Case cases[] = {
        {"", "", "", "", "en"},
        {"", "", "", "pt_BR.UTF-8", "pt-BR"},
        {"", "", "cs_CZ.UTF-8", "pt_BR.UTF-8", "cs"},           // LC_MESSAGES over LANG
        {"", "es_ES.UTF-8", "cs_CZ.UTF-8", "pt_BR.UTF-8", "es"},  // LC_ALL over both
        {"it", "es_ES.UTF-8", "", "", "it"},                    // --lang over everything
        {"zh-Hans", "", "", "", "zh-CN"},
        {"", "", "", "zh_CN.GB18030", "zh-CN"},
        {"pt", "", "", "", "pt-BR"},
        {"", "C", "", "de_DE.UTF-8", "en"},  // C is English and stops the search
        {"de", "", "", "", "en"},            // unknown falls back to English
        {"", "", "", "fr_FR@euro", "en"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(std::string(c.requested) + "|" + c.lc_all + "|" + c.lc_messages + "|" + c.lang);
        EXPECT_EQ(pick_language(c.requested, c.lc_all, c.lc_messages, c.lang), c.expected);
    }
}

TEST(MessagesTest, FillsNamedPlaceholders) {
    EXPECT_EQ(fill_template("install `{package}` {version}", {{"version", "1.0"}, {"package", "numpy"}}),
              "install `numpy` 1.0");
    EXPECT_EQ(fill_template("{missing} and {{literal}}", {}), "? and {literal}");
    EXPECT_EQ(fill_template("unclosed {brace", {}), "unclosed {brace");
    EXPECT_THAT(placeholders("{b} {a} {b} {{not}}"), ElementsAre("a", "b"));
}

TEST(MessagesTest, CatalogErrorsAreLocated) {
    MessageCatalog catalog;
    const auto status = catalog.add_yaml("a: ok\nb:\n  - not a string\n", "x.yaml");
    ASSERT_FALSE(status.has_value());
    EXPECT_EQ(status.error().message_id, "messages.invalid");
    ASSERT_TRUE(status.error().where.has_value());
    EXPECT_EQ(status.error().where->line, 3U);
}

TEST(MessagesTest, TranslationFallsBackToEnglishPerId) {
    MessageCatalog english;
    ASSERT_THAT(english.add_yaml("a: \"hello {name}\"\nb: \"bye\"\n", "en.yaml"), test::Succeeds());
    MessageCatalog spanish;
    ASSERT_THAT(spanish.add_yaml("a: \"hola {name}\"\n", "es.yaml"), test::Succeeds());
    const Messages m(english, spanish, "es");
    EXPECT_EQ(m.render("a", {{"name", "Ana"}}), "hola Ana");
    EXPECT_EQ(m.render("b", {}), "bye");
    EXPECT_EQ(m.render("c", {}, "fallback"), "fallback");
}

TEST(MessagesTest, BuiltinEnglishLoads) {
    const auto m = Messages::load_builtin("en");
    ASSERT_THAT(m, test::Succeeds());
    EXPECT_NE(m->find("doctor.root_cause"), nullptr);
}

}  // namespace
}  // namespace envsmith::diag
