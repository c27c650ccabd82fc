#pragma once
// Conda package versions, ordered exactly as conda's `VersionOrder` orders them
// (conda/models/version.py). A version is split into an epoch (`1!`), a main part and an
// optional local part (`+`). Each part is a list of components separated by `.` or `_`, and
// each component is a list of atoms: runs of digits (numbers), runs of `*`, and runs of other
// characters (strings). `dev` sorts below every string, `post` above every number, strings
// below numbers, and missing atoms or components count as the number 0, so `1.1 == 1.1.0`.

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "envsmith/core/result.hpp"

namespace envsmith::specs {

/// One atom of a version component.
struct VersionAtom {
    enum class Kind : std::uint8_t {
        text,      // lowercase letters and `_`; `dev` is stored as "DEV" so it sorts first
        number,    // decimal digits without leading zeros ("0" for zero); any length
        infinity,  // the string `post`, which sorts above every number
    };
    Kind kind = Kind::number;
    std::string value;

    friend bool operator==(const VersionAtom&, const VersionAtom&) = default;
};

using VersionComponent = std::vector<VersionAtom>;

class CondaVersion {
public:
    /// The version `0`.
    CondaVersion();

    /// Parses a version with conda's rules: surrounding whitespace is dropped, letters are
    /// lowercased, and `-` counts as `_` when the text has no `_`. Fails with
    /// `spec.version.invalid` naming the column for empty text, characters outside
    /// `[A-Za-z0-9.+!_*]`, a non-numeric or repeated epoch, a repeated `+`, or an empty
    /// component (`1..2`, `1+`).
    [[nodiscard]] static core::Result<CondaVersion> parse(std::string_view text);

    /// The normalised text: trimmed, lowercase, `-` replaced by `_` where conda does so.
    [[nodiscard]] const std::string& to_string() const noexcept { return m_text; }

    /// The parsed main part (epoch first) formatted like Python's repr of conda's
    /// `VersionOrder(v).version`, e.g. `[[0], [1], [2, 'g'], [0, 'beta', 15]]`.
    [[nodiscard]] std::string structure() const;

    /// The epoch followed by the main components; the local part is separate.
    [[nodiscard]] const std::vector<VersionComponent>& components() const noexcept {
        return m_version;
    }
    [[nodiscard]] const std::vector<VersionComponent>& local() const noexcept { return m_local; }
    [[nodiscard]] bool has_local() const noexcept { return !m_local.empty(); }

    /// conda's `VersionOrder.startswith`: whether this version matches `prefix.*`. The last
    /// atom of `prefix` may be a string prefix: `1.2alpha` starts with `1.2a`. A prefix with
    /// a local part compares the main parts for equality and the local parts by prefix.
    [[nodiscard]] bool starts_with(const CondaVersion& prefix) const;

    /// conda's `~=` (compatible release): `*this >= base` and this version starts with `base`
    /// minus its last `.`-separated piece. False when `base` has no `.` to drop.
    [[nodiscard]] bool compatible_with(const CondaVersion& base) const;

    /// conda's total order; versions that differ only in trailing zeros compare equal.
    friend std::weak_ordering operator<=>(const CondaVersion& a, const CondaVersion& b);
    friend bool operator==(const CondaVersion& a, const CondaVersion& b);

private:
    std::string m_text;
    std::vector<VersionComponent> m_version;  // epoch, then the main components
    std::vector<VersionComponent> m_local;
};

}  // namespace envsmith::specs
