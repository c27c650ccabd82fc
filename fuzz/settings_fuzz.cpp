#include <cstddef>
#include <cstdint>

#include "envsmith/specs/settings.hpp"
#include "fuzz_support.hpp"

// Any text parses as a settings file or fails with an error at file:line:col.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto parsed =
        envsmith::specs::parse_settings(envsmith::fuzz::as_text(data, size), "settings.yml");
    if (!parsed) {
        ENVSMITH_FUZZ_CHECK(parsed.error().where.has_value());
    }
    return 0;
}
