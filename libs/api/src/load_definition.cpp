#include "envsmith/api/load_definition.hpp"


#include <algorithm>
#include <fmt/format.h>
#include <set>

#include "definition_paths.hpp"
#include "envsmith/core/text.hpp"
#include "envsmith/specs/azureml.hpp"
#include "envsmith/specs/environment_yml.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/requirements_txt.hpp"

namespace envsmith::api {

namespace {

using detail::is_url;
using detail::resolve_beside;
using detail::selector_matches;

class Loader {
public:
    Loader(core::FileSystem& fs, const LoadOptions& options) : m_fs(fs), m_options(options) {}

    core::Result<std::string> read(const std::string& path) {
        auto text = m_fs.read_file(path);
        if (text) {
            m_files.push_back(path);
        }
        return text;
    }

    core::Result<LoadedDefinition> load() {
        auto text = read(m_options.path);
        if (!text) {
            return std::move(text).error();
        }
        const auto kind = specs::detect_input_kind(*text, m_options.path);
        specs::Definition definition;
        core::Status status;
        switch (kind) {
            case specs::InputKind::azureml_environment:
                status = load_azureml(*text, definition);
                break;
            case specs::InputKind::conda_environment:
                status = load_environment_yml(*text, m_options.path, definition);
                definition.source_kind = specs::SourceKind::conda_environment;
                break;
            case specs::InputKind::requirements_txt:
                status = load_requirements(*text, definition);
                break;
            case specs::InputKind::conda_lock:
            case specs::InputKind::explicit_lock:
                return detail::lock_not_definition(m_options.path, "lock files are installed as they are by `envsmith create` and "
                               "`envsmith build`; `show` reads definitions");
            case specs::InputKind::unknown:
                return detail::unknown_definition_kind(m_options.path);
        }
        if (!status) {
            return std::move(status).error();
        }
        if (definition.os_type.empty()) {
            definition.os_type = "linux";
        }
        if (!m_options.platform.empty()) {
            definition.platform = m_options.platform;
        } else if (definition.platform.empty()) {
            definition.platform = host_platform();
        }
        if (definition.prefix_name.empty()) {
            definition.prefix_name = definition.name.empty() ? "env" : definition.name;
        }
        filter_selectors(definition);
        LoadedDefinition loaded{std::move(definition), {}, std::move(m_warnings), std::move(m_files)};
        loaded.hash = specs::definition_hash(loaded.definition);
        return loaded;
    }

private:
    core::Status load_azureml(const std::string& text, specs::Definition& definition) {
        auto parsed = specs::parse_azureml_environment(text, m_options.path);
        if (!parsed) {
            return std::move(parsed).error();
        }
        auto& env = *parsed;
        append_warnings(env.warnings);
        definition.source_kind = specs::SourceKind::azureml;
        definition.name = env.name;
        definition.version = env.version;
        definition.description = env.description;
        definition.tags = env.tags;
        definition.platform = env.platform;
        definition.os_type = std::string(specs::to_string(env.os_type));
        definition.user_managed_dependencies = env.user_managed_dependencies;
        definition.environment_variables = env.environment_variables;
        if (!env.layering.strategy.empty()) {
            definition.layering = env.layering.strategy;
            for (const auto& group : env.layering.groups) {
                definition.layering += fmt::format(";{}={}", group.name, core::join(group.packages, ","));
            }
        }
        if (env.spark) {
            definition.spark = specs::SparkSection{env.spark->packages, env.spark->repositories,
                                                   env.spark->precache_packages};
        }
        if (!env.image.empty()) {
            auto ref = specs::ImageRef::parse(env.image);
            if (!ref) {
                const auto* where = env.location_of("image");
                return where ? std::move(ref).error().within(*where) : std::move(ref).error();
            }
            definition.image = ref->to_string();
        }
        if (env.conda_file) {
            if (const auto* path = std::get_if<std::string>(&*env.conda_file)) {
                const auto conda_path = resolve_beside(m_options.path, *path);
                auto conda_text = read(conda_path);
                if (!conda_text) {
                    core::Error error = std::move(conda_text).error().with_context(
                        fmt::format("reading the conda file of `{}`", m_options.path));
                    if (const auto* where = env.location_of("conda_file")) {
                        static_cast<void>(std::move(error).within(*where));  // in place
                    }
                    return error;
                }
                if (auto status = load_environment_yml(*conda_text, conda_path, definition); !status) {
                    return status;
                }
            } else {
                if (auto status = apply_environment_yml(std::get<specs::EnvironmentYml>(*env.conda_file),
                                                        m_options.path, definition);
                    !status) {
                    return status;
                }
            }
        }
        if (env.build) {
            auto status = load_build_context(*env.build, env.location_of("build.path"), definition);
            if (!status) {
                return status;
            }
        }
        if (!env.name.empty()) {
            definition.prefix_name = env.name;
        }
        return {};
    }

    core::Status load_environment_yml(const std::string& text, const std::string& file,
                                      specs::Definition& definition) {
        auto parsed = specs::parse_environment_yml(text, file);
        if (!parsed) {
            return std::move(parsed).error();
        }
        append_warnings(parsed->warnings);
        return apply_environment_yml(*parsed, file, definition);
    }

    core::Status apply_environment_yml(const specs::EnvironmentYml& env, const std::string& file,
                                       specs::Definition& definition) {
        if (definition.name.empty()) {
            definition.name = env.name;
        }
        if (definition.prefix_name.empty()) {
            definition.prefix_name = env.name;
        }
        specs::CondaSection conda;
        conda.channels = env.channels;
        for (const auto& [key, value] : env.variables) {
            conda.variables[key] = value;
        }
        for (const auto& dependency : env.dependencies) {
            auto spec = specs::MatchSpec::parse(dependency.text);
            if (!spec) {
                return std::move(spec).error().within(dependency.location);
            }
            m_selectors.emplace_back(spec->to_string(), dependency.selector);
            conda.dependencies.push_back(spec->to_string());
        }
        definition.conda = std::move(conda);
        if (!env.pip.empty()) {
            // A pip list is a requirements file whose lines are the list's entries; pip reads
            // it that way (options such as `-r` and `--index-url` are allowed there too).
            // Errors on line k of that text belong to entry k, at its place in the YAML.
            std::string text;
            for (const auto& entry : env.pip) {
                std::string line = entry.text;
                std::replace(line.begin(), line.end(), '\n', ' ');
                text += line + "\n";
            }
            auto parsed = parse_requirements_text(text, file);
            if (!parsed) {
                core::Error error = std::move(parsed).error();
                if (error.where && error.where->file == file && error.where->line >= 1 &&
                    error.where->line <= env.pip.size()) {
                    const auto& entry = env.pip[error.where->line - 1].location;
                    error.where->column = entry.column + error.where->column - 1;
                    error.where->line = entry.line;
                    error.where->line_text = entry.line_text;
                }
                return error;
            }
            specs::PipSection pip;
            merge_requirements(*parsed, pip);
            definition.pip = std::move(pip);
        }
        return {};
    }

    core::Status load_requirements(const std::string& text, specs::Definition& definition) {
        definition.source_kind = specs::SourceKind::requirements;
        auto parsed = parse_requirements_text(text, m_options.path);
        if (!parsed) {
            return std::move(parsed).error();
        }
        specs::PipSection pip;
        merge_requirements(*parsed, pip);
        definition.pip = std::move(pip);
        return {};
    }

    /// `file` names the text in errors; `-r`/`-c` targets resolve beside the including file.
    core::Result<specs::RequirementsFile> parse_requirements_text(std::string_view text,
                                                                  const std::string& file) {
        specs::RequirementsContext context;
        context.environment.insert(m_options.environment.begin(), m_options.environment.end());
        context.load_include = [this](std::string_view including, std::string_view target)
            -> core::Result<std::string> {
            if (is_url(target)) {
                return core::make_error(core::ErrorCode::invalid_input, "requirements.remote_include",
                                        fmt::format("cannot include `{}`: remote requirement "
                                                    "files are not read",
                                                    target))
                    .arg("target", std::string(target))
                    .with_hint("download the file and include it by path");
            }
            return read(resolve_beside(std::string(including), target));
        };
        return specs::parse_requirements_txt(text, file, context);
    }

    static void merge_requirements(const specs::RequirementsFile& file, specs::PipSection& pip) {
        auto convert = [](const specs::RequirementEntry& entry) {
            specs::PipRequirement out;
            out.requirement = entry.requirement ? entry.requirement->to_string() : entry.text;
            out.hashes = entry.hashes;
            out.editable = entry.editable == specs::Editable::yes;
            return out;
        };
        for (const auto& entry : file.requirements) {
            pip.requirements.push_back(convert(entry));
        }
        for (const auto& entry : file.constraints) {
            pip.constraints.push_back(convert(entry));
        }
        using Kind = specs::RequirementsOptionKind;
        auto append = [&file](std::vector<std::string>& to, Kind kind) {
            const auto values = file.values(kind);
            to.insert(to.end(), values.begin(), values.end());
        };
        if (const auto index = file.index_url(); !index.empty()) {
            pip.index_url = index;
        }
        append(pip.extra_index_urls, Kind::extra_index_url);
        append(pip.find_links, Kind::find_links);
        append(pip.trusted_hosts, Kind::trusted_host);
        append(pip.only_binary, Kind::only_binary);
        append(pip.no_binary, Kind::no_binary);
        pip.no_index = pip.no_index || file.has(Kind::no_index);
        pip.pre = pip.pre || file.has(Kind::pre);
        pip.require_hashes = pip.require_hashes || file.has(Kind::require_hashes);
        pip.prefer_binary = pip.prefer_binary || file.has(Kind::prefer_binary);
    }

    core::Status load_build_context(const specs::DockerBuild& build, const core::SourceLocation* where,
                                    specs::Definition& definition) {
        specs::BuildSection section;
        section.context_path = build.path;
        section.dockerfile_path = build.dockerfile_path;
        if (is_url(build.path)) {
            // A remote context (git URL) is identified by its URL; the engine fetches it.
            section.context_digest = core::sha256(build.path).to_string();
            definition.build = std::move(section);
            return {};
        }
        const auto root = resolve_beside(m_options.path, build.path);
        if (m_fs.kind(root) != core::FileKind::directory) {
            core::Error error = core::make_error(core::ErrorCode::not_found, "definition.build_context_missing",
                                          fmt::format("the build context `{}` is not a folder", root))
                             .arg("path", root)
                             .with_hint("`build.path` is relative to the environment YAML");
            if (where != nullptr) {
                static_cast<void>(std::move(error).within(*where));  // in place
            }
            return error;
        }
        auto dockerfile = read(root + "/" + build.dockerfile_path);
        if (!dockerfile) {
            return std::move(dockerfile).error().with_context("reading the Dockerfile of the build context");
        }
        section.dockerfile_digest = core::sha256(*dockerfile).to_string();
        core::Hasher context(core::DigestAlgorithm::sha256);
        if (auto status = hash_tree(root, "", context); !status) {
            return status;
        }
        section.context_digest = context.finish().to_string();
        definition.build = std::move(section);
        return {};
    }

    /// Feeds every entry under `root/relative`, in sorted order, into `hasher`: its path, its
    /// kind, and for files the sha256 of the content. Same tree, same digest, on any machine.
    core::Status hash_tree(const std::string& root, const std::string& relative, core::Hasher& hasher) {
        const auto dir = relative.empty() ? root : root + "/" + relative;
        auto names = m_fs.list_directory(dir);
        if (!names) {
            return std::move(names).error();
        }
        for (const auto& name : *names) {
            const auto rel = relative.empty() ? name : relative + "/" + name;
            const auto full = root + "/" + rel;
            switch (m_fs.kind(full)) {
                case core::FileKind::directory:
                    hasher.update(fmt::format("d {}\n", rel));
                    if (auto status = hash_tree(root, rel, hasher); !status) {
                        return status;
                    }
                    break;
                case core::FileKind::regular: {
                    auto content = m_fs.read_file(full);
                    if (!content) {
                        return std::move(content).error();
                    }
                    hasher.update(fmt::format("f {} {}\n", rel, core::sha256(*content).hex));
                    break;
                }
                default:
                    hasher.update(fmt::format("o {}\n", rel));
                    break;
            }
        }
        return {};
    }

    void filter_selectors(specs::Definition& definition) const {
        if (!definition.conda) {
            return;
        }
        std::multiset<std::string> dropped;
        for (const auto& [spec, selector] : m_selectors) {
            if (!selector_matches(selector, definition.platform)) {
                dropped.insert(spec);
            }
        }
        auto& deps = definition.conda->dependencies;
        deps.erase(std::remove_if(deps.begin(), deps.end(),
                                  [&dropped](const std::string& spec) {
                                      const auto it = dropped.find(spec);
                                      if (it == dropped.end()) {
                                          return false;
                                      }
                                      dropped.erase(it);
                                      return true;
                                  }),
                   deps.end());
    }

    void append_warnings(const std::vector<core::Error>& warnings) {
        m_warnings.insert(m_warnings.end(), warnings.begin(), warnings.end());
    }

    core::FileSystem& m_fs;
    const LoadOptions& m_options;
    std::vector<std::string> m_files;
    std::vector<core::Error> m_warnings;
    std::vector<std::pair<std::string, std::string>> m_selectors;  // canonical spec, selector
};

}  // namespace

core::Result<LoadedDefinition> load_definition(core::FileSystem& fs, const LoadOptions& options) {
    Loader loader(fs, options);
    return loader.load();
}

}  // namespace envsmith::api
