// The journal output without a journald: a returned error, never a throw or
// a crash. (The VM system test sends to a real journald.)
#include "records/journal_output.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace execmond {
namespace {

TEST(JournalOutputTest, NoJournaldIsAnError) {
  if (std::filesystem::exists("/run/systemd/journal/socket")) {
    GTEST_SKIP() << "a journald is listening here; the system test covers writing to it";
  }
  ExitRecord record;
  record.comm = "multi\nline\xff";
  record.cmdline = std::vector<std::string>{"a\nb"};
  JournalOutput output;
  const Status written = output.write(record);
  ASSERT_FALSE(written);
  EXPECT_NE(written.error().message.find("journald is not running here"), std::string::npos)
      << written.error().message;
}

}  // namespace
}  // namespace execmond
