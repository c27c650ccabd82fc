#pragma once
// Installing a wheel into a prefix (PEP 427 "Binary distribution format"), with the installed
// `.dist-info` of PEP 376 (RECORD, INSTALLER, REQUESTED) and PEP 610 (direct_url.json), and
// launchers for the `console_scripts` / `gui_scripts` entry points. docs/wheel-install.md
// describes the layout and the checks.
//
// Two paths describe the prefix: `write_dir` is where the files are written now (a staging
// folder on the build host), `prefix_path` is where the prefix will be when its programs run
// (e.g. /opt/envsmith/envs/demo inside an image). Shebangs name the Python under
// `prefix_path`; nothing is written outside `write_dir`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"

namespace envsmith::install {

/// Where a wheel's parts go. Every path but `write_dir` and `prefix_path` is relative to the
/// prefix, uses `/` and must not contain `..`.
struct WheelTarget {
    std::string write_dir;          // the prefix on this machine; created if missing
    std::string prefix_path;        // the prefix at run time (absolute), for shebangs
    std::string site_packages;      // "lib/python3.11/site-packages": purelib and platlib
    std::string scripts_dir = "bin";
    std::string include_dir;        // "include/python3.11": headers go to <include_dir>/<name>
    std::string python_executable;  // "bin/python3.11": the interpreter shebangs name
};

enum class Requested : bool { no, yes };

struct WheelInstallOptions {
    /// Whether the user asked for this distribution (not only a dependency): writes REQUESTED.
    Requested requested = Requested::yes;
    /// The content of INSTALLER (PEP 376), without the final newline.
    std::string installer = "envsmith";
    /// PEP 610 `direct_url.json` content, for wheels installed from a URL or a path. Must be a
    /// JSON object with a string `url`.
    std::optional<std::string> direct_url_json;
    /// The wheel's file name (`name-version-...-platform.whl`) when `wheel_path` is not named
    /// so, as in the content-addressed package cache; empty: the last part of `wheel_path`.
    std::string file_name;
};

struct InstalledWheel {
    std::string name;       // as METADATA writes it
    std::string version;    // as METADATA writes it
    std::string dist_info;  // the installed .dist-info folder, relative to write_dir
    std::vector<std::string> files;  // every file written, relative to write_dir, sorted
};

/// Installs the wheel at `wheel_path` (its file name must be a valid wheel file name) into
/// `target`. Every file of the wheel is checked against its RECORD (sha256 and size) before
/// anything is placed; the installed RECORD lists every file written, with paths relative to
/// site-packages. Existing files at the same paths are replaced (as pip does); when placing
/// fails midway, the files of this wheel are removed, the replaced ones restored and the
/// folders it created removed. Warnings (`wheel.version.newer`,
/// `wheel.record.entry_without_file`) go to `reporter`.
///
/// Errors (`wheel` arg: the wheel file name; `path`: a path inside the wheel):
/// `spec.wheel_filename.invalid`, the `archive.*` errors of reading the wheel,
/// `wheel.target.invalid` (field, problem), `wheel.dist_info.missing`, `wheel.file.missing`
/// (file), `wheel.metadata.mismatch` (field, expected, found), `wheel.wheel_file.invalid`
/// (problem), `wheel.version.unsupported` (version), `wheel.record.invalid` (line, problem),
/// `wheel.record.unlisted`, `wheel.record.no_hash`, `wheel.record.unsupported_hash`
/// (algorithm), `wheel.record.hash_mismatch` (expected, actual), `wheel.record.size_mismatch`
/// (expected, actual), `wheel.entry.not_regular`, `wheel.path.escapes`,
/// `wheel.data.unknown_scheme` (scheme), `wheel.entry_points.invalid` (line, problem),
/// `wheel.direct_url.invalid` (problem), `wheel.io` (path, detail): all invalid_input except
/// `wheel.io` (unavailable).
[[nodiscard]] core::Result<InstalledWheel> install_wheel(const std::string& wheel_path,
                                                         const WheelTarget& target,
                                                         const WheelInstallOptions& options,
                                                         core::Reporter& reporter);

// --- The pieces, public so that other code (and tests) can use them on their own. ---

/// The `WHEEL` file of a `.dist-info` folder.
struct WheelInfo {
    std::uint32_t version_major = 0;  // Wheel-Version
    std::uint32_t version_minor = 0;
    bool root_is_purelib = true;
    std::string generator;
    std::vector<std::string> tags;  // Tag: lines, in order
};

/// Parses WHEEL text. `Wheel-Version` (`<major>.<minor>`) and `Root-Is-Purelib` (`true` or
/// `false`, case-insensitive) are required. Fails with `wheel.wheel_file.invalid` (args
/// `wheel` = `source`, `problem`). The version check is install_wheel's.
[[nodiscard]] core::Result<WheelInfo> parse_wheel_info(std::string_view text,
                                                       std::string_view source);

/// One row of a RECORD file (a CSV file: path, hash, size).
struct RecordEntry {
    std::string path;
    std::string hash;                  // "sha256=<urlsafe base64 without padding>" or empty
    std::optional<std::uint64_t> size;

    friend bool operator==(const RecordEntry&, const RecordEntry&) = default;
};

/// Parses RECORD text (CSV as Python's csv module writes it: fields quoted with `"` when they
/// contain a comma, a quote or a line break, quotes doubled). Blank lines are skipped. Fails with
/// `wheel.record.invalid` (args `wheel` = `source`, `line`, `problem`).
[[nodiscard]] core::Result<std::vector<RecordEntry>> parse_record(std::string_view text,
                                                                  std::string_view source);
/// RECORD text for the entries, one CSV line each ending in "\n", in the given order.
[[nodiscard]] std::string format_record(const std::vector<RecordEntry>& entries);
/// The RECORD hash of some bytes: "sha256=" + urlsafe base64 of the digest without `=`.
[[nodiscard]] std::string record_hash(std::string_view bytes);

/// A `console_scripts` or `gui_scripts` entry point: `name = module:object.attr [extras]`.
struct EntryPoint {
    enum class Group : std::uint8_t { console, gui };
    std::string name;
    std::string module;
    std::string object;  // "main" or "cli.main": what to call
    Group group = Group::console;

    friend bool operator==(const EntryPoint&, const EntryPoint&) = default;
};

/// The script entry points of an `entry_points.txt` (an INI file; other sections are skipped).
/// Fails with `wheel.entry_points.invalid` (args `wheel` = `source`, `line`, `problem`) for a
/// script entry without `module:object`, a name with a path separator, or a line outside
/// `key = value` form inside a script section.
[[nodiscard]] core::Result<std::vector<EntryPoint>> parse_entry_points(std::string_view text,
                                                                       std::string_view source);

/// The first line(s) that make a script run with `python` (an absolute path): `#!<python>\n`, or
/// when that line would be longer than 127 bytes or `python` contains a space, a `/bin/sh`
/// prelude that re-executes the file with `python` (docs/wheel-install.md). `args` (e.g. " -u")
/// follow the interpreter.
[[nodiscard]] std::string python_shebang(std::string_view python, std::string_view args = {});

/// A launcher script for an entry point: the shebang, then Python code importing the module
/// and calling the object, its return value the exit status.
[[nodiscard]] std::string launcher_script(std::string_view python, const EntryPoint& entry_point);

}  // namespace envsmith::install
