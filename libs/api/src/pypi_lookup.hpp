#pragma once
// `check`'s view of the PyPI indexes a definition names: project pages turned into the few
// facts the pip half needs.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "check_pip.hpp"
#include "envsmith/core/filesystem.hpp"
#include "envsmith/core/reporter.hpp"
#include "envsmith/core/transport.hpp"
#include "envsmith/specs/definition.hpp"

namespace envsmith::index {
struct PypiOptions;
}

namespace envsmith::api::detail {

/// The index options of a definition's pip section (`--index-url`, `--extra-index-url`,
/// `--find-links`, `--no-index`); `index_url_override`, when not empty, replaces `--index-url`.
[[nodiscard]] index::PypiOptions pypi_options(const specs::PipSection& pip,
                                              const std::string& index_url_override);

class PypiLookup {
public:
    /// The indexes of `pip` (`--index-url`, `--extra-index-url`, `--find-links`,
    /// `--no-index`); `index_url_override`, when not empty, replaces `--index-url`.
    PypiLookup(core::Transport& transport, core::FileSystem& fs, core::Reporter& reporter,
               const specs::PipSection& pip, const std::string& index_url_override);
    ~PypiLookup();
    PypiLookup(const PypiLookup&) = delete;
    PypiLookup& operator=(const PypiLookup&) = delete;

    /// The merged page of a PEP 503 name; nullopt when no index has it.
    [[nodiscard]] core::Result<std::optional<PipProject>> project(const std::string& name);
    /// Every project name the indexes list on their root page (PEP 503), for suggestions.
    /// pypi.org's list (hundreds of thousands of names) is not fetched; an index that cannot
    /// list its projects adds none. Fetched once.
    [[nodiscard]] const std::vector<std::string>& all_names();
    /// The indexes asked, redacted, for messages.
    [[nodiscard]] std::string index_names() const;

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

}  // namespace envsmith::api::detail
