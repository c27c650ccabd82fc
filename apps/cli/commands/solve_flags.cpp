#include "solve_flags.hpp"

#include <fmt/format.h>

namespace envsmith::cli {

void SolveFlags::add_to(CLI::App& cmd, api::LockOptions& options) {
    cmd.add_option("--channel-priority", m_priority, "strict, flexible or disabled")
        ->check(CLI::IsMember({"strict", "flexible", "disabled"}))
        ->capture_default_str();
    m_python = cmd.add_option("--python", options.python,
                   "Target Python X.Y for a definition with pip requirements and no conda section")
        ->capture_default_str();
    cmd.add_option("--index-url", options.index_url, "PyPI simple index replacing the definition's --index-url");
    cmd.add_flag("--no-pip-dependency", m_no_pip,
                 "Do not add pip to python's dependencies (conda's add_pip_as_python_dependency: false)");
    cmd.add_option("--channel-alias", m_network.channel_alias,
                   "Base URL for channel names (default https://conda.anaconda.org)");
    cmd.add_option("--cache-dir", m_network.cache_dir,
                   "Cache folder (default: $ENVSMITH_CACHE_DIR, else ~/.cache/envsmith)");
    cmd.add_flag("--offline", m_network.offline, "Use only what is cached");
    cmd.add_flag("--refresh", m_refresh, "Revalidate every cached page with the server");
    cmd.add_option("--config", m_config,
                   "Settings file (default: $ENVSMITH_CONFIG, else ~/.config/envsmith/config.yaml)");
}

core::Status SolveFlags::apply(core::FileSystem& fs, api::LockOptions& options) const {
    options.add_pip_as_python_dependency = !m_no_pip;
    auto network = api::load_network_settings(fs, m_config);
    if (!network) return std::move(network).error();
    options.network = std::move(*network);
    if (!m_network.channel_alias.empty()) options.network.channel_alias = m_network.channel_alias;
    if (!m_network.cache_dir.empty()) options.network.cache_dir = m_network.cache_dir;
    options.network.offline = m_network.offline;
    if (m_refresh) options.network.max_age_s = 0;
    options.channel_priority = m_priority == "strict"     ? api::LockChannelPriority::strict
                               : m_priority == "disabled" ? api::LockChannelPriority::disabled
                                                          : api::LockChannelPriority::flexible;
    return {};
}

void print_explanation(const std::vector<api::ExplanationText>& lines, const diag::Messages& messages) {
    for (const auto& line : lines) {
        fmt::print("{}{}\n", std::string(line.depth * 2 + 2, ' '), messages.render(line.message_id, line.args, line.text));
    }
}

}  // namespace envsmith::cli
