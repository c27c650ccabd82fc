#pragma once
// conda's explicit environment files, as `conda list --explicit [--md5|--sha256]` and
// conda-lock's `--kind explicit` write them: comment lines, an `@EXPLICIT` line, then one
// package URL per line, optionally followed by `#<md5>` or `#sha256:<hex>`. Text in, values
// out: the caller reads and writes the file. docs/lockfiles.md has the rules.

#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// One package line. The name, version and build come from the file name
/// `<name>-<version>-<build>.conda` (or `.tar.bz2`).
struct ExplicitEntry {
    std::string url;       // without the `#...` hash
    std::string channel;   // the URL up to the subdir: "https://conda.anaconda.org/conda-forge"
    std::string subdir;    // "linux-64", "noarch"
    std::string filename;  // "numpy-1.26.4-py312h8753938_0.conda"
    std::string name;
    std::string version;
    std::string build;
    std::string md5;     // 32 hex digits, or empty
    std::string sha256;  // 64 hex digits, or empty

    friend bool operator==(const ExplicitEntry&, const ExplicitEntry&) = default;
};

struct ExplicitEnv {
    /// From a `# platform: <subdir>` comment before `@EXPLICIT`; empty when there is none.
    std::string platform;
    std::vector<ExplicitEntry> entries;  // in file order

    friend bool operator==(const ExplicitEnv&, const ExplicitEnv&) = default;

    /// Reads an explicit environment file; `source` names it in locations. Blank lines and
    /// `#` comments are skipped anywhere. Every failure is `invalid_input` at file:line:col
    /// with the named arguments `source`, `line` and `column`: a package line before (or
    /// without) `@EXPLICIT` (`spec.explicit.no_marker`), an `@` line other than `@EXPLICIT`
    /// (`spec.explicit.directive`), a URL without a subdir folder or with spaces
    /// (`spec.explicit.url`), a file name that is not `<name>-<version>-<build>` with a
    /// `.conda` or `.tar.bz2` extension (`spec.explicit.filename`), and a hash that is not
    /// 32 (md5) or 64 (sha256) hex digits (`spec.explicit.hash`).
    [[nodiscard]] static core::Result<ExplicitEnv> parse(std::string_view text,
                                                         std::string_view source);
};

/// The file as `conda list --explicit --md5` writes it: a `# platform:` line when the
/// platform is set, `@EXPLICIT`, then one URL per line in the order given, with `#<md5>` when
/// the entry has an md5, else `#sha256:<hex>` when it has a sha256. `ExplicitEnv::parse` of
/// the result gives back every entry (an entry with both hashes keeps only its md5).
[[nodiscard]] std::string to_explicit_text(const ExplicitEnv& env);

}  // namespace envsmith::specs
