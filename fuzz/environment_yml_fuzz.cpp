#include <cstddef>
#include <cstdint>

#include "envsmith/specs/environment_yml.hpp"
#include "fuzz_support.hpp"

// Any text parses or fails cleanly, and every error says where.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed = envsmith::specs::parse_environment_yml(envsmith::fuzz::as_text(data, size),
                                                               "fuzz.yml");
    if (!parsed) {
        ENVSMITH_FUZZ_CHECK(parsed.error().where.has_value());
        ENVSMITH_FUZZ_CHECK(parsed.error().where->line >= 1);
    }
    return 0;
}
