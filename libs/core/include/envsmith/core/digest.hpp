#pragma once
// Message digests (OpenSSL libcrypto, which uses the CPU's SHA extensions) and the
// `algorithm:hex` form used by OCI and conda.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

enum class DigestAlgorithm : std::uint8_t { sha256, md5 };

/// A digest value, kept as lowercase hex. `to_string()` gives "sha256:<hex>".
struct Digest {
    DigestAlgorithm algorithm = DigestAlgorithm::sha256;
    std::string hex;

    /// Parses "sha256:<64 hex>" or "md5:<32 hex>". Fails with `digest.invalid`.
    static Result<Digest> parse(std::string_view text);
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Digest&, const Digest&) = default;
};

[[nodiscard]] std::string_view algorithm_name(DigestAlgorithm algorithm) noexcept;
/// Hex digits of a digest of this algorithm (64 for sha256, 32 for md5).
[[nodiscard]] std::size_t hex_length(DigestAlgorithm algorithm) noexcept;

/// An incremental hasher: feed bytes with update(), read the result once with finish().
class Hasher {
public:
    explicit Hasher(DigestAlgorithm algorithm);
    ~Hasher();
    Hasher(Hasher&&) noexcept;
    Hasher& operator=(Hasher&&) noexcept;
    Hasher(const Hasher&) = delete;
    Hasher& operator=(const Hasher&) = delete;

    void update(std::string_view bytes);
    void update(std::span<const std::byte> bytes);
    /// The digest of everything fed so far. The hasher is reset afterwards.
    [[nodiscard]] Digest finish();

private:
    struct State;
    std::unique_ptr<State> m_state;
};

[[nodiscard]] Digest sha256(std::string_view bytes);
[[nodiscard]] Digest md5(std::string_view bytes);

}  // namespace envsmith::core
