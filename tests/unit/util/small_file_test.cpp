#include "util/small_file.h"

#include <gtest/gtest.h>

#include <string>

#include "temp_file.h"

namespace execmond {
namespace {

using test::TempFile;

TEST(SmallFileTest, ReadsProcfsFilesToTheEnd) {
  // procfs reports st_size 0: the text is read until EOF.
  Result<std::string> stat = read_small_file("/proc/self/stat");
  ASSERT_TRUE(stat) << stat.error().message;
  EXPECT_NE(stat->find(')'), std::string::npos);
  EXPECT_EQ(stat->back(), '\n');
}

TEST(SmallFileTest, AFileOfExactlyTheCapIsRead) {
  TempFile file(std::string(10000, 'x'));
  Result<std::string> text = read_small_file(file.path(), 10000);
  ASSERT_TRUE(text) << text.error().message;
  EXPECT_EQ(text->size(), 10000U);
}

TEST(SmallFileTest, MoreThanTheCapIsAnErrorNamingTheFile) {
  TempFile file(std::string(10001, 'x'));
  Result<std::string> text = read_small_file(file.path(), 10000);
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().message, "cannot read " + file.path() + ": larger than 10000 bytes");
  // A device that never ends stops at the cap too.
  Result<std::string> zero = read_small_file("/dev/zero", std::size_t{1} << 20);
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().message, "cannot read /dev/zero: larger than 1 MiB");
}

TEST(SmallFileTest, ErrorsNameTheFileAndTheReason) {
  Result<std::string> absent = read_small_file("/nonexistent/file");
  ASSERT_FALSE(absent);
  EXPECT_EQ(absent.error().message, "cannot open /nonexistent/file: No such file or directory");
  Result<std::string> directory = read_small_file("/tmp");
  ASSERT_FALSE(directory);
  EXPECT_EQ(directory.error().message, "cannot read /tmp: Is a directory");
}

}  // namespace
}  // namespace execmond
