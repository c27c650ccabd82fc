#include <cstddef>
#include <cstdint>
#include <string_view>

#include "envsmith/index/simple_api.hpp"
#include "fuzz_support.hpp"
#include "url_support.hpp"

// HTML pages never fail: every file URL of a page fetched from an absolute URL is absolute.
// The first line of the input is also resolved against the rest (resolve_url never crashes,
// and resolving against an absolute base gives an absolute URL).
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const auto text = envsmith::fuzz::as_text(data, size);
    for (const std::string_view page_url :
         {std::string_view("https://pypi.org/simple/pkg/"), std::string_view("file:///srv/find-links")}) {
        const auto page = envsmith::index::parse_simple_html(text, page_url);
        ENVSMITH_FUZZ_CHECK(page.has_value());
        for (const auto& file : page->files) {
            ENVSMITH_FUZZ_CHECK(envsmith::fuzz::is_absolute_url(file.url));
            (void)file.project_name();
        }
    }
    const auto newline = text.find('\n');
    if (newline != std::string_view::npos) {
        const auto base = text.substr(0, newline);
        const auto reference = text.substr(newline + 1);
        const auto resolved = envsmith::index::resolve_url(base, reference);
        if (envsmith::fuzz::is_absolute_url(base)) {
            ENVSMITH_FUZZ_CHECK(envsmith::fuzz::is_absolute_url(resolved));
        }
        (void)envsmith::index::html_unescape(reference);
    }
    return 0;
}
