#pragma once
// A core::Reporter that keeps every event, for tests to inspect.

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

#include "envsmith/core/reporter.hpp"

namespace envsmith::test {

class RecordingReporter final : public core::Reporter {
public:
    struct Warning {
        std::string message_id;
        std::string text;
        std::vector<core::MessageArg> args;

        [[nodiscard]] std::string arg(std::string_view name) const {
            for (const auto& a : args) {
                if (a.name == name)
                    return a.value;
            }
            return {};
        }
    };
    struct Progress {
        std::string url;
        std::uint64_t done_bytes = 0;
        std::uint64_t total_bytes = 0;
    };

    void on_download_progress(std::string_view url, std::uint64_t done_bytes,
                              std::uint64_t total_bytes) override {
        const std::lock_guard lock(m_mutex);
        progress.push_back({std::string(url), done_bytes, total_bytes});
    }
    void on_warning(std::string_view message_id, std::string_view text,
                    const std::vector<core::MessageArg>& args) override {
        const std::lock_guard lock(m_mutex);
        warnings.push_back({std::string(message_id), std::string(text), args});
    }

    /// Every text the reporter received, one string per event, for "never contains" checks.
    [[nodiscard]] std::vector<std::string> all_texts() const {
        std::vector<std::string> texts;
        for (const auto& w : warnings) {
            texts.push_back(w.message_id + " " + w.text);
            for (const auto& a : w.args) texts.push_back(a.name + "=" + a.value);
        }
        for (const auto& p : progress) texts.push_back(p.url);
        return texts;
    }

    std::vector<Warning> warnings;
    std::vector<Progress> progress;

private:
    std::mutex m_mutex;
};

}  // namespace envsmith::test
