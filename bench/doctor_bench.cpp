// Doctor throughput on a generated log: mostly ordinary build output, a few failures.
// Reports bytes per second; DESIGN.md's target is a 100 MB log in under a second.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "envsmith/diag/doctor.hpp"

namespace {

std::string generated_log(std::size_t target_bytes) {
    const char* lines[] = {
        "2024-10-15T00:33:45: Collecting numpy==1.26.4",
        "2024-10-15T00:33:45:   Downloading numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.whl (18.2 MB)",
        "#12 3.456 Requirement already satisfied: six>=1.5 in /opt/conda/lib/python3.11/site-packages",
        "\x1b[32mInstalling collected packages: tzdata, six, python-dateutil, pandas\x1b[0m",
        "Step 5/12 : RUN conda env create -f environment.yml",
        " ---> Running in 3f2b7c9d1e0a",
        "Downloading and Extracting Packages: ...working... done",
        "  libgcc-ng-13.2.0          | 775 KB    | ########## | 100%",
        "Preparing transaction: ...working... done",
        "Verifying transaction: ...working... done",
        "Executing transaction: ...working... done",
        "building 'numpy.core._multiarray_umath' extension",
        "gcc -pthread -B /opt/conda/compiler_compat -Wno-unused-result -Wsign-compare -DNDEBUG -O2 -fPIC",
    };
    std::string log;
    log.reserve(target_bytes + 4096);
    std::size_t i = 0;
    while (log.size() < target_bytes) {
        log += lines[i % (sizeof lines / sizeof lines[0])];
        log += '\n';
        if (i % 200'000 == 199'999) {
            log += "ERROR: Could not find a version that satisfies the requirement torch==9.9 (from versions: 2.0.0, 2.1.0)\n";
        }
        ++i;
    }
    log += "OSError: [Errno 28] No space left on device\n";
    log += "The command '/bin/sh -c conda env create -f environment.yml' returned a non-zero code: 1\n";
    return log;
}

void BM_DoctorThroughput(benchmark::State& state) {
    auto catalog = envsmith::diag::FailureCatalog::load_builtin();
    if (!catalog) {
        state.SkipWithError(catalog.error().describe().c_str());
        return;
    }
    auto doctor = envsmith::diag::Doctor::create(std::move(*catalog));
    if (!doctor) {
        state.SkipWithError(doctor.error().describe().c_str());
        return;
    }
    const auto log = generated_log(static_cast<std::size_t>(state.range(0)) << 20);
    for (auto _ : state) {
        auto session = doctor->start();
        for (std::size_t off = 0; off < log.size(); off += 1 << 20) {
            session.feed(std::string_view(log).substr(off, 1 << 20));
        }
        auto d = session.finish();
        benchmark::DoNotOptimize(d);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(log.size()));
}
BENCHMARK(BM_DoctorThroughput)->Arg(16)->Arg(100)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
