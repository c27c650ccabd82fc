// Runs every tests/solver_cases/*.case (the format: docs/solver.md).
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "envsmith/solver/conda.hpp"
#include "envsmith/solver/explain.hpp"
#include "matchers.hpp"
#include "support/case_file.hpp"

namespace envsmith::solver {
namespace {

std::vector<std::string> case_files() {
    std::vector<std::string> out;
    const std::filesystem::path dir = std::filesystem::path(ENVSMITH_SOURCE_DIR) / "tests" / "solver_cases";
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
        if (entry.path().extension() == ".case") out.push_back(entry.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
}

std::string read(const std::string& path) {
    std::ifstream in(path);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

class SolverCaseTest : public ::testing::TestWithParam<std::string> {};

TEST_P(SolverCaseTest, GivesTheExpectedOutcome) {
    auto parsed = testing::parse_case(read(GetParam()), GetParam(), test::testdata_dir());
    ASSERT_TRUE(parsed) << parsed.error().message;
    const testing::SolverCase& c = parsed.value();
    if (c.needs_testdata && test::testdata_dir().empty()) GTEST_SKIP() << "no ../shared/testdata";
    auto source = testing::CaseSource::load(c);
    ASSERT_TRUE(source) << source.error().message;
    auto outcome = solve_conda(source.value(), c.request);
    ASSERT_TRUE(outcome) << outcome.error().message;
    if (c.expect_solved) {
        const auto* solution = std::get_if<CondaSolution>(&outcome.value().result);
        if (solution == nullptr) {
            std::string text;
            for (const auto& line : explain(std::get<Unsolvable>(outcome.value().result), *outcome.value().provider)) {
                text += std::string(line.depth * 2, ' ') + line.text + "\n";
            }
            FAIL() << "unsolvable:\n" << text;
        }
        std::vector<std::string> got;
        for (const auto& r : solution->records) {
            got.push_back(r.record.name + "-" + r.record.version.to_string() + "-" + r.record.build);
        }
        std::vector<std::string> want = c.expected;
        std::sort(got.begin(), got.end());
        std::sort(want.begin(), want.end());
        EXPECT_EQ(got, want);
    } else {
        const auto* unsolvable = std::get_if<Unsolvable>(&outcome.value().result);
        ASSERT_NE(unsolvable, nullptr) << "solved, expected unsolvable";
        std::vector<std::string> got;
        for (const auto& line : explain(*unsolvable, *outcome.value().provider)) {
            got.push_back(std::string(line.depth * 2, ' ') + line.text);
        }
        EXPECT_EQ(got, c.expected);
    }
}

std::string case_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string name = std::filesystem::path(info.param).stem().string();
    for (char& ch : name) {
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
    }
    return name;
}

INSTANTIATE_TEST_SUITE_P(Cases, SolverCaseTest, ::testing::ValuesIn(case_files()), case_name);

}  // namespace
}  // namespace envsmith::solver
