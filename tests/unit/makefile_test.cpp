// What the Makefile's entry points install, read from `make -n` (commands
// printed, none run): `make run`, the first command of README's Quick start,
// installs only what building the daemon needs; the test suite's packages
// (Debian's prometheus starts a server on :9090) come with `make test`.
#include <gtest/gtest.h>

#include <set>
#include <sstream>
#include <string>

#include "shell.h"

namespace execmond::test {
namespace {

const std::set<std::string> kTestOnly = {"libgtest-dev", "libgmock-dev", "prometheus", "curl",
                                         "openssl"};

// The words of what `make -n TARGET` would run.
std::set<std::string> planned_words(const std::string& target) {
  auto [status, out] = run_shell("make -s -n -C '" EXECMOND_SOURCE_DIR "' " + target +
                                 " BUILD_DIR=/nonexistent/execmond-build 2>&1");
  EXPECT_EQ(status, 0) << out;
  std::set<std::string> words;
  std::istringstream in(out);
  for (std::string word; in >> word;) words.insert(word);
  return words;
}

TEST(MakefileTest, RunInstallsNoTestPackage) {
  const std::set<std::string> words = planned_words("run");
  ASSERT_TRUE(words.contains("install") && words.contains("libbpf-dev"))
      << "make run installs the build dependencies";
  for (const std::string& package : kTestOnly) {
    EXPECT_FALSE(words.contains(package)) << "make run would install " << package;
  }
  EXPECT_TRUE(words.contains("-DEXECMOND_BUILD_TESTS=OFF")) << "the tests need GoogleTest";
}

TEST(MakefileTest, TestInstallsTheTestPackages) {
  const std::set<std::string> words = planned_words("test");
  for (const std::string& package : kTestOnly) {
    EXPECT_TRUE(words.contains(package)) << "make test would not install " << package;
  }
}

}  // namespace
}  // namespace execmond::test
