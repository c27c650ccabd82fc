#include "envsmith/index/http_cache.hpp"

#include <fmt/format.h>

#include <optional>

#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"

namespace envsmith::index {
namespace {

bool cacheable(const core::HttpRequest& request) {
    if (request.method != "GET" || !request.body.empty()) {
        return false;
    }
    for (const auto& [name, value] : request.headers) {
        if (core::iequals(name, "Range")) {
            return false;
        }
    }
    const auto url = core::to_lower(std::string_view(request.url).substr(0, 8));
    return url.starts_with("http://") || url.starts_with("https://");
}

/// The cache key: the URL and the Accept header, since content negotiation (PEP 691) gives one
/// URL several bodies.
std::string key_of(const core::HttpRequest& request) {
    for (const auto& [name, value] : request.headers) {
        if (core::iequals(name, "Accept")) {
            return request.url + "\n" + value;
        }
    }
    return request.url;
}

core::HttpResponse from_cache(const core::HttpRequest& request, CacheEntry entry) {
    core::HttpResponse response;
    response.status = 200;
    response.body = std::move(entry.body);
    response.effective_url = request.url;
    if (!entry.state.content_type.empty()) {
        response.headers.emplace_back("Content-Type", entry.state.content_type);
    }
    if (!entry.state.etag.empty()) {
        response.headers.emplace_back("ETag", entry.state.etag);
    }
    return response;
}

/// What one request needs: an answer already, or a request to send (maybe conditional).
struct Plan {
    std::optional<core::Result<core::HttpResponse>> answer;
    core::HttpRequest to_send;
    std::optional<CacheEntry> cached;
    std::string key;
};

}  // namespace

CachingTransport::CachingTransport(core::Transport& inner, const RepodataCache& cache,
                                   const core::Clock& clock, HttpCacheOptions options)
    : m_inner(inner), m_cache(cache), m_clock(clock), m_options(options) {}

core::Result<core::HttpResponse> CachingTransport::send(const core::HttpRequest& request) {
    auto results = send_all({request});
    return std::move(results.front());
}

std::vector<core::Result<core::HttpResponse>> CachingTransport::send_all(
    const std::vector<core::HttpRequest>& requests) {
    std::vector<Plan> plans(requests.size());
    std::vector<core::HttpRequest> batch;
    std::vector<std::size_t> batch_plans;
    for (std::size_t i = 0; i < requests.size(); ++i) {
        auto& plan = plans[i];
        plan.to_send = requests[i];
        if (cacheable(requests[i])) {
            plan.key = key_of(requests[i]);
            if (auto entry = m_cache.read(plan.key); entry && *entry) {
                plan.cached = std::move(**entry);
            }
            const auto now = m_clock.now();
            if (plan.cached &&
                (m_options.offline || now - plan.cached->state.fetched_at < m_options.max_age)) {
                plan.answer = from_cache(requests[i], std::move(*plan.cached));
                continue;
            }
            if (m_options.offline) {
                plan.answer = core::make_error(
                                  core::ErrorCode::unavailable, "index.cache.offline_missing",
                                  fmt::format("offline, and {} is not cached",
                                              core::redact_url(requests[i].url)))
                                  .arg("url", core::redact_url(requests[i].url));
                continue;
            }
            if (plan.cached && !plan.cached->state.etag.empty()) {
                plan.to_send.headers.emplace_back("If-None-Match", plan.cached->state.etag);
            } else if (plan.cached && !plan.cached->state.last_modified.empty()) {
                plan.to_send.headers.emplace_back("If-Modified-Since",
                                                  plan.cached->state.last_modified);
            }
        }
        batch.push_back(plan.to_send);
        batch_plans.push_back(i);
    }
    if (!batch.empty()) {
        auto responses = m_inner.send_all(batch);
        for (std::size_t k = 0; k < responses.size() && k < batch_plans.size(); ++k) {
            auto& plan = plans[batch_plans[k]];
            auto& response = responses[k];
            if (plan.key.empty() || !response) {
                plan.answer = std::move(response);
                continue;
            }
            if (response->status == 304 && plan.cached) {
                auto state = plan.cached->state;
                state.fetched_at = m_clock.now();
                (void)m_cache.write_state(plan.key, state);  // best effort: the body is good
                plan.answer = from_cache(requests[batch_plans[k]], std::move(*plan.cached));
                continue;
            }
            if (response->status == 200) {
                CacheState state;
                state.url = plan.key;
                state.etag = std::string(response->header("ETag"));
                state.last_modified = std::string(response->header("Last-Modified"));
                state.content_type = std::string(response->header("Content-Type"));
                state.fetched_at = m_clock.now();
                state.variant = "page";
                // A cache that cannot be written costs speed, never the answer.
                (void)m_cache.write(plan.key, state, response->body);
            }
            plan.answer = std::move(response);
        }
    }
    std::vector<core::Result<core::HttpResponse>> results;
    results.reserve(plans.size());
    for (auto& plan : plans) {
        results.push_back(plan.answer ? std::move(*plan.answer)
                                      : core::Result<core::HttpResponse>(core::make_error(
                                            core::ErrorCode::internal, "index.pypi.no_response",
                                            "the transport gave no answer")));
    }
    return results;
}

}  // namespace envsmith::index
