#pragma once
// The check use case: before anything is built, ask the configured conda channels, PyPI
// indexes and the image-reference rules whether every requested item exists for the target
// platform and Python, and when one does not, say what does exist (close names, versions,
// other platforms, other Pythons, sdists only, yanked releases).

#include <cstdint>
#include <string_view>
#include <map>
#include <string>
#include <vector>

#include "envsmith/api/network.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::api {

/// The Python `check` assumes when neither `--python` nor a conda `python` spec says.
inline constexpr std::string_view default_check_python = "3.12";

struct CheckOptions {
    std::string path;      // the definition file
    std::string platform;  // target conda subdir; empty: the definition's, else the host's
    /// Target Python "X.Y"; empty: the version the definition's conda `python` spec resolves
    /// to on its channels, else `default_check_python`.
    std::string python;
    /// glibc of the target (manylinux wheels), "X.Y".
    std::string glibc = "2.28";
    std::map<std::string, std::string> environment;  // `${VAR}` values for requirements files
    /// A PyPI simple index that replaces the definition's `--index-url`; empty: the
    /// definition's, else https://pypi.org/simple.
    std::string index_url;
    NetworkSettings network;
};

enum class CheckVerdict : std::uint8_t {
    ok,       // exists for the target
    warning,  // exists, with a caveat (only an sdist: it will be built from source)
    missing,  // does not exist for the target; the item says what does
    invalid,  // the request itself does not parse
    skipped,  // not checked (a marker excludes it, a direct URL, no index)
    error,    // could not be checked (the channel or index could not be reached)
};

[[nodiscard]] std::string_view to_string(CheckVerdict verdict) noexcept;

/// One requested item and its verdict. `message_id` and `args` explain the verdict in any
/// language; `message` is the English text.
struct CheckItem {
    std::string kind;     // "conda", "pip" or "image"
    std::string request;  // as the definition has it
    CheckVerdict verdict = CheckVerdict::ok;
    std::string found;    // what would be used: "numpy 1.26.4 py312h_0 (conda-forge/linux-64)"
    std::string message_id;
    std::vector<core::MessageArg> args;
    std::string message;
    // What does exist, when the item is missing.
    std::vector<std::string> close_names;  // by edit distance
    std::vector<std::string> versions;     // newest first, at most a handful
    std::vector<std::string> platforms;    // conda subdirs or wheel platform tags that have it
    std::vector<std::string> pythons;      // Python versions that have a wheel
    std::vector<std::string> yanked;       // matching versions that were yanked
};

struct CheckReport {
    std::string file;
    std::string platform;
    std::string python;
    std::string python_source;  // "option", "conda" (resolved from the python spec), "default"
    std::vector<CheckItem> items;
    std::vector<core::Error> warnings;

    /// Whether any item is missing, invalid or could not be checked.
    [[nodiscard]] bool failing() const noexcept;
};

/// Loads the definition, fetches what it needs (through `transport` and the cache of
/// `options.network`) and checks every item. Fails only when the definition cannot be loaded;
/// an unreachable channel or index is an item with verdict `error`.
[[nodiscard]] core::Result<CheckReport> check(core::FileSystem& fs, core::Transport& transport,
                                              core::Reporter& reporter,
                                              const CheckOptions& options);

/// The same with the real libcurl transport built from `options.network`.
[[nodiscard]] core::Result<CheckReport> check(core::FileSystem& fs, core::Reporter& reporter,
                                              const CheckOptions& options);

}  // namespace envsmith::api
