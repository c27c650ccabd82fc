#include <cstddef>
#include <cstdint>

#include "envsmith/specs/pep440.hpp"
#include "fuzz_support.hpp"

// Any text parses or fails cleanly; what parses prints a canonical form that parses back to
// the same value.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = envsmith::fuzz::as_text(data, size);
    const auto parsed = envsmith::specs::Pep440Version::parse(text);
    if (parsed) {
        const auto again = envsmith::specs::Pep440Version::parse(parsed->to_string());
        ENVSMITH_FUZZ_CHECK(again.has_value());
        ENVSMITH_FUZZ_CHECK(again->to_string() == parsed->to_string());
    } else {
        ENVSMITH_FUZZ_CHECK(parsed.error().where.has_value());
    }
    return 0;
}
