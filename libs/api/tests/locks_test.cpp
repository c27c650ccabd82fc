// The locks use case finds the lock files envsmith itself makes: the package cache's, the
// build's (one per definition hash) and the image layouts' sibling locks in the cache.
#include "envsmith/api/locks.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "file_lock.hpp"
#include "temp_dir.hpp"

namespace envsmith::api {
namespace {

namespace stdfs = std::filesystem;

const install::LockFile* find(const LocksReport& report, const stdfs::path& path) {
    const auto it = std::find_if(report.locks.begin(), report.locks.end(),
                                 [&](const install::LockFile& lock) { return lock.path == path.string(); });
    return it == report.locks.end() ? nullptr : &*it;
}

TEST(LocksUseCaseTest, FindsTheCachesBuildAndLayoutLocksAndWhichAreHeld) {
    test::TempDir dir;
    const auto cache = dir.path() / "cache";
    stdfs::create_directories(cache / "pkgs" / "locks");
    stdfs::create_directories(cache / "locks");
    stdfs::create_directories(cache / "images");
    std::ofstream(cache / "pkgs" / "locks" / "abc.lock");
    std::ofstream(cache / "images" / ".bases.envsmith-lock");
    ExclusiveFileLock held;
    ASSERT_TRUE(held.acquire((cache / "locks" / "build-0123.lock").string()));

    LocksOptions options;
    options.cache_dir = cache.string();
    options.use_process_environment = false;
    options.clean = true;
    const auto report = locks(options);
    ASSERT_TRUE(report) << report.error().describe();
    const auto* package = find(*report, cache / "pkgs" / "locks" / "abc.lock");
    const auto* build = find(*report, cache / "locks" / "build-0123.lock");
    const auto* bases = find(*report, cache / "images" / ".bases.envsmith-lock");
    ASSERT_NE(package, nullptr);
    ASSERT_NE(build, nullptr);
    ASSERT_NE(bases, nullptr);
    EXPECT_EQ(build->state, install::LockState::held);
    EXPECT_EQ(bases->state, install::LockState::free);
    // --clean removes the free ones and keeps the one a build holds.
    EXPECT_TRUE(stdfs::exists(cache / "locks" / "build-0123.lock"));
    EXPECT_FALSE(stdfs::exists(cache / "images" / ".bases.envsmith-lock"));
}

}  // namespace
}  // namespace envsmith::api
