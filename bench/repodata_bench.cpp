// repodata.json into the index: bytes of JSON per second (DESIGN.md: at least 1 GB/s).
//
// Inputs: the largest real repodata files of ../shared/testdata, and a conda-forge-scale
// file made by bench/gen_repodata.py whose path is in ENVSMITH_BENCH_REPODATA (skipped when
// unset). Each input runs two ways:
//   parse/<input>         Repodata::parse: a fresh simdjson parser every time;
//   parse_reused/<input>  one RepodataParser for every iteration, as a process loading
//                         several subdirs does.
// The text is copied (with the padding simdjson wants) and the result destroyed outside the
// timed region. ENVSMITH_BENCH_KEEP_HEAP=1 keeps freed memory in the process (glibc
// M_MMAP_MAX=0), so iterations reuse pages instead of faulting in fresh ones: on virtual
// machines where a first touch of memory is expensive, that separates the parser's cost
// from the VM's. It covers the text and simdjson's buffers only: the index's big arrays
// (records, lists) are mmap'ed in huge pages by the library, not taken from the heap.

#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "envsmith/index/repodata.hpp"

namespace {

using envsmith::index::ParseOptions;
using envsmith::index::Repodata;
using envsmith::index::RepodataParser;

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

enum class Mode { fresh, reused };

void run_parse(benchmark::State& state, const std::string& path, Mode mode) {
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
    RepodataParser parser;
    std::size_t records = 0;
    for (auto _ : state) {
        state.PauseTiming();
        std::string input = padded_copy(text);
        state.ResumeTiming();
        auto parsed = mode == Mode::fresh ? Repodata::parse(std::move(input), options)
                                          : parser.parse(std::move(input), options);
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

int main(int argc, char** argv) {
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
            [path = path](benchmark::State& state) { run_parse(state, path, Mode::fresh); })
            ->Unit(benchmark::kMillisecond)
            ->MinTime(big ? 5.0 : 1.0);
        benchmark::RegisterBenchmark(
            ("parse_reused/" + name).c_str(),
            [path = path](benchmark::State& state) { run_parse(state, path, Mode::reused); })
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
