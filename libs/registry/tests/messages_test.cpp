// The English templates in the code are the texts in locale/en/registry.yaml, and every
// language has every id with the same placeholders.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "envsmith/registry/manifest.hpp"
#include "envsmith/registry/messages.hpp"

namespace envsmith::registry {
namespace {

std::map<std::string, std::string> read_catalog(const std::string& language) {
    std::ifstream in(std::string(ENVSMITH_SOURCE_DIR) + "/locale/" + language + "/registry.yaml");
    std::map<std::string, std::string> texts;
    std::string line;
    static const std::regex entry(R"re(^([a-z_.]+): "(.*)"$)re");
    while (std::getline(in, line)) {
        std::smatch match;
        if (std::regex_match(line, match, entry)) {
            texts[match[1]] = match[2];
        }
    }
    return texts;
}

std::set<std::string> placeholders(const std::string& text) {
    std::set<std::string> names;
    static const std::regex placeholder(R"(\{([a-z_]+)\})");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), placeholder);
         it != std::sregex_iterator(); ++it) {
        names.insert((*it)[1]);
    }
    return names;
}

TEST(RegistryMessagesTest, TheEnglishCatalogHoldsTheTemplatesOfTheCode) {
    const auto english = read_catalog("en");
    ASSERT_FALSE(english.empty());
    for (const auto& entry : message_templates()) {
        SCOPED_TRACE(std::string(entry.id));
        const auto it = english.find(std::string(entry.id));
        ASSERT_NE(it, english.end());
        EXPECT_EQ(it->second, entry.text);
    }
}

TEST(RegistryMessagesTest, EveryLanguageHasEveryIdWithTheSamePlaceholders) {
    for (const auto* language : {"cs", "es", "it", "pt-BR", "zh-CN"}) {
        SCOPED_TRACE(language);
        const auto catalog = read_catalog(language);
        for (const auto& entry : message_templates()) {
            SCOPED_TRACE(std::string(entry.id));
            const auto it = catalog.find(std::string(entry.id));
            ASSERT_NE(it, catalog.end());
            EXPECT_EQ(placeholders(it->second), placeholders(std::string(entry.text)));
        }
    }
}

TEST(RegistryMessagesTest, ErrorsAreTheirTemplateFilledWithTheirArgs) {
    const auto invalid = parse_platform("linux");
    ASSERT_FALSE(invalid.has_value());
    EXPECT_EQ(invalid.error().message_id, "registry.platform_invalid");
    EXPECT_EQ(invalid.error().message,
              "invalid platform `linux`: expected `os/architecture` or `os/architecture/variant`");
    EXPECT_EQ(invalid.error().code, core::ErrorCode::invalid_input);
}

}  // namespace
}  // namespace envsmith::registry
