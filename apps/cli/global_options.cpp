#include <cstdlib>
#include <stdexcept>

#include "commands/commands.hpp"

namespace envsmith::cli {

namespace {
std::string_view env(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr ? std::string_view{} : std::string_view(value);
}
}  // namespace

GlobalOptions::GlobalOptions() {
    output.messages = [this] { return &messages(); };
}

const diag::Messages& GlobalOptions::messages() const {
    if (!m_messages) {
        const auto language = diag::pick_language(lang, env("LC_ALL"), env("LC_MESSAGES"), env("LANG"));
        auto loaded = diag::Messages::load_builtin(language);
        if (!loaded) {
            // The catalogs are compiled in and tested; failing to load them is a bug.
            throw std::logic_error("built-in message catalogs are broken: " + loaded.error().describe());
        }
        m_messages = std::make_unique<diag::Messages>(std::move(*loaded));
    }
    return *m_messages;
}

}  // namespace envsmith::cli
