#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>

#include "envsmith/index/repodata.hpp"
#include "fuzz_support.hpp"
#include "shards.hpp"  // private to libs/index; the target adds libs/index/src to its path

// CEP-16 decoding on arbitrary msgpack: the same bytes are read as a shard index and as a
// shard. Either succeeds or fails with `index.shards.invalid`; the records a shard adds obey
// the Repodata rules (name, version and build set; reachable through by_name).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace detail = envsmith::index::detail;
    const auto bytes = envsmith::fuzz::as_text(data, size);

    const auto index = detail::parse_shard_index(
        bytes, "https://conda.example.org/fuzz/linux-64/repodata_shards.msgpack.zst", "fuzz");
    if (index) {
        ENVSMITH_FUZZ_CHECK(!index->shards_base_url.empty());
        ENVSMITH_FUZZ_CHECK(index->shards_base_url.back() == '/');
        ENVSMITH_FUZZ_CHECK(index->base_url.empty() || index->base_url.back() == '/');
    } else {
        ENVSMITH_FUZZ_CHECK(index.error().message_id == "index.shards.invalid");
    }

    envsmith::index::RepodataInfo info;
    info.subdir = "linux-64";
    envsmith::index::RepodataBuilder builder(info, "https://conda.example.org/fuzz/linux-64/");
    const auto added = detail::add_shard_records(bytes, builder, "fuzz");
    const auto names = detail::dependency_names(bytes, "fuzz");
    ENVSMITH_FUZZ_CHECK(added.has_value() == names.has_value());
    if (!added) {
        ENVSMITH_FUZZ_CHECK(added.error().message_id == "index.shards.invalid");
        return 0;
    }
    const auto repodata = std::move(builder).finish();
    const auto records = repodata.records();
    for (std::uint32_t i = 0; i < records.size(); ++i) {
        ENVSMITH_FUZZ_CHECK(!records[i].name.empty());
        ENVSMITH_FUZZ_CHECK(!records[i].version.empty());
        ENVSMITH_FUZZ_CHECK(!records[i].build.empty());
        const auto indices = repodata.by_name(records[i].name);
        ENVSMITH_FUZZ_CHECK(std::find(indices.begin(), indices.end(), i) != indices.end());
    }
    for (std::size_t i = 1; i < names->size(); ++i) {
        ENVSMITH_FUZZ_CHECK((*names)[i - 1] < (*names)[i]);
    }
    return 0;
}
