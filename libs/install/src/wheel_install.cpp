// install_wheel: unpack a wheel into a staging folder inside the prefix, check every file
// against RECORD, plan where each file goes (PEP 427 "Installing a wheel"), then move the files
// into place, undoing the moves when one fails. docs/wheel-install.md has the details.

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "envsmith/archive/extract.hpp"
#include "envsmith/core/digest.hpp"
#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/install/wheel_install.hpp"
#include "envsmith/specs/core_metadata.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/wheel.hpp"

namespace envsmith::install {
namespace {

namespace stdfs = std::filesystem;

// --- errors ------------------------------------------------------------------------------

core::Error wheel_error(std::string id, const std::string& wheel, std::string message) {
    return core::make_error(core::ErrorCode::invalid_input, std::move(id), std::move(message))
        .arg("wheel", wheel);
}

core::Error io_error(const std::string& wheel, const std::string& path, std::string detail) {
    return core::make_error(core::ErrorCode::unavailable, "wheel.io",
                            fmt::format("{}: `{}`: {}", wheel, path, detail))
        .arg("wheel", wheel)
        .arg("path", path)
        .arg("detail", std::move(detail));
}

core::Error path_error(std::string id, const std::string& wheel, const std::string& path,
                       std::string message) {
    return wheel_error(std::move(id), wheel, std::move(message)).arg("path", path);
}

core::Error target_error(std::string_view field, std::string problem) {
    return core::make_error(core::ErrorCode::invalid_input, "wheel.target.invalid",
                            fmt::format("invalid wheel target: `{}` {}", field, problem))
        .arg("field", std::string(field))
        .arg("problem", std::move(problem));
}

// --- paths -------------------------------------------------------------------------------

/// A relative path of `/`-separated names, none empty, `.` or `..` (a trailing `/` is allowed).
bool is_safe_relative(std::string_view path) {
    if (path.empty() || path.front() == '/') {
        return false;
    }
    if (path.back() == '/') {
        path.remove_suffix(1);
    }
    for (const auto part : core::split(path, '/')) {
        if (part.empty() || part == "." || part == "..") {
            return false;
        }
    }
    return true;
}

std::string join_path(std::string_view a, std::string_view b) {
    if (a.empty()) {
        return std::string(b);
    }
    std::string out(a);
    if (out.back() != '/') {
        out += '/';
    }
    out += b;
    return out;
}

core::Status check_target(const WheelTarget& target) {
    if (target.write_dir.empty()) {
        return target_error("write_dir", "is empty");
    }
    if (target.prefix_path.empty() || target.prefix_path.front() != '/') {
        return target_error("prefix_path", "must be an absolute path");
    }
    // The prefix is written into shebangs and into a quoted sh command line.
    if (target.prefix_path.find_first_of("\"'\\$`\n\r") != std::string::npos) {
        return target_error("prefix_path", "must not contain quotes, `\\`, `$`, backquotes or line breaks");
    }
    const std::array<std::pair<std::string_view, const std::string*>, 4> relative{{
        {"site_packages", &target.site_packages},
        {"scripts_dir", &target.scripts_dir},
        {"include_dir", &target.include_dir},
        {"python_executable", &target.python_executable},
    }};
    for (const auto& [field, value] : relative) {
        if (!is_safe_relative(*value) ||
            value->find_first_of("\"'\\$`\n\r") != std::string::npos) {
            return target_error(field, "must be a relative path without `.` or `..` parts");
        }
    }
    return {};
}

// --- files -------------------------------------------------------------------------------

struct FileDigest {
    std::string hash;  // RECORD form
    std::uint64_t size = 0;
};

std::string record_form(const core::Digest& digest) {
    auto encoded =
        core::base64_encode(core::from_hex(digest.hex).value(), core::Base64Alphabet::url_safe);
    while (!encoded.empty() && encoded.back() == '=') {
        encoded.pop_back();
    }
    return "sha256=" + encoded;
}

std::optional<FileDigest> hash_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    core::Hasher hasher(core::DigestAlgorithm::sha256);
    std::vector<char> buffer(1 << 16);
    FileDigest out;
    while (in) {
        in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
        const auto got = static_cast<std::size_t>(in.gcount());
        if (got == 0) {
            break;
        }
        hasher.update(std::string_view(buffer.data(), got));
        out.size += got;
    }
    if (in.bad()) {
        return std::nullopt;
    }
    out.hash = record_form(hasher.finish());
    return out;
}

std::optional<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return std::nullopt;
    }
    std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
        return std::nullopt;
    }
    return content;
}

bool write_whole(const std::string& path, std::string_view content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    return static_cast<bool>(out);
}

/// The staging folder inside write_dir (so files move into place with rename); removed when
/// this object goes away.
class Staging {
public:
    Staging() = default;
    Staging(const Staging&) = delete;
    Staging& operator=(const Staging&) = delete;
    ~Staging() {
        if (!m_path.empty()) {
            std::error_code ec;
            stdfs::remove_all(m_path, ec);
        }
    }
    bool create(const std::string& parent) {
        std::string name = join_path(parent, ".envsmith-wheel-XXXXXX");
        if (::mkdtemp(name.data()) == nullptr) {
            return false;
        }
        m_path = std::move(name);
        return true;
    }
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    std::string m_path;
};

// --- the plan ----------------------------------------------------------------------------

/// One file to place: where it is staged, where it goes (relative to write_dir) and the RECORD
/// hash and size of its final content.
struct Placement {
    std::string source;
    FileDigest digest;
    bool executable = false;  // chmod 0755 after placing (scripts and launchers)
    bool generated = false;   // written by envsmith: chmod 0644
};

struct Plan {
    std::map<std::string, Placement> files;  // by destination, relative to write_dir
};

/// Rewrites a `#!python` / `#!pythonw` first line (PEP 427) to the prefix's interpreter.
/// Returns true when the script changed.
bool rewrite_script(std::string& content, const std::string& python) {
    if (!content.starts_with("#!python")) {
        return false;
    }
    const auto end = content.find('\n');
    const auto first = std::string_view(content).substr(0, end);
    std::string_view args;
    if (const auto space = first.find_first_of(" \t"); space != std::string_view::npos) {
        args = core::trim_right(first.substr(space));
    }
    auto rewritten = python_shebang(python, args);
    if (end != std::string::npos) {
        rewritten += std::string_view(content).substr(end + 1);
    }
    content = std::move(rewritten);
    return true;
}

/// Which RECORD files need no hash: RECORD itself and its signatures (PEP 427).
bool is_record_or_signature(std::string_view path, std::string_view dist_info) {
    return path == join_path(dist_info, "RECORD") || path == join_path(dist_info, "RECORD.jws") ||
           path == join_path(dist_info, "RECORD.p7s");
}

struct DistInfoName {
    std::string folder;  // "pkg-1.0.dist-info"
    std::string stem;    // "pkg-1.0"
};

std::optional<DistInfoName> find_dist_info(const std::vector<std::string>& files,
                                           const std::string& normalized_name) {
    std::set<std::string> candidates;
    for (const auto& path : files) {
        const auto slash = path.find('/');
        if (slash == std::string::npos) {
            continue;
        }
        const auto top = path.substr(0, slash);
        if (top.ends_with(".dist-info")) {
            candidates.insert(top);
        }
    }
    for (const auto& folder : candidates) {
        const auto stem = folder.substr(0, folder.size() - std::string_view(".dist-info").size());
        const auto first_dash = stem.find('-');
        const auto last_dash = stem.rfind('-');
        if (first_dash == std::string::npos) {
            continue;
        }
        if (specs::normalize_package_name(stem.substr(0, first_dash)) == normalized_name ||
            specs::normalize_package_name(stem.substr(0, last_dash)) == normalized_name) {
            return DistInfoName{folder, stem};
        }
    }
    return std::nullopt;
}

struct Context {
    const std::string& wheel;  // the wheel's file name, for messages
    const WheelTarget& target;
    const WheelInstallOptions& options;
    core::Reporter& reporter;
    std::string unpacked;  // absolute staging path of the extracted wheel
    std::string staging;
    std::string python;    // the interpreter shebangs name
    std::size_t generated_count = 0;
};

core::Result<std::string> read_member(const Context& ctx, const std::string& member) {
    auto content = read_whole(join_path(ctx.unpacked, member));
    if (!content) {
        return io_error(ctx.wheel, member, "cannot read the unpacked file");
    }
    return std::move(*content);
}

core::Status add_generated(Context& ctx, Plan& plan, const std::string& dest,
                           std::string_view content, bool executable) {
    const auto source = join_path(ctx.staging, fmt::format("generated-{}", ctx.generated_count++));
    if (!write_whole(source, content)) {
        return io_error(ctx.wheel, source, "cannot write a generated file");
    }
    plan.files[dest] = Placement{
        source, FileDigest{record_hash(content), content.size()}, executable, !executable};
    return {};
}

/// Checks the unpacked files against RECORD and decides where each goes.
core::Status plan_wheel_files(Context& ctx, Plan& plan, const std::vector<std::string>& files,
                              const DistInfoName& dist_info, const std::string& project_name) {
    const auto record_path = join_path(dist_info.folder, "RECORD");
    auto record_text = read_member(ctx, record_path);
    if (!record_text) {
        return std::move(record_text).error();
    }
    auto record = parse_record(*record_text, ctx.wheel);
    if (!record) {
        return std::move(record).error();
    }
    std::map<std::string, RecordEntry> listed;
    for (auto& entry : *record) {
        auto path = entry.path;
        listed.insert_or_assign(std::move(path), std::move(entry));
    }

    const auto data_prefix = dist_info.stem + ".data/";
    const auto& site = ctx.target.site_packages;
    std::set<std::string> present;
    for (const auto& path : files) {
        present.insert(path);
        const auto staged = join_path(ctx.unpacked, path);
        auto digest = hash_file(staged);
        if (!digest) {
            return io_error(ctx.wheel, path, "cannot read the unpacked file");
        }
        if (path == record_path) {
            continue;  // replaced by the installed RECORD
        }
        if (!is_record_or_signature(path, dist_info.folder)) {
            const auto it = listed.find(path);
            if (it == listed.end()) {
                return path_error("wheel.record.unlisted", ctx.wheel, path,
                                  fmt::format("{}: `{}` is not listed in RECORD", ctx.wheel, path));
            }
            const auto& entry = it->second;
            if (entry.hash.empty()) {
                return path_error("wheel.record.no_hash", ctx.wheel, path,
                                  fmt::format("{}: RECORD has no hash for `{}`", ctx.wheel, path));
            }
            const auto algorithm = entry.hash.substr(0, entry.hash.find('='));
            if (algorithm != "sha256") {
                return path_error("wheel.record.unsupported_hash", ctx.wheel, path,
                                  fmt::format("{}: `{}` has a {} hash in RECORD; envsmith checks "
                                              "sha256 only",
                                              ctx.wheel, path, algorithm))
                    .arg("algorithm", algorithm);
            }
            // Some writers pad the base64 value; the comparison ignores the padding.
            auto expected = entry.hash;
            while (expected.ends_with('=')) {
                expected.pop_back();
            }
            if (expected != digest->hash) {
                return path_error("wheel.record.hash_mismatch", ctx.wheel, path,
                                  fmt::format("{}: `{}` does not match its RECORD hash (RECORD "
                                              "{}, file {})",
                                              ctx.wheel, path, entry.hash, digest->hash))
                    .arg("expected", entry.hash)
                    .arg("actual", digest->hash);
            }
            if (entry.size && *entry.size != digest->size) {
                return path_error("wheel.record.size_mismatch", ctx.wheel, path,
                                  fmt::format("{}: `{}` is {} bytes, RECORD says {}", ctx.wheel,
                                              path, digest->size, *entry.size))
                    .arg("actual", std::to_string(digest->size))
                    .arg("expected", std::to_string(*entry.size));
            }
        }

        Placement placement{staged, std::move(*digest), false, false};
        std::string dest;
        if (path.starts_with(data_prefix)) {
            const auto rest = path.substr(data_prefix.size());
            const auto slash = rest.find('/');
            const auto scheme = rest.substr(0, slash);
            const auto inner = slash == std::string::npos ? std::string() : rest.substr(slash + 1);
            if (inner.empty() || (scheme != "purelib" && scheme != "platlib" &&
                                  scheme != "scripts" && scheme != "headers" && scheme != "data")) {
                return path_error("wheel.data.unknown_scheme", ctx.wheel, path,
                                  fmt::format("{}: `{}` is in an unknown .data folder `{}`",
                                              ctx.wheel, path, scheme))
                    .arg("scheme", scheme);
            }
            if (scheme == "purelib" || scheme == "platlib") {
                dest = join_path(site, inner);
            } else if (scheme == "scripts") {
                dest = join_path(ctx.target.scripts_dir, inner);
                placement.executable = true;
                auto content = read_member(ctx, path);
                if (!content) {
                    return std::move(content).error();
                }
                if (rewrite_script(*content, ctx.python)) {
                    if (!write_whole(staged, *content)) {
                        return io_error(ctx.wheel, path, "cannot rewrite the script's shebang");
                    }
                    placement.digest = FileDigest{record_hash(*content), content->size()};
                }
            } else if (scheme == "headers") {
                dest = join_path(join_path(ctx.target.include_dir, project_name), inner);
            } else {
                dest = inner;
            }
        } else {
            dest = join_path(site, path);
        }
        plan.files.insert_or_assign(std::move(dest), std::move(placement));
    }

    for (const auto& [path, entry] : listed) {
        if (!present.contains(path) && !is_record_or_signature(path, dist_info.folder)) {
            const auto text =
                fmt::format("{}: RECORD lists `{}`, which the wheel does not contain", ctx.wheel,
                            path);
            ctx.reporter.on_warning("wheel.record.entry_without_file", text,
                                    {{"wheel", ctx.wheel}, {"path", path}});
        }
    }
    return {};
}

/// Moves the planned files into write_dir. On failure everything placed is removed, replaced
/// files are restored and created folders removed.
class Placer {
public:
    explicit Placer(const Context& ctx) : m_ctx(ctx) {}
    Placer(const Placer&) = delete;
    Placer& operator=(const Placer&) = delete;
    ~Placer() {
        if (!m_committed) {
            roll_back();
        }
    }

    core::Status place(const std::string& dest, const Placement& placement) {
        const auto absolute = join_path(m_ctx.target.write_dir, dest);
        if (auto made = make_parents(dest); !made) {
            return made;
        }
        std::error_code ec;
        const auto status = stdfs::symlink_status(absolute, ec);
        if (stdfs::is_directory(status)) {
            return io_error(m_ctx.wheel, dest, "a directory is in the way");
        }
        if (stdfs::exists(status)) {
            const auto backup = join_path(m_ctx.staging, fmt::format("backup-{}", m_backups.size()));
            stdfs::rename(absolute, backup, ec);
            if (ec) {
                return io_error(m_ctx.wheel, dest, "cannot move the existing file aside: " + ec.message());
            }
            m_backups.emplace_back(backup, absolute);
        }
        stdfs::rename(placement.source, absolute, ec);
        if (ec) {
            return io_error(m_ctx.wheel, dest, "cannot move the file into place: " + ec.message());
        }
        m_placed.push_back(absolute);
        if (placement.executable || placement.generated) {
            const auto mode = placement.executable ? stdfs::perms(0755) : stdfs::perms(0644);
            stdfs::permissions(absolute, mode, ec);
            if (ec) {
                return io_error(m_ctx.wheel, dest, "cannot set the file mode: " + ec.message());
            }
        }
        return {};
    }

    void commit() { m_committed = true; }

private:
    core::Status make_parents(const std::string& dest) {
        std::string current = m_ctx.target.write_dir;
        const auto parts = core::split(dest, '/');
        for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
            current = join_path(current, parts[i]);
            std::error_code ec;
            const auto status = stdfs::symlink_status(current, ec);
            if (stdfs::is_directory(status)) {
                continue;
            }
            if (stdfs::exists(status)) {
                return io_error(m_ctx.wheel, dest,
                                fmt::format("`{}` is in the way of a folder", current));
            }
            stdfs::create_directory(current, ec);
            if (ec) {
                return io_error(m_ctx.wheel, dest, "cannot create a folder: " + ec.message());
            }
            m_created_dirs.push_back(current);
        }
        return {};
    }

    void roll_back() noexcept {
        std::error_code ec;
        for (auto it = m_placed.rbegin(); it != m_placed.rend(); ++it) {
            stdfs::remove(*it, ec);
        }
        for (auto it = m_backups.rbegin(); it != m_backups.rend(); ++it) {
            stdfs::rename(it->first, it->second, ec);
        }
        for (auto it = m_created_dirs.rbegin(); it != m_created_dirs.rend(); ++it) {
            stdfs::remove(*it, ec);  // only removes empty folders
        }
    }

    const Context& m_ctx;
    std::vector<std::string> m_placed;
    std::vector<std::pair<std::string, std::string>> m_backups;  // (backup, original place)
    std::vector<std::string> m_created_dirs;
    bool m_committed = false;
};

std::string relative_to(const std::string& path, const std::string& base) {
    return stdfs::path(path).lexically_relative(stdfs::path(base)).generic_string();
}

}  // namespace

core::Result<InstalledWheel> install_wheel(const std::string& wheel_path,
                                           const WheelTarget& target,
                                           const WheelInstallOptions& options,
                                           core::Reporter& reporter) {
    const auto wheel = options.file_name.empty() ? stdfs::path(wheel_path).filename().string() : options.file_name;
    if (auto ok = check_target(target); !ok) {
        return std::move(ok).error();
    }
    auto filename = specs::WheelFilename::parse(wheel);
    if (!filename) {
        return std::move(filename).error();
    }
    const auto normalized_name = filename->normalized_name();
    if (options.direct_url_json) {
        const auto json = nlohmann::json::parse(*options.direct_url_json, nullptr, false);
        std::string problem;
        if (json.is_discarded()) {
            problem = "it is not JSON";
        } else if (!json.is_object() || !json.contains("url") || !json["url"].is_string()) {
            problem = "it is not an object with a string `url`";
        }
        if (!problem.empty()) {
            return wheel_error("wheel.direct_url.invalid", wheel,
                               fmt::format("{}: direct_url.json is invalid: {}", wheel, problem))
                .arg("problem", problem);
        }
    }

    // The listing says what kinds of entries there are; extraction refuses escapes itself.
    auto entries = archive::list_entries(wheel_path);
    if (!entries) {
        return std::move(entries).error().with_context(fmt::format("reading wheel {}", wheel));
    }
    std::vector<std::string> files;
    for (const auto& entry : *entries) {
        if (entry.kind == archive::EntryInfo::Kind::directory) {
            continue;
        }
        if (entry.kind != archive::EntryInfo::Kind::file) {
            return path_error("wheel.entry.not_regular", wheel, entry.path,
                              fmt::format("{}: `{}` is a link or special file; wheels hold "
                                          "regular files only",
                                          wheel, entry.path));
        }
        if (!is_safe_relative(entry.path)) {
            return path_error("wheel.path.escapes", wheel, entry.path,
                              fmt::format("{}: `{}` would be installed outside the prefix", wheel,
                                          entry.path));
        }
        files.push_back(entry.path);
    }
    std::sort(files.begin(), files.end());
    files.erase(std::unique(files.begin(), files.end()), files.end());

    const auto dist_info = find_dist_info(files, normalized_name);
    if (!dist_info) {
        return wheel_error("wheel.dist_info.missing", wheel,
                           fmt::format("{} has no `{}-<version>.dist-info` folder", wheel,
                                       filename->name))
            .arg("name", filename->name);
    }

    std::error_code ec;
    stdfs::create_directories(target.write_dir, ec);
    if (ec) {
        return io_error(wheel, target.write_dir, "cannot create the folder: " + ec.message());
    }
    Staging staging;
    if (!staging.create(target.write_dir)) {
        return io_error(wheel, target.write_dir, "cannot create a staging folder");
    }
    Context ctx{wheel,
                target,
                options,
                reporter,
                join_path(staging.path(), "unpacked"),
                staging.path(),
                join_path(target.prefix_path, target.python_executable),
                0};
    if (auto extracted = archive::extract(wheel_path, ctx.unpacked); !extracted) {
        return std::move(extracted).error().with_context(fmt::format("unpacking wheel {}", wheel));
    }

    auto required = [&](const std::string& member) -> core::Result<std::string> {
        const auto path = join_path(dist_info->folder, member);
        if (!std::binary_search(files.begin(), files.end(), path)) {
            return wheel_error("wheel.file.missing", wheel,
                               fmt::format("{} lacks `{}`", wheel, path))
                .arg("file", path);
        }
        return read_member(ctx, path);
    };

    // WHEEL: refuse a major version this code does not know (PEP 427 "Recommended installer
    // features"), warn about a newer minor one.
    auto wheel_text = required("WHEEL");
    if (!wheel_text) {
        return std::move(wheel_text).error();
    }
    auto info = parse_wheel_info(*wheel_text, wheel);
    if (!info) {
        return std::move(info).error();
    }
    const auto wheel_version = fmt::format("{}.{}", info->version_major, info->version_minor);
    if (info->version_major > 1) {
        return wheel_error("wheel.version.unsupported", wheel,
                           fmt::format("{} has Wheel-Version {}; only version 1 wheels can be "
                                       "installed",
                                       wheel, wheel_version))
            .arg("version", wheel_version);
    }
    if (info->version_major == 1 && info->version_minor > 0) {
        reporter.on_warning(
            "wheel.version.newer",
            fmt::format("{} has Wheel-Version {}, newer than 1.0; installing it anyway", wheel,
                        wheel_version),
            {{"wheel", wheel}, {"version", wheel_version}});
    }

    auto metadata_text = required("METADATA");
    if (!metadata_text) {
        return std::move(metadata_text).error();
    }
    auto metadata =
        specs::CoreMetadata::parse(*metadata_text, join_path(dist_info->folder, "METADATA"),
                                   specs::MetadataStrictness::lenient);
    if (!metadata) {
        return std::move(metadata).error().with_context(fmt::format("reading wheel {}", wheel));
    }
    auto mismatch = [&](std::string field, std::string expected, std::string found) {
        return wheel_error("wheel.metadata.mismatch", wheel,
                           fmt::format("{}: METADATA {} `{}` does not match the file name (`{}`)",
                                       wheel, field, found, expected))
            .arg("field", std::move(field))
            .arg("expected", std::move(expected))
            .arg("found", std::move(found));
    };
    if (metadata->normalized_name() != normalized_name) {
        return mismatch("Name", filename->name, metadata->name);
    }
    if (!(metadata->version == filename->version)) {
        return mismatch("Version", filename->version.to_string(), metadata->version_text);
    }
    if (metadata->name.find_first_of("/\\") != std::string::npos) {
        return mismatch("Name", filename->name, metadata->name);
    }

    Plan plan;
    if (auto planned = plan_wheel_files(ctx, plan, files, *dist_info, metadata->name); !planned) {
        return std::move(planned).error();
    }

    // Launchers for the script entry points. They replace a .data/scripts file of the same name.
    const auto entry_points_path = join_path(dist_info->folder, "entry_points.txt");
    if (std::binary_search(files.begin(), files.end(), entry_points_path)) {
        auto text = read_member(ctx, entry_points_path);
        if (!text) {
            return std::move(text).error();
        }
        auto entry_points = parse_entry_points(*text, wheel);
        if (!entry_points) {
            return std::move(entry_points).error();
        }
        for (const auto& entry_point : *entry_points) {
            const auto dest = join_path(target.scripts_dir, entry_point.name);
            if (auto added = add_generated(ctx, plan, dest, launcher_script(ctx.python, entry_point),
                                           true);
                !added) {
                return std::move(added).error();
            }
        }
    }

    // The installed .dist-info: INSTALLER, REQUESTED, direct_url.json (PEP 376, PEP 610).
    const auto installed_dist_info = join_path(target.site_packages, dist_info->folder);
    const auto add_meta = [&](std::string_view name, std::string_view content) {
        return add_generated(ctx, plan, join_path(installed_dist_info, name), content, false);
    };
    if (auto added = add_meta("INSTALLER", options.installer + "\n"); !added) {
        return std::move(added).error();
    }
    if (options.requested == Requested::yes) {
        if (auto added = add_meta("REQUESTED", ""); !added) {
            return std::move(added).error();
        }
    } else {
        plan.files.erase(join_path(installed_dist_info, "REQUESTED"));
    }
    if (options.direct_url_json) {
        if (auto added = add_meta("direct_url.json", *options.direct_url_json); !added) {
            return std::move(added).error();
        }
    }

    // RECORD: every installed file relative to site-packages, RECORD itself without a hash.
    const auto record_dest = join_path(installed_dist_info, "RECORD");
    plan.files.erase(record_dest);
    std::vector<RecordEntry> record;
    for (const auto& [dest, placement] : plan.files) {
        record.push_back(RecordEntry{relative_to(dest, target.site_packages),
                                     placement.digest.hash, placement.digest.size});
    }
    record.push_back(RecordEntry{relative_to(record_dest, target.site_packages), "", std::nullopt});
    if (auto added = add_meta("RECORD", format_record(record)); !added) {
        return std::move(added).error();
    }

    Placer placer(ctx);
    for (const auto& [dest, placement] : plan.files) {
        if (auto placed = placer.place(dest, placement); !placed) {
            return std::move(placed).error();
        }
    }
    placer.commit();

    InstalledWheel installed;
    installed.name = metadata->name;
    installed.version = metadata->version_text;
    installed.dist_info = installed_dist_info;
    for (const auto& [dest, placement] : plan.files) {
        installed.files.push_back(dest);
    }
    return installed;
}

}  // namespace envsmith::install
