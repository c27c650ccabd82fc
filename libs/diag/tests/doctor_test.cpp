#include "envsmith/diag/doctor.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matchers.hpp"

namespace envsmith::diag {
namespace {

// A small catalogue of our own, so these tests check the engine, not the built-in patterns.
constexpr const char* test_catalog = R"yaml(
- id: net.tls
  phase: fetch
  tier: 1
  signatures:
    - pattern: 'CERTIFICATE_VERIFY_FAILED'
      confidence: 0.9
- id: net.retry
  phase: fetch
  tier: 1
  signatures:
    - pattern: 'Retrying .* after connection broken'
      confidence: 0.3
- id: pip.missing
  phase: solve
  tier: 2
  consequence_of: [net.tls, net.retry]
  signatures:
    - pattern: 'No matching distribution found for (?P<requirement>\S+)'
      confidence: 0.9
    - pattern: '^Collecting (?P<package>[A-Za-z0-9_.-]+)'
      confidence: 0.1
      context_only: true
- id: build.failed
  phase: layer
  tier: 3
  signatures:
    - pattern: "returned a non-zero code: (?P<exit_code>\\d+)"
      confidence: 0.9
- id: disk.full
  phase: runtime
  tier: 1
  signatures:
    - pattern: 'No space left on device'
      confidence: 0.95
)yaml";

Doctor make_doctor() {
    auto catalog = FailureCatalog::parse(test_catalog, "test.yaml");
    EXPECT_THAT(catalog, test::Succeeds());
    auto doctor = Doctor::create(std::move(*catalog));
    EXPECT_THAT(doctor, test::Succeeds());
    return std::move(*doctor);
}

TEST(DoctorTest, NamesTheCauseFarAboveTheLastError) {
    const auto doctor = make_doctor();
    const auto d = doctor.diagnose(
        "Collecting numpy==1.99\n"
        "WARNING: Retrying (Retry(total=4)) after connection broken by 'SSLError'\n"
        "  SSLError(SSLCertVerificationError(1, '[SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed'))\n"
        "ERROR: No matching distribution found for numpy==1.99\n"
        "The command '/bin/sh -c pip install numpy==1.99' returned a non-zero code: 1\n");
    ASSERT_NE(d.root(), nullptr);
    EXPECT_EQ(d.root()->id(), "net.tls");
    EXPECT_EQ(d.root()->first_line, 3U);
    EXPECT_EQ(d.lines, 5U);
    ASSERT_EQ(d.findings.size(), 4U);
    for (const auto& f : d.findings) {
        SCOPED_TRACE(f.id());
        if (f.id() == "pip.missing" || f.id() == "build.failed") {
            EXPECT_EQ(f.consequence_of, "net.tls");
        }
        if (f.id() == "pip.missing") {
            EXPECT_EQ(f.captures.size(), 2U);  // requirement, and package from the context line
            EXPECT_EQ(f.captures[0].value, "numpy==1.99");
        }
        if (f.id() == "build.failed") {
            ASSERT_EQ(f.captures.size(), 1U);
            EXPECT_EQ(f.captures[0].value, "1");
        }
    }
    // The retry warning, corroborated by the missing distribution after it, ranks with the
    // other tier-1 cause, below the more confident one, and is not called a consequence.
    EXPECT_EQ(d.findings[1].id(), "net.retry");
    EXPECT_EQ(d.findings[1].consequence_of, "");
}

TEST(DoctorTest, AWeakCauseFollowedByTheFailureItExplainsIsTheRootCause) {
    const auto doctor = make_doctor();
    const auto d = doctor.diagnose(
        "WARNING: Retrying (Retry(total=4)) after connection broken by 'ReadTimeoutError'\n"
        "ERROR: No matching distribution found for numpy\n"
        "The command '/bin/sh -c pip install numpy' returned a non-zero code: 1\n");
    ASSERT_NE(d.root(), nullptr);
    EXPECT_EQ(d.root()->id(), "net.retry");
    EXPECT_DOUBLE_EQ(d.root()->confidence, 0.55);
    // A generic summary alone corroborates nothing: the retry stays a weak finding.
    const auto generic = doctor.diagnose(
        "WARNING: Retrying (Retry(total=4)) after connection broken by x\n"
        "The command '/bin/sh -c make' returned a non-zero code: 2\n");
    ASSERT_NE(generic.root(), nullptr);
    EXPECT_EQ(generic.root()->id(), "build.failed");
}

TEST(DoctorTest, TheGenericFailureAloneIsTheRootCause) {
    const auto doctor = make_doctor();
    const auto d = doctor.diagnose("Step 3/3 : RUN make\nThe command '/bin/sh -c make' returned a non-zero code: 2\n");
    ASSERT_NE(d.root(), nullptr);
    EXPECT_EQ(d.root()->id(), "build.failed");
}

TEST(DoctorTest, LowConfidenceAloneIsNoRootCause) {
    const auto doctor = make_doctor();
    const auto d = doctor.diagnose("WARNING: Retrying (Retry(total=4)) after connection broken by x\nSuccessfully installed\n");
    EXPECT_EQ(d.root(), nullptr);
    ASSERT_EQ(d.findings.size(), 1U);
    EXPECT_EQ(d.findings[0].id(), "net.retry");
    EXPECT_EQ(doctor.diagnose("all good\n").findings.size(), 0U);
}

TEST(DoctorTest, IndependentFailuresOfOneTierAreNotConsequences) {
    const auto doctor = make_doctor();
    const auto d = doctor.diagnose("OSError: [Errno 28] No space left on device\n[SSL: CERTIFICATE_VERIFY_FAILED]\n");
    ASSERT_NE(d.root(), nullptr);
    EXPECT_EQ(d.root()->id(), "disk.full");  // more confident
    EXPECT_EQ(d.findings[1].consequence_of, "");
}

TEST(DoctorTest, JoinsLinesWrappedAtEightyColumns) {
    const auto doctor = make_doctor();
    // A terminal wrap cuts the text mid-word at column 80.
    const std::string wrapped = std::string(46, '.') + "ERROR: No matching distribution f";
    ASSERT_EQ(wrapped.size(), 79U);
    const std::string log = wrapped + "o\nund for scipy\n";
    const auto d = doctor.diagnose(log);
    ASSERT_NE(d.root(), nullptr);
    EXPECT_EQ(d.root()->id(), "pip.missing");
    EXPECT_EQ(d.root()->first_line, 1U);
    EXPECT_EQ(d.root()->last_line, 2U);
}

TEST(DoctorTest, JoinsARunOfWrappedLines) {
    const auto doctor = make_doctor();
    // One long line as a terminal shows it: cut every 80 columns, spaces at the cuts kept.
    const std::string long_line =
        std::string(70, '.') + "Retrying " + std::string(150, 'y') + " after connection broken by x";
    std::string log;
    for (std::size_t i = 0; i < long_line.size(); i += 80) {
        log += long_line.substr(i, 80) + "\n";
    }
    const auto d = doctor.diagnose(log);
    ASSERT_EQ(d.findings.size(), 1U);
    EXPECT_EQ(d.findings[0].id(), "net.retry");
    EXPECT_EQ(d.findings[0].first_line, 1U);
    EXPECT_EQ(d.findings[0].last_line, 4U);
}

TEST(DoctorTest, StreamingGivesTheSameAnswerAsOneShot) {
    const auto doctor = make_doctor();
    std::string log;
    for (int i = 0; i < 2000; ++i) {
        log += "noise line " + std::to_string(i) + "\n";
    }
    log += "No space left on device\r\n";
    auto session = doctor.start();
    for (std::size_t i = 0; i < log.size(); i += 7) {
        session.feed(std::string_view(log).substr(i, 7));
    }
    const auto streamed = session.finish();
    ASSERT_NE(streamed.root(), nullptr);
    EXPECT_EQ(streamed.root()->first_line, 2001U);
    EXPECT_EQ(streamed.root()->evidence.size(), 1U);
    EXPECT_EQ(doctor.diagnose(log).root()->first_line, 2001U);
}

TEST(DoctorTest, CatalogueErrorsAreLocated) {
    const auto bad_pattern = FailureCatalog::parse(
        "- id: a\n  phase: fetch\n  signatures:\n    - pattern: '(unclosed'\n", "c.yaml");
    ASSERT_THAT(bad_pattern, test::FailsWithId("catalog.invalid"));
    EXPECT_EQ(bad_pattern.error().where->line, 4U);
    const auto duplicate = FailureCatalog::parse(
        "- id: a\n  phase: fetch\n  signatures: []\n- id: a\n  phase: fetch\n  signatures: []\n", "c.yaml");
    EXPECT_THAT(duplicate, test::FailsWithId("catalog.invalid"));
    const auto unknown_ref = FailureCatalog::parse(
        "- id: a\n  phase: fetch\n  consequence_of: [b]\n  signatures: []\n", "c.yaml");
    EXPECT_THAT(unknown_ref, test::FailsWithId("catalog.invalid"));
    const auto bad_phase = FailureCatalog::parse("- id: a\n  phase: later\n  signatures: []\n", "c.yaml");
    EXPECT_THAT(bad_phase, test::FailsWithId("catalog.invalid"));
}

}  // namespace
}  // namespace envsmith::diag
