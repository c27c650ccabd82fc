// Every message id the code can put into an error or a warning has a text in the catalogs.
//
// The test reads the sources of the layers (ENVSMITH_SOURCE_DIR) the way a reviewer would:
// comments are dropped, string literals are kept whole, and the code is cut into statements.
// A literal shaped like an id (`spec.version.invalid`) is a message id when it is the first
// such literal after one of the places ids are handed over:
//   make_error(code, "id", ...)        on_warning("id", ...)       x.error_at(node, "id", ...)
//   scope.error(pos, "id", ...)        input.unknown_key(k, key, "id", ...)
//   ref_error("id", ...) and any other `*_error(` helper          HostProblem{"id", ...}
//   {ErrorCode::x, "id", ...}          some_id = "id";  id = c ? "a" : "b";
//   messages.render("id", ...)         error.message_id == "id"
// (`a ? "x" : "y"` counts both literals). Ids built from pieces are found too: a literal
// `"{}.suffix"` in such a statement is joined to every prefix the code hands to those helpers
// (`.id_prefix = "env.yml"`, `entries(node, "azureml")`).

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <re2/re2.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "envsmith/diag/messages.hpp"
#include "envsmith/specs/azureml.hpp"
#include "envsmith/specs/environment_yml.hpp"
#include "envsmith/specs/image_ref.hpp"
#include "envsmith/specs/match_spec.hpp"
#include "envsmith/specs/pep440.hpp"
#include "envsmith/specs/pep508.hpp"
#include "envsmith/specs/requirements_txt.hpp"
#include "envsmith/specs/wheel.hpp"
#include "matchers.hpp"

namespace envsmith::diag {
namespace {

namespace stdfs = std::filesystem;

/// The folders whose code raises errors and warnings, below the source root.
constexpr std::string_view scanned_dirs[] = {
    "libs/core",  "libs/specs",   "libs/archive", "libs/net",  "libs/index", "libs/solver",
    "libs/install", "libs/image", "libs/registry", "libs/api", "libs/diag",  "apps/cli"};


/// One source file without its comments and preprocessor lines, and with every string literal
/// replaced by `"#N"`, N indexing `literals` (so braces and semicolons in literals do not count).
struct MaskedSource {
    std::string code;
    std::vector<std::string> literals;
};

MaskedSource mask(const std::string& text) {
    MaskedSource out;
    std::size_t i = 0;
    bool line_start = true;
    while (i < text.size()) {
        const char c = text[i];
        if (line_start && c == '#') {  // a preprocessor line: `#include "x.hpp"` is no id
            while (i < text.size() && text[i] != '\n') {
                ++i;
            }
            continue;
        }
        line_start = c == '\n' || (line_start && (c == ' ' || c == '\t'));
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
            while (i < text.size() && text[i] != '\n') {
                ++i;
            }
            continue;
        }
        if (c == '/' && i + 1 < text.size() && text[i + 1] == '*') {
            const auto end = text.find("*/", i + 2);
            i = end == std::string::npos ? text.size() : end + 2;
            out.code += ' ';
            continue;
        }
        if (c == 'R' && i + 1 < text.size() && text[i + 1] == '"') {  // R"delim( ... )delim"
            const auto open = text.find('(', i + 2);
            if (open != std::string::npos) {
                const auto closing = ")" + text.substr(i + 2, open - i - 2) + "\"";
                const auto end = text.find(closing, open + 1);
                if (end != std::string::npos) {
                    out.code += "\"#" + std::to_string(out.literals.size()) + "\"";
                    out.literals.push_back(text.substr(open + 1, end - open - 1));
                    i = end + closing.size();
                    continue;
                }
            }
        }
        if (c == '\'') {  // a character literal: '"' must not open a string
            const auto end =
                text.find('\'', i + 1 + (i + 1 < text.size() && text[i + 1] == '\\' ? 2 : 1));
            if (end != std::string::npos && end - i <= 8) {
                out.code += "' '";
                i = end + 1;
                continue;
            }
        }
        if (c == '"') {
            std::string literal;
            std::size_t j = i + 1;
            while (j < text.size() && text[j] != '"' && text[j] != '\n') {
                if (text[j] == '\\' && j + 1 < text.size()) {
                    literal += text[j];
                    ++j;
                }
                literal += text[j];
                ++j;
            }
            out.code += "\"#" + std::to_string(out.literals.size()) + "\"";
            out.literals.push_back(std::move(literal));
            i = j + 1;
            continue;
        }
        out.code += c;
        ++i;
    }
    return out;
}

/// The message ids found in the sources, each with the first file that raises it.
struct FoundIds {
    std::map<std::string, std::string> ids;
    std::set<std::string> formatted_suffixes;  // ".bad_key" from "{}.bad_key"
    std::set<std::string> prefixes;            // "env.yml"
};

void scan_file(const stdfs::path& path, const std::string& display, FoundIds& found) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    const auto source = mask(buffer.str());

    static const RE2 id_shape(R"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)");
    static const RE2 formatted_shape(R"(\{\}(\.[a-z0-9_]+)+)");
    // Where an id is handed over; the id is the first id-shaped literal after the match.
    static const RE2 handover(
        R"(((?:\bmake_error|\bon_warning|\berror_at|\berror|\bunknown_key|\w+_error|\brender)\s*\()"
        R"(|\w*Problem\s*\{)"
        R"(|\{\s*(?:core::)?ErrorCode::\w+\s*,)"
        R"(|\b\w*(?:_id|\bid)\s*=[^=])"
        R"(|\bmessage_id\s*[!=]=))");
    static const RE2 any_literal(R"re(("#(\d+)"))re");
    static const RE2 ternary_rest(R"re(^\s*:\s*"#(\d+)")re");
    static const RE2 prefix_handover(
        R"re((?:\bid_prefix\s*=\s*|\bentries\s*\([^;]*?,\s*)"#(\d+)")re");

    auto literal_at = [&](std::string_view code, std::size_t from, std::size_t& end) -> int {
        re2::StringPiece rest(code.data() + from, code.size() - from);
        re2::StringPiece match;
        std::string index;
        while (RE2::PartialMatch(rest, any_literal, &match, &index)) {
            const auto n = std::stoi(index);
            end = static_cast<std::size_t>(match.data() + match.size() - code.data());
            if (RE2::FullMatch(source.literals[static_cast<std::size_t>(n)], id_shape) ||
                RE2::FullMatch(source.literals[static_cast<std::size_t>(n)], formatted_shape)) {
                return n;
            }
            rest.remove_prefix(static_cast<std::size_t>(match.data() + match.size() - rest.data()));
        }
        return -1;
    };
    auto record = [&](int n) {
        const auto& literal = source.literals[static_cast<std::size_t>(n)];
        if (literal.starts_with("{}")) {
            found.formatted_suffixes.insert(literal.substr(2));
        } else {
            found.ids.emplace(literal, display);
        }
    };

    // Statements: cut at `;` and `}` (literals are masked, so theirs do not count). `{` does
    // not cut, so `HostProblem{"id"` and `{ErrorCode::x, "id"` stay in one piece.
    const std::string& code = source.code;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= code.size(); ++i) {
        const bool end_of_statement = i == code.size() || code[i] == ';' || code[i] == '}';
        if (!end_of_statement) {
            continue;
        }
        const std::string_view statement(code.data() + start, i - start);
        re2::StringPiece rest(statement.data(), statement.size());
        re2::StringPiece match;
        while (RE2::PartialMatch(rest, handover, &match)) {
            // One back: `id = "x"` matches up to the character after `=`, maybe the quote.
            const auto after =
                static_cast<std::size_t>(match.data() + match.size() - 1 - statement.data());
            std::size_t end = 0;
            const int n = literal_at(statement, after, end);
            if (n >= 0) {
                record(n);
                std::string next;
                re2::StringPiece tail(statement.data() + end, statement.size() - end);
                if (RE2::PartialMatch(tail, ternary_rest, &next)) {
                    record(std::stoi(next));
                }
            }
            rest = re2::StringPiece(statement.data() + after, statement.size() - after);
        }
        re2::StringPiece prefixes(statement.data(), statement.size());
        std::string index;
        while (RE2::FindAndConsume(&prefixes, prefix_handover, &index)) {
            found.prefixes.insert(source.literals[static_cast<std::size_t>(std::stoi(index))]);
        }
        start = i + 1;
    }
}

FoundIds scan_sources() {
    FoundIds found;
    const stdfs::path root = ENVSMITH_SOURCE_DIR;
    for (const auto dir : scanned_dirs) {
        if (!stdfs::exists(root / dir)) {
            continue;
        }
        for (const auto& entry : stdfs::recursive_directory_iterator(root / dir)) {
            const auto& path = entry.path();
            const auto relative = stdfs::relative(path, root).generic_string();
            if (!entry.is_regular_file() || relative.find("/tests/") != std::string::npos) {
                continue;
            }
            const auto ext = path.extension().string();
            if (ext == ".cpp" || ext == ".hpp" || ext == ".h") {
                scan_file(path, relative, found);
            }
        }
    }
    for (const auto& prefix : found.prefixes) {
        for (const auto& suffix : found.formatted_suffixes) {
            found.ids.emplace(prefix + suffix,
                              "(built from `" + prefix + "` and `{}" + suffix + "`)");
        }
    }
    return found;
}

TEST(ErrorIdsTest, TheScanFindsTheIdsOfEveryKindOfHandover) {
    const auto found = scan_sources();
    for (const auto* id : {"spec.match_spec.invalid",  // constexpr spec_id = "..."
                           "image_ref.bad_host",       // HostProblem{"...", ...}
                           "network.dns",              // {ErrorCode::unavailable, "...", ...}
                           "network.forbidden",        // id = c ? "..." : "..."
                           "network.storage_forbidden", "fs.not_found",
                           "fs.read_failed",         // make_error(c, e ? "..." : "...")
                           "net.retry",              // on_warning("...", ...)
                           "requirements.bad_hash",  // scope.error(pos, "...", ...)
                           "azureml.unknown_key",    // unknown_key(k, key, "...", ...)
                           "env.yml.not_mapping", "azureml.duplicate_key",  // built from pieces
                           "doctor.root_cause"}) {  // messages.render("...", ...)
        EXPECT_EQ(found.ids.count(id), 1U) << id;
    }
    // Literals that only look like ids are not taken.
    for (const auto* not_id : {"environment.yml", "build.path", "os.name", "layering.name"}) {
        EXPECT_EQ(found.ids.count(not_id), 0U) << not_id;
    }
}

TEST(ErrorIdsTest, EveryIdTheCodeRaisesHasAnEnglishText) {
    const auto english = MessageCatalog::load_builtin("en");
    ASSERT_THAT(english, test::Succeeds());
    const auto found = scan_sources();
    ASSERT_GE(found.ids.size(), 80U) << "the scan found too few ids; is ENVSMITH_SOURCE_DIR right?";
    std::string missing;
    for (const auto& [id, file] : found.ids) {
        if (english->find(id) == nullptr) {
            missing += "\n  " + id + "  (" + file + ")";
        }
    }
    EXPECT_TRUE(missing.empty()) << "message ids without an English text in locale/en/*.yaml:"
                                 << missing;
}

TEST(ErrorIdsTest, EveryLanguageHasTheTextsOfTheIdsWithTheSamePlaceholders) {
    const auto english = MessageCatalog::load_builtin("en");
    ASSERT_THAT(english, test::Succeeds());
    const auto found = scan_sources();
    for (const auto& language : supported_languages()) {
        SCOPED_TRACE(language);
        const auto catalog = MessageCatalog::load_builtin(language);
        ASSERT_THAT(catalog, test::Succeeds());
        for (const auto& [id, file] : found.ids) {
            const auto* source = english->find(id);
            if (source == nullptr) {
                continue;  // reported by the test above
            }
            const auto* text = catalog->find(id);
            ASSERT_NE(text, nullptr) << id << " has no text";
            EXPECT_EQ(placeholders(*text), placeholders(*source)) << id;
        }
    }
}

/// The English text of an error's id, filled with its args, is its English message: the args
/// carry every piece the message was built from.
void expect_english_text_matches(const core::Error& error) {
    static const auto english = MessageCatalog::load_builtin("en");
    ASSERT_THAT(english, test::Succeeds());
    SCOPED_TRACE(error.message_id);
    const auto* text = english->find(error.message_id);
    ASSERT_NE(text, nullptr);
    EXPECT_EQ(fill_template(*text, error.args), error.message);
}

template <typename T>
void expect_fails_with_matching_text(const core::Result<T>& result) {
    ASSERT_FALSE(result.has_value());
    expect_english_text_matches(result.error());
}

TEST(ErrorIdsTest, EnglishTextsRebuildTheMessagesFromTheArgs) {
    expect_fails_with_matching_text(specs::MatchSpec::parse("numpy >=1.26,<<2"));
    expect_fails_with_matching_text(specs::Pep440Version::parse("1.0+"));
    expect_fails_with_matching_text(specs::SpecifierSet::parse(">=1.0,<"));
    expect_fails_with_matching_text(specs::Requirement::parse("numpy >= "));
    expect_fails_with_matching_text(specs::Marker::parse("python_version >"));
    expect_fails_with_matching_text(specs::WheelFilename::parse("numpy-1.0.whl"));
    for (const auto* reference : {"", "https://ubuntu:22.04", "ubuntu :22.04", "a\\b", "a//b",
                                  "Ubuntu", "registry.io/registry.io/app", "ubuntu:"}) {
        SCOPED_TRACE(reference);
        expect_fails_with_matching_text(specs::ImageRef::parse(reference));
    }
    expect_fails_with_matching_text(specs::parse_environment_yml("", "environment.yml"));
    expect_fails_with_matching_text(specs::parse_environment_yml("- numpy\n", "environment.yml"));
    expect_fails_with_matching_text(specs::parse_environment_yml("a: [\n", "environment.yml"));
    expect_fails_with_matching_text(
        specs::parse_environment_yml("dependencies:\n  - python: 3.8\n", "environment.yml"));
    expect_fails_with_matching_text(
        specs::parse_environment_yml("channels: {a: b}\n", "environment.yml"));
    expect_fails_with_matching_text(
        specs::parse_environment_yml("channels:\n  - [a]\n", "environment.yml"));
    expect_fails_with_matching_text(
        specs::parse_environment_yml("name: a\nname: b\n", "environment.yml"));
    expect_fails_with_matching_text(specs::parse_azureml_environment("os_type: mac\n", "env.yml"));
    expect_fails_with_matching_text(specs::parse_azureml_environment("[]\n", "env.yml"));
    const auto with_warning =
        specs::parse_azureml_environment("image: ubuntu:22.04\nimgae: x\n", "env.yml");
    ASSERT_THAT(with_warning, test::Succeeds());
    ASSERT_FALSE(with_warning->warnings.empty());
    expect_english_text_matches(with_warning->warnings.front());
    for (const auto* requirements :
         {"numpy --hash=md5\n", "--frobnicate\n", "-r\n", "numpy --index-url x\n",
          "--index-url x y\n", "--hash=sha256:00\n", "-r other.txt\n"}) {
        SCOPED_TRACE(requirements);
        expect_fails_with_matching_text(
            specs::parse_requirements_txt(requirements, "requirements.txt", {}));
    }
}

}  // namespace
}  // namespace envsmith::diag
