#pragma once
// An in-memory core::FileSystem for unit tests: files and folders in a map, paths as given.

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "envsmith/core/filesystem.hpp"

namespace envsmith::test {

class MemoryFileSystem final : public core::FileSystem {
public:
    /// Adds a file and its parent folders.
    void add(const std::string& path, std::string content) {
        m_files[path] = std::move(content);
        for (auto slash = path.rfind('/'); slash != std::string::npos && slash > 0;
             slash = path.rfind('/', slash - 1)) {
            m_dirs.insert(path.substr(0, slash));
        }
    }

    core::Result<std::string> read_file(const std::string& path) override {
        const auto it = m_files.find(path);
        if (it == m_files.end()) {
            return core::make_error(core::ErrorCode::not_found, "fs.not_found",
                                    "cannot read `" + path + "`: No such file or directory")
                .arg("path", path);
        }
        return it->second;
    }
    core::Status write_file(const std::string& path, std::string_view content) override {
        add(path, std::string(content));
        return {};
    }
    core::FileKind kind(const std::string& path) override {
        if (m_files.count(path) != 0) return core::FileKind::regular;
        if (m_dirs.count(path) != 0) return core::FileKind::directory;
        return core::FileKind::missing;
    }
    core::Result<std::vector<std::string>> list_directory(const std::string& path) override {
        std::set<std::string> names;
        const auto prefix = path + "/";
        auto collect = [&](const std::string& entry) {
            if (entry.rfind(prefix, 0) == 0) {
                const auto rest = entry.substr(prefix.size());
                names.insert(rest.substr(0, rest.find('/')));
            }
        };
        for (const auto& [file, content] : m_files) collect(file);
        for (const auto& dir : m_dirs) collect(dir);
        return std::vector<std::string>(names.begin(), names.end());
    }
    core::Status create_directories(const std::string& path) override {
        m_dirs.insert(path);
        return {};
    }

private:
    std::map<std::string, std::string> m_files;
    std::set<std::string> m_dirs;
};

}  // namespace envsmith::test
