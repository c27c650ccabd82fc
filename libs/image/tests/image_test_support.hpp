#pragma once
// Helpers shared by the image layer's tests: temporary directories, small trees, shell runs.

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace envsmith::image::test_support {

namespace stdfs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string pattern = (stdfs::temp_directory_path() / "imgt-XXXXXX").string();
        m_path = ::mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ec;
        stdfs::remove_all(m_path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

inline void write_file(const std::string& path, const std::string& text, mode_t mode = 0644) {
    stdfs::create_directories(stdfs::path(path).parent_path());
    std::ofstream(path, std::ios::binary) << text;
    ::chmod(path.c_str(), mode);
}

inline std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Bytes that compress somewhat but not trivially (a linear congruential sequence of words).
inline std::string pseudo_text(std::size_t bytes, unsigned seed) {
    static const char* words[] = {"conda ", "numpy ", "layer ", "image ", "python\n", "zstd ",
                                  "gzip ",  "tar ",   "oci ",   "blob ",  "sha256 ",  "env\n"};
    std::string out;
    out.reserve(bytes + 16);
    unsigned x = seed;
    while (out.size() < bytes) {
        x = x * 1103515245U + 12345U;
        out += words[(x >> 16U) % 12U];
        if ((x & 0xffU) == 7U) {
            out += std::to_string(x);
        }
    }
    out.resize(bytes);
    return out;
}

/// A small environment-like tree: bin with an executable, a symlink, a hardlink pair, a
/// restricted directory, a long path and a few MB of data (several gzip chunks).
inline void make_env_tree(const std::string& root) {
    write_file(root + "/bin/python3.11", "#!/bin/sh\necho python\n", 0755);
    ::symlink("python3.11", (root + "/bin/python").c_str());
    write_file(root + "/lib/libdata.so", pseudo_text(3'500'000, 7), 0755);
    ::link((root + "/lib/libdata.so").c_str(), (root + "/lib/libdata-link.so").c_str());
    write_file(root + "/conda-meta/history", "==> 2024 <==\n");
    write_file(root + "/share/" + std::string(80, 'p') + "/" + std::string(60, 'q') + ".txt",
               "long\n");
    write_file(root + "/etc/secret/key", "k", 0600);
    ::chmod((root + "/etc/secret").c_str(), 0700);
}

/// Runs a shell command; returns its stdout and sets `status` to the exit status.
inline std::string run(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        if (status != nullptr) {
            *status = -1;
        }
        return out;
    }
    char buffer[4096];
    std::size_t n = 0;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) {
        out.append(buffer, n);
    }
    const int rc = ::pclose(pipe);
    if (status != nullptr) {
        *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
    return out;
}

inline bool have_tool(const std::string& name) {
    int status = 0;
    run("command -v " + name + " > /dev/null 2>&1", &status);
    return status == 0;
}

}  // namespace envsmith::image::test_support
