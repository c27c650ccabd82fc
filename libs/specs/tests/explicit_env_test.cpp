#include "envsmith/specs/explicit_env.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::HasSubstr;

TEST(ExplicitEnvTest, ParsesHeadersEntriesAndHashes) {
    const std::string text =
        "# This file may be used to create an environment using:\r\n"
        "# $ conda create --name <env> --file <this file>\r\n"
        "# platform: linux-64\r\n"
        "\r\n"
        "@EXPLICIT\r\n"
        "https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2\r\n"
        "  https://conda.anaconda.org/conda-forge/linux-64/ld_impl_linux-64-2.40-h41732ed_0.conda"
        "#7aca3059a1729aa76c597603f10b0dd3  \r\n"
        "# a comment between packages\n"
        "https://repo.example.com/t/tk-123/main/noarch/tzdata-2024a-h0c530f3_0.conda"
        "#sha256:26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93\n"
        "https://conda.anaconda.org/conda-forge/osx-arm64/libffi-3.4.2-h3422bc3_5.tar.bz2"
        "#086914B672BE056EB70FD4285B6783B6\n"
        "file:///home/me/conda-bld/linux-64/mypkg-0.1.dev3-py_0.conda"
        "#md5:086914b672be056eb70fd4285b6783b6";  // no final line break
    const auto env = ExplicitEnv::parse(text, "env.txt");
    ASSERT_THAT(env, Succeeds());
    EXPECT_EQ(env->platform, "linux-64");
    ASSERT_EQ(env->entries.size(), 5U);

    EXPECT_EQ(env->entries[0], (ExplicitEntry{"https://conda.anaconda.org/conda-forge/linux-64/"
                                              "_libgcc_mutex-0.1-conda_forge.tar.bz2",
                                              "https://conda.anaconda.org/conda-forge", "linux-64",
                                              "_libgcc_mutex-0.1-conda_forge.tar.bz2",
                                              "_libgcc_mutex", "0.1", "conda_forge", "", ""}));
    const auto& ld = env->entries[1];
    EXPECT_EQ(ld.name, "ld_impl_linux-64");
    EXPECT_EQ(ld.version, "2.40");
    EXPECT_EQ(ld.build, "h41732ed_0");
    EXPECT_EQ(ld.md5, "7aca3059a1729aa76c597603f10b0dd3");
    EXPECT_EQ(ld.sha256, "");
    EXPECT_EQ(
        ld.url,
        "https://conda.anaconda.org/conda-forge/linux-64/ld_impl_linux-64-2.40-h41732ed_0.conda");
    const auto& tzdata = env->entries[2];
    EXPECT_EQ(tzdata.channel, "https://repo.example.com/t/tk-123/main");
    EXPECT_EQ(tzdata.subdir, "noarch");
    EXPECT_EQ(tzdata.filename, "tzdata-2024a-h0c530f3_0.conda");
    EXPECT_EQ(tzdata.md5, "");
    EXPECT_EQ(tzdata.sha256, "26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93");
    EXPECT_EQ(env->entries[3].subdir, "osx-arm64");
    EXPECT_EQ(env->entries[3].md5, "086914B672BE056EB70FD4285B6783B6");
    EXPECT_EQ(env->entries[4].channel, "file:///home/me/conda-bld");
    EXPECT_EQ(env->entries[4].version, "0.1.dev3");
    EXPECT_EQ(env->entries[4].md5, "086914b672be056eb70fd4285b6783b6");
}

TEST(ExplicitEnvTest, AcceptsABareSha256AndAnEmptyEnvironment) {
    const auto env = ExplicitEnv::parse(
        "@EXPLICIT\nhttps://x.org/c/linux-64/a-1-0.conda#"
        "26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93\n",
        "env.txt");
    ASSERT_THAT(env, Succeeds());
    ASSERT_EQ(env->entries.size(), 1U);
    EXPECT_EQ(env->entries[0].sha256,
              "26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93");
    EXPECT_EQ(env->platform, "");

    const auto empty = ExplicitEnv::parse("# platform: win-64\n@EXPLICIT\n", "env.txt");
    ASSERT_THAT(empty, Succeeds());
    EXPECT_TRUE(empty->entries.empty());
    EXPECT_EQ(empty->platform, "win-64");
}

struct BadExplicit {
    std::string text;
    std::string id;
    std::uint32_t line;
    std::uint32_t column;
};

TEST(ExplicitEnvTest, ReportsLocatedErrors) {
    const std::vector<BadExplicit> cases = {
        {"", "spec.explicit.no_marker", 1, 1},
        {"# only comments\n\n", "spec.explicit.no_marker", 1, 1},
        {"# platform: linux-64\n  https://x.org/c/linux-64/a-1-0.conda\n@EXPLICIT\n",
         "spec.explicit.before_marker", 2, 3},
        {"@EXPLICIT\n@PLATFORM linux-64\n", "spec.explicit.directive", 2, 1},
        {"@EXPLICIT\n\n  https://x.org/c/linux-64/a-1-0.conda#zz\n", "spec.explicit.hash", 3, 40},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/"
         "a-1-0.conda#sha256:9a0364b9e99bb480dd25e1f0284c8555\n",
         "spec.explicit.hash", 2, 38},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/a-1-0.conda# \n", "spec.explicit.hash", 2, 38},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/a b-1-0.conda\n", "spec.explicit.url", 2, 27},
        {"@EXPLICIT\nnumpy-1.26.4-py312_0.conda\n", "spec.explicit.url", 2, 1},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/\n", "spec.explicit.url", 2, 26},
        {"@EXPLICIT\nhttps://x.org/a-1-0.conda\n", "spec.explicit.url", 2, 1},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/a-1.conda\n", "spec.explicit.filename", 2, 26},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/a-1-0.zip\n", "spec.explicit.filename", 2, 26},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/a--0.conda\n", "spec.explicit.filename", 2, 26},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/-1-0.conda\n", "spec.explicit.filename", 2, 26},
        {"@EXPLICIT\nhttps://x.org/c/linux-64/.conda\n", "spec.explicit.filename", 2, 26},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto env = ExplicitEnv::parse(c.text, "env.txt");
        ASSERT_THAT(env, FailsWithId(c.id));
        const auto& error = env.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->file, "env.txt");
        EXPECT_EQ(error.where->line, c.line);
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.arg_value("source"), "env.txt");
        EXPECT_EQ(error.arg_value("line"), std::to_string(c.line));
        EXPECT_EQ(error.arg_value("column"), std::to_string(c.column));
        EXPECT_FALSE(error.arg_value("expected").empty());
    }
}

TEST(ExplicitEnvTest, ErrorMessagesShowTheOffendingText) {
    const auto hash =
        ExplicitEnv::parse("@EXPLICIT\nhttps://x.org/c/linux-64/a-1-0.conda#12\n", "env.txt");
    ASSERT_THAT(hash, FailsWithId("spec.explicit.hash"));
    EXPECT_EQ(hash.error().message,
              "invalid hash `12` for `a-1-0.conda`: expected 32 hex digits (md5) or 64 hex digits "
              "(sha256)");
    EXPECT_EQ(hash.error().where->line_text, "https://x.org/c/linux-64/a-1-0.conda#12");
    const auto name =
        ExplicitEnv::parse("@EXPLICIT\nhttps://x.org/c/linux-64/a-1.conda\n", "env.txt");
    ASSERT_THAT(name, FailsWithId("spec.explicit.filename"));
    EXPECT_THAT(name.error().message, HasSubstr("`a-1.conda`"));
    const auto marker = ExplicitEnv::parse("numpy\n", "env.txt");
    ASSERT_THAT(marker, FailsWithId("spec.explicit.before_marker"));
    EXPECT_FALSE(marker.error().hint.empty());
}

TEST(ExplicitEnvTest, WritesWhatCondaReads) {
    ExplicitEnv env;
    env.platform = "linux-64";
    env.entries = {
        ExplicitEntry{"https://c.org/cf/linux-64/a-1-0.conda", "", "", "", "", "", "", "", ""},
        ExplicitEntry{"https://c.org/cf/noarch/b-2-py_0.tar.bz2", "", "", "", "", "", "",
                      "7aca3059a1729aa76c597603f10b0dd3", ""},
        ExplicitEntry{"https://c.org/cf/linux-64/c-3-h1_0.conda", "", "", "", "", "", "", "",
                      "26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93"},
    };
    const auto text = to_explicit_text(env);
    EXPECT_EQ(text,
              "# platform: linux-64\n"
              "@EXPLICIT\n"
              "https://c.org/cf/linux-64/a-1-0.conda\n"
              "https://c.org/cf/noarch/b-2-py_0.tar.bz2#7aca3059a1729aa76c597603f10b0dd3\n"
              "https://c.org/cf/linux-64/c-3-h1_0.conda#sha256:"
              "26153057ae830758381efb7a2a5ad23a2c2cb45fc1b3e2c7400f0a1e1dc48f93\n");
    const auto again = ExplicitEnv::parse(text, "written.txt");
    ASSERT_THAT(again, Succeeds());
    ASSERT_EQ(again->entries.size(), 3U);
    EXPECT_EQ(again->entries[1].name, "b");
    EXPECT_EQ(again->entries[1].subdir, "noarch");
    EXPECT_EQ(again->entries[2].sha256, env.entries[2].sha256);
    EXPECT_EQ(to_explicit_text(*again), text);

    EXPECT_EQ(to_explicit_text(ExplicitEnv{}), "@EXPLICIT\n");
}

// --- real files (../shared/testdata: rattler's explicit environments) ----------------------

struct RealExplicit {
    std::string path;
    std::string platform;
    std::size_t entries;
    std::size_t with_md5;
};

TEST(ExplicitEnvConformanceTest, ReadsRattlersExplicitEnvironmentsAndRoundTripsThem) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::vector<RealExplicit> files = {
        {"explicit-envs/ros-noetic_linux-64.txt", "linux-64", 568, 0},
        {"explicit-envs/vs2015_runtime_win-64.txt", "win-64", 2, 2},
        {"explicit-envs/xtensor_linux-64.txt", "linux-64", 7, 7},
        {"python/explicit-env-linux-64.txt", "linux-64", 22, 22},
        {"python/explicit-env-linux-aarch64.txt", "linux-aarch64", 21, 21},
        {"python/explicit-env-linux-ppc64le.txt", "linux-ppc64le", 22, 22},
        {"python/explicit-env-osx-64.txt", "osx-64", 15, 15},
        {"python/explicit-env-osx-arm64.txt", "osx-arm64", 15, 15},
        {"python/explicit-env-win-64.txt", "win-64", 16, 16},
    };
    for (const auto& file : files) {
        SCOPED_TRACE(file.path);
        const auto text = test::read_text(dir + "/rattler/test-data/" + file.path);
        ASSERT_FALSE(text.empty());
        const auto env = ExplicitEnv::parse(text, file.path);
        ASSERT_THAT(env, Succeeds());
        EXPECT_EQ(env->platform, file.platform);
        EXPECT_EQ(env->entries.size(), file.entries);
        std::size_t with_md5 = 0;
        for (const auto& entry : env->entries) {
            SCOPED_TRACE(entry.url);
            with_md5 += entry.md5.empty() ? 0U : 1U;
            EXPECT_TRUE(entry.subdir == file.platform || entry.subdir == "noarch");
            EXPECT_EQ(entry.channel + "/" + entry.subdir + "/" + entry.filename, entry.url);
            EXPECT_EQ(entry.filename.rfind(entry.name + "-" + entry.version + "-" + entry.build, 0),
                      0U);
        }
        EXPECT_EQ(with_md5, file.with_md5);

        const auto written = to_explicit_text(*env);
        const auto reread = ExplicitEnv::parse(written, "written.txt");
        ASSERT_THAT(reread, Succeeds());
        EXPECT_EQ(*reread, *env);
        EXPECT_EQ(to_explicit_text(*reread), written);
    }
}

TEST(ExplicitEnvConformanceTest, SplitsRealFileNames) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const auto env = ExplicitEnv::parse(
        test::read_text(dir + "/rattler/test-data/explicit-envs/vs2015_runtime_win-64.txt"),
        "vs2015_runtime_win-64.txt");
    ASSERT_THAT(env, Succeeds());
    ASSERT_EQ(env->entries.size(), 2U);
    const auto& runtime = env->entries[1];
    EXPECT_EQ(runtime.channel, "https://repo.anaconda.com/pkgs/main");
    EXPECT_EQ(runtime.subdir, "win-64");
    EXPECT_EQ(runtime.name, "vs2015_runtime");
    EXPECT_EQ(runtime.version, "14.16.27012");
    EXPECT_EQ(runtime.build, "hf0eaf9b_3");
    EXPECT_EQ(runtime.md5, "a98ea1e3abfdbbd201d60ff6b43ea7e4");
}

}  // namespace
}  // namespace envsmith::specs
