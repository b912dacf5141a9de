// What the daemon keeps of a command line it reads itself, and its id, as
// the exec handler computes them (the privileged CmdlineCaptureTest holds the
// two to each other on real processes).
#include "kernel/cmdline_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "execmond.h"

namespace execmond {
namespace {

using namespace std::string_literals;

TEST(CmdlineIdTest, ACommandLineWithinTheBoundIsKeptWhole) {
  const std::string args = "ls\0-l\0"s;
  const KeptCmdline kept = keep_cmdline(args, 6);
  EXPECT_EQ(kept.args, args);
  EXPECT_FALSE(kept.truncated);
}

TEST(CmdlineIdTest, ALongerOneIsCutAfterItsLastWholeArgument) {
  const std::string args = "cc\0-c\0main.c\0"s;
  KeptCmdline kept = keep_cmdline(args, 10);
  EXPECT_EQ(kept.args, "cc\0-c\0"s);
  EXPECT_TRUE(kept.truncated);
  kept = keep_cmdline(args, 6);  // the bound ends right after a NUL
  EXPECT_EQ(kept.args, "cc\0-c\0"s);
  EXPECT_TRUE(kept.truncated);
  // No argument ends within the bound: the bound's bytes.
  const std::string one_long = std::string(100, 'a') + '\0';
  kept = keep_cmdline(one_long, 16);
  EXPECT_EQ(kept.args, std::string(16, 'a'));
  EXPECT_TRUE(kept.truncated);
}

TEST(CmdlineIdTest, IdsAreNeverZeroAndTellCommandLinesApart) {
  std::set<std::uint64_t> ids;
  for (const std::string& args : {""s, "\0"s, "\0\0"s, "a"s, "a\0"s, "a\0b\0"s, "a\0c\0"s,
                                  "abcdefgh"s, "abcdefgh\0"s, "abcdefgi"s, "abcdefghabcdefgh"s}) {
    const std::uint64_t id = cmdline_id_of(args, false);
    EXPECT_NE(id, 0U);
    EXPECT_TRUE(ids.insert(id).second) << "same id for a different command line";
  }
  // The same bytes cut or not are different command lines.
  EXPECT_NE(cmdline_id_of("a\0"s, true), cmdline_id_of("a\0"s, false));
  EXPECT_EQ(cmdline_id_of("make\0-j8\0"s, false), cmdline_id_of("make\0-j8\0"s, false));
}

TEST(CmdlineIdTest, OnlyTheBytesOfTheCommandLineCount) {
  // The last word is padded with zeros: what follows the view in memory does not matter.
  const std::string longer = "sh\0-c\0XYZ"s;
  EXPECT_EQ(cmdline_id_of(std::string_view(longer).substr(0, 6), false),
            cmdline_id_of("sh\0-c\0"s, false));
  // Past the kernel's buffer nothing is hashed.
  const std::string huge(EXECMOND_CMDLINE_MAX + 100, 'x');
  EXPECT_EQ(cmdline_id_of(huge, true),
            cmdline_id_of(std::string_view(huge).substr(0, EXECMOND_CMDLINE_MAX), true));
}

}  // namespace
}  // namespace execmond
