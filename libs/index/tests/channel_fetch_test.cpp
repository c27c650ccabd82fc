#include "envsmith/index/channel_fetch.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "channel_test_support.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;
using test::Fault;
using ::testing::AllOf;
using ::testing::Contains;
using ::testing::Field;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

enum Variants : unsigned { json = 1, zst = 2, bz2 = 4 };

class ChannelFetchTest : public ::testing::Test {
protected:
    ChannelFetchTest() { m_config.channel_alias = m_server.base_url(); }

    /// Copies `subdir/repodata.json` of a test channel under `name`, in the forms asked for.
    void add_subdir(const std::string& name, const std::string& subdir, const std::string& json,
                    unsigned variants = Variants::json) {
        const auto folder = name + "/" + subdir + "/";
        if ((variants & Variants::json) != 0U)
            m_root.write(folder + "repodata.json", json);
        if ((variants & Variants::zst) != 0U)
            m_root.write(folder + "repodata.json.zst", testing::zstd_compress(json));
        if ((variants & Variants::bz2) != 0U)
            m_root.write(folder + "repodata.json.bz2", testing::bzip2_compress(json));
    }

    Channel channel(const std::string& name) {
        auto parsed = Channel::parse(name, m_config);
        EXPECT_THAT(parsed, test::Succeeds());
        return *parsed;
    }

    ChannelFetcher fetcher() {
        return ChannelFetcher(m_transport, m_cache, m_reporter, m_clock, m_options);
    }

    std::uint32_t requests(const std::string& path) const { return m_server.requests(path); }

    const std::string m_small = R"({"info":{"subdir":"noarch"},"packages":{},"removed":[]})";
    test::TempDir m_root;
    test::TempDir m_cache_dir;
    test::TestServer m_server{m_root.path()};
    ChannelConfig m_config;
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{testing::quick_transport_options(), m_reporter};
    RepodataCache m_cache{m_cache_dir.path()};
    testing::FakeClock m_clock;
    FetchOptions m_options;
};

TEST_F(ChannelFetchTest, ProbesEachFormInOrderAndRemembersWhatTheServerLacks) {
    const std::string linux = R"({"info":{"subdir":"linux-64"},"packages":{}})";
    add_subdir("chan", "linux-64", linux);
    add_subdir("chan", "noarch", m_small);
    const std::vector<Channel> channels{channel("chan")};

    auto first = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(first, test::Succeeds());
    ASSERT_EQ(first->size(), 2U);
    EXPECT_EQ((*first)[0].subdir, "linux-64");
    EXPECT_EQ((*first)[0].presence, SubdirPresence::present);
    EXPECT_EQ((*first)[0].variant, RepodataVariant::json);
    EXPECT_EQ((*first)[0].body, linux);
    EXPECT_EQ((*first)[0].source, BodySource::network);
    EXPECT_EQ((*first)[0].subdir_url, m_server.base_url() + "/chan/linux-64/");
    EXPECT_EQ((*first)[1].subdir, "noarch");
    EXPECT_EQ((*first)[1].body, m_small);
    for (const auto* file : {"repodata_shards.msgpack.zst", "repodata.json.zst",
                             "repodata.json.bz2", "repodata.json"}) {
        SCOPED_TRACE(file);
        EXPECT_EQ(requests(std::string("/chan/linux-64/") + file), 1U);
        EXPECT_EQ(requests(std::string("/chan/noarch/") + file), 1U);
    }

    // The next run asks for repodata.json only, conditionally: 304, the cached body.
    m_options.max_age = seconds{0};
    auto second = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(second, test::Succeeds());
    EXPECT_EQ((*second)[0].body, linux);
    EXPECT_EQ((*second)[0].source, BodySource::revalidated);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json"), 2U);
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json.zst"), 1U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json.bz2"), 1U);
    EXPECT_FALSE(m_server.last_header("/chan/linux-64/repodata.json", "If-None-Match").empty());

    // Once the memory expires, the forms are probed again.
    m_clock.advance(std::chrono::duration_cast<seconds>(m_options.probe_memory) + seconds{1});
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 2U);
}

TEST_F(ChannelFetchTest, PrefersZstThenBz2ThenJson) {
    const std::string linux = R"({"info":{"subdir":"linux-64"},"packages":{"a-1-0.tar.bz2":{}}})";
    add_subdir("chan", "linux-64", linux, Variants::json | Variants::zst | Variants::bz2);
    add_subdir("chan", "noarch", m_small, Variants::json | Variants::bz2);
    m_options.shards = UseShards::no;
    auto fetched = fetcher().fetch_subdirs({channel("chan")});
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[0].variant, RepodataVariant::zst);
    EXPECT_EQ((*fetched)[0].body, linux);
    EXPECT_EQ((*fetched)[1].variant, RepodataVariant::bz2);
    EXPECT_EQ((*fetched)[1].body, m_small);
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 0U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json.bz2"), 0U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json"), 0U);
    EXPECT_EQ(requests("/chan/noarch/repodata.json"), 0U);
}

TEST_F(ChannelFetchTest, AFreshEntryNeedsNoRequestAndAStaleOneIsRevalidated) {
    add_subdir("chan", "linux-64", m_small, Variants::zst);
    add_subdir("chan", "noarch", m_small, Variants::zst);
    m_options.max_age = seconds{600};
    const std::vector<Channel> channels{channel("chan")};
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    EXPECT_EQ(requests("/chan/noarch/repodata.json.zst"), 1U);

    m_clock.advance(seconds{599});
    auto cached = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(cached, test::Succeeds());
    EXPECT_EQ((*cached)[1].source, BodySource::cache);
    EXPECT_EQ((*cached)[1].body, m_small);
    EXPECT_EQ(requests("/chan/noarch/repodata.json.zst"), 1U);

    m_clock.advance(seconds{2});
    auto revalidated = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(revalidated, test::Succeeds());
    EXPECT_EQ((*revalidated)[1].source, BodySource::revalidated);
    EXPECT_EQ((*revalidated)[1].body, m_small);
    EXPECT_EQ(requests("/chan/noarch/repodata.json.zst"), 2U);

    // The 304 restarted the clock of the entry.
    m_clock.advance(seconds{10});
    auto again = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ((*again)[1].source, BodySource::cache);
    EXPECT_EQ(requests("/chan/noarch/repodata.json.zst"), 2U);
}

TEST_F(ChannelFetchTest, ANewerFileOnTheServerReplacesTheCachedOne) {
    add_subdir("chan", "noarch", m_small);
    m_options.max_age = seconds{0};
    const std::vector<Channel> channels{channel("chan")};
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    const std::string newer = R"({"info":{"subdir":"noarch"},"packages":{"b-1-0.tar.bz2":{}}})";
    add_subdir("chan", "noarch", newer);
    // The test server's ETag follows size and mtime; the size changed.
    auto fetched = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[1].body, newer);
    EXPECT_EQ((*fetched)[1].source, BodySource::network);
}

TEST_F(ChannelFetchTest, OfflineUsesTheCacheOnly) {
    add_subdir("chan", "noarch", m_small);
    m_options.offline = Offline::yes;
    const std::vector<Channel> channels{channel("chan")};
    const auto missing = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(missing, test::FailsWithId("index.cache.offline_missing"));
    EXPECT_EQ(missing.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(missing.error().arg_value("channel"), "chan");
    EXPECT_FALSE(missing.error().hint.empty());
    EXPECT_EQ(requests("/chan/noarch/repodata.json"), 0U);

    m_options.offline = Offline::no;
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    const auto online_requests = requests("/chan/noarch/repodata.json");

    m_options.offline = Offline::yes;
    m_clock.advance(seconds{100'000});  // however old
    auto offline = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(offline, test::Succeeds());
    EXPECT_EQ((*offline)[1].body, m_small);
    EXPECT_EQ((*offline)[1].source, BodySource::cache);
    EXPECT_EQ(requests("/chan/noarch/repodata.json"), online_requests);
}

TEST_F(ChannelFetchTest, AChannelWithOnlyNoarchIsValid) {
    add_subdir("chan", "noarch", m_small);
    auto fetched = fetcher().fetch_subdirs({channel("chan")});
    ASSERT_THAT(fetched, test::Succeeds());
    ASSERT_EQ(fetched->size(), 2U);
    EXPECT_EQ((*fetched)[0].subdir, "linux-64");
    EXPECT_EQ((*fetched)[0].presence, SubdirPresence::absent);
    EXPECT_THAT((*fetched)[0].body, IsEmpty());
    EXPECT_EQ((*fetched)[0].tried_urls.size(), 4U);
    EXPECT_EQ((*fetched)[1].presence, SubdirPresence::present);
}

TEST_F(ChannelFetchTest, AnAbsentSubdirCostsOneRequestUntilItAppears) {
    add_subdir("chan", "noarch", m_small);
    m_options.max_age = seconds{0};
    const std::vector<Channel> channels{channel("chan")};
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json"), 1U);

    auto again = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ((*again)[0].presence, SubdirPresence::absent);
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1U);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json"), 2U);

    const std::string linux = R"({"info":{"subdir":"linux-64"},"packages":{}})";
    add_subdir("chan", "linux-64", linux);
    auto appeared = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(appeared, test::Succeeds());
    EXPECT_EQ((*appeared)[0].presence, SubdirPresence::present);
    EXPECT_EQ((*appeared)[0].body, linux);
    // From now on repodata.json is revalidated directly.
    auto later = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(later, test::Succeeds());
    EXPECT_EQ((*later)[0].source, BodySource::revalidated);
    EXPECT_EQ(requests("/chan/linux-64/repodata.json"), 4U);
    EXPECT_EQ(requests("/chan/linux-64/repodata_shards.msgpack.zst"), 1U);
}

TEST_F(ChannelFetchTest, AMissingChannelNamesTheUrlsTried) {
    add_subdir("chan", "noarch", m_small);
    auto fetched = fetcher().fetch_subdirs({channel("chan"), channel("nochan")});
    ASSERT_THAT(fetched, test::FailsWithId("index.channel.not_found"));
    const auto& error = fetched.error();
    EXPECT_EQ(error.code, core::ErrorCode::not_found);
    EXPECT_EQ(error.arg_value("channel"), "nochan");
    EXPECT_THAT(error.message, HasSubstr("nochan"));
    const std::string urls(error.arg_value("urls"));
    EXPECT_THAT(urls, HasSubstr(m_server.base_url() + "/nochan/linux-64/repodata.json"));
    EXPECT_THAT(urls, HasSubstr(m_server.base_url() + "/nochan/noarch/repodata.json.zst"));
    EXPECT_THAT(urls, Not(HasSubstr("/chan/")));
    EXPECT_FALSE(error.hint.empty());
}

TEST_F(ChannelFetchTest, CredentialsStayOutOfErrorsAndEvents) {
    const auto secret = Channel::parse(m_server.base_url() + "/t/tk-hunter2/nochan", m_config);
    ASSERT_THAT(secret, test::Succeeds());
    auto fetched = fetcher().fetch_subdirs({*secret});
    ASSERT_THAT(fetched, test::FailsWithId("index.channel.not_found"));
    EXPECT_THAT(fetched.error().describe(), Not(HasSubstr("hunter2")));
    for (const auto& arg : fetched.error().args) {
        EXPECT_THAT(arg.value, Not(HasSubstr("hunter2")));
    }
    for (const auto& text : m_reporter.all_texts()) {
        EXPECT_THAT(text, Not(HasSubstr("hunter2")));
    }
}

TEST_F(ChannelFetchTest, ADamagedCacheEntryIsFetchedAgain) {
    add_subdir("chan", "noarch", m_small);
    const std::vector<Channel> channels{channel("chan")};
    ASSERT_THAT(fetcher().fetch_subdirs(channels), test::Succeeds());
    const auto key = m_server.base_url() + "/chan/noarch/repodata.json";
    ASSERT_TRUE(fs::exists(m_cache.state_path(key)));

    fs::resize_file(m_cache.body_path(key), 3);  // a crash mid-write, a full disk
    auto after_truncation = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(after_truncation, test::Succeeds());
    EXPECT_EQ((*after_truncation)[1].body, m_small);
    EXPECT_EQ((*after_truncation)[1].source, BodySource::network);

    { std::ofstream(m_cache.state_path(key), std::ios::trunc) << "\x01\x02 not json"; }
    auto after_garbage = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(after_garbage, test::Succeeds());
    EXPECT_EQ((*after_garbage)[1].body, m_small);
    EXPECT_EQ((*after_garbage)[1].source, BodySource::network);

    // The body vanished after the state was read: the 304 has nothing to reuse, so the
    // file is asked for again without conditions.
    m_options.max_age = seconds{0};
    const auto before = requests("/chan/noarch/repodata.json");
    fs::remove(m_cache.body_path(key));
    auto fetched = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[1].body, m_small);
    EXPECT_EQ(requests("/chan/noarch/repodata.json"), before + 2);
}

TEST_F(ChannelFetchTest, ABrokenMirrorIsSkippedWithAWarning) {
    add_subdir("chan", "noarch", m_small);
    test::TempDir broken_root;
    test::TestServer broken{broken_root.path()};
    for (const auto* file : {"repodata_shards.msgpack.zst", "repodata.json.zst",
                             "repodata.json.bz2", "repodata.json"}) {
        for (const auto* subdir : {"linux-64", "noarch"}) {
            broken.inject(fmt::format("/mirror/{}/{}", subdir, file), Fault::http_status(500), 10);
        }
    }
    m_config.mirrors["chan"] = {broken.base_url() + "/mirror", m_server.base_url() + "/chan"};
    auto fetched = fetcher().fetch_subdirs({channel("chan")});
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[1].body, m_small);
    EXPECT_EQ((*fetched)[1].subdir_url, m_server.base_url() + "/chan/noarch/");
    EXPECT_THAT(m_reporter.warnings,
                Contains(Field(&test::RecordingReporter::Warning::message_id, "net.mirror.next")));
    bool named = false;
    for (const auto& warning : m_reporter.warnings) {
        if (warning.message_id == "net.mirror.next") {
            named = named || (warning.arg("url").starts_with(broken.base_url()) &&
                              warning.arg("next").starts_with(m_server.base_url()) &&
                              warning.arg("reason") == "HTTP 500");
        }
    }
    EXPECT_TRUE(named);
}

TEST_F(ChannelFetchTest, EveryMirrorFailingIsAnError) {
    add_subdir("chan", "noarch", m_small);
    m_server.inject("/chan/noarch/repodata_shards.msgpack.zst", Fault::http_status(503), 10);
    const auto fetched = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(fetched, test::FailsWithId("index.fetch.http"));
    EXPECT_EQ(fetched.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(fetched.error().arg_value("status"), "503");
    EXPECT_EQ(fetched.error().arg_value("subdir"), "noarch");
}

TEST_F(ChannelFetchTest, RefusalsAreNotRetriedElsewhere) {
    add_subdir("chan", "noarch", m_small);
    m_server.inject("/chan/noarch/repodata_shards.msgpack.zst", Fault::http_status(403));
    const auto fetched = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(fetched, test::FailsWithId("index.fetch.denied"));
    EXPECT_EQ(fetched.error().code, core::ErrorCode::permission_denied);
}

TEST_F(ChannelFetchTest, TransientFaultsAreRetried) {
    add_subdir("chan", "noarch", m_small);
    m_options.shards = UseShards::no;
    m_server.inject("/chan/noarch/repodata.json.zst", Fault::reset());
    m_server.inject("/chan/noarch/repodata.json", Fault::http_status(503, "0"));
    m_server.inject("/chan/noarch/repodata.json", Fault::truncate());
    const auto fetched = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ(fetched->body, m_small);
    EXPECT_EQ(requests("/chan/noarch/repodata.json"), 3U);
    EXPECT_THAT(m_reporter.warnings,
                Contains(Field(&test::RecordingReporter::Warning::message_id, "net.retry")));
}

TEST_F(ChannelFetchTest, ChannelsAndSubdirsAreFetchedTogether) {
    std::vector<Channel> channels;
    for (const auto* name : {"a", "b", "c"}) {
        add_subdir(name, "linux-64", m_small, Variants::zst);
        add_subdir(name, "noarch", m_small, Variants::zst);
        for (const auto* subdir : {"linux-64", "noarch"}) {
            m_server.inject(fmt::format("/{}/{}/repodata_shards.msgpack.zst", name, subdir),
                            Fault::delayed(milliseconds{150}));
        }
        channels.push_back(channel(name));
    }
    auto fetched = fetcher().fetch_subdirs(channels);
    ASSERT_THAT(fetched, test::Succeeds());
    ASSERT_EQ(fetched->size(), 6U);
    EXPECT_EQ((*fetched)[4].channel.name(), "c");
    EXPECT_EQ((*fetched)[4].subdir, "linux-64");
    EXPECT_GE(m_server.max_concurrent(), 3U);
}

TEST_F(ChannelFetchTest, ADecompressionBombIsRefused) {
    const std::string huge = "{\"packages\":{}, \"pad\": \"" + std::string(3u << 20, ' ') + "\"}";
    add_subdir("chan", "noarch", huge, Variants::zst | Variants::bz2);
    m_options.max_decompressed_bytes = 1u << 20;
    m_options.shards = UseShards::no;
    const auto zst = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(zst, test::FailsWithId("index.decompress.too_large"));
    EXPECT_EQ(zst.error().code, core::ErrorCode::invalid_input);
    EXPECT_EQ(zst.error().arg_value("limit_bytes"), "1048576");

    fs::remove(m_root.path() / "chan/noarch/repodata.json.zst");
    const auto bz2 = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(bz2, test::FailsWithId("index.decompress.too_large"));
}

TEST_F(ChannelFetchTest, ACorruptCompressedFileIsAnError) {
    add_subdir("chan", "noarch", m_small, Variants::zst);
    m_root.write("chan/noarch/repodata.json.zst", "not zstd at all");
    m_options.shards = UseShards::no;
    const auto fetched = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(fetched, test::FailsWithId("index.decompress.invalid"));
    EXPECT_EQ(fetched.error().arg_value("format"), "zstd");
}

TEST_F(ChannelFetchTest, DecodesConcatenatedFramesAndStreams) {
    const std::string head = R"({"info":{"subdir":"noarch"},)";
    const std::string tail = R"("packages":{}})";
    m_root.write("chan/noarch/repodata.json.zst",
                 testing::zstd_compress(head) + testing::zstd_compress(tail));
    m_root.write("chan/linux-64/repodata.json.bz2",
                 testing::bzip2_compress(head) + testing::bzip2_compress(tail));
    m_options.shards = UseShards::no;
    auto fetched = fetcher().fetch_subdirs({channel("chan")});
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[0].body, head + tail);
    EXPECT_EQ((*fetched)[1].body, head + tail);

    // A stream cut short is corrupt, not a shorter file.
    const auto whole = testing::zstd_compress(head + tail);
    m_root.write("cut/noarch/repodata.json.zst", whole.substr(0, whole.size() - 4));
    const auto cut = fetcher().fetch_subdir(channel("cut"), "noarch");
    ASSERT_THAT(cut, test::FailsWithId("index.decompress.invalid"));
}

TEST_F(ChannelFetchTest, ReadsAFileChannel) {
    add_subdir("chan", "noarch", m_small, Variants::json);
    const auto file_channel = Channel::parse((m_root.path() / "chan").string(), m_config);
    ASSERT_THAT(file_channel, test::Succeeds());
    auto fetched = fetcher().fetch_subdirs({*file_channel});
    ASSERT_THAT(fetched, test::Succeeds());
    EXPECT_EQ((*fetched)[1].body, m_small);
    EXPECT_EQ((*fetched)[0].presence, SubdirPresence::absent);

    // A local channel changes under our feet (`conda index`): its age is never trusted, nor
    // its 404s.
    const std::string newer = R"({"info":{"subdir":"noarch"},"packages":{"x-1-0.conda":{}}})";
    add_subdir("chan", "noarch", newer, Variants::json);
    add_subdir("chan", "linux-64", m_small, Variants::zst);
    auto again = fetcher().fetch_subdirs({*file_channel});
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ((*again)[1].body, newer);
    EXPECT_EQ((*again)[0].presence, SubdirPresence::present);
    EXPECT_EQ((*again)[0].variant, RepodataVariant::zst);
}

/// End to end over the real channels of ../shared/testdata, parsed by Repodata.
TEST_F(ChannelFetchTest, LoadsRealChannels) {
    ENVSMITH_REQUIRE_TESTDATA(data);
    const fs::path pytorch = fs::path(data) / "derived/pytorch-channel";
    add_subdir("pytorch", "linux-64", testing::read_file(pytorch / "linux-64/repodata.json"),
               Variants::zst);
    add_subdir("pytorch", "noarch", testing::read_file(pytorch / "noarch/repodata.json"));
    const fs::path base_url_channel = fs::path(data) / "conda/tests/data/base_url_channel";
    add_subdir("base", "linux-64", testing::read_file(base_url_channel / "linux-64/repodata.json"),
               Variants::bz2);
    add_subdir("base", "noarch", testing::read_file(base_url_channel / "noarch/repodata.json"));

    auto fetched = fetcher().fetch_subdirs({channel("pytorch"), channel("base")});
    ASSERT_THAT(fetched, test::Succeeds());
    auto fetcher_ = fetcher();
    auto linux = fetcher_.load((*fetched)[0]);
    ASSERT_THAT(linux, test::Succeeds());
    EXPECT_EQ(linux->size(), 2181U);  // rattler's count for this file
    EXPECT_THAT(linux->by_name("pytorch"), Not(IsEmpty()));
    auto noarch = fetcher_.load((*fetched)[1]);
    ASSERT_THAT(noarch, test::Succeeds());
    EXPECT_EQ(noarch->size(), 0U);
    auto base = fetcher_.load((*fetched)[2]);
    ASSERT_THAT(base, test::Succeeds());
    ASSERT_GT(base->size(), 0U);
    EXPECT_EQ(base->info().repodata_version, 2U);
}

TEST_F(ChannelFetchTest, ACachedBodyThatDoesNotParseIsFetchedAgain) {
    const std::string good = R"({"info":{"subdir":"noarch"},"packages":{"a-1-0.tar.bz2":)"
                             R"({"name":"a","version":"1","build":"0","build_number":0,)"
                             R"("depends":[]}}})";
    add_subdir("chan", "noarch", good);
    auto first = fetcher().fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(first, test::Succeeds());
    const auto key = m_server.base_url() + "/chan/noarch/repodata.json";
    // Same size, wrong bytes: only parsing finds it.
    std::string damaged(good.size(), '#');
    {
        std::ofstream out(m_cache.body_path(key), std::ios::binary | std::ios::trunc);
        out << damaged;
    }
    auto fetcher_ = fetcher();
    auto cached = fetcher_.fetch_subdir(channel("chan"), "noarch");
    ASSERT_THAT(cached, test::Succeeds());
    EXPECT_EQ(cached->source, BodySource::cache);
    auto loaded = fetcher_.load(std::move(*cached));
    ASSERT_THAT(loaded, test::Succeeds());
    EXPECT_EQ(loaded->size(), 1U);
    EXPECT_THAT(m_reporter.warnings, Contains(Field(&test::RecordingReporter::Warning::message_id,
                                                    "index.cache.damaged")));
}

}  // namespace
}  // namespace envsmith::index
