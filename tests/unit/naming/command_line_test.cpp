// Command lines split as process-exporter's /proc reader splits them, the
// joined view cmdline patterns read, and Go's filepath.Base.
#include "naming/command_line.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "naming/match_text.h"
#include "naming/name_length.h"

namespace execmond::naming {
namespace {

using namespace std::string_literals;
using Args = std::vector<std::string>;

TEST(CommandLineTest, SplitsArgumentsEachEndedByANul) {
  EXPECT_EQ(split_command_line("python3\0-u\0x.py\0"s), (Args{"python3", "-u", "x.py"}));
}

TEST(CommandLineTest, NoBytesIsNoArguments) { EXPECT_EQ(split_command_line(""), Args{}); }

TEST(CommandLineTest, TrailingNulsAndTrailingEmptyArgumentsAreDropped) {
  // prometheus/procfs trims every trailing NUL before splitting.
  EXPECT_EQ(split_command_line("a\0b\0\0\0"s), (Args{"a", "b"}));
}

TEST(CommandLineTest, EmptyArgumentsInsideAreKept) {
  EXPECT_EQ(split_command_line("a\0\0b\0"s), (Args{"a", "", "b"}));
}

TEST(CommandLineTest, OnlyNulsIsOneEmptyArgument) {
  // What the kernel gives a process exec'd with argc 0: an empty argv[0].
  EXPECT_EQ(split_command_line("\0"s), Args{""});
  EXPECT_EQ(split_command_line("\0\0\0"s), Args{""});
}

TEST(CommandLineTest, BytesWithoutANulAreOneArgument) {
  // A record cut inside its first argument, or a blob with no separator.
  EXPECT_EQ(split_command_line("no-nul-at-all"), Args{"no-nul-at-all"});
  EXPECT_EQ(split_command_line("a\0trunc"s), (Args{"a", "trunc"}));
}

TEST(CommandLineTest, ThousandsOfEmptyArgumentsStayApart) {
  std::string bytes = "prog";
  bytes += std::string(5000, '\0');
  bytes += "last";
  bytes += '\0';
  const Args argv = split_command_line(bytes);
  ASSERT_EQ(argv.size(), 5001U);
  EXPECT_EQ(argv.front(), "prog");
  EXPECT_EQ(argv[2500], "");
  EXPECT_EQ(argv.back(), "last");
  EXPECT_EQ(join_arguments(argv), "prog" + std::string(5000, ' ') + "last");
}

TEST(CommandLineTest, JoinsWithSingleSpaces) {
  EXPECT_EQ(join_arguments(Args{"java", "-jar", "x.jar"}), "java -jar x.jar");
  EXPECT_EQ(join_arguments(Args{"a", "", "b"}), "a  b");
  EXPECT_EQ(join_arguments(Args{}), "");
  EXPECT_EQ(join_arguments(Args{""}), "");
}

TEST(CommandLineTest, BaseNameIsGoFilepathBase) {
  EXPECT_EQ(path_base("/usr/bin/python3"), "python3");
  EXPECT_EQ(path_base("python3"), "python3");
  EXPECT_EQ(path_base("/srv/app/"), "app");
  EXPECT_EQ(path_base("/srv/app///"), "app");
  EXPECT_EQ(path_base(""), ".");
  EXPECT_EQ(path_base("/"), "/");
  EXPECT_EQ(path_base("///"), "/");
  EXPECT_EQ(path_base("./x.py"), "x.py");
}

TEST(MatchTextTest, ValidTextIsMatchedAsItIs) {
  const MatchText text("python3 x.py");
  EXPECT_EQ(text.text(), "python3 x.py");
  EXPECT_EQ(text.original_of(text.text().substr(8)), "x.py");
}

TEST(MatchTextTest, EachInvalidByteReadsAsOneReplacementCharacter) {
  const MatchText text(
      "a\xff\xfe"
      "b\xc3\xa9");
  EXPECT_EQ(text.text(),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b\xc3\xa9");
  // A capture maps back to the original bytes.
  EXPECT_EQ(text.original_of(text.text().substr(1, 6)), "\xff\xfe");
  EXPECT_EQ(text.original_of(text.text().substr(7)), "b\xc3\xa9");
  EXPECT_EQ(text.original_of(std::string_view()), "");
}

TEST(NameLengthTest, CutsAt128BytesOnACharacterBoundary) {
  std::string ascii(300, 'a');
  cut_to_name_length(ascii);
  EXPECT_EQ(ascii.size(), kMaxNameBytes);

  std::string accented(127, 'a');
  accented += "\xc3\xa9\xc3\xa9";  // é starts at byte 127: it would be cut in two
  cut_to_name_length(accented);
  EXPECT_EQ(accented, std::string(127, 'a'));

  std::string bad(200, '\x80');  // continuation bytes only: cut where the cap is
  cut_to_name_length(bad);
  EXPECT_EQ(bad.size(), kMaxNameBytes);
}

}  // namespace
}  // namespace execmond::naming
