#pragma once
// A client of the OCI distribution API (https://github.com/opencontainers/distribution-spec)
// over core::Transport: ping, auth challenges (Basic, and the Bearer token flow with tokens
// cached per scope), manifests and blobs, pull with platform selection, push with blob
// reuse, cross-repository mounts and monolithic or chunked uploads.
//
// Retries: 429, 5xx and transient network failures are retried by the transport
// (net::CurlTransport); this client never retries them again. It repeats a request only
// after a 401, once, with new credentials or a new token.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/result.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/registry/credentials.hpp"
#include "envsmith/registry/manifest.hpp"
#include "envsmith/specs/image_ref.hpp"

namespace envsmith::registry {

/// Whether `registry` ("127.0.0.1:5000", "localhost", "[::1]:5000") is a loopback address:
/// 127.0.0.0/8, ::1 or localhost.
[[nodiscard]] bool is_loopback_registry(std::string_view registry);

/// Whether `registry` may be spoken to over plain HTTP: a loopback address, or listed in
/// `insecure` (an entry "host:port" matches that port only, an entry "host" every port).
[[nodiscard]] bool is_insecure_registry(std::string_view registry,
                                        const std::vector<std::string>& insecure);

/// The base URL of a registry's API, without a trailing slash: "https://registry-1.docker.io"
/// for docker.io, "http://127.0.0.1:5000" for an insecure one, "https://host" otherwise.
[[nodiscard]] std::string registry_base_url(std::string_view registry,
                                            const std::vector<std::string>& insecure);

struct ClientOptions {
    /// `--insecure-registry HOST[:PORT]`: registries reached over plain HTTP. Loopback
    /// registries always are, as docker does.
    std::vector<std::string> insecure_registries;
    /// Used for every registry this client talks to; none: anonymous.
    std::optional<Credentials> credentials;
    /// Blob uploads larger than this are sent in PATCH chunks of this size; 0: one PUT.
    std::uint64_t chunk_size_bytes = 0;
};

enum class AuthScheme : std::uint8_t {
    none,    // the registry asked for nothing
    basic,   // HTTP Basic
    bearer,  // tokens from a token service
};
[[nodiscard]] std::string_view to_string(AuthScheme scheme) noexcept;

/// What a registry asked for and what this client did about it. Holds no secret.
struct AuthState {
    AuthScheme scheme = AuthScheme::none;
    bool with_credentials = false;  // credentials were sent (Basic, or to the token service)
    std::string realm;              // Basic realm, or the token service URL
    std::string service;            // Bearer only
};

struct PingResult {
    int status = 0;           // 200, or 401 before credentials
    std::string api_version;  // Docker-Distribution-Api-Version
    AuthState auth;
};

struct FetchedManifest {
    std::string digest;  // sha256 of `bytes`, checked against the digest asked for
    std::string bytes;
    ManifestContent content;
};

struct Blob {
    Descriptor descriptor;
    std::string bytes;
};

/// A blob whose bytes are a file (a layout's blob file), uploaded straight from it: a 1 GiB
/// layer costs no 1 GiB of memory.
struct BlobFile {
    Descriptor descriptor;
    std::string path;
};

struct PulledImage {
    std::optional<FetchedManifest> index;  // when the reference names an index
    FetchedManifest manifest;              // the image manifest for the platform
    Blob config;
    std::vector<Blob> layers;
};

enum class BlobOutcome : std::uint8_t { existed, mounted, uploaded };

/// One image manifest and its blobs (config and layers), to push.
struct ImageToPush {
    std::string manifest;             // the exact bytes to PUT
    std::string manifest_media_type;  // empty: the document's `mediaType`
    std::vector<Blob> blobs;          // at least every blob the manifest names
};

struct PushResult {
    std::string manifest_digest;
    std::uint32_t blobs_existed = 0;
    std::uint32_t blobs_mounted = 0;
    std::uint32_t blobs_uploaded = 0;
};

class Client {
public:
    /// The transport and reporter must outlive the client. Not thread-safe.
    Client(core::Transport& transport, core::Reporter& reporter, ClientOptions options);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// GET /v2/ and, when the registry asks for auth, the challenge; with credentials it
    /// logs in (Basic, or a token for the registry scope) and reports the scheme used.
    [[nodiscard]] core::Result<PingResult> ping(std::string_view registry);

    /// What this client learnt about a registry's auth (none before the first request).
    [[nodiscard]] AuthState auth_state(std::string_view registry) const;

    /// The manifest or index `ref` names (its digest when it has one, else its tag), checked
    /// against the digest when asked by digest. Fails with `registry.manifest_unknown`,
    /// `registry.name_unknown`, `registry.auth_required`, `registry.access_denied`,
    /// `registry.manifest_invalid`, `registry.digest_mismatch`, `registry.unreachable`, ...
    [[nodiscard]] core::Result<FetchedManifest> get_manifest(const specs::ImageRef& ref);
    /// The same for `reference` (a tag or digest) in the repository of `ref`.
    [[nodiscard]] core::Result<FetchedManifest> get_manifest(const specs::ImageRef& ref,
                                                             std::string_view reference);

    /// The tags of `ref`'s repository (GET /v2/<name>/tags/list, one page). Fails with
    /// `registry.name_unknown` when the repository does not exist.
    [[nodiscard]] core::Result<std::vector<std::string>> list_tags(const specs::ImageRef& ref);

    /// The image manifest for `platform`: `ref`'s manifest, or the entry of its index.
    /// Fails with `registry.platform_unknown` when an index lacks the platform.
    [[nodiscard]] core::Result<PulledImage> resolve(const specs::ImageRef& ref,
                                                    const Platform& platform);

    /// The bytes of a blob of `ref`'s repository, checked against the descriptor's digest
    /// and size (`registry.digest_mismatch`, `registry.blob_unknown`).
    [[nodiscard]] core::Result<std::string> get_blob(const specs::ImageRef& ref,
                                                     const Descriptor& descriptor);

    /// The blob streamed into the file `path` (created or truncated) as it arrives, hashed on
    /// the way: only the transport's buffers are in memory, whatever the blob's size. The
    /// same checks and errors as get_blob; a body longer than the descriptor's size is cut
    /// off at once (`registry.size_mismatch`), and a file that cannot be written is
    /// `registry.write_failed`. A blob whose digest or size does not match is fetched once
    /// more, with a `registry.blob_refetch` warning, before that error is returned. On any
    /// failure the file is removed.
    [[nodiscard]] core::Status download_blob(const specs::ImageRef& ref,
                                             const Descriptor& descriptor,
                                             const std::string& path);

    /// The manifest, config and layers of `ref` for `platform`, every blob verified.
    [[nodiscard]] core::Result<PulledImage> pull(const specs::ImageRef& ref,
                                                 const Platform& platform);

    /// Whether `ref`'s repository has the blob (HEAD).
    [[nodiscard]] core::Result<bool> has_blob(const specs::ImageRef& ref, std::string_view digest);

    /// Puts a blob into `ref`'s repository unless it is there: HEAD, then a mount from
    /// `mount_from` (a repository of the same registry) when given, then an upload (one PUT,
    /// or PATCH chunks when larger than `chunk_size_bytes`). The bytes must match the
    /// descriptor (`registry.digest_mismatch`, `registry.size_mismatch`).
    [[nodiscard]] core::Result<BlobOutcome> push_blob(const specs::ImageRef& ref, const Blob& blob,
                                                      std::string_view mount_from = {});
    /// The same for a blob in a file, sent from the file (core::HttpRequest::body_file) in
    /// one PUT or in PATCH chunks. The file's size is checked first (`registry.size_mismatch`);
    /// its sha256 only when it is to be uploaded, in one streaming pass just before
    /// (`registry.digest_mismatch`): a blob the registry has or mounts is not read at all.
    /// An unreadable file is `registry.blob_unreadable`.
    [[nodiscard]] core::Result<BlobOutcome> push_blob(const specs::ImageRef& ref,
                                                      const BlobFile& blob,
                                                      std::string_view mount_from = {});

    /// PUTs manifest bytes under `reference` (a tag or a digest) with `media_type` as the
    /// Content-Type. Returns the digest; fails with `registry.digest_mismatch` when the
    /// registry's Docker-Content-Digest is not the sha256 of the bytes sent.
    [[nodiscard]] core::Result<std::string> put_manifest(const specs::ImageRef& ref,
                                                         std::string_view reference,
                                                         std::string_view media_type,
                                                         const std::string& bytes);

    /// Pushes an image manifest and its blobs under `ref`'s tag (or its digest when it has
    /// no tag). Before anything is sent, the blobs are checked against the manifest's
    /// descriptors (digest and size: `registry.size_mismatch`, `registry.blob_missing`),
    /// since the registry does not check sizes.
    [[nodiscard]] core::Result<PushResult> push(const specs::ImageRef& ref,
                                                const ImageToPush& image,
                                                std::string_view mount_from = {});

private:
    struct State;
    std::unique_ptr<State> m_state;
};

}  // namespace envsmith::registry
