// Reading what an extracted conda package says about its files: info/paths.json, or the older
// info/files + info/has_prefix + info/no_link, plus info/index.json and info/link.json for
// noarch python packages.

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "envsmith/core/text.hpp"
#include "envsmith/install/link.hpp"
#include "link_detail.hpp"

namespace envsmith::install {

namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

/// The build prefix conda-build used before paths.json existed; has_prefix lines with only a
/// path mean this placeholder in text mode.
constexpr std::string_view legacy_placeholder = "/opt/anaconda1anaconda2anaconda3";

bool read_text(const stdfs::path& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return false;
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    out = buffer.str();
    return true;
}

core::Error invalid(const stdfs::path& file, std::string detail) {
    return detail::link_error(core::ErrorCode::invalid_input, "install.link.metadata_invalid",
                              "cannot read `{file}`: {detail}",
                              {{"file", file.string()}, {"detail", std::move(detail)}});
}

/// Loads a JSON file that may be absent (`null` then); a present but unreadable one fails.
core::Result<json> load_json(const stdfs::path& path) {
    std::string text;
    if (!read_text(path, text)) {
        return json();
    }
    json value = json::parse(text, nullptr, false);
    if (value.is_discarded() || !value.is_object()) {
        return invalid(path, "not a JSON object");
    }
    return value;
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    for (const auto line : core::split(text, '\n')) {
        const auto trimmed = core::trim(line);
        if (!trimmed.empty()) {
            out.emplace_back(trimmed);
        }
    }
    return out;
}

/// Splits a has_prefix line into words; double or single quotes group words with spaces.
std::vector<std::string> words_of(std::string_view line) {
    std::vector<std::string> out;
    std::string word;
    bool in_word = false;
    char quote = 0;
    for (const char c : line) {
        if (quote != 0) {
            if (c == quote) {
                quote = 0;
            } else {
                word += c;
            }
        } else if (c == '"' || c == '\'') {
            quote = c;
            in_word = true;
        } else if (c == ' ' || c == '\t') {
            if (in_word) {
                out.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
        } else {
            word += c;
            in_word = true;
        }
    }
    if (in_word) {
        out.push_back(std::move(word));
    }
    return out;
}

bool is_safe_relative(std::string_view path) {
    if (path.empty() || path.front() == '/' || path.find('\\') != std::string_view::npos) {
        return false;
    }
    for (const auto part : core::split(path, '/')) {
        if (part == "..") {
            return false;
        }
    }
    return true;
}

core::Result<std::vector<PathEntry>> read_paths_json(const stdfs::path& file, const json& doc) {
    const auto paths = doc.find("paths");
    if (paths == doc.end() || !paths->is_array()) {
        return invalid(file, "no `paths` list");
    }
    if (const auto version = doc.find("paths_version");
        version != doc.end() && (!version->is_number_integer() || version->get<int>() != 1)) {
        return invalid(file, "unsupported paths_version " + version->dump());
    }
    std::vector<PathEntry> out;
    out.reserve(paths->size());
    for (const auto& item : *paths) {
        if (!item.is_object() || !item.contains("_path") || !item["_path"].is_string()) {
            return invalid(file, "an entry without `_path`");
        }
        PathEntry entry;
        entry.path = item["_path"].get<std::string>();
        const auto type = item.value("path_type", std::string("hardlink"));
        if (type == "hardlink") {
            entry.type = PathType::hardlink;
        } else if (type == "softlink") {
            entry.type = PathType::softlink;
        } else if (type == "directory") {
            entry.type = PathType::directory;
        } else {
            return invalid(file, "unknown path_type `" + type + "` of `" + entry.path + "`");
        }
        if (const auto it = item.find("prefix_placeholder"); it != item.end() && it->is_string()) {
            entry.prefix_placeholder = it->get<std::string>();
        }
        if (const auto it = item.find("file_mode"); it != item.end() && it->is_string()) {
            const auto mode = it->get<std::string>();
            if (mode == "text") {
                entry.file_mode = FileMode::text;
            } else if (mode == "binary") {
                entry.file_mode = FileMode::binary;
            } else {
                return invalid(file, "unknown file_mode `" + mode + "` of `" + entry.path + "`");
            }
        }
        if (!entry.prefix_placeholder.empty() && !entry.file_mode) {
            entry.file_mode = FileMode::text;
        }
        if (entry.prefix_placeholder.empty()) {
            entry.file_mode.reset();
        }
        if (const auto it = item.find("sha256"); it != item.end() && it->is_string()) {
            entry.sha256 = it->get<std::string>();
        }
        if (const auto it = item.find("size_in_bytes"); it != item.end() && it->is_number_unsigned()) {
            entry.size_in_bytes = it->get<std::uint64_t>();
        }
        if (const auto it = item.find("no_link"); it != item.end() && it->is_boolean()) {
            entry.no_link = it->get<bool>();
        }
        out.push_back(std::move(entry));
    }
    return out;
}

core::Result<std::vector<PathEntry>> read_legacy_files(const stdfs::path& dir) {
    const auto info = dir / "info";
    std::string files_text;
    if (!read_text(info / "files", files_text)) {
        return detail::link_error(
            core::ErrorCode::not_found, "install.link.metadata_missing",
            "`{package_dir}` is not an extracted conda package: `{file}` is missing",
            {{"package_dir", dir.string()}, {"file", "info/paths.json"}});
    }
    std::map<std::string, std::pair<std::string, FileMode>> prefixed;
    std::string has_prefix_text;
    if (read_text(info / "has_prefix", has_prefix_text)) {
        for (const auto& line : lines_of(has_prefix_text)) {
            auto words = words_of(line);
            if (words.size() == 1) {
                prefixed[words[0]] = {std::string(legacy_placeholder), FileMode::text};
            } else if (words.size() == 3 && (words[1] == "text" || words[1] == "binary")) {
                prefixed[words[2]] = {words[0], words[1] == "text" ? FileMode::text : FileMode::binary};
            } else {
                return invalid(info / "has_prefix", "cannot read the line `" + line + "`");
            }
        }
    }
    std::set<std::string> no_link;
    std::string no_link_text;
    if (read_text(info / "no_link", no_link_text)) {
        for (auto& line : lines_of(no_link_text)) {
            no_link.insert(std::move(line));
        }
    }
    std::vector<PathEntry> out;
    for (const auto& path : lines_of(files_text)) {
        PathEntry entry;
        entry.path = path;
        std::error_code ec;
        const auto status = stdfs::symlink_status(dir / path, ec);
        if (!ec && stdfs::is_symlink(status)) {
            entry.type = PathType::softlink;
        } else if (!ec && stdfs::is_directory(status)) {
            entry.type = PathType::directory;
        } else if (!ec && stdfs::is_regular_file(status)) {
            entry.size_in_bytes = stdfs::file_size(dir / path, ec);
        }
        if (const auto it = prefixed.find(path); it != prefixed.end()) {
            entry.prefix_placeholder = it->second.first;
            entry.file_mode = it->second.second;
        }
        entry.no_link = no_link.contains(path);
        out.push_back(std::move(entry));
    }
    return out;
}

}  // namespace

core::Result<PackageContents> read_package_contents(const std::string& extracted_dir) {
    const stdfs::path dir(extracted_dir);
    const auto info = dir / "info";
    PackageContents contents;

    auto paths_json = load_json(info / "paths.json");
    if (!paths_json) {
        return std::move(paths_json).error();
    }
    if (paths_json->is_null()) {
        auto legacy = read_legacy_files(dir);
        if (!legacy) {
            return std::move(legacy).error();
        }
        contents.paths = std::move(legacy).value();
    } else {
        auto entries = read_paths_json(info / "paths.json", *paths_json);
        if (!entries) {
            return std::move(entries).error();
        }
        contents.paths = std::move(entries).value();
    }
    for (const auto& entry : contents.paths) {
        if (!is_safe_relative(entry.path)) {
            return detail::link_error(core::ErrorCode::invalid_input, "install.link.unsafe_path",
                                      "`{package_dir}` lists the path `{path}`, which leaves the prefix",
                                      {{"package_dir", extracted_dir}, {"path", entry.path}});
        }
    }

    auto index = load_json(info / "index.json");
    if (!index) {
        return std::move(index).error();
    }
    if (index->is_object()) {
        const auto noarch = index->find("noarch");
        if (noarch != index->end() && noarch->is_string() && noarch->get<std::string>() == "python") {
            contents.noarch_python = true;
        }
    }
    auto link = load_json(info / "link.json");
    if (!link) {
        return std::move(link).error();
    }
    if (link->is_object()) {
        const auto noarch = link->find("noarch");
        if (noarch != link->end() && noarch->is_object()) {
            if (noarch->value("type", std::string()) == "python") {
                contents.noarch_python = true;
            }
            if (const auto points = noarch->find("entry_points");
                points != noarch->end() && points->is_array()) {
                for (const auto& point : *points) {
                    if (!point.is_string()) {
                        return invalid(info / "link.json", "an entry point that is not a string");
                    }
                    contents.entry_points.push_back(point.get<std::string>());
                }
            }
        }
    }
    return contents;
}

}  // namespace envsmith::install
