// The text formats of wheel_install.hpp: WHEEL, RECORD, entry_points.txt, shebangs, launchers.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "envsmith/install/wheel_install.hpp"
#include "matchers.hpp"

namespace envsmith::install {
namespace {

using test::FailsWithId;
using test::Succeeds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(WheelInfoTest, ReadsVersionPurelibAndTags) {
    const auto info = parse_wheel_info(
        "Wheel-Version: 1.0\r\nGenerator: bdist_wheel (0.40.0)\r\nRoot-Is-Purelib: false\r\n"
        "Tag: py2-none-any\r\nTag: py3-none-any\r\n\r\n",
        "x-1.0-py3-none-any.whl");
    ASSERT_THAT(info, Succeeds());
    EXPECT_EQ(info->version_major, 1U);
    EXPECT_EQ(info->version_minor, 0U);
    EXPECT_FALSE(info->root_is_purelib);
    EXPECT_EQ(info->generator, "bdist_wheel (0.40.0)");
    EXPECT_THAT(info->tags, ElementsAre("py2-none-any", "py3-none-any"));
}

TEST(WheelInfoTest, RefusesMissingOrMalformedFields) {
    for (const auto* text : {"Root-Is-Purelib: true\n", "Wheel-Version: 1.0\n",
                             "Wheel-Version: one\nRoot-Is-Purelib: true\n",
                             "Wheel-Version: 1.0\nRoot-Is-Purelib: yes\n",
                             "Wheel-Version: 1.0\nRoot-Is-Purelib true\n"}) {
        SCOPED_TRACE(text);
        const auto info = parse_wheel_info(text, "x.whl");
        ASSERT_THAT(info, FailsWithId("wheel.wheel_file.invalid"));
        EXPECT_EQ(info.error().arg_value("wheel"), "x.whl");
    }
}

TEST(RecordTest, ParsesQuotedFieldsEmptyHashesAndSizes) {
    const auto record = parse_record(
        "a/b.py,sha256=abc,12\n\"a/with,comma.py\",sha256=def,3\r\n\"say \"\"hi\"\".txt\",,\n"
        "\nx.dist-info/RECORD,,\n",
        "x.whl");
    ASSERT_THAT(record, Succeeds());
    ASSERT_EQ(record->size(), 4U);
    EXPECT_EQ((*record)[0], (RecordEntry{"a/b.py", "sha256=abc", 12}));
    EXPECT_EQ((*record)[1], (RecordEntry{"a/with,comma.py", "sha256=def", 3}));
    EXPECT_EQ((*record)[2], (RecordEntry{"say \"hi\".txt", "", std::nullopt}));
    EXPECT_EQ((*record)[3], (RecordEntry{"x.dist-info/RECORD", "", std::nullopt}));
}

TEST(RecordTest, FormatsWhatItParses) {
    const std::vector<RecordEntry> entries{{"a/b.py", "sha256=abc", 12},
                                           {"a/with,comma.py", "sha256=def", 3},
                                           {"say \"hi\".txt", "", std::nullopt}};
    const auto text = format_record(entries);
    EXPECT_EQ(text,
              "a/b.py,sha256=abc,12\n\"a/with,comma.py\",sha256=def,3\n\"say \"\"hi\"\".txt\",,\n");
    const auto again = parse_record(text, "x.whl");
    ASSERT_THAT(again, Succeeds());
    EXPECT_EQ(*again, entries);
}

TEST(RecordTest, RefusesBadRowsWithTheLine) {
    const struct {
        const char* text;
        const char* line;
        const char* problem;
    } cases[] = {
        {"a,sha256=x,1\nb,sha256=y\n", "2", "2 fields instead of 3"},
        {"a,sha256=x,1\nb,sha256=y,z\n", "2", "size `z` is not a number"},
        {"a,md5,1\n", "1", "hash `md5` is not"},
        {"\"a,sha256=x,1\n", "1", "not closed"},
        {",sha256=x,1\n", "1", "the path is empty"},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.text);
        const auto record = parse_record(c.text, "x.whl");
        ASSERT_THAT(record, FailsWithId("wheel.record.invalid"));
        EXPECT_EQ(record.error().arg_value("line"), c.line);
        EXPECT_THAT(std::string(record.error().arg_value("problem")), HasSubstr(c.problem));
    }
}

TEST(RecordTest, HashIsUrlsafeBase64OfSha256WithoutPadding) {
    // python3 -c "import hashlib,base64; print(base64.urlsafe_b64encode(hashlib.sha256(b'').digest()))"
    EXPECT_EQ(record_hash(""), "sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU");
    // The RECORD of pip's script.wheel1a test wheel lists test.py with this hash.
    EXPECT_EQ(record_hash("def main():\r\n    print(\"Hello, world!\")\r\n"),
              "sha256=yHtaX_ff4VzQqBpFdR_khGJFjxLUoQhx2eXqIc6MfII");
}

TEST(EntryPointsTest, ReadsScriptSectionsOnly) {
    const auto entry_points = parse_entry_points(
        "[console_scripts]\n"
        "wheel = wheel.cli:main\n"
        "  tool=pkg.sub : cli.run [extra1, extra2]\n"
        "# a comment\n"
        "[distutils.commands]\n"
        "bdist_wheel = wheel.bdist_wheel:bdist_wheel\n"
        "[gui_scripts]\n"
        "viewer = pkg.gui:start\n",
        "x.whl");
    ASSERT_THAT(entry_points, Succeeds());
    EXPECT_THAT(*entry_points,
                ElementsAre(EntryPoint{"wheel", "wheel.cli", "main", EntryPoint::Group::console},
                            EntryPoint{"tool", "pkg.sub", "cli.run", EntryPoint::Group::console},
                            EntryPoint{"viewer", "pkg.gui", "start", EntryPoint::Group::gui}));
}

TEST(EntryPointsTest, RefusesWhatCannotBeALauncher) {
    for (const auto* text : {"[console_scripts]\nx = pkg\n", "[console_scripts]\n../x = pkg:main\n",
                             "[console_scripts]\nx = pkg:main()\n",
                             "[console_scripts]\nx = os;import os:main\n",
                             "[console_scripts]\njust text\n", "[console_scripts\n"}) {
        SCOPED_TRACE(text);
        const auto entry_points = parse_entry_points(text, "x.whl");
        ASSERT_THAT(entry_points, FailsWithId("wheel.entry_points.invalid"));
        EXPECT_EQ(entry_points.error().arg_value("wheel"), "x.whl");
    }
}

TEST(ShebangTest, ShortPathsAreDirectAndLongOrSpacedPathsGoThroughSh) {
    EXPECT_EQ(python_shebang("/opt/env/bin/python3.11"), "#!/opt/env/bin/python3.11\n");
    EXPECT_EQ(python_shebang("/opt/env/bin/python3.11", " -u"), "#!/opt/env/bin/python3.11 -u\n");
    const std::string long_path = "/" + std::string(130, 'p') + "/bin/python";
    EXPECT_EQ(python_shebang(long_path),
              "#!/bin/sh\n'''exec' \"" + long_path + "\" \"$0\" \"$@\"\n' '''\n");
    EXPECT_EQ(python_shebang("/opt/my env/bin/python"),
              "#!/bin/sh\n'''exec' \"/opt/my env/bin/python\" \"$0\" \"$@\"\n' '''\n");
    // 127 bytes with "#!" and "\n" is still direct; 128 is not.
    const std::string fits = "/" + std::string(123, 'a');
    EXPECT_EQ(python_shebang(fits).size(), 127U);
    EXPECT_TRUE(python_shebang(fits).starts_with("#!/a"));
    EXPECT_TRUE(python_shebang(fits + "a").starts_with("#!/bin/sh\n"));
}

TEST(LauncherTest, ImportsTheFirstNameAndExitsWithTheCallsResult) {
    const auto script = launcher_script(
        "/opt/env/bin/python3.11", EntryPoint{"tool", "pkg.sub", "cli.run", EntryPoint::Group::console});
    EXPECT_TRUE(script.starts_with("#!/opt/env/bin/python3.11\n"));
    EXPECT_THAT(script, HasSubstr("\nfrom pkg.sub import cli\n"));
    EXPECT_THAT(script, HasSubstr("    sys.exit(cli.run())\n"));
}

}  // namespace
}  // namespace envsmith::install
