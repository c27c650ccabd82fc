#include "envsmith/index/repodata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <simdjson.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::index {
namespace {

using test::FailsWith;
using test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> strings(std::span<const std::string_view> views) {
    return {views.begin(), views.end()};
}

Repodata parse_ok(std::string json, ParseOptions options = {}) {
    if (options.source.empty()) {
        options.source = "inline.json";
    }
    auto parsed = Repodata::parse(std::move(json), options);
    EXPECT_THAT(parsed, Succeeds());
    if (!parsed) {
        return Repodata();
    }
    return std::move(parsed).value();
}

const CondaRecord* find_fn(const Repodata& repodata, std::string_view fn) {
    for (const auto& record : repodata.records()) {
        if (record.fn == fn) {
            return &record;
        }
    }
    return nullptr;
}

// --- inline cases ---

TEST(RepodataTest, ReadsEveryField) {
    const auto repodata = parse_ok(R"({
      "info": {"subdir": "linux-64"},
      "repodata_version": 1,
      "packages": {
        "numpy-1.26.4-py312h_0.tar.bz2": {
          "name": "numpy", "version": "1.26.4", "build": "py312h_0", "build_number": 3,
          "depends": ["libblas >=3.9.0,<4.0a0", "python >=3.12,<3.13.0a0"],
          "constrains": ["numpy-base <0a0"],
          "md5": "0123456789abcdef0123456789abcdef",
          "sha256": "aa4e5b2f3cbbbb4b0d9e0a0b8f0c9c0d1d5e7b8a1a9e7c1f2e3d4c5b6a7f8e9d",
          "license": "BSD-3-Clause", "size": 7001234, "timestamp": 1707225421234,
          "subdir": "linux-64", "track_features": "blas_mkl, mkl debug"
        }
      }
    })");
    ASSERT_EQ(repodata.size(), 1U);
    const auto& r = repodata.records()[0];
    EXPECT_EQ(r.name, "numpy");
    EXPECT_EQ(r.version, "1.26.4");
    EXPECT_EQ(r.build, "py312h_0");
    EXPECT_EQ(r.build_number, 3U);
    EXPECT_EQ(r.fn, "numpy-1.26.4-py312h_0.tar.bz2");
    EXPECT_EQ(r.subdir, "linux-64");
    EXPECT_EQ(r.md5, "0123456789abcdef0123456789abcdef");
    EXPECT_EQ(r.sha256, "aa4e5b2f3cbbbb4b0d9e0a0b8f0c9c0d1d5e7b8a1a9e7c1f2e3d4c5b6a7f8e9d");
    EXPECT_EQ(r.license, "BSD-3-Clause");
    EXPECT_EQ(r.size, 7001234U);
    EXPECT_EQ(r.timestamp, 1707225421234U);
    EXPECT_EQ(r.noarch, "");
    EXPECT_THAT(strings(r.depends),
                ElementsAre("libblas >=3.9.0,<4.0a0", "python >=3.12,<3.13.0a0"));
    EXPECT_THAT(strings(r.constrains), ElementsAre("numpy-base <0a0"));
    EXPECT_THAT(strings(r.track_features), ElementsAre("blas_mkl", "mkl", "debug"));
    EXPECT_EQ(repodata.info().subdir, "linux-64");
    EXPECT_EQ(repodata.info().repodata_version, 1U);
}

TEST(RepodataTest, UnescapesStringsAndKeys) {
    const auto repodata = parse_ok(R"({"packages": {
        "a\u002d1.0-0.tar.bz2": {"name": "a", "version": "1.0", "build": "0",
          "license": "Other \"custom\" licence \u00e9 \\ end",
          "depends": ["b \u003e=1", "c"]}}})");
    ASSERT_EQ(repodata.size(), 1U);
    const auto& r = repodata.records()[0];
    EXPECT_EQ(r.fn, "a-1.0-0.tar.bz2");
    EXPECT_EQ(r.license, "Other \"custom\" licence \xc3\xa9 \\ end");
    EXPECT_THAT(strings(r.depends), ElementsAre("b >=1", "c"));
}

TEST(RepodataTest, EscapedFieldNamesAreRecognised) {
    const auto repodata = parse_ok(
        R"({"packages": {"a-1-0.tar.bz2": {"n\u0061me": "a", "version": "1", "build": "0"}}})");
    ASSERT_EQ(repodata.size(), 1U);
    EXPECT_EQ(repodata.records()[0].name, "a");
}

TEST(RepodataTest, NoarchBooleanIsGeneric) {
    const auto repodata = parse_ok(R"({"packages": {
        "a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "noarch": true},
        "b-1-0.tar.bz2": {"name": "b", "version": "1", "build": "0", "noarch": false},
        "c-1-0.tar.bz2": {"name": "c", "version": "1", "build": "0", "noarch": "python"},
        "d-1-0.tar.bz2": {"name": "d", "version": "1", "build": "0", "noarch": null}}})");
    ASSERT_EQ(repodata.size(), 4U);
    EXPECT_EQ(find_fn(repodata, "a-1-0.tar.bz2")->noarch, "generic");
    EXPECT_EQ(find_fn(repodata, "b-1-0.tar.bz2")->noarch, "");
    EXPECT_EQ(find_fn(repodata, "c-1-0.tar.bz2")->noarch, "python");
    EXPECT_EQ(find_fn(repodata, "d-1-0.tar.bz2")->noarch, "");
}

TEST(RepodataTest, TimestampsInSecondsAreScaledToMilliseconds) {
    const auto repodata = parse_ok(R"({"packages": {
        "s-1-0.tar.bz2": {"name": "s", "version": "1", "build": "0", "timestamp": 1578324546},
        "m-1-0.tar.bz2": {"name": "m", "version": "1", "build": "0", "timestamp": 1578324546123},
        "edge-1-0.tar.bz2": {"name": "edge", "version": "1", "build": "0", "timestamp": 253402300799},
        "over-1-0.tar.bz2": {"name": "over", "version": "1", "build": "0", "timestamp": 253402300800},
        "float-1-0.tar.bz2": {"name": "float", "version": "1", "build": "0", "timestamp": 1578324546.5},
        "none-1-0.tar.bz2": {"name": "none", "version": "1", "build": "0"}}})");
    EXPECT_EQ(find_fn(repodata, "s-1-0.tar.bz2")->timestamp, 1578324546000U);
    EXPECT_EQ(find_fn(repodata, "m-1-0.tar.bz2")->timestamp, 1578324546123U);
    EXPECT_EQ(find_fn(repodata, "edge-1-0.tar.bz2")->timestamp, 253402300799000U);
    EXPECT_EQ(find_fn(repodata, "over-1-0.tar.bz2")->timestamp, 253402300800U);
    EXPECT_EQ(find_fn(repodata, "float-1-0.tar.bz2")->timestamp, 1578324546000U);
    EXPECT_EQ(find_fn(repodata, "none-1-0.tar.bz2")->timestamp, 0U);
}

TEST(RepodataTest, TrackFeaturesSplitOnCommasAndSpaces) {
    const auto repodata = parse_ok(R"({"packages": {
        "a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "track_features": ""},
        "b-1-0.tar.bz2": {"name": "b", "version": "1", "build": "0", "track_features": " x,,y  z, "},
        "c-1-0.tar.bz2": {"name": "c", "version": "1", "build": "0", "track_features": ["p", "q"]}}})");
    EXPECT_THAT(strings(find_fn(repodata, "a-1-0.tar.bz2")->track_features), IsEmpty());
    EXPECT_THAT(strings(find_fn(repodata, "b-1-0.tar.bz2")->track_features),
                ElementsAre("x", "y", "z"));
    EXPECT_THAT(strings(find_fn(repodata, "c-1-0.tar.bz2")->track_features), ElementsAre("p", "q"));
}

TEST(RepodataTest, NullReadsAsAbsent) {
    const auto repodata = parse_ok(R"({"packages": {"a-1-0.tar.bz2": {
        "name": "a", "version": "1", "build": "0", "depends": null, "constrains": null,
        "license": null, "size": null, "md5": null, "track_features": null}}})");
    ASSERT_EQ(repodata.size(), 1U);
    const auto& r = repodata.records()[0];
    EXPECT_THAT(strings(r.depends), IsEmpty());
    EXPECT_THAT(strings(r.constrains), IsEmpty());
    EXPECT_EQ(r.license, "");
    EXPECT_EQ(r.size, 0U);
}

TEST(RepodataTest, CondaRecordReplacesItsTarBz2Twin) {
    const auto repodata = parse_ok(R"({
      "packages.conda": {
        "z-1-0.conda": {"name": "z", "version": "1", "build": "0", "md5": "c"}},
      "packages": {
        "z-1-0.tar.bz2": {"name": "z", "version": "1", "build": "0", "md5": "t"},
        "z-1-1.tar.bz2": {"name": "z", "version": "1", "build": "1", "md5": "t1"}}})");
    ASSERT_EQ(repodata.size(), 2U);
    EXPECT_EQ(find_fn(repodata, "z-1-0.tar.bz2"), nullptr);
    ASSERT_NE(find_fn(repodata, "z-1-0.conda"), nullptr);
    EXPECT_EQ(find_fn(repodata, "z-1-0.conda")->md5, "c");
    EXPECT_NE(find_fn(repodata, "z-1-1.tar.bz2"), nullptr);
    // Still in file order: packages.conda came first here.
    EXPECT_EQ(repodata.records()[0].fn, "z-1-0.conda");
    EXPECT_THAT(
        std::vector<std::uint32_t>(repodata.by_name("z").begin(), repodata.by_name("z").end()),
        ElementsAre(0U, 1U));
}

TEST(RepodataTest, ReadsRemoved) {
    const auto repodata =
        parse_ok(R"({"removed": ["a-1-0.tar.bz2", "b-2-0.conda"], "packages": {}})");
    EXPECT_THAT(strings(repodata.removed()), ElementsAre("a-1-0.tar.bz2", "b-2-0.conda"));
    EXPECT_EQ(repodata.size(), 0U);
}

TEST(RepodataTest, IgnoresUnknownKeysAnywhereAndAcceptsAnyOrder) {
    const auto repodata = parse_ok(R"({
      "_etag": "x", "channeldata": {"deep": [1, {"a": [true, null]}]},
      "packages": {"a-1-0.tar.bz2": {"arch": "x86_64", "build": "0", "app": {"k": [1, 2]},
                                     "version": "1", "legacy_bz2_md5": "q", "name": "a"}},
      "repodata_version": 2,
      "info": {"platform": "linux", "subdir": "linux-aarch64", "arch": null}})",
                                   {.source = "", .subdir = "linux-64", .subdir_url = ""});
    ASSERT_EQ(repodata.size(), 1U);
    EXPECT_EQ(repodata.info().subdir, "linux-aarch64");
    EXPECT_EQ(repodata.info().repodata_version, 2U);
    // `info` came after the records, and still fills in the missing subdir.
    EXPECT_EQ(repodata.records()[0].subdir, "linux-aarch64");
}

TEST(RepodataTest, EmptyInputs) {
    for (const auto* text : {R"({})", R"({"packages": {}, "packages.conda": {}})",
                             R"({"info": {}, "packages": {}, "removed": []})"}) {
        SCOPED_TRACE(text);
        const auto repodata = parse_ok(text, {.source = "", .subdir = "noarch", .subdir_url = ""});
        EXPECT_EQ(repodata.size(), 0U);
        EXPECT_THAT(strings(repodata.names()), IsEmpty());
        EXPECT_EQ(repodata.info().subdir, "noarch");
        EXPECT_TRUE(repodata.by_name("x").empty());
    }
    const Repodata empty;
    EXPECT_EQ(empty.size(), 0U);
    EXPECT_TRUE(empty.records().empty());
}

TEST(RepodataTest, RecordWithoutSubdirTakesTheRepodatas) {
    const auto repodata =
        parse_ok(R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}}})",
                 {.source = "", .subdir = "osx-arm64", .subdir_url = ""});
    EXPECT_EQ(repodata.records()[0].subdir, "osx-arm64");
}

TEST(RepodataTest, MissingRequiredFieldsAreErrorsNamingSourceAndFile) {
    struct Case {
        const char* json;
        const char* missing;
    };
    const Case cases[] = {
        {R"({"packages": {"x-1-0.tar.bz2": {"version": "1", "build": "0"}}})", "name"},
        {R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "build": "0"}}})", "version"},
        {R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1"}}})", "build"},
        {R"({"packages": {"x-1-0.tar.bz2": {"name": null, "version": "1", "build": "0"}}})",
         "name"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.json);
        const auto parsed =
            Repodata::parse(c.json, {.source = "https://example.org/linux-64/repodata.json",
                                     .subdir = "linux-64",
                                     .subdir_url = ""});
        ASSERT_THAT(parsed, FailsWith(core::ErrorCode::invalid_input));
        EXPECT_EQ(parsed.error().message_id, "index.repodata.invalid");
        EXPECT_THAT(parsed.error().message,
                    HasSubstr("https://example.org/linux-64/repodata.json"));
        EXPECT_THAT(parsed.error().message, HasSubstr("x-1-0.tar.bz2"));
        EXPECT_THAT(parsed.error().message, HasSubstr(std::string("`") + c.missing + "`"));
        EXPECT_EQ(parsed.error().arg_value("fn"), "x-1-0.tar.bz2");
        EXPECT_EQ(parsed.error().arg_value("offset"), "14");  // the key's opening quote
        ASSERT_TRUE(parsed.error().where.has_value());
        EXPECT_EQ(parsed.error().where->line, 1U);
        EXPECT_EQ(parsed.error().where->column, 15U);
    }
}

TEST(RepodataTest, WrongTypesOfKnownFieldsAreErrors) {
    const char* cases[] = {
        R"({"packages": {"x-1-0.tar.bz2": {"name": 1, "version": "1", "build": "0"}}})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0", "depends": "y"}}})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0", "depends": [1]}}})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0", "size": -1}}})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0", "noarch": 1}}})",
        R"({"packages": {"x-1-0.tar.bz2": ["not", "a", "record"]}})",
        R"({"packages": []})",
        R"([])",
    };
    for (const auto* text : cases) {
        SCOPED_TRACE(text);
        const auto parsed =
            Repodata::parse(text, {.source = "bad.json", .subdir = "", .subdir_url = ""});
        ASSERT_THAT(parsed, FailsWith(core::ErrorCode::invalid_input));
        EXPECT_EQ(parsed.error().message_id, "index.repodata.invalid");
        EXPECT_THAT(parsed.error().message, HasSubstr("bad.json"));
    }
}

TEST(RepodataTest, MalformedJsonIsAnErrorWithAnOffset) {
    const char* cases[] = {
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0"})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x" "version": "1"}}})",
        R"({"packages": {"x-1-0.tar.bz2": {"name": "x", "version": "1", "build": "0",}}})",
        R"({"packages": {"x": {"name": "unterminated})",
        R"({"packages": {}} trailing)",
        R"({"info": {"subdir": "linux-64"}, "packages": {"x": {"name": "\q"}}})",
        "",
        "\xff\xfe{}",
    };
    for (const auto* text : cases) {
        SCOPED_TRACE(text);
        const auto parsed =
            Repodata::parse(text, {.source = "broken.json", .subdir = "", .subdir_url = ""});
        ASSERT_THAT(parsed, FailsWith(core::ErrorCode::invalid_input));
        EXPECT_EQ(parsed.error().message_id, "index.repodata.invalid");
        EXPECT_THAT(parsed.error().message, HasSubstr("broken.json"));
        EXPECT_FALSE(parsed.error().arg_value("offset").empty());
        EXPECT_TRUE(parsed.error().where.has_value());
    }
}

TEST(RepodataTest, ByNameIsExactInFileOrderAndNamesAreSorted) {
    const auto repodata = parse_ok(R"({"packages": {
        "b-1-0.tar.bz2": {"name": "b", "version": "1", "build": "0"},
        "a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"},
        "b-2-0.tar.bz2": {"name": "b", "version": "2", "build": "0"},
        "a-b-1-0.tar.bz2": {"name": "a-b", "version": "1", "build": "0"}},
      "packages.conda": {
        "b-3-0.conda": {"name": "b", "version": "3", "build": "0"}}})");
    EXPECT_THAT(strings(repodata.names()), ElementsAre("a", "a-b", "b"));
    const auto b = repodata.by_name("b");
    EXPECT_THAT(std::vector<std::uint32_t>(b.begin(), b.end()), ElementsAre(0U, 2U, 4U));
    EXPECT_EQ(repodata.records()[b[2]].version, "3");
    EXPECT_EQ(repodata.by_name("B").size(), 3U);  // names are lowercase; so is the lookup
    EXPECT_TRUE(repodata.by_name("c").empty());
    EXPECT_TRUE(repodata.by_name("").empty());
    EXPECT_EQ(repodata.by_name("a").size(), 1U);
}

TEST(RepodataTest, UrlOfUsesBaseUrlOrTheSubdirUrl) {
    const std::string record =
        R"("packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}})";
    struct Case {
        std::string base_url;
        std::string subdir_url;
        std::string expected;
    };
    const Case cases[] = {
        {"", "https://conda.anaconda.org/conda-forge/linux-64/",
         "https://conda.anaconda.org/conda-forge/linux-64/a-1-0.tar.bz2"},
        {"", "https://conda.anaconda.org/conda-forge/linux-64",
         "https://conda.anaconda.org/conda-forge/linux-64/a-1-0.tar.bz2"},
        {"https://repo.anaconda.com/pkgs/main/linux-64", "https://mirror.example/main/linux-64/",
         "https://repo.anaconda.com/pkgs/main/linux-64/a-1-0.tar.bz2"},
        {"https://cdn.example/x/", "https://mirror.example/main/linux-64/",
         "https://cdn.example/x/a-1-0.tar.bz2"},
        {"../../packages/", "https://mirror.example/main/linux-64/",
         "https://mirror.example/packages/a-1-0.tar.bz2"},
        {"./files", "https://mirror.example/main/linux-64/",
         "https://mirror.example/main/linux-64/files/a-1-0.tar.bz2"},
        {"/abs/path/", "https://mirror.example:8443/main/linux-64/?x=1",
         "https://mirror.example:8443/abs/path/a-1-0.tar.bz2"},
        {"//other.example/p", "https://mirror.example/main/linux-64/",
         "https://other.example/p/a-1-0.tar.bz2"},
        {"", "", "a-1-0.tar.bz2"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.base_url + " | " + c.subdir_url);
        const std::string info =
            c.base_url.empty() ? "{}" : R"({"base_url": ")" + c.base_url + "\"}";
        const auto repodata =
            parse_ok(R"({"repodata_version": 2, "info": )" + info + ", " + record + "}",
                     {.source = "", .subdir = "linux-64", .subdir_url = c.subdir_url});
        ASSERT_EQ(repodata.size(), 1U);
        EXPECT_EQ(repodata.url_of(repodata.records()[0]), c.expected);
    }
}

TEST(RepodataTest, MovingKeepsViewsValid) {
    auto parsed = Repodata::parse(
        R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0",
            "license": "esc\"aped", "depends": ["x"]}}})",
        {.source = "", .subdir = "linux-64", .subdir_url = ""});
    ASSERT_THAT(parsed, Succeeds());
    Repodata first = std::move(parsed).value();
    const auto name = first.records()[0].name;
    const auto license = first.records()[0].license;
    const auto depends = first.records()[0].depends;
    Repodata second = std::move(first);
    Repodata third;
    third = std::move(second);
    EXPECT_EQ(third.records()[0].name.data(), name.data());
    EXPECT_EQ(license, "esc\"aped");
    EXPECT_EQ(third.records()[0].license.data(), license.data());
    EXPECT_EQ(depends[0], "x");
    EXPECT_THAT(strings(third.names()), ElementsAre("a"));
    EXPECT_EQ(third.by_name("a").size(), 1U);
}

TEST(RepodataTest, ALaterParseLeavesEarlierResultsIntact) {
    auto first = Repodata::parse(
        R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0", "license": "q\"1"}}})",
        {.source = "", .subdir = "linux-64", .subdir_url = ""});
    ASSERT_THAT(first, Succeeds());
    std::string big = R"({"packages": {)";
    for (int i = 0; i < 1000; ++i) {
        big += (i == 0 ? "" : ",") + std::string(R"("b-)") + std::to_string(i) +
               R"(-0.tar.bz2": {"name": "b", "version": ")" + std::to_string(i) +
               R"(", "build": "0", "license": "w\"2"})";
    }
    big += "}}";
    auto second = Repodata::parse(big, {.source = "", .subdir = "linux-64", .subdir_url = ""});
    ASSERT_THAT(second, Succeeds());
    EXPECT_EQ(second->size(), 1000U);
    EXPECT_EQ(first->records()[0].license, "q\"1");
    EXPECT_EQ(second->records()[999].license, "w\"2");
    EXPECT_EQ(second->records()[999].version, "999");
}

TEST(RepodataTest, UsesSpareCapacityAsPadding) {
    std::string json =
        R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}}})";
    json.reserve(json.size() + Repodata::json_padding);
    const char* data = json.data();
    auto parsed = Repodata::parse(std::move(json), {.source = "", .subdir = "", .subdir_url = ""});
    ASSERT_THAT(parsed, Succeeds());
    // No copy: the views point into the bytes that were passed in.
    EXPECT_GE(parsed->records()[0].name.data(), data);
    EXPECT_LT(parsed->records()[0].name.data(), data + 100);
}

// A text read into make_repodata_buffer is parsed in place, small or large (from 8 MB the
// buffer takes the huge-page path on Linux).
TEST(RepodataTest, MakeRepodataBufferIsParsedInPlace) {
    for (const std::size_t filler : {std::size_t{0}, std::size_t{9} << 20}) {
        const std::string record =
            R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}}})";
        const std::string text = record + std::string(filler, ' ');
        std::string buffer = make_repodata_buffer(text.size());
        ASSERT_EQ(buffer.size(), text.size());
        EXPECT_GE(buffer.capacity(), text.size() + Repodata::json_padding);
        EXPECT_TRUE(std::all_of(buffer.begin(), buffer.end(), [](char c) { return c == '\0'; }));
        std::copy(text.begin(), text.end(), buffer.begin());
        const char* data = buffer.data();
        auto parsed = Repodata::parse(std::move(buffer), {.source = "", .subdir = "", .subdir_url = ""});
        ASSERT_THAT(parsed, Succeeds());
        ASSERT_EQ(parsed->size(), 1U);
        EXPECT_EQ(parsed->records()[0].name, "a");
        EXPECT_GE(parsed->records()[0].name.data(), data);
        EXPECT_LT(parsed->records()[0].name.data(), data + record.size());
    }
}

// A large text without spare capacity is copied once, and still parses (the copy goes into
// a buffer made for the parser).
TEST(RepodataTest, ALargeTextWithoutPaddingIsCopiedOnce) {
    std::string text =
        R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1", "build": "0"}}})" +
        std::string(std::size_t{9} << 20, ' ');
    text.shrink_to_fit();
    if (text.capacity() >= text.size() + Repodata::json_padding) {
        GTEST_SKIP() << "the standard library kept spare capacity";
    }
    auto parsed = Repodata::parse(std::move(text), {.source = "", .subdir = "", .subdir_url = ""});
    ASSERT_THAT(parsed, Succeeds());
    ASSERT_EQ(parsed->size(), 1U);
    EXPECT_EQ(parsed->records()[0].build, "0");
}

// --- builder ---

TEST(RepodataBuilderTest, CopiesRecordsAndAppliesTheRules) {
    RepodataBuilder builder({.subdir = "linux-64", .base_url = "", .repodata_version = 1},
                            "https://conda.example/ch/linux-64/");
    {
        std::string name = "zlib";
        std::vector<std::string_view> depends = {"libgcc-ng >=7.3.0"};
        std::string dep_text = "libgcc-ng >=7.3.0";
        depends[0] = dep_text;
        CondaRecord record;
        record.name = name;
        record.version = "1.2.11";
        record.build = "h7b6447c_3";
        record.build_number = 3;
        record.fn = "zlib-1.2.11-h7b6447c_3.tar.bz2";
        record.depends = depends;
        record.timestamp = 1542814864;
        builder.add(record);
        record.fn = "zlib-1.2.11-h7b6447c_3.conda";
        record.md5 = "cb23839f06da92ec92c6d2d2d5e0cb4a";
        builder.add(record);
        record.fn = "zlib-1.2.12-h0_0.tar.bz2";
        record.version = "1.2.12";
        builder.add(record);
        name = "XXXX";  // the builder kept copies
        dep_text = "garbage garbage garbage";
    }
    builder.add_removed("old-1-0.tar.bz2");
    const Repodata repodata = std::move(builder).finish();
    ASSERT_EQ(repodata.size(), 2U);
    EXPECT_EQ(repodata.records()[0].fn, "zlib-1.2.11-h7b6447c_3.conda");
    EXPECT_EQ(repodata.records()[0].name, "zlib");
    EXPECT_EQ(repodata.records()[0].subdir, "linux-64");
    EXPECT_EQ(repodata.records()[0].timestamp, 1542814864000U);
    EXPECT_THAT(strings(repodata.records()[1].depends), ElementsAre("libgcc-ng >=7.3.0"));
    // Interned: equal strings share storage.
    EXPECT_EQ(repodata.records()[0].depends[0].data(), repodata.records()[1].depends[0].data());
    EXPECT_EQ(repodata.by_name("zlib").size(), 2U);
    EXPECT_THAT(strings(repodata.removed()), ElementsAre("old-1-0.tar.bz2"));
    EXPECT_EQ(repodata.url_of(repodata.records()[1]),
              "https://conda.example/ch/linux-64/zlib-1.2.12-h0_0.tar.bz2");
}

// --- to_package_record ---

TEST(ToPackageRecordTest, CopiesFieldsAndParsesTheVersion) {
    const auto repodata =
        parse_ok(R"({"info": {"subdir": "noarch"}, "packages": {
        "six-1.16.0-pyh6c4a22f_0.tar.bz2": {"name": "six", "version": "1.16.0",
          "build": "pyh6c4a22f_0", "build_number": 0, "depends": ["python"], "noarch": "python",
          "md5": "e5f25f8dbc060e9a8d912e432202afc2", "license": "MIT", "timestamp": 1620240338,
          "track_features": "a b", "constrains": ["x <0"]}}})",
                 {.source = "",
                  .subdir = "noarch",
                  .subdir_url = "https://conda.anaconda.org/conda-forge/noarch/"});
    const auto record = to_package_record(repodata, repodata.records()[0], "conda-forge");
    ASSERT_THAT(record, Succeeds());
    EXPECT_EQ(record->name, "six");
    EXPECT_EQ(record->version.to_string(), "1.16.0");
    EXPECT_EQ(record->build, "pyh6c4a22f_0");
    EXPECT_EQ(record->channel, "conda-forge");
    EXPECT_EQ(record->subdir, "noarch");
    EXPECT_EQ(record->fn, "six-1.16.0-pyh6c4a22f_0.tar.bz2");
    EXPECT_EQ(record->url,
              "https://conda.anaconda.org/conda-forge/noarch/six-1.16.0-pyh6c4a22f_0.tar.bz2");
    EXPECT_EQ(record->md5, "e5f25f8dbc060e9a8d912e432202afc2");
    EXPECT_EQ(record->license, "MIT");
    EXPECT_EQ(record->timestamp, 1620240338000U);
    EXPECT_EQ(record->noarch, "python");
    EXPECT_THAT(record->depends, ElementsAre("python"));
    EXPECT_THAT(record->constrains, ElementsAre("x <0"));
    EXPECT_THAT(record->track_features, ElementsAre("a", "b"));
    const auto spec = specs::MatchSpec::parse("conda-forge::six>=1.16");
    ASSERT_THAT(spec, Succeeds());
    EXPECT_TRUE(spec->matches(*record));
}

TEST(ToPackageRecordTest, AnInvalidVersionIsAnError) {
    const auto repodata = parse_ok(
        R"({"packages": {"a-1-0.tar.bz2": {"name": "a", "version": "1..2", "build": "0"}}})");
    const auto record = to_package_record(repodata, repodata.records()[0], "c");
    ASSERT_THAT(record, FailsWith(core::ErrorCode::invalid_input));
    EXPECT_EQ(record.error().message_id, "spec.version.invalid");
}

// --- real repodata ---

Repodata load(const std::string& path, std::string subdir = "linux-64",
              std::string subdir_url = {}) {
    const std::string text = test::read_text(path);
    EXPECT_FALSE(text.empty()) << path;
    auto parsed = Repodata::parse(
        text, {.source = path, .subdir = std::move(subdir), .subdir_url = std::move(subdir_url)});
    EXPECT_THAT(parsed, Succeeds()) << path;
    return parsed ? std::move(parsed).value() : Repodata();
}

std::size_t distinct_names(const Repodata& repodata) {
    return repodata.names().size();
}

// Every record compared field by field with nlohmann::json's reading of the same file.
void cross_check(const std::string& path) {
    SCOPED_TRACE(path);
    const std::string text = test::read_text(path);
    const auto json = nlohmann::json::parse(text);
    const auto repodata = load(path);
    std::map<std::string, const CondaRecord*, std::less<>> by_fn;
    for (const auto& record : repodata.records()) {
        EXPECT_TRUE(by_fn.emplace(std::string(record.fn), &record).second) << record.fn;
    }
    const std::string info_subdir = json.contains("info") && json["info"].contains("subdir")
                                        ? json["info"]["subdir"].get<std::string>()
                                        : std::string("linux-64");
    std::size_t expected_count = 0;
    std::set<std::string> conda_stems;
    if (json.contains("packages.conda")) {
        for (const auto& [fn, _] : json["packages.conda"].items()) {
            conda_stems.insert(fn.substr(0, fn.size() - 6));
        }
    }
    const auto string_or = [](const nlohmann::json& object, const char* key) {
        return object.contains(key) && object[key].is_string() ? object[key].get<std::string>()
                                                               : std::string();
    };
    const auto list_of = [](const nlohmann::json& object, const char* key) {
        std::vector<std::string> out;
        if (object.contains(key) && object[key].is_array()) {
            for (const auto& item : object[key]) {
                out.push_back(item.get<std::string>());
            }
        }
        return out;
    };
    for (const char* section : {"packages", "packages.conda"}) {
        if (!json.contains(section)) {
            continue;
        }
        for (const auto& [fn, object] : json[section].items()) {
            const bool shadowed =
                fn.ends_with(".tar.bz2") && conda_stems.count(fn.substr(0, fn.size() - 8)) > 0;
            const auto it = by_fn.find(fn);
            if (shadowed) {
                EXPECT_EQ(it, by_fn.end()) << fn;
                continue;
            }
            ++expected_count;
            ASSERT_NE(it, by_fn.end()) << fn;
            const CondaRecord& r = *it->second;
            SCOPED_TRACE(fn);
            EXPECT_EQ(r.name, object["name"].get<std::string>());
            EXPECT_EQ(r.version, object["version"].get<std::string>());
            EXPECT_EQ(r.build, object["build"].get<std::string>());
            EXPECT_EQ(r.build_number, object.value("build_number", std::uint64_t{0}));
            EXPECT_EQ(r.md5, string_or(object, "md5"));
            EXPECT_EQ(r.sha256, string_or(object, "sha256"));
            EXPECT_EQ(r.license, string_or(object, "license"));
            EXPECT_EQ(r.size, object.contains("size") && object["size"].is_number()
                                  ? object["size"].get<std::uint64_t>()
                                  : 0U);
            std::uint64_t timestamp =
                object.contains("timestamp") && object["timestamp"].is_number()
                    ? object["timestamp"].get<std::uint64_t>()
                    : 0U;
            if (timestamp != 0 && timestamp <= 253402300799ULL) {
                timestamp *= 1000;
            }
            EXPECT_EQ(r.timestamp, timestamp);
            const std::string subdir = string_or(object, "subdir");
            EXPECT_EQ(r.subdir, subdir.empty() ? info_subdir : subdir);
            std::string noarch;
            if (object.contains("noarch")) {
                if (object["noarch"].is_boolean()) {
                    noarch = object["noarch"].get<bool>() ? "generic" : "";
                } else if (object["noarch"].is_string()) {
                    noarch = object["noarch"].get<std::string>();
                }
            }
            EXPECT_EQ(r.noarch, noarch);
            EXPECT_EQ(strings(r.depends), list_of(object, "depends"));
            EXPECT_EQ(strings(r.constrains), list_of(object, "constrains"));
            std::vector<std::string> features;
            std::string features_text = string_or(object, "track_features");
            for (char& c : features_text) {
                c = c == ',' ? ' ' : c;
            }
            std::istringstream words(features_text);
            for (std::string word; words >> word;) {
                features.push_back(word);
            }
            EXPECT_EQ(strings(r.track_features), features);
            // by_name finds it.
            const auto indices = repodata.by_name(r.name);
            const auto index = static_cast<std::uint32_t>(&r - repodata.records().data());
            EXPECT_NE(std::find(indices.begin(), indices.end(), index), indices.end());
        }
    }
    EXPECT_EQ(repodata.size(), expected_count);
    EXPECT_TRUE(std::is_sorted(repodata.names().begin(), repodata.names().end()));
}

TEST(RepodataRealTest, RLinux64MatchesNlohmannRecordByRecord) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string path = dir + "/conda/tests/data/repodata/r_linux-64.json";
    const auto repodata = load(path);
    EXPECT_EQ(repodata.size(), 4211U);
    EXPECT_EQ(distinct_names(repodata), 393U);
    cross_check(path);
}

TEST(RepodataRealTest, PytorchChannel) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string path = dir + "/rattler/test-data/channels/pytorch/linux-64/repodata.json";
    const auto repodata = load(path);
    EXPECT_EQ(repodata.size(), 2181U);
    EXPECT_EQ(distinct_names(repodata), 49U);
    EXPECT_GT(repodata.by_name("pytorch").size(), 0U);
    cross_check(path);
}

TEST(RepodataRealTest, Index4DerivedChannel) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string base = dir + "/derived/conda-index4-channel/";
    const auto linux64 = load(base + "linux-64/repodata.json");
    EXPECT_EQ(linux64.size(), 5305U);
    const auto noarch = load(base + "noarch/repodata.json", "noarch");
    EXPECT_EQ(noarch.size(), 338U);
    EXPECT_EQ(noarch.info().subdir, "noarch");
    cross_check(base + "linux-64/repodata.json");
    // The two builds of yaml 0.1.7 that differ only by timestamp are both there.
    std::size_t yaml_builds = 0;
    for (const auto index : linux64.by_name("yaml")) {
        yaml_builds += linux64.records()[index].version == "0.1.7" ? 1U : 0U;
    }
    EXPECT_GE(yaml_builds, 2U);
}

TEST(RepodataRealTest, BaseUrlChannel) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string base = dir + "/conda/tests/data/base_url_channel/";
    const auto repodata = load(base + "linux-64/repodata.json", "linux-64",
                               "https://mirror.example/channel/linux-64/");
    EXPECT_EQ(repodata.info().repodata_version, 2U);
    EXPECT_EQ(repodata.info().base_url, "https://repo.anaconda.com/pkgs/main/linux-64");
    ASSERT_EQ(repodata.size(), 1U);
    EXPECT_EQ(
        repodata.url_of(repodata.records()[0]),
        "https://repo.anaconda.com/pkgs/main/linux-64/ca-certificates-2024.3.11-h06a4308_0.conda");
    const auto noarch = load(base + "noarch/repodata.json", "noarch");
    EXPECT_EQ(noarch.size(), 0U);
    for (const char* subdir : {"osx-64", "win-64"}) {
        EXPECT_EQ(load(base + subdir + "/repodata.json", subdir).size(), 1U);
    }
}

TEST(RepodataRealTest, CondaFormatRepoKeepsTheCondaRecord) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string path = dir + "/conda/tests/data/conda_format_repo/linux-64/repodata.json";
    const auto repodata = load(path);
    ASSERT_EQ(repodata.size(), 2U);
    const auto zlib = repodata.by_name("zlib");
    ASSERT_EQ(zlib.size(), 1U);
    const auto& record = repodata.records()[zlib[0]];
    EXPECT_EQ(record.fn, "zlib-1.2.11-h7b6447c_3.conda");
    EXPECT_EQ(record.md5, "cb23839f06da92ec92c6d2d2d5e0cb4a");
    EXPECT_EQ(record.size, 105917U);
    EXPECT_EQ(repodata.by_name("libgcc-ng").size(), 1U);
    cross_check(path);
    for (const char* subdir : {"osx-64", "win-32", "win-64", "noarch"}) {
        SCOPED_TRACE(subdir);
        const auto other =
            load(dir + "/conda/tests/data/conda_format_repo/" + subdir + "/repodata.json", subdir);
        for (const auto& r : other.records()) {
            EXPECT_FALSE(r.fn.ends_with(".tar.bz2") &&
                         find_fn(other, std::string(r.fn.substr(0, r.fn.size() - 8)) + ".conda") !=
                             nullptr);
        }
    }
}

TEST(RepodataRealTest, MambaRepodataFiles) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string base = dir + "/mamba/libmamba/tests/data/repodata/";
    const auto numpy = load(base + "conda-forge-numpy-linux-64.json");
    EXPECT_GT(numpy.by_name("numpy").size(), 0U);
    cross_check(base + "conda-forge-numpy-linux-64.json");

    const auto v2 = load(base + "conda-forge-repodata-version-2.json", "linux-64",
                         "https://conda.anaconda.org/conda-forge/linux-64/");
    EXPECT_EQ(v2.info().repodata_version, 2U);
    ASSERT_NE(find_fn(v2, "bzip2-1.0.8-hd590300_5.conda"), nullptr);
    EXPECT_EQ(v2.url_of(*find_fn(v2, "bzip2-1.0.8-hd590300_5.conda")),
              "https://repo.anaconda.com/repo/main/linux-64/bzip2-1.0.8-hd590300_5.conda");
    EXPECT_THAT(strings(find_fn(v2, "_libgcc_mutex-0.1-conda_forge.tar.bz2")->depends), IsEmpty());
    cross_check(base + "conda-forge-repodata-version-2.json");

    const auto missing = load(base + "conda-forge-repodata-version-2-missing-base_url.json",
                              "linux-64", "https://conda.anaconda.org/conda-forge/linux-64/");
    EXPECT_EQ(missing.info().base_url, "");
    EXPECT_EQ(missing.url_of(*find_fn(missing, "bzip2-1.0.8-hd590300_5.conda")),
              "https://conda.anaconda.org/conda-forge/linux-64/bzip2-1.0.8-hd590300_5.conda");

    const auto sudoku = load(base + "sudoku.json", "noarch");
    EXPECT_EQ(sudoku.size(), 729U);
    cross_check(base + "sudoku.json");
}

TEST(RepodataRealTest, EveryRecordConvertsToAPackageRecord) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const auto repodata = load(dir + "/conda/tests/data/repodata/r_linux-64.json");
    for (const auto& record : repodata.records()) {
        const auto converted = to_package_record(repodata, record, "r");
        ASSERT_THAT(converted, Succeeds()) << record.fn;
        EXPECT_EQ(converted->name, record.name);
    }
}

// --- the reader against RFC 8259 ---

// The value of a field envsmith does not read is still JSON: every text below sits under an
// unknown key, and the parse must succeed exactly when simdjson's DOM parser (a complete,
// validating JSON parser) accepts the same text as a document.
TEST(RepodataTest, UnreadValuesAreCheckedAsJsonLikeAFullParserDoes) {
    const std::vector<std::string> values = {
        R"(1)", R"(0)", R"(-0)", R"(-12.5e-3)", R"(1E+2)", R"(0.5)", R"(123456789012345678)",
        R"(01)", R"(-)", R"(1.)", R"(.5)", R"(1e)", R"(1e+)", R"(+1)", R"(--1)", R"(0x10)",
        R"(1.5.5)", R"(00)", R"(- 1)",
        R"("")", R"("plain")", R"("\"\\\/\b\f\n\r\t")", R"("\u00e9\u4e2d")",
        R"("\ud83d\ude00")", R"("\ud83d")", R"("\ude00")", R"("\ud83dx")", R"("\u12")",
        R"("\u12g4")", R"("\x")", R"("\)", "\"tab\there\"", "\"nul\x01\"", "\"caf\xc3\xa9\"",
        R"(true)", R"(false)", R"(null)", R"(tru)", R"(nul)", R"(True)", R"(truex)", R"(nullnull)",
        R"([])", R"({})", R"([1, "a", null, [true, {}], {"k": [false]}])", R"( [ 1 , 2 ] )",
        "[\r\n\t1\r\n]", R"([1,])", R"([,1])", R"([1 2])", R"({"a":1,})", R"({"a" 1})",
        R"({1: 2})", R"({"a":})", R"({"a":1 "b":2})", R"([)", R"(])", R"({)", R"([}])",
        R"({"a": [1, {"b": "c"}]})", R"("unterminated)", R"()",
    };
    simdjson::dom::parser reference;
    for (const auto& value : values) {
        SCOPED_TRACE(value);
        const std::string text = R"({"x": )" + value + R"(, "packages": {}})";
        const bool expected = !reference.parse(value).error();
        const auto parsed = Repodata::parse(text, {.source = "u.json", .subdir = "", .subdir_url = ""});
        EXPECT_EQ(parsed.has_value(), expected);
        if (!parsed) {
            EXPECT_EQ(parsed.error().message_id, "index.repodata.invalid");
        }
    }
}

TEST(RepodataTest, DeepNestingIsRefusedWithoutExhaustingTheStack) {
    const std::string deep = std::string(100000, '[') + std::string(100000, ']');
    const auto parsed = Repodata::parse(R"({"x": )" + deep + "}",
                                        {.source = "deep.json", .subdir = "", .subdir_url = ""});
    ASSERT_THAT(parsed, FailsWith(core::ErrorCode::invalid_input));
    EXPECT_THAT(parsed.error().message, HasSubstr("nested too deeply"));
    // A depth that real files have is fine.
    const std::string shallow = std::string(50, '[') + std::string(50, ']');
    EXPECT_THAT(Repodata::parse(R"({"x": )" + shallow + "}", {}), Succeeds());
}

// Every malformed text names the byte where it goes wrong.
TEST(RepodataTest, MalformedTextsPointAtTheOffendingByte) {
    struct Case {
        std::string text;
        std::size_t offset;
        const char* reason;
    };
    const std::string record = R"({"packages": {"a-1-0.conda": {"name": "a", )";
    const std::vector<Case> cases = {
        {"\xff\xfe{}", 0, "not UTF-8"},
        {R"({"info": {"subdir": "caf)" "\xc3" R"("}})", 24, "not UTF-8"},
        {record + "\"version\": \"1\x01\"}}}", record.size() + 13, "control character"},
        {record + R"("version": "1" "build": "0"}}})", record.size() + 15, "expected `,` or `}`"},
        {record + R"("version": "1", "build": "0",}}})", record.size() + 29, "expected a string key"},
        {record + R"("version": "\q"}}})", record.size() + 12, "unknown escape"},
        {R"({"packages": {"x": {"name": "unterminated}})", 43, "not closed"},
        {R"({"packages": {}} trailing)", 17, "after the top-level object"},
        {R"({"packages": {}})" "\n\n  ]", 20, "after the top-level object"},
        {"", 0, "expected a JSON object"},
        {"  \n", 3, "expected a JSON object"},
        // A non-ASCII character where a token must be is named by its first byte, so the
        // message stays valid UTF-8.
        {R"({"x": )" "\xc3\xa9" "}", 6, "found byte 0xc3"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = Repodata::parse(c.text, {.source = "m.json", .subdir = "", .subdir_url = ""});
        ASSERT_THAT(parsed, FailsWith(core::ErrorCode::invalid_input));
        EXPECT_EQ(parsed.error().arg_value("offset"), std::to_string(c.offset));
        EXPECT_THAT(parsed.error().message, HasSubstr(c.reason));
    }
    // An error inside a record names it.
    const auto in_record = Repodata::parse(record + R"("version": [1,]}}})", {});
    ASSERT_THAT(in_record, FailsWith(core::ErrorCode::invalid_input));
    EXPECT_EQ(in_record.error().arg_value("fn"), "a-1-0.conda");
}

// The same records whatever the layout: minified, conda-index's indent, tabs, CRLF, escapes.
TEST(RepodataTest, LayoutAndEscapesDoNotChangeTheRecords) {
    const auto dump = [](const Repodata& repodata) {
        std::ostringstream out;
        for (const auto& r : repodata.records()) {
            out << r.fn << '|' << r.name << '|' << r.version << '|' << r.build << '|'
                << r.build_number << '|' << r.size << '|' << r.timestamp << '|' << r.license
                << '|' << r.noarch << '|' << r.md5;
            for (const auto d : r.depends) {
                out << '|' << d;
            }
            out << '\n';
        }
        return out.str();
    };
    const std::string minified =
        R"({"info":{"subdir":"linux-64"},"packages":{"n\u00e9-1-0.tar.bz2":{"build":"0","build_number":7,"depends":["a >=1","b"],"license":"MIT","md5":"0123","name":"n\u00e9","noarch":"python","size":12345678901,"timestamp":1700000000,"version":"1"}},"packages.conda":{"z-2-1.conda":{"name":"z","version":"2","build":"1","depends":[],"size":0,"timestamp":1700000000123}}})";
    const auto reference = dump(parse_ok(minified));
    EXPECT_THAT(reference, HasSubstr("n\xc3\xa9-1-0.tar.bz2|n\xc3\xa9|1|0|7|12345678901|1700000000000|MIT|python|0123|a >=1|b\n"));
    EXPECT_THAT(reference, HasSubstr("z-2-1.conda|z|2|1|0|0|1700000000123|||\n"));
    // Re-lay the same text: whitespace around every structural character, in three styles.
    for (const std::string_view space : {"\n  ", "\t", "\r\n    "}) {
        std::string spread;
        bool in_string = false;
        for (std::size_t i = 0; i < minified.size(); ++i) {
            const char c = minified[i];
            if (c == '"' && (i == 0 || minified[i - 1] != '\\')) {
                in_string = !in_string;
            }
            const bool structural = !in_string && (c == '{' || c == '}' || c == '[' ||
                                                   c == ']' || c == ',' || c == ':');
            spread += structural ? std::string(space) + c + std::string(space) : std::string(1, c);
        }
        SCOPED_TRACE(spread);
        EXPECT_EQ(dump(parse_ok(spread)), reference);
    }
}

}  // namespace
}  // namespace envsmith::index
