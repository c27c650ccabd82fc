#pragma once
// The channels a definition's conda section searches, shared by `check`, `lock` and `create`.

#include <string>
#include <vector>

#include "envsmith/api/network.hpp"
#include "envsmith/index/channel.hpp"
#include "envsmith/specs/definition.hpp"

namespace envsmith::api {

/// The channel configuration the settings give: alias, what `defaults` means, mirrors.
[[nodiscard]] index::ChannelConfig channel_config(const NetworkSettings& settings);

/// The channel texts of a conda section in search order: the listed ones (`defaults` when
/// none), then a channel a spec pins (`pytorch::pytorch`) that the list lacks, as conda does.
[[nodiscard]] std::vector<std::string> channel_texts(const specs::CondaSection& conda);

}  // namespace envsmith::api
