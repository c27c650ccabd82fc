#include "envsmith/diag/catalog.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>

#include <re2/re2.h>

#include <set>

#include "envsmith/diag/embedded.hpp"
#include "envsmith/diag/messages.hpp"
#include "matchers.hpp"

namespace envsmith::diag {
namespace {

TEST(CatalogTest, BuiltinCatalogueLoadsAndEveryEntryHasItsTexts) {
    const auto catalog = FailureCatalog::load_builtin();
    ASSERT_THAT(catalog, test::Succeeds());
    EXPECT_GE(catalog->entries().size(), 40U);
    const auto english = Messages::load_builtin("en");
    ASSERT_THAT(english, test::Succeeds());
    for (const auto& entry : catalog->entries()) {
        SCOPED_TRACE(entry.id);
        EXPECT_FALSE(entry.signatures.empty());
        // The captures any signature of the entry can fill.
        std::set<std::string> captures;
        for (const auto& signature : entry.signatures) {
            const RE2 re(signature.pattern);
            for (const auto& [name, index] : re.NamedCapturingGroups()) {
                captures.insert(name);
            }
        }
        for (const auto& id : {entry.title_id(), entry.explanation_id(), entry.fix_id()}) {
            SCOPED_TRACE(id);
            const auto* text = english->find(id);
            ASSERT_NE(text, nullptr);
            EXPECT_FALSE(text->empty());
            for (const auto& placeholder : placeholders(*text)) {
                EXPECT_TRUE(captures.count(placeholder) == 1)
                    << "placeholder {" << placeholder << "} is no capture of the entry";
            }
        }
    }
}

TEST(CatalogTest, EveryTranslationHasEveryMessageWithTheSamePlaceholders) {
    const auto english = MessageCatalog::load_builtin("en");
    ASSERT_THAT(english, test::Succeeds());
    ASSERT_FALSE(english->templates().empty());
    for (const auto& language : supported_languages()) {
        if (language == "en") {
            continue;
        }
        SCOPED_TRACE(language);
        const auto translation = MessageCatalog::load_builtin(language);
        ASSERT_THAT(translation, test::Succeeds());
        std::size_t left_in_english = 0;
        for (const auto& [id, text] : english->templates()) {
            SCOPED_TRACE(id);
            const auto* own = translation->find(id);
            ASSERT_NE(own, nullptr) << "missing translation";
            EXPECT_EQ(placeholders(*own), placeholders(text));
            // A text that is only placeholders ("{error}") or a word such as "ok" reads the
            // same in every language.
            std::string words = text;
            for (const auto& placeholder : placeholders(text)) {
                const auto braced = "{" + placeholder + "}";
                for (auto at = words.find(braced); at != std::string::npos; at = words.find(braced)) {
                    words.erase(at, braced.size());
                }
            }
            const auto letters = static_cast<std::size_t>(std::count_if(
                words.begin(), words.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0; }));
            if (letters > 3) {
                left_in_english += *own == text ? std::size_t{1} : std::size_t{0};
            }
        }
        for (const auto& [id, text] : translation->templates()) {
            EXPECT_NE(english->find(id), nullptr) << id << " is not an English message id";
        }
        EXPECT_LE(left_in_english, 3U) << "messages identical to the English text";
    }
}

}  // namespace
}  // namespace envsmith::diag
