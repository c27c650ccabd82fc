#include "envsmith/api/registry_check.hpp"

#include "envsmith/registry/client.hpp"
#include "envsmith/registry/credentials.hpp"
#include "envsmith/registry/manifest.hpp"
#include "envsmith/specs/image_ref.hpp"

namespace envsmith::api {

core::Result<RegistryCheckReport> registry_check(core::Transport& transport, core::FileSystem& fs,
                                                 core::Reporter& reporter,
                                                 const RegistryCheckOptions& options) {
    RegistryCheckReport report;
    report.input = options.reference;
    auto ref = specs::ImageRef::parse(options.reference);
    if (!ref) {
        return std::move(ref).error();
    }
    auto platform = registry::parse_platform(options.platform);
    if (!platform) {
        return std::move(platform).error();
    }
    report.normalised = ref->to_string();
    report.familiar = ref->familiar();
    report.registry = ref->registry;
    report.repository = ref->repository;
    report.tag = ref->tag;
    report.digest = ref->digest;
    report.endpoint = registry::registry_base_url(ref->registry, options.insecure_registries);
    report.plain_http = report.endpoint.starts_with("http://");
    report.platform = registry::to_string(*platform);

    registry::CredentialSources sources;
    if (!options.creds.empty()) {
        auto creds = registry::parse_creds(options.creds, "--creds");
        if (!creds) {
            return std::move(creds).error();
        }
        sources.explicit_credentials = std::move(creds).value();
    }
    sources.docker_config_path = options.docker_config;
    auto credentials = registry::resolve_credentials(ref->registry, sources, fs, reporter);
    if (!credentials) {
        return std::move(credentials).error();
    }
    registry::ClientOptions client_options;
    client_options.insecure_registries = options.insecure_registries;
    client_options.credentials = *credentials;
    if (*credentials) {
        report.credentials_source = (*credentials)->source;
    }
    registry::Client client(transport, reporter, std::move(client_options));

    auto record_auth = [&] {
        const auto state = client.auth_state(ref->registry);
        report.auth_scheme = std::string(registry::to_string(state.scheme));
        report.with_credentials = state.with_credentials;
        report.realm = state.realm;
        report.service = state.service;
    };

    const auto ping = client.ping(ref->registry);
    record_auth();
    if (!ping) {
        // A 401 with our credentials is an answer: the registry is reachable.
        report.reachable = ping.error().message_id != "registry.unreachable";
        report.failure = ping.error();
        return report;
    }
    report.reachable = true;
    report.api_version = ping->api_version;

    auto manifest = client.get_manifest(*ref);
    record_auth();
    if (!manifest) {
        report.failure = std::move(manifest).error();
        if (report.failure->message_id == "registry.manifest_unknown" && ref->digest.empty()) {
            // Tell a missing repository from a missing tag, and say which tags exist.
            auto tags = client.list_tags(*ref);
            if (tags) {
                report.tags = std::move(tags).value();
            } else if (tags.error().message_id == "registry.name_unknown") {
                report.failure = std::move(tags).error();
            }
        }
        return report;
    }
    report.manifest_exists = true;
    report.manifest_digest = manifest->digest;
    report.media_type = manifest->content.media_type;
    report.is_index = manifest->content.is_index();
    if (report.is_index) {
        for (const auto& entry : manifest->content.manifests) {
            if (entry.platform) {
                report.platforms.push_back(registry::to_string(*entry.platform));
            }
        }
        auto selected = registry::select_platform(manifest->content, *platform, report.normalised);
        report.platform_found = selected.has_value();
        if (!selected) {
            report.failure = std::move(selected).error();
            return report;
        }
        report.platform_digest = selected->digest.to_string();
    }
    return report;
}

core::Result<RegistryCheckReport> registry_check(core::FileSystem& fs, core::Reporter& reporter,
                                                 const RegistryCheckOptions& options) {
    auto transport = make_transport(options.network, reporter);
    return registry_check(*transport, fs, reporter, options);
}

}  // namespace envsmith::api
