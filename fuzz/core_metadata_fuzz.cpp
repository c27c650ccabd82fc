#include <cstddef>
#include <cstdint>

#include "envsmith/specs/core_metadata.hpp"
#include "fuzz_support.hpp"

// Any text parses as METADATA or fails with a located error, strictly and leniently. A strict
// success is a lenient success with the same fields and no problems; a lenient parse without
// problems is a strict success.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using envsmith::specs::CoreMetadata;
    using envsmith::specs::MetadataStrictness;
    const auto text = envsmith::fuzz::as_text(data, size);
    const auto strict = CoreMetadata::parse(text, "METADATA", MetadataStrictness::strict);
    const auto lenient = CoreMetadata::parse(text, "METADATA", MetadataStrictness::lenient);
    if (!strict) {
        ENVSMITH_FUZZ_CHECK(strict.error().where.has_value());
    }
    if (!lenient) {
        ENVSMITH_FUZZ_CHECK(lenient.error().where.has_value());
        ENVSMITH_FUZZ_CHECK(!strict.has_value());
        return 0;
    }
    for (const auto& problem : lenient->problems) {
        ENVSMITH_FUZZ_CHECK(problem.where.has_value());
    }
    if (strict) {
        ENVSMITH_FUZZ_CHECK(lenient->problems.empty());
        ENVSMITH_FUZZ_CHECK(strict->name == lenient->name);
        ENVSMITH_FUZZ_CHECK(strict->version_text == lenient->version_text);
        ENVSMITH_FUZZ_CHECK(strict->requires_dist.size() == lenient->requires_dist.size());
        ENVSMITH_FUZZ_CHECK(strict->requires_python.has_value() ==
                            lenient->requires_python.has_value());
    } else {
        ENVSMITH_FUZZ_CHECK(!lenient->problems.empty());
    }
    return 0;
}
