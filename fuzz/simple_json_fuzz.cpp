#include <cstddef>
#include <cstdint>
#include <string_view>

#include "envsmith/index/simple_api.hpp"
#include "fuzz_support.hpp"
#include "url_support.hpp"

// Any bytes parse as a PEP 691 JSON page or fail cleanly; every file URL of a page fetched
// from an absolute URL is absolute, and resolving it again against the page never crashes.
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = envsmith::fuzz::as_text(data, size);
    for (const std::string_view page_url :
         {std::string_view("https://pypi.org/simple/pkg/"), std::string_view("file:///srv/simple/pkg")}) {
        const auto page = envsmith::index::parse_simple_json(text, page_url);
        if (!page) {
            continue;
        }
        for (const auto& file : page->files) {
            ENVSMITH_FUZZ_CHECK(envsmith::fuzz::is_absolute_url(file.url));
            ENVSMITH_FUZZ_CHECK(file.page_url == page_url);
            (void)envsmith::index::resolve_url(page_url, file.url);
            (void)file.project_name();
        }
    }
    return 0;
}
