#include "envsmith/core/digest.hpp"

#include <openssl/evp.h>

#include <stdexcept>

#include "envsmith/core/encoding.hpp"
#include "envsmith/core/text.hpp"

namespace envsmith::core {

struct Hasher::State {
    DigestAlgorithm algorithm;
    EVP_MD_CTX* ctx = nullptr;

    explicit State(DigestAlgorithm a) : algorithm(a), ctx(EVP_MD_CTX_new()) {
        if (ctx == nullptr) {
            throw std::bad_alloc();
        }
        reset();
    }
    ~State() { EVP_MD_CTX_free(ctx); }
    State(const State&) = delete;
    State& operator=(const State&) = delete;

    void reset() {
        const EVP_MD* md = algorithm == DigestAlgorithm::sha256 ? EVP_sha256() : EVP_md5();
        if (EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
            throw std::runtime_error("EVP_DigestInit_ex failed");  // a broken libcrypto is a bug
        }
    }
};

Hasher::Hasher(DigestAlgorithm algorithm) : m_state(std::make_unique<State>(algorithm)) {}
Hasher::~Hasher() = default;
Hasher::Hasher(Hasher&&) noexcept = default;
Hasher& Hasher::operator=(Hasher&&) noexcept = default;

void Hasher::update(std::string_view bytes) {
    EVP_DigestUpdate(m_state->ctx, bytes.data(), bytes.size());
}

void Hasher::update(std::span<const std::byte> bytes) {
    EVP_DigestUpdate(m_state->ctx, bytes.data(), bytes.size());
}

Digest Hasher::finish() {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_DigestFinal_ex(m_state->ctx, out, &size);
    m_state->reset();
    return Digest{m_state->algorithm,
                  to_hex(std::string_view(reinterpret_cast<const char*>(out), size))};
}

Digest sha256(std::string_view bytes) {
    Hasher h(DigestAlgorithm::sha256);
    h.update(bytes);
    return h.finish();
}

Digest md5(std::string_view bytes) {
    Hasher h(DigestAlgorithm::md5);
    h.update(bytes);
    return h.finish();
}

std::string_view algorithm_name(DigestAlgorithm algorithm) noexcept {
    return algorithm == DigestAlgorithm::sha256 ? "sha256" : "md5";
}

std::size_t hex_length(DigestAlgorithm algorithm) noexcept {
    return algorithm == DigestAlgorithm::sha256 ? 64 : 32;
}

std::string Digest::to_string() const {
    return std::string(algorithm_name(algorithm)) + ":" + hex;
}

Result<Digest> Digest::parse(std::string_view text) {
    const auto colon = text.find(':');
    auto invalid = [&](std::string why) {
        return make_error(ErrorCode::invalid_input, "digest.invalid",
                          "invalid digest `" + std::string(text) + "`: " + why)
            .arg("digest", std::string(text))
            .arg("problem", why);
    };
    if (colon == std::string_view::npos) {
        return invalid("expected `algorithm:hex`");
    }
    const auto name = text.substr(0, colon);
    const auto hex = text.substr(colon + 1);
    DigestAlgorithm algorithm{};
    if (name == "sha256") {
        algorithm = DigestAlgorithm::sha256;
    } else if (name == "md5") {
        algorithm = DigestAlgorithm::md5;
    } else {
        return invalid("unsupported algorithm `" + std::string(name) + "`");
    }
    if (hex.size() != hex_length(algorithm)) {
        return invalid("expected " + std::to_string(hex_length(algorithm)) + " hex digits, got " +
                       std::to_string(hex.size()));
    }
    for (char c : hex) {
        if (!(is_ascii_digit(c) || (c >= 'a' && c <= 'f'))) {
            return invalid("expected lowercase hex digits");
        }
    }
    return Digest{algorithm, std::string(hex)};
}

}  // namespace envsmith::core
