#include "envsmith/diag/log_lines.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

namespace envsmith::diag {
namespace {

TEST(LogLinesTest, RemovesWhatRealLogsCarryAroundTheText) {
    const std::pair<std::string, std::string> cases[] = {
        {"plain text", "plain text"},
        {"text with CR\r", "text with CR"},
        {"\x1b[31mERROR:\x1b[0m No matching distribution", "ERROR: No matching distribution"},
        {"\x1b]8;;https://x\x07link\x1b]8;;\x07 text", "link text"},
        {"2024-10-15T00:33:45: Collecting numpy", "Collecting numpy"},            // Azure ML
        {"2024-03-01T12:00:00.1234567Z ##[error]boom", "##[error]boom"},          // GitHub Actions
        {"2024-03-01 12:00:00,123 INFO ready", "INFO ready"},                    // Python logging
        {"2024-03-01T12:00:00+02:00 text", "text"},
        {"#12 3.456 ERROR: Could not find a version", "ERROR: Could not find a version"},  // BuildKit
        {"#12 [3/5] RUN pip install x", "[3/5] RUN pip install x"},
        {"2024-03-01T12:00:00Z #7 0.512 Killed", "Killed"},                       // nested prefixes
        {"Downloading 10%\rDownloading 50%\rDownloading 100%", "Downloading 100%"},
        {"#notaprefix text", "#notaprefix text"},
        {"2024-13 not a timestamp", "2024-13 not a timestamp"},
        {"Step 5/12 : RUN conda env create", "Step 5/12 : RUN conda env create"},
        {std::string("bad \xff\xfe utf8"), std::string("bad \xff\xfe utf8")},
    };
    for (const auto& [raw, expected] : cases) {
        SCOPED_TRACE(raw);
        EXPECT_EQ(normalize_log_line(raw), expected);
    }
}

struct Collected {
    std::uint64_t line;
    std::string text;
    std::size_t width;
    friend bool operator==(const Collected&, const Collected&) = default;
};

std::vector<Collected> split_in_chunks(std::string_view log, std::size_t chunk, std::size_t max = 16 * 1024) {
    std::vector<Collected> out;
    LogLineSplitter splitter(
        [&out](const LogLineSplitter::Line& line) {
            out.push_back({line.number, std::string(line.text), line.width});
        },
        max);
    for (std::size_t i = 0; i < log.size(); i += chunk) {
        splitter.feed(log.substr(i, chunk));
    }
    splitter.finish();
    return out;
}

TEST(LogLinesTest, ChunkBoundariesDoNotMatter) {
    const std::string log = "first\r\n\x1b[1msecond\x1b[0m\n\nfourth without newline";
    const auto whole = split_in_chunks(log, log.size());
    ASSERT_EQ(whole.size(), 4U);
    EXPECT_EQ(whole[1].text, "second");
    EXPECT_EQ(whole[1].width, 6U);  // escapes take no columns
    EXPECT_EQ(whole[3].line, 4U);
    for (std::size_t chunk = 1; chunk < 8; ++chunk) {
        SCOPED_TRACE(chunk);
        EXPECT_EQ(split_in_chunks(log, chunk), whole);
    }
}

TEST(LogLinesTest, VeryLongLinesAreCutAndTheNextLineIsIntact) {
    const std::string log = std::string(100'000, 'x') + "\nnext\n";
    const auto lines = split_in_chunks(log, 4096, 1000);
    ASSERT_EQ(lines.size(), 2U);
    EXPECT_EQ(lines[0].text.size(), 1000U);
    EXPECT_EQ(lines[1].text, "next");
    EXPECT_EQ(lines[1].line, 2U);
}

}  // namespace
}  // namespace envsmith::diag
