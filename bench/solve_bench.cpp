// load + solve: a conda channel folder's repodata into the index, then the conda solver on a
// list of requests, timed separately (docs/solver-bench.md).
//
//   bench_solve [--runs N] [--load-runs N] [--only REGEX] [--json] [--list] [--no-pip]
//               [--slow] [--specs FILE] [--channel KEY=DIR]... [--priority P]
//
// Requests:
//   - the ML requests (ids `ml-*`) on the generated conda-forge-sized channel, key `gen`: its
//     folder is ENVSMITH_BENCH_SOLVE_CHANNEL (or --channel gen=DIR), made by
//     `python3 bench/gen_solve_channel.py DIR`. The bench never writes: without the folder
//     these requests are skipped and the command to make it is printed;
//   - the spec sets of bench/solve_specs.txt on the shared test channels (keys index4, r,
//     pytorch, sudoku under ../shared/testdata/derived, or ENVSMITH_TESTDATA_DIR/derived).
//
// For each request: the records the index holds for its channels, the load time (reading
// linux-64/ and noarch/ repodata.json from disk and parsing them with Repodata::parse; the
// median of --load-runs loads, measured once per channel and summed over the request's
// channels), the solve time (median of --runs solves, each through solve_conda with a fresh
// provider: conversion of the touched records to specs::PackageRecord, match-spec filtering
// and the search), the number of packages in the solution (virtual packages left out) and the
// engine's statistics. --json prints one JSON object per request instead of the table, and
// --list only prints the requests (the side-by-side script reads them from there).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <fmt/format.h>

#include "envsmith/index/repodata.hpp"
#include "envsmith/solver/conda.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/virtual_packages.hpp"

namespace {

using namespace envsmith;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// CPU time of this thread (user + system, page faults included): on the shared 2-core VM,
// with other people's builds running, wall times mostly measure the wait for a core.
double thread_cpu_ms() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) * 1e3 + static_cast<double>(ts.tv_nsec) / 1e6;
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const std::size_t mid = values.size() / 2;
    return values.size() % 2 == 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

// ---------------------------------------------------------------------------------------------
// The records of the loaded subdirs, by name, for the solver (the same adaptation as the lock
// command's source in libs/api; channel rank = the request's channel order).
class BenchCondaSource final : public solver::CondaSource {
public:
    struct Subdir {
        std::string channel;
        std::uint32_t rank = 0;
        const index::Repodata* repodata = nullptr;
    };

    void add(std::string channel, std::uint32_t rank, const index::Repodata& repodata) {
        m_subdirs.push_back({std::move(channel), rank, &repodata});
    }

    core::Result<std::vector<solver::CondaCandidate>> records(std::string_view name) override {
        std::vector<solver::CondaCandidate> out;
        for (const Subdir& subdir : m_subdirs) {
            for (std::uint32_t i : subdir.repodata->by_name(name)) {
                auto record = index::to_package_record(*subdir.repodata, subdir.repodata->records()[i], subdir.channel);
                if (!record) continue;  // a version conda cannot read either
                out.push_back({std::move(*record), subdir.rank});
            }
        }
        return out;
    }

private:
    std::vector<Subdir> m_subdirs;
};

// ---------------------------------------------------------------------------------------------
// Requests

struct Request {
    std::string id;
    std::vector<std::string> channels;  // keys, highest priority first
    std::vector<std::string> specs;
    std::vector<std::pair<std::string, std::string>> virtuals;  // __glibc=2.17 -> (glibc override)
    std::string expect;                                          // solved | unsolvable | "" (unknown)
    std::string note;
};

// The ML requests on the generated channel. `__glibc 2.28` as on a current Linux; `__cuda`
// only where the note says so.
std::vector<Request> ml_requests() {
    const std::pair<std::string, std::string> glibc{"__glibc", "2.28"};
    const std::pair<std::string, std::string> cuda{"__cuda", "12.0"};
    const std::vector<std::string> core = {"python", "numpy", "pandas", "scikit-learn"};
    auto with = [&](std::vector<std::string> extra) {
        auto specs = core;
        specs.insert(specs.end(), extra.begin(), extra.end());
        return specs;
    };
    return {
        {"ml-core", {"gen"}, core, {glibc}, "solved", "python numpy pandas scikit-learn"},
        {"ml-torch-cpu", {"gen"}, with({"pytorch"}), {glibc}, "solved",
         "+ pytorch without __cuda: cuda builds out, cpu_mkl build, mkl blas, python back to 3.12"},
        {"ml-torch-cuda", {"gen"}, with({"pytorch"}), {glibc, cuda}, "solved",
         "+ pytorch with __cuda 12.0: cuda-version 12.0 and the CUDA 12.0 libraries"},
        {"ml-full", {"gen"}, with({"pytorch", "matplotlib"}), {glibc, cuda}, "solved",
         "+ matplotlib: pillow, fonttools, pyqt, qt-main and its C libraries"},
        {"ml-py310", {"gen"}, {"python=3.10", "numpy", "pandas", "scikit-learn", "pytorch", "matplotlib"},
         {glibc, cuda}, "solved", "pinned python=3.10"},
        {"ml-old-numpy", {"gen"}, with({"numpy<2", "pytorch", "matplotlib"}), {glibc}, "solved",
         "numpy<2: pandas, scikit-learn, contourpy and pytorch go back too"},
    };
}

std::vector<std::string> split_ws(std::string_view text) {
    std::vector<std::string> out;
    std::istringstream in{std::string(text)};
    for (std::string word; in >> word;) out.push_back(word);
    return out;
}

std::string trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r");
    return std::string(text.substr(first, last - first + 1));
}

// bench/solve_specs.txt: `id | channels | specs | virtual packages | expect [tags] | note`.
std::optional<std::vector<Request>> read_spec_file(const std::string& path, bool slow) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::vector<Request> out;
    for (std::string line; std::getline(in, line);) {
        const std::string text = trim(line);
        if (text.empty() || text.front() == '#') continue;
        std::vector<std::string> fields;
        std::size_t start = 0;
        while (fields.size() < 5) {
            const auto bar = text.find('|', start);
            if (bar == std::string::npos) break;
            fields.push_back(trim(std::string_view(text).substr(start, bar - start)));
            start = bar + 1;
        }
        fields.push_back(trim(std::string_view(text).substr(start)));
        if (fields.size() < 5) continue;
        Request r;
        r.id = fields[0];
        std::string keys = fields[1];
        for (std::size_t plus; (plus = keys.find('+')) != std::string::npos; keys.erase(0, plus + 1)) {
            r.channels.push_back(keys.substr(0, plus));
        }
        r.channels.push_back(keys);
        r.specs = split_ws(fields[2]);
        for (const auto& word : split_ws(fields[3])) {
            if (word == "-") continue;
            const auto eq = word.find('=');
            if (eq == std::string::npos) continue;
            r.virtuals.emplace_back(word.substr(0, eq), word.substr(eq + 1));
        }
        const auto expect = split_ws(fields[4]);
        if (!expect.empty()) r.expect = expect.front();
        if (!slow && std::find(expect.begin(), expect.end(), "slow") != expect.end()) continue;
        if (fields.size() > 5) r.note = fields[5];
        out.push_back(std::move(r));
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// Channels

struct LoadedChannel {
    std::string key;
    std::string dir;
    std::deque<index::Repodata> subdirs;  // linux-64, noarch
    std::size_t records = 0;
    std::uint64_t bytes = 0;
    double load_ms = 0;      // median of the loads
    double load_min_ms = 0;  // fastest
    double read_ms = 0;      // of which reading the files (median)
    double cpu_ms = 0;       // thread CPU time of a load (median)
    std::string error;
};

std::optional<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    in.seekg(0, std::ios::end);
    const auto size = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    // As the index's cache reads a body: into a buffer with the parser's padding, in huge
    // pages for a large text.
    std::string text = index::make_repodata_buffer(size);
    in.read(text.data(), static_cast<std::streamsize>(size));
    return text;
}

// Reads and parses both subdirs `runs` times; keeps the last result and the median time.
LoadedChannel load_channel(const std::string& key, const std::string& dir, int runs) {
    LoadedChannel channel{key, dir, {}, 0, 0, 0, 0, 0, 0, {}};
    std::vector<double> times;
    std::vector<double> cpu_times;
    std::vector<double> read_times;
    for (int run = 0; run < runs; ++run) {
        std::deque<index::Repodata> subdirs;
        std::uint64_t bytes = 0;
        const auto start = Clock::now();
        const double cpu_start = thread_cpu_ms();
        double read_ms = 0;
        for (const char* subdir : {"linux-64", "noarch"}) {
            const std::string path = dir + "/" + subdir + "/repodata.json";
            const auto read_start = Clock::now();
            auto text = read_file(path);
            read_ms += ms_since(read_start);
            if (!text) {
                if (std::string_view(subdir) == "noarch") {
                    subdirs.emplace_back();  // a channel may lack noarch
                    continue;
                }
                channel.error = "cannot read " + path;
                return channel;
            }
            bytes += text->size();
            auto parsed = index::Repodata::parse(std::move(*text),
                                       {.source = path,
                                        .subdir = subdir,
                                        .subdir_url = "http://bench.invalid/" + key + "/" + subdir + "/"});
            if (!parsed) {
                channel.error = parsed.error().describe();
                return channel;
            }
            subdirs.push_back(std::move(*parsed));
        }
        times.push_back(ms_since(start));
        cpu_times.push_back(thread_cpu_ms() - cpu_start);
        read_times.push_back(read_ms);
        channel.subdirs = std::move(subdirs);
        channel.bytes = bytes;
    }
    channel.records = 0;
    for (const auto& s : channel.subdirs) channel.records += s.size();
    channel.load_ms = median(times);
    channel.load_min_ms = *std::min_element(times.begin(), times.end());
    channel.read_ms = median(read_times);
    channel.cpu_ms = median(cpu_times);
    return channel;
}

std::string testdata_dir() {
    if (const char* dir = std::getenv("ENVSMITH_TESTDATA_DIR")) return dir;
#ifdef ENVSMITH_TESTDATA_DIR
    return ENVSMITH_TESTDATA_DIR;
#else
    return "../shared/testdata";
#endif
}

std::string source_dir() {
#ifdef ENVSMITH_SOURCE_DIR
    return ENVSMITH_SOURCE_DIR;
#else
    return ".";
#endif
}

// ---------------------------------------------------------------------------------------------
// Output

std::string json_string(std::string_view text) {
    std::string out = "\"";
    for (const char c : text) {
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        default:
            if (static_cast<unsigned char>(c) < 0x20) {
                out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            } else {
                out += c;
            }
        }
    }
    return out + "\"";
}

std::string json_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += ',';
        out += json_string(items[i]);
    }
    return out + "]";
}

std::string request_json(const Request& r) {
    std::vector<std::string> virtuals;
    for (const auto& [name, version] : r.virtuals) virtuals.push_back(name + "=" + version);
    return fmt::format(R"({{"id":{},"channels":{},"specs":{},"virtual":{},"expect":{},"note":{}}})",
                       json_string(r.id), json_list(r.channels), json_list(r.specs), json_list(virtuals),
                       json_string(r.expect), json_string(r.note));
}

struct Result {
    std::string status;  // solved | unsolvable | error | skipped
    std::string message;
    std::size_t records = 0;
    double load_ms = 0;
    double load_min_ms = 0;
    double load_cpu_ms = 0;
    double solve_ms = 0;      // median
    double solve_cpu_min_ms = 0;  // fastest, thread CPU time
    double solve_min_ms = 0;  // fastest
    std::vector<double> solve_all_ms;
    std::size_t packages = 0;
    std::vector<std::string> solution;  // name-version-build
    solver::SolveStats stats;
};

// Checks a solution against conda's rules, independently of the engine: one record per name,
// every `depends` entry satisfied by the record of its name (virtual packages included), every
// `constrains` entry satisfied when its name is installed. Returns the first violation.
std::optional<std::string> verify(const std::vector<solver::CondaCandidate>& records) {
    std::map<std::string, const specs::PackageRecord*> by_name;
    for (const auto& c : records) {
        if (!by_name.emplace(c.record.name, &c.record).second) return "two records of " + c.record.name;
    }
    auto label = [](const specs::PackageRecord& r) {
        return r.name + "-" + r.version.to_string() + "-" + r.build;
    };
    for (const auto& c : records) {
        for (const auto& text : c.record.depends) {
            auto spec = specs::MatchSpec::parse(text);
            if (!spec) return label(c.record) + " has an invalid dependency `" + text + "`";
            const auto it = by_name.find(spec->name());
            if (it == by_name.end()) return label(c.record) + " requires `" + text + "`, which is not installed";
            if (!spec->matches(*it->second)) {
                return label(c.record) + " requires `" + text + "` but " + label(*it->second) + " is installed";
            }
        }
        for (const auto& text : c.record.constrains) {
            auto spec = specs::MatchSpec::parse(text);
            if (!spec) continue;
            const auto it = by_name.find(spec->name());
            if (it != by_name.end() && !spec->matches(*it->second)) {
                return label(c.record) + " constrains `" + text + "` but " + label(*it->second) + " is installed";
            }
        }
    }
    return std::nullopt;
}

void usage() {
    std::fputs(
        "usage: bench_solve [--runs N] [--load-runs N] [--only REGEX] [--json] [--list] [--no-pip]\n"
        "                   [--slow] [--specs FILE] [--channel KEY=DIR]... [--priority strict|flexible|disabled]\n"
        "                   [--solution]\n",
        stderr);
}

}  // namespace

int main(int argc, char** argv) {
    int runs = 5;
    int load_runs = 3;
    std::optional<std::regex> only;
    bool json = false;
    bool list = false;
    bool pip = true;
    bool slow = false;
    bool print_solution = false;
    solver::ChannelPriority priority = solver::ChannelPriority::flexible;
    std::string specs_path = source_dir() + "/bench/solve_specs.txt";
    const std::string derived = testdata_dir() + "/derived";
    std::map<std::string, std::string> channel_dirs = {
        {"index4", derived + "/conda-index4-channel"},
        {"r", derived + "/r-channel"},
        {"pytorch", derived + "/pytorch-channel"},
        {"sudoku", derived + "/sudoku-channel"},
    };
    if (const char* gen = std::getenv("ENVSMITH_BENCH_SOLVE_CHANNEL"); gen != nullptr && *gen != '\0') {
        channel_dirs["gen"] = gen;
    }
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return argv[++i];
        };
        if (arg == "--runs") {
            runs = std::max(1, std::atoi(next().c_str()));
        } else if (arg == "--load-runs") {
            load_runs = std::max(1, std::atoi(next().c_str()));
        } else if (arg == "--only") {
            only = std::regex(next());
        } else if (arg == "--json") {
            json = true;
        } else if (arg == "--list") {
            list = true;
        } else if (arg == "--no-pip") {
            pip = false;
        } else if (arg == "--slow") {
            slow = true;
        } else if (arg == "--solution") {
            print_solution = true;
        } else if (arg == "--specs") {
            specs_path = next();
        } else if (arg == "--channel") {
            const std::string value = next();
            const auto eq = value.find('=');
            if (eq == std::string::npos) {
                usage();
                return 2;
            }
            channel_dirs[value.substr(0, eq)] = value.substr(eq + 1);
        } else if (arg == "--priority") {
            const std::string value = next();
            priority = value == "strict"     ? solver::ChannelPriority::strict
                       : value == "disabled" ? solver::ChannelPriority::disabled
                                             : solver::ChannelPriority::flexible;
        } else {
            usage();
            return 2;
        }
    }

    std::vector<Request> requests = ml_requests();
    if (auto from_file = read_spec_file(specs_path, slow)) {
        requests.insert(requests.end(), from_file->begin(), from_file->end());
    } else {
        std::fprintf(stderr, "bench_solve: cannot read %s; only the ML requests run\n", specs_path.c_str());
    }
    if (only) {
        std::erase_if(requests, [&](const Request& r) { return !std::regex_search(r.id, *only); });
    }
    if (list) {
        for (const auto& r : requests) std::printf("%s\n", request_json(r).c_str());
        return 0;
    }
    if (!channel_dirs.contains("gen") &&
        std::any_of(requests.begin(), requests.end(), [](const Request& r) { return r.channels.front() == "gen"; })) {
        std::fprintf(stderr,
                     "bench_solve: ENVSMITH_BENCH_SOLVE_CHANNEL is not set: the ml-* requests are skipped.\n"
                     "  make the channel (about 130 MB, 30 s):  python3 bench/gen_solve_channel.py /tmp/solve-channel\n"
                     "  then:  ENVSMITH_BENCH_SOLVE_CHANNEL=/tmp/solve-channel %s\n",
                     argv[0]);
    }

    std::map<std::string, LoadedChannel> loaded;
    if (!json) {
        std::printf("%-22s %9s %9s %9s %10s %10s %10s %-10s %5s %9s %9s %7s\n", "request", "records", "load ms",
                    "load cpu", "solve ms", "min ms", "solve cpu", "status", "pkgs", "decisions", "conflicts", "names");
    }
    int failures = 0;
    for (const Request& request : requests) {
        Result result;
        // Channels: loaded on first use and kept.
        BenchCondaSource source;
        for (std::uint32_t rank = 0; rank < request.channels.size(); ++rank) {
            const std::string& key = request.channels[rank];
            auto dir = channel_dirs.find(key);
            if (dir == channel_dirs.end()) {
                result.status = "skipped";
                result.message = "no folder for channel `" + key + "`";
                break;
            }
            auto it = loaded.find(key);
            if (it == loaded.end()) {
                it = loaded.emplace(key, load_channel(key, dir->second, load_runs)).first;
                const LoadedChannel& c = it->second;
                if (c.error.empty()) {
                    std::fprintf(stderr,
                                 "bench_solve: channel %s: %zu records, %.1f MB, load %.1f ms (median of %d; read %.1f "
                                 "ms, parse %.1f ms: %.0f MB/s), fastest %.1f ms, CPU %.1f ms\n",
                                 key.c_str(), c.records, static_cast<double>(c.bytes) / 1e6, c.load_ms, load_runs,
                                 c.read_ms, c.load_ms - c.read_ms,
                                 static_cast<double>(c.bytes) / 1e3 / std::max(1e-9, c.load_ms - c.read_ms),
                                 c.load_min_ms, c.cpu_ms);
                }
            }
            const LoadedChannel& channel = it->second;
            if (!channel.error.empty()) {
                result.status = "skipped";
                result.message = channel.error;
                break;
            }
            for (const auto& subdir : channel.subdirs) source.add(key, rank, subdir);
            result.records += channel.records;
            result.load_ms += channel.load_ms;
            result.load_min_ms += channel.load_min_ms;
            result.load_cpu_ms += channel.cpu_ms;
        }

        solver::CondaRequest conda;
        conda.channel_priority = priority;
        conda.add_pip_as_python_dependency = pip;
        if (result.status.empty()) {
            for (const auto& text : request.specs) {
                auto spec = specs::MatchSpec::parse(text);
                if (!spec) {
                    result.status = "error";
                    result.message = spec.error().describe();
                    break;
                }
                conda.specs.push_back(std::move(*spec));
            }
        }
        if (result.status.empty()) {
            // Virtual packages of linux-64 as on a foreign target (no host detection): the
            // request's __glibc/__cuda as overrides; without __glibc it is hidden.
            std::map<std::string, std::string> overrides = {{"CONDA_OVERRIDE_GLIBC", ""},
                                                            {"CONDA_OVERRIDE_CUDA", ""}};
            for (const auto& [name, version] : request.virtuals) {
                if (name == "__glibc") overrides["CONDA_OVERRIDE_GLIBC"] = version;
                if (name == "__cuda") overrides["CONDA_OVERRIDE_CUDA"] = version;
            }
            auto virtuals = specs::virtual_packages("linux-64", {}, overrides, specs::TargetIsHost::no);
            if (!virtuals) {
                result.status = "error";
                result.message = virtuals.error().describe();
            } else {
                conda.virtual_packages = std::move(*virtuals);
            }
        }
        const bool ready = result.status.empty();
        for (int run = 0; ready && run < runs; ++run) {
            const auto start = Clock::now();
            const double cpu_start = thread_cpu_ms();
            auto outcome = solver::solve_conda(source, conda);
            result.solve_all_ms.push_back(ms_since(start));
            const double cpu = thread_cpu_ms() - cpu_start;
            result.solve_cpu_min_ms = run == 0 ? cpu : std::min(result.solve_cpu_min_ms, cpu);
            if (!outcome) {
                result.status = "error";
                result.message = outcome.error().describe();
                break;
            }
            if (const auto* solution = std::get_if<solver::CondaSolution>(&outcome->result)) {
                if (result.status != "invalid") result.status = "solved";
                if (run == 0) {
                    // pip is added by the provider, not written in python's record
                    auto records = solution->records;
                    if (pip) {
                        for (auto& c : records) {
                            if (c.record.name == "python") c.record.depends.push_back("pip");
                        }
                    }
                    if (auto violation = verify(records)) {
                        result.status = "invalid";
                        result.message = *violation;
                    }
                }
                result.stats = solution->stats;
                result.packages = 0;
                result.solution.clear();
                for (const auto& c : solution->records) {
                    if (c.record.name.rfind("__", 0) == 0) {
                        if (std::getenv("ENVSMITH_BENCH_DEBUG") != nullptr) {
                            std::fprintf(stderr, "%s: virtual %s %s\n", request.id.c_str(), c.record.name.c_str(),
                                         c.record.version.to_string().c_str());
                        }
                        continue;  // virtual packages are not installed
                    }
                    ++result.packages;
                    result.solution.push_back(c.record.name + "-" + c.record.version.to_string() + "-" +
                                              c.record.build);
                }
            } else {
                result.status = "unsolvable";
                result.stats = std::get<solver::Unsolvable>(outcome->result).stats;
                result.packages = 0;
            }
        }
        if (!result.solve_all_ms.empty()) {
            result.solve_ms = median(result.solve_all_ms);
            result.solve_min_ms = *std::min_element(result.solve_all_ms.begin(), result.solve_all_ms.end());
        }
        const bool unexpected = (result.status == "solved" || result.status == "unsolvable") &&
                                !request.expect.empty() && result.status != request.expect;
        if (result.status == "error" || result.status == "invalid" || unexpected) ++failures;

        if (json) {
            std::vector<std::string> times;
            for (double t : result.solve_all_ms) times.push_back(fmt::format("{:.3f}", t));
            std::string all = "[";
            for (std::size_t i = 0; i < times.size(); ++i) {
                if (i > 0) all += ',';
                all += times[i];
            }
            all += "]";
            std::printf(
                R"({"request":%s,"status":%s,"message":%s,"expect":%s,"records":%zu,"load_ms":%.3f,"load_min_ms":%.3f,)"
                R"("load_cpu_ms":%.3f,"solve_ms":%.3f,"solve_min_ms":%.3f,"solve_cpu_min_ms":%.3f,"solve_all_ms":%s,"packages":%zu,"decisions":%llu,)"
                R"("conflicts":%llu,"propagations":%llu,"learnt":%llu,"names_loaded":%llu,"solvables_expanded":%llu%s})"
                "\n",
                request_json(request).c_str(), json_string(result.status).c_str(), json_string(result.message).c_str(),
                json_string(request.expect).c_str(), result.records, result.load_ms, result.load_min_ms,
                result.load_cpu_ms, result.solve_ms, result.solve_min_ms, result.solve_cpu_min_ms, all.c_str(), result.packages,
                static_cast<unsigned long long>(result.stats.decisions),
                static_cast<unsigned long long>(result.stats.conflicts),
                static_cast<unsigned long long>(result.stats.propagations),
                static_cast<unsigned long long>(result.stats.learnt_clauses),
                static_cast<unsigned long long>(result.stats.names_loaded),
                static_cast<unsigned long long>(result.stats.solvables_expanded),
                print_solution ? (",\"solution\":" + json_list(result.solution)).c_str() : "");
        } else {
            std::printf("%-22s %9zu %9.1f %9.1f %10.2f %10.2f %10.2f %-10s %5zu %9llu %9llu %7llu%s%s\n",
                        request.id.c_str(), result.records, result.load_ms, result.load_cpu_ms, result.solve_ms,
                        result.solve_min_ms, result.solve_cpu_min_ms,
                        (result.status + (unexpected ? "!" : "")).c_str(), result.packages,
                        static_cast<unsigned long long>(result.stats.decisions),
                        static_cast<unsigned long long>(result.stats.conflicts),
                        static_cast<unsigned long long>(result.stats.names_loaded),
                        result.message.empty() ? "" : "  ", result.message.c_str());
            if (print_solution) {
                for (const auto& line : result.solution) std::printf("    %s\n", line.c_str());
            }
        }
        std::fflush(stdout);
    }
    if (!json) {
        std::printf("\nload = read + parse linux-64/ and noarch/ repodata.json (median of %d); solve = "
                    "solve_conda with a fresh provider (median of %d; min = fastest); cpu = this thread's CPU time (load: median, "
                    "solve: fastest); '!' = not the expected status\n",
                    load_runs, runs);
    }
    return failures == 0 ? 0 : 1;
}
