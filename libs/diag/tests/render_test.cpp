#include "envsmith/diag/render.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "matchers.hpp"

namespace envsmith::diag {
namespace {

using ::testing::HasSubstr;

class RenderTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto catalog = FailureCatalog::parse(R"(
- id: net.tls
  phase: fetch
  tier: 1
  signatures:
    - pattern: 'CERTIFICATE_VERIFY_FAILED.*host=(?P<host>\S+)'
      confidence: 0.9
- id: build.failed
  phase: layer
  tier: 3
  signatures:
    - pattern: 'returned a non-zero code: (?P<exit_code>\d+)'
      confidence: 0.9
)",
                                             "test.yaml");
        ASSERT_THAT(catalog, test::Succeeds());
        auto doctor = Doctor::create(std::move(*catalog));
        ASSERT_THAT(doctor, test::Succeeds());
        m_diagnosis = doctor->diagnose("x\nCERTIFICATE_VERIFY_FAILED host=pypi.org\nreturned a non-zero code: 1\n");
        MessageCatalog english;
        ASSERT_THAT(english.add_yaml(R"(
failure.net.tls.title: "TLS to {host} failed"
failure.net.tls.explanation: "explained"
failure.net.tls.fix: "- trust the CA of {host}"
failure.build.failed.title: "exit {exit_code}"
failure.build.failed.explanation: "e"
failure.build.failed.fix: "f"
)",
                                     "en.yaml"),
                    test::Succeeds());
        m_messages = std::make_unique<Messages>(english, MessageCatalog{}, "en");
        m_doctor_keepalive = std::make_unique<Doctor>(std::move(*doctor));
    }
    Diagnosis m_diagnosis;
    std::unique_ptr<Messages> m_messages;
    std::unique_ptr<Doctor> m_doctor_keepalive;  // findings point into its catalogue
    RenderOptions m_options{"build.log", false, "0.1.0"};
};

TEST_F(RenderTest, TextShowsCauseEvidenceFixAndConsequences) {
    const auto text = render_text(m_diagnosis, *m_messages, m_options);
    EXPECT_THAT(text, HasSubstr("root cause: TLS to pypi.org failed  [net.tls]"));
    EXPECT_THAT(text, HasSubstr("evidence (build.log, line 2):"));
    EXPECT_THAT(text, HasSubstr("     2 | CERTIFICATE_VERIFY_FAILED host=pypi.org"));
    EXPECT_THAT(text, HasSubstr("  - trust the CA of pypi.org"));
    EXPECT_THAT(text, HasSubstr("  - exit 1  [build.failed] (line 3, a consequence of net.tls)"));
}

TEST_F(RenderTest, JsonHasRootCauseAndFindingsAsData) {
    const auto j = nlohmann::json::parse(render_json(m_diagnosis, *m_messages, m_options));
    EXPECT_EQ(j["root_cause"]["id"], "net.tls");
    EXPECT_EQ(j["root_cause"]["captures"]["host"], "pypi.org");
    ASSERT_EQ(j["findings"].size(), 2U);
    EXPECT_EQ(j["findings"][1]["consequence_of"], "net.tls");
    EXPECT_EQ(j["findings"][1]["first_line"], 3);
    EXPECT_TRUE(j["findings"][0]["consequence_of"].is_null());
    EXPECT_EQ(j["lines"], 3);
}

TEST_F(RenderTest, SarifIsVersion210WithRulesAndRegions) {
    const auto j = nlohmann::json::parse(render_sarif(m_diagnosis, *m_messages, m_options));
    EXPECT_EQ(j["version"], "2.1.0");
    const auto& run = j["runs"][0];
    EXPECT_EQ(run["tool"]["driver"]["name"], "envsmith");
    ASSERT_EQ(run["tool"]["driver"]["rules"].size(), 2U);
    ASSERT_EQ(run["results"].size(), 2U);
    EXPECT_EQ(run["results"][0]["level"], "error");
    EXPECT_EQ(run["results"][1]["level"], "note");
    EXPECT_EQ(run["results"][0]["ruleIndex"], 0);
    const auto& region = run["results"][0]["locations"][0]["physicalLocation"]["region"];
    EXPECT_EQ(region["startLine"], 2);
    EXPECT_EQ(run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "build.log");
}

TEST_F(RenderTest, NoFindingSaysSo) {
    const auto text = render_text(Diagnosis{}, *m_messages, m_options);
    EXPECT_THAT(text, HasSubstr("no known failure found in build.log"));
}

}  // namespace
}  // namespace envsmith::diag
