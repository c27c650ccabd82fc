#pragma once
// A temporary directory for one test, removed with everything in it when the test ends.

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace envsmith::test {

class TempDir {
public:
    TempDir() {
        auto pattern = (std::filesystem::temp_directory_path() / "envsmith-test-XXXXXX").string();
        std::vector<char> buffer(pattern.begin(), pattern.end());
        buffer.push_back('\0');
        if (::mkdtemp(buffer.data()) == nullptr) {
            throw std::runtime_error("cannot create a temporary directory");
        }
        m_path = buffer.data();
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(m_path, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    [[nodiscard]] const std::filesystem::path& path() const noexcept { return m_path; }
    /// The directory, or a path below it, as a string.
    [[nodiscard]] std::string str(const std::string& sub = "") const {
        return sub.empty() ? m_path.string() : (m_path / sub).string();
    }
    /// Writes `content` to `relative` (creating folders); returns the full path.
    std::filesystem::path write(const std::string& relative, const std::string& content) const {
        const auto path = m_path / relative;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream(path, std::ios::binary) << content;
        return path;
    }

private:
    std::filesystem::path m_path;
};

}  // namespace envsmith::test
