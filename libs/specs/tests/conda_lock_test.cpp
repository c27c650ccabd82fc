#include "envsmith/specs/conda_lock.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "matchers.hpp"

namespace envsmith::specs {
namespace {

using ::envsmith::test::FailsWithId;
using ::envsmith::test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

/// A small lock with one package per kind, written in the reader's terms.
const char* const small_lock =
    "version: 1\n"
    "metadata:\n"
    "  content_hash:\n"
    "    linux-64: aaaa\n"
    "    osx-arm64: bbbb\n"
    "  channels:\n"
    "    - url: conda-forge\n"
    "      used_env_vars: []\n"
    "    - url: https://${USER}:${PASS}@repo.example.com/private\n"
    "      used_env_vars: [USER, PASS]\n"
    "  platforms:\n"
    "    - linux-64\n"
    "    - osx-arm64\n"
    "  sources:\n"
    "    - environment.yml\n"
    "  time_metadata:\n"
    "    created_at: '2024-05-01T10:00:00Z'\n"
    "  git_metadata:\n"
    "    git_sha: 0123abc\n"
    "  inputs_metadata:\n"
    "    environment.yml:\n"
    "      md5: 9a0364b9e99bb480dd25e1f0284c8555\n"
    "  custom_metadata:\n"
    "    team: data\n"
    "package:\n"
    "  - name: python\n"
    "    version: '3.12.1'\n"
    "    manager: conda\n"
    "    platform: linux-64\n"
    "    dependencies:\n"
    "      libzlib: '>=1.2.13,<2.0.0a0'\n"
    "      bzip2: '>=1.0.8,<2.0a0'\n"
    "    constrains:\n"
    "      python_abi: 3.12.* *_cp312\n"
    "    url: "
    "https://conda.anaconda.org/conda-forge/linux-64/python-3.12.1-hab00c5b_1_cpython.conda\n"
    "    hash:\n"
    "      md5: 0bab699354cbd66959550eb9b9866620\n"
    "      sha256: 27a6442ae7ef10d7935cd60aac9f3b33f687cd926ff2559e6bf05c02d8b189e1\n"
    "    build: hab00c5b_1_cpython\n"
    "    category: main\n"
    "    optional: false\n"
    "  - name: requests\n"
    "    version: '2.31.0'\n"
    "    manager: pip\n"
    "    platform: osx-arm64\n"
    "    url: https://files.pythonhosted.org/packages/requests-2.31.0-py3-none-any.whl\n"
    "    hash:\n"
    "      sha256: 58cd2187c01e70e6e26505bca751777aa9f2ee0b7f4300988b709f44e013003f\n"
    "    source:\n"
    "      type: url\n"
    "      url: https://example.com/requests.tar.gz\n"
    "    category: dev\n";

std::vector<std::string> names(const std::vector<const LockedPackage*>& packages) {
    std::vector<std::string> out;
    for (const auto* package : packages) {
        out.push_back(package->name);
    }
    return out;
}

TEST(CondaLockTest, ParsesEveryField) {
    const auto lock = CondaLock::parse(small_lock, "conda-lock.yml");
    ASSERT_THAT(lock, Succeeds());
    EXPECT_TRUE(lock->warnings.empty());

    const auto& meta = lock->metadata;
    EXPECT_THAT(meta.content_hash,
                ElementsAre(Pair("linux-64", "aaaa"), Pair("osx-arm64", "bbbb")));
    ASSERT_EQ(meta.channels.size(), 2U);
    EXPECT_EQ(meta.channels[0], (LockChannel{"conda-forge", {}}));
    EXPECT_EQ(meta.channels[1].url, "https://${USER}:${PASS}@repo.example.com/private");
    EXPECT_THAT(meta.channels[1].used_env_vars, ElementsAre("USER", "PASS"));
    EXPECT_THAT(meta.platforms, ElementsAre("linux-64", "osx-arm64"));
    EXPECT_THAT(meta.sources, ElementsAre("environment.yml"));
    ASSERT_TRUE(meta.time_metadata.has_value());
    EXPECT_EQ(meta.time_metadata->created_at, "2024-05-01T10:00:00Z");
    ASSERT_TRUE(meta.git_metadata.has_value());
    EXPECT_EQ(meta.git_metadata->git_sha, "0123abc");
    EXPECT_FALSE(meta.git_metadata->git_user_name.has_value());
    ASSERT_TRUE(meta.inputs_metadata.has_value());
    EXPECT_EQ(meta.inputs_metadata->at("environment.yml").md5, "9a0364b9e99bb480dd25e1f0284c8555");
    EXPECT_FALSE(meta.inputs_metadata->at("environment.yml").sha256.has_value());
    ASSERT_TRUE(meta.custom_metadata.has_value());
    EXPECT_THAT(*meta.custom_metadata, ElementsAre(Pair("team", "data")));

    ASSERT_EQ(lock->packages.size(), 2U);
    const auto& python = lock->packages[0];
    EXPECT_EQ(python.name, "python");
    EXPECT_EQ(python.version, "3.12.1");
    EXPECT_EQ(python.manager, LockManager::conda);
    EXPECT_EQ(python.platform, "linux-64");
    EXPECT_THAT(python.dependencies,
                ElementsAre(Pair("bzip2", ">=1.0.8,<2.0a0"), Pair("libzlib", ">=1.2.13,<2.0.0a0")));
    EXPECT_THAT(python.constrains, ElementsAre(Pair("python_abi", "3.12.* *_cp312")));
    EXPECT_EQ(python.md5, "0bab699354cbd66959550eb9b9866620");
    EXPECT_EQ(python.sha256, "27a6442ae7ef10d7935cd60aac9f3b33f687cd926ff2559e6bf05c02d8b189e1");
    EXPECT_EQ(python.build, "hab00c5b_1_cpython");
    EXPECT_FALSE(python.source_url.has_value());
    EXPECT_EQ(python.category, "main");
    EXPECT_FALSE(python.optional);

    const auto& requests = lock->packages[1];
    EXPECT_EQ(requests.manager, LockManager::pip);
    EXPECT_TRUE(requests.dependencies.empty());
    EXPECT_FALSE(requests.md5.has_value());
    EXPECT_EQ(requests.source_url, "https://example.com/requests.tar.gz");
    EXPECT_FALSE(requests.build.has_value());
    EXPECT_EQ(requests.category, "dev");
    EXPECT_TRUE(requests.optional) << "`optional` defaults to `category != main`";
}

TEST(CondaLockTest, PackagesForSelectsOnePlatformInFileOrder) {
    auto lock = CondaLock::parse(small_lock, "conda-lock.yml");
    ASSERT_THAT(lock, Succeeds());
    auto extra = lock->packages[0];
    extra.name = "bzip2";
    lock->packages.push_back(extra);
    EXPECT_THAT(names(packages_for(*lock, "linux-64")), ElementsAre("python", "bzip2"));
    EXPECT_THAT(names(packages_for(*lock, "osx-arm64")), ElementsAre("requests"));
    EXPECT_TRUE(packages_for(*lock, "win-64").empty());
    EXPECT_EQ(packages_for(*lock, "linux-64")[0], &lock->packages[0]);
}

TEST(CondaLockTest, WritesTheConventionalLayout) {
    CondaLock lock;
    lock.metadata.content_hash = {{"linux-64", "c0ffee"}};
    lock.metadata.channels = {{"conda-forge", {}}};
    lock.metadata.platforms = {"linux-64"};
    lock.metadata.sources = {"environment.yml"};
    LockedPackage mutex;
    mutex.name = "_libgcc_mutex";
    mutex.version = "0.1";
    mutex.platform = "linux-64";
    mutex.url =
        "https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2";
    mutex.md5 = "d7c89558ba9fa0495403155b64376d81";
    LockedPackage zlib = mutex;
    zlib.name = "libzlib";
    zlib.version = "1.2.13";
    zlib.dependencies = {{"libgcc-ng", ">=12"}, {"_libgcc_mutex", "0.1 conda_forge"}};
    zlib.url = "https://conda.anaconda.org/conda-forge/linux-64/libzlib-1.2.13-hd590300_5.conda";
    zlib.md5 = std::nullopt;
    zlib.sha256 = "370c7c5893b737596fd6ca0d9190c9715d89d888b8c88537ae1ef168c25e82e4";
    lock.packages = {zlib, mutex};

    EXPECT_EQ(
        to_yaml(lock),
        "version: 1\n"
        "metadata:\n"
        "  content_hash:\n"
        "    linux-64: c0ffee\n"
        "  channels:\n"
        "    - url: conda-forge\n"
        "      used_env_vars: []\n"
        "  platforms:\n"
        "    - linux-64\n"
        "  sources:\n"
        "    - environment.yml\n"
        "package:\n"
        "  - name: _libgcc_mutex\n"
        "    version: \"0.1\"\n"
        "    manager: conda\n"
        "    platform: linux-64\n"
        "    dependencies: {}\n"
        "    url: "
        "https://conda.anaconda.org/conda-forge/linux-64/_libgcc_mutex-0.1-conda_forge.tar.bz2\n"
        "    hash:\n"
        "      md5: d7c89558ba9fa0495403155b64376d81\n"
        "    category: main\n"
        "    optional: false\n"
        "  - name: libzlib\n"
        "    version: 1.2.13\n"
        "    manager: conda\n"
        "    platform: linux-64\n"
        "    dependencies:\n"
        "      _libgcc_mutex: 0.1 conda_forge\n"
        "      libgcc-ng: \">=12\"\n"
        "    url: https://conda.anaconda.org/conda-forge/linux-64/libzlib-1.2.13-hd590300_5.conda\n"
        "    hash:\n"
        "      sha256: 370c7c5893b737596fd6ca0d9190c9715d89d888b8c88537ae1ef168c25e82e4\n"
        "    category: main\n"
        "    optional: false\n");

    CondaLock empty;
    EXPECT_EQ(to_yaml(empty),
              "version: 1\n"
              "metadata:\n"
              "  content_hash: {}\n"
              "  channels: []\n"
              "  platforms: []\n"
              "  sources: []\n"
              "package: []\n");
    const auto reread = CondaLock::parse(to_yaml(empty), "empty.yml");
    ASSERT_THAT(reread, Succeeds());
    EXPECT_EQ(*reread, empty);
}

TEST(CondaLockTest, RoundTripsEveryField) {
    const auto lock = CondaLock::parse(small_lock, "conda-lock.yml");
    ASSERT_THAT(lock, Succeeds());
    const auto text = to_yaml(*lock);
    const auto again = CondaLock::parse(text, "written.yml");
    ASSERT_THAT(again, Succeeds()) << text;
    EXPECT_EQ(*again, *lock) << text;
    EXPECT_EQ(to_yaml(*again), text);
    EXPECT_TRUE(again->warnings.empty());
    // Equality is field by field: a changed hash is a different lock.
    auto changed = *again;
    changed.packages[1].sha256 = std::string(64, 'f');
    EXPECT_NE(changed, *lock);
    auto changed_meta = *again;
    changed_meta.metadata.channels.pop_back();
    EXPECT_NE(changed_meta, *lock);
}

TEST(CondaLockTest, QuotesScalarsThatYamlWouldReadAsSomethingElse) {
    const std::vector<std::string> tricky = {
        "",      "true",   "No",        "null",      "~",           "1.0",      "12",
        "1e3",   "0x1F",   "-1",        ".inf",      "1_000",       "3:30",     "a: b",
        "a #b",  "#x",     "-x",        "*ref",      "!tag",        "'single'", "\"dq\"",
        " lead", "trail ", "tab\there", "new\nline", "back\\slash", "{x}",      "[x]",
        "key:",  "@at",    "`tick",     "%pct",      "é-ünï",       ">=1,<2"};
    CondaLock lock;
    lock.metadata.platforms = {"linux-64"};
    for (std::size_t i = 0; i < tricky.size(); ++i) {
        LockedPackage p;
        p.name = "pkg" + std::to_string(i);
        p.version = tricky[i].empty() ? "1" : tricky[i];
        p.platform = "linux-64";
        p.url = "https://example.com/p.conda";
        p.md5 = std::string(32, '0');
        p.dependencies = {{"dep", tricky[i]}};
        p.category = tricky[i].empty() ? "main" : tricky[i];
        lock.packages.push_back(p);
    }
    lock.metadata.custom_metadata.emplace();
    for (std::size_t i = 0; i < tricky.size(); ++i) {
        lock.metadata.custom_metadata->emplace("k" + std::to_string(i), tricky[i]);
    }
    lock.metadata.sources = tricky;
    const auto text = to_yaml(lock);
    const auto again = CondaLock::parse(text, "tricky.yml");
    ASSERT_THAT(again, Succeeds()) << text;
    EXPECT_EQ(*again, lock) << text;
    EXPECT_EQ(to_yaml(*again), text);
    EXPECT_THAT(text, HasSubstr("    version: \"1.0\"\n"));
    EXPECT_THAT(text, HasSubstr("    - \"true\"\n"));
    EXPECT_THAT(text, HasSubstr("    - \"\"\n"));
    EXPECT_THAT(text, HasSubstr("    - \"tab\\there\"\n"));
    EXPECT_THAT(text, HasSubstr("    k33: \">=1,<2\"\n"));
    EXPECT_THAT(text, HasSubstr("    version: é-ünï\n"));
}

TEST(CondaLockTest, WriterOutputDoesNotDependOnInputOrder) {
    const auto parsed = CondaLock::parse(small_lock, "conda-lock.yml");
    ASSERT_THAT(parsed, Succeeds());
    CondaLock lock = *parsed;
    // Several packages whose keys tie on platform and name, and a pip package on linux-64.
    for (const auto* category : {"b", "a", "main"}) {
        auto copy = lock.packages[0];
        copy.name = "aaa";
        copy.category = category;
        lock.packages.push_back(copy);
    }
    auto pip = lock.packages[1];
    pip.platform = "linux-64";
    pip.name = "aaa";
    lock.packages.push_back(pip);
    const auto expected = to_yaml(lock);

    std::mt19937 random(12345);
    for (int round = 0; round < 20; ++round) {
        SCOPED_TRACE(round);
        auto shuffled = lock;
        std::shuffle(shuffled.packages.begin(), shuffled.packages.end(), random);
        EXPECT_EQ(to_yaml(shuffled), expected);
        EXPECT_EQ(shuffled, lock);
    }
    // The order itself: platform, then conda before pip, then name.
    std::vector<std::string> order;
    std::string::size_type at = 0;
    while ((at = expected.find("\n  - name: ", at)) != std::string::npos) {
        at += 11;
        const auto end = expected.find('\n', at);
        const auto block_end = expected.find("\n  - name: ", at);
        const auto block = expected.substr(at, block_end - at);
        const auto manager = block.find("manager: pip") != std::string::npos ? "pip" : "conda";
        const auto platform =
            block.substr(block.find("platform: ") + 10, block.find('\n', block.find("platform: ")) -
                                                            block.find("platform: ") - 10);
        order.push_back(platform + "/" + manager + "/" + expected.substr(at, end - at));
    }
    EXPECT_THAT(order,
                ElementsAre("linux-64/conda/aaa", "linux-64/conda/aaa", "linux-64/conda/aaa",
                            "linux-64/conda/python", "linux-64/pip/aaa", "osx-arm64/pip/requests"));
}

struct BadLock {
    std::string text;
    std::string id;
    std::uint32_t line;
    std::uint32_t column;
    std::string expected;  // the `expected` argument, or empty when the error has none
};

/// A lock with one package, whose package fields are `fields` (each line indented by 4).
std::string lock_with_package(const std::string& fields) {
    return "version: 1\n"
           "metadata:\n"
           "  content_hash: {linux-64: x}\n"
           "  channels: [conda-forge]\n"
           "  platforms: [linux-64]\n"
           "  sources: [environment.yml]\n"
           "package:\n"
           "  - name: zlib\n" +
           fields;
}

const std::string good_fields =
    "    version: 1.3.1\n"                                                   // line 9
    "    manager: conda\n"                                                   // line 10
    "    platform: linux-64\n"                                               // line 11
    "    url: https://conda.anaconda.org/conda-forge/linux-64/zlib.conda\n"  // line 12
    "    hash:\n"                                                            // line 13
    "      md5: 9a0364b9e99bb480dd25e1f0284c8555\n";                         // line 14

std::string replace_line(std::string text, const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    if (at == std::string::npos) {
        ADD_FAILURE() << "no `" << from << "` in the text";
        return text;
    }
    return text.replace(at, from.size(), to);
}

TEST(CondaLockTest, GoodFieldsParse) {
    // The error cases below edit this lock; it must be valid as it is.
    const auto lock = CondaLock::parse(lock_with_package(good_fields), "lock.yml");
    ASSERT_THAT(lock, Succeeds());
    EXPECT_EQ(lock->metadata.channels, (std::vector<LockChannel>{{"conda-forge", {}}}));
    ASSERT_EQ(lock->packages.size(), 1U);
    EXPECT_EQ(lock->packages[0].md5, "9a0364b9e99bb480dd25e1f0284c8555");
}

TEST(CondaLockTest, ReportsLocatedErrors) {
    const auto good = lock_with_package(good_fields);
    const std::vector<BadLock> cases = {
        {"", "spec.conda_lock.empty", 1, 1, ""},
        {"- a\n", "spec.conda_lock.not_mapping", 1, 1, ""},
        {"version: [1\n", "yaml.syntax", 2, 1, ""},
        {"metadata: {}\nversion: 1\nversion: 1\n", "spec.conda_lock.duplicate_key", 3, 1, ""},
        {"metadata: {}\npackage: []\n", "spec.conda_lock.no_version", 1, 1, ""},
        {replace_line(good, "version: 1\n", "version: 2\n"), "spec.conda_lock.version", 1, 10, "1"},
        {replace_line(good, "version: 1\n", "version: [1]\n"), "spec.conda_lock.version", 1, 10,
         "1"},
        {replace_line(good, "manager: conda", "manager: npm"), "spec.conda_lock.manager", 10, 14,
         "`conda` or `pip`"},
        {replace_line(good, "    manager: conda\n", ""), "spec.conda_lock.missing_key", 8, 5,
         "`conda` or `pip`"},
        {replace_line(good, "  - name: zlib\n", "  - name: ''\n"), "spec.conda_lock.empty_value", 8,
         11, "a package name"},
        {replace_line(good, "    version: 1.3.1\n", ""), "spec.conda_lock.missing_key", 8, 5,
         "a version"},
        {replace_line(good, "    url: https://conda.anaconda.org/conda-forge/linux-64/zlib.conda\n",
                      ""),
         "spec.conda_lock.missing_key", 8, 5, "a download URL"},
        {replace_line(good, "    platform: linux-64\n", ""), "spec.conda_lock.missing_key", 8, 5,
         "a platform such as `linux-64`"},
        {replace_line(good, "platform: linux-64", "platform: win-64"), "spec.conda_lock.platform",
         11, 15, "a platform of `metadata.platforms`"},
        {replace_line(good, "    hash:\n      md5: 9a0364b9e99bb480dd25e1f0284c8555\n", ""),
         "spec.conda_lock.missing_key", 8, 5, "a mapping with `md5` or `sha256`"},
        {replace_line(good, "      md5: 9a0364b9e99bb480dd25e1f0284c8555\n", ""),
         "spec.conda_lock.no_hash", 13, 5, "`md5` or `sha256`"},
        {replace_line(good, "      md5: 9a0364b9e99bb480dd25e1f0284c8555\n", "      md5: null\n"),
         "spec.conda_lock.no_hash", 14, 7, "`md5` or `sha256`"},
        {replace_line(good, "md5: 9a0364b9e99bb480dd25e1f0284c8555", "md5: 9a0364b9"),
         "spec.conda_lock.bad_hash", 14, 12, "32 hexadecimal digits"},
        {replace_line(good, "md5: 9a0364b9e99bb480dd25e1f0284c8555",
                      "sha256: 9a0364b9e99bb480dd25e1f0284c855z"),
         "spec.conda_lock.bad_hash", 14, 15, "64 hexadecimal digits"},
        {replace_line(good, "  - name: zlib\n", "  - name: zlib\n    dependencies: [a]\n"),
         "spec.conda_lock.type", 9, 19, "a mapping of names to strings"},
        {replace_line(good, "  - name: zlib\n", "  - name: zlib\n    optional: maybe\n"),
         "spec.conda_lock.type", 9, 15, "`true` or `false`"},
        {replace_line(good, "  - name: zlib\n" + good_fields, "  - zlib\n"), "spec.conda_lock.type",
         8, 5, "a list of package mappings"},
        {replace_line(good, "  platforms: [linux-64]\n", ""), "spec.conda_lock.missing_key", 3, 3,
         "a list of strings"},
        {replace_line(good, "  channels: [conda-forge]\n", "  channels: [{used_env_vars: []}]\n"),
         "spec.conda_lock.missing_key", 4, 14, "a channel URL or name"},
        {replace_line(good,
                      "metadata:\n  content_hash: {linux-64: x}\n  channels: [conda-forge]\n"
                      "  platforms: [linux-64]\n  sources: [environment.yml]\n",
                      ""),
         "spec.conda_lock.missing_key", 1, 1,
         "a mapping with `channels`, `platforms`, `content_hash` and `sources`"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto lock = CondaLock::parse(c.text, "lock.yml");
        ASSERT_THAT(lock, FailsWithId(c.id));
        const auto& error = lock.error();
        EXPECT_EQ(error.code, core::ErrorCode::invalid_input);
        ASSERT_TRUE(error.where.has_value());
        EXPECT_EQ(error.where->file, "lock.yml");
        EXPECT_EQ(error.where->line, c.line);
        EXPECT_EQ(error.where->column, c.column);
        EXPECT_EQ(error.arg_value("source"), "lock.yml");
        EXPECT_EQ(error.arg_value("line"), std::to_string(c.line));
        EXPECT_EQ(error.arg_value("column"), std::to_string(c.column));
        EXPECT_EQ(error.arg_value("expected"), c.expected);
    }
}

TEST(CondaLockTest, ErrorMessagesNameThePackageAndTheProblem) {
    const auto good = lock_with_package(good_fields);
    const auto manager =
        CondaLock::parse(replace_line(good, "manager: conda", "manager: npm"), "lock.yml");
    ASSERT_THAT(manager, FailsWithId("spec.conda_lock.manager"));
    EXPECT_EQ(manager.error().message,
              "unknown manager `npm` for package `zlib`; expected `conda` or `pip`");
    const auto platform =
        CondaLock::parse(replace_line(good, "platform: linux-64", "platform: win-64"), "lock.yml");
    ASSERT_THAT(platform, FailsWithId("spec.conda_lock.platform"));
    EXPECT_EQ(platform.error().message,
              "package `zlib` is locked for `win-64`, which is not in `metadata.platforms` "
              "(linux-64)");
    const auto version =
        CondaLock::parse(replace_line(good, "version: 1\n", "version: 3\n"), "lock.yml");
    ASSERT_THAT(version, FailsWithId("spec.conda_lock.version"));
    EXPECT_EQ(version.error().message, "unsupported lock file version `3`; expected 1");
    EXPECT_FALSE(version.error().hint.empty());
    const auto missing =
        CondaLock::parse(replace_line(good, "    manager: conda\n", ""), "lock.yml");
    ASSERT_THAT(missing, FailsWithId("spec.conda_lock.missing_key"));
    EXPECT_EQ(missing.error().message,
              "missing `manager` in package `zlib`; expected `conda` or `pip`");
}

TEST(CondaLockTest, UnknownKeysAreWarningsAndTheRestIsRead) {
    const auto text = replace_line(lock_with_package(good_fields), "  - name: zlib\n",
                                   "  - name: zlib\n    categroy: dev\n") +
                      "extra: 1\n";
    const auto lock = CondaLock::parse(text, "lock.yml");
    ASSERT_THAT(lock, Succeeds());
    ASSERT_EQ(lock->warnings.size(), 2U);
    EXPECT_EQ(lock->warnings[0].message_id, "spec.conda_lock.unknown_key");
    EXPECT_EQ(lock->warnings[0].arg_value("key"), "extra");
    EXPECT_EQ(lock->warnings[0].where->line, 16U);
    EXPECT_EQ(lock->warnings[1].arg_value("key"), "categroy");
    EXPECT_EQ(lock->warnings[1].arg_value("line"), "9");
    EXPECT_EQ(lock->warnings[1].hint, "did you mean `category`?");
    EXPECT_EQ(lock->packages.at(0).category, "main");
}

// --- real lock files (../shared/testdata, mamba's env_lockfile vectors) --------------------

struct GoodFile {
    std::string name;
    std::size_t packages;
    std::size_t linux_64;
    std::size_t pip;
};

TEST(CondaLockConformanceTest, ReadsMambasGoodLockFilesAndRoundTripsThem) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const std::vector<GoodFile> files = {
        {"good_no_package-lock.yaml", 0, 0, 0},
        {"good_one_package-lock.yaml", 1, 0, 0},
        {"good_one_package_missing_category-lock.yaml", 1, 0, 0},
        {"good_multiple_packages-lock.yaml", 15, 8, 2},
        {"good_multiple_categories-lock.yaml", 37, 37, 6},
        {"good_overlap_categories-lock.yaml", 7, 7, 4},
    };
    for (const auto& file : files) {
        SCOPED_TRACE(file.name);
        const auto text =
            test::read_text(dir + "/mamba/libmamba/tests/data/env_lockfile/" + file.name);
        ASSERT_FALSE(text.empty());
        const auto lock = CondaLock::parse(text, file.name);
        ASSERT_THAT(lock, Succeeds());
        EXPECT_EQ(lock->packages.size(), file.packages);
        EXPECT_EQ(packages_for(*lock, "linux-64").size(), file.linux_64);
        EXPECT_EQ(
            std::count_if(lock->packages.begin(), lock->packages.end(),
                          [](const LockedPackage& p) { return p.manager == LockManager::pip; }),
            static_cast<std::ptrdiff_t>(file.pip));
        for (const auto& package : lock->packages) {
            EXPECT_TRUE(package.md5 || package.sha256) << package.name;
        }

        const auto written = to_yaml(*lock);
        const auto reread = CondaLock::parse(written, "written.yml");
        ASSERT_THAT(reread, Succeeds()) << written;
        EXPECT_EQ(*reread, *lock);
        EXPECT_EQ(to_yaml(*reread), written);
    }
}

TEST(CondaLockConformanceTest, ReadsTheDetailsOfARealPackage) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const auto text = test::read_text(
        dir +
        "/mamba/libmamba/tests/data/env_lockfile/good_one_package_missing_category-lock.yaml");
    const auto lock = CondaLock::parse(text, "lock.yaml");
    ASSERT_THAT(lock, Succeeds());
    EXPECT_THAT(lock->metadata.platforms, ElementsAre("linux-64", "osx-64", "win-64"));
    ASSERT_EQ(lock->metadata.channels.size(), 2U);
    EXPECT_EQ(lock->metadata.channels[1].url, "defaults");
    const auto& zlib = lock->packages.at(0);
    EXPECT_EQ(zlib.name, "libzlib");
    EXPECT_EQ(zlib.version, "1.2.11");
    EXPECT_EQ(zlib.platform, "win-64");
    EXPECT_EQ(zlib.category, "main");
    EXPECT_THAT(zlib.dependencies,
                ElementsAre(Pair("vc", ">=14.1,<15.0a0"), Pair("vs2015_runtime", ">=14.16.27012")));
    EXPECT_EQ(zlib.md5, "b28dd2488b4e5f892c67071acc1d0a8c");
}

TEST(CondaLockConformanceTest, RejectsMambasBadLockFilesWithLocatedErrors) {
    ENVSMITH_REQUIRE_TESTDATA(dir);
    const auto base = dir + "/mamba/libmamba/tests/data/env_lockfile/";
    const auto package =
        CondaLock::parse(test::read_text(base + "bad_package-lock.yaml"), "bad_package-lock.yaml");
    ASSERT_THAT(package, FailsWithId("spec.conda_lock.missing_key"));
    EXPECT_EQ(package.error().arg_value("key"), "manager");
    ASSERT_TRUE(package.error().where.has_value());
    EXPECT_EQ(package.error().where->line, 4U);
    EXPECT_EQ(package.error().where->column, 5U);
    EXPECT_EQ(package.error().where->line_text, "  - category: main");

    const auto version =
        CondaLock::parse(test::read_text(base + "bad_version-lock.yaml"), "bad_version-lock.yaml");
    ASSERT_THAT(version, FailsWithId("spec.conda_lock.version"));
    EXPECT_EQ(version.error().arg_value("version"), "-1");
    EXPECT_EQ(version.error().where->line, 1U);
    EXPECT_EQ(version.error().where->column, 10U);
}

}  // namespace
}  // namespace envsmith::specs
