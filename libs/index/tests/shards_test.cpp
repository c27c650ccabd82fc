// CEP-16 sharded repodata over loopback HTTP: conda's real sharded test channel (hashes as hex
// strings) and a synthetic one written here with msgpack bin hashes, as real servers send.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <msgpack.hpp>

#include "channel_test_support.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/encoding.hpp"
#include "envsmith/index/channel_fetch.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

namespace fs = std::filesystem;
using test::Fault;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::SizeIs;

using Packer = msgpack::packer<msgpack::sbuffer>;

void pack_str(Packer& packer, std::string_view text) {
    packer.pack_str(static_cast<std::uint32_t>(text.size()));
    packer.pack_str_body(text.data(), static_cast<std::uint32_t>(text.size()));
}

void pack_bin_hex(Packer& packer, std::string_view hex) {
    const auto bytes = core::from_hex(hex);
    packer.pack_bin(static_cast<std::uint32_t>(bytes->size()));
    packer.pack_bin_body(bytes->data(), static_cast<std::uint32_t>(bytes->size()));
}

std::string to_string(const msgpack::sbuffer& buffer) {
    return {buffer.data(), buffer.size()};
}

const std::string foo_sha256 = std::string(62, '0') + "ab";
const std::string foo_md5 = "0123456789abcdef0123456789abcdef";

/// One shard: `foo` 1.0 as a .conda with bin hashes, and a removed file.
std::string foo_shard() {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    packer.pack_map(3);
    pack_str(packer, "packages");
    packer.pack_map(0);
    pack_str(packer, "packages.conda");
    packer.pack_map(1);
    pack_str(packer, "foo-1.0-h1_0.conda");
    packer.pack_map(10);
    pack_str(packer, "name");
    pack_str(packer, "foo");
    pack_str(packer, "version");
    pack_str(packer, "1.0");
    pack_str(packer, "build");
    pack_str(packer, "h1_0");
    pack_str(packer, "build_number");
    packer.pack_uint64(0);
    pack_str(packer, "depends");
    packer.pack_array(2);
    pack_str(packer, "bar >=1");
    pack_str(packer, "libc");
    pack_str(packer, "md5");
    pack_bin_hex(packer, foo_md5);
    pack_str(packer, "sha256");
    pack_bin_hex(packer, foo_sha256);
    pack_str(packer, "size");
    packer.pack_uint64(1234);
    pack_str(packer, "timestamp");
    packer.pack_uint64(1'700'000'000);  // seconds: scaled to milliseconds
    pack_str(packer, "noarch");
    pack_str(packer, "python");
    pack_str(packer, "removed");
    packer.pack_array(1);
    pack_str(packer, "foo-0.9-h1_0.conda");
    return to_string(buffer);
}

std::string shard_index(const std::map<std::string, std::string>& shards, std::string_view base_url,
                        std::string_view shards_base_url) {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    packer.pack_map(3);
    pack_str(packer, "version");
    packer.pack_uint64(1);
    pack_str(packer, "info");
    packer.pack_map(3);
    pack_str(packer, "base_url");
    pack_str(packer, base_url);
    pack_str(packer, "shards_base_url");
    pack_str(packer, shards_base_url);
    pack_str(packer, "subdir");
    pack_str(packer, "linux-64");
    pack_str(packer, "shards");
    packer.pack_map(static_cast<std::uint32_t>(shards.size()));
    for (const auto& [name, hash] : shards) {
        pack_str(packer, name);
        pack_bin_hex(packer, hash);
    }
    return to_string(buffer);
}

/// A shard of one record `<name>-1.0-0.conda` with these depends (hashes as hex strings).
std::string simple_shard(const std::string& name, const std::vector<std::string>& depends) {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    packer.pack_map(1);
    pack_str(packer, "packages.conda");
    packer.pack_map(1);
    pack_str(packer, name + "-1.0-0.conda");
    packer.pack_map(4);
    pack_str(packer, "name");
    pack_str(packer, name);
    pack_str(packer, "version");
    pack_str(packer, "1.0");
    pack_str(packer, "build");
    pack_str(packer, "0");
    pack_str(packer, "depends");
    packer.pack_array(static_cast<std::uint32_t>(depends.size()));
    for (const auto& depend : depends) pack_str(packer, depend);
    return to_string(buffer);
}

class ShardsTest : public ::testing::Test {
protected:
    ShardsTest() { m_config.channel_alias = m_server.base_url(); }

    Channel channel(const std::string& name) {
        auto parsed = Channel::parse(name, m_config);
        EXPECT_THAT(parsed, test::Succeeds());
        return *parsed;
    }
    ChannelFetcher fetcher() {
        return ChannelFetcher(m_transport, m_cache, m_reporter, m_clock, m_options);
    }

    /// conda's tests/data/conda_format_repo: linux-64 sharded (and plain), noarch plain.
    bool copy_conda_format_repo() {
        const auto data = test::testdata_dir();
        if (data.empty())
            return false;
        const fs::path repo = fs::path(data) / "conda/tests/data/conda_format_repo";
        for (const auto& entry : fs::directory_iterator(repo / "linux-64")) {
            const auto name = entry.path().filename().string();
            if (name.ends_with(".msgpack.zst") || name == "repodata.json") {
                m_root.write("repo/linux-64/" + name, testing::read_file(entry.path()));
            }
        }
        m_root.write("repo/noarch/repodata.json",
                     testing::read_file(repo / "noarch/repodata.json"));
        return true;
    }

    /// A synthetic sharded subdir: shards under linux-64/shards/, packages under packages/.
    void write_synthetic() {
        const auto shard = testing::zstd_compress(foo_shard());
        const auto hash = core::sha256(shard).hex;
        m_foo_shard_path = "/syn/linux-64/shards/" + hash + ".msgpack.zst";
        m_root.write("syn" + m_foo_shard_path.substr(4), shard);
        const auto index = shard_index({{"foo", hash}}, "../packages/", "./shards/");
        m_root.write("syn/linux-64/repodata_shards.msgpack.zst", testing::zstd_compress(index));
        m_root.write("syn/noarch/repodata.json", R"({"info":{"subdir":"noarch"},"packages":{}})");
    }

    /// Writes a sharded subdir with one shard per entry; returns name -> shard URL path.
    std::map<std::string, std::string> write_sharded(
        const std::string& folder,
        const std::map<std::string, std::vector<std::string>>& packages) {
        std::map<std::string, std::string> hashes;
        std::map<std::string, std::string> paths;
        for (const auto& [name, depends] : packages) {
            const auto shard = testing::zstd_compress(simple_shard(name, depends));
            hashes[name] = core::sha256(shard).hex;
            paths[name] = "/" + folder + "/" + hashes[name] + ".msgpack.zst";
            m_root.write(paths[name].substr(1), shard);
        }
        m_root.write(folder + "/repodata_shards.msgpack.zst",
                     testing::zstd_compress(shard_index(hashes, "", "")));
        return paths;
    }

    test::TempDir m_root;
    test::TempDir m_cache_dir;
    test::TestServer m_server{m_root.path()};
    ChannelConfig m_config;
    test::RecordingReporter m_reporter;
    net::CurlTransport m_transport{testing::quick_transport_options(), m_reporter};
    RepodataCache m_cache{m_cache_dir.path()};
    testing::FakeClock m_clock;
    FetchOptions m_options;
    std::string m_foo_shard_path;
};

const std::string zlib_shard =
    "/repo/linux-64/56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst";
const std::string libgcc_shard =
    "/repo/linux-64/2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115.msgpack.zst";

TEST_F(ShardsTest, FetchesOnlyTheShardsAskedFor) {
    if (!copy_conda_format_repo())
        GTEST_SKIP() << "../shared/testdata is absent";
    auto subdirs = fetcher().fetch_subdirs({channel("repo")});
    ASSERT_THAT(subdirs, test::Succeeds());
    const auto& linux = (*subdirs)[0];
    EXPECT_EQ(linux.variant, RepodataVariant::shards);
    EXPECT_EQ((*subdirs)[1].variant, RepodataVariant::json);  // noarch has no shard index
    EXPECT_EQ(m_server.requests("/repo/linux-64/repodata.json"), 0U);

    auto fetcher_ = fetcher();
    auto shards = fetcher_.fetch_shards(linux, {"zlib", "not-in-the-index"});
    ASSERT_THAT(shards, test::Succeeds());
    ASSERT_THAT(*shards, SizeIs(1));
    EXPECT_EQ((*shards)[0].name, "zlib");
    EXPECT_EQ((*shards)[0].source, BodySource::network);
    EXPECT_EQ(m_server.requests(zlib_shard), 1U);
    EXPECT_EQ(m_server.requests(libgcc_shard), 0U);

    // Every name, from the index alone: no shard is fetched for it.
    auto names = fetcher_.shard_names(linux);
    ASSERT_THAT(names, test::Succeeds());
    EXPECT_THAT(*names, ElementsAre("libgcc-ng", "zlib"));
    EXPECT_EQ(m_server.requests(libgcc_shard), 0U);
    auto plain = fetcher_.shard_names((*subdirs)[1]);
    ASSERT_THAT(plain, test::Succeeds());
    EXPECT_THAT(*plain, IsEmpty());

    auto zlib = fetcher_.load_names(linux, {"zlib"});
    ASSERT_THAT(zlib, test::Succeeds());
    EXPECT_EQ(m_server.requests(zlib_shard), 1U);  // content-addressed: from the cache
    EXPECT_THAT(zlib->names(), ElementsAre("zlib"));
    const auto records = zlib->by_name("zlib");
    ASSERT_THAT(records, SizeIs(1));  // the .conda wins over the .tar.bz2
    const auto& record = zlib->records()[records[0]];
    EXPECT_EQ(record.fn, "zlib-1.2.11-h7b6447c_3.conda");
    EXPECT_EQ(record.sha256, "f33afff2144e1d6c4cf2e3e184937db8bf825b4537df74662aea5ee207b6a31b");
    EXPECT_EQ(record.md5, "cb23839f06da92ec92c6d2d2d5e0cb4a");
    EXPECT_EQ(record.build_number, 3U);
    EXPECT_THAT(std::vector<std::string_view>(record.depends.begin(), record.depends.end()),
                ElementsAre("libgcc-ng >=7.3.0"));
    EXPECT_EQ(zlib->url_of(record),
              m_server.base_url() + "/repo/linux-64/zlib-1.2.11-h7b6447c_3.conda");

    // Everything: the one remaining shard is fetched.
    auto all = fetcher_.load(linux);
    ASSERT_THAT(all, test::Succeeds());
    EXPECT_THAT(all->names(), ElementsAre("libgcc-ng", "zlib"));
    EXPECT_EQ(m_server.requests(libgcc_shard), 1U);
    EXPECT_EQ(m_server.requests(zlib_shard), 1U);
}

TEST_F(ShardsTest, DecodesBinHashesAndResolvesRelativeUrls) {
    write_synthetic();
    auto fetcher_ = fetcher();
    auto foo = fetcher_.fetch_names(channel("syn"), "linux-64", {"foo", "bar"});
    ASSERT_THAT(foo, test::Succeeds());
    ASSERT_EQ(foo->size(), 1U);
    const auto& record = foo->records()[0];
    EXPECT_EQ(record.name, "foo");
    EXPECT_EQ(record.sha256, foo_sha256);
    EXPECT_EQ(record.md5, foo_md5);
    EXPECT_EQ(record.size, 1234U);
    EXPECT_EQ(record.noarch, "python");
    EXPECT_EQ(record.timestamp, 1'700'000'000'000U);
    EXPECT_THAT(foo->removed(), ElementsAre("foo-0.9-h1_0.conda"));
    EXPECT_EQ(foo->url_of(record), m_server.base_url() + "/syn/packages/foo-1.0-h1_0.conda");
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 1U);
}

TEST_F(ShardsTest, OfflineUsesCachedShardsOnly) {
    write_synthetic();
    m_options.offline = Offline::yes;
    const auto nothing = fetcher().fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(nothing, test::FailsWithId("index.cache.offline_missing"));

    m_options.offline = Offline::no;
    auto index_only = fetcher().fetch_subdir(channel("syn"), "linux-64");
    ASSERT_THAT(index_only, test::Succeeds());
    m_options.offline = Offline::yes;
    const auto no_shard = fetcher().load_names(*index_only, {"foo"});
    ASSERT_THAT(no_shard, test::FailsWithId("index.shards.offline_missing"));
    EXPECT_EQ(no_shard.error().arg_value("name"), "foo");
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 0U);

    m_options.offline = Offline::no;
    ASSERT_THAT(fetcher().fetch_names(channel("syn"), "linux-64", {"foo"}), test::Succeeds());
    m_options.offline = Offline::yes;
    const auto cached = fetcher().fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(cached, test::Succeeds());
    EXPECT_EQ(cached->size(), 1U);
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 1U);
}

TEST_F(ShardsTest, AShardThatOneMirrorFailsComesFromTheNext) {
    write_synthetic();
    test::TempDir copy;
    for (const auto& entry : fs::recursive_directory_iterator(m_root.path() / "syn")) {
        if (entry.is_regular_file()) {
            copy.write(fs::relative(entry.path(), m_root.path()).string(),
                       testing::read_file(entry.path()));
        }
    }
    test::TestServer first{copy.path()};
    first.inject(m_foo_shard_path, Fault::http_status(503), 10);
    m_config.mirrors["syn"] = {first.base_url() + "/syn", m_server.base_url() + "/syn"};
    auto foo = fetcher().fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(foo, test::Succeeds());
    EXPECT_EQ(foo->size(), 1U);
    EXPECT_EQ(first.requests("/syn/linux-64/repodata_shards.msgpack.zst"), 1U);
    EXPECT_GE(first.requests(m_foo_shard_path), 1U);
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 1U);
    bool warned = false;
    for (const auto& warning : m_reporter.warnings) {
        warned = warned || (warning.message_id == "net.mirror.next" &&
                            warning.arg("url") == first.base_url() + m_foo_shard_path);
    }
    EXPECT_TRUE(warned);
}

TEST_F(ShardsTest, ACorruptShardIsAnErrorAndIsNotCached) {
    write_synthetic();
    m_server.inject(m_foo_shard_path, Fault::corrupt(), 1);
    auto fetcher_ = fetcher();
    const auto corrupt = fetcher_.fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(corrupt, test::FailsWithId("index.shards.hash_mismatch"));
    EXPECT_EQ(corrupt.error().arg_value("name"), "foo");
    EXPECT_EQ(corrupt.error().arg_value("channel"), "syn");
    EXPECT_EQ(corrupt.error().arg_value("subdir"), "linux-64");
    EXPECT_EQ(corrupt.error().arg_value("expected"), m_foo_shard_path.substr(21, 64));
    EXPECT_NE(corrupt.error().arg_value("actual"), corrupt.error().arg_value("expected"));
    EXPECT_FALSE(corrupt.error().hint.empty());

    // Nothing bad was kept: the next attempt downloads it again and succeeds.
    const auto good = fetcher_.fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(good, test::Succeeds());
    EXPECT_EQ(good->size(), 1U);
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 2U);
}

TEST_F(ShardsTest, ADamagedShardInTheCacheIsDownloadedAgain) {
    write_synthetic();
    auto fetcher_ = fetcher();
    ASSERT_THAT(fetcher_.fetch_names(channel("syn"), "linux-64", {"foo"}), test::Succeeds());
    const auto hash = m_foo_shard_path.substr(21, 64);
    ASSERT_THAT(m_cache.write_shard(hash, "garbage"), test::Succeeds());
    const auto again = fetcher_.fetch_names(channel("syn"), "linux-64", {"foo"});
    ASSERT_THAT(again, test::Succeeds());
    EXPECT_EQ(again->size(), 1U);
    EXPECT_EQ(m_server.requests(m_foo_shard_path), 2U);
}

TEST_F(ShardsTest, AnIndexThatIsNotMsgpackIsAnError) {
    m_root.write("bad/linux-64/repodata_shards.msgpack.zst", testing::zstd_compress("\xc1 nope"));
    auto fetcher_ = fetcher();
    const auto bad = fetcher_.fetch_names(channel("bad"), "linux-64", {"foo"});
    ASSERT_THAT(bad, test::FailsWithId("index.shards.invalid"));
    EXPECT_EQ(bad.error().code, core::ErrorCode::invalid_input);
}

// Found by fuzz_shards: a map header announcing 2^32 - 1 entries made msgpack allocate 64 GiB
// for them before reading any (under AddressSanitizer the process died).
TEST_F(ShardsTest, AMapLongerThanTheIndexIsRefusedBeforeItIsAllocated) {
    m_root.write("huge/linux-64/repodata_shards.msgpack.zst",
                 testing::zstd_compress(std::string("\xdf\xff\xff\xff\xff", 5)));
    auto fetcher_ = fetcher();
    const auto huge = fetcher_.fetch_names(channel("huge"), "linux-64", {"foo"});
    ASSERT_THAT(huge, test::FailsWithId("index.shards.invalid"));
    EXPECT_THAT(huge.error().arg_value("detail"), ::testing::HasSubstr("map size overflow"));
}

TEST_F(ShardsTest, ShardsOfASubdirWithoutAnIndexAreABug) {
    m_root.write("plain/noarch/repodata.json", R"({"packages":{}})");
    auto subdir = fetcher().fetch_subdir(channel("plain"), "noarch");
    ASSERT_THAT(subdir, test::Succeeds());
    const auto shards = fetcher().fetch_shards(*subdir, {"foo"});
    ASSERT_THAT(shards, test::FailsWithId("index.shards.not_sharded"));
    EXPECT_EQ(shards.error().code, core::ErrorCode::internal);
}

TEST_F(ShardsTest, ShardsCanBeTurnedOff) {
    if (!copy_conda_format_repo())
        GTEST_SKIP() << "../shared/testdata is absent";
    m_options.shards = UseShards::no;
    auto subdir = fetcher().fetch_subdir(channel("repo"), "linux-64");
    ASSERT_THAT(subdir, test::Succeeds());
    EXPECT_EQ(subdir->variant, RepodataVariant::json);
    EXPECT_EQ(m_server.requests("/repo/linux-64/repodata_shards.msgpack.zst"), 0U);
    auto repodata = fetcher().load_names(std::move(*subdir), {"zlib"});
    ASSERT_THAT(repodata, test::Succeeds());
    EXPECT_THAT(repodata->by_name("zlib"), Not(IsEmpty()));
}

TEST_F(ShardsTest, FollowsDependenciesAcrossSubdirsAndChannels) {
    const auto linux = write_sharded("a/linux-64", {{"foo", {"bar >=1", "__glibc >=2.17"}},
                                                    {"bar", {"a::baz[version='>1']"}},
                                                    {"qux", {"foo"}}});
    const auto noarch = write_sharded("a/noarch", {{"baz", {"python_abi 3.12.* *_cp312"}}});
    m_root.write("b/noarch/repodata.json",
                 R"({"info":{"subdir":"noarch"},"packages":{"python_abi-3.12-0.tar.bz2":)"
                 R"({"name":"python_abi","version":"3.12","build":"0","depends":[]}}})");
    auto fetcher_ = fetcher();
    auto subdirs = fetcher_.fetch_subdirs({channel("a"), channel("b")});
    ASSERT_THAT(subdirs, test::Succeeds());
    ASSERT_THAT(*subdirs, SizeIs(4));
    EXPECT_EQ((*subdirs)[2].presence, SubdirPresence::absent);  // b/linux-64

    auto loaded = fetcher_.load_closure(std::move(*subdirs), {"foo"});
    ASSERT_THAT(loaded, test::Succeeds());
    ASSERT_THAT(*loaded, SizeIs(4));
    EXPECT_THAT((*loaded)[0].names(), ElementsAre("bar", "foo"));
    EXPECT_THAT((*loaded)[1].names(), ElementsAre("baz"));
    EXPECT_EQ((*loaded)[2].size(), 0U);
    EXPECT_THAT((*loaded)[3].names(), ElementsAre("python_abi"));  // plain repodata: whole
    EXPECT_EQ(m_server.requests(linux.at("foo")), 1U);
    EXPECT_EQ(m_server.requests(linux.at("bar")), 1U);
    EXPECT_EQ(m_server.requests(noarch.at("baz")), 1U);
    EXPECT_EQ(m_server.requests(linux.at("qux")), 0U);  // nothing needs it
}


// Found by fuzz_shards: dependency_names read a shard that add_shard_records refuses (a record
// without `build`), so the shards it depends on were fetched before the closure failed.
TEST_F(ShardsTest, AShardWithARecordWithoutBuildFailsBeforeItsDependenciesAreFetched) {
    msgpack::sbuffer buffer;
    Packer packer(buffer);
    packer.pack_map(1);
    pack_str(packer, "packages.conda");
    packer.pack_map(1);
    pack_str(packer, "foo-1.0-0.conda");
    packer.pack_map(3);
    pack_str(packer, "name");
    pack_str(packer, "foo");
    pack_str(packer, "version");
    pack_str(packer, "1.0");
    pack_str(packer, "depends");
    packer.pack_array(1);
    pack_str(packer, "bar");
    const auto paths = write_sharded("c/linux-64", {{"foo", {}}, {"bar", {}}});
    // foo's shard is replaced by the bad one, under its own hash, and the index rewritten.
    const auto shard = testing::zstd_compress(to_string(buffer));
    const auto foo_path = "/c/linux-64/" + core::sha256(shard).hex + ".msgpack.zst";
    m_root.write(foo_path.substr(1), shard);
    const auto bar_hash = paths.at("bar").substr(12, 64);
    m_root.write("c/linux-64/repodata_shards.msgpack.zst",
                 testing::zstd_compress(shard_index(
                     {{"foo", core::sha256(shard).hex}, {"bar", bar_hash}}, "", "")));
    m_root.write("c/noarch/repodata.json", R"({"info":{"subdir":"noarch"},"packages":{}})");
    auto fetcher_ = fetcher();
    auto subdirs = fetcher_.fetch_subdirs({channel("c")});
    ASSERT_THAT(subdirs, test::Succeeds());
    const auto loaded = fetcher_.load_closure(std::move(*subdirs), {"foo"});
    ASSERT_THAT(loaded, test::FailsWithId("index.shards.invalid"));
    EXPECT_EQ(m_server.requests(foo_path), 1U);
    EXPECT_EQ(m_server.requests(paths.at("bar")), 0U);
}

}  // namespace
}  // namespace envsmith::index
