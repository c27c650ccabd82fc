#pragma once
// The file-system port. The library reads and writes files only through it, so tests can run
// on an in-memory tree (tests/support/memory_fs.hpp) and the api layer supplies the real disk.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

enum class FileKind : std::uint8_t { missing, regular, directory, symlink, other };

class FileSystem {
public:
    virtual ~FileSystem() = default;

    /// The whole content of a regular file. Fails with `fs.not_found` or `fs.read_failed`.
    virtual Result<std::string> read_file(const std::string& path) = 0;
    /// Writes a whole file atomically (temporary file, fsync, rename): readers see the old
    /// content or the new one, never a part. Fails with `fs.write_failed`.
    virtual Status write_file(const std::string& path, std::string_view content) = 0;
    /// What is at `path`, without following a final symlink.
    virtual FileKind kind(const std::string& path) = 0;
    /// Names (not paths) of the entries of a directory, sorted.
    virtual Result<std::vector<std::string>> list_directory(const std::string& path) = 0;
    /// Creates a directory and its missing parents.
    virtual Status create_directories(const std::string& path) = 0;
};

}  // namespace envsmith::core
