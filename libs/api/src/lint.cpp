#include "envsmith/api/lint.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <set>

#include "definition_paths.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/specs/azureml.hpp"
#include "envsmith/specs/environment_yml.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/requirements_txt.hpp"

namespace envsmith::api {

namespace {

using detail::is_url;
using detail::resolve_beside;
using detail::selector_matches;

/// Serves edited texts in place of some files, the rest from the real port; never writes.
class OverlayFileSystem final : public core::FileSystem {
public:
    OverlayFileSystem(core::FileSystem& base, const std::map<std::string, std::string>& edited)
        : m_base(base), m_edited(edited) {}

    core::Result<std::string> read_file(const std::string& path) override {
        const auto it = m_edited.find(path);
        return it != m_edited.end() ? core::Result<std::string>(it->second) : m_base.read_file(path);
    }
    core::Status write_file(const std::string& path, std::string_view /*content*/) override {
        return core::make_error(core::ErrorCode::internal, "fs.write_failed",
                                fmt::format("cannot write `{}` while checking fixes", path))
            .arg("path", path);
    }
    core::FileKind kind(const std::string& path) override {
        return m_edited.count(path) != 0 ? core::FileKind::regular : m_base.kind(path);
    }
    core::Result<std::vector<std::string>> list_directory(const std::string& path) override {
        return m_base.list_directory(path);
    }
    core::Status create_directories(const std::string& path) override {
        return write_file(path, {});
    }

private:
    core::FileSystem& m_base;
    const std::map<std::string, std::string>& m_edited;
};

/// One pass over a definition: reads, parses and lints. Owns every text and parsed value the
/// findings' inputs point into.
class DefinitionLinter {
public:
    DefinitionLinter(core::FileSystem& fs, const LintOptions& options)
        : m_fs(fs), m_options(options), m_platform(options.platform) {}

    core::Result<LintReport> run() {
        auto text = read(m_options.path);
        if (!text) {
            return std::move(text).error();
        }
        m_text = std::move(*text);
        core::Status status;
        switch (specs::detect_input_kind(m_text, m_options.path)) {
            case specs::InputKind::azureml_environment: status = read_azureml(); break;
            case specs::InputKind::conda_environment:
                status = read_conda_file(m_text, m_options.path, /*name_matters=*/true);
                break;
            case specs::InputKind::requirements_txt: status = read_requirements(); break;
            case specs::InputKind::conda_lock:
            case specs::InputKind::explicit_lock:
                return detail::lock_not_definition(
                    m_options.path, "`envsmith lint` checks definitions; a lock file is already solved");
            case specs::InputKind::unknown:
                return detail::unknown_definition_kind(m_options.path);
        }
        if (!status) {
            return std::move(status).error();
        }
        auto findings = diag::lint_definition(m_input);
        findings.insert(findings.end(), m_extra.begin(), m_extra.end());
        LintReport report;
        report.findings = std::move(findings);
        report.warnings = std::move(m_warnings);
        report.files = std::move(m_files);
        return report;
    }

private:
    core::Result<std::string> read(const std::string& path) {
        auto text = m_fs.read_file(path);
        if (text) {
            m_files.push_back(path);
        }
        return text;
    }

    core::Status read_azureml() {
        auto parsed = specs::parse_azureml_environment(m_text, m_options.path);
        if (!parsed) {
            auto finding = diag::finding_from_parse_error(parsed.error());
            if (!finding) {
                return std::move(parsed).error();
            }
            // Lint what is left: the same file without `build`, so the other rules still run.
            m_extra.push_back(std::move(*finding));
            return read_azureml_without_build();
        }
        m_azureml = std::move(*parsed);
        return use_azureml();
    }

    /// The text with the top-level `build:` mapping blanked out (comment lines keep the line
    /// numbers of everything else), parsed again.
    core::Status read_azureml_without_build() {
        const auto lines = core::split(m_text, '\n');
        std::string text;
        bool in_build = false;
        for (const auto line : lines) {
            if (!line.empty() && line.front() != ' ' && line.front() != '#') {
                in_build = line.starts_with("build:");
            }
            text += in_build ? "#" : "";
            text += line;
            text += "\n";
        }
        text.pop_back();
        auto parsed = specs::parse_azureml_environment(text, m_options.path);
        if (!parsed) {
            return {};  // the image_and_build finding stands alone
        }
        m_azureml = std::move(*parsed);
        m_azureml->build.reset();
        return use_azureml();
    }

    core::Status use_azureml() {
        auto& env = *m_azureml;
        append_warnings(env.warnings);
        m_input.azureml = &env;
        m_input.azureml_file = m_options.path;
        m_input.azureml_text = m_text;
        if (m_platform.empty()) {
            m_platform = env.platform;
        }
        if (env.conda_file) {
            if (const auto* path = std::get_if<std::string>(&*env.conda_file)) {
                m_conda_path = resolve_beside(m_options.path, *path);
                auto conda_text = read(m_conda_path);
                if (!conda_text) {
                    core::Error error = std::move(conda_text).error().with_context(
                        fmt::format("reading the conda file of `{}`", m_options.path));
                    if (const auto* where = env.location_of("conda_file")) {
                        static_cast<void>(std::move(error).within(*where));  // in place
                    }
                    return error;
                }
                m_conda_text = std::move(*conda_text);
                if (auto status = read_conda_file(m_conda_text, m_conda_path, /*name_matters=*/false); !status) {
                    return status;
                }
            } else {
                m_conda = std::get<specs::EnvironmentYml>(*env.conda_file);
                if (auto status = use_conda(m_text, m_options.path, false); !status) {
                    return status;
                }
            }
        }
        if (env.build && !is_url(env.build->path)) {
            const auto root = resolve_beside(m_options.path, env.build->path);
            if (m_fs.kind(root) != core::FileKind::directory) {
                core::Error error = core::make_error(core::ErrorCode::not_found, "definition.build_context_missing",
                                                     fmt::format("the build context `{}` is not a folder", root))
                                        .arg("path", root)
                                        .with_hint("`build.path` is relative to the environment YAML");
                if (const auto* where = env.location_of("build.path")) {
                    static_cast<void>(std::move(error).within(*where));  // in place
                }
                return error;
            }
            m_dockerfile_path = root + "/" + env.build->dockerfile_path;
            auto dockerfile = read(m_dockerfile_path);
            if (!dockerfile) {
                return std::move(dockerfile).error().with_context("reading the Dockerfile of the build context");
            }
            m_dockerfile = std::move(*dockerfile);
            m_input.dockerfile = diag::LintDockerfile{m_dockerfile_path, m_dockerfile};
        }
        return {};
    }

    core::Status read_conda_file(const std::string& text, const std::string& file, bool name_matters) {
        auto parsed = specs::parse_environment_yml(text, file);
        if (!parsed) {
            return std::move(parsed).error();
        }
        m_conda = std::move(*parsed);
        append_warnings(m_conda->warnings);
        return use_conda(text, file, name_matters);
    }

    core::Status use_conda(std::string_view text, const std::string& file, bool name_matters) {
        auto& env = *m_conda;
        // Match specs that do not parse are errors, as for `show`; dependencies for another
        // platform are not this build's.
        for (const auto& dependency : env.dependencies) {
            auto spec = specs::MatchSpec::parse(dependency.text);
            if (!spec) {
                return std::move(spec).error().within(dependency.location);
            }
        }
        std::erase_if(env.dependencies, [this](const specs::CondaDependency& dependency) {
            return !selector_matches(dependency.selector, m_platform);
        });
        if (!env.pip.empty()) {
            auto pip = diag::parse_pip_section(env, file, requirements_context());
            if (!pip) {
                return std::move(pip).error();
            }
            m_pip = std::move(*pip);
        }
        m_conda_file_name = file;
        m_input.conda = diag::LintCondaFile{&env, m_conda_file_name, text, m_pip ? &*m_pip : nullptr, name_matters};
        return {};
    }

    core::Status read_requirements() {
        auto parsed = specs::parse_requirements_txt(m_text, m_options.path, requirements_context());
        if (!parsed) {
            return std::move(parsed).error();
        }
        m_requirements = std::move(*parsed);
        m_input.requirements = &*m_requirements;
        return {};
    }

    specs::RequirementsContext requirements_context() {
        specs::RequirementsContext context;
        context.environment.insert(m_options.environment.begin(), m_options.environment.end());
        context.load_include = [this](std::string_view including, std::string_view target)
            -> core::Result<std::string> {
            if (is_url(target)) {
                return core::make_error(core::ErrorCode::invalid_input, "requirements.remote_include",
                                        fmt::format("cannot include `{}`: remote requirement files are not read",
                                                    target))
                    .arg("target", std::string(target))
                    .with_hint("download the file and include it by path");
            }
            return read(resolve_beside(std::string(including), target));
        };
        return context;
    }

    void append_warnings(const std::vector<core::Error>& warnings) {
        m_warnings.insert(m_warnings.end(), warnings.begin(), warnings.end());
    }

    core::FileSystem& m_fs;
    const LintOptions& m_options;
    std::string m_platform;
    std::string m_text;
    std::string m_conda_path;
    std::string m_conda_text;
    std::string m_conda_file_name;
    std::string m_dockerfile_path;
    std::string m_dockerfile;
    std::optional<specs::AzureMlEnvironment> m_azureml;
    std::optional<specs::EnvironmentYml> m_conda;
    std::optional<specs::RequirementsFile> m_pip;
    std::optional<specs::RequirementsFile> m_requirements;
    diag::LintInput m_input;
    std::vector<diag::LintFinding> m_extra;
    std::vector<core::Error> m_warnings;
    std::vector<std::string> m_files;
};

/// Applies edits to one text, last first so earlier positions stay valid. Identical edits count
/// once; an edit that overlaps one already applied, or that does not fit its line, is skipped.
/// Returns the number applied.
std::size_t apply_edits(std::string& text, std::vector<diag::TextEdit> edits) {
    std::sort(edits.begin(), edits.end(), [](const diag::TextEdit& a, const diag::TextEdit& b) {
        return std::tie(a.line, a.column, a.length, a.replacement) > std::tie(b.line, b.column, b.length, b.replacement);
    });
    edits.erase(std::unique(edits.begin(), edits.end()), edits.end());
    std::vector<std::size_t> line_starts = {0};
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\n') {
            line_starts.push_back(i + 1);
        }
    }
    std::size_t applied = 0;
    auto limit = text.size() + 1;  // edits must end before the start of the one applied last
    for (const auto& edit : edits) {
        if (edit.line == 0 || edit.column == 0 || edit.line > line_starts.size()) {
            continue;
        }
        const auto start = line_starts[edit.line - 1];
        const auto line_end = edit.line < line_starts.size() ? line_starts[edit.line] - 1 : text.size();
        const auto offset = start + edit.column - 1;
        if (offset + edit.length > line_end || offset + edit.length >= limit) {
            continue;
        }
        text.replace(offset, edit.length, edit.replacement);
        limit = offset;
        ++applied;
    }
    return applied;
}

}  // namespace

core::Result<LintReport> lint(core::FileSystem& fs, const LintOptions& options) {
    auto report = DefinitionLinter(fs, options).run();
    if (!report || options.fix == ApplyFixes::no) {
        return report;
    }
    std::map<std::string, std::vector<diag::TextEdit>> edits;
    for (const auto& finding : report->findings) {
        if (finding.fix) {
            edits[finding.fix->file].push_back(*finding.fix);
        }
    }
    if (edits.empty()) {
        return report;
    }
    std::map<std::string, std::string> originals;
    std::map<std::string, std::string> edited;
    std::size_t fixed = 0;
    for (auto& [file, file_edits] : edits) {
        auto text = fs.read_file(file);
        if (!text) {
            return std::move(text).error().with_context("applying lint fixes");
        }
        originals[file] = *text;
        const auto applied = apply_edits(*text, std::move(file_edits));
        if (applied > 0 && *text != originals[file]) {
            edited[file] = std::move(*text);
            fixed += applied;
        }
    }
    // Prove the edited definition still reads before anything is written.
    OverlayFileSystem overlay(fs, edited);
    auto after = DefinitionLinter(overlay, options).run();
    if (!after) {
        const auto& cause = after.error();
        return core::make_error(core::ErrorCode::internal, "lint.fix_broke_parse",
                                fmt::format("`--fix` changed nothing: the fixed definition would not parse: {}",
                                            cause.describe()))
            .arg("file", cause.where ? cause.where->file : options.path)
            .arg("problem", cause.message)
            .arg("cause", cause.describe())
            .with_hint("this is a bug in a lint rule's fix; please report it with the definition");
    }
    std::vector<std::string> written;
    for (const auto& [file, text] : edited) {
        if (auto status = fs.write_file(file, text); !status) {
            for (const auto& done : written) {
                static_cast<void>(fs.write_file(done, originals[done]));  // best effort: restore
            }
            return std::move(status).error().with_context("applying lint fixes");
        }
        written.push_back(file);
    }
    LintReport out = std::move(*after);
    out.files = std::move(report->files);
    out.fixed = fixed;
    out.fixed_files = std::move(written);
    return out;
}

}  // namespace envsmith::api
