#include "envsmith/index/simple_api.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "envsmith/specs/pep508.hpp"
#include "matchers.hpp"

namespace envsmith::index {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(ResolveUrlTest, FollowsRfc3986) {
    const std::string base = "https://example.com/simple/pkg/";
    EXPECT_EQ(resolve_url(base, "pkg-1.0.tar.gz"), "https://example.com/simple/pkg/pkg-1.0.tar.gz");
    EXPECT_EQ(resolve_url(base, "../../files/a.whl#sha256=ab"),
              "https://example.com/files/a.whl#sha256=ab");
    EXPECT_EQ(resolve_url(base, "/root.whl"), "https://example.com/root.whl");
    EXPECT_EQ(resolve_url(base, "//cdn.example.org/x.whl"), "https://cdn.example.org/x.whl");
    EXPECT_EQ(resolve_url(base, "http://other/x.whl"), "http://other/x.whl");
    EXPECT_EQ(resolve_url("https://example.com/simple/pkg", "x.whl"),
              "https://example.com/simple/x.whl");
    EXPECT_EQ(resolve_url("https://example.com", "x.whl"), "https://example.com/x.whl");
    EXPECT_EQ(resolve_url("https://example.com/a/b?q=1", "?r=2"), "https://example.com/a/b?r=2");
    EXPECT_EQ(resolve_url("file:///srv/index/simple/pkg/", "../../files/a.whl"),
              "file:///srv/index/files/a.whl");
    EXPECT_EQ(resolve_url("https://h/a/b/c", "./d/../e"), "https://h/a/b/e");
}

TEST(HtmlUnescapeTest, DecodesNamedAndNumericReferences) {
    EXPECT_EQ(html_unescape("&gt;=2.7,&lt;3 &amp; &quot;x&quot; &#39;y&#x27; &unknown; &"),
              ">=2.7,<3 & \"x\" 'y' &unknown; &");
    EXPECT_EQ(html_unescape("&#233;"), "\xC3\xA9");
}

TEST(SimpleHtmlTest, ReadsAnchorsWithAttributesInAnyOrderAndQuoting) {
    const auto page = parse_simple_html(
        R"(<html><head><meta name="pypi:repository-version" content="1.1">
<!-- <a href="commented-1.0.tar.gz">no</a> -->
</head><body>
<a data-requires-python="&gt;=3.8" href="../../files/pkg-1.0-py3-none-any.whl#sha256=ABCD"
   data-core-metadata="sha256=beef">pkg-1.0-py3-none-any.whl</a>
<A HREF='pkg-1.1.tar.gz#md5=00ff' data-yanked>pkg-1.1.tar.gz</A>
<a href=pkg-1.2.zip data-yanked="broken &amp; bad" data-dist-info-metadata=true>x</a>
<a>no href</a>
<a href="pkg%2B1-setup.exe">exe</a>
</body></html>)",
        "https://example.com/simple/pkg/");
    ASSERT_THAT(page, Succeeds());
    EXPECT_EQ(page->api_version, "1.1");
    ASSERT_EQ(page->files.size(), 4U);
    const auto& wheel = page->files[0];
    EXPECT_EQ(wheel.filename, "pkg-1.0-py3-none-any.whl");
    EXPECT_EQ(wheel.url, "https://example.com/files/pkg-1.0-py3-none-any.whl");
    EXPECT_EQ(wheel.hashes.at("sha256"), "abcd");
    EXPECT_EQ(wheel.requires_python, ">=3.8");
    EXPECT_FALSE(wheel.is_yanked());
    EXPECT_TRUE(wheel.has_core_metadata);
    EXPECT_EQ(wheel.core_metadata_hashes.at("sha256"), "beef");
    EXPECT_EQ(wheel.kind, DistributionKind::wheel);
    ASSERT_TRUE(wheel.wheel.has_value());
    EXPECT_EQ(wheel.project_name(), "pkg");
    EXPECT_EQ(wheel.version()->to_string(), "1.0");

    const auto& sdist = page->files[1];
    EXPECT_EQ(sdist.url, "https://example.com/simple/pkg/pkg-1.1.tar.gz");
    EXPECT_EQ(sdist.hashes.at("md5"), "00ff");
    ASSERT_TRUE(sdist.is_yanked());
    EXPECT_EQ(*sdist.yanked, "");
    EXPECT_EQ(sdist.kind, DistributionKind::sdist);
    EXPECT_FALSE(sdist.has_core_metadata);

    EXPECT_EQ(*page->files[2].yanked, "broken & bad");
    EXPECT_TRUE(page->files[2].has_core_metadata);
    EXPECT_TRUE(page->files[2].core_metadata_hashes.empty());
    EXPECT_EQ(page->files[3].filename, "pkg+1-setup.exe");
    EXPECT_EQ(page->files[3].kind, DistributionKind::unknown);
}

TEST(SimpleHtmlTest, BaseHrefMovesTheBaseUrl) {
    const auto page = parse_simple_html(
        R"(<head><base href="https://mirror.example/packages/"></head><a href="a-1.0.tar.gz">a</a>)",
        "https://example.com/simple/a/");
    ASSERT_THAT(page, Succeeds());
    ASSERT_EQ(page->files.size(), 1U);
    EXPECT_EQ(page->files[0].url, "https://mirror.example/packages/a-1.0.tar.gz");
}

TEST(SimpleJsonTest, ReadsPep691Pep700AndPep714Fields) {
    const auto page = parse_simple_json(R"({
      "meta": {"api-version": "1.1"}, "name": "pkg", "versions": ["1.0", "1.1"],
      "files": [
        {"filename": "pkg-1.0-py3-none-any.whl", "url": "../../files/pkg-1.0-py3-none-any.whl",
         "hashes": {"sha256": "AB"}, "requires-python": ">=3.8", "core-metadata": {"sha256": "cd"},
         "dist-info-metadata": false, "size": 12, "upload-time": "2024-01-01T00:00:00Z", "yanked": false},
        {"filename": "pkg-1.1.tar.gz", "url": "https://files.example/pkg-1.1.tar.gz#sha256=ef",
         "hashes": {}, "yanked": "bad build", "dist-info-metadata": true},
        {"filename": "pkg-1.2.tar.gz", "url": "pkg-1.2.tar.gz", "hashes": {}, "yanked": true,
         "requires-python": null, "core-metadata": false}
      ]})",
                                        "https://example.com/simple/pkg/");
    ASSERT_THAT(page, Succeeds());
    EXPECT_EQ(page->name, "pkg");
    EXPECT_EQ(page->api_version, "1.1");
    EXPECT_THAT(page->versions, ElementsAre("1.0", "1.1"));
    ASSERT_EQ(page->files.size(), 3U);
    const auto& wheel = page->files[0];
    EXPECT_EQ(wheel.url, "https://example.com/files/pkg-1.0-py3-none-any.whl");
    EXPECT_EQ(wheel.hashes.at("sha256"), "ab");
    EXPECT_EQ(wheel.requires_python, ">=3.8");
    EXPECT_TRUE(wheel.has_core_metadata);
    EXPECT_EQ(wheel.core_metadata_hashes.at("sha256"), "cd");
    EXPECT_EQ(wheel.size, 12U);
    EXPECT_EQ(wheel.upload_time, "2024-01-01T00:00:00Z");
    EXPECT_FALSE(wheel.is_yanked());
    EXPECT_EQ(page->files[1].url, "https://files.example/pkg-1.1.tar.gz");
    EXPECT_EQ(page->files[1].hashes.at("sha256"), "ef");
    EXPECT_EQ(*page->files[1].yanked, "bad build");
    EXPECT_TRUE(page->files[1].has_core_metadata);
    EXPECT_EQ(*page->files[2].yanked, "");
    EXPECT_FALSE(page->files[2].has_core_metadata);
}

TEST(SimpleJsonTest, RejectsPagesThatAreNotPep691) {
    struct Case {
        const char* body;
        std::uint32_t line;
        const char* problem;
    };
    const Case cases[] = {
        {"{\n\"files\": [\n}", 3, "not JSON"},
        {"[]", 1, "not a JSON object"},
        {R"({"files": [], "meta": {"_last-serial": 1e999}})", 1, "not JSON"},
        {R"({"name": "x"})", 1, "no `files` array"},
        {R"({"files": [{"url": "a"}]})", 1, "file #1: no string `filename`"},
        {R"({"files": [{"filename": "a"}]})", 1, "no string `url`"},
        {R"({"files": [{"filename": "a", "url": "a", "hashes": {"sha256": 1}}]})", 1,
         "not a string"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.body);
        const auto page = parse_simple_json(c.body, "https://user:pw@example.com/simple/x/");
        ASSERT_THAT(page, FailsWithId("index.pypi.page_invalid"));
        EXPECT_EQ(page.error().code, core::ErrorCode::invalid_input);
        EXPECT_EQ(page.error().arg_value("line"), std::to_string(c.line));
        EXPECT_THAT(page.error().arg_value("problem"), HasSubstr(c.problem));
        EXPECT_THAT(page.error().message, Not(HasSubstr("pw")));
        EXPECT_EQ(page.error().arg_value("url"), "https://***@example.com/simple/x/");
    }
}

// Real pages from poetry's and pip's test data.
const char* const kPoetryFixtures = "/poetry/tests/repositories/fixtures";

TEST(SimpleApiConformanceTest, EveryPoetryPypiJsonPageParses) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = dir + kPoetryFixtures + "/pypi.org/json";
    std::size_t pages = 0;
    std::size_t files = 0;
    std::size_t sized = 0;  // PEP 700 `size` and `upload-time`
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        if (entry.path().extension() != ".json")
            continue;
        SCOPED_TRACE(entry.path().string());
        const auto name = entry.path().stem().string();
        const auto page = parse_simple_json(test::read_text(entry.path().string()),
                                            "https://pypi.org/simple/" + name + "/");
        ASSERT_THAT(page, Succeeds());
        ++pages;
        EXPECT_EQ(specs::normalize_package_name(page->name), name);
        EXPECT_FALSE(page->api_version.empty());
        for (const auto& file : page->files) {
            SCOPED_TRACE(file.filename);
            EXPECT_TRUE(file.url.starts_with("https://files.pythonhosted.org/")) << file.url;
            EXPECT_EQ(file.hashes.at("sha256").size(), 64U);
            sized += file.size.has_value() && !file.upload_time.empty() ? 1U : 0U;
            ++files;
            if (file.kind != DistributionKind::unknown) {
                EXPECT_EQ(file.project_name(), name);
            }
            if (!file.core_metadata_hashes.empty()) {
                EXPECT_TRUE(file.has_core_metadata);
                EXPECT_EQ(file.kind, DistributionKind::wheel);
            }
        }
    }
    EXPECT_GT(pages, 30U);
    EXPECT_GT(sized, files * 9 / 10);

    const auto attrs = parse_simple_json(test::read_text(root.string() + "/attrs.json"),
                                         "https://pypi.org/simple/attrs/");
    ASSERT_THAT(attrs, Succeeds());
    ASSERT_EQ(attrs->files.size(), 2U);
    const auto& wheel = attrs->files[0];
    EXPECT_EQ(wheel.filename, "attrs-17.4.0-py2.py3-none-any.whl");
    EXPECT_EQ(wheel.hashes.at("md5"), "7fe37931797b16c7fa158017457a9ea9");
    EXPECT_EQ(wheel.core_metadata_hashes.at("sha256"),
              "a1828f9b7a019e96302759189410f380814be1dd57a201a56c078f9e8e11a2e5");
    EXPECT_EQ(wheel.size, 31658U);
    EXPECT_EQ(wheel.upload_time, "2017-12-30T08:20:05.582456Z");
    EXPECT_EQ(attrs->files[1].kind, DistributionKind::sdist);
    EXPECT_FALSE(attrs->files[1].has_core_metadata);
}

TEST(SimpleApiConformanceTest, PoetryLegacyHtmlAgreesWithItsJson) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::filesystem::path root = dir + kPoetryFixtures + "/legacy";
    std::size_t compared = 0;
    for (const auto& entry : std::filesystem::directory_iterator(root)) {
        if (entry.path().extension() != ".html")
            continue;
        SCOPED_TRACE(entry.path().string());
        const auto name = entry.path().stem().string();
        const std::string url = "https://legacy.foo.bar/" + name + "/";
        const auto html = parse_simple_html(test::read_text(entry.path().string()), url);
        ASSERT_THAT(html, Succeeds());
        EXPECT_FALSE(html->files.empty());
        const auto json_path = root / "json" / (name + ".json");
        if (!std::filesystem::exists(json_path))
            continue;
        const auto json = parse_simple_json(test::read_text(json_path.string()), url);
        ASSERT_THAT(json, Succeeds());
        ASSERT_EQ(html->files.size(), json->files.size());
        for (std::size_t i = 0; i < html->files.size(); ++i) {
            const auto& a = html->files[i];
            const auto& b = json->files[i];
            SCOPED_TRACE(a.filename);
            EXPECT_EQ(a.filename, b.filename);
            EXPECT_EQ(a.url, b.url);
            if (!b.hashes.empty()) {  // some JSON fixtures leave the hashes out
                EXPECT_EQ(a.hashes, b.hashes);
            }
            EXPECT_EQ(a.requires_python, b.requires_python);
            EXPECT_EQ(a.yanked, b.yanked);
            EXPECT_EQ(a.has_core_metadata, b.has_core_metadata);
            EXPECT_EQ(a.core_metadata_hashes, b.core_metadata_hashes);
            EXPECT_EQ(a.kind, b.kind);
        }
        ++compared;
    }
    EXPECT_GE(compared, 5U);

    const auto partial = parse_simple_html(
        test::read_text(root.string() + "/futures-partial-yank.html"), "https://x/futures/");
    ASSERT_THAT(partial, Succeeds());
    ASSERT_EQ(partial->files.size(), 2U);
    EXPECT_EQ(partial->files[0].yanked, std::optional<std::string>(""));
    EXPECT_EQ(partial->files[0].requires_python, ">=2.6, <3");
    EXPECT_FALSE(partial->files[1].is_yanked());

    const auto relative = parse_simple_html(test::read_text(root.string() + "/relative.html"),
                                            "https://x/simple/poetry/");
    ASSERT_THAT(relative, Succeeds());
    EXPECT_EQ(relative->files[0].url, "https://x/simple/poetry/poetry-0.1.0-py3-none-any.whl");
    EXPECT_EQ(relative->files[2].kind, DistributionKind::sdist);  // .tar.bz2
}

TEST(SimpleApiConformanceTest, PipIndexes) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::string root = dir + "/pip/tests/data/indexes";
    const auto yanked = parse_simple_html(test::read_text(root + "/yanked/simple/index.html"),
                                          "file:///idx/yanked/simple/");
    ASSERT_THAT(yanked, Succeeds());
    ASSERT_EQ(yanked->files.size(), 3U);
    EXPECT_FALSE(yanked->files[0].is_yanked());
    EXPECT_EQ(yanked->files[2].yanked, std::optional<std::string>("test reason message"));
    EXPECT_EQ(yanked->files[0].url, "file:///packages/simple-1.0.tar.gz");

    const auto datarequire =
        parse_simple_html(test::read_text(root + "/datarequire/fakepackage/index.html"),
                          "https://h/simple/fakepackage/");
    ASSERT_THAT(datarequire, Succeeds());
    EXPECT_EQ(datarequire->api_version, "2");
    std::vector<std::string> requires_python;
    for (const auto& file : datarequire->files) {
        requires_python.push_back(file.requires_python);
        EXPECT_EQ(file.hashes.at("md5"), "00000000000000000000000000000000");
        EXPECT_TRUE(file.url.starts_with("https://h/fakepackage-")) << file.url;
    }
    EXPECT_THAT(requires_python, ElementsAre("", "<2.7", ">=2.7,<3", ">=3.3", "><X.y.z"));

    const auto pre =
        parse_simple_html(test::read_text(root + "/pre/bar/index.html"), "https://h/simple/bar/");
    ASSERT_THAT(pre, Succeeds());
    ASSERT_EQ(pre->files.size(), 3U);
    // The filename comes from the URL, not from the anchor text.
    EXPECT_EQ(pre->files[1].filename, "bar-2.0b1.tar.gz");
    EXPECT_TRUE(pre->files[1].version()->is_prerelease());
    EXPECT_TRUE(pre->files[2].version()->is_devrelease());

    const auto invalid = parse_simple_html(
        test::read_text(root + "/invalid-version/invalid-version/index.html"), "https://h/");
    ASSERT_THAT(invalid, Succeeds());
    EXPECT_FALSE(invalid->files.empty());
}

TEST(SimpleApiConformanceTest, FindLinksPages) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    for (const char* name : {"jax_releases.html", "mmcv_torch_releases.html"}) {
        SCOPED_TRACE(name);
        const auto page =
            parse_simple_html(test::read_text(dir + kPoetryFixtures + "/single-page/" + name),
                              std::string("https://example.com/") + name);
        ASSERT_THAT(page, Succeeds());
        ASSERT_GT(page->files.size(), 10U);
        std::size_t wheels = 0;
        for (const auto& file : page->files) {
            wheels += file.kind == DistributionKind::wheel ? 1U : 0U;
        }
        EXPECT_GT(wheels, page->files.size() / 2);
    }
}

}  // namespace
}  // namespace envsmith::index
