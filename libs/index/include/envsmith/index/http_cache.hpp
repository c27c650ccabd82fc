#pragma once
// HTTP caching for index pages: a Transport that keeps successful GET responses in the on-disk
// cache and revalidates them (RFC 9111 in the small: ETag / Last-Modified validators and a
// max-age of our own, not the server's Cache-Control), so that repeated `check`s and locks ask
// a PyPI index only "has it changed?", or nothing at all while an entry is fresh.

#include <chrono>
#include <vector>

#include "envsmith/core/clock.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/index/repodata_cache.hpp"

namespace envsmith::index {

struct HttpCacheOptions {
    /// An entry younger than this is answered from the cache without a request; 0: always
    /// revalidate.
    std::chrono::seconds max_age{600};
    /// Answer from the cache only; an uncached GET fails with `index.cache.offline_missing`.
    bool offline = false;
};

/// Wraps `inner`. Cached: GETs of http(s) URLs without a Range header whose answer is 200.
/// Everything else (HEAD, Range requests, `file://`, other statuses) passes through. A 304
/// answers with the cached body, status 200 and the cached Content-Type, and refreshes the
/// entry's age. The cache, the inner transport and the clock must outlive it.
class CachingTransport final : public core::Transport {
public:
    CachingTransport(core::Transport& inner, const RepodataCache& cache, const core::Clock& clock,
                     HttpCacheOptions options);

    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override;
    /// Fresh entries answer at once; the others go to the inner transport together.
    std::vector<core::Result<core::HttpResponse>> send_all(
        const std::vector<core::HttpRequest>& requests) override;

private:
    core::Transport& m_inner;
    const RepodataCache& m_cache;
    const core::Clock& m_clock;
    HttpCacheOptions m_options;
};

}  // namespace envsmith::index
