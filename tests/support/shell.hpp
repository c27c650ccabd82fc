#pragma once
// Small helpers for tests that drive real tools (umoci, skopeo, runc, buildah): read a file
// whole, run a shell command and take its output, ask whether a tool is installed.

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace envsmith::test {

/// The bytes of a file; empty when it cannot be read.
inline std::string read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

/// Runs `command` with /bin/sh and returns its standard output; `status` gets the exit code
/// (-1 when it did not exit normally).
inline std::string run(const std::string& command, int* status = nullptr) {
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        if (status != nullptr) *status = -1;
        return out;
    }
    char buffer[4096];
    while (auto n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    const int rc = ::pclose(pipe);
    if (status != nullptr) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return out;
}

/// Whether `tool` is on PATH.
inline bool have(const std::string& tool) {
    return run("command -v " + tool + " >/dev/null 2>&1 && echo y") == "y\n";
}

}  // namespace envsmith::test
