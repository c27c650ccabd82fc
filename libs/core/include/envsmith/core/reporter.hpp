#pragma once
// The library reports events and never prints. The CLI renders them (progress bars on a TTY
// only, NO_COLOR respected), the server turns them into JSON events, tests record them.

#include <cstdint>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::core {

class Reporter {
public:
    virtual ~Reporter() = default;
    /// A pipeline phase ("parse", "lint", "index", ...) starts or ends.
    virtual void on_phase_start(std::string_view /*phase*/) {}
    virtual void on_phase_end(std::string_view /*phase*/, std::uint64_t /*elapsed_ms*/) {}
    virtual void on_download_progress(std::string_view /*url*/, std::uint64_t /*done_bytes*/,
                                      std::uint64_t /*total_bytes*/) {}
    /// A warning in catalog form: the id keys the translation, args fill its placeholders,
    /// `text` is the English fallback.
    virtual void on_warning(std::string_view /*message_id*/, std::string_view /*text*/,
                            const std::vector<MessageArg>& /*args*/) {}
    /// A line for the build log, already without timestamp and phase.
    virtual void on_log_line(std::string_view /*phase*/, std::string_view /*text*/) {}
};

/// Drops every event.
class NullReporter final : public Reporter {};

}  // namespace envsmith::core
