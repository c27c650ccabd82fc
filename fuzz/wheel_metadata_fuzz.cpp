#include <cstddef>
#include <cstdint>

#include "envsmith/index/wheel_metadata.hpp"
#include "envsmith/specs/wheel.hpp"
#include "fuzz_support.hpp"

// Arbitrary bytes as a wheel: read_wheel_metadata finds METADATA or refuses with
// `index.pypi.wheel_invalid`; it never crashes and never allocates past its 16 MiB cap
// (libFuzzer's -malloc_limit_mb / -rss_limit_mb catch an over-allocation).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const auto wheel =
        envsmith::specs::WheelFilename::parse("fuzzpkg-1.0-py3-none-any.whl").value();
    const auto text = envsmith::index::read_wheel_metadata(envsmith::fuzz::as_text(data, size),
                                                           wheel, "fuzzpkg-1.0-py3-none-any.whl");
    if (text) {
        ENVSMITH_FUZZ_CHECK(text->size() <= 16u * 1024u * 1024u);
    } else {
        ENVSMITH_FUZZ_CHECK(text.error().message_id == "index.pypi.wheel_invalid" ||
                            text.error().message_id == "index.pypi.out_of_memory");
    }
    return 0;
}
