// Times archive::extract for bench/extract_vs_tar.sh. Not part of the build: the script
// compiles it against a build tree.
//   extract_bench ARCHIVE DESTINATION
// Prints "seconds files bytes".

#include <chrono>
#include <cstdio>

#include "envsmith/archive/extract.hpp"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: %s ARCHIVE DESTINATION\n", argv[0]);
        return 2;
    }
    const auto start = std::chrono::steady_clock::now();
    const auto summary = envsmith::archive::extract(argv[1], argv[2]);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (!summary) {
        std::fprintf(stderr, "%s\n", summary.error().describe().c_str());
        return 1;
    }
    std::printf("%.3f %llu %llu\n", elapsed.count(),
                static_cast<unsigned long long>(summary->files),
                static_cast<unsigned long long>(summary->bytes));
    return 0;
}
