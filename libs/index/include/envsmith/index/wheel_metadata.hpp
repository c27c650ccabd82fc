#pragma once
// A wheel's METADATA without downloading the wheel: a wheel is a zip whose central directory
// sits at its end, so two or three HTTP Range requests (the tail with the end-of-central-
// directory record and the directory, then the METADATA member's local header and data) are
// enough, as pip's `lazy_wheel` and uv do. Zip64 archives are read too; members are stored
// or raw-deflated (libdeflate).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/specs/wheel.hpp"

namespace envsmith::index {

/// The METADATA text of a wheel held in memory: the member `<name>-<version>.dist-info/METADATA`
/// at the top of the archive whose name normalises (PEP 503) to the wheel's name (the
/// only top-level `.dist-info/METADATA` when none does). The CRC-32 is checked.
///
/// Fails with `index.pypi.wheel_invalid` (invalid_input; args `url` (here `source`,
/// redacted), `problem`): not a zip, a truncated or inconsistent archive, no METADATA, an
/// unsupported compression method, a CRC mismatch, or a METADATA over 16 MiB.
[[nodiscard]] core::Result<std::string> read_wheel_metadata(std::string_view wheel_bytes,
                                                            const specs::WheelFilename& wheel,
                                                            std::string_view source);

/// How `fetch_wheel_metadata` got the bytes.
enum class WheelFetchMode : std::uint8_t {
    ranges,      // Range requests answered with 206
    whole_file,  // the server ignored Range (200 with the whole body), or a file:// URL
};

struct WheelMetadata {
    std::string text;  // the METADATA file
    WheelFetchMode mode = WheelFetchMode::ranges;
    /// The whole wheel when `mode` is `whole_file` (so the caller can check its hash), else
    /// empty.
    std::string whole_file;
    std::uint32_t requests = 0;  // HTTP requests made
};

/// Fetches the METADATA of the wheel at `url` with Range requests through `transport`.
/// `size` is the wheel's size when known (PEP 700 `size`); without it the first request asks
/// for a suffix range (`bytes=-N`) and the size comes from `Content-Range`. `headers` are sent
/// with every request. A `file://` URL, or a server that answers 200 to a Range request, is
/// read whole.
///
/// Fails with the transport's Error, `index.pypi.http_status` (args `url` redacted, `status`;
/// not_found for 404/410, permission_denied for 401/403, else unavailable), or
/// `index.pypi.wheel_invalid` (see `read_wheel_metadata`).
[[nodiscard]] core::Result<WheelMetadata> fetch_wheel_metadata(
    core::Transport& transport, const std::string& url, const specs::WheelFilename& wheel,
    std::optional<std::uint64_t> size,
    const std::vector<std::pair<std::string, std::string>>& headers = {});

/// The `index.pypi.http_status` error for an HTTP status the caller cannot use.
[[nodiscard]] core::Error http_status_error(std::string_view url, int status);

}  // namespace envsmith::index
