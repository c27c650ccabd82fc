#include "envsmith/index/wheel_metadata.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <libdeflate.h>

#include <filesystem>
#include <string>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/index/simple_api.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/specs/core_metadata.hpp"
#include "matchers.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::HasSubstr;

specs::WheelFilename wheel_name(const std::string& filename) {
    auto parsed = specs::WheelFilename::parse(filename);
    EXPECT_THAT(parsed, Succeeds());
    return parsed ? *parsed : specs::WheelFilename{};
}

// ---- A tiny zip writer (stored members), for archives real wheels do not cover ----------

void put16(std::string& out, std::uint32_t value) {
    out += static_cast<char>(value & 0xFFU);
    out += static_cast<char>((value >> 8U) & 0xFFU);
}
void put32(std::string& out, std::uint32_t value) {
    put16(out, value & 0xFFFFU);
    put16(out, value >> 16U);
}
void put64(std::string& out, std::uint64_t value) {
    put32(out, static_cast<std::uint32_t>(value & 0xFFFFFFFFU));
    put32(out, static_cast<std::uint32_t>(value >> 32U));
}

enum class Zip64 : bool { no, yes };

/// A zip of stored members. With Zip64::yes the central records keep their offsets and sizes
/// in zip64 extra fields and the archive ends with a zip64 EOCD record and locator.
std::string make_zip(const std::vector<std::pair<std::string, std::string>>& members,
                     Zip64 zip64 = Zip64::no, std::uint32_t corrupt_crc_of = 0xFFFFFFFF) {
    std::string out;
    std::string central;
    std::uint32_t index = 0;
    for (const auto& [name, data] : members) {
        const auto offset = out.size();
        auto crc = static_cast<std::uint32_t>(libdeflate_crc32(0, data.data(), data.size()));
        if (index == corrupt_crc_of)
            crc ^= 1U;
        put32(out, 0x04034b50);
        put16(out, 20);
        put16(out, 0);  // flags
        put16(out, 0);  // stored
        put32(out, 0);  // time, date
        put32(out, crc);
        put32(out, static_cast<std::uint32_t>(data.size()));
        put32(out, static_cast<std::uint32_t>(data.size()));
        put16(out, static_cast<std::uint32_t>(name.size()));
        put16(out, 0);
        out += name;
        out += data;

        std::string extra;
        if (zip64 == Zip64::yes) {
            put16(extra, 0x0001);
            put16(extra, 24);
            put64(extra, data.size());
            put64(extra, data.size());
            put64(extra, offset);
        }
        const std::uint32_t big = 0xFFFFFFFF;
        put32(central, 0x02014b50);
        put16(central, 45);
        put16(central, 45);
        put16(central, 0);
        put16(central, 0);
        put32(central, 0);
        put32(central, crc);
        put32(central, zip64 == Zip64::yes ? big : static_cast<std::uint32_t>(data.size()));
        put32(central, zip64 == Zip64::yes ? big : static_cast<std::uint32_t>(data.size()));
        put16(central, static_cast<std::uint32_t>(name.size()));
        put16(central, static_cast<std::uint32_t>(extra.size()));
        put16(central, 0);  // comment
        put16(central, 0);  // disk
        put16(central, 0);  // internal attributes
        put32(central, 0);  // external attributes
        put32(central, zip64 == Zip64::yes ? big : static_cast<std::uint32_t>(offset));
        central += name;
        central += extra;
        ++index;
    }
    const auto central_offset = out.size();
    out += central;
    if (zip64 == Zip64::yes) {
        const auto record_offset = out.size();
        put32(out, 0x06064b50);
        put64(out, 44);
        put16(out, 45);
        put16(out, 45);
        put32(out, 0);
        put32(out, 0);
        put64(out, members.size());
        put64(out, members.size());
        put64(out, central.size());
        put64(out, central_offset);
        put32(out, 0x07064b50);
        put32(out, 0);
        put64(out, record_offset);
        put32(out, 1);
    }
    put32(out, 0x06054b50);
    put16(out, 0);
    put16(out, 0);
    put16(out, zip64 == Zip64::yes ? 0xFFFF : static_cast<std::uint32_t>(members.size()));
    put16(out, zip64 == Zip64::yes ? 0xFFFF : static_cast<std::uint32_t>(members.size()));
    put32(out, zip64 == Zip64::yes ? 0xFFFFFFFF : static_cast<std::uint32_t>(central.size()));
    put32(out, zip64 == Zip64::yes ? 0xFFFFFFFF : static_cast<std::uint32_t>(central_offset));
    put16(out, 7);
    out += "comment";
    return out;
}

const std::string kMetadata = "Metadata-Version: 2.1\nName: Demo.Pkg\nVersion: 1.0\n";

TEST(ReadWheelMetadataTest, FindsTheDistInfoOfTheWheelsName) {
    const auto wheel = wheel_name("demo_pkg-1.0-py3-none-any.whl");
    for (const auto zip64 : {Zip64::no, Zip64::yes}) {
        SCOPED_TRACE(zip64 == Zip64::yes ? "zip64" : "zip");
        const auto zip = make_zip({{"demo_pkg/__init__.py", "x = 1\n"},
                                   {"other-2.0.dist-info/METADATA", "not this one"},
                                   {"Demo.Pkg-1.0.dist-info/METADATA", kMetadata},
                                   {"Demo.Pkg-1.0.dist-info/RECORD", ""}},
                                  zip64);
        const auto text = read_wheel_metadata(zip, wheel, "mem.whl");
        ASSERT_THAT(text, Succeeds());
        EXPECT_EQ(*text, kMetadata);
    }
}

TEST(ReadWheelMetadataTest, NamesWhatIsWrong) {
    const auto wheel = wheel_name("demo_pkg-1.0-py3-none-any.whl");
    struct Case {
        std::string label;
        std::string bytes;
        const char* problem;
    };
    const std::vector<Case> cases = {
        {"empty", "", "too short"},
        {"text", std::string(100, 'x'), "no end-of-central-directory"},
        {"no metadata", make_zip({{"demo_pkg/__init__.py", ""}}),
         "no `demo_pkg-*.dist-info/METADATA`"},
        {"crc", make_zip({{"demo_pkg-1.0.dist-info/METADATA", kMetadata}}, Zip64::no, 0), "CRC-32"},
        {"truncated", make_zip({{"demo_pkg-1.0.dist-info/METADATA", kMetadata}}).substr(40),
         "outside"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.label);
        const auto text = read_wheel_metadata(c.bytes, wheel, "https://user:secret@h/demo.whl");
        ASSERT_THAT(text, FailsWithId("index.pypi.wheel_invalid"));
        EXPECT_EQ(text.error().code, core::ErrorCode::invalid_input);
        EXPECT_THAT(text.error().arg_value("problem"), HasSubstr(c.problem));
        EXPECT_EQ(text.error().arg_value("url"), "https://***@h/demo.whl");
    }
}

/// Every real wheel of the test data, its METADATA read in memory: Name and Version agree
/// with the file name.
std::vector<std::filesystem::path> real_wheels(const std::string& dir) {
    std::vector<std::filesystem::path> wheels;
    for (const auto* folder :
         {"/poetry/tests/repositories/fixtures/pypi.org/dists", "/pip/tests/data/packages"}) {
        for (const auto& entry : std::filesystem::directory_iterator(dir + folder)) {
            if (entry.path().extension() == ".whl" &&
                specs::WheelFilename::parse(entry.path().filename().string())) {
                wheels.push_back(entry.path());
            }
        }
    }
    std::sort(wheels.begin(), wheels.end());
    return wheels;
}

TEST(ReadWheelMetadataConformanceTest, RealWheels) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    std::size_t parsed_count = 0;
    const auto wheels = real_wheels(dir);
    for (const auto& path : wheels) {
        SCOPED_TRACE(path.string());
        const auto wheel = wheel_name(path.filename().string());
        const auto text = read_wheel_metadata(test::read_text(path.string()), wheel, path.string());
        ASSERT_THAT(text, Succeeds());
        const auto metadata = specs::CoreMetadata::parse(*text);
        if (path.filename().string().starts_with("invalid_version")) {
            continue;  // pip's fixture for a METADATA whose Version is not PEP 440
        }
        ASSERT_THAT(metadata, Succeeds());
        EXPECT_EQ(metadata->normalized_name(), wheel.normalized_name());
        EXPECT_EQ(metadata->version, wheel.version);
        ++parsed_count;
    }
    EXPECT_GE(wheels.size(), 15U);
    EXPECT_GE(parsed_count, 13U);
}

// ---- Over loopback HTTP, with the real transport ----------------------------------------

class FetchWheelMetadataTest : public ::testing::Test {
protected:
    FetchWheelMetadataTest() {
        m_options.connect_timeout_ms = 2000;
        m_options.total_timeout_ms = 10000;
        m_options.max_retries = 0;
        m_options.proxy = "";
    }
    std::string url(const std::string& path) const { return m_server.base_url() + path; }

    test::TempDir m_files;
    test::TestServer m_server{m_files.path()};
    net::TransportOptions m_options;
    core::NullReporter m_reporter;
    net::CurlTransport m_transport{m_options, m_reporter};
};

TEST_F(FetchWheelMetadataTest, RealWheelsByRangeEqualTheWholeFileRead) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    for (const auto& path : real_wheels(dir)) {
        SCOPED_TRACE(path.string());
        const auto bytes = test::read_text(path.string());
        m_files.write("files/" + path.filename().string(), bytes);
        const auto wheel = wheel_name(path.filename().string());
        const auto expected = read_wheel_metadata(bytes, wheel, path.string());
        ASSERT_THAT(expected, Succeeds());
        for (const auto size :
             {std::optional<std::uint64_t>(bytes.size()), std::optional<std::uint64_t>()}) {
            const auto fetched = fetch_wheel_metadata(
                m_transport, url("/files/" + path.filename().string()), wheel, size);
            ASSERT_THAT(fetched, Succeeds());
            EXPECT_EQ(fetched->text, *expected);
            EXPECT_EQ(fetched->mode, WheelFetchMode::ranges);
            EXPECT_TRUE(fetched->whole_file.empty());
            EXPECT_LE(fetched->requests, 3U);
        }
    }
}

TEST_F(FetchWheelMetadataTest, ALargeWheelNeedsFewRequestsAndFewBytes) {
    // 1 MiB of incompressible-ish payload before the dist-info: the tail request cannot hold
    // the whole archive, and the member data is fetched by range.
    std::string payload;
    std::uint32_t state = 12345;
    for (int i = 0; i < (1 << 20); ++i) {
        state = state * 1103515245U + 12345U;
        payload += static_cast<char>(state >> 24U);
    }
    const auto big_metadata = kMetadata + "Summary: " + std::string(200000, 's') + "\n";
    const auto zip = make_zip({{"demo_pkg-1.0.dist-info/METADATA", big_metadata},
                               {"demo_pkg/blob.bin", payload},
                               {"demo_pkg-1.0.dist-info/RECORD", "r"}},
                              Zip64::yes);
    m_files.write("files/demo_pkg-1.0-py3-none-any.whl", zip);
    const auto fetched =
        fetch_wheel_metadata(m_transport, url("/files/demo_pkg-1.0-py3-none-any.whl"),
                             wheel_name("demo_pkg-1.0-py3-none-any.whl"), zip.size());
    ASSERT_THAT(fetched, Succeeds());
    EXPECT_EQ(fetched->text, big_metadata);
    EXPECT_EQ(fetched->mode, WheelFetchMode::ranges);
    EXPECT_LE(fetched->requests, 3U);
    EXPECT_EQ(m_server.requests("/files/demo_pkg-1.0-py3-none-any.whl"), fetched->requests);
}

TEST_F(FetchWheelMetadataTest, MissingWheelIsNotFound) {
    const auto fetched =
        fetch_wheel_metadata(m_transport, url("/files/nope-1.0-py3-none-any.whl"),
                             wheel_name("nope-1.0-py3-none-any.whl"), std::nullopt);
    ASSERT_THAT(fetched, FailsWithId("index.pypi.http_status"));
    EXPECT_EQ(fetched.error().code, core::ErrorCode::not_found);
    EXPECT_EQ(fetched.error().arg_value("status"), "404");
}

TEST_F(FetchWheelMetadataTest, FileUrlsAreReadWhole) {
    const auto zip = make_zip({{"demo_pkg-1.0.dist-info/METADATA", kMetadata}});
    const auto path = m_files.write("demo_pkg-1.0-py3-none-any.whl", zip);
    const auto fetched =
        fetch_wheel_metadata(m_transport, "file://" + path.string(),
                             wheel_name("demo_pkg-1.0-py3-none-any.whl"), std::nullopt);
    ASSERT_THAT(fetched, Succeeds());
    EXPECT_EQ(fetched->text, kMetadata);
    EXPECT_EQ(fetched->mode, WheelFetchMode::whole_file);
    EXPECT_EQ(fetched->whole_file, zip);
}

/// A server that ignores Range: 200 with the whole body.
class NoRangeTransport final : public core::Transport {
public:
    explicit NoRangeTransport(std::string body) : m_body(std::move(body)) {}
    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override {
        ++calls;
        core::HttpResponse response;
        response.status = 200;
        response.body = m_body;
        response.effective_url = request.url;
        return response;
    }
    int calls = 0;

private:
    std::string m_body;
};

TEST(FetchWheelMetadataFallbackTest, AServerThatIgnoresRangeGivesTheWholeWheel) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    // poetry's PEP 691 page gives the wheel's sha256: the whole body is the real wheel.
    const std::string fixtures = dir + "/poetry/tests/repositories/fixtures/pypi.org";
    const auto page = parse_simple_json(test::read_text(fixtures + "/json/wheel.json"),
                                        "https://pypi.org/simple/wheel/");
    ASSERT_THAT(page, Succeeds());
    const DistributionFile* file = nullptr;
    for (const auto& f : page->files) {
        if (f.filename == "wheel-0.40.0-py3-none-any.whl")
            file = &f;
    }
    ASSERT_NE(file, nullptr);
    NoRangeTransport transport(test::read_text(fixtures + "/dists/wheel-0.40.0-py3-none-any.whl"));
    const auto fetched = fetch_wheel_metadata(transport, file->url, *file->wheel, file->size);
    ASSERT_THAT(fetched, Succeeds());
    EXPECT_EQ(transport.calls, 1);
    EXPECT_EQ(fetched->mode, WheelFetchMode::whole_file);
    EXPECT_EQ(core::sha256(fetched->whole_file).hex, file->hashes.at("sha256"));
    const auto metadata = specs::CoreMetadata::parse(fetched->text);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->name, "wheel");
    EXPECT_EQ(metadata->version.to_string(), "0.40.0");
}

}  // namespace
}  // namespace envsmith::index
