#include <cstddef>
#include <cstdint>
#include <string>

#include "envsmith/specs/requirements_txt.hpp"
#include "fuzz_support.hpp"

// Any text parses or fails cleanly. Includes are served from the input itself, so include
// chains, cycles and depth limits get exercised too.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(envsmith::fuzz::as_text(data, size));
    envsmith::specs::RequirementsContext context;
    context.environment = {{"HOME", "/root"}, {"TOKEN", "x"}};
    context.load_include = [&text](std::string_view, std::string_view target)
        -> envsmith::core::Result<std::string> {
        if (target.size() % 3 == 0) {
            return envsmith::core::make_error(envsmith::core::ErrorCode::not_found, "fs.not_found",
                                              "missing");
        }
        return text;
    };
    const auto parsed = envsmith::specs::parse_requirements_txt(text, "fuzz.txt", context);
    if (!parsed) {
        ENVSMITH_FUZZ_CHECK(parsed.error().where.has_value());
    }
    return 0;
}
