#include "envsmith/index/pypi.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "matchers.hpp"
#include "memory_fs.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::index {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

namespace fs = std::filesystem;

/// A core::FileSystem over the real disk, enough for find-links folders in tests (the index
/// layer cannot link the api layer's LocalFileSystem).
class DiskFileSystem final : public core::FileSystem {
public:
    core::Result<std::string> read_file(const std::string& path) override {
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            return core::make_error(core::ErrorCode::not_found, "fs.not_found",
                                    "cannot read " + path);
        }
        return test::read_text(path);
    }
    core::Status write_file(const std::string& path, std::string_view content) override {
        std::ofstream(path, std::ios::binary) << content;
        return {};
    }
    core::FileKind kind(const std::string& path) override {
        std::error_code error;
        const auto status = fs::symlink_status(path, error);
        if (error || status.type() == fs::file_type::not_found)
            return core::FileKind::missing;
        if (fs::is_regular_file(status))
            return core::FileKind::regular;
        if (fs::is_directory(status))
            return core::FileKind::directory;
        if (fs::is_symlink(status))
            return core::FileKind::symlink;
        return core::FileKind::other;
    }
    core::Result<std::vector<std::string>> list_directory(const std::string& path) override {
        std::vector<std::string> names;
        std::error_code error;
        for (const auto& entry : fs::directory_iterator(path, error)) {
            names.push_back(entry.path().filename().string());
        }
        if (error) {
            return core::make_error(core::ErrorCode::not_found, "fs.not_found",
                                    "cannot list " + path);
        }
        std::sort(names.begin(), names.end());
        return names;
    }
    core::Status create_directories(const std::string& path) override {
        fs::create_directories(path);
        return {};
    }
};

const char* const kFixtures = "/poetry/tests/repositories/fixtures";

/// An HTML page in PEP 503 form for the files of a PEP 691 JSON page.
std::string html_of(const nlohmann::json& page) {
    std::string html = "<!DOCTYPE html>\n<html><body>\n";
    for (const auto& file : page["files"]) {
        std::string attributes;
        if (file.contains("requires-python") && file["requires-python"].is_string()) {
            attributes += fmt::format(" data-requires-python=\"{}\"",
                                      file["requires-python"].get<std::string>());
        }
        if (file.contains("core-metadata") && file["core-metadata"].is_object()) {
            attributes += fmt::format(" data-core-metadata=\"sha256={}\"",
                                      file["core-metadata"]["sha256"].get<std::string>());
        }
        html +=
            fmt::format("<a href=\"{}#sha256={}\"{}>{}</a><br/>\n", file["url"].get<std::string>(),
                        file["hashes"]["sha256"].get<std::string>(), attributes,
                        file["filename"].get<std::string>());
    }
    return html + "</body></html>\n";
}

/// A simple index built from poetry's real PEP 691 pages, on a loopback server: each
/// `simple/<project>/` folder has the JSON page and an HTML rendering of it, file URLs point
/// at `files/` (relative), and the real wheels and `.metadata` files the fixtures have are
/// there.
class PypiClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        m_testdata = test::testdata_dir();
        if (m_testdata.empty()) {
            GTEST_SKIP() << "../shared/testdata is absent; conformance test skipped";
        }
        const auto fixtures = m_testdata + kFixtures + "/pypi.org";
        for (const auto* project : {"wheel", "poetry-core", "black", "attrs", "isort"}) {
            auto page =
                nlohmann::json::parse(test::read_text(fixtures + "/json/" + project + ".json"));
            for (auto& file : page["files"]) {
                file["url"] = "../../files/" + file["filename"].get<std::string>();
            }
            m_primary.write(std::string("simple/") + project + "/index.json", page.dump(2));
            m_primary.write(std::string("simple/") + project + "/index.html", html_of(page));
        }
        for (const auto& entry : fs::directory_iterator(fixtures + "/dists")) {
            m_primary.write("files/" + entry.path().filename().string(),
                            test::read_text(entry.path().string()));
        }
        for (const auto* metadata : {"wheel-0.40.0-py3-none-any.whl.metadata",
                                     "black-21.11b0-py3-none-any.whl.metadata"}) {
            m_primary.write(std::string("files/") + metadata,
                            test::read_text(fixtures + "/metadata/" + metadata));
        }
        // A second index, HTML only: poetry's legacy pages.
        for (const auto* project : {"black", "demo", "futures-partial-yank"}) {
            m_extra.write(std::string("simple/") + project + "/index.html",
                          test::read_text(m_testdata + kFixtures + "/legacy/" + project + ".html"));
        }
        m_options.connect_timeout_ms = 2000;
        m_options.total_timeout_ms = 10000;
        m_options.max_retries = 0;
        m_options.proxy = "";
        m_transport = std::make_unique<net::CurlTransport>(m_options, m_reporter);
    }

    PypiOptions options() const {
        PypiOptions options;
        options.index_url = m_primary_server.base_url() + "/simple";
        return options;
    }
    PypiClient client(PypiOptions options) {
        return PypiClient(std::move(options), *m_transport, m_disk, m_reporter);
    }
    static const DistributionFile& file_named(const ProjectPage& page, std::string_view filename) {
        for (const auto& file : page.files) {
            if (file.filename == filename)
                return file;
        }
        throw std::runtime_error("no file " + std::string(filename));
    }

    std::string m_testdata;
    test::TempDir m_primary;
    test::TempDir m_extra;
    test::TestServer m_primary_server{m_primary.path()};
    test::TestServer m_extra_server{m_extra.path()};
    net::TransportOptions m_options;
    test::RecordingReporter m_reporter;
    DiskFileSystem m_disk;
    std::unique_ptr<net::CurlTransport> m_transport;
};

TEST_F(PypiClientTest, AsksForPep691AndReadsTheJsonPage) {
    auto pypi = client(options());
    const auto page = pypi.project("Poetry_Core");
    ASSERT_THAT(page, Succeeds());
    EXPECT_EQ(m_primary_server.last_header("/simple/poetry-core/", "Accept"), simple_api_accept);
    EXPECT_EQ(page->name, "poetry-core");
    EXPECT_EQ(page->files.size(), 4U);
    EXPECT_FALSE(page->api_version.empty());
    const auto& wheel = file_named(*page, "poetry_core-2.1.3-py3-none-any.whl");
    EXPECT_EQ(wheel.url, m_primary_server.base_url() + "/files/poetry_core-2.1.3-py3-none-any.whl");
    EXPECT_EQ(wheel.size, 332607U);
    EXPECT_TRUE(wheel.has_core_metadata);
}

TEST_F(PypiClientTest, ReadsHtmlWhenThatIsWhatTheServerSends) {
    auto opts = options();
    opts.index_url = m_extra_server.base_url() + "/simple";
    auto pypi = client(opts);
    const auto page = pypi.project("futures-partial-yank");
    ASSERT_THAT(page, Succeeds());
    ASSERT_EQ(page->files.size(), 2U);
    EXPECT_TRUE(page->files[0].is_yanked());
    EXPECT_EQ(page->files[0].requires_python, ">=2.6, <3");
    EXPECT_EQ(page->name, "futures-partial-yank");
}

TEST_F(PypiClientTest, FirstIndexThatHasTheProjectAnswersForIt) {
    auto opts = options();
    opts.extra_index_urls = {m_extra_server.base_url() + "/simple/"};
    auto pypi = client(opts);
    const auto black = pypi.project("black");
    ASSERT_THAT(black, Succeeds());
    for (const auto& file : black->files) {
        EXPECT_THAT(file.url, HasSubstr(m_primary_server.base_url())) << file.url;
    }
    // Only on the extra index: the primary's 404 moves on.
    const auto demo = pypi.project("demo");
    ASSERT_THAT(demo, Succeeds());
    ASSERT_EQ(demo->files.size(), 1U);
    EXPECT_EQ(m_primary_server.requests("/simple/demo/"), 1U);
}

TEST_F(PypiClientTest, UnsafeBestMatchMergesEveryIndex) {
    auto opts = options();
    opts.extra_index_urls = {m_extra_server.base_url() + "/simple/"};
    opts.index_strategy = IndexStrategy::unsafe_best_match;
    auto pypi = client(opts);
    const auto black = pypi.project("black");
    ASSERT_THAT(black, Succeeds());
    std::size_t from_extra = 0;
    std::size_t from_primary = 0;
    for (const auto& file : black->files) {
        from_primary += file.page_url.starts_with(m_primary_server.base_url()) ? 1U : 0U;
        from_extra += file.page_url.starts_with(m_extra_server.base_url()) ? 1U : 0U;
    }
    EXPECT_EQ(from_primary, 4U);
    EXPECT_GT(from_extra, 0U);
    EXPECT_EQ(black->files.size(), from_primary + from_extra);
}

TEST_F(PypiClientTest, AProjectNoIndexHasIsNotFoundAndTheErrorHidesCredentials) {
    auto opts = options();
    opts.index_url =
        "http://alice:s3cret@127.0.0.1:" + std::to_string(m_primary_server.port()) + "/simple";
    opts.extra_index_urls = {m_extra_server.base_url() + "/simple"};
    auto pypi = client(opts);
    const auto page = pypi.project("no-such-project");
    ASSERT_THAT(page, FailsWithId("index.pypi.not_found"));
    EXPECT_EQ(page.error().code, core::ErrorCode::not_found);
    EXPECT_EQ(page.error().arg_value("project"), "no-such-project");
    EXPECT_THAT(page.error().arg_value("indexes"), HasSubstr("http://***@127.0.0.1:"));
    EXPECT_THAT(page.error().arg_value("indexes"), HasSubstr(m_extra_server.base_url()));
    EXPECT_THAT(page.error().describe(), Not(HasSubstr("s3cret")));
}

TEST_F(PypiClientTest, AnIndexThatFailsFailsTheLookup) {
    auto opts = options();
    opts.extra_index_urls = {m_extra_server.base_url() + "/simple"};
    m_primary_server.inject("/simple/demo/", test::Fault::http_status(503));
    auto pypi = client(opts);
    const auto page = pypi.project("demo");
    ASSERT_THAT(page, FailsWithId("index.pypi.http_status"));
    EXPECT_EQ(page.error().code, core::ErrorCode::unavailable);
    EXPECT_EQ(page.error().arg_value("status"), "503");
}

TEST_F(PypiClientTest, AnInvalidJsonPageNamesTheUrlAndLine) {
    m_primary.write("simple/broken/index.json",
                    "{\n  \"files\": [\n    {\"filename\": }\n  ]\n}\n");
    m_primary.write("simple/broken/index.html", "<a href='x'>x</a>");
    auto pypi = client(options());
    const auto page = pypi.project("broken");
    ASSERT_THAT(page, FailsWithId("index.pypi.page_invalid"));
    EXPECT_EQ(page.error().arg_value("line"), "3");
    EXPECT_THAT(page.error().arg_value("url"), HasSubstr("/simple/broken/"));
}

TEST_F(PypiClientTest, MirrorsOfAnIndexAreTriedInOrder) {
    auto opts = options();
    opts.index_url = "https://pypi.example/simple";
    opts.mirrors[opts.index_url] = {m_extra_server.base_url() + "/simple",
                                    m_primary_server.base_url() + "/simple"};
    auto pypi = client(opts);
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    EXPECT_EQ(page->files.size(), 2U);
    EXPECT_EQ(file_named(*page, "wheel-0.40.0.tar.gz").url,
              m_primary_server.base_url() + "/files/wheel-0.40.0.tar.gz");
    EXPECT_EQ(m_extra_server.requests("/simple/wheel/"), 1U);
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "net.mirror.next");
}

TEST_F(PypiClientTest, InvalidNamesAreRejectedBeforeAnyRequest) {
    auto pypi = client(options());
    EXPECT_THAT(pypi.project("-bad-"), FailsWithId("index.pypi.name_invalid"));
}

TEST_F(PypiClientTest, ProjectsFetchesSeveralNamesTogether) {
    auto pypi = client(options());
    const auto pages = pypi.projects({"wheel", "nope", "attrs", "!!"});
    ASSERT_EQ(pages.size(), 4U);
    EXPECT_THAT(pages[0], Succeeds());
    EXPECT_THAT(pages[1], FailsWithId("index.pypi.not_found"));
    EXPECT_THAT(pages[2], Succeeds());
    EXPECT_EQ(pages[2]->name, "attrs");
    EXPECT_THAT(pages[3], FailsWithId("index.pypi.name_invalid"));
}

TEST_F(PypiClientTest, MetadataFromThePep658FileWithItsHashChecked) {
    auto pypi = client(options());
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    const auto& wheel = file_named(*page, "wheel-0.40.0-py3-none-any.whl");
    const auto metadata = pypi.metadata(wheel);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->name, "wheel");
    EXPECT_EQ(metadata->version.to_string(), "0.40.0");
    EXPECT_EQ(m_primary_server.requests("/files/wheel-0.40.0-py3-none-any.whl.metadata"), 1U);
    EXPECT_EQ(m_primary_server.requests("/files/wheel-0.40.0-py3-none-any.whl"), 0U);

    m_primary.write("files/wheel-0.40.0-py3-none-any.whl.metadata",
                    "Metadata-Version: 2.1\nName: wheel\nVersion: 0.40.0\nRequires-Dist: evil\n");
    const auto tampered = pypi.metadata(wheel);
    ASSERT_THAT(tampered, FailsWithId("index.pypi.metadata_hash_mismatch"));
    EXPECT_EQ(tampered.error().arg_value("algorithm"), "sha256");
    EXPECT_EQ(tampered.error().arg_value("expected"),
              "bf7a632f73a2d57bb54d06bbb2a46c162e6dfbe7565b0746e588ce6f080e49f7");
}

TEST_F(PypiClientTest, MetadataByRangeWhenThePep658FileIsMissing) {
    auto pypi = client(options());
    const auto page = pypi.project("poetry-core");
    ASSERT_THAT(page, Succeeds());
    const auto& wheel = file_named(*page, "poetry_core-2.1.3-py3-none-any.whl");
    ASSERT_TRUE(wheel.has_core_metadata);  // the page says so, the server has no such file
    const auto metadata = pypi.metadata(wheel);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->normalized_name(), "poetry-core");
    EXPECT_EQ(metadata->version.to_string(), "2.1.3");
    EXPECT_EQ(m_primary_server.requests("/files/poetry_core-2.1.3-py3-none-any.whl.metadata"), 1U);
    const auto wheel_requests =
        m_primary_server.requests("/files/poetry_core-2.1.3-py3-none-any.whl");
    EXPECT_GE(wheel_requests, 1U);
    EXPECT_LE(wheel_requests, 3U);
    // Byte for byte the member of the archive: sha256 of
    // `unzip -p poetry_core-2.1.3-py3-none-any.whl poetry_core-2.1.3.dist-info/METADATA`.
    // (poetry's fixture wheel is not the one PyPI serves, so the page's PEP 658 hash differs.)
    const auto text = pypi.metadata_text(wheel);
    ASSERT_THAT(text, Succeeds());
    EXPECT_EQ(core::sha256(*text).hex,
              "399bf27819cb58d64a726b423bc9efec43d5f2186826eeaf9766218b5f51601a");
}

TEST_F(PypiClientTest, SourceDistributionsWithoutMetadataAreUnavailable) {
    auto pypi = client(options());
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    const auto metadata = pypi.metadata(file_named(*page, "wheel-0.40.0.tar.gz"));
    ASSERT_THAT(metadata, FailsWithId("index.pypi.metadata_unavailable"));
    EXPECT_EQ(metadata.error().code, core::ErrorCode::not_found);
}

TEST_F(PypiClientTest, FindLinksFoldersAndPagesAreAlwaysAdded) {
    test::TempDir links;
    const auto fixtures = m_testdata + kFixtures + "/pypi.org/dists";
    links.write("wheel-0.40.0-py3-none-any.whl",
                test::read_text(fixtures + "/wheel-0.40.0-py3-none-any.whl"));
    links.write("wheel-0.41.0 copy.tar.gz", "not really");
    links.write("README.txt", "ignored");
    m_extra.write("links/jax.html",
                  test::read_text(m_testdata + kFixtures + "/single-page/jax_releases.html"));

    auto opts = options();
    opts.find_links = {links.path().string(), m_extra_server.base_url() + "/links/jax.html",
                       "/no/such/folder"};
    auto pypi = client(opts);
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    EXPECT_EQ(page->files.size(), 2U + 1U);  // the index's two and the folder's wheel
    const auto& local = page->files.back();
    EXPECT_EQ(local.url, "file://" + (links.path() / "wheel-0.40.0-py3-none-any.whl").string());
    const auto metadata = pypi.metadata(local);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->version.to_string(), "0.40.0");

    // A project only the find-links page has.
    const auto jaxlib = pypi.project("jaxlib");
    ASSERT_THAT(jaxlib, Succeeds());
    EXPECT_GT(jaxlib->files.size(), 10U);
    EXPECT_TRUE(jaxlib->files[0].url.starts_with("https://storage.googleapis.com/"));

    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "index.pypi.find_links_unavailable");
    EXPECT_EQ(m_reporter.warnings[0].arg("location"), "/no/such/folder");
}

TEST_F(PypiClientTest, FindLinksWithoutAnyIndex) {
    test::MemoryFileSystem memory;
    memory.add("/wheels/demo_pkg-1.0-py3-none-any.whl", "zip");
    memory.add("/wheels/demo-pkg-2.0.tar.gz", "tar");
    memory.add("/wheels/other-1.0.tar.gz", "tar");
    PypiOptions opts;
    opts.index_url = "";
    opts.find_links = {"/wheels"};
    PypiClient pypi(opts, *m_transport, memory, m_reporter);
    const auto page = pypi.project("Demo.Pkg");
    ASSERT_THAT(page, Succeeds());
    ASSERT_EQ(page->files.size(), 2U);
    EXPECT_EQ(page->files[0].url, "file:///wheels/demo-pkg-2.0.tar.gz");
    EXPECT_EQ(page->name, "demo-pkg");
    EXPECT_THAT(pypi.project("nothing"), FailsWithId("index.pypi.not_found"));
}

TEST_F(PypiClientTest, FileIndexUrlsWorkThroughTheTransport) {
    auto pypi = client([&] {
        auto opts = options();
        opts.index_url = "file://" + (m_primary.path() / "simple").string();
        return opts;
    }());
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    const auto& wheel = file_named(*page, "wheel-0.40.0-py3-none-any.whl");
    EXPECT_EQ(wheel.url,
              "file://" + (m_primary.path() / "files/wheel-0.40.0-py3-none-any.whl").string());
    EXPECT_EQ(wheel.hashes.at("sha256"),
              "d236b20e7cb522daf2390fa84c55eea81c5c30190f90f29ae2ca1ad8355bf247");
    const auto metadata = pypi.metadata(wheel);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->name, "wheel");
}

/// Serves fixed bodies by URL and ignores Range: a server without range support.
class FixedTransport final : public core::Transport {
public:
    std::map<std::string, std::string> bodies;
    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override {
        core::HttpResponse response;
        response.effective_url = request.url;
        const auto it = bodies.find(request.url);
        response.status = it == bodies.end() ? 404 : 200;
        if (it != bodies.end())
            response.body = it->second;
        return response;
    }
};

TEST_F(PypiClientTest, AWholeWheelIsCheckedAgainstThePageHash) {
    const auto fixtures = m_testdata + kFixtures + "/pypi.org";
    const auto wheel_bytes = test::read_text(fixtures + "/dists/wheel-0.40.0-py3-none-any.whl");
    auto page = parse_simple_json(test::read_text(fixtures + "/json/wheel.json"),
                                  "https://pypi.org/simple/wheel/");
    ASSERT_THAT(page, Succeeds());
    auto file = file_named(*page, "wheel-0.40.0-py3-none-any.whl");
    file.has_core_metadata = false;

    FixedTransport transport;
    transport.bodies[file.url] = wheel_bytes;
    test::MemoryFileSystem memory;
    PypiClient pypi(PypiOptions{}, transport, memory, m_reporter);
    const auto metadata = pypi.metadata(file);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_EQ(metadata->name, "wheel");

    transport.bodies[file.url] =
        test::read_text(fixtures + "/dists/poetry_core-2.1.3-py3-none-any.whl");
    const auto swapped = pypi.metadata(file);
    ASSERT_THAT(swapped, FailsWithId("index.pypi.wheel_hash_mismatch"));
    EXPECT_EQ(swapped.error().arg_value("actual"),
              "2c704f05016698a54ca1d327f46ce2426d72eaca6ff614132c8477c292266771");
}

TEST_F(PypiClientTest, AnUnparsableRequirementOfRealMetadataIsAWarning) {
    // ipython 4.1.0rc1 on PyPI declares `setuptools (>=18.5decorator)`.
    DistributionFile file;
    file.filename = "ipython-4.1.0rc1-py2.py3-none-any.whl";
    file.url = "https://files.example/" + file.filename;
    file.has_core_metadata = true;
    classify_distribution(file);
    FixedTransport transport;
    transport.bodies[file.url + ".metadata"] =
        test::read_text(m_testdata + kFixtures +
                        "/pypi.org/metadata/ipython-4.1.0rc1-py2.py3-none-any.whl.metadata");
    test::MemoryFileSystem memory;
    PypiClient pypi(PypiOptions{}, transport, memory, m_reporter);
    const auto metadata = pypi.metadata(file);
    ASSERT_THAT(metadata, Succeeds());
    EXPECT_FALSE(metadata->requires_dist.empty());
    ASSERT_EQ(m_reporter.warnings.size(), 1U);
    EXPECT_EQ(m_reporter.warnings[0].message_id, "index.pypi.metadata_problem");
    EXPECT_EQ(m_reporter.warnings[0].arg("field"), "Requires-Dist");
    EXPECT_EQ(m_reporter.warnings[0].arg("filename"), file.filename);
    EXPECT_THAT(m_reporter.warnings[0].arg("problem"), HasSubstr("18.5decorator"));
}

TEST_F(PypiClientTest, MetadataThatContradictsTheFilenameIsRefused) {
    m_primary.write("files/wheel-0.40.0-py3-none-any.whl.metadata",
                    "Metadata-Version: 2.1\nName: wheel\nVersion: 0.39.0\n");
    auto pypi = client(options());
    const auto page = pypi.project("wheel");
    ASSERT_THAT(page, Succeeds());
    auto wheel = file_named(*page, "wheel-0.40.0-py3-none-any.whl");
    wheel.core_metadata_hashes.clear();  // no hash to catch it first
    const auto metadata = pypi.metadata(wheel);
    ASSERT_THAT(metadata, FailsWithId("index.pypi.metadata_inconsistent"));
    EXPECT_EQ(metadata.error().arg_value("field"), "Version");
    EXPECT_EQ(metadata.error().arg_value("expected"), "0.40.0");
    EXPECT_EQ(metadata.error().arg_value("actual"), "0.39.0");
}

TEST(IndexStrategyTest, ParsesAndPrintsUvsSpellings) {
    EXPECT_EQ(*parse_index_strategy("first-index"), IndexStrategy::first_index);
    EXPECT_EQ(*parse_index_strategy("unsafe-best-match"), IndexStrategy::unsafe_best_match);
    EXPECT_EQ(to_string(IndexStrategy::unsafe_best_match), "unsafe-best-match");
    EXPECT_THAT(parse_index_strategy("unsafe-first-match"),
                FailsWithId("index.pypi.strategy_invalid"));
}

}  // namespace
}  // namespace envsmith::index
