#include "channels.hpp"

#include <algorithm>

#include "envsmith/specs/match_spec.hpp"

namespace envsmith::api {

index::ChannelConfig channel_config(const NetworkSettings& settings) {
    index::ChannelConfig config;
    if (!settings.channel_alias.empty()) {
        config.channel_alias = settings.channel_alias;
    }
    if (!settings.default_channels.empty()) {
        config.default_channels = settings.default_channels;
    }
    config.mirrors = settings.mirrors;
    return config;
}

std::vector<std::string> channel_texts(const specs::CondaSection& conda) {
    auto texts = conda.channels.empty() ? std::vector<std::string>{"defaults"} : conda.channels;
    for (const auto& text : conda.dependencies) {
        if (auto spec = specs::MatchSpec::parse(text); spec && spec->channel() &&
            std::find(texts.begin(), texts.end(), *spec->channel()) == texts.end()) {
            texts.push_back(*spec->channel());
        }
    }
    return texts;
}

}  // namespace envsmith::api
