#include "envsmith/index/repodata_cache.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "channel_test_support.hpp"
#include "matchers.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const std::string url = "https://conda.anaconda.org/conda-forge/linux-64/repodata.json.zst";

CacheState state_with_etag(std::string etag) {
    CacheState state;
    state.etag = std::move(etag);
    state.last_modified = "Tue, 01 Jul 2025 10:00:00 GMT";
    state.fetched_at = std::chrono::system_clock::from_time_t(1'750'000'000);
    state.variant = "zst";
    return state;
}

TEST(RepodataCacheTest, ReadsWhatItWrote) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path() / "cache");
    const auto missing = cache.read(url);
    ASSERT_THAT(missing, test::Succeeds());
    EXPECT_FALSE(missing->has_value());

    ASSERT_THAT(cache.write(url, state_with_etag("\"abc\""), "{\"packages\":{}}"),
                test::Succeeds());
    const auto entry = cache.read(url);
    ASSERT_THAT(entry, test::Succeeds());
    ASSERT_TRUE(entry->has_value());
    EXPECT_EQ((*entry)->body, "{\"packages\":{}}");
    EXPECT_EQ((*entry)->state.etag, "\"abc\"");
    EXPECT_EQ((*entry)->state.variant, "zst");
    EXPECT_EQ((*entry)->state.body_bytes, 15U);
    EXPECT_EQ((*entry)->state.fetched_at, std::chrono::system_clock::from_time_t(1'750'000'000));
    EXPECT_EQ((*entry)->state.url, url);
    EXPECT_EQ(cache.body_path(url).filename().string(), RepodataCache::key(url) + ".body");
    EXPECT_EQ(RepodataCache::key(url).size(), 32U);

    // A 304 replaces the state only.
    auto newer = state_with_etag("\"def\"");
    ASSERT_THAT(cache.write_state(url, newer), test::Succeeds());
    const auto state = cache.read_state(url);
    ASSERT_THAT(state, test::Succeeds());
    EXPECT_EQ((*state)->etag, "\"def\"");
    EXPECT_EQ(cache.read(url)->value().body, "{\"packages\":{}}");

    ASSERT_THAT(cache.remove(url), test::Succeeds());
    EXPECT_FALSE(cache.read(url)->has_value());
}

TEST(RepodataCacheTest, StateFilesNeverHoldCredentials) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path());
    const std::string secret_url =
        "https://user:hunter2@example.com/t/tk-99/c/noarch/repodata.json";
    ASSERT_THAT(cache.write(secret_url, state_with_etag("x"), "{}"), test::Succeeds());
    const auto text = testing::read_file(cache.state_path(secret_url));
    EXPECT_THAT(text, Not(HasSubstr("hunter2")));
    EXPECT_THAT(text, Not(HasSubstr("tk-99")));
    ProbeMemory probes;
    probes.missing["shards"] = std::chrono::system_clock::from_time_t(1'750'000'000);
    ASSERT_THAT(cache.write_probes("https://user:hunter2@example.com/c/noarch/", probes),
                test::Succeeds());
    for (const auto& file : std::filesystem::recursive_directory_iterator(dir.path())) {
        if (file.is_regular_file()) {
            EXPECT_THAT(testing::read_file(file.path()), Not(HasSubstr("hunter2")));
        }
    }
}

TEST(RepodataCacheTest, ADamagedEntryReadsAsMissing) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path());
    ASSERT_THAT(cache.write(url, state_with_etag("e"), std::string(1000, 'x')), test::Succeeds());

    // A truncated body (a crash, a full disk) no longer matches the size in the state.
    std::filesystem::resize_file(cache.body_path(url), 10);
    EXPECT_FALSE(cache.read(url)->has_value());

    ASSERT_THAT(cache.write(url, state_with_etag("e"), "{}"), test::Succeeds());
    std::ofstream(cache.state_path(url), std::ios::trunc) << "{not json";
    EXPECT_FALSE(cache.read(url)->has_value());
    EXPECT_FALSE(cache.read_state(url)->has_value());
    std::ofstream(cache.state_path(url), std::ios::trunc) << R"({"url": 3})";
    EXPECT_FALSE(cache.read(url)->has_value());
}

TEST(RepodataCacheTest, RemembersProbesAndShards) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path());
    const std::string subdir = "https://example.com/c/linux-64/";
    EXPECT_TRUE(cache.read_probes(subdir).missing.empty());
    ProbeMemory probes;
    const auto when = std::chrono::system_clock::from_time_t(1'750'000'000);
    probes.missing["shards"] = when;
    probes.missing["zst"] = when;
    ASSERT_THAT(cache.write_probes(subdir, probes), test::Succeeds());
    const auto read = cache.read_probes(subdir);
    EXPECT_EQ(read.missing.size(), 2U);
    EXPECT_EQ(read.missing.at("zst"), when);
    EXPECT_TRUE(cache.read_probes("https://example.com/c/noarch/").missing.empty());

    const std::string hash(64, 'a');
    EXPECT_FALSE(cache.read_shard(hash).has_value());
    ASSERT_THAT(cache.write_shard(hash, "shard bytes"), test::Succeeds());
    EXPECT_EQ(cache.read_shard(hash).value_or(""), "shard bytes");
}

TEST(RepodataCacheTest, AFolderThatCannotBeCreatedIsAnError) {
    const test::TempDir dir;
    const auto file = dir.write("not-a-folder", "x");
    const RepodataCache cache(file / "cache");
    const auto written = cache.write(url, state_with_etag("e"), "{}");
    ASSERT_THAT(written, test::FailsWithId("index.cache.io"));
    EXPECT_EQ(written.error().code, core::ErrorCode::unavailable);
    EXPECT_FALSE(written.error().arg_value("path").empty());
}

/// A body whose every byte is the same letter, sized by that letter: a reader that saw a mix
/// of two writes would find the wrong size or letters.
std::string body_for(int writer, int round) {
    const char letter = static_cast<char>('a' + (writer * 7 + round) % 26);
    return std::string(static_cast<std::size_t>(1000 + (letter - 'a') * 3000), letter);
}

bool consistent(const CacheEntry& entry) {
    if (entry.body.empty())
        return false;
    const char letter = entry.body.front();
    return entry.body.size() == static_cast<std::size_t>(1000 + (letter - 'a') * 3000) &&
           entry.body.find_first_not_of(letter) == std::string::npos &&
           entry.state.etag == std::string(1, letter);
}

TEST(RepodataCacheTest, ThreadsSharingAnEntrySeeWholeEntries) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path());
    ASSERT_THAT(cache.write(url, state_with_etag("a"), body_for(0, 0)), test::Succeeds());
    std::atomic<int> bad{0};
    std::atomic<int> seen{0};
    std::vector<std::thread> threads;
    for (int writer = 0; writer < 3; ++writer) {
        threads.emplace_back([&, writer] {
            for (int round = 0; round < 40; ++round) {
                const auto body = body_for(writer, round);
                if (!cache.write(url, state_with_etag(std::string(1, body.front())), body))
                    ++bad;
            }
        });
    }
    for (int reader = 0; reader < 2; ++reader) {
        threads.emplace_back([&] {
            for (int round = 0; round < 80; ++round) {
                const auto entry = cache.read(url);
                if (!entry) {
                    ++bad;
                } else if (entry->has_value()) {
                    ++seen;
                    if (!consistent(**entry))
                        ++bad;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(bad.load(), 0);
    EXPECT_GT(seen.load(), 0);
}

TEST(RepodataCacheTest, ProcessesSharingAnEntrySeeWholeEntries) {
    const test::TempDir dir;
    const RepodataCache cache(dir.path());
    ASSERT_THAT(cache.write(url, state_with_etag("a"), body_for(0, 0)), test::Succeeds());
    const pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        // The child writes while the parent reads; it reports through its exit status only.
        int failures = 0;
        for (int round = 0; round < 60; ++round) {
            const auto body = body_for(1, round);
            if (!cache.write(url, state_with_etag(std::string(1, body.front())), body))
                ++failures;
        }
        _exit(failures == 0 ? 0 : 1);
    }
    int bad = 0;
    for (int round = 0; round < 120; ++round) {
        const auto entry = cache.read(url);
        if (!entry || !entry->has_value() || !consistent(**entry))
            ++bad;
    }
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    EXPECT_EQ(bad, 0);
    // No temporary file is left behind.
    for (const auto& file : std::filesystem::directory_iterator(dir.path() / "repodata")) {
        EXPECT_THAT(file.path().filename().string(), Not(HasSubstr(".tmp.")));
    }
}

}  // namespace
}  // namespace envsmith::index
