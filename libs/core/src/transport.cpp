#include "envsmith/core/transport.hpp"

#include "envsmith/core/text.hpp"
#include "envsmith/core/url.hpp"

namespace envsmith::core {

std::string_view HttpResponse::header(std::string_view name) const noexcept {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) {
            return value;
        }
    }
    return {};
}

std::vector<Result<HttpResponse>> Transport::send_all(const std::vector<HttpRequest>& requests) {
    std::vector<Result<HttpResponse>> results;
    results.reserve(requests.size());
    for (const auto& request : requests) {
        results.push_back(send(request));
    }
    return results;
}

Result<HttpResponse> Transport::send_streaming(const HttpRequest& request, BodySink& sink) {
    auto response = send(request);
    if (!response) {
        return response;
    }
    std::string body = std::move(response->body);
    response->body.clear();
    if (!sink.on_response(response->status, response->headers) || !sink.on_body(body)) {
        const auto shown = redact_url(request.url);
        return make_error(ErrorCode::cancelled, "net.transfer.aborted",
                          request.method + " " + shown +
                              ": the receiver stopped the transfer (the body was refused)")
            .arg("host", url_host(request.url))
            .arg("url", shown)
            .arg("attempts", "1")
            .arg("detail", "the body was refused")
            .arg("method", request.method)
            .arg("what", "the receiver stopped the transfer")
            .arg("suffix", "");
    }
    return response;
}

}  // namespace envsmith::core
