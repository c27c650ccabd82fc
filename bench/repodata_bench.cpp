// repodata.json into the index: bytes of JSON per second (DESIGN.md: at least 1 GB/s).
//
// Inputs: the largest real repodata files of ../shared/testdata, and a conda-forge-scale
// file made by bench/gen_repodata.py whose path is in ENVSMITH_BENCH_REPODATA (skipped when
// unset).
//   parse/<input>   Google Benchmark: Repodata::parse again and again in one process. The
//                   text is copied (with the padding the reader wants) and the result
//                   destroyed outside the timed region.
//   --cold FILE...  one parse per file in this fresh process, as `envsmith lock` does it:
//                   the text read into make_repodata_buffer, then parsed once. Prints wall,
//                   user and system milliseconds and MB/s (10^6 bytes) for the parse alone;
//                   bench/repodata_cold.sh runs it several times and prints the median.
// ENVSMITH_BENCH_KEEP_HEAP=1 keeps freed memory in the process (glibc M_MMAP_MAX=0), so
// iterations reuse pages instead of faulting in fresh ones. It covers the text only: the
// index's big arrays (records, lists) are mmap'ed in huge pages by the library.

#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/index/repodata.hpp"

namespace {

using envsmith::index::ParseOptions;
using envsmith::index::Repodata;

std::string read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

std::string padded_copy(const std::string& text) {
    std::string copy;
    copy.reserve(text.size() + Repodata::json_padding);
    copy.append(text);
    return copy;
}

void run_parse(benchmark::State& state, const std::string& path) {
    if (path.empty()) {
        state.SkipWithError("ENVSMITH_BENCH_REPODATA is not set (bench/gen_repodata.py OUT)");
        return;
    }
    const std::string text = read_file(path);
    if (text.empty()) {
        state.SkipWithError(("cannot read " + path).c_str());
        return;
    }
    const ParseOptions options{.source = path,
                               .subdir = "linux-64",
                               .subdir_url = "https://conda.anaconda.org/bench/linux-64/"};
    std::size_t records = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::string input = padded_copy(text);
        state.ResumeTiming();
        auto parsed = Repodata::parse(std::move(input), options);
        state.PauseTiming();
        if (!parsed) {
            state.SkipWithError(parsed.error().describe().c_str());
            break;
        }
        records = parsed->size();
        benchmark::DoNotOptimize(records);
        parsed = Repodata();  // freed outside the timed region
        state.ResumeTiming();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(text.size()));
    state.counters["records"] = static_cast<double>(records);
    state.counters["MB"] = static_cast<double>(text.size()) / 1e6;
}

void run_by_name(benchmark::State& state, const std::string& path) {
    if (path.empty()) {
        state.SkipWithError("ENVSMITH_BENCH_REPODATA is not set");
        return;
    }
    auto parsed =
        Repodata::parse(read_file(path), {.source = path, .subdir = "linux-64", .subdir_url = {}});
    if (!parsed) {
        state.SkipWithError(parsed.error().describe().c_str());
        return;
    }
    const auto& repodata = *parsed;
    const auto names = repodata.names();
    std::size_t found = 0;
    for (auto _ : state) {
        for (const auto name : names) {
            found += repodata.by_name(name).size();
        }
    }
    benchmark::DoNotOptimize(found);
    state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations()) *
                            static_cast<std::int64_t>(names.size()));
}

std::string testdata_dir() {
    if (const char* dir = std::getenv("ENVSMITH_TESTDATA_DIR")) {
        return dir;
    }
#ifdef ENVSMITH_TESTDATA_DIR
    return ENVSMITH_TESTDATA_DIR;
#else
    return {};
#endif
}

}  // namespace

double cpu_ms(bool user) {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    const timeval& t = user ? usage.ru_utime : usage.ru_stime;
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
}

// --cold: each file read into a fresh buffer, then parsed once; the parse alone is timed.
int run_cold(int count, char** paths) {
    for (int i = 0; i < count; ++i) {
        const std::string path = paths[i];
        struct stat info {};
        const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fstat(fd, &info) != 0) {
            std::fprintf(stderr, "cannot open %s\n", path.c_str());
            return 1;
        }
        const auto size = static_cast<std::size_t>(info.st_size);
        std::string text = envsmith::index::make_repodata_buffer(size);
        std::size_t done = 0;
        while (done < size) {
            const auto got = read(fd, text.data() + done, size - done);
            if (got <= 0) {
                std::fprintf(stderr, "cannot read %s\n", path.c_str());
                close(fd);
                return 1;
            }
            done += static_cast<std::size_t>(got);
        }
        close(fd);
        const double user = cpu_ms(true);
        const double system = cpu_ms(false);
        const auto start = std::chrono::steady_clock::now();
        auto parsed = Repodata::parse(std::move(text), {.source = path,
                                                        .subdir = "linux-64",
                                                        .subdir_url = "https://c.example/linux-64/"});
        const double wall =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        if (!parsed) {
            std::fprintf(stderr, "%s\n", parsed.error().describe().c_str());
            return 1;
        }
        std::printf("%s records=%zu bytes=%zu wall_ms=%.1f user_ms=%.1f sys_ms=%.1f MB/s=%.0f\n",
                    path.c_str(), parsed->size(), size, wall, cpu_ms(true) - user,
                    cpu_ms(false) - system, static_cast<double>(size) / wall / 1e3);
    }
    return 0;
}

int main(int argc, char** argv) {
    if (argc >= 2 && std::string_view(argv[1]) == "--cold") {
        return run_cold(argc - 2, argv + 2);
    }
    if (const char* keep = std::getenv("ENVSMITH_BENCH_KEEP_HEAP"); keep && *keep == '1') {
        mallopt(M_MMAP_MAX, 0);
        mallopt(M_TRIM_THRESHOLD, 0x7fffffff);
    }
    const std::string dir = testdata_dir();
    const char* generated = std::getenv("ENVSMITH_BENCH_REPODATA");
    const std::vector<std::pair<std::string, std::string>> inputs = {
        {"r_linux-64", dir + "/conda/tests/data/repodata/r_linux-64.json"},
        {"index4_linux-64", dir + "/derived/conda-index4-channel/linux-64/repodata.json"},
        {"pytorch_linux-64", dir + "/rattler/test-data/channels/pytorch/linux-64/repodata.json"},
        {"generated", generated != nullptr ? generated : ""},
    };
    for (const auto& [name, path] : inputs) {
        const bool big = name == "generated";
        benchmark::RegisterBenchmark(
            ("parse/" + name).c_str(),
            [path = path](benchmark::State& state) { run_parse(state, path); })
            ->Unit(benchmark::kMillisecond)
            ->MinTime(big ? 5.0 : 1.0);
    }
    benchmark::RegisterBenchmark("by_name/generated", [path = std::string(
                                                           generated != nullptr ? generated : "")](
                                                          benchmark::State& state) {
        run_by_name(state, path);
    })->Unit(benchmark::kMicrosecond);

    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) {
        return 1;
    }
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
