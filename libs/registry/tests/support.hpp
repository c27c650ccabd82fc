#pragma once
// Shared by the registry tests: a counting transport wrapper, a small image, and a check that
// no secret leaks into errors or events.

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "envsmith/core/digest.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/net/curl_transport.hpp"
#include "envsmith/registry/client.hpp"
#include "recording_reporter.hpp"

namespace envsmith::registry::testing {

/// Forwards to another transport and counts requests by method; keeps every request.
class CountingTransport final : public core::Transport {
public:
    explicit CountingTransport(core::Transport& inner) : m_inner(inner) {}
    core::Result<core::HttpResponse> send(const core::HttpRequest& request) override {
        requests.push_back(request);
        ++by_method[request.method];
        auto response = m_inner.send(request);
        if (response) {
            statuses.push_back(response->status);
        } else {
            statuses.push_back(0);
        }
        return response;
    }
    [[nodiscard]] std::uint32_t count(const std::string& method) const {
        const auto it = by_method.find(method);
        return it == by_method.end() ? 0U : it->second;
    }
    void clear() {
        requests.clear();
        by_method.clear();
        statuses.clear();
    }
    std::vector<core::HttpRequest> requests;
    std::vector<int> statuses;
    std::map<std::string, std::uint32_t> by_method;

private:
    core::Transport& m_inner;
};

/// The real transport, without waits between retries.
inline net::TransportOptions quick_options() {
    net::TransportOptions options;
    options.max_retries = 1;
    options.connect_timeout_ms = 5'000;
    options.sleep = [](std::chrono::milliseconds) {};
    options.jitter_seed = 1;
    return options;
}

inline Blob make_blob(std::string media_type, std::string bytes) {
    Blob blob;
    blob.descriptor.media_type = std::move(media_type);
    blob.descriptor.digest = core::sha256(bytes);
    blob.descriptor.size = bytes.size();
    blob.bytes = std::move(bytes);
    return blob;
}

inline nlohmann::json descriptor_json(const Descriptor& d) {
    return {{"mediaType", d.media_type}, {"digest", d.digest.to_string()}, {"size", d.size}};
}

/// An OCI image: a config and two layers (distinct per `seed`), and its manifest.
struct SmallImage {
    Blob config;
    std::vector<Blob> layers;
    ImageToPush push;
};

inline SmallImage small_image(const std::string& seed, const std::string& architecture = "amd64",
                              std::string manifest_type = std::string(media_type::oci_manifest)) {
    SmallImage image;
    const bool docker = manifest_type == media_type::docker_manifest;
    nlohmann::json config = {
        {"architecture", architecture},
        {"os", "linux"},
        {"config", {{"Env", {"PATH=/bin"}}, {"Cmd", {"/bin/sh"}}, {"Labels", {{"seed", seed}}}}},
        {"rootfs", {{"type", "layers"}, {"diff_ids", nlohmann::json::array()}}}};
    const auto layer_type = docker ? std::string(media_type::docker_layer_gzip)
                                   : std::string(media_type::oci_layer_gzip);
    image.layers.push_back(make_blob(layer_type, "layer one of " + seed + std::string(300, 'a')));
    image.layers.push_back(make_blob(layer_type, "layer two of " + seed + std::string(700, 'b')));
    for (const auto& layer : image.layers) {
        config["rootfs"]["diff_ids"].push_back(layer.descriptor.digest.to_string());
    }
    image.config = make_blob(docker ? std::string(media_type::docker_config)
                                    : std::string(media_type::oci_config),
                             config.dump());
    nlohmann::json manifest = {{"schemaVersion", 2},
                               {"mediaType", manifest_type},
                               {"config", descriptor_json(image.config.descriptor)},
                               {"layers", nlohmann::json::array()}};
    for (const auto& layer : image.layers) {
        manifest["layers"].push_back(descriptor_json(layer.descriptor));
    }
    image.push.manifest = manifest.dump();
    image.push.manifest_media_type = manifest_type;
    image.push.blobs = {image.config, image.layers[0], image.layers[1]};
    return image;
}

/// Every text of an error: message, args, hint, context.
inline std::vector<std::string> error_texts(const core::Error& error) {
    std::vector<std::string> texts = {error.message, error.hint, error.describe()};
    for (const auto& arg : error.args) {
        texts.push_back(arg.name + "=" + arg.value);
    }
    for (const auto& frame : error.context) {
        texts.push_back(frame);
    }
    return texts;
}

/// Fails the test when `secret` (or its base64 with a user) is in any text.
inline void expect_no_secret(const std::vector<std::string>& texts, const std::string& secret) {
    for (const auto& text : texts) {
        EXPECT_EQ(text.find(secret), std::string::npos) << "secret leaked in: " << text;
    }
}

}  // namespace envsmith::registry::testing
