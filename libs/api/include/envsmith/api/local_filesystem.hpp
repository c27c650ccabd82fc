#pragma once
// The real disk behind core::FileSystem.

#include "envsmith/core/filesystem.hpp"

namespace envsmith::api {

class LocalFileSystem final : public core::FileSystem {
public:
    core::Result<std::string> read_file(const std::string& path) override;
    core::Status write_file(const std::string& path, std::string_view content) override;
    core::FileKind kind(const std::string& path) override;
    core::Result<std::vector<std::string>> list_directory(const std::string& path) override;
    core::Status create_directories(const std::string& path) override;
};

}  // namespace envsmith::api
