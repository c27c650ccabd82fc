#include "envsmith/api/check.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "check_conda.hpp"
#include "check_pip.hpp"
#include "check_support.hpp"
#include "envsmith/api/local_filesystem.hpp"
#include "envsmith/index/repodata.hpp"
#include "matchers.hpp"
#include "recording_reporter.hpp"
#include "test_server.hpp"

namespace envsmith::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// ---- the conda half, on records built in memory ----

struct Rec {
    std::string name;
    std::string version;
    std::string build;
};

index::Repodata make_repodata(const std::string& subdir, const std::vector<Rec>& records) {
    index::RepodataBuilder builder({.subdir = subdir, .base_url = {}, .repodata_version = 1},
                                   "https://example.invalid/" + subdir + "/");
    for (const auto& r : records) {
        index::CondaRecord record;
        record.name = r.name;
        record.version = r.version;
        record.build = r.build;
        record.subdir = subdir;
        const auto fn = r.name + "-" + r.version + "-" + r.build + ".conda";
        record.fn = fn;
        builder.add(record);
    }
    return std::move(builder).finish();
}

class CondaCheckTest : public ::testing::Test {
protected:
    index::Repodata m_linux = make_repodata("linux-64", {{"numpy", "1.26.4", "py311_0"},
                                                          {"numpy", "2.0.0", "py311_0"},
                                                          {"python", "3.11.9", "h_0"},
                                                          {"scikit-learn", "1.5.0", "py311_0"}});
    index::Repodata m_noarch = make_repodata("noarch", {{"requests", "2.32.3", "pyhd_0"}});
    index::Repodata m_osx = make_repodata("osx-arm64", {{"mlx", "0.15.0", "py311_0"},
                                                        {"numpy", "2.0.0", "py311_0"}});
    std::vector<detail::CondaSubdir> m_target{{"demo", "linux-64", &m_linux, {}},
                                              {"demo", "noarch", &m_noarch, {}}};
    int m_other_calls = 0;

    CheckItem check(const std::string& spec) {
        return detail::check_conda_dependency(spec, m_target, [this] {
            ++m_other_calls;
            return std::vector<detail::CondaSubdir>{{"demo", "osx-arm64", &m_osx, {}}};
        });
    }
};

TEST_F(CondaCheckTest, APresentSpecNamesTheBestRecordAndAsksNoOtherPlatform) {
    const auto item = check("numpy>=1.26");
    EXPECT_EQ(item.verdict, CheckVerdict::ok);
    EXPECT_EQ(item.found, "numpy 2.0.0 py311_0 (demo/linux-64)");
    EXPECT_EQ(m_other_calls, 0);
    EXPECT_EQ(check("requests").found, "requests 2.32.3 pyhd_0 (demo/noarch)");
}

TEST_F(CondaCheckTest, AMisspelledNameGetsCloseNames) {
    const auto item = check("numpyy");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.conda.unknown_name_suggest");
    EXPECT_THAT(item.close_names, ElementsAre("numpy"));
    EXPECT_THAT(item.message, HasSubstr("did you mean numpy?"));
    EXPECT_EQ(check("scikit_learn").close_names, std::vector<std::string>{"scikit-learn"});
}

TEST_F(CondaCheckTest, AnUnknownNameWithNothingCloseSaysSo) {
    const auto item = check("tensorflow");
    EXPECT_EQ(item.message_id, "check.conda.unknown_name");
    EXPECT_THAT(item.close_names, IsEmpty());
}

TEST_F(CondaCheckTest, AMissingVersionListsTheVersionsThereNewestFirst) {
    const auto item = check("numpy=3.0");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.conda.no_version");
    EXPECT_THAT(item.versions, ElementsAre("2.0.0", "1.26.4"));
}

TEST_F(CondaCheckTest, APackageOfAnotherPlatformIsNamedAsSuch) {
    const auto item = check("mlx");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.conda.other_platform");
    EXPECT_THAT(item.platforms, ElementsAre("osx-arm64"));
    EXPECT_EQ(m_other_calls, 1);
}

TEST_F(CondaCheckTest, AChannelPinnedSpecLooksOnlyThere) {
    EXPECT_EQ(check("demo::numpy").verdict, CheckVerdict::ok);
    EXPECT_EQ(check("conda-forge::numpy").verdict, CheckVerdict::missing);
}

TEST_F(CondaCheckTest, AnInvalidSpecIsInvalid) {
    const auto item = check("numpy >=>=1");
    EXPECT_EQ(item.verdict, CheckVerdict::invalid);
    EXPECT_THAT(item.message, HasSubstr("spec"));
}

TEST(CondaPythonFilter, BuildsForAnotherPythonDoNotCount) {
    index::RepodataBuilder builder({.subdir = "linux-64", .base_url = {}, .repodata_version = 1},
                                   "https://example.invalid/linux-64/");
    const std::vector<std::pair<std::string, std::string>> builds{
        {"py310_0", "python >=3.10,<3.11.0a0"}, {"py311_0", "python >=3.11,<3.12.0a0"}};
    for (const auto& [build, python] : builds) {
        const std::vector<std::string_view> depends{python, "libgcc-ng >=12"};
        const auto fn = "numpy-1.26.4-" + build + ".conda";
        index::CondaRecord record;
        record.name = "numpy";
        record.version = "1.26.4";
        record.build = build;
        record.fn = fn;
        record.subdir = "linux-64";
        record.depends = depends;
        builder.add(record);
    }
    const auto repodata = std::move(builder).finish();
    const std::vector<detail::CondaSubdir> target{{"demo", "linux-64", &repodata, {}}};
    const auto no_others = [] { return std::vector<detail::CondaSubdir>{}; };

    const auto py311 = detail::check_conda_dependency("numpy", target, no_others,
                                                      *specs::CondaVersion::parse("3.11.9"));
    EXPECT_EQ(py311.verdict, CheckVerdict::ok);
    EXPECT_EQ(py311.found, "numpy 1.26.4 py311_0 (demo/linux-64)");

    const auto py312 = detail::check_conda_dependency("numpy", target, no_others,
                                                      *specs::CondaVersion::parse("3.12.4"));
    EXPECT_EQ(py312.verdict, CheckVerdict::missing);
    EXPECT_EQ(py312.message_id, "check.conda.no_python_build");
    EXPECT_THAT(py312.pythons, ElementsAre("3.10", "3.11"));
    EXPECT_THAT(py312.message, HasSubstr("Python 3.12"));

    // Without a known Python every build counts.
    EXPECT_EQ(detail::check_conda_dependency("numpy", target, no_others).verdict, CheckVerdict::ok);
}

TEST(CloseNames, PlausibleTyposOnlyNearestFirst) {
    const std::vector<std::string_view> names{"numpy",  "numba",        "pandas",
                                              "scipy",  "scikit-learn", "scikit-image"};
    // Five letters allow one edit: numba (two) is too far.
    EXPECT_THAT(detail::close_names("numpi", names), ElementsAre("numpy"));
    EXPECT_THAT(detail::close_names("scikit_lern", names), ElementsAre("scikit-learn"));
    EXPECT_THAT(detail::close_names("scikit-imag", names), ElementsAre("scikit-image"));
    EXPECT_THAT(detail::close_names("xyz", names), IsEmpty());
}

// ---- the pip half, on project pages made here ----

detail::PipFile file(const std::string& filename, const std::string& requires_python = {},
                     bool yanked = false) {
    detail::PipFile f;
    f.filename = filename;
    if (filename.ends_with(".whl")) {
        f.wheel = *specs::WheelFilename::parse(filename);
        f.version = f.wheel->version;
    } else {
        const auto sdist = specs::SourceDistFilename::parse(filename);
        f.version = sdist->version;
    }
    if (!requires_python.empty()) {
        f.requires_python = *specs::SpecifierSet::parse(requires_python);
    }
    f.yanked = yanked;
    return f;
}

class PipCheckTest : public ::testing::Test {
protected:
    std::map<std::string, detail::PipProject> m_projects{
        {"torch",
         {"torch",
          {file("torch-2.3.1-cp311-cp311-manylinux_2_17_x86_64.whl"),
           file("torch-2.3.1-cp312-cp312-manylinux_2_17_x86_64.whl"),
           file("torch-2.3.1-cp311-none-macosx_11_0_arm64.whl")}}},
        {"oldlib", {"oldlib", {file("oldlib-0.9.0-cp36-cp36m-manylinux1_x86_64.whl")}}},
        {"sdistonly", {"sdistonly", {file("sdistonly-1.0.0.tar.gz")}}},
        {"newsdist",
         {"newsdist", {file("newsdist-1.0.0-py3-none-any.whl"), file("newsdist-1.1.0.tar.gz")}}},
        {"yanked",
         {"yanked",
          {file("yanked-1.0.0-py3-none-any.whl"), file("yanked-2.0.0-py3-none-any.whl", {}, true)}}},
        {"azureml-core", {"azureml-core", {file("azureml_core-1.56.0-py3-none-any.whl", ">=3.8,<3.12")}}},
    };

    CheckItem check(const std::string& requirement, const std::string& python = "3.11") {
        auto target = detail::make_pip_target(python, "linux-64", "2.28", false);
        EXPECT_THAT(target, test::Succeeds());
        return detail::check_pip_requirement(
            requirement, *target,
            [this](const std::string& name) -> core::Result<std::optional<detail::PipProject>> {
                if (name == "unreachable") {
                    return core::make_error(core::ErrorCode::unavailable, "network.timeout",
                                            "timed out");
                }
                const auto it = m_projects.find(name);
                if (it == m_projects.end()) {
                    return std::optional<detail::PipProject>();
                }
                return std::optional<detail::PipProject>(it->second);
            },
            "https://pypi.example/simple");
    }
};

TEST_F(PipCheckTest, AWheelForTheTargetIsOk) {
    const auto item = check("torch==2.3.1");
    EXPECT_EQ(item.verdict, CheckVerdict::ok);
    EXPECT_THAT(item.found, HasSubstr("cp311-cp311-manylinux_2_17_x86_64"));
}

TEST_F(PipCheckTest, NoWheelForThePythonNamesThePythonsServed) {
    const auto item = check("torch==2.3.1", "3.10");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.pip.no_distribution");
    EXPECT_THAT(item.pythons, ElementsAre("3.11", "3.12"));
    EXPECT_THAT(item.platforms, ElementsAre("macosx_11_0_arm64", "manylinux_2_17_x86_64"));
    EXPECT_EQ(check("oldlib").pythons, std::vector<std::string>{"3.6"});
}

TEST_F(PipCheckTest, AMissingVersionListsReleases) {
    const auto item = check("torch>=3");
    EXPECT_EQ(item.message_id, "check.pip.no_version");
    EXPECT_THAT(item.versions, ElementsAre("2.3.1"));
}

TEST_F(PipCheckTest, AnUnknownProjectIsMissingAndAnUnreachableIndexIsAnError) {
    EXPECT_EQ(check("reqeusts").message_id, "check.pip.no_project");
    EXPECT_EQ(check("reqeusts").verdict, CheckVerdict::missing);
    EXPECT_EQ(check("unreachable").verdict, CheckVerdict::error);
}

TEST_F(PipCheckTest, OnlyAnSdistIsAWarning) {
    EXPECT_EQ(check("sdistonly").verdict, CheckVerdict::warning);
    const auto newer = check("newsdist");
    EXPECT_EQ(newer.verdict, CheckVerdict::warning);
    EXPECT_EQ(newer.message_id, "check.pip.sdist_only");
    EXPECT_EQ(check("newsdist<1.1").verdict, CheckVerdict::ok);
}

TEST_F(PipCheckTest, YankedReleasesCountOnlyForAnExactPin) {
    const auto item = check("yanked>=2");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.pip.only_yanked");
    EXPECT_THAT(item.yanked, ElementsAre("2.0.0"));
    EXPECT_EQ(check("yanked==2.0.0").verdict, CheckVerdict::ok);
    EXPECT_EQ(check("yanked").found, "yanked 1.0.0 (yanked-1.0.0-py3-none-any.whl)");
}

TEST_F(PipCheckTest, RequiresPythonIsHonoured) {
    EXPECT_EQ(check("azureml-core", "3.11").verdict, CheckVerdict::ok);
    const auto item = check("azureml-core", "3.12");
    EXPECT_EQ(item.verdict, CheckVerdict::missing);
    EXPECT_EQ(item.message_id, "check.pip.requires_python");
    EXPECT_THAT(item.message, HasSubstr("<3.12"));
}

TEST_F(PipCheckTest, MarkersAndDirectUrlsAreSkipped) {
    EXPECT_EQ(check("pywin32; sys_platform == 'win32'").verdict, CheckVerdict::skipped);
    EXPECT_EQ(check("torch @ https://example.invalid/torch.whl").verdict, CheckVerdict::skipped);
}

// ---- the whole use case over loopback HTTP, on the demo channel and index ----

#ifdef ENVSMITH_DEMO_INDEX_DIR
class CheckUseCaseTest : public ::testing::Test {
protected:
    test::TestServer m_server{ENVSMITH_DEMO_INDEX_DIR};
    test::TempDir m_cache;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;

    CheckOptions options(const std::string& definition) {
        CheckOptions o;
        o.path = std::string(ENVSMITH_SOURCE_DIR) + "/" + definition;
        o.platform = "linux-64";
        o.network.cache_dir = m_cache.path().string();
        o.network.channel_alias = m_server.base_url() + "/channel";
        o.network.retries = 0;
        o.index_url = m_server.base_url() + "/simple";
        return o;
    }

    static const CheckItem& item(const CheckReport& report, const std::string& request) {
        for (const auto& i : report.items) {
            if (i.request == request) {
                return i;
            }
        }
        throw std::runtime_error("no item " + request);
    }
};

TEST_F(CheckUseCaseTest, EveryItemOfTheDemoDefinitionExists) {
    const auto report = check(m_fs, m_reporter, options("examples/demo-index/definitions/environment.yml"));
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_FALSE(report->failing());
    EXPECT_EQ(report->python, "3.11");
    EXPECT_EQ(report->python_source, "conda");
    for (const auto& i : report->items) {
        EXPECT_EQ(i.verdict, CheckVerdict::ok) << i.request << ": " << i.message;
    }
}

TEST_F(CheckUseCaseTest, ProblemsGetTheRightVerdictsAndSuggestions) {
    const auto report = check(m_fs, m_reporter, options("tests/data/check/problems.yml"));
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_TRUE(report->failing());
    EXPECT_THAT(item(*report, "numpyy").close_names, ElementsAre("numpy"));
    EXPECT_THAT(item(*report, "numpy=3.0").versions, ElementsAre("2.0.0", "1.26.4"));
    EXPECT_THAT(item(*report, "mlx").platforms, ElementsAre("osx-arm64"));
    EXPECT_EQ(item(*report, "cudatoolkit=11.8").verdict, CheckVerdict::ok);
    EXPECT_EQ(item(*report, "torch==2.3.1").verdict, CheckVerdict::ok);
    EXPECT_EQ(item(*report, "reqeusts").verdict, CheckVerdict::missing);
    EXPECT_THAT(item(*report, "reqeusts").close_names, ElementsAre("requests"));
    EXPECT_EQ(item(*report, "tensorflow==9.9").message_id, "check.pip.no_version");
    EXPECT_EQ(item(*report, "oldlib").message_id, "check.pip.no_distribution");
    EXPECT_EQ(item(*report, "sdistonly").verdict, CheckVerdict::warning);
    EXPECT_EQ(item(*report, "yankedpkg>=2").message_id, "check.pip.only_yanked");
}

TEST_F(CheckUseCaseTest, ASecondRunWithinMaxAgeAsksTheServerNothing) {
    ASSERT_THAT(check(m_fs, m_reporter, options("examples/demo-index/definitions/environment.yml")),
                test::Succeeds());
    const auto first = m_server.requests("/channel/envsmith-demo/linux-64/repodata.json");
    EXPECT_GE(first, 1U);
    ASSERT_THAT(check(m_fs, m_reporter, options("examples/demo-index/definitions/environment.yml")),
                test::Succeeds());
    EXPECT_EQ(m_server.requests("/channel/envsmith-demo/linux-64/repodata.json"), first);
    // Index pages too.
    EXPECT_EQ(m_server.requests("/simple/torch/"), 1U);
}

/// `check` of an environment.yml written here, against channels served from a folder of
/// ../shared/testdata.
class CheckTestdataChannels {
public:
    CheckTestdataChannels(const std::string& folder, const std::string& environment_yml)
        : m_server(folder), m_definition(m_dir.write("environment.yml", environment_yml)) {}

    core::Result<CheckReport> run(const std::string& python = {}) {
        CheckOptions o;
        o.path = m_definition.string();
        o.platform = "linux-64";
        o.python = python;
        o.network.cache_dir = m_cache.path().string();
        o.network.channel_alias = m_server.base_url();
        o.network.retries = 0;
        return check(m_fs, m_reporter, o);
    }
    [[nodiscard]] const test::TestServer& server() const { return m_server; }

private:
    test::TestServer m_server;
    test::TempDir m_dir;
    std::filesystem::path m_definition;
    test::TempDir m_cache;
    test::RecordingReporter m_reporter;
    LocalFileSystem m_fs;
};

TEST(CheckShardedChannel, FetchesOnlyTheAskedShardsAndSuggestsFromTheShardIndex) {
    ENVSMITH_REQUIRE_TESTDATA(testdata);
    // conda's real CEP-16 test channel: a shard index naming libgcc-ng and zlib.
    CheckTestdataChannels channels(testdata + "/conda/tests/data",
                                   "channels: [conda_format_repo]\n"
                                   "dependencies:\n  - zlib >=1.2\n  - zlibb\n");
    const auto report = channels.run("3.11");
    ASSERT_THAT(report, test::Succeeds());
    ASSERT_EQ(report->items.size(), 2U);
    EXPECT_EQ(report->items[0].verdict, CheckVerdict::ok) << report->items[0].message;
    EXPECT_EQ(report->items[0].found, "zlib 1.2.11 h7b6447c_3 (conda_format_repo/linux-64)");
    EXPECT_THAT(report->items[1].close_names, ElementsAre("zlib"));
    const std::string shards = "/conda_format_repo/linux-64/";
    const auto& server = channels.server();
    EXPECT_EQ(server.requests(shards + "repodata.json"), 0U);
    EXPECT_EQ(server.requests(
                  shards + "56a0c19b47ba1a2d0f1390eda489b1c49a00d35814571057e6d81e0c93dfd157.msgpack.zst"),
              1U);  // zlib's shard
    EXPECT_EQ(server.requests(
                  shards + "2dcdacf7009b4f1c21f452c5079384340257e0e1cbecb8ec484984d1fa85b115.msgpack.zst"),
              0U);  // libgcc-ng's: nobody asked
}

TEST(CheckPinnedChannel, AChannelNamedOnlyInASpecIsFetchedAfterTheListedOnes) {
    ENVSMITH_REQUIRE_TESTDATA(testdata);
    CheckTestdataChannels channels(testdata + "/derived",
                                   "channels: [conda-index4-channel]\n"
                                   "dependencies:\n  - python=3.6\n"
                                   "  - pytorch-channel::pytorch=1.5\n");
    const auto report = channels.run();
    ASSERT_THAT(report, test::Succeeds());
    ASSERT_EQ(report->items.size(), 2U);
    EXPECT_EQ(report->items[1].found, "pytorch 1.5.1 py3.6_cpu_0 (pytorch-channel/linux-64)");
    EXPECT_GE(channels.server().requests("/pytorch-channel/linux-64/repodata.json"), 1U);
}

TEST_F(CheckUseCaseTest, AnUnreachableChannelIsAnErrorNotAMissingPackage) {
    auto o = options("examples/demo-index/definitions/environment.yml");
    o.network.channel_alias = "http://127.0.0.1:1/channel";
    const auto report = check(m_fs, m_reporter, o);
    ASSERT_THAT(report, test::Succeeds());
    EXPECT_TRUE(report->failing());
    EXPECT_EQ(item(*report, "envsmith-demo").verdict, CheckVerdict::error);
    EXPECT_EQ(item(*report, "numpy=1.26").verdict, CheckVerdict::error);
}
#endif

}  // namespace
}  // namespace envsmith::api

namespace envsmith::api {
namespace {

TEST(NetworkSettingsFile, SecretsComeFromTheEnvironmentAndAnUnsetOneIsALocatedError) {
    test::TempDir dir;
    const auto file = dir.write("config.yaml",
                                "channel_alias: https://conda.example.com\n"
                                "credentials:\n"
                                "  - host: repo.example.com\n"
                                "    token_env: ENVSMITH_TEST_TOKEN_4711\n");
    LocalFileSystem fs;
    ::unsetenv("ENVSMITH_TEST_TOKEN_4711");
    const auto unset = load_network_settings(fs, file.string());
    ASSERT_THAT(unset, test::FailsWithId("settings.secret_env_unset"));
    EXPECT_EQ(unset.error().where->line, 3U);
    EXPECT_EQ(unset.error().arg_value("variable"), "ENVSMITH_TEST_TOKEN_4711");

    ::setenv("ENVSMITH_TEST_TOKEN_4711", "s3cret", 1);
    const auto loaded = load_network_settings(fs, file.string());
    ::unsetenv("ENVSMITH_TEST_TOKEN_4711");
    ASSERT_THAT(loaded, test::Succeeds());
    EXPECT_EQ(loaded->channel_alias, "https://conda.example.com");
    ASSERT_EQ(loaded->credentials.size(), 1U);
    EXPECT_TRUE(loaded->credentials[0].bearer);
    EXPECT_EQ(loaded->credentials[0].secret, "s3cret");
}

TEST(NetworkSettingsFile, NoFileAtTheDefaultPlaceIsNoSettingsButANamedMissingFileIsAnError) {
    test::TempDir dir;
    LocalFileSystem fs;
    ::setenv("ENVSMITH_CONFIG", (dir.path() / "absent.yaml").c_str(), 1);
    // ENVSMITH_CONFIG names the default place; it is looked for, and its absence is fine.
    EXPECT_THAT(load_network_settings(fs), test::Succeeds());
    ::unsetenv("ENVSMITH_CONFIG");
    EXPECT_THAT(load_network_settings(fs, (dir.path() / "absent.yaml").string()),
                test::FailsWithId("fs.not_found"));
}

}  // namespace
}  // namespace envsmith::api
