#include "errors.hpp"

#include <array>

#include <nlohmann/json.hpp>

#include "envsmith/registry/messages.hpp"

namespace envsmith::registry {
namespace {

using core::ErrorCode;

// The ids the doctor's failure catalogue knows (libs/diag/data/catalog.yaml) are reused:
// registry.auth_required, access_denied, manifest_unknown, name_unknown, invalid_reference,
// unreachable and rate_limited. Keep these texts equal to locale/en/registry.yaml (a test
// compares them).
constexpr std::array<MessageTemplate, 28> templates = {{
    {ErrorCode::permission_denied, "registry.auth_required",
     "the registry `{registry}` answered 401 for `{image}`: {detail}"},
    {ErrorCode::permission_denied, "registry.access_denied",
     "the registry `{registry}` denied access to `{image}` (HTTP {status}): {detail}"},
    {ErrorCode::not_found, "registry.manifest_unknown",
     "the registry `{registry}` has no manifest `{reference}` for `{image}`: {detail}"},
    {ErrorCode::not_found, "registry.name_unknown",
     "the registry `{registry}` has no repository `{repository}`: {detail}"},
    {ErrorCode::not_found, "registry.blob_unknown",
     "the registry `{registry}` has no blob `{digest}` in `{repository}`: {detail}"},
    {ErrorCode::invalid_input, "registry.invalid_reference",
     "the registry `{registry}` rejected the name `{image}`: {detail}"},
    {ErrorCode::unavailable, "registry.unreachable",
     "the registry `{registry}` cannot be reached: {detail}"},
    {ErrorCode::unavailable, "registry.rate_limited",
     "the registry `{registry}` answered 429 (too many requests) to {method} {url}"},
    {ErrorCode::unavailable, "registry.unavailable",
     "the registry `{registry}` answered HTTP {status} to {method} {url}, also after retries"},
    {ErrorCode::unavailable, "registry.http.unexpected",
     "the registry `{registry}` answered HTTP {status} to {method} {url}: {detail}"},
    {ErrorCode::unavailable, "registry.digest_mismatch",
     "{what} from `{registry}` does not match its digest: expected `{expected}`, got `{actual}`"},
    {ErrorCode::invalid_input, "registry.size_mismatch",
     "blob `{digest}`: the manifest says {expected} bytes but the blob has {actual}"},
    {ErrorCode::unavailable, "registry.blob_unreadable",
     "could not read blob `{digest}` from `{path}`: {problem}"},
    {ErrorCode::invalid_input, "registry.blob_missing",
     "the manifest names blob `{digest}`, which is not among the blobs to push"},
    {ErrorCode::invalid_input, "registry.manifest_invalid",
     "the manifest of `{image}` is not valid: {problem}"},
    {ErrorCode::invalid_input, "registry.manifest_blob_unknown",
     "the registry `{registry}` rejected the manifest of `{image}`: it names a blob the "
     "registry does not have ({detail})"},
    {ErrorCode::invalid_input, "registry.digest_invalid",
     "the registry `{registry}` rejected blob `{digest}`: the bytes do not match the digest "
     "({detail})"},
    {ErrorCode::not_found, "registry.platform_unknown",
     "`{image}` has no manifest for platform `{platform}`; it has: {available}"},
    {ErrorCode::invalid_input, "registry.platform_invalid",
     "invalid platform `{platform}`: expected `os/architecture` or `os/architecture/variant`"},
    {ErrorCode::unavailable, "registry.token_failed",
     "the token service of `{registry}` answered HTTP {status}: {detail}"},
    {ErrorCode::unavailable, "registry.token_invalid",
     "the token service of `{registry}` returned no usable token: {problem}"},
    {ErrorCode::unavailable, "registry.challenge_unsupported",
     "the registry `{registry}` asks for the authentication scheme `{scheme}`, which is not "
     "supported (only Basic and Bearer are)"},
    {ErrorCode::invalid_input, "registry.creds_invalid",
     "invalid credentials from {source}: {problem}"},
    {ErrorCode::invalid_input, "registry.docker_config_invalid",
     "`{path}` is not a valid Docker config file: {problem}"},
    {ErrorCode::unavailable, "registry.credential_helper_failed",
     "the credential helper `{helper}` failed for `{registry}`: {problem}"},
    {ErrorCode::unavailable, "registry.credential_helper_missing",
     "the credential helper `{helper}` named for `{registry}` is not installed; trying other "
     "credentials"},
    {ErrorCode::unavailable, "registry.write_failed", "could not write `{path}`: {problem}"},
    {ErrorCode::unavailable, "registry.blob_refetch",
     "blob `{digest}` of `{image}` did not arrive intact ({problem}); fetching it once more"},
}};

}  // namespace

std::span<const MessageTemplate> message_templates() noexcept { return templates; }

namespace detail {

std::string fill(std::string_view id, const std::vector<core::MessageArg>& args) {
    std::string_view text;
    for (const auto& entry : templates) {
        if (entry.id == id) {
            text = entry.text;
        }
    }
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        if (text[i] == '{') {
            const auto close = text.find('}', i);
            if (close != std::string_view::npos) {
                const auto name = text.substr(i + 1, close - i - 1);
                bool found = false;
                for (const auto& arg : args) {
                    if (arg.name == name) {
                        out += arg.value;
                        found = true;
                        break;
                    }
                }
                if (found) {
                    i = close + 1;
                    continue;
                }
            }
        }
        out += text[i];
        ++i;
    }
    return out;
}

core::Error registry_error(std::string_view id, std::vector<core::MessageArg> args) {
    ErrorCode code = ErrorCode::internal;
    for (const auto& entry : templates) {
        if (entry.id == id) {
            code = entry.code;
        }
    }
    core::Error error;
    error.code = code;
    error.message_id = std::string(id);
    error.message = fill(id, args);
    error.args = std::move(args);
    return error;
}

RegistryErrorBody parse_error_body(std::string_view body) {
    RegistryErrorBody out;
    auto json = nlohmann::json::parse(body, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
        return out;
    }
    const auto errors = json.find("errors");
    if (errors == json.end() || !errors->is_array() || errors->empty() ||
        !errors->front().is_object()) {
        return out;
    }
    const auto& first = errors->front();
    if (const auto c = first.find("code"); c != first.end() && c->is_string()) {
        out.code = c->get<std::string>();
    }
    if (const auto m = first.find("message"); m != first.end() && m->is_string()) {
        out.message = m->get<std::string>();
    }
    return out;
}

}  // namespace detail
}  // namespace envsmith::registry
