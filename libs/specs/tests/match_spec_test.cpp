// MatchSpec against conda's documented forms (the MatchSpec docstring and
// tests/models/test_match_spec.py) and PackageRecord matching.

#include "envsmith/specs/match_spec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::HasSubstr;

MatchSpec ms(std::string_view text) {
    auto parsed = MatchSpec::parse(text);
    EXPECT_THAT(parsed, Succeeds()) << text;
    return parsed ? *parsed : MatchSpec();
}

PackageRecord record(std::string name, std::string_view version, std::string build,
                     std::uint64_t build_number = 0) {
    PackageRecord r;
    r.name = std::move(name);
    r.version = *CondaVersion::parse(version);
    r.build = std::move(build);
    r.build_number = build_number;
    r.channel = "https://conda.anaconda.org/conda-forge/linux-64";
    r.subdir = "linux-64";
    r.fn = r.name + "-" + std::string(version) + "-" + r.build + ".conda";
    r.url = "https://conda.anaconda.org/conda-forge/linux-64/" + r.fn;
    r.md5 = "d41d8cd98f00b204e9800998ecf8427e";
    r.license = "BSD-3-Clause";
    return r;
}

TEST(MatchSpecTest, CanonicalStringsFollowCondasStr) {
    const struct {
        const char* text;
        const char* canonical;
    } cases[] = {
        // conda's docstring
        {"foo 1.0 py27_0", "foo==1.0=py27_0"},
        {"foo=1.0=py27_0", "foo==1.0=py27_0"},
        {"conda-forge::foo[version=1.0.*]", "conda-forge::foo=1.0"},
        {"conda-forge/linux-64::foo>=1.0", "conda-forge/linux-64::foo[version='>=1.0']"},
        {"*/linux-64::foo>=1.0", "foo[subdir=linux-64,version='>=1.0']"},
        {"foo[build=py2*, channel=conda-forge]", "conda-forge::foo[build=py2*]"},
        // the common forms
        {"numpy", "numpy"},
        {"NumPy", "numpy"},
        {"numpy=1.2", "numpy=1.2"},
        {"numpy 1.2.*", "numpy=1.2"},
        {"numpy 1.2*", "numpy=1.2"},
        {"numpy==1.2", "numpy==1.2"},
        {"numpy 1.2", "numpy==1.2"},
        {"numpy==1.2=build_1", "numpy==1.2=build_1"},
        {"numpy>=1.2,<2", "numpy[version='>=1.2,<2']"},
        {"numpy >=1.2, <2", "numpy[version='>=1.2,<2']"},
        {"numpy >=1.8,<2|1.7", "numpy[version='>=1.8,<2|==1.7']"},
        {"numpy=1.2=*cuda*", "numpy==1.2[build=*cuda*]"},
        {"numpy !=1.2", "numpy!=1.2"},
        {"numpy!=1.2.*", "numpy!=1.2.*"},
        {"numpy ~=1.2", "numpy~=1.2"},
        {"numpy ~=1.2 py_0", "numpy[version='~=1.2',build=py_0]"},
        {"numpy * openblas_0", "numpy[build=openblas_0]"},
        {"numpy * *", "numpy[build=*]"},
        {"numpy 1.*.3", "numpy==1.*.3"},
        {"python 3.8.* *_cpython", "python=3.8[build=*_cpython]"},
        {"pkgs/main::numpy", "pkgs/main::numpy"},
        {"conda-forge::numpy", "conda-forge::numpy"},
        {"conda-forge/noarch::numpy", "conda-forge/noarch::numpy"},
        {"*", "*"},
        {"num*", "num*"},
        {"__glibc >=2.17", "__glibc[version='>=2.17']"},
        {"_libgcc_mutex 0.1 main", "_libgcc_mutex==0.1=main"},
        {"numpy[version='>=1.8,<2', build_number='>=3']",
         "numpy[version='>=1.8,<2',build_number='>=3']"},
        {"numpy[build_number=3]", "numpy[build_number=3]"},
        {"numpy[md5=abc, sha256=def]", "numpy[md5=abc,sha256=def]"},
        {"numpy[license=MIT]", "numpy[license=mit]"},
        {"*[md5=12345678901234567890123456789012]", "*[md5=12345678901234567890123456789012]"},
        {"numpy[build=\"^py3.*$\"]", "numpy[build='^py3.*$']"},
        {"mkl@", "*[track_features=mkl]"},
        {"numpy[track_features='a b']", "numpy[track_features='a b']"},
        {"numpy # a comment", "numpy"},
        {"numpy >=1.2 if python", "numpy[version='>=1.2']"},
        {"ns:numpy", "numpy"},
        {"numpy[name=scipy]", "numpy"},  // conda ignores a bracket name
        {"numpy=", "numpy"},             // conda ignores a lone trailing operator
        {"numpy 1.0[version=2.0]", "numpy==2.0"},
        {"numpy=1.2|1.3", "numpy[version='1.2.*|==1.3']"},
        {"numpy (>=1.2|<1.0),<3", "numpy[version='(>=1.2|<1.0),<3']"},
        {"ncurses >=5.9*", "ncurses[version='>=5.9*']"},
        {"numpy 1.2**", "numpy[version='(=1.2*)']"},
        {"numpy[version='==1_*']", "numpy=1_"},  // conda: `==` is dropped, then `1_*`
        {"numpy[version='(==1_*)']", "numpy[version='(==1_*)']"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto spec = ms(c.text);
        EXPECT_EQ(spec.to_string(), c.canonical);
        const auto again = ms(spec.to_string());
        EXPECT_EQ(again.to_string(), spec.to_string());
        EXPECT_EQ(again, spec);
    }
}

// Found by fuzz_match_spec: printed inline, `n=u.conda` reads back as a package file name.
TEST(MatchSpecTest, VersionsEndingLikePackageFilesStayVersions) {
    for (const std::string text : {"n u.conda.*", "n 1.tar.bz2.*", "n=x.conda.*", "n=x.conda=b"}) {
        SCOPED_TRACE(text);
        const auto spec = MatchSpec::parse(text);
        ASSERT_THAT(spec, Succeeds());
        EXPECT_EQ(spec->name(), "n");
        const auto again = MatchSpec::parse(spec->to_string());
        ASSERT_THAT(again, Succeeds());
        EXPECT_EQ(again->name(), "n") << spec->to_string();
        EXPECT_EQ(again->to_string(), spec->to_string());
    }
}

TEST(MatchSpecTest, FieldsAreExposed) {
    const auto spec = ms("conda-forge/linux-64::numpy>=1.8,<2 py3*[build_number='>=2', md5=abc]");
    EXPECT_EQ(spec.name(), "numpy");
    EXPECT_EQ(spec.channel(), "conda-forge");
    EXPECT_EQ(spec.subdir(), "linux-64");
    EXPECT_EQ(spec.version().to_string(), ">=1.8,<2");
    EXPECT_EQ(spec.build(), "py3*");
    ASSERT_TRUE(spec.build_number().has_value());
    EXPECT_EQ(spec.build_number()->to_string(), ">=2");
    EXPECT_EQ(spec.md5(), "abc");
    EXPECT_FALSE(spec.is_name_only());
    EXPECT_TRUE(ms("numpy").is_name_only());
    EXPECT_FALSE(ms("*").is_name_only());
    EXPECT_TRUE(MatchSpec().version().matches_all());
}

TEST(MatchSpecTest, PackageUrlsAndFiles) {
    const struct {
        const char* text;
        const char* canonical;
    } cases[] = {
        {"https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312h8753938_0.conda",
         "conda-forge/linux-64::numpy==1.26.4=py312h8753938_0[url=https://conda.anaconda.org/"
         "conda-forge/linux-64/numpy-1.26.4-py312h8753938_0.conda,fn=numpy-1.26.4-py312h8753938_0.conda]"},
        {"https://repo.anaconda.com/pkgs/main/noarch/six-1.16.0-pyhd3eb1b0_1.tar.bz2",
         "pkgs/main/noarch::six==1.16.0=pyhd3eb1b0_1[url=https://repo.anaconda.com/pkgs/main/"
         "noarch/six-1.16.0-pyhd3eb1b0_1.tar.bz2,fn=six-1.16.0-pyhd3eb1b0_1.tar.bz2]"},
        {"https://example.com/chan/linux-64/zlib-1.2.11-h7b6447c_3.conda#abcdef",
         "https://example.com/chan/linux-64::zlib==1.2.11=h7b6447c_3[url=https://example.com/"
         "chan/linux-64/zlib-1.2.11-h7b6447c_3.conda,fn=zlib-1.2.11-h7b6447c_3.conda]"},
        {"/opt/pkgs/linux-64/foo-1.0-0.tar.bz2",
         "file:///opt/pkgs/linux-64::foo==1.0=0[url=file:///opt/pkgs/linux-64/foo-1.0-0.tar.bz2,"
         "fn=foo-1.0-0.tar.bz2]"},
        {"https://example.com/downloads/foo-1.0-0.conda",
         "*[url=https://example.com/downloads/foo-1.0-0.conda,fn=foo-1.0-0.conda]"},
        {"foo-1.0-0.conda", "*[url=foo-1.0-0.conda,fn=foo-1.0-0.conda]"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto spec = ms(c.text);
        EXPECT_EQ(spec.to_string(), c.canonical);
        EXPECT_EQ(ms(spec.to_string()), spec);
    }
    auto numpy = record("numpy", "1.26.4", "py312h8753938_0");
    EXPECT_TRUE(ms(cases[0].text).matches(numpy));
    numpy.build = "py311h_0";
    EXPECT_FALSE(ms(cases[0].text).matches(numpy));
}

TEST(MatchSpecTest, MatchesRecords) {
    const auto numpy = record("numpy", "1.26.4", "py312h8753938_0", 3);
    const struct {
        const char* spec;
        bool expected;
    } cases[] = {
        {"numpy", true},                     {"NUMPY", true},
        {"scipy", false},                    {"num*", true},
        {"*", true},                         {"numpy=1.26", true},
        {"numpy=1.2", false},                {"numpy 1.26.*", true},
        {"numpy==1.26.4", true},             {"numpy==1.26", false},
        {"numpy>=1.20,<2", true},            {"numpy>=2|<1.26", false},
        {"numpy 1.26.4 py312*", true},       {"numpy 1.26.4 py311*", false},
        {"numpy==1.26.4=py312h8753938_0", true},
        {"numpy=1.26.4=*_0", true},          {"numpy[build='^py312.*_0$']", true},
        {"numpy=1.26=*_0", false},  // with a build, conda reads `=1.26` as exactly 1.26
        {"numpy[build_number=3]", true},     {"numpy[build_number='>=4']", false},
        {"conda-forge::numpy", true},        {"defaults::numpy", false},
        {"conda-forge/linux-64::numpy", true}, {"conda-forge/osx-64::numpy", false},
        {"conda-*::numpy", true},            {"*/linux-64::numpy", true},
        {"numpy[subdir=linux-64]", true},    {"numpy[subdir=noarch]", false},
        {"numpy[md5=d41d8cd98f00b204e9800998ecf8427e]", true},
        {"numpy[md5=00000000000000000000000000000000]", false},
        {"numpy[license=bsd*]", true},       {"numpy[license=MIT]", false},
        {"numpy[fn=numpy-1.26.4-py312h8753938_0.conda]", true},
        {"numpy[track_features=mkl]", false},
        {"https://conda.anaconda.org/conda-forge/linux-64/numpy-1.26.4-py312h8753938_0.conda",
         true},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.spec);
        EXPECT_EQ(ms(c.spec).matches(numpy), c.expected);
    }
    auto with_features = numpy;
    with_features.track_features = {"mkl"};
    EXPECT_TRUE(ms("numpy[track_features=mkl]").matches(with_features));
    EXPECT_TRUE(ms("mkl@").matches(with_features));
    auto from_defaults = numpy;
    from_defaults.channel = "https://repo.anaconda.com/pkgs/main";
    EXPECT_TRUE(ms("defaults::numpy").matches(from_defaults));
    EXPECT_TRUE(ms("pkgs/main::numpy").matches(from_defaults));
    EXPECT_FALSE(ms("conda-forge::numpy").matches(from_defaults));
}

TEST(MatchSpecTest, SplitsVersionAndBuildLikeConda) {
    // conda's _parse_version_plus_build examples, seen through the canonical form.
    const struct {
        const char* text;
        const char* version;
        const char* build;  // "" for none
    } cases[] = {
        {"foo =1.2.3 0", "==1.2.3", "0"},
        {"foo 1.2.3=0", "==1.2.3", "0"},
        {"foo >=1.0 , < 2.0 py34_0", ">=1.0,<2.0", "py34_0"},
        {"foo >=1.0 , < 2.0 =py34_0", ">=1.0,<2.0", "py34_0"},
        {"foo =1.2.3 ", "1.2.3.*", ""},
        {"foo >1.8,<2|==1.7", ">1.8,<2|==1.7", ""},
        {"foo * openblas_0", "*", "openblas_0"},
        {"foo * *", "*", "*"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto spec = ms(c.text);
        EXPECT_EQ(spec.version().to_string(), c.version);
        EXPECT_EQ(spec.build().value_or(""), c.build);
    }
}

TEST(MatchSpecTest, RejectsInvalidSpecsAndNamesTheColumn) {
    const struct {
        const char* text;
        unsigned column;
        const char* expected;
    } cases[] = {
        {"", 1, "found nothing"},
        {"   ", 4, "found nothing"},
        {">=1.2", 1, "expected a package name"},
        {"numpy==", 8, "expected a version after the operator"},
        {"numpy<=", 8, "expected a version after the operator"},
        {"numpy >=1.x&", 12, "expected letters"},
        {"numpy >=1.2 <2", 13, "expected letters"},
        {"num$py", 4, "package name of letters"},
        {"-numpy", 1, "starts with a letter"},
        {"num..py", 1, "without repeated"},
        {"numpy[version=1.2", 18, "end the spec"},
        {"numpy[version=1.2]x", 19, "end the spec"},
        {"numpy[version]", 14, "`key=value`"},
        {"numpy[version=]", 15, "expected a value after `version=`"},
        {"numpy[version='1.2]", 15, "closing quote"},
        {"numpy[colour=red]", 7, "expected a key among"},
        {"numpy[version=>=1,<2]", 19, "`key=value`"},
        {"numpy[build_number=x]", 20, "non-negative integer"},
        {"numpy[version='1..2']", 18, "found an empty one"},
        {"numpy 1..2", 9, "found an empty one"},
        {"numpy=1..2", 9, "found an empty one"},
        {"numpy[build='^(?=x)$']", 14, "RE2"},
        {"https://example.com/c/linux-64/bad.conda", 32, "`<name>-<version>-<build>.<ext>`"},
        {"@", 1, "feature name"},
        {"num*@x", 5, "package name of letters"},
        {"foo 1.0 a'b\"c", 9, "both kinds of quotes"},
        {"mkl#x@", 4, "feature names"},
        {"numpy[track_features='a;b']", 24, "feature names"},
        {"# only a comment", 1, "before the comment"},
        {",@", 1, "feature name before `@`"},            // found by fuzz_match_spec
        {"x[track_features=',']", 19, "feature name in `track_features`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto parsed = MatchSpec::parse(c.text);
        ASSERT_THAT(parsed, FailsWithId("spec.match_spec.invalid"));
        const auto& error = parsed.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        EXPECT_THAT(error.message, HasSubstr("column " + std::to_string(c.column)));
        EXPECT_THAT(error.message, HasSubstr(c.expected));
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.where->line_text, c.text);
        EXPECT_EQ(error.arg_value("spec"), c.text);
    }
}

TEST(MatchSpecTest, HostileInputDoesNotCrash) {
    const std::string inputs[] = {
        std::string(10000, '['),  std::string(10000, ']'), std::string(5000, ':'),
        "a[" + std::string(3000, ',') + "]", std::string(1000, '(') + "x",
        "x " + std::string(20000, '='), "x[version='" + std::string(100, '(') + "1']",
        std::string("a\0b", 3), "\xff\xfe[version=\xff]",
        "numpy[build='^" + std::string(2000, '(') + "$']",
    };
    for (const auto& input : inputs) {
        SCOPED_TRACE(input.substr(0, 40));
        const auto parsed = MatchSpec::parse(input);
        if (parsed) {
            EXPECT_THAT(MatchSpec::parse(parsed->to_string()), Succeeds());
        }
    }
}

}  // namespace
}  // namespace envsmith::specs
