// Linking one extracted conda package into a prefix (see link.hpp and docs/linking.md).

#include "envsmith/install/link.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/text.hpp"
#include "link_detail.hpp"

extern char** environ;  // NOLINT: POSIX

namespace envsmith::install {

namespace stdfs = std::filesystem;

std::optional<std::string> PrefixFiles::claim(const std::string& path, const std::string& package) {
    auto [it, inserted] = m_owners.try_emplace(path, package);
    if (inserted || it->second == package) {
        return std::nullopt;
    }
    auto previous = std::move(it->second);
    it->second = package;
    return previous;
}

const std::string* PrefixFiles::owner(const std::string& path) const {
    const auto it = m_owners.find(path);
    return it == m_owners.end() ? nullptr : &it->second;
}

namespace {

std::string_view path_type_name(PathType type) {
    switch (type) {
        case PathType::hardlink: return "hardlink";
        case PathType::softlink: return "softlink";
        case PathType::directory: return "directory";
    }
    return "hardlink";
}

core::Result<std::string> read_whole(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return detail::io_error(path, std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

/// Writes a new file (the destination was removed before) with `mode` permission bits.
core::Status write_new_file(const std::string& path, std::string_view content, mode_t mode) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        return detail::io_error(path, std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < content.size()) {
        const auto n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const auto error = detail::io_error(path, std::strerror(errno));
            ::close(fd);
            return error;
        }
        done += static_cast<std::size_t>(n);
    }
    if (::fchmod(fd, mode & 07777) != 0 || ::close(fd) != 0) {
        return detail::io_error(path, std::strerror(errno));
    }
    return {};
}

/// Removes whatever file or symlink is at `path` (not a directory with content).
core::Status clear_destination(const stdfs::path& path) {
    std::error_code ec;
    const auto status = stdfs::symlink_status(path, ec);
    if (ec || !stdfs::exists(status)) {
        return {};
    }
    stdfs::remove(path, ec);
    if (ec) {
        return detail::io_error(path.string(), ec.message());
    }
    return {};
}

/// Runs `/bin/sh script` with the conda link-script variables; each output line goes to the
/// reporter. Returns the wait status, or an error when the shell cannot be started.
core::Result<int> run_script(const std::string& script, const PackageRecordInfo& package,
                             const PrefixTarget& target, core::Reporter& reporter) {
    std::vector<std::string> env_strings;
    const std::vector<std::string> ours = {"PREFIX", "PKG_NAME", "PKG_VERSION", "PKG_BUILDNUM", "PATH"};
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        const std::string_view entry(*e);
        const auto eq = entry.find('=');
        const auto name = entry.substr(0, eq);
        if (std::find(ours.begin(), ours.end(), name) == ours.end()) {
            env_strings.emplace_back(entry);
        }
    }
    const char* path = std::getenv("PATH");
    env_strings.push_back("PREFIX=" + target.write_dir);
    env_strings.push_back("PKG_NAME=" + package.name);
    env_strings.push_back("PKG_VERSION=" + package.version);
    env_strings.push_back("PKG_BUILDNUM=" + std::to_string(package.build_number));
    env_strings.push_back("PATH=" + target.write_dir + "/bin:" +
                          (path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin"));
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::string shell = "/bin/sh";
    std::string script_arg = script;
    std::vector<char*> argv = {shell.data(), script_arg.data(), nullptr};

    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        return detail::io_error(script, std::strerror(errno));
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 1);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], 2);
    pid_t pid = 0;
    const int spawned = ::posix_spawn(&pid, shell.c_str(), &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    if (spawned != 0) {
        ::close(pipe_fds[0]);
        return detail::io_error(shell, std::strerror(spawned));
    }
    std::string pending;
    char buffer[4096];
    while (true) {
        const auto n = ::read(pipe_fds[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline = 0;
        while ((newline = pending.find('\n')) != std::string::npos) {
            reporter.on_log_line("install", pending.substr(0, newline));
            pending.erase(0, newline + 1);
        }
    }
    if (!pending.empty()) {
        reporter.on_log_line("install", pending);
    }
    ::close(pipe_fds[0]);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            return detail::io_error(script, std::strerror(errno));
        }
    }
    return status;
}

/// Runs or skips one link script (`kind` is "pre-link" or "post-link") if the package has it.
core::Status handle_script(const stdfs::path& script, const PackageRecordInfo& package,
                           const PrefixTarget& target, const LinkOptions& options,
                           core::Reporter& reporter) {
    std::error_code ec;
    if (!stdfs::is_regular_file(script, ec)) {
        return {};
    }
    const auto name = script.filename().string();
    const auto dist = dist_name(package);
    if (options.scripts == LinkScripts::skip) {
        std::vector<core::MessageArg> args = {{"script", name}, {"package", dist}};
        const auto text = detail::fill("did not run `{script}` of `{package}`: link scripts are off", args);
        reporter.on_warning("install.link.script_skipped", text, args);
        return {};
    }
    auto status = run_script(script.string(), package, target, reporter);
    if (!status) {
        return std::move(status).error();
    }
    if (!WIFEXITED(*status) || WEXITSTATUS(*status) != 0) {
        const auto how = WIFEXITED(*status) ? fmt::format("exit code {}", WEXITSTATUS(*status))
                                            : fmt::format("signal {}", WTERMSIG(*status));
        return detail::link_error(core::ErrorCode::invalid_input, "install.link.script_failed",
                                  "`{script}` of `{package}` failed ({status})",
                                  {{"script", name}, {"package", dist}, {"status", how}});
    }
    return {};
}

struct EntryPoint {
    std::string command;
    std::string module;
    std::string function;  // may be dotted: object.method
};

std::optional<EntryPoint> parse_entry_point(std::string_view text) {
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) {
        return std::nullopt;
    }
    EntryPoint out;
    out.command = std::string(core::trim(text.substr(0, eq)));
    auto target = core::trim(text.substr(eq + 1));
    if (const auto bracket = target.find('['); bracket != std::string_view::npos) {
        target = core::trim(target.substr(0, bracket));  // extras do not change the launcher
    }
    const auto colon = target.find(':');
    if (colon == std::string_view::npos) {
        return std::nullopt;
    }
    out.module = std::string(core::trim(target.substr(0, colon)));
    out.function = std::string(core::trim(target.substr(colon + 1)));
    const auto name_ok = [](std::string_view s, bool dots) {
        return !s.empty() && std::all_of(s.begin(), s.end(), [dots](char c) {
            return core::is_ascii_alnum(c) || c == '_' || (dots && c == '.');
        });
    };
    if (out.command.empty() || out.command.find('/') != std::string::npos || out.command == "." ||
        out.command == ".." || out.command.find(' ') != std::string::npos ||
        !name_ok(out.module, true) || !name_ok(out.function, true)) {
        return std::nullopt;
    }
    return out;
}

std::string entry_point_script(const EntryPoint& point, const std::string& python) {
    const auto dot = point.function.find('.');
    const auto imported = point.function.substr(0, dot);
    return shorten_long_shebang(fmt::format(
        "#!{python}\n"
        "# -*- coding: utf-8 -*-\n"
        "# Entry point `{command}` written by envsmith.\n"
        "import re\n"
        "import sys\n"
        "\n"
        "from {module} import {imported}\n"
        "\n"
        "if __name__ == \"__main__\":\n"
        "    sys.argv[0] = re.sub(r\"(-script\\.pyw?|\\.exe)?$\", \"\", sys.argv[0])\n"
        "    sys.exit({function}())\n",
        fmt::arg("python", python), fmt::arg("command", point.command),
        fmt::arg("module", point.module), fmt::arg("imported", imported),
        fmt::arg("function", point.function)));
}

std::string join_path(const std::string& base, const std::string& relative) {
    if (base.empty()) {
        return relative;
    }
    return base.back() == '/' ? base + relative : base + "/" + relative;
}

/// Where a package path goes in the prefix: noarch python moves site-packages/ and
/// python-scripts/.
std::string target_path(const std::string& path, const PackageContents& contents,
                        const LinkOptions& options) {
    if (!contents.noarch_python || !options.python) {
        return path;
    }
    if (path.starts_with("site-packages/")) {
        return join_path(options.python->site_packages, path.substr(std::string_view("site-packages/").size()));
    }
    if (path.starts_with("python-scripts/")) {
        return "bin/" + path.substr(std::string_view("python-scripts/").size());
    }
    return path;
}

class Linker {
public:
    Linker(const std::string& extracted_dir, const PackageRecordInfo& package, const PrefixTarget& target,
           const LinkOptions& options, PrefixFiles& owners, core::Reporter& reporter)
        : m_dir(extracted_dir), m_package(package), m_target(target), m_options(options),
          m_owners(owners), m_reporter(reporter), m_dist(dist_name(package)) {}

    core::Result<LinkedPackage> run() {
        auto contents = read_package_contents(m_dir);
        if (!contents) {
            return std::move(contents).error();
        }
        if (contents->noarch_python && !m_options.python) {
            return detail::link_error(core::ErrorCode::invalid_input,
                                      "install.link.noarch_python_without_python",
                                      "`{package}` is a noarch python package, but the prefix has no Python to link it for",
                                      {{"package", m_dist}});
        }
        std::vector<EntryPoint> entry_points;
        for (const auto& text : contents->entry_points) {
            auto point = parse_entry_point(text);
            if (!point) {
                return detail::link_error(core::ErrorCode::invalid_input, "install.link.entry_point_invalid",
                                          "`{package}` declares the entry point `{entry_point}`, which is not `name = module:function`",
                                          {{"entry_point", text}, {"package", m_dist}});
            }
            entry_points.push_back(std::move(*point));
        }
        auto pre = handle_script(stdfs::path(m_dir) / "bin" / ("." + m_package.name + "-pre-link.sh"),
                                 m_package, m_target, m_options, m_reporter);
        if (!pre) {
            return std::move(pre).error();
        }
        for (const auto& entry : contents->paths) {
            auto linked = link_one(entry, target_path(entry.path, *contents, m_options));
            if (!linked) {
                return std::move(linked).error();
            }
        }
        for (const auto& point : entry_points) {
            auto written = write_entry_point(point);
            if (!written) {
                return std::move(written).error();
            }
        }
        auto post = handle_script(stdfs::path(m_target.write_dir) / "bin" /
                                      ("." + m_package.name + "-post-link.sh"),
                                  m_package, m_target, m_options, m_reporter);
        if (!post) {
            return std::move(post).error();
        }

        auto& record = m_result.record;
        record.package = m_package;
        if (contents->noarch_python && record.package.noarch.empty()) {
            record.package.noarch = "python";
        }
        record.extracted_package_dir = m_options.cache_paths == CachePaths::record ? m_dir : std::string();
        record.requested_spec = m_options.requested_spec;
        record.link_type = m_options.mode == LinkMode::hardlink_or_copy && m_result.hardlinked > 0
                               ? RecordedLinkType::hardlink
                               : RecordedLinkType::copy;
        std::sort(record.paths.begin(), record.paths.end(),
                  [](const PathRecord& a, const PathRecord& b) { return a.path < b.path; });
        auto written = write_prefix_record(m_target.write_dir, record);
        if (!written) {
            return std::move(written).error();
        }
        m_result.record_path = std::move(written).value();
        return std::move(m_result);
    }

private:
    core::Status claim(const std::string& path) {
        auto previous = m_owners.claim(path, m_dist);
        if (!previous) {
            return {};
        }
        std::vector<core::MessageArg> args = {{"path", path}, {"package", m_dist}, {"owner", *previous}};
        constexpr std::string_view english = "`{package}` and `{owner}` both install `{path}`";
        if (m_options.clobber == ClobberPolicy::error) {
            m_owners.claim(path, *previous);  // the earlier package keeps it
            return detail::link_error(core::ErrorCode::conflict, "conda.clobber", english, std::move(args));
        }
        const auto text = detail::fill(english, args);
        m_reporter.on_warning("conda.clobber", text, args);
        m_result.clobbered.push_back(path);
        return {};
    }

    core::Status prepare_destination(const stdfs::path& destination) {
        std::error_code ec;
        stdfs::create_directories(destination.parent_path(), ec);
        if (ec) {
            return detail::io_error(destination.parent_path().string(), ec.message());
        }
        return clear_destination(destination);
    }

    core::Status link_one(const PathEntry& entry, const std::string& relative) {
        const stdfs::path source = stdfs::path(m_dir) / entry.path;
        const stdfs::path destination = stdfs::path(m_target.write_dir) / relative;
        PathRecord record;
        record.path = relative;
        record.path_type = std::string(path_type_name(entry.type));
        record.sha256 = entry.sha256;
        record.size_in_bytes = entry.size_in_bytes;
        record.no_link = entry.no_link;

        std::error_code ec;
        const auto status = stdfs::symlink_status(source, ec);
        if (ec || !stdfs::exists(status)) {
            return detail::link_error(core::ErrorCode::not_found, "install.link.source_missing",
                                      "`{package_dir}` lists `{path}`, but the file is not there",
                                      {{"path", entry.path}, {"package_dir", m_dir}});
        }
        if (entry.type == PathType::directory) {
            stdfs::create_directories(destination, ec);
            if (ec) {
                return detail::io_error(destination.string(), ec.message());
            }
            m_result.record.paths.push_back(std::move(record));
            return {};
        }
        if (auto claimed = claim(relative); !claimed) {
            return claimed;
        }
        if (auto prepared = prepare_destination(destination); !prepared) {
            return prepared;
        }
        if (stdfs::is_symlink(status)) {
            const auto link_target = stdfs::read_symlink(source, ec);
            if (!ec) {
                stdfs::create_symlink(link_target, destination, ec);
            }
            if (ec) {
                return detail::io_error(destination.string(), ec.message());
            }
            record.path_type = "softlink";
            ++m_result.symlinks;
            m_result.record.paths.push_back(std::move(record));
            return {};
        }
        const auto mode = static_cast<mode_t>(status.permissions() & stdfs::perms::mask);
        if (!entry.prefix_placeholder.empty()) {
            auto content = read_whole(source.string());
            if (!content) {
                return std::move(content).error();
            }
            std::string replaced;
            if (entry.file_mode == FileMode::binary) {
                auto binary = replace_prefix_binary(*content, entry.prefix_placeholder, m_target.prefix_path,
                                                    relative);
                if (!binary) {
                    return std::move(binary).error();
                }
                replaced = std::move(binary).value();
            } else {
                replaced = replace_prefix_text(*content, entry.prefix_placeholder, m_target.prefix_path);
            }
            if (auto written = write_new_file(destination.string(), replaced, mode); !written) {
                return written;
            }
            if (record.sha256.empty()) {
                record.sha256 = core::sha256(*content).hex;
            }
            record.sha256_in_prefix = core::sha256(replaced).hex;
            record.size_in_bytes = replaced.size();
            record.file_mode = entry.file_mode == FileMode::binary ? "binary" : "text";
            record.prefix_placeholder = entry.prefix_placeholder;
            ++m_result.rewritten;
            m_result.record.paths.push_back(std::move(record));
            return {};
        }
        const bool may_link = m_options.mode == LinkMode::hardlink_or_copy && !entry.no_link &&
                              entry.type == PathType::hardlink;
        bool linked = false;
        if (may_link) {
            stdfs::create_hard_link(source, destination, ec);
            linked = !ec;
        }
        if (!linked) {
            stdfs::copy_file(source, destination, stdfs::copy_options::overwrite_existing, ec);
            if (ec) {
                return detail::io_error(destination.string(), ec.message());
            }
            ++m_result.copied;
        } else {
            ++m_result.hardlinked;
        }
        if (record.sha256.empty() || record.size_in_bytes == 0) {
            auto content = read_whole(source.string());
            if (!content) {
                return std::move(content).error();
            }
            if (record.sha256.empty()) {
                record.sha256 = core::sha256(*content).hex;
            }
            record.size_in_bytes = content->size();
        }
        m_result.record.paths.push_back(std::move(record));
        return {};
    }

    core::Status write_entry_point(const EntryPoint& point) {
        const auto relative = "bin/" + point.command;
        const stdfs::path destination = stdfs::path(m_target.write_dir) / relative;
        if (auto claimed = claim(relative); !claimed) {
            return claimed;
        }
        if (auto prepared = prepare_destination(destination); !prepared) {
            return prepared;
        }
        const auto script = entry_point_script(point, join_path(m_target.prefix_path, m_options.python->executable));
        if (auto written = write_new_file(destination.string(), script, 0755); !written) {
            return written;
        }
        PathRecord record;
        record.path = relative;
        record.path_type = "unix_python_entry_point";
        record.sha256_in_prefix = core::sha256(script).hex;
        record.size_in_bytes = script.size();
        ++m_result.generated;
        m_result.record.paths.push_back(std::move(record));
        return {};
    }

    const std::string& m_dir;
    const PackageRecordInfo& m_package;
    const PrefixTarget& m_target;
    const LinkOptions& m_options;
    PrefixFiles& m_owners;
    core::Reporter& m_reporter;
    std::string m_dist;
    LinkedPackage m_result;
};

}  // namespace

core::Result<LinkedPackage> link_package(const std::string& extracted_dir, const PackageRecordInfo& package,
                                         const PrefixTarget& target, const LinkOptions& options,
                                         PrefixFiles& owners, core::Reporter& reporter) {
    return Linker(extracted_dir, package, target, options, owners, reporter).run();
}

}  // namespace envsmith::install
