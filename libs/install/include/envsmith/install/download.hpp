#pragma once
// One package archive downloaded into a partial file and checked against its digests before
// anyone may use it. The package cache (package_cache.hpp) calls this under its entry lock and
// moves the verified file into place; nothing here knows the cache layout.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"

namespace envsmith::install {

/// Which catalogue id a digest mismatch gets: conda's or pip's (the doctor's failure ids, so a
/// mismatch envsmith caught and one found in a build log read the same).
enum class PackageKind : std::uint8_t { conda, python };

/// `conda` for names ending in ".conda" or ".tar.bz2", `python` otherwise (wheels, sdists).
[[nodiscard]] PackageKind package_kind(std::string_view file_name) noexcept;

struct DownloadRequest {
    /// The URL, then its mirrors: full URLs of the same file, tried in this order.
    std::vector<std::string> urls;
    std::string file_name;  // for messages: "zlib-1.2.11-h7b6447c_3.conda"
    std::optional<core::Digest> sha256;
    std::optional<core::Digest> md5;
    std::uint64_t size = 0;  // expected bytes; 0: unknown
    /// Where the bytes go. A file already there is continued with a Range request (or used as
    /// it is when it already has `size` bytes and the right digests).
    std::string part_path;
};

struct VerifiedDownload {
    core::Digest sha256;  // of the bytes in `part_path`, always computed
    core::Digest md5;
    std::uint64_t bytes = 0;
    std::string url;      // the URL that served the last bytes, redacted; empty when the
                          // partial file was complete already
    std::uint64_t resumed_from = 0;  // bytes of the partial file kept (0: a fresh download)
    std::uint32_t requests = 0;      // transfers made
};

/// Downloads `request` into `part_path` and verifies it: every given digest must match (at
/// least one of sha256 and md5 must be given). On success the file at `part_path` holds exactly
/// the verified bytes and the caller moves it; on failure the partial file is kept only when it
/// may be continued (a dropped transfer), never after a digest mismatch.
///
/// URLs are tried in order: an Error or an HTTP status other than 200/206 moves to the next one
/// (`net.mirror.next` warning). A digest mismatch is retried once, on the next URL when there
/// is one, else on the same URL (`install.download.retry_mismatch` warning); a resumed download
/// that mismatches is first retried from byte 0 on the same URL without counting as that
/// retry. A partial file is continued with `Range: bytes=N-`: a 206 whose Content-Range starts
/// at N appends, a 200 starts over, a 416 or any other range discards the partial file.
/// `file://` URLs are read directly from the disk, and verified the same way.
///
/// Fails with `conda.verification` (conda packages) or `pip.hash_mismatch` (everything else),
/// code unavailable, with args `url`, `expected`, `actual`, `algorithm`, `package` or
/// `requirement`; with `install.download.no_digest` or `install.download.no_url`
/// (invalid_input); with the transport's Error or `network.not_found`, `network.forbidden`,
/// `network.unauthorized`, `net.http.unavailable`, `net.http.unexpected` (args `status`,
/// `host`, `url`) for the last URL tried; `fs.not_found`, `fs.read_failed`, `fs.write_failed`
/// (args `path`, `reason`) for the local files.
///
/// Progress: `reporter.on_download_progress(url, done, total)` with the bytes of the file so
/// far (a resumed download starts at the kept bytes), `total` = `size` or the Content-Length.
[[nodiscard]] core::Result<VerifiedDownload> download_verified(const DownloadRequest& request,
                                                               core::Transport& transport,
                                                               core::Reporter& reporter);

}  // namespace envsmith::install
