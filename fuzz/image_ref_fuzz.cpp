#include <cstddef>
#include <cstdint>
#include <string_view>

#include "envsmith/specs/image_ref.hpp"
#include "fuzz_support.hpp"

// Any text parses or fails cleanly; what parses re-parses from its normal form to itself.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = envsmith::fuzz::as_text(data, size);
    const auto parsed = envsmith::specs::ImageRef::parse(text);
    if (parsed) {
        const auto again = envsmith::specs::ImageRef::parse(parsed->to_string());
        ENVSMITH_FUZZ_CHECK(again.has_value() && *again == *parsed);
    }
    return 0;
}
