#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "envsmith/archive/extract.hpp"
#include "fuzz_support.hpp"

// Arbitrary bytes as an archive file (the first byte picks the name: `.conda` for the outer-zip
// path, else `.tar.gz`, read by content detection). Extraction with small limits either succeeds
// or fails with an `archive.*` id and leaves no destination; nothing ever appears next to the
// destination; list_entries and read_entry of a listed path never crash.
namespace {

namespace stdfs = std::filesystem;

const stdfs::path& scratch() {
    static const stdfs::path dir = [] {
        std::string pattern = (stdfs::temp_directory_path() / "envsmith-fuzz-XXXXXX").string();
        ENVSMITH_FUZZ_CHECK(::mkdtemp(pattern.data()) != nullptr);
        return stdfs::path(pattern);
    }();
    return dir;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    namespace archive = envsmith::archive;
    if (size == 0) {
        return 0;
    }
    const auto& dir = scratch();
    const auto input = envsmith::fuzz::as_text(data + 1, size - 1);
    const auto archive_path = (dir / ((data[0] & 1U) != 0 ? "in.conda" : "in.tar.gz")).string();
    std::ofstream(archive_path, std::ios::binary | std::ios::trunc) << input;
    const auto box = dir / "box";  // the destination's parent: must only ever hold `out`
    const auto destination = (box / "out").string();
    stdfs::create_directories(box);

    archive::ExtractOptions options;
    options.limits.max_total_bytes = 16ULL << 20;
    options.limits.max_entry_bytes = 8ULL << 20;
    options.limits.max_entries = 10'000;
    options.limits.ratio_floor_bytes = 1ULL << 20;
    const auto extracted = archive::extract(archive_path, destination, options);
    if (extracted) {
        ENVSMITH_FUZZ_CHECK(extracted->files <= extracted->entries);
        ENVSMITH_FUZZ_CHECK(extracted->bytes <= options.limits.max_total_bytes);
    } else {
        ENVSMITH_FUZZ_CHECK(extracted.error().message_id.rfind("archive.", 0) == 0);
        ENVSMITH_FUZZ_CHECK(!stdfs::exists(stdfs::symlink_status(destination)));
    }
    for (const auto& item : stdfs::directory_iterator(box)) {
        ENVSMITH_FUZZ_CHECK(item.path().filename() == "out");
    }
    for (const auto& item : stdfs::directory_iterator(dir)) {
        ENVSMITH_FUZZ_CHECK(item.path() == box || item.path() == archive_path);
    }
    stdfs::remove_all(box);

    const auto listed = archive::list_entries(archive_path);
    if (listed && !listed->empty()) {
        const auto content = archive::read_entry(archive_path, listed->front().path, 1 << 20);
        if (content) {
            ENVSMITH_FUZZ_CHECK(content->size() <= (1U << 20));
        }
    }
    stdfs::remove(archive_path);
    return 0;
}
