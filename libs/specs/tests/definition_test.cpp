#include "envsmith/specs/definition.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>

namespace envsmith::specs {
namespace {

Definition sample() {
    Definition d;
    d.name = "demo";
    d.image = "docker.io/library/python:3.11";
    d.platform = "linux-64";
    d.os_type = "linux";
    d.prefix_name = "demo";
    d.conda = CondaSection{{"conda-forge", "bioconda"}, {"python 3.11.*", "numpy >=1.26"}, {}};
    PipSection pip;
    pip.requirements = {{"requests==2.31.0", {"sha256:aa", "sha256:bb"}, false},
                        {"six==1.16.0", {}, false}};
    d.pip = pip;
    return d;
}

TEST(DefinitionTest, HashIsSha256OfCanonicalJson) {
    const auto d = sample();
    EXPECT_EQ(definition_hash(d), core::sha256(canonical_json(d)));
    EXPECT_EQ(definition_hash(d).hex.size(), 64U);
    EXPECT_EQ(canonical_json(d).find('\n'), std::string::npos);
}

TEST(DefinitionTest, OrderWithoutMeaningDoesNotChangeTheHash) {
    const auto base = definition_hash(sample());

    auto reordered = sample();
    std::swap(reordered.conda->dependencies[0], reordered.conda->dependencies[1]);
    std::swap(reordered.pip->requirements[0], reordered.pip->requirements[1]);
    std::swap(reordered.pip->requirements[1].hashes[0], reordered.pip->requirements[1].hashes[1]);
    EXPECT_EQ(definition_hash(reordered), base);

    auto described = sample();
    described.description = "something else";
    described.tags["team"] = "x";
    described.version = "7";
    described.name = "renamed";  // the name is descriptive; prefix_name is what the image uses
    EXPECT_EQ(definition_hash(described), base);
}

TEST(DefinitionTest, HashOrderDoesNotDecideTheOrderOfRequirements) {
    // Two entries for the same requirement (pip's `--hash` options as written, in any order):
    // the written order of each entry's hashes must not decide which entry sorts first.
    const auto with_hashes = [](std::vector<std::string> first, std::vector<std::string> second) {
        Definition d = sample();
        d.pip->requirements = {{"a==1", std::move(first), false}, {"a==1", std::move(second), false}};
        return d;
    };
    const auto written = with_hashes({"sha256:b", "sha256:a"}, {"sha256:a", "sha256:c"});
    const auto sorted = with_hashes({"sha256:a", "sha256:b"}, {"sha256:a", "sha256:c"});
    EXPECT_EQ(canonical_json(written), canonical_json(sorted));
    EXPECT_EQ(definition_hash(written), definition_hash(sorted));
}

TEST(DefinitionTest, EveryChangeOfMeaningChangesTheHash) {
    const auto base = definition_hash(sample());
    const std::vector<std::pair<const char*, std::function<void(Definition&)>>> changes = {
        {"channel order", [](Definition& d) { std::swap(d.conda->channels[0], d.conda->channels[1]); }},
        {"a dependency", [](Definition& d) { d.conda->dependencies[0] = "python 3.12.*"; }},
        {"a pip pin", [](Definition& d) { d.pip->requirements[1].requirement = "six==1.15.0"; }},
        {"a hash", [](Definition& d) { d.pip->requirements[0].hashes.pop_back(); }},
        {"the image", [](Definition& d) { d.image = "docker.io/library/python:3.12"; }},
        {"the image digest", [](Definition& d) { d.image_digest = "sha256:00"; }},
        {"the platform", [](Definition& d) { d.platform = "linux-aarch64"; }},
        {"the prefix", [](Definition& d) { d.prefix_name = "other"; }},
        {"user managed", [](Definition& d) { d.user_managed_dependencies = true; }},
        {"a variable", [](Definition& d) { d.conda->variables["A"] = "1"; }},
        {"an env var", [](Definition& d) { d.environment_variables["B"] = "2"; }},
        {"the index", [](Definition& d) { d.pip->index_url = "https://example.invalid/simple"; }},
        {"--pre", [](Definition& d) { d.pip->pre = true; }},
        {"no conda", [](Definition& d) { d.conda.reset(); }},
        {"a build", [](Definition& d) { d.build = BuildSection{"ctx", "Dockerfile", "sha256:1", "sha256:2"}; }},
        {"spark", [](Definition& d) { d.spark = SparkSection{{"a:b:1"}, {}, true}; }},
        {"layering", [](Definition& d) { d.layering = "per-package"; }},
    };
    for (const auto& [what, change] : changes) {
        SCOPED_TRACE(what);
        auto changed = sample();
        change(changed);
        EXPECT_NE(definition_hash(changed), base);
    }
}

TEST(DefinitionTest, DisplayJsonHasTheDescriptiveFields) {
    auto d = sample();
    d.description = "a demo";
    const auto text = to_display_json(d);
    EXPECT_THAT(text, ::testing::HasSubstr("\"description\": \"a demo\""));
    EXPECT_THAT(text, ::testing::HasSubstr("\"source_kind\": \"conda_environment\""));
}

}  // namespace
}  // namespace envsmith::specs
