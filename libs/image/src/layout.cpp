#include "envsmith/image/layout.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "json_common.hpp"

namespace envsmith::image {

namespace {

namespace stdfs = std::filesystem;

constexpr std::string_view oci_layout_json = R"({"imageLayoutVersion":"1.0.0"})";

core::Error io_error(const std::string& path, const std::string& detail) {
    return core::make_error(core::ErrorCode::unavailable, "image.layout.io",
                            fmt::format("cannot access `{}`: {}", path, detail))
        .arg("path", path)
        .arg("detail", detail);
}

core::Error invalid_layout(const std::string& path, const std::string& detail) {
    return core::make_error(core::ErrorCode::invalid_input, "image.layout.invalid",
                            fmt::format("`{}` is not an OCI image layout: {}", path, detail))
        .arg("path", path)
        .arg("detail", detail);
}

core::Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return io_error(path, std::strerror(errno));
    }
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

/// Writes a file through a temporary sibling and a rename, so readers see old or new.
core::Status write_file_atomic(const std::string& path, std::string_view bytes) {
    std::string temp = path + ".tmp-XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return io_error(path, std::strerror(errno));
    }
    std::size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            const std::string detail = std::strerror(errno);
            ::close(fd);
            ::unlink(temp.c_str());
            return io_error(path, detail);
        }
        done += static_cast<std::size_t>(n);
    }
    // Blobs and index.json are read by other tools: world-readable like any file in a layout.
    ::fchmod(fd, 0644);
    if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
        const std::string detail = std::strerror(errno);
        ::unlink(temp.c_str());
        return io_error(path, detail);
    }
    return {};
}

core::Status check_layout(const std::string& dir) {
    auto text = read_file(dir + "/oci-layout");
    if (!text) {
        return invalid_layout(dir, "no readable `oci-layout` file");
    }
    if (text->find("imageLayoutVersion") == std::string::npos) {
        return invalid_layout(dir, "`oci-layout` has no imageLayoutVersion");
    }
    return {};
}

}  // namespace

core::Result<Layout> Layout::open_or_create(const std::string& dir) {
    std::error_code ec;
    // An existing directory with other content and no `oci-layout` is not ours to take over.
    if (stdfs::is_directory(dir, ec) && !stdfs::exists(dir + "/oci-layout", ec) &&
        !stdfs::is_empty(dir, ec)) {
        return invalid_layout(dir, "no `oci-layout` file, and the directory is not empty");
    }
    stdfs::create_directories(dir + "/blobs/sha256", ec);
    if (ec) {
        return io_error(dir, ec.message());
    }
    if (!stdfs::exists(dir + "/oci-layout")) {
        if (auto status = write_file_atomic(dir + "/oci-layout", oci_layout_json); !status) {
            return std::move(status).error();
        }
    }
    if (!stdfs::exists(dir + "/index.json")) {
        Layout layout(dir);
        if (auto status = layout.write_index(ImageIndex{}); !status) {
            return std::move(status).error();
        }
    }
    return open(dir);
}

core::Result<Layout> Layout::open(const std::string& dir) {
    std::error_code ec;
    if (!stdfs::is_directory(dir, ec)) {
        return core::make_error(core::ErrorCode::not_found, "image.layout.missing",
                                fmt::format("no OCI image layout at `{}`", dir))
            .arg("path", dir);
    }
    if (auto status = check_layout(dir); !status) {
        return std::move(status).error();
    }
    if (!stdfs::is_regular_file(dir + "/index.json", ec)) {
        return invalid_layout(dir, "no `index.json`");
    }
    if (!stdfs::is_directory(dir + "/blobs/sha256", ec)) {
        stdfs::create_directories(dir + "/blobs/sha256", ec);
        if (ec) {
            return io_error(dir + "/blobs/sha256", ec.message());
        }
    }
    return Layout(dir);
}

std::string Layout::blob_path(const core::Digest& digest) const {
    return fmt::format("{}/blobs/{}/{}", m_dir, core::algorithm_name(digest.algorithm), digest.hex);
}

bool Layout::has_blob(const core::Digest& digest) const {
    struct stat st {};
    return ::stat(blob_path(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

core::Result<Descriptor> Layout::write_blob(std::string_view media_type, std::string_view bytes) {
    auto descriptor = describe_bytes(media_type, bytes);
    if (!has_blob(descriptor.digest)) {
        if (auto status = write_file_atomic(blob_path(descriptor.digest), bytes); !status) {
            return std::move(status).error();
        }
    }
    return descriptor;
}

core::Result<std::string> Layout::temp_blob_path() {
    std::string temp = m_dir + "/blobs/sha256/.tmp-XXXXXX";
    const int fd = ::mkstemp(temp.data());
    if (fd < 0) {
        return io_error(temp, std::strerror(errno));
    }
    ::fchmod(fd, 0644);
    ::close(fd);
    return temp;
}

core::Status Layout::commit_blob_file(const std::string& temp_path, const core::Digest& digest) {
    if (has_blob(digest)) {
        ::unlink(temp_path.c_str());
        return {};
    }
    const auto target = blob_path(digest);
    if (::rename(temp_path.c_str(), target.c_str()) != 0) {
        const std::string detail = std::strerror(errno);
        ::unlink(temp_path.c_str());
        return io_error(target, detail);
    }
    return {};
}

core::Status Layout::copy_blob_from(const Layout& other, const core::Digest& digest) {
    if (has_blob(digest)) {
        return {};
    }
    const auto source = other.blob_path(digest);
    if (!other.has_blob(digest)) {
        return core::make_error(
                   core::ErrorCode::not_found, "image.blob.missing",
                   fmt::format("blob {} is missing from `{}`", digest.to_string(), other.dir()))
            .arg("digest", digest.to_string())
            .arg("layout", other.dir());
    }
    auto temp = temp_blob_path();
    if (!temp) {
        return std::move(temp).error();
    }
    // A hard link is free when both layouts share a filesystem; otherwise copy.
    ::unlink(temp->c_str());
    if (::link(source.c_str(), temp->c_str()) != 0) {
        std::error_code ec;
        stdfs::copy_file(source, *temp, stdfs::copy_options::overwrite_existing, ec);
        if (ec) {
            ::unlink(temp->c_str());
            return io_error(source, ec.message());
        }
    }
    return commit_blob_file(*temp, digest);
}

core::Result<std::uint64_t> Layout::blob_size(const core::Digest& digest) const {
    struct stat st {};
    if (::stat(blob_path(digest).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
        return core::make_error(
                   core::ErrorCode::not_found, "image.blob.missing",
                   fmt::format("blob {} is missing from `{}`", digest.to_string(), m_dir))
            .arg("digest", digest.to_string())
            .arg("layout", m_dir);
    }
    return static_cast<std::uint64_t>(st.st_size);
}

core::Result<std::string> Layout::read_blob(const core::Digest& digest,
                                            std::uint64_t max_bytes) const {
    const auto path = blob_path(digest);
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return core::make_error(
                   core::ErrorCode::not_found, "image.blob.missing",
                   fmt::format("blob {} is missing from `{}`", digest.to_string(), m_dir))
            .arg("digest", digest.to_string())
            .arg("layout", m_dir);
    }
    if (static_cast<std::uint64_t>(st.st_size) > max_bytes) {
        return core::make_error(
                   core::ErrorCode::invalid_input, "image.blob.too_large",
                   fmt::format("blob {} is larger than {} bytes", digest.to_string(), max_bytes))
            .arg("digest", digest.to_string())
            .arg("max_bytes", std::to_string(max_bytes));
    }
    auto bytes = read_file(path);
    if (!bytes) {
        return std::move(bytes).error();
    }
    const auto actual = core::sha256(*bytes);
    if (actual != digest) {
        return core::make_error(core::ErrorCode::invalid_input, "image.blob.digest_mismatch",
                                fmt::format("blob {} is damaged: its content has digest {}",
                                            digest.to_string(), actual.to_string()))
            .arg("digest", digest.to_string())
            .arg("actual", actual.to_string());
    }
    return bytes;
}

core::Result<ImageIndex> Layout::read_index() const {
    auto text = read_file(m_dir + "/index.json");
    if (!text) {
        return std::move(text).error();
    }
    auto index = parse_index(*text);
    if (!index) {
        return std::move(index).error().with_context(fmt::format("reading {}/index.json", m_dir));
    }
    return index;
}

core::Status Layout::write_index(const ImageIndex& index) {
    return write_file_atomic(m_dir + "/index.json", to_json(index));
}

core::Result<Descriptor> Layout::add_manifest(const Manifest& manifest, std::string_view tag) {
    auto descriptor = write_blob(manifest.media_type, to_json(manifest));
    if (!descriptor) {
        return descriptor;
    }
    if (auto status = list_under_tag(*descriptor, tag); !status) {
        return std::move(status).error();
    }
    return descriptor;
}

core::Result<Descriptor> Layout::add_manifest_bytes(std::string_view media_type, std::string_view bytes,
                                                    std::string_view tag) {
    auto manifest = parse_manifest(bytes);
    if (!manifest) {
        return std::move(manifest).error();
    }
    auto descriptor = write_blob(media_type.empty() ? std::string_view(manifest->media_type) : media_type, bytes);
    if (!descriptor) {
        return descriptor;
    }
    if (auto status = list_under_tag(*descriptor, tag); !status) {
        return std::move(status).error();
    }
    return descriptor;
}

core::Status Layout::list_under_tag(const Descriptor& descriptor, std::string_view tag) {
    auto index = read_index();
    if (!index) {
        return std::move(index).error();
    }
    auto& entries = index->manifests;
    const std::string key(ref_name_annotation);
    entries.erase(std::remove_if(entries.begin(), entries.end(),
                                 [&](const Descriptor& entry) {
                                     const auto it = entry.annotations.find(key);
                                     return it != entry.annotations.end() && it->second == tag;
                                 }),
                  entries.end());
    Descriptor entry = descriptor;
    entry.annotations[key] = std::string(tag);
    entries.push_back(std::move(entry));
    return write_index(*index);
}

core::Result<Descriptor> Layout::resolve(std::string_view tag_or_digest) const {
    auto index = read_index();
    if (!index) {
        return std::move(index).error();
    }
    const std::string key(ref_name_annotation);
    const auto as_digest = core::Digest::parse(tag_or_digest);
    for (const auto& entry : index->manifests) {
        if (as_digest ? entry.digest == *as_digest : [&] {
                const auto it = entry.annotations.find(key);
                return it != entry.annotations.end() && it->second == tag_or_digest;
            }()) {
            return entry;
        }
    }
    if (as_digest && has_blob(*as_digest)) {
        // A manifest that is present but not listed (e.g. one of an index's children).
        auto bytes = read_blob(*as_digest);
        if (bytes) {
            Descriptor found;
            found.digest = *as_digest;
            found.size = bytes->size();
            const auto value = nlohmann::json::parse(*bytes, nullptr, false);
            found.media_type = value.is_object()
                                   ? value.value("mediaType", std::string(media_type::oci_manifest))
                                   : std::string(media_type::oci_manifest);
            return found;
        }
    }
    return core::make_error(
               core::ErrorCode::not_found, "image.ref.not_found",
               fmt::format("`{}` is not in the image layout `{}`", tag_or_digest, m_dir))
        .arg("ref", std::string(tag_or_digest))
        .arg("layout", m_dir);
}

core::Result<Manifest> Layout::read_manifest(std::string_view tag_or_digest,
                                             const std::optional<Platform>& platform) const {
    auto descriptor = resolve(tag_or_digest);
    if (!descriptor) {
        return std::move(descriptor).error();
    }
    Descriptor current = std::move(descriptor).value();
    for (int depth = 0; depth < 4; ++depth) {
        auto bytes = read_blob(current.digest);
        if (!bytes) {
            return std::move(bytes).error();
        }
        if (!media_type::is_index(current.media_type)) {
            return parse_manifest(*bytes);
        }
        auto index = parse_index(*bytes);
        if (!index) {
            return std::move(index).error();
        }
        const Descriptor* chosen = nullptr;
        for (const auto& entry : index->manifests) {
            if (!platform ||
                (entry.platform && entry.platform->architecture == platform->architecture &&
                 entry.platform->os == platform->os &&
                 (platform->variant.empty() || entry.platform->variant == platform->variant))) {
                chosen = &entry;
                break;
            }
        }
        if (chosen == nullptr) {
            break;
        }
        current = *chosen;
    }
    return core::make_error(
               core::ErrorCode::not_found, "image.ref.not_found",
               fmt::format("`{}` is not in the image layout `{}`", tag_or_digest, m_dir))
        .arg("ref", std::string(tag_or_digest))
        .arg("layout", m_dir);
}

core::Result<ImageConfig> Layout::read_config(const Manifest& manifest) const {
    auto bytes = read_blob(manifest.config.digest);
    if (!bytes) {
        return std::move(bytes).error();
    }
    return parse_config(*bytes);
}

core::Result<std::vector<std::string>> Layout::tags() const {
    auto index = read_index();
    if (!index) {
        return std::move(index).error();
    }
    std::vector<std::string> out;
    for (const auto& entry : index->manifests) {
        const auto it = entry.annotations.find(std::string(ref_name_annotation));
        if (it != entry.annotations.end()) {
            out.push_back(it->second);
        }
    }
    return out;
}

}  // namespace envsmith::image
