#include <cstddef>
#include <cstdint>

#include "envsmith/specs/azureml.hpp"
#include "fuzz_support.hpp"

// Any text parses or fails cleanly, every error says where, and kind detection never fails.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = envsmith::fuzz::as_text(data, size);
    static_cast<void>(envsmith::specs::detect_input_kind(text, "fuzz.yml"));
    const auto parsed = envsmith::specs::parse_azureml_environment(text, "fuzz.yml");
    if (!parsed) {
        ENVSMITH_FUZZ_CHECK(parsed.error().where.has_value());
        ENVSMITH_FUZZ_CHECK(parsed.error().where->line >= 1);
    }
    return 0;
}
