#include <cstddef>
#include <cstdint>

#include "decompress.hpp"  // private to libs/index; the target adds libs/index/src to its path
#include "fuzz_support.hpp"

// Arbitrary bytes as zstd and as bzip2 with a 1 MiB output cap: the decoders return at most
// the cap or refuse (`index.decompress.too_large` for a bomb, `index.decompress.invalid` for a
// corrupt stream); they never crash.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace detail = envsmith::index::detail;
    constexpr std::uint64_t cap = 1024 * 1024;
    const auto input = envsmith::fuzz::as_text(data, size);
    for (const auto format : {detail::Compression::zstd, detail::Compression::bzip2,
                              detail::Compression::none}) {
        const auto out = detail::decompress(input, format, cap, "fuzz");
        if (out) {
            ENVSMITH_FUZZ_CHECK(out->size() <= cap);
        } else {
            ENVSMITH_FUZZ_CHECK(out.error().message_id == "index.decompress.too_large" ||
                                out.error().message_id == "index.decompress.invalid" ||
                                out.error().message_id == "index.decompress.init_failed");
        }
    }
    return 0;
}
