#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "envsmith/index/repodata.hpp"
#include "fuzz_support.hpp"

// Any bytes parse as repodata.json or fail cleanly. What parses has a name, version and
// build on every record, is reachable through by_name, lists its names sorted and once, and
// parses the same way a second time.
namespace {

bool same_views(std::span<const std::string_view> a, std::span<const std::string_view> b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

bool same_record(const envsmith::index::CondaRecord& a, const envsmith::index::CondaRecord& b) {
    return a.name == b.name && a.version == b.version && a.build == b.build &&
           a.build_number == b.build_number && a.fn == b.fn && a.subdir == b.subdir &&
           a.md5 == b.md5 && a.sha256 == b.sha256 && a.license == b.license &&
           a.noarch == b.noarch && a.size == b.size && a.timestamp == b.timestamp &&
           same_views(a.depends, b.depends) && same_views(a.constrains, b.constrains) &&
           same_views(a.track_features, b.track_features);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using envsmith::index::Repodata;
    const std::string text(envsmith::fuzz::as_text(data, size));
    envsmith::index::ParseOptions options;
    options.source = "fuzz/linux-64/repodata.json";
    options.subdir = "linux-64";
    options.subdir_url = "https://conda.example.org/fuzz/linux-64/";
    const auto parsed = Repodata::parse(text, options);
    const auto again = Repodata::parse(text, options);
    ENVSMITH_FUZZ_CHECK(parsed.has_value() == again.has_value());
    if (!parsed) {
        return 0;
    }
    const auto records = parsed->records();
    ENVSMITH_FUZZ_CHECK(records.size() == parsed->size());
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        const auto& record = records[i];
        ENVSMITH_FUZZ_CHECK(!record.name.empty());
        ENVSMITH_FUZZ_CHECK(!record.version.empty());
        ENVSMITH_FUZZ_CHECK(!record.build.empty());
        const auto indices = parsed->by_name(record.name);
        ENVSMITH_FUZZ_CHECK(std::find(indices.begin(), indices.end(), i) != indices.end());
        (void)parsed->url_of(record);
    }
    const auto names = parsed->names();
    ENVSMITH_FUZZ_CHECK(std::adjacent_find(names.begin(), names.end(),
                                           [](std::string_view a, std::string_view b) {
                                               return a >= b;
                                           }) == names.end());
    for (const auto name : names) {
        ENVSMITH_FUZZ_CHECK(!parsed->by_name(name).empty());
    }
    const auto other = again->records();
    ENVSMITH_FUZZ_CHECK(other.size() == records.size());
    for (std::size_t i = 0; i < records.size(); ++i) {
        ENVSMITH_FUZZ_CHECK(same_record(records[i], other[i]));
    }
    ENVSMITH_FUZZ_CHECK(same_views(parsed->removed(), again->removed()));
    ENVSMITH_FUZZ_CHECK(parsed->info().subdir == again->info().subdir);
    ENVSMITH_FUZZ_CHECK(parsed->info().base_url == again->info().base_url);
    return 0;
}
