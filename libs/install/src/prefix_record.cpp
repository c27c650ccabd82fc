#include "envsmith/install/prefix_record.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "envsmith/install/link.hpp"
#include "link_detail.hpp"

namespace envsmith::install {

namespace stdfs = std::filesystem;
using nlohmann::json;

namespace {

std::vector<std::string> string_list(const json& value) {
    std::vector<std::string> out;
    if (value.is_array()) {
        for (const auto& item : value) {
            if (item.is_string()) {
                out.push_back(item.get<std::string>());
            }
        }
    }
    return out;
}

std::string string_or_empty(const json& object, const char* key) {
    const auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Writes `content` to `path` through a temporary file and a rename.
core::Status write_whole_file(const std::string& path, const std::string& content) {
    const auto temporary = path + ".envsmith-tmp";
    {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out) {
            return detail::io_error(temporary, std::strerror(errno));
        }
        out << content;
        out.flush();
        if (!out) {
            return detail::io_error(temporary, std::strerror(errno));
        }
    }
    std::error_code ec;
    stdfs::rename(temporary, path, ec);
    if (ec) {
        return detail::io_error(path, ec.message());
    }
    return {};
}

}  // namespace

core::Result<PackageRecordInfo> read_package_record(const std::string& extracted_dir) {
    const auto file = (stdfs::path(extracted_dir) / "info" / "index.json").string();
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return detail::link_error(core::ErrorCode::not_found, "install.link.metadata_missing",
                                  "`{package_dir}` is not an extracted conda package: `{file}` is missing",
                                  {{"package_dir", extracted_dir}, {"file", "info/index.json"}});
    }
    const json index = json::parse(in, nullptr, false);
    if (index.is_discarded() || !index.is_object()) {
        return detail::link_error(core::ErrorCode::invalid_input, "install.link.metadata_invalid",
                                  "cannot read `{file}`: {detail}",
                                  {{"file", file}, {"detail", "not a JSON object"}});
    }
    PackageRecordInfo record;
    record.name = string_or_empty(index, "name");
    record.version = string_or_empty(index, "version");
    record.build = string_or_empty(index, "build");
    if (record.name.empty() || record.version.empty() || record.build.empty()) {
        return detail::link_error(core::ErrorCode::invalid_input, "install.link.metadata_invalid",
                                  "cannot read `{file}`: {detail}",
                                  {{"file", file}, {"detail", "name, version or build missing"}});
    }
    if (const auto it = index.find("build_number"); it != index.end() && it->is_number_unsigned()) {
        record.build_number = it->get<std::uint64_t>();
    }
    record.subdir = string_or_empty(index, "subdir");
    record.depends = string_list(index.value("depends", json::array()));
    record.constrains = string_list(index.value("constrains", json::array()));
    if (const auto it = index.find("track_features"); it != index.end()) {
        if (it->is_string()) {
            std::string word;
            for (const char c : it->get<std::string>() + " ") {
                if (c == ' ' || c == ',') {
                    if (!word.empty()) {
                        record.track_features.push_back(std::move(word));
                    }
                    word.clear();
                } else {
                    word += c;
                }
            }
        } else {
            record.track_features = string_list(*it);
        }
    }
    if (const auto it = index.find("noarch"); it != index.end()) {
        if (it->is_string()) {
            record.noarch = it->get<std::string>();
        } else if (it->is_boolean() && it->get<bool>()) {
            record.noarch = "generic";  // the old boolean form
        }
    }
    record.license = string_or_empty(index, "license");
    record.license_family = string_or_empty(index, "license_family");
    if (const auto it = index.find("timestamp"); it != index.end() && it->is_number_unsigned()) {
        record.timestamp = it->get<std::uint64_t>();
    }
    return record;
}

std::string dist_name(const PackageRecordInfo& record) {
    return record.name + "-" + record.version + "-" + record.build;
}

std::string prefix_record_json(const PrefixRecord& record) {
    const auto& p = record.package;
    json out = json::object();
    out["name"] = p.name;
    out["version"] = p.version;
    out["build"] = p.build;
    out["build_number"] = p.build_number;
    out["channel"] = p.channel;
    out["subdir"] = p.subdir;
    out["url"] = p.url;
    out["fn"] = p.fn;
    if (!p.md5.empty()) {
        out["md5"] = p.md5;
    }
    if (!p.sha256.empty()) {
        out["sha256"] = p.sha256;
    }
    out["size"] = p.size;
    out["depends"] = p.depends;
    out["constrains"] = p.constrains;
    if (!p.track_features.empty()) {
        out["track_features"] = fmt::format("{}", fmt::join(p.track_features, " "));
    }
    if (!p.noarch.empty()) {
        out["noarch"] = p.noarch;
        out["package_type"] = "noarch_" + p.noarch;
    }
    out["license"] = p.license;
    if (!p.license_family.empty()) {
        out["license_family"] = p.license_family;
    }
    if (p.timestamp != 0) {
        out["timestamp"] = p.timestamp;
    }
    out["package_tarball_full_path"] = p.package_tarball_full_path;
    out["extracted_package_dir"] = record.extracted_package_dir;
    out["requested_spec"] = record.requested_spec;
    out["link"] = {{"source", record.extracted_package_dir},
                   {"type", static_cast<int>(record.link_type)}};
    json files = json::array();
    json paths = json::array();
    for (const auto& path : record.paths) {
        files.push_back(path.path);
        json entry = {{"_path", path.path}, {"path_type", path.path_type}};
        if (!path.sha256.empty()) {
            entry["sha256"] = path.sha256;
        }
        if (!path.sha256_in_prefix.empty()) {
            entry["sha256_in_prefix"] = path.sha256_in_prefix;
        }
        entry["size_in_bytes"] = path.size_in_bytes;
        if (!path.file_mode.empty()) {
            entry["file_mode"] = path.file_mode;
        }
        if (!path.prefix_placeholder.empty()) {
            entry["prefix_placeholder"] = path.prefix_placeholder;
        }
        if (path.no_link) {
            entry["no_link"] = true;
        }
        paths.push_back(std::move(entry));
    }
    out["files"] = std::move(files);
    out["paths_data"] = {{"paths_version", 1}, {"paths", std::move(paths)}};
    return out.dump(2) + "\n";
}

core::Result<std::string> write_prefix_record(const std::string& write_dir, const PrefixRecord& record) {
    const auto meta = stdfs::path(write_dir) / "conda-meta";
    std::error_code ec;
    stdfs::create_directories(meta, ec);
    if (ec) {
        return detail::io_error(meta.string(), ec.message());
    }
    const auto path = (meta / (dist_name(record.package) + ".json")).string();
    auto written = write_whole_file(path, prefix_record_json(record));
    if (!written) {
        return std::move(written).error();
    }
    return path;
}

core::Result<PrefixFiles> PrefixFiles::from_prefix(const std::string& write_dir) {
    PrefixFiles owners;
    const auto meta = stdfs::path(write_dir) / "conda-meta";
    std::error_code ec;
    if (!stdfs::is_directory(meta, ec)) {
        return owners;
    }
    std::vector<stdfs::path> records;
    for (const auto& entry : stdfs::directory_iterator(meta, ec)) {
        if (entry.path().extension() == ".json") {
            records.push_back(entry.path());
        }
    }
    std::sort(records.begin(), records.end());
    for (const auto& path : records) {
        std::ifstream in(path, std::ios::binary);
        const json record = json::parse(in, nullptr, false);
        const auto bad = [&](const char* why) {
            return detail::link_error(core::ErrorCode::invalid_input, "install.link.metadata_invalid",
                                      "cannot read `{file}`: {detail}",
                                      {{"file", path.string()}, {"detail", why}});
        };
        if (record.is_discarded() || !record.is_object()) {
            return bad("not a JSON object");
        }
        PackageRecordInfo info;
        info.name = string_or_empty(record, "name");
        info.version = string_or_empty(record, "version");
        info.build = string_or_empty(record, "build");
        if (info.name.empty() || info.version.empty() || info.build.empty()) {
            return bad("name, version or build missing");
        }
        const auto owner = dist_name(info);
        for (const auto& file : string_list(record.value("files", json::array()))) {
            owners.claim(file, owner);
        }
    }
    return owners;
}

core::Status append_history(const std::string& write_dir, const std::vector<PackageRecordInfo>& linked,
                            const std::string& command, std::chrono::system_clock::time_point when) {
    const auto meta = stdfs::path(write_dir) / "conda-meta";
    std::error_code ec;
    stdfs::create_directories(meta, ec);
    if (ec) {
        return detail::io_error(meta.string(), ec.message());
    }
    const auto time = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&time, &utc);
    std::string text = fmt::format("==> {:04}-{:02}-{:02} {:02}:{:02}:{:02} <==\n", utc.tm_year + 1900,
                                   utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
    text += "# cmd: " + command + "\n";
    for (const auto& package : linked) {
        text += "+";
        if (!package.channel.empty()) {
            text += package.channel + "::";
        }
        text += dist_name(package) + "\n";
    }
    const auto path = (meta / "history").string();
    std::ofstream out(path, std::ios::binary | std::ios::app);
    if (!out) {
        return detail::io_error(path, std::strerror(errno));
    }
    out << text;
    out.flush();
    if (!out) {
        return detail::io_error(path, std::strerror(errno));
    }
    return {};
}

}  // namespace envsmith::install
